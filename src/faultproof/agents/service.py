"""The challenger as a service: watch a factory, play every game, resolve it, collect the bonds.

This is op-challenger's loop (dispute-game-and-oracle.md §6.1) in three parts, run by
:meth:`Challenger.poll` once per new L1 block (or on a timer):

1. **Monitor.** New games are read from the factory (``gameCount``/``gameAtIndex``) from where the
   last poll stopped. Games of other types, games older than the game window and games the trace
   source cannot judge (another prestate or anchor) are recorded as ignored and never read again.
2. **Agent**, per game in progress: first resolve what can be resolved (every subgame whose clocks
   ran out, children before parents, then the game), then let a :class:`Player` make the honest
   moves and steps. Every move is re-derived from the chain, so nothing about the game itself
   needs to survive a crash.
3. **Claimer**, per finished game: ``claimCredit`` for each claimant with credit. How often
   depends on the game's generation (dispute-game-and-oracle.md §2.11), probed once per game and
   kept in the store:

   - *bond modes* (FDG 2.x, ours): twice, because the first call closes the game and only starts
     DelayedWETH's withdrawal delay; the second, once the delay is over, pays out;
   - *credit at resolve* (Optimism's FDG 1.3.x of October 2024): ``resolveClaim`` already
     credited and unlocked each bond, so one call pays out once DelayedWETH's delay since that
     unlock is over. These games have no ``bondDistributionMode``/``closeGame``; until the delay
     is over the simulated call reverts and the claim simply waits (no error).

What does survive a crash is the store (:class:`ChallengerStore`, a JSON file written atomically
after every change): how far the factory was scanned and which games are finished or ignored, so
a restarted service neither re-reads old games nor forgets a payout it still has to collect. A
service killed at any point and started again from the same store ends the same way (the tests
kill it after every transaction).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import GameParams, read_params
from faultproof.chain import ContractReverted
from faultproof.contracts import Contract
from faultproof.contracts.dispute import artifact
from faultproof.errors import FaultproofError
from faultproof.game.solver import StepAction
from faultproof.game.types import GameStatus
from faultproof.trace.split import TraceAccessor

if TYPE_CHECKING:
    from faultproof.monitor.metrics import ChallengerMetrics

GAME_WINDOW = 28 * 24 * 3600
"""op-challenger's default ``--game-window``: games created longer ago are not played."""


class StoreError(FaultproofError):
    """The challenger's store file cannot be read or written."""


class TraceSource(Protocol):
    """What the challenger believes is true, per game."""

    def accessor(self, game: Contract, params: GameParams) -> TraceAccessor | None:
        """The trace to play ``game`` with, or None when this challenger cannot judge it: another
        absolute prestate, an anchor it does not know, a chain it does not follow."""
        ...


# Phases of a game in the store. A game moves forward only: play -> collect -> done.
PLAY = "play"
COLLECT = "collect"  # resolved; bonds to claim (first call: unlock; second: withdraw)
DONE = "done"
IGNORED = "ignored"

# Bond-payout generations of FaultDisputeGame (stored per game as ``generation``).
BOND_MODES = "bond-modes"
"""FDG 2.x (and ours): closeGame picks NORMAL or REFUND; claimCredit unlocks, then withdraws."""
CREDIT_AT_RESOLVE = "credit-at-resolve"
"""FDG 1.3.x (October 2024): resolveClaim credits and unlocks; one claimCredit withdraws."""


@dataclass
class ChallengerStore:
    """The service's memory across restarts, kept in one JSON file."""

    path: Path
    scanned: int = 0
    """Factory indices below this have been looked at."""
    games: dict[str, dict[str, object]] = field(default_factory=dict)
    """Per game address: ``phase``, ``index``, and per claimant whether its credit is unlocked."""

    @classmethod
    def open(cls, path: Path | str) -> ChallengerStore:
        path = Path(path)
        if not path.exists():
            return cls(path)
        try:
            doc = json.loads(path.read_text())
            return cls(path, int(doc["scanned"]), dict(doc["games"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"challenger store {path} is unreadable: {exc}") from None

    def save(self) -> None:
        """Write the file atomically: a crash mid-write leaves the previous version intact."""
        doc = json.dumps({"scanned": self.scanned, "games": self.games}, indent=1, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(doc)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StoreError(f"cannot write challenger store {self.path}: {exc}") from None

    def phase(self, address: str) -> str | None:
        entry = self.games.get(address)
        return None if entry is None else str(entry["phase"])

    def set_phase(self, address: str, phase: str, index: int | None = None) -> None:
        entry = self.games.setdefault(address, {})
        entry["phase"] = phase
        if index is not None:
            entry["index"] = index
        self.save()

    def unlocked(self, address: str) -> list[str]:
        value = self.games[address].get("unlocked", [])
        return [str(v) for v in value] if isinstance(value, list) else []

    def mark_unlocked(self, address: str, claimant: str) -> None:
        self.games[address]["unlocked"] = [*self.unlocked(address), claimant]
        self.save()

    def generation(self, address: str) -> str | None:
        value = self.games[address].get("generation")
        return None if value is None else str(value)

    def set_generation(self, address: str, generation: str) -> None:
        self.games[address]["generation"] = generation
        self.save()


@dataclass
class PollReport:
    """What one poll did (for logs and tests)."""

    new_games: int = 0
    ignored: int = 0
    moves: int = 0
    steps: int = 0
    resolved_claims: int = 0
    resolved_games: list[str] = field(default_factory=list)
    credit_claims: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def transactions(self) -> int:
        return (
            self.moves
            + self.steps
            + self.resolved_claims
            + len(self.resolved_games)
            + self.credit_claims
        )


class Challenger:
    """An honest challenger for every game of ``game_types`` created by ``factory``."""

    def __init__(
        self,
        factory: Contract,
        oracle: Contract,
        sender: str,
        traces: TraceSource,
        store: ChallengerStore,
        game_types: Iterable[int],
        *,
        game_window: int = GAME_WINDOW,
        claimants: Iterable[str] = (),
        metrics: ChallengerMetrics | None = None,
    ) -> None:
        self.factory = factory
        self.chain = factory.chain
        self.oracle = oracle
        self.sender = sender
        self.traces = traces
        self.store = store
        self.game_types = frozenset(game_types)
        self.game_window = game_window
        self.claimants = list(dict.fromkeys([sender, *claimants]))
        self._players: dict[str, Player] = {}
        self.metrics = metrics
        """Prometheus metrics updated after every poll (``faultproof.monitor.metrics``)."""

    # -- the loop -----------------------------------------------------------------------------------

    def poll(self, max_transactions: int | None = None) -> PollReport:
        """One pass over every game: monitor, then agent and claimer per game.

        ``max_transactions`` stops the pass early (the crash tests use 1). Errors of one game
        (chain or trace source) are reported and retried on the next poll; they do not stop the
        others, and nothing is posted for that game meanwhile.
        """
        report = PollReport()
        try:
            self._discover(report)
        except FaultproofError as exc:  # the games already known are still played below
            report.errors.append(f"factory {self.factory.address}: {exc}")
        for address, entry in list(self.store.games.items()):
            if max_transactions is not None and report.transactions >= max_transactions:
                break
            budget = None if max_transactions is None else max_transactions - report.transactions
            try:
                if entry["phase"] == PLAY:
                    self._play(address, report, budget)
                elif entry["phase"] == COLLECT:
                    self._collect(address, report, budget)
            except FaultproofError as exc:
                # RPC trouble, an unexpected revert, or a trace the source cannot produce (its
                # node down, or lying and refused by the preimage store): nothing is posted for
                # this game, the others are played, and the next poll tries again.
                report.errors.append(f"{address}: {exc}")
        if self.metrics is not None:
            self.metrics.record(report, self)
        return report

    def active_games(self) -> list[str]:
        return [a for a, e in self.store.games.items() if e["phase"] in (PLAY, COLLECT)]

    # -- monitor ------------------------------------------------------------------------------------

    def _discover(self, report: PollReport) -> None:
        count = self.factory.call("gameCount")
        now = self.chain.timestamp
        for index in range(self.store.scanned, count):
            game_type, created_at, address = self.factory.call("gameAtIndex", index)
            address = str(address)
            if address in self.store.games:
                continue
            phase = IGNORED
            if game_type in self.game_types and created_at + self.game_window >= now:
                game = self.chain.at(address, artifact("FaultDisputeGame"))
                if self.traces.accessor(game, read_params(game)) is not None:
                    phase = PLAY
            if phase == PLAY:
                report.new_games += 1
            else:
                report.ignored += 1
            self.store.games[address] = {"phase": phase, "index": index}
            self.store.scanned = index + 1
            self.store.save()
        if self.store.scanned < count:  # the last ones were already known (a store from a crash)
            self.store.scanned = count
            self.store.save()

    # -- agent --------------------------------------------------------------------------------------

    def _player(self, address: str) -> Player | None:
        player = self._players.get(address)
        if player is None:
            game = self.chain.at(address, artifact("FaultDisputeGame"))
            accessor = self.traces.accessor(game, read_params(game))
            if accessor is None:
                return None
            player = Player("challenger", self.sender, accessor, game, self.oracle)
            self._players[address] = player
        return player

    def _play(self, address: str, report: PollReport, budget: int | None) -> None:
        player = self._player(address)
        if player is None:
            self.store.set_phase(address, IGNORED)
            return
        game = player.game
        params = player.params
        # No chess clock can exceed the game's age, so a younger game has nothing to resolve:
        # skip the per-claim eth_calls until then.
        old_enough = self.chain.timestamp - params.created_at >= params.max_clock_duration
        if old_enough and GameStatus(game.call("status")) == GameStatus.IN_PROGRESS:
            budget = self._resolve(game, report, budget)
        if GameStatus(game.call("status")) != GameStatus.IN_PROGRESS:
            self._players.pop(address, None)
            self.store.set_phase(address, COLLECT)
            return
        if budget is not None and budget <= 0:
            return
        for action in player.act(limit=budget):
            if isinstance(action, StepAction):
                report.steps += 1
            else:
                report.moves += 1

    def _resolve(self, game: Contract, report: PollReport, budget: int | None) -> int | None:
        """Resolve every subgame whose clocks ran out, bottom-up, then the game if it can be.

        Whether a call would succeed is asked with ``eth_call`` first, as op-challenger does, so
        an early poll costs no gas. Claims are visited from the last to the first: a child always
        has a higher index than its parent, so one pass settles a whole branch.
        """
        for index in reversed(range(game.call("claimDataLen"))):
            if budget is not None and budget <= 0:
                return budget
            if game.call("resolvedSubgames", index):
                continue
            try:
                game.call("resolveClaim", index, 0, sender=self.sender)
            except ContractReverted:
                continue  # clock still running, or a child not yet resolved
            game.transact("resolveClaim", index, 0, sender=self.sender)
            report.resolved_claims += 1
            budget = None if budget is None else budget - 1
        if budget is not None and budget <= 0:
            return budget
        try:
            game.call("resolve", sender=self.sender)
        except ContractReverted:
            return budget
        game.transact("resolve", sender=self.sender)
        report.resolved_games.append(game.address)
        return None if budget is None else budget - 1

    # -- claimer ------------------------------------------------------------------------------------

    def _collect(self, address: str, report: PollReport, budget: int | None) -> None:
        """claimCredit for each claimant, as the game's generation wants it (module docstring)."""
        game = self.chain.at(address, artifact("FaultDisputeGame"))
        generation = self.store.generation(address)
        if generation is None:
            generation = game_generation(game)
            self.store.set_generation(address, generation)
        two_calls = generation == BOND_MODES
        pending = False
        for claimant in self.claimants:
            if budget is not None and budget <= 0:
                return
            if _owed(game, claimant, generation) == 0:
                continue  # nothing owed, or already paid out
            unlocked = not two_calls or claimant in self.store.unlocked(address)
            try:  # not yet final, or DelayedWETH's delay still running
                game.call("claimCredit", claimant, sender=self.sender)
            except ContractReverted:
                pending = True
                continue
            game.transact("claimCredit", claimant, sender=self.sender)
            report.credit_claims += 1
            budget = None if budget is None else budget - 1
            if not unlocked:
                self.store.mark_unlocked(address, claimant)
                pending = True  # the withdrawal is still to come
        if not pending:
            self.store.set_phase(address, DONE)


MODE_UNDECIDED = 0


def game_generation(game: Contract) -> str:
    """Which bond-payout design ``game`` follows: :data:`BOND_MODES` or :data:`CREDIT_AT_RESOLVE`.

    Probed rather than read from ``version()``: every 2.x game has the ``bondDistributionMode``
    getter and no 1.x game does (Solidity answers an unknown selector with an empty revert), and
    a probe also covers forks with their own version strings. An RPC failure is not taken for an
    answer: it propagates, and the next poll asks again.
    """
    try:
        game.call("bondDistributionMode")
    except ContractReverted:
        return CREDIT_AT_RESOLVE
    return BOND_MODES


def _owed(game: Contract, claimant: str, generation: str = BOND_MODES) -> int:
    """What ``claimCredit`` would pay ``claimant``. Until the first claim closes a 2.x game it is
    not known whether bonds are paid normally or refunded (a game the anchor registry does not
    consider proper), so either ledger counts. A 1.x game has only ``credit``."""
    if generation == BOND_MODES and game.call("bondDistributionMode") == MODE_UNDECIDED:
        return max(game.call("normalModeCredit", claimant), game.call("refundModeCredit", claimant))
    return int(game.call("credit", claimant))
