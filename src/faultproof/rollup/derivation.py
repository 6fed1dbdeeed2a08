"""The derivation reference: the L2 chain from L1 data alone, exactly docs/ROLLUP.md §5.

The fault proof program derives the same way in C; this is the Python side it is tested
against. State: the safe head (an L2 block with its L1 origin and sequence number), the L1
cursor (the next L1 block to read) and the batch buffer (batches read but not used yet, with
the L1 block that included them, in inclusion order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from faultproof.errors import FaultproofError
from faultproof.rollup.batch import Batch
from faultproof.rollup.config import RollupConfig
from faultproof.rollup.execution import (
    Attributes,
    DepositTx,
    InvalidBlock,
    L1Info,
    L2Block,
    build_block,
    parse_l1_info,
)
from faultproof.rollup.frames import ChannelAssembler
from faultproof.rollup.l1 import L1Reader
from faultproof.rollup.node import L2Node


class DerivationError(FaultproofError):
    """No valid L2 chain from this L1 (a reorg below the safe head's origin, a bad deposit log)."""


class Verdict(Enum):
    ACCEPT = "accept"
    DROP = "drop"
    FUTURE = "future"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class BufferedBatch:
    batch: Batch
    inclusion: int


@dataclass
class DerivationLog:
    """What happened, for tests and the demo's story."""

    accepted: list[int] = field(default_factory=list)
    """L2 block numbers built from batches."""
    deposits_only: list[int] = field(default_factory=list)
    """L2 block numbers built without a batch (window expired)."""
    replaced: list[int] = field(default_factory=list)
    """L2 block numbers whose batch was invalid, replaced by the deposits-only block."""
    dropped: list[tuple[Batch, str]] = field(default_factory=list)


def safe_origin(config: RollupConfig, block: L2Block) -> tuple[int, bytes, int]:
    """(L1 origin number, hash, sequence number) of an L2 block, read from its L1 info deposit
    (the genesis block has none: the config's genesis L1 block, sequence 0)."""
    if block.number == 0:
        return config.genesis.l1.number, config.genesis.l1.hash, 0
    seq, _, number, l1_hash = parse_l1_info(DepositTx.decode(block.txs[0]).data)
    return number, l1_hash, seq


def check_batch(
    config: RollupConfig,
    batch: Batch,
    inclusion: int,
    safe: L2Block,
    epoch: L1Info,
    next_epoch: L1Info | None,
) -> tuple[Verdict, L1Info | None, str]:
    """§5 step 2's rules, in order: (verdict, the batch's origin if accepted, reason)."""
    next_timestamp = safe.timestamp + config.block_time
    if batch.timestamp > next_timestamp:
        return Verdict.FUTURE, None, "future timestamp"
    if batch.timestamp < next_timestamp:
        return Verdict.DROP, None, "timestamp before the next block's"
    if batch.parent_hash != safe.hash:
        return Verdict.DROP, None, "parent hash is not the safe head"
    if batch.epoch_number + config.seq_window_size < inclusion:
        return Verdict.DROP, None, "included after the sequencing window"
    origin: L1Info
    if batch.epoch_number < epoch.number:
        return Verdict.DROP, None, "epoch before the safe head's"
    if batch.epoch_number == epoch.number:
        origin = epoch
    elif batch.epoch_number == epoch.number + 1:
        if next_epoch is None:
            return Verdict.UNDECIDED, None, "next epoch not read yet"
        origin = next_epoch
    else:
        return Verdict.DROP, None, "epoch more than one ahead"
    if batch.epoch_hash != origin.hash:
        return Verdict.DROP, None, "epoch hash does not match L1"
    if batch.timestamp < origin.timestamp:
        return Verdict.DROP, None, "timestamp before its L1 origin's"
    if batch.timestamp > origin.timestamp + config.max_sequencer_drift:
        if batch.txs:
            return Verdict.DROP, None, "past the sequencer drift with transactions"
        if next_epoch is None:
            return Verdict.UNDECIDED, None, "past the drift, next epoch not read yet"
        if batch.timestamp >= next_epoch.timestamp:
            return Verdict.DROP, None, "past the drift and should have advanced the epoch"
    for tx in batch.txs:
        if not tx:
            return Verdict.DROP, None, "empty transaction"
        if tx[0] in (0x7E, 0x03):
            return Verdict.DROP, None, f"transaction of type 0x{tx[0]:02x}"
    return Verdict.ACCEPT, origin, ""


class Deriver:
    """Derives L2 blocks onto ``node`` (whose head is the agreed safe head) from ``l1``."""

    def __init__(self, config: RollupConfig, l1: L1Reader, node: L2Node) -> None:
        self.config = config
        self.l1 = l1
        self.node = node
        origin_number, origin_hash, _ = safe_origin(config, node.head)
        self.cursor = origin_number
        self.channels: ChannelAssembler | None = None
        """The frames format's channel state across L1 blocks (None for rlp-list)."""
        if config.batch_format == "frames":
            # §4.2 "Where reading starts": a channel may have opened before the origin
            self.cursor = max(config.genesis.l1.number, origin_number - config.channel_timeout)
            self.channels = ChannelAssembler(config.channel_timeout)
        self.buffer: list[BufferedBatch] = []
        self.log = DerivationLog()
        self._deposits: dict[int, tuple[DepositTx, ...]] = {}
        self._origin_hash_check(origin_number, origin_hash)

    def _origin_hash_check(self, number: int, want: bytes) -> None:
        if self.l1.info(number).hash != want:
            raise DerivationError(
                f"the safe head's L1 origin {number} is not on this L1 chain (reorged?)"
            )

    def run(self, until: int | None = None) -> L2Block:
        """Derive until the safe head reaches ``until`` or L1 is exhausted; the safe head."""
        while until is None or self.node.head.number < until:
            if not self.step():
                break
        return self.node.head

    def step(self) -> bool:
        """One loop iteration of §5; False once L1 is exhausted."""
        safe = self.node.head
        epoch_number, epoch_hash, seq = safe_origin(self.config, safe)
        epoch = self.l1.info(epoch_number)
        if epoch.hash != epoch_hash:
            raise DerivationError(f"L1 block {epoch_number} changed under the safe head")
        next_epoch = self.l1.info(epoch_number + 1) if self.cursor > epoch_number + 1 else None
        next_timestamp = safe.timestamp + self.config.block_time
        keep: list[BufferedBatch] = []
        accepted: tuple[Batch, L1Info] | None = None
        for i, item in enumerate(self.buffer):
            verdict, origin, why = check_batch(
                self.config, item.batch, item.inclusion, safe, epoch, next_epoch
            )
            if verdict is Verdict.ACCEPT:
                assert origin is not None
                accepted = (item.batch, origin)
                keep.extend(self.buffer[i + 1 :])
                break
            if verdict is Verdict.DROP:
                self.log.dropped.append((item.batch, why))
            else:
                keep.append(item)
        self.buffer = keep
        if accepted is not None:
            batch, origin = accepted
            self._build(safe, next_timestamp, origin, seq, epoch, batch.txs)
            return True
        if self.cursor > epoch_number + self.config.seq_window_size and next_epoch is not None:
            origin = epoch if next_timestamp < next_epoch.timestamp else next_epoch
            self._build(safe, next_timestamp, origin, seq, epoch, None)
            return True
        if self.cursor > self.l1.latest_number():
            return False
        self.buffer.extend(BufferedBatch(b, self.cursor) for b in self.read_batches(self.cursor))
        self.cursor += 1
        return True

    def read_batches(self, number: int) -> list[Batch]:
        """The batches L1 block ``number`` adds to the buffer, by the config's batch format."""
        if self.channels is None:
            return self.l1.batches(number)
        return self.channels.read_block(number, self.l1.batcher_calldata(number))

    def _build(
        self,
        safe: L2Block,
        timestamp: int,
        origin: L1Info,
        safe_seq: int,
        epoch: L1Info,
        txs: tuple[bytes, ...] | None,
    ) -> None:
        changed = origin.number != epoch.number
        if changed and origin.parent_hash != epoch.hash:
            raise DerivationError(f"L1 block {origin.number} does not extend the epoch")
        deposits = self._deposits_of(origin.number) if changed else ()
        attrs = Attributes(timestamp, origin, 0 if changed else safe_seq + 1, deposits, txs or ())
        state = self.node.states[safe.hash]
        hashes = self.node.recent_hashes()
        try:
            built = build_block(self.config, safe, state, attrs, hashes)
            if txs is None:
                self.log.deposits_only.append(safe.number + 1)
            else:
                self.log.accepted.append(safe.number + 1)
        except InvalidBlock:
            if txs is None:
                raise
            built = build_block(
                self.config, safe, state,
                Attributes(timestamp, origin, attrs.seq, deposits, ()), hashes,
            )
            self.log.replaced.append(safe.number + 1)
        self.node.add_block(built.block, built.state)
        self.node.safe_number = built.block.number

    def _deposits_of(self, number: int) -> tuple[DepositTx, ...]:
        found = self._deposits.get(number)
        if found is None:
            try:
                found = tuple(self.l1.deposits(number))
            except FaultproofError as exc:
                raise DerivationError(f"L1 block {number}: {exc}") from None
            self._deposits[number] = found
        return found


def derive(config: RollupConfig, l1: L1Reader, node: L2Node, until: int | None = None) -> Deriver:
    """Derive onto ``node`` from ``l1`` (see `Deriver`); the deriver, for its log."""
    deriver = Deriver(config, l1, node)
    deriver.run(until)
    return deriver


__all__ = [
    "BufferedBatch",
    "DerivationError",
    "DerivationLog",
    "Deriver",
    "Verdict",
    "check_batch",
    "derive",
    "safe_origin",
]
