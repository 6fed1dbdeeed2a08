"""The batcher: posts the sequencer's blocks to L1 as batches (docs/ROLLUP.md §4).

Each L2 block becomes one singular batch (its parent hash, L1 origin, timestamp and the
non-deposit transactions: deposits come from L1 itself); the batches since the last post are
sent in the config's batch format (`batcher_calldata`): one type-2 transaction to the batch
inbox for rlp-list, one channel for frames (in one transaction, or several in order when its
frames do not fit one), signed with the batcher's key.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc
from faultproof.rollup.batch import MAX_FRAME_SIZE, Batch, batcher_calldata
from faultproof.rollup.config import RollupConfig
from faultproof.rollup.execution import DEPOSIT_TX_TYPE, L2Block
from faultproof.rollup.node import L2Node


def batch_of(block: L2Block) -> Batch:
    """The singular batch that derives ``block``."""
    return Batch(
        parent_hash=bytes(block.header.parent_hash),
        epoch_number=block.l1_origin.number,
        epoch_hash=block.l1_origin.hash,
        timestamp=block.timestamp,
        txs=tuple(t for t in block.txs if t[0] != DEPOSIT_TX_TYPE),
    )


def intrinsic_gas(data: bytes) -> int:
    zeros = data.count(0)
    return 21_000 + 4 * zeros + 16 * (len(data) - zeros)


class Batcher:
    """Posts ``node``'s blocks after ``posted`` to L1 over ``rpc`` from ``batcher_key``."""

    def __init__(
        self, config: RollupConfig, node: L2Node, rpc: JsonRpc, batcher_key: int, posted: int = 0
    ) -> None:
        if secret_address(batcher_key) != config.batcher_address:
            raise ValueError("the batcher key is not the config's batcher_address")
        self.config = config
        self.node = node
        self.rpc = rpc
        self.key = batcher_key
        self.posted = posted
        """The highest L2 block number already posted."""
        self.channel_id: Callable[[], bytes] = lambda: os.urandom(16)
        """A fresh 16-byte channel id per post (frames format); tests may count instead."""
        self.max_frame_size = MAX_FRAME_SIZE
        """Frame data bytes per frame (frames format)."""

    def pending(self, up_to: int | None = None) -> list[L2Block]:
        top = self.node.head.number if up_to is None else min(up_to, self.node.head.number)
        return [self.node.block(n) for n in range(self.posted + 1, top + 1)]

    def post(self, up_to: int | None = None, *, wait: bool = True) -> bytes | None:
        """Send the pending blocks (one channel in the frames format); the hash of the last
        transaction sent (None if nothing was pending)."""
        blocks = self.pending(up_to)
        if not blocks:
            return None
        batches = [batch_of(b) for b in blocks]
        tx_hash = b""
        for calldata in batcher_calldata(
            self.config, batches, self.channel_id(), self.max_frame_size
        ):
            tx_hash = self.send_calldata(calldata, wait=wait)
        self.posted = blocks[-1].number
        if wait:
            self.node.safe_number = max(self.node.safe_number, self.posted)
        return tx_hash

    def send_calldata(self, calldata: bytes, *, wait: bool = True) -> bytes:
        """One signed type-2 transaction from the batcher to the inbox carrying ``calldata``
        (tests use it to post malformed data too)."""
        sender = "0x" + self.config.batcher_address.hex()
        nonce = int(self.rpc.call("eth_getTransactionCount", [sender, "pending"]), 16)
        latest = self.rpc.call("eth_getBlockByNumber", ["latest", False])
        base_fee = int(latest.get("baseFeePerGas", "0x0"), 16)
        tip = 10**9 if base_fee else 0
        tx = UnsignedTx(
            tx_type=2,
            nonce=nonce,
            gas_limit=intrinsic_gas(calldata) + 10_000,
            to=self.config.batch_inbox_address,
            data=calldata,
            max_fee_per_gas=2 * base_fee + tip,
            max_priority_fee_per_gas=tip,
        )
        raw = tx_bytes(sign_tx(tx, self.key, self.config.l1_chain_id))
        tx_hash = str(self.rpc.call("eth_sendRawTransaction", ["0x" + raw.hex()]))
        if wait:
            wait_receipt(self.rpc, tx_hash)
        return bytes.fromhex(tx_hash[2:])


def wait_receipt(rpc: JsonRpc, tx_hash: str, timeout: float = 30.0) -> dict[str, object]:
    """Poll for a transaction's receipt (anvil auto-mines, so usually at once)."""
    deadline = time.monotonic() + timeout
    while True:
        receipt = rpc.call("eth_getTransactionReceipt", [tx_hash])
        if isinstance(receipt, dict):
            return receipt
        if time.monotonic() > deadline:
            raise TimeoutError(f"no receipt for {tx_hash} after {timeout} s")
        time.sleep(0.05)


__all__ = ["Batcher", "batch_of", "intrinsic_gas", "wait_receipt"]
