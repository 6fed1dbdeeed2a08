"""Reading L1 over JSON-RPC for the rollup: headers, batcher transactions, deposits.

With a fixed L1 head (derivation, as the fault proof program does) blocks are found by walking
parent hashes back from the head, and each header is rebuilt from its JSON and checked against
its hash, so a node cannot slip in a block that is not an ancestor of the head. Without one
(the sequencer following L1) blocks are read by number.
"""

from __future__ import annotations

from typing import Any

from ethereum.forks.cancun.transactions import LegacyTransaction, decode_transaction, recover_sender
from ethereum_rlp import rlp as spec_rlp
from ethereum_types.bytes import Bytes
from ethereum_types.numeric import U64

from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.evm import header as hdr
from faultproof.evm.rpc_host import JsonRpc
from faultproof.rollup.batch import Batch, decode_batches
from faultproof.rollup.config import RollupConfig
from faultproof.rollup.execution import (
    TRANSACTION_DEPOSITED,
    DepositTx,
    L1Info,
    blob_base_fee,
    deposit_from_log,
)


class L1Error(FaultproofError):
    """L1 cannot be read as the rollup needs (missing block, broken hash chain)."""


def _b(value: Any) -> bytes:
    return bytes.fromhex(str(value)[2:])


def _i(value: Any) -> int:
    return int(str(value), 16)


class L1Reader:
    """One L1 node's view, optionally fixed at ``head_hash``."""

    def __init__(self, rpc: JsonRpc, config: RollupConfig, head_hash: bytes | None = None) -> None:
        self.rpc = rpc
        self.config = config
        self.head_hash = head_hash
        self._by_number: dict[int, dict[str, Any]] = {}
        self._receipts: dict[bytes, list[dict[str, Any]]] = {}
        self.head_number = -1
        if head_hash is not None:
            head = self._fetch_by_hash(head_hash)
            self.head_number = _i(head["number"])
            self._by_number[self.head_number] = head

    def _fetch_by_hash(self, block_hash: bytes) -> dict[str, Any]:
        block = self.rpc.call("eth_getBlockByHash", ["0x" + block_hash.hex(), True])
        if not isinstance(block, dict):
            raise L1Error(f"L1 node has no block 0x{block_hash.hex()}")
        if keccak256(hdr.header_rlp(block)) != block_hash:
            raise L1Error(f"L1 block 0x{block_hash.hex()}: its header does not hash to it")
        return block

    def latest_number(self) -> int:
        """The highest readable block (the fixed head, or the node's latest)."""
        if self.head_hash is not None:
            return self.head_number
        return _i(self.rpc.call("eth_blockNumber", []))

    def block(self, number: int) -> dict[str, Any]:
        """The L1 block ``number`` with full transactions; `L1Error` past the head."""
        found = self._by_number.get(number)
        if found is not None:
            return found
        if self.head_hash is None:
            block = self.rpc.call("eth_getBlockByNumber", [hex(number), True])
            if not isinstance(block, dict):
                raise L1Error(f"L1 has no block {number} yet")
            return block  # not cached: a live L1 can reorg
        if number > self.head_number or number < 0:
            raise L1Error(f"L1 block {number} is not at or below the L1 head {self.head_number}")
        low = min(self._by_number)
        while low > number:
            child = self._by_number[low]
            parent = self._fetch_by_hash(_b(child["parentHash"]))
            low -= 1
            self._by_number[low] = parent
        return self._by_number[number]

    def info(self, number: int) -> L1Info:
        """What an L2 block takes from L1 block ``number`` (its L1 origin)."""
        b = self.block(number)
        excess = b.get("excessBlobGas")
        return L1Info(
            number=number,
            hash=_b(b["hash"]),
            timestamp=_i(b["timestamp"]),
            base_fee=_i(b.get("baseFeePerGas", "0x0")),
            blob_base_fee=blob_base_fee(None if excess is None else _i(excess)),
            mix_hash=_b(b["mixHash"]),
            parent_beacon_root=_b(b.get("parentBeaconBlockRoot") or "0x" + "00" * 32),
            parent_hash=_b(b["parentHash"]),
        )

    def batcher_calldata(self, number: int) -> list[bytes]:
        """The calldata of block ``number``'s batcher transactions (to the inbox, signed by the
        batcher; receipt status not checked), in transaction order (docs/ROLLUP.md §4)."""
        out: list[bytes] = []
        for tx in self.block(number).get("transactions") or []:
            to = tx.get("to")
            if not to or _b(to) != self.config.batch_inbox_address:
                continue
            try:
                raw = hdr.checked_raw_transaction(tx)
                sender = _sender(raw, self.config.l1_chain_id)
            except Exception:
                continue
            if sender != self.config.batcher_address:
                continue
            out.append(_b(tx.get("input", "0x")))
        return out

    def batches(self, number: int) -> list[Batch]:
        """The batches of block ``number`` in the rlp-list format (§4.1), in transaction order
        (a transaction whose calldata does not decode adds none). The frames format needs
        state across blocks: `faultproof.rollup.frames.ChannelAssembler` over
        `batcher_calldata`."""
        out: list[Batch] = []
        for calldata in self.batcher_calldata(number):
            found = decode_batches(calldata)
            if found:
                out.extend(found)
        return out

    def deposits(self, number: int) -> list[DepositTx]:
        """User deposits from the portal's logs in successful receipts of block ``number``."""
        block = self.block(number)
        block_hash = _b(block["hash"])
        receipts = self._block_receipts(block)
        out = []
        for receipt in receipts:
            if _i(receipt.get("status", "0x0")) != 1:
                continue
            for log in receipt.get("logs") or []:
                if _b(log["address"]) != self.config.deposit_contract_address:
                    continue
                topics = [_b(t) for t in log.get("topics") or []]
                if not topics or topics[0] != TRANSACTION_DEPOSITED:
                    continue
                out.append(
                    deposit_from_log(topics, _b(log["data"]), block_hash, _i(log["logIndex"]))
                )
        return out

    def _block_receipts(self, block: dict[str, Any]) -> list[dict[str, Any]]:
        block_hash = _b(block["hash"])
        cached = self._receipts.get(block_hash)
        if cached is not None:
            return cached
        found = self.rpc.optional("eth_getBlockReceipts", [block["hash"]])
        if not isinstance(found, list):
            found = [
                self.rpc.call("eth_getTransactionReceipt", [tx["hash"]])
                for tx in block.get("transactions") or []
            ]
        self._receipts[block_hash] = found
        return found


def _sender(raw: bytes, chain_id: int) -> bytes:
    tx = (
        spec_rlp.decode_to(LegacyTransaction, raw)
        if raw[0] >= 0xC0
        else decode_transaction(Bytes(raw))
    )
    return bytes(recover_sender(U64(chain_id), tx))


__all__ = ["L1Error", "L1Reader"]
