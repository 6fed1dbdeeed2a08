"""Chain layer: one API (`Chain`) over an in-process EVM and JSON-RPC nodes.

    from faultproof.chain import EmbeddedChain
    from faultproof.contracts import load_contract
    oracle = EmbeddedChain().deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)

`EmbeddedChain` runs pyrevm in process; `RpcChain` talks to any node (anvil via
`faultproof.chain.anvil`) with unlocked accounts; `SigningRpcChain` signs with a private key. Both return the same `Receipt` and raise the same errors.
"""

from faultproof.chain.abi import DecodedError, Event, Log, decode_log, decode_revert, selector
from faultproof.chain.base import DEFAULT_TX_GAS, Chain
from faultproof.chain.embedded import EmbeddedChain
from faultproof.chain.errors import (
    ChainError,
    CodeSizeLimitExceeded,
    ContractReverted,
    DeployFailed,
    ExecutionHalted,
    InvalidPrivateKey,
    RpcError,
    TransactionRejected,
)
from faultproof.chain.receipt import Receipt

__all__ = [
    "DEFAULT_TX_GAS",
    "Chain",
    "ChainError",
    "CodeSizeLimitExceeded",
    "ContractReverted",
    "DecodedError",
    "DeployFailed",
    "EmbeddedChain",
    "Event",
    "ExecutionHalted",
    "InvalidPrivateKey",
    "Log",
    "Receipt",
    "RpcChain",
    "RpcError",
    "SigningRpcChain",
    "TransactionRejected",
    "decode_log",
    "decode_revert",
    "selector",
]


def __getattr__(name: str) -> object:
    # RpcChain pulls in web3 (slow to import); load it only when asked for.
    if name in ("RpcChain", "SigningRpcChain"):
        from faultproof.chain import rpc

        return getattr(rpc, name)
    raise AttributeError(name)
