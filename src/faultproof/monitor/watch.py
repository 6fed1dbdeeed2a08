"""The dispute monitor (op-dispute-mon): watch a factory, warn before a wrong root wins.

Each :meth:`Monitor.poll` reads every game created within the window (newest first, stopping at
the first older one: the factory lists games in creation order), judges it against our node's
outputs (and, if given, its traces), and raises an :class:`Alert` for each of:

* ``wrong_forecast``: the game would end the wrong way if resolved now. A wrong root nobody
  challenged (``unchallenged wrong root``), a wrong root whose every counter is countered, or a
  right root that is countered. A resolved game that ended the wrong way is ``resolved_wrongly``.
* ``clock_near_expiry``: an honest claim's clock runs out within the threshold: a claim we
  disagree with counters it (or is the root) and nobody answered yet, so the honest side's chess
  clock is running down.
* ``unresolved_expired``: every clock of the game ran out more than ``resolve_grace`` ago and the
  game is still in progress: nobody resolved it.
* ``unclaimed_bonds``: a resolved game still owes credit past the finality delay, DelayedWETH's
  delay and ``bond_grace``.
* ``challenger_unhealthy``: the challenger's metrics cannot be scraped, its last poll is older
  than ``challenger_stale``, or its last poll reported errors.

A healthy honest game (right root, no counters, or every lie answered) raises nothing. The same
numbers go to Prometheus (:class:`MonitorMetrics`; names in README.md).
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.parser import text_string_to_metric_families

from faultproof.agents.onchain import read_params
from faultproof.agents.proposer import OutputSource
from faultproof.agents.service import GAME_WINDOW, TraceSource
from faultproof.chain import ChainError
from faultproof.contracts import Contract
from faultproof.contracts.dispute import artifact
from faultproof.errors import FaultproofError
from faultproof.game.types import GameStatus
from faultproof.monitor.judge import Judge
from faultproof.monitor.metrics import CHALLENGER, MONITOR
from faultproof.monitor.text import duration, ether
from faultproof.monitor.view import GameView, read_game

WRONG_FORECAST = "wrong_forecast"
RESOLVED_WRONGLY = "resolved_wrongly"
CLOCK_NEAR_EXPIRY = "clock_near_expiry"
UNRESOLVED_EXPIRED = "unresolved_expired"
UNCLAIMED_BONDS = "unclaimed_bonds"
CHALLENGER_UNHEALTHY = "challenger_unhealthy"
ALERT_KINDS = (
    WRONG_FORECAST,
    RESOLVED_WRONGLY,
    CLOCK_NEAR_EXPIRY,
    UNRESOLVED_EXPIRED,
    UNCLAIMED_BONDS,
    CHALLENGER_UNHEALTHY,
)


@dataclass(frozen=True)
class Alert:
    kind: str
    game: str
    """The game's address ("" for the challenger's health)."""
    message: str
    claim: int | None = None


@dataclass
class Thresholds:
    clock_near: int = 6 * 3600
    """Warn when an honest claim's clock has less than this left (seconds)."""
    resolve_grace: int = 600
    """A game whose clocks all ran out this long ago should have been resolved."""
    bond_grace: int = 3600
    """Credit still unclaimed this long after it became withdrawable is reported."""
    challenger_stale: float = 300.0
    """The challenger's last poll should be younger than this (wall-clock seconds)."""


@dataclass
class GameReport:
    """One game as the monitor saw it on the last poll."""

    index: int
    view: GameView
    agreement: str
    """``agree``, ``disagree`` or ``unknown`` (the root vs our node's output)."""
    alerts: list[Alert] = field(default_factory=list)


@dataclass
class MonitorReport:
    games: list[GameReport] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    challenger: dict[str, float] = field(default_factory=dict)
    polled_at: float = 0.0

    def of_kind(self, kind: str) -> list[Alert]:
        return [a for a in self.alerts if a.kind == kind]


class MonitorMetrics:
    """The monitor's Prometheus metrics (one registry per monitor)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.games = Gauge(
            f"{MONITOR}_games",
            "Games in the window, by status and by agreement of the root with our node",
            ["status", "agreement"],
            registry=r,
        )
        self.alerts = Gauge(f"{MONITOR}_alerts", "Current alerts, by kind", ["kind"], registry=r)
        self.claims_near_expiry = Gauge(
            f"{MONITOR}_honest_claims_near_expiry",
            "Honest claims whose clock runs out within the threshold",
            registry=r,
        )
        self.min_honest_clock = Gauge(
            f"{MONITOR}_min_honest_clock_seconds",
            "Least time left on an honest claim's running clock (-1: none running)",
            registry=r,
        )
        self.unclaimed = Gauge(
            f"{MONITOR}_unclaimed_credit_wei",
            "Credit of resolved games not yet claimed (wei), by whether it is overdue",
            ["overdue"],
            registry=r,
        )
        self.challenger_up = Gauge(
            f"{MONITOR}_challenger_up", "1 if the challenger's metrics answered", registry=r
        )
        self.challenger_age = Gauge(
            f"{MONITOR}_challenger_last_poll_age_seconds",
            "Seconds since the challenger's last poll (-1: unknown)",
            registry=r,
        )
        self.challenger_errors = Gauge(
            f"{MONITOR}_challenger_last_poll_errors",
            "Errors the challenger's last poll reported",
            registry=r,
        )
        self.last_poll = Gauge(
            f"{MONITOR}_last_poll_timestamp_seconds", "Unix time of the last poll", registry=r
        )
        self.polls = Counter(f"{MONITOR}_polls", "Polls completed", registry=r)
        self.poll_errors = Counter(
            f"{MONITOR}_poll_errors", "Errors reading games or the factory", registry=r
        )

    def record(self, report: MonitorReport) -> None:
        self.polls.inc()
        self.last_poll.set(report.polled_at)
        self.poll_errors.inc(len(report.errors))
        self.games.clear()
        for status in GameStatus:
            for agreement in ("agree", "disagree", "unknown"):
                n = sum(
                    1 for g in report.games if g.view.status == status and g.agreement == agreement
                )
                self.games.labels(status.name.lower(), agreement).set(n)
        for kind in ALERT_KINDS:
            self.alerts.labels(kind).set(len(report.of_kind(kind)))
        self.claims_near_expiry.set(len(report.of_kind(CLOCK_NEAR_EXPIRY)))
        running = [left for g in report.games for left in _honest_clocks(g.view).values()]
        self.min_honest_clock.set(min(running) if running else -1)
        overdue = sum(
            sum(g.view.credits.values()) for g in report.games if _has(g, UNCLAIMED_BONDS)
        )
        total = sum(sum(g.view.credits.values()) for g in report.games)
        self.unclaimed.labels("true").set(overdue)
        self.unclaimed.labels("false").set(total - overdue)
        if report.challenger:
            self.challenger_up.set(report.challenger.get("up", 0))
            self.challenger_age.set(report.challenger.get("age", -1))
            self.challenger_errors.set(report.challenger.get("errors", 0))


def _has(game: GameReport, kind: str) -> bool:
    return any(a.kind == kind for a in game.alerts)


def _honest_clocks(view: GameView) -> dict[int, int]:
    """Honest claims whose clock is running: claim index -> seconds left.

    The honest side's clock runs while a claim we disagree with, countering an honest claim (or
    being the root), stands unanswered: no child of it is one we agree with and no step
    countered it. Its time left is the wrong claim's ``maxClockDuration - challenger duration``.
    The key is the honest claim (the parent), or 0 for a wrong root.
    """
    if view.status != GameStatus.IN_PROGRESS:
        return {}
    out: dict[int, int] = {}
    for claim in view.claims:
        if claim.agrees is not False or claim.resolved or claim.countered_by:
            continue
        parent = None if claim.parent is None else view.claims[claim.parent]
        if parent is not None and not (parent.honest or (parent.honest is None and parent.agrees)):
            continue  # a lie countering a lie: not the honest side's clock
        answered = any(view.claims[c].agrees is not False for c in claim.children)
        if answered:
            continue
        key = 0 if parent is None else parent.index
        left = claim.clock_left
        out[key] = min(out.get(key, left), left)
    return out


class Monitor:
    """Watches ``factory`` for games of ``game_types`` (all types if empty)."""

    def __init__(
        self,
        factory: Contract,
        outputs: OutputSource | None = None,
        traces: TraceSource | None = None,
        *,
        game_types: tuple[int, ...] = (),
        window: int = GAME_WINDOW,
        thresholds: Thresholds | None = None,
        challenger_metrics: str | None = None,
        metrics: MonitorMetrics | None = None,
    ) -> None:
        self.factory = factory
        self.chain = factory.chain
        self.outputs = outputs
        self.traces = traces
        self.game_types = frozenset(game_types)
        self.window = window
        self.thresholds = thresholds or Thresholds()
        self.challenger_metrics = challenger_metrics
        self.metrics = metrics or MonitorMetrics()
        self.last: MonitorReport = MonitorReport()
        self._delays: dict[str, int] = {}

    # -- the loop -----------------------------------------------------------------------------------

    def poll(self) -> MonitorReport:
        report = MonitorReport(polled_at=time.time())
        try:
            self._games(report)
        except ChainError as exc:
            report.errors.append(f"factory {self.factory.address}: {exc}")
        if self.challenger_metrics:
            self._challenger(report)
        for game in report.games:
            report.alerts.extend(game.alerts)
        self.metrics.record(report)
        self.last = report
        return report

    def _games(self, report: MonitorReport) -> None:
        count = self.factory.call("gameCount")
        now = self.chain.timestamp
        for index in reversed(range(count)):
            game_type, created_at, address = self.factory.call("gameAtIndex", index)
            if created_at + self.window < now:
                break  # older games are older still
            if self.game_types and game_type not in self.game_types:
                continue
            try:
                report.games.append(self.judge_game(index, str(address), now))
            except FaultproofError as exc:  # the chain, or our output source (a rollup node)
                report.errors.append(f"{address}: {exc}")
        report.games.reverse()

    def judge_game(self, index: int, address: str, now: int) -> GameReport:
        game = self.chain.at(address, artifact("FaultDisputeGame"))
        params = read_params(game)
        judge = Judge.for_game(game, params, self.outputs, self.traces)
        view = read_game(game, judge, now=now, params=params)
        agree = view.root_agrees
        agreement = "unknown" if agree is None else ("agree" if agree else "disagree")
        report = GameReport(index, view, agreement)
        report.alerts.extend(self._alerts(game, view))
        return report

    # -- the checks ---------------------------------------------------------------------------------

    def _alerts(self, game: Contract, view: GameView) -> list[Alert]:
        out: list[Alert] = []
        a = view.address
        correct = view.correct_status()
        if view.status == GameStatus.IN_PROGRESS:
            forecast = view.forecast()
            if correct is not None and forecast != correct:
                root = view.root
                if not view.root_agrees and not root.children:
                    why = "unchallenged wrong root"
                elif not view.root_agrees:
                    why = "wrong root whose every counter is countered"
                else:
                    why = "right root that is countered"
                out.append(
                    Alert(
                        WRONG_FORECAST,
                        a,
                        f"expected to resolve {forecast.name} (should be {correct.name}): {why};"
                        f" root clock left {duration(root.clock_left)}",
                        0,
                    )
                )
            for claim, left in _honest_clocks(view).items():
                if 0 < left <= self.thresholds.clock_near:
                    what = (
                        "the root is wrong and"
                        if claim == 0 and not view.root_agrees
                        else (f"honest claim #{claim} is countered and")
                    )
                    out.append(
                        Alert(
                            CLOCK_NEAR_EXPIRY,
                            a,
                            f"{what} unanswered: its clock runs out in {duration(left)}",
                            claim,
                        )
                    )
            resolvable = view.resolvable_at()
            if view.now - resolvable > self.thresholds.resolve_grace:
                out.append(
                    Alert(
                        UNRESOLVED_EXPIRED,
                        a,
                        f"every clock ran out {duration(view.now - resolvable)} ago and nobody "
                        "resolved the game",
                    )
                )
        else:
            if correct is not None and view.status != correct:
                out.append(
                    Alert(
                        RESOLVED_WRONGLY,
                        a,
                        f"resolved {view.status.name}, should be {correct.name}",
                    )
                )
            owed = sum(view.credits.values())
            if owed and view.resolved_at:
                claimable = view.resolved_at + self._claim_delay(game)
                late = view.now - claimable
                if late > self.thresholds.bond_grace:
                    out.append(
                        Alert(
                            UNCLAIMED_BONDS,
                            a,
                            f"{ether(owed)} of credit for {len(view.credits)} recipient(s) "
                            f"unclaimed {duration(late)} after it became withdrawable",
                        )
                    )
        return out

    def _claim_delay(self, game: Contract) -> int:
        """Finality delay of the anchor registry plus DelayedWETH's delay: until then credit
        cannot be withdrawn, so it is not yet "left unclaimed"."""
        key = game.address
        if key not in self._delays:
            registry = self.chain.at(
                game.call("anchorStateRegistry"), artifact("AnchorStateRegistry")
            )
            weth = self.chain.at(game.call("weth"), artifact("DelayedWETH"))
            self._delays[key] = int(registry.call("disputeGameFinalityDelaySeconds")) + int(
                weth.call("delay")
            )
        return self._delays[key]

    def _challenger(self, report: MonitorReport) -> None:
        url = str(self.challenger_metrics)
        health = report.challenger
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                text = resp.read().decode()
        except (OSError, ValueError) as exc:
            health.update(up=0, age=-1, errors=0)
            report.alerts.append(
                Alert(CHALLENGER_UNHEALTHY, "", f"challenger metrics at {url} unreachable: {exc}")
            )
            return
        values: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                values.setdefault(sample.name, sample.value)
        last = values.get(f"{CHALLENGER}_last_poll_timestamp_seconds")
        errors = values.get(f"{CHALLENGER}_last_poll_errors", 0.0)
        age = -1.0 if not last else report.polled_at - last
        health.update(up=1, age=age, errors=errors)
        if last is None or last == 0:
            report.alerts.append(
                Alert(CHALLENGER_UNHEALTHY, "", "the challenger has not polled yet")
            )
        elif age > self.thresholds.challenger_stale:
            report.alerts.append(
                Alert(CHALLENGER_UNHEALTHY, "", f"the challenger's last poll was {age:.0f}s ago")
            )
        if errors:
            report.alerts.append(
                Alert(
                    CHALLENGER_UNHEALTHY,
                    "",
                    f"the challenger's last poll reported {errors:.0f} error(s)",
                )
            )
