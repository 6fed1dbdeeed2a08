"""The sequencer: builds an L2 block every ``block_time`` from L1 deposits and the pool.

It picks each block's L1 origin as op-node's sequencer does: keep the current origin until the
next L1 block's timestamp is at or before the new L2 timestamp, then advance by one; past
``max_sequencer_drift`` the block must advance if it can and carries no pool transactions
(derivation would drop a batch with transactions there). Invalid pool transactions are left
out (and reported), so every block it builds is one derivation accepts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from faultproof.rollup.config import RollupConfig
from faultproof.rollup.derivation import safe_origin
from faultproof.rollup.execution import Attributes, L1Info, L2Block, build_block
from faultproof.rollup.l1 import L1Error, L1Reader
from faultproof.rollup.node import L2Node


@dataclass
class SequencerLog:
    built: list[int] = field(default_factory=list)
    dropped: list[tuple[bytes, str]] = field(default_factory=list)


class Sequencer:
    """Builds blocks onto ``node`` following L1 through ``l1`` (a live `L1Reader`)."""

    def __init__(self, config: RollupConfig, node: L2Node, l1: L1Reader) -> None:
        self.config = config
        self.node = node
        self.l1 = l1
        self.log = SequencerLog()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def next_origin(self, timestamp: int) -> L1Info | None:
        """The L1 origin for an L2 block at ``timestamp`` (None: L1 is not far enough yet)."""
        number, origin_hash, _ = safe_origin(self.config, self.node.head)
        current = self.l1.info(number)
        if current.hash != origin_hash:
            raise L1Error(f"L1 block {number} (the head's origin) was reorged")
        try:
            following = self.l1.info(number + 1)
        except L1Error:
            following = None
        if following is not None and following.timestamp <= timestamp:
            return following
        if timestamp > current.timestamp + self.config.max_sequencer_drift:
            return None  # must advance, and cannot yet
        return current

    def build_next(self) -> L2Block | None:
        """Build the block after the head (None when the L1 origin is not available yet)."""
        with self.node.lock:
            head = self.node.head
            timestamp = head.timestamp + self.config.block_time
            origin = self.next_origin(timestamp)
            if origin is None:
                return None
            _, _, seq = safe_origin(self.config, head)
            changed = origin.number != head.l1_origin.number
            deposits = tuple(self.l1.deposits(origin.number)) if changed else ()
            past_drift = timestamp > origin.timestamp + self.config.max_sequencer_drift
            txs = () if past_drift else tuple(self.node.take_pool())
            attrs = Attributes(timestamp, origin, 0 if changed else seq + 1, deposits, txs)
            built = build_block(
                self.config, head, self.node.states[head.hash], attrs,
                self.node.recent_hashes(), skip_invalid=True,
            )
            self.node.add_block(built.block, built.state)
            self.log.built.append(built.block.number)
            self.log.dropped.extend(built.dropped)
            return built.block

    def catch_up(self, now: int) -> list[L2Block]:
        """Build every block whose timestamp is at or before ``now``."""
        out = []
        while self.node.head.timestamp + self.config.block_time <= now:
            block = self.build_next()
            if block is None:
                break
            out.append(block)
        return out

    def start(self, clock: Callable[[], float] = time.time) -> None:
        """Build blocks in a background thread as ``clock`` passes their timestamps."""

        def loop() -> None:
            while not self._stop.is_set():
                self.catch_up(int(clock()))
                self._stop.wait(min(1.0, self.config.block_time / 2))

        self._thread = threading.Thread(target=loop, name="l2-sequencer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


__all__ = ["Sequencer", "SequencerLog"]
