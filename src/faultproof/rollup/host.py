"""The rollup fault proof program's host: op-program's host, served from two JSON-RPC nodes.

L1 hints (``l1-block-header``, ``l1-transactions``, ``l1-receipts``, ``l1-precompile-v2``) go
to the L1 node; L2 hints (``l2-block-header``, ``l2-transactions``, ``l2-code``,
``l2-state-node``, ``l2-output``, ``l2-account-proof``, ``l2-account-storage-proof``) to the L2
node. The handlers of ``faultproof.evm.rpc_host`` are reused for both (an L1 header or
transaction trie is built the same way as an L2 one); receipts and outputs are added here.

Every value goes into a `PreimageStore`, which checks it against its key: a node that lies
makes the run fail (`PreimageMismatch`), it never makes the program read a wrong preimage.
The boot info is op-program's (docs/ROLLUP.md §6); ``agreed_block`` plays op-program's
``--l2.head``: the block whose output preimage ``l2-output`` fetches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faultproof.chain.errors import RpcError
from faultproof.evm import mpt, rlp
from faultproof.evm.rpc_host import JsonRpc, RpcHost
from faultproof.preimage.errors import InvalidHint, PreimageMismatch
from faultproof.preimage.hints import HintRouter
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.protocol import HintHandler, PreimageSink
from faultproof.preimage.store import BootInfo, MemoryStore, PreimageStore

L1_HINTS = ("l1-block-header", "l1-transactions", "l1-receipts", "l1-precompile-v2")
L2_HINTS = (
    "l2-block-header",
    "l2-transactions",
    "l2-code",
    "l2-state-node",
    "l2-output",
    "l2-account-proof",
    "l2-account-storage-proof",
)

# Boot keys (op-program, spec §1.1).
L1_HEAD = 1
AGREED_OUTPUT = 2
CLAIMED_OUTPUT = 3
CLAIMED_BLOCK = 4
CHAIN_ID = 5


@dataclass(frozen=True)
class RollupBoot:
    """One run's inputs: what op-program gets as ``--l1.head``, ``--l2.outputroot``,
    ``--l2.claim``, ``--l2.blocknumber``, the chain ID, and ``--l2.head`` (``agreed_block``)."""

    l1_head: bytes
    agreed_output: bytes
    claimed_output: bytes
    claimed_block: int
    chain_id: int
    agreed_block: int

    def boot_info(self) -> BootInfo:
        return BootInfo(
            {
                L1_HEAD: self.l1_head,
                AGREED_OUTPUT: self.agreed_output,
                CLAIMED_OUTPUT: self.claimed_output,
                CLAIMED_BLOCK: self.claimed_block.to_bytes(8, "big"),
                CHAIN_ID: self.chain_id.to_bytes(8, "big"),
            }
        )


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _unhex(value: Any) -> bytes:
    text = str(value)
    text = text[2:] if text.startswith("0x") else text
    return bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)


def _int(value: Any) -> int:
    return int(str(value), 16) if isinstance(value, str) else int(value or 0)


def receipt_rlp(receipt: dict[str, Any]) -> bytes:
    """The consensus encoding of a receipt (EIP-2718: type byte for typed receipts) from its
    JSON (``eth_getTransactionReceipt`` / ``eth_getBlockReceipts``)."""
    logs: list[rlp.Encodable] = [
        [
            _unhex(log["address"]),
            [_unhex(t) for t in log.get("topics") or []],
            _unhex(log.get("data") or "0x"),
        ]
        for log in receipt.get("logs") or []
    ]
    status: rlp.Encodable
    if receipt.get("status") is not None:
        status = _int(receipt["status"])
    else:
        status = _unhex(receipt["root"])
    body = rlp.encode(
        [status, _int(receipt["cumulativeGasUsed"]), _unhex(receipt["logsBloom"]), logs]
    )
    kind = _int(receipt.get("type") or 0)
    return body if kind == 0 else bytes([kind]) + body


class RollupHost:
    """The hint handlers of the rollup program over an L1 and an L2 node, into one ``store``."""

    def __init__(self, l1: JsonRpc, l2: JsonRpc, store: PreimageStore, boot: RollupBoot) -> None:
        self.l1_rpc = l1
        self.l2_rpc = l2
        self.store = store
        self.boot = boot
        self.l1 = RpcHost(l1, store)
        self.l2 = RpcHost(l2, store, state_block=boot.agreed_block)
        self.hints: dict[str, int] = {}

    def register(self, router: HintRouter) -> None:
        handlers: dict[str, HintHandler] = {
            "l1-block-header": self.l1.block_header,
            "l1-transactions": self.l1.transactions,
            "l1-receipts": self.l1_receipts,
            "l1-precompile-v2": self.l1._precompile,
            "l2-block-header": self.l2.block_header,
            "l2-transactions": self.l2.transactions,
            "l2-code": self.l2.code,
            "l2-state-node": self.l2.state_node,
            "l2-output": self.l2_output,
            "l2-account-proof": self.l2.account_proof,
            "l2-account-storage-proof": self.l2.account_storage_proof,
        }
        for name, handler in handlers.items():
            router.register(name, self._counted(name, handler))

    def _counted(self, name: str, handler: HintHandler) -> HintHandler:
        def run(payload: bytes, sink: PreimageSink) -> None:
            self.hints[name] = self.hints.get(name, 0) + 1
            handler(payload, sink)

        return run

    # -- l1-receipts <block hash>
    def l1_receipts(self, payload: bytes, sink: PreimageSink) -> None:
        """Every node of the block's receipt trie, checked against the header's receiptsRoot.
        From ``eth_getBlockReceipts`` (anvil, geth) or per transaction; ``debug_getRawReceipts``
        when the JSON does not rebuild the root."""
        if len(payload) != 32:
            raise InvalidHint(f"l1-receipts payload is {len(payload)} bytes, expected 32")
        block = self.l1.block(payload, True)
        want = _unhex(block.get("receiptsRoot"))
        receipts = self.l1_rpc.optional("eth_getBlockReceipts", [_hex(payload)])
        if not isinstance(receipts, list):
            receipts = [
                self.l1_rpc.call("eth_getTransactionReceipt", [tx["hash"]])
                for tx in block.get("transactions") or []
            ]
        built = mpt.derivable_list_trie([receipt_rlp(r) for r in receipts])
        if built.root != want:
            raw = self.l1_rpc.optional("debug_getRawReceipts", [_hex(payload)])
            if isinstance(raw, list):
                built = mpt.derivable_list_trie([_unhex(r) for r in raw])
        if built.root != want:
            raise PreimageMismatch(
                f"L1 block 0x{payload.hex()}: receipts rebuilt from the node hash to "
                f"0x{built.root.hex()}, the header's receiptsRoot is 0x{want.hex()}"
            )
        fresh = [(keccak256_key(n), n) for n in built.nodes.values()]
        self.store.put_many([(k, v) for k, v in fresh if k not in self.store])

    # -- l2-output <output root>
    def l2_output(self, payload: bytes, sink: PreimageSink) -> None:
        """The output preimage of the agreed block (op-program's ``--l2.head``), from
        ``optimism_outputAtBlock``; the store refuses it unless it hashes to the payload."""
        if len(payload) != 32:
            raise InvalidHint(f"l2-output payload is {len(payload)} bytes, expected 32")
        out = self.l2_rpc.call("optimism_outputAtBlock", [hex(self.boot.agreed_block)])
        if not isinstance(out, dict):
            raise RpcError("optimism_outputAtBlock returned nothing")
        preimage = (
            _unhex(out.get("version") or "0x" + "00" * 32).rjust(32, b"\x00")
            + _unhex(out["stateRoot"])
            + _unhex(out["withdrawalStorageRoot"])
            + _unhex(out["blockRef"]["hash"])
        )
        self.store.put(keccak256_key(digest=payload), preimage)


def rollup_host(
    l1_url: str | JsonRpc,
    l2_url: str | JsonRpc,
    boot: RollupBoot,
    store: PreimageStore | None = None,
) -> LocalHost:
    """A `LocalHost` (in-process oracle for a VM, or for ``run_native``) with the boot info
    and every hint routed to the two nodes."""
    store = store if store is not None else MemoryStore()
    l1 = l1_url if isinstance(l1_url, JsonRpc) else JsonRpc(l1_url)
    l2 = l2_url if isinstance(l2_url, JsonRpc) else JsonRpc(l2_url)
    router = HintRouter(store)
    RollupHost(l1, l2, store, boot).register(router)
    return LocalHost(store=store, boot_info=boot.boot_info(), router=router)


def output_root(l2: JsonRpc, block: int) -> bytes:
    """The L2 node's output root of ``block`` (``optimism_outputAtBlock``)."""
    out = l2.call("optimism_outputAtBlock", [hex(block)])
    if not isinstance(out, dict):
        raise RpcError(f"optimism_outputAtBlock {block} returned nothing")
    return _unhex(out["outputRoot"])


def boot_for(
    l1: JsonRpc,
    l2: JsonRpc,
    agreed_block: int,
    claimed_block: int,
    claimed_output: bytes | None = None,
    l1_head: bytes | None = None,
) -> RollupBoot:
    """Boot info from the nodes: the agreed output of ``agreed_block``, the claim (the node's own
    output of ``claimed_block`` unless given), the L1 head (latest unless given)."""
    if l1_head is None:
        head = l1.call("eth_getBlockByNumber", ["latest", False])
        l1_head = _unhex(head["hash"])
    claim = claimed_output if claimed_output is not None else output_root(l2, claimed_block)
    return RollupBoot(
        l1_head=l1_head,
        agreed_output=output_root(l2, agreed_block),
        claimed_output=claim,
        claimed_block=claimed_block,
        chain_id=_int(l2.call("eth_chainId", [])),
        agreed_block=agreed_block,
    )


__all__ = [
    "L1_HINTS",
    "L2_HINTS",
    "RollupBoot",
    "RollupHost",
    "boot_for",
    "output_root",
    "receipt_rlp",
    "rollup_host",
]
