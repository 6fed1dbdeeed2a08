"""Batches and batcher transactions (docs/ROLLUP.md §4).

A batch is OP's singular batch ``[parent_hash, epoch_number, epoch_hash, timestamp, [tx, …]]``,
each ``tx`` a byte string holding EIP-2718 bytes. How batcher calldata carries batches is the
config's ``batch_format``:

- ``"rlp-list"`` (§4.1): ``0x00 ‖ rlp([batch, batch, …])``, each batch an RLP list nested
  directly in the outer list. Calldata that does not decode exactly this way (another version
  byte, non-canonical RLP, trailing bytes, a hash that is not 32 bytes, a number over 64 bits)
  is ignored as a whole.
- ``"frames"`` (§4.2): OP's frames and zlib channels, in `faultproof.rollup.frames`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from faultproof.evm import rlp

if TYPE_CHECKING:
    from faultproof.rollup.config import RollupConfig

DERIVATION_VERSION = 0
MAX_FRAME_SIZE = 120_000
"""Frame data bytes per frame the batcher cuts a channel into (§4.2)."""
MAX_CALLDATA_SIZE = 125_000
"""A batcher transaction's calldata stays under this (geth's pool refuses txs over 128 KiB);
the frames of a channel share one transaction while they fit."""


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


def batch_from_rlp(item: rlp.RLPItem) -> Batch | None:
    """A decoded RLP item as a singular batch, or None: exactly 5 fields, 32-byte hashes,
    canonical integers below 2^64, a list of byte strings (op-node's ``SingularBatch``)."""
    try:
        fields = rlp.as_list(item)
        if len(fields) != 5:
            return None
        parent, number, epoch_hash, timestamp, txs = fields
        parent_b, epoch_b = rlp.as_bytes(parent), rlp.as_bytes(epoch_hash)
        num, ts = rlp.decode_uint(number), rlp.decode_uint(timestamp)
        if len(parent_b) != 32 or len(epoch_b) != 32 or num >= 2**64 or ts >= 2**64:
            return None
        return Batch(parent_b, num, epoch_b, ts, tuple(rlp.as_bytes(t) for t in rlp.as_list(txs)))
    except rlp.RLPError:
        return None


def encode_batches(batches: Sequence[Batch]) -> bytes:
    """A batcher transaction's calldata for ``batches`` in the rlp-list format."""
    return bytes([DERIVATION_VERSION]) + rlp.encode([b.items() for b in batches])


def decode_batches(calldata: bytes) -> list[Batch] | None:
    """The batches in rlp-list calldata, or None when it does not decode."""
    if not calldata or calldata[0] != DERIVATION_VERSION:
        return None
    try:
        outer = rlp.as_list(rlp.decode(calldata[1:]))
    except rlp.RLPError:
        return None
    out = []
    for item in outer:
        batch = batch_from_rlp(item)
        if batch is None:
            return None
        out.append(batch)
    return out


def batcher_calldata(
    config: RollupConfig,
    batches: Sequence[Batch],
    channel_id: bytes,
    max_frame_size: int = MAX_FRAME_SIZE,
) -> list[bytes]:
    """The calldata of the batcher transactions that post ``batches``, to be sent in order.

    rlp-list: one `encode_batches`. frames: one channel (``channel_id``, 16 bytes) holding the
    zlib of the batches, cut into frames of at most ``max_frame_size`` data bytes, as many
    frames per transaction as fit in `MAX_CALLDATA_SIZE` (all of them, for small channels)."""
    if config.batch_format == "rlp-list":
        return [encode_batches(batches)]
    from faultproof.rollup.frames import channel_data, split_channel

    frames = split_channel(channel_id, channel_data(batches), max_frame_size)
    out: list[bytes] = []
    group: list[bytes] = []
    size = 1
    for frame in frames:
        raw = frame.encode()
        if group and size + len(raw) > MAX_CALLDATA_SIZE:
            out.append(bytes([DERIVATION_VERSION]) + b"".join(group))
            group, size = [], 1
        group.append(raw)
        size += len(raw)
    out.append(bytes([DERIVATION_VERSION]) + b"".join(group))
    return out


__all__ = [
    "DERIVATION_VERSION",
    "MAX_CALLDATA_SIZE",
    "MAX_FRAME_SIZE",
    "Batch",
    "batch_from_rlp",
    "batcher_calldata",
    "decode_batches",
    "encode_batches",
]
