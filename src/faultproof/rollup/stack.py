"""The whole L2 side in one object, for the demo and end-to-end tests: a config whose genesis is
the L1 node's latest block, the L2 node with its JSON-RPC server, the sequencer and the batcher.

`L2Stack.advance` is the deterministic way to drive it (build up to L1's time, post, optionally
mine); `start_sequencing` runs the sequencer on the wall clock instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from faultproof.evm.reference import secret_address
from faultproof.evm.rpc_host import JsonRpc
from faultproof.rollup.batcher import Batcher
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.execution import L2Block, genesis_block
from faultproof.rollup.genesis import genesis_alloc
from faultproof.rollup.l1 import L1Reader
from faultproof.rollup.node import L2Node
from faultproof.rollup.rpc_server import RpcServer
from faultproof.rollup.sequencer import Sequencer


def config_at_l1_head(
    rpc: JsonRpc, deposit_contract: bytes, batcher_address: bytes, **overrides: Any
) -> RollupConfig:
    """A config whose rollup starts at the L1 node's latest block (L2 genesis hash unset)."""
    head = rpc.call("eth_getBlockByNumber", ["latest", False])
    config = RollupConfig(
        genesis=Genesis(
            BlockId(int(head["number"], 16), bytes.fromhex(head["hash"][2:])),
            BlockId(0, b"\x00" * 32),
            int(head["timestamp"], 16),
        ),
        batcher_address=batcher_address,
        deposit_contract_address=deposit_contract,
        l1_chain_id=int(rpc.call("eth_chainId", []), 16),
    )
    return replace(config, **overrides)


@dataclass
class L2Stack:
    config: RollupConfig
    l1: JsonRpc
    node: L2Node
    server: RpcServer
    sequencer: Sequencer
    batcher: Batcher

    @classmethod
    def start(
        cls,
        l1_url: str,
        deposit_contract: bytes,
        batcher_key: int,
        funded: Mapping[bytes, int],
        **config_overrides: Any,
    ) -> L2Stack:
        """Genesis at L1's latest block, the node serving on 127.0.0.1 (``stack.server.url``)."""
        rpc = JsonRpc(l1_url)
        config = config_at_l1_head(
            rpc, deposit_contract, secret_address(batcher_key), **config_overrides
        )
        genesis, state = genesis_block(config, genesis_alloc(funded))
        config = config.with_genesis_l2(0, genesis.hash)
        node = L2Node(config, genesis, state)
        server = RpcServer(node).start()
        sequencer = Sequencer(config, node, L1Reader(rpc, config))
        batcher = Batcher(config, node, rpc, batcher_key)
        return cls(config, rpc, node, server, sequencer, batcher)

    def l1_time(self) -> int:
        return int(self.l1.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def advance(self, *, post: bool = True) -> list[L2Block]:
        """Build every L2 block up to L1's latest timestamp, then post them as one batch."""
        built = self.sequencer.catch_up(self.l1_time())
        if post:
            self.batcher.post()
        return built

    def start_sequencing(self) -> None:
        self.sequencer.start()

    def stop(self) -> None:
        self.sequencer.stop()
        self.server.stop()

    def __enter__(self) -> L2Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["L2Stack", "config_at_l1_head"]
