"""The proposer: post the rollup's output root to the factory at a steady pace.

op-proposer's loop (dispute-game-and-oracle.md §6.4): every poll, look up this proposer's latest
game of its type (``findLatestGames``, newest first); if it is younger than the proposal interval,
or the rollup's safe head has not moved past the block it covered, do nothing. Otherwise create a
game for the safe head's output root, paying the factory's init bond.

Everything it needs to decide is on chain, so it keeps no store: a restarted proposer asks the
factory again. A proposal that is already there (same type, root and block) is found by a dry
run of ``create`` and not sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from faultproof.chain import ContractReverted
from faultproof.contracts import Contract
from faultproof.contracts.dispute import artifact

if TYPE_CHECKING:
    from faultproof.monitor.metrics import ProposerMetrics

PROPOSAL_INTERVAL = 3600
"""Seconds between proposals (op-proposer's ``--proposal-interval``; deployments choose)."""
SEARCH_DEPTH = 256
"""How many of the newest games of the type are searched for this proposer's last one."""


class OutputSource(Protocol):
    """The rollup as its node reports it."""

    def safe_head(self) -> int:
        """The newest L2 block derived from data the L1 will not reorg away."""
        ...

    def output_root(self, block: int) -> bytes: ...


@dataclass(frozen=True)
class Proposal:
    """One of this proposer's games, as the factory lists it."""

    address: str
    created_at: int
    l2_block_number: int
    root_claim: bytes


class Proposer:
    """Proposes ``outputs``' safe head to ``factory`` for ``game_type``, as ``sender``."""

    def __init__(
        self,
        factory: Contract,
        sender: str,
        outputs: OutputSource,
        game_type: int,
        *,
        proposal_interval: int = PROPOSAL_INTERVAL,
        metrics: ProposerMetrics | None = None,
    ) -> None:
        self.factory = factory
        self.chain = factory.chain
        self.sender = sender
        self.outputs = outputs
        self.game_type = game_type
        self.proposal_interval = proposal_interval
        self.skipped = ""
        """Why the last :meth:`poll` proposed nothing ("" when it proposed)."""
        self.metrics = metrics
        """Prometheus metrics updated after every poll (``faultproof.monitor.metrics``)."""

    def last_proposal(self) -> Proposal | None:
        """This proposer's newest game of its type among the newest ``SEARCH_DEPTH`` of it."""
        count = self.factory.call("gameCount")
        if count == 0:
            return None
        found = self.factory.call("findLatestGames", self.game_type, count - 1, SEARCH_DEPTH)
        for _index, metadata, timestamp, root, extra in found:
            address = "0x" + bytes(metadata)[-20:].hex()  # type(4) | timestamp(8) | proxy(20)
            game = self.chain.at(address, artifact("FaultDisputeGame"))
            if game.call("gameCreator").lower() == self.sender.lower():
                return Proposal(address, timestamp, int.from_bytes(extra[:32], "big"), root)
        return None

    def poll(self) -> Contract | None:
        """Propose if it is time (see :meth:`_poll`), and count what happened in the metrics."""
        game = self._poll()
        if self.metrics is not None:
            block = None if game is None else int(game.call("l2BlockNumber"))
            self.metrics.record(block, self.skipped)
        return game

    def _poll(self) -> Contract | None:
        """Propose if it is time; return the new game, or None when nothing was due.

        ``skipped`` then says why (for the log): too soon, no new block, already proposed, or the
        revert a dry run of ``create`` met (e.g. a safe head not past the anchor block yet). A
        proposer is a long-running loop: a proposal the chain would refuse is skipped, not fatal.
        """
        self.skipped = ""
        head = self.outputs.safe_head()
        last = self.last_proposal()
        if last is not None:
            if self.chain.timestamp - last.created_at < self.proposal_interval:
                self.skipped = "within the proposal interval"
                return None
            if head <= last.l2_block_number:
                self.skipped = f"safe head {head} not past the last proposal"
                return None
        root = self.outputs.output_root(head)
        extra = head.to_bytes(32, "big")
        bond = self.factory.call("initBonds", self.game_type)
        try:
            self.factory.call("create", self.game_type, root, extra, value=bond, sender=self.sender)
        except ContractReverted as exc:
            self.skipped = f"create for block {head} would revert: {exc.error_name}"
            return None
        receipt = self.factory.transact(
            "create", self.game_type, root, extra, value=bond, sender=self.sender
        )
        created = self.factory.events(receipt, "DisputeGameCreated")
        return self.chain.at(str(created[0].args["disputeProxy"]), artifact("FaultDisputeGame"))
