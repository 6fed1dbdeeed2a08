"""The monitor on a scripted dispute, on the embedded chain and on anvil: it flags exactly the
games that need a person, stays quiet on the healthy one, and its metrics say the same over
HTTP."""

from __future__ import annotations

import urllib.request

from monitor_scene import NEAR, SETTINGS, THRESHOLDS, Scene, build_scene, player
from prometheus_client.parser import text_string_to_metric_families

from faultproof.agents.service import Challenger, ChallengerStore
from faultproof.chain import Chain
from faultproof.chain.testing import anvil_chain, anvil_node, chain
from faultproof.demo.dispute import build_world
from faultproof.game.types import GameStatus
from faultproof.monitor.metrics import ChallengerMetrics, serve_metrics
from faultproof.monitor.watch import (
    CHALLENGER_UNHEALTHY,
    CLOCK_NEAR_EXPIRY,
    RESOLVED_WRONGLY,
    UNCLAIMED_BONDS,
    UNRESOLVED_EXPIRED,
    WRONG_FORECAST,
    Monitor,
)
from faultproof.monitor.web import serve_monitor


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        text = resp.read().decode()
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def kinds_by_game(monitor: Monitor) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for game in monitor.last.games:
        out[game.view.address] = {a.kind for a in game.alerts}
    return out


def test_flags_what_needs_a_person_and_nothing_else(chain: Chain, tmp_path: object) -> None:
    scene: Scene = build_scene(build_world(SETTINGS, chain=chain))
    w = scene.world
    # A challenger that watches another game type: it polls (healthy) but leaves the scene alone.
    challenger_metrics = ChallengerMetrics()
    challenger = Challenger(
        w.system.factory,
        w.oracle,
        w.challenger,
        w.honest_traces,
        ChallengerStore.open(f"{tmp_path}/challenger.json"),
        [w.config.game_type + 1],
        metrics=challenger_metrics,
    )
    challenger_http = serve_metrics(challenger_metrics.registry)
    try:
        assert challenger.poll().transactions == 0
        monitor = Monitor(
            w.system.factory,
            w.honest,
            thresholds=THRESHOLDS,
            challenger_metrics=f"{challenger_http.url}/metrics",
        )
        web = serve_monitor(monitor)
        try:
            report = monitor.poll()
            metrics = scrape(f"{web.url}/metrics")
        finally:
            web.stop()
    finally:
        challenger_http.stop()

    assert not report.errors
    kinds = kinds_by_game(monitor)
    assert kinds[scene.healthy.address] == set(), "a healthy honest game raises nothing"
    assert kinds[scene.unchallenged.address] >= {WRONG_FORECAST}
    wrong = [a for a in report.of_kind(WRONG_FORECAST) if a.game == scene.unchallenged.address]
    assert "unchallenged wrong root" in wrong[0].message
    # The liar countered the honest attack: resolved now, the wrong root would win, and the
    # honest side has half an hour left to answer.
    assert kinds[scene.near_clock.address] == {CLOCK_NEAR_EXPIRY, WRONG_FORECAST}
    wrong = [a for a in report.of_kind(WRONG_FORECAST) if a.game == scene.near_clock.address]
    assert "every counter is countered" in wrong[0].message
    near = [a for a in report.of_kind(CLOCK_NEAR_EXPIRY) if a.game == scene.near_clock.address]
    assert near[0].claim == 1, "the challenger's attack is the honest claim whose clock runs"
    assert "30m" in near[0].message or "29m" in near[0].message
    assert kinds[scene.expired.address] == {UNRESOLVED_EXPIRED}
    assert kinds[scene.bonds.address] == {UNCLAIMED_BONDS}
    assert not report.of_kind(RESOLVED_WRONGLY)
    assert not report.of_kind(CHALLENGER_UNHEALTHY), report.alerts
    agreement = {g.view.address: g.agreement for g in report.games}
    assert agreement[scene.unchallenged.address] == "disagree"
    assert agreement[scene.healthy.address] == "agree"

    def m(name: str, **labels: str) -> float:
        return metrics[(f"faultproof_monitor_{name}", tuple(sorted(labels.items())))]

    assert m("alerts", kind=WRONG_FORECAST) == 2
    assert m("alerts", kind=UNRESOLVED_EXPIRED) == 1
    assert m("alerts", kind=UNCLAIMED_BONDS) == 1
    assert m("alerts", kind=CHALLENGER_UNHEALTHY) == 0
    assert m("honest_claims_near_expiry") == 2, "the attacked game's claim and the wrong root's"
    assert 0 < m("min_honest_clock_seconds") <= NEAR
    assert m("games", status="in_progress", agreement="disagree") == 2
    assert m("games", status="in_progress", agreement="agree") == 2
    assert m("games", status="defender_wins", agreement="agree") == 1
    assert m("unclaimed_credit_wei", overdue="true") > 0
    assert m("challenger_up") == 1
    assert m("polls_total") == 1


def test_an_unreachable_or_erroring_challenger_is_unhealthy(chain: Chain) -> None:
    w = build_world(SETTINGS, chain=chain)
    metrics = ChallengerMetrics()
    http = serve_metrics(metrics.registry)
    url = f"{http.url}/metrics"
    try:
        monitor = Monitor(w.system.factory, w.honest, thresholds=THRESHOLDS, challenger_metrics=url)
        alerts = monitor.poll().of_kind(CHALLENGER_UNHEALTHY)
        assert [a.message for a in alerts] == ["the challenger has not polled yet"]
        from faultproof.agents.service import PollReport

        class _Store:
            games: dict[str, dict[str, object]] = {}

        class _Service:
            store = _Store()

        metrics.record(PollReport(errors=["0xabc: connection reset"]), _Service())  # type: ignore[arg-type]
        alerts = monitor.poll().of_kind(CHALLENGER_UNHEALTHY)
        assert [a.message for a in alerts] == ["the challenger's last poll reported 1 error(s)"]
    finally:
        http.stop()
    alerts = monitor.poll().of_kind(CHALLENGER_UNHEALTHY)
    assert len(alerts) == 1 and "unreachable" in alerts[0].message


def test_answering_the_lie_clears_the_warnings_and_a_run_out_clock_stops_warning() -> None:
    scene = build_scene()
    w = scene.world
    monitor = Monitor(w.system.factory, w.honest, thresholds=THRESHOLDS)
    snapshot = w.chain.snapshot()
    # The challenger answers the liar's counter: the near_clock game is healthy again.
    assert player(w, scene.near_clock, honest=True).act()
    report = monitor.poll()
    assert not [a for a in report.alerts if a.game == scene.near_clock.address]
    w.chain.revert(snapshot)
    # Nobody answers and the honest clock runs out: no clock left to warn about, the wrong
    # forecast stays, and once the grace has passed the game is also unresolved and expired.
    w.chain.warp(NEAR + THRESHOLDS.resolve_grace + 1)
    report = monitor.poll()
    kinds = {a.kind for a in report.alerts if a.game == scene.near_clock.address}
    assert kinds == {WRONG_FORECAST, UNRESOLVED_EXPIRED}
    view = next(g.view for g in report.games if g.view.address == scene.near_clock.address)
    assert view.forecast() == GameStatus.DEFENDER_WINS


__all__ = ["anvil_chain", "anvil_node", "chain"]
