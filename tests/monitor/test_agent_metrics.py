"""The challenger's and proposer's Prometheus metrics, scraped over HTTP, from Python and from
``faultproof challenger/proposer --metrics.port``; ``faultproof monitor`` from the command line."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from monitor_scene import SETTINGS, build_scene
from prometheus_client.parser import text_string_to_metric_families

from faultproof.agents.proposer import Proposer
from faultproof.agents.service import ChallengerStore
from faultproof.chain import Chain
from faultproof.chain.anvil import free_port
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.cli import main
from faultproof.demo.dispute import build_world, start_challenger
from faultproof.monitor import metrics as metrics_module
from faultproof.monitor.metrics import ChallengerMetrics, ProposerMetrics, serve_metrics

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(url: str) -> Samples:
    with urllib.request.urlopen(url, timeout=10) as resp:
        text = resp.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def command_servers() -> Iterator[None]:
    """Stop the metrics servers the commands started (they would serve until the process ends)."""
    yield
    while metrics_module.RUNNING:
        metrics_module.RUNNING.pop().stop()


def test_challenger_and_proposer_metrics_over_http(tmp_path: Path) -> None:
    w = build_world(SETTINGS)
    pm = ProposerMetrics()
    proposer = Proposer(w.system.factory, w.proposer, w.liar, w.config.game_type, metrics=pm)
    assert proposer.poll() is not None
    assert proposer.poll() is None, "within the proposal interval"
    cm = ChallengerMetrics()
    challenger = start_challenger(w, tmp_path / "c.json", w.honest_traces)
    challenger.metrics = cm
    assert challenger.poll().moves == 1
    servers = [serve_metrics(pm.registry), serve_metrics(cm.registry)]
    try:
        p, c = (scrape(f"{s.url}/metrics") for s in servers)
    finally:
        for s in servers:
            s.stop()
    assert p[("faultproof_proposer_polls_total", ())] == 2
    assert p[("faultproof_proposer_proposals_total", ())] == 1
    assert p[("faultproof_proposer_last_proposal_l2_block", ())] == w.claimed_block
    assert p[("faultproof_proposer_skipped_total", (("reason", "interval"),))] == 1
    assert c[("faultproof_challenger_polls_total", ())] == 1
    assert c[("faultproof_challenger_actions_total", (("kind", "move"),))] == 1
    assert c[("faultproof_challenger_games", (("phase", "play"),))] == 1
    assert c[("faultproof_challenger_last_poll_errors", ())] == 0
    assert c[("faultproof_challenger_last_poll_timestamp_seconds", ())] > 1.7e9
    assert ChallengerStore.open(tmp_path / "c.json").scanned == 1


@pytest.mark.anvil
def test_metrics_flags_and_the_monitor_command(
    anvil_chain: Chain, tmp_path: Path, command_servers: None
) -> None:
    scene = build_scene(build_world(SETTINGS, chain=anvil_chain))
    w = scene.world
    url = anvil_chain.url  # type: ignore[attr-defined]
    factory = w.system.factory.address
    port = free_port()
    args = [
        "challenger", "--rpc-url", url, "--sender", w.challenger, "--factory", factory,
        "--oracle", w.oracle.address, "--game-type", str(w.config.game_type + 1),
        "--traces", "faultproof.demo.traces:demo_rollup", "--traces-arg", "blocks=4",
        "--store", str(tmp_path / "challenger.json"), "--polls", "1",
        "--metrics.port", str(port),
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    challenger_url = f"http://127.0.0.1:{port}/metrics"
    assert scrape(challenger_url)[("faultproof_challenger_polls_total", ())] == 1

    proposer_port = free_port()
    result = CliRunner().invoke(main, [
        "proposer", "--rpc-url", url, "--sender", w.proposer, "--factory", factory,
        "--game-type", str(w.config.game_type), "--outputs", "faultproof.demo.traces:demo_outputs",
        "--outputs-arg", "blocks=4", "--polls", "1", "--metrics.port", str(proposer_port),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    proposed = scrape(f"http://127.0.0.1:{proposer_port}/metrics")
    assert proposed[("faultproof_proposer_polls_total", ())] == 1

    monitor_port = free_port()
    result = CliRunner().invoke(main, [
        "monitor", "--rpc-url", url, "--factory", factory,
        "--outputs", "faultproof.demo.traces:demo_outputs", "--outputs-arg", "blocks=4",
        "--clock-threshold", "1h", "--resolve-grace", "10m", "--bond-grace", "10m",
        "--challenger-metrics", challenger_url, "--polls", "1",
        "--metrics.port", str(monitor_port),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip().splitlines()[-1])
    kinds = {(a["kind"], a["game"]) for a in line["alerts"]}
    assert ("wrong_forecast", scene.unchallenged.address) in kinds
    assert ("clock_near_expiry", scene.near_clock.address) in kinds
    assert ("unresolved_expired", scene.expired.address) in kinds
    assert ("unclaimed_bonds", scene.bonds.address) in kinds
    assert not [k for k in kinds if k[1] == scene.healthy.address]
    assert not [k for k in kinds if k[0] == "challenger_unhealthy"]
    monitored = scrape(f"http://127.0.0.1:{monitor_port}/metrics")
    assert monitored[("faultproof_monitor_alerts", (("kind", "unclaimed_bonds"),))] == 1
    with urllib.request.urlopen(f"http://127.0.0.1:{monitor_port}/", timeout=10) as resp:
        page = resp.read().decode()
    assert scene.healthy.address in page and "challenger up" in page

    result = CliRunner().invoke(main, ["monitor", "--rpc-url", url, "--factory", "0x12"])
    assert result.exit_code == 2


__all__ = ["anvil_chain", "anvil_node"]
