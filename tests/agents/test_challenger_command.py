"""``faultproof proposer`` and ``faultproof challenger`` on anvil, one poll per invocation (a
restart each), with a lying player defending the proposal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof.agents.challenger import Player
from faultproof.agents.cli import CommandError, load_trace_source
from faultproof.agents.onchain import read_params
from faultproof.chain import Chain, EmbeddedChain
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.cli import main
from faultproof.contracts.dispute import artifact
from faultproof.demo.dispute import DemoSettings, build_world
from faultproof.demo.traces import RollupTraces
from faultproof.game.types import GameStatus


@pytest.mark.anvil
def test_proposer_and_challenger_commands_one_poll_per_invocation(
    anvil_chain: Chain, tmp_path: Path
) -> None:
    w = build_world(DemoSettings(isa="mips32", blocks=4, bad_block=3), chain=anvil_chain)
    url = anvil_chain.url  # type: ignore[attr-defined]
    propose = [
        "proposer", "--rpc-url", url, "--sender", w.proposer,
        "--factory", w.system.factory.address, "--game-type", str(w.config.game_type),
        "--outputs", "faultproof.demo.traces:demo_outputs",
        "--outputs-arg", "blocks=4", "--outputs-arg", "bad-block=3", "--polls", "1",
    ]  # fmt: skip
    result = CliRunner().invoke(main, propose, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    proposal = json.loads(result.stdout.strip().splitlines()[-1])
    assert proposal["l2_block_number"] == 4
    assert proposal["root_claim"] == "0x" + w.liar.output_root(4).hex()
    again = CliRunner().invoke(main, propose, catch_exceptions=False)
    assert json.loads(again.stdout.strip().splitlines()[-1])["game"] is None, "within the interval"
    game = anvil_chain.at(proposal["game"], artifact("FaultDisputeGame"))
    accessor = w.liar_traces.accessor(game, read_params(game))
    assert accessor is not None
    liar = Player("proposer", w.proposer, accessor, game, w.oracle)
    args = [
        "challenger", "--rpc-url", url,
        "--sender", w.challenger, "--factory", w.system.factory.address,
        "--oracle", w.oracle.address, "--game-type", str(w.config.game_type),
        "--traces", "faultproof.demo.traces:demo_rollup",
        "--traces-arg", "isa=mips32", "--traces-arg", "blocks=4",
        "--store", str(tmp_path / "challenger.json"), "--polls", "1", "--poll-interval", "0",
    ]  # fmt: skip

    def poll() -> dict[str, object]:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["errors"] == [], report
        return report

    before = w.chain.get_balance(w.challenger)
    first = poll()
    assert first["new_games"] == 1 and first["moves"] == 1
    while True:
        report = poll()
        acted = liar.act()
        w.chain.warp(60)
        if not acted and not report["moves"] and not report["steps"]:
            break
    cfg = w.config
    for wait in (cfg.max_clock_duration, cfg.finality_delay, cfg.withdrawal_delay):
        w.chain.warp(wait + 1)
        while True:
            report = poll()
            if not (
                report["resolved_claims"] or report["resolved_games"] or report["credit_claims"]
            ):
                break
    assert report["active_games"] == 0
    assert GameStatus(game.call("status")) == GameStatus.CHALLENGER_WINS
    assert w.chain.get_balance(w.challenger) > before


def test_a_bad_trace_source_is_one_line_and_exit_2() -> None:
    chain = EmbeddedChain()
    with pytest.raises(CommandError, match="module:callable"):
        load_trace_source("faultproof.demo.traces", chain, ())
    with pytest.raises(CommandError, match="KEY=VALUE"):
        load_trace_source("faultproof.demo.traces:demo_rollup", chain, ("blocks",))
    with pytest.raises(CommandError, match="does not take"):
        load_trace_source("faultproof.demo.traces:demo_rollup", chain, ("colour=red",))
    with pytest.raises(CommandError, match="No module"):
        load_trace_source("no.such.module:f", chain, ())
    source = load_trace_source("faultproof.demo.traces:demo_rollup", chain, ("blocks=4",))
    assert isinstance(source, RollupTraces) and source.rollup.head == 4
    result = CliRunner().invoke(
        main,
        ["challenger", "--rpc-url", "http://127.0.0.1:9", "--factory", "0x" + "00" * 20,
         "--oracle", "0x" + "00" * 20, "--game-type", "0", "--traces", "x:y",
         "--store", "s.json", "--polls", "1"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


__all__ = ["anvil_chain", "anvil_node"]
