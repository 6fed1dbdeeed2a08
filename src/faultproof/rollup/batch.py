"""Batches and batcher transactions (docs/ROLLUP.md §4).

A batcher transaction's calldata is ``0x00 ‖ rlp([batch, batch, …])``; each batch is OP's
singular batch ``[parent_hash, epoch_number, epoch_hash, timestamp, [tx, …]]``, an RLP list
nested directly in the outer list, each ``tx`` a byte string holding EIP-2718 bytes. Calldata
that does not decode exactly this way (another version byte, non-canonical RLP, trailing bytes,
a hash that is not 32 bytes, a number over 64 bits) is ignored as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from faultproof.evm import rlp

DERIVATION_VERSION = 0


@dataclass(frozen=True)
class Batch:
    """One L2 block's worth of sequencer data."""

    parent_hash: bytes
    epoch_number: int
    epoch_hash: bytes
    timestamp: int
    txs: tuple[bytes, ...]

    def items(self) -> list[rlp.Encodable]:
        return [
            self.parent_hash,
            self.epoch_number,
            self.epoch_hash,
            self.timestamp,
            list(self.txs),
        ]


def encode_batches(batches: Sequence[Batch]) -> bytes:
    """A batcher transaction's calldata for ``batches``."""
    return bytes([DERIVATION_VERSION]) + rlp.encode([b.items() for b in batches])


def decode_batches(calldata: bytes) -> list[Batch] | None:
    """The batches in a batcher transaction's calldata, or None when it does not decode."""
    if not calldata or calldata[0] != DERIVATION_VERSION:
        return None
    try:
        outer = rlp.as_list(rlp.decode(calldata[1:]))
        out = []
        for item in outer:
            fields = rlp.as_list(item)
            if len(fields) != 5:
                return None
            parent, number, epoch_hash, timestamp, txs = fields
            parent_b, epoch_b = rlp.as_bytes(parent), rlp.as_bytes(epoch_hash)
            num, ts = rlp.decode_uint(number), rlp.decode_uint(timestamp)
            if len(parent_b) != 32 or len(epoch_b) != 32 or num >= 2**64 or ts >= 2**64:
                return None
            out.append(Batch(parent_b, num, epoch_b, ts,
                             tuple(rlp.as_bytes(t) for t in rlp.as_list(txs))))
        return out
    except rlp.RLPError:
        return None


__all__ = ["DERIVATION_VERSION", "Batch", "decode_batches", "encode_batches"]
