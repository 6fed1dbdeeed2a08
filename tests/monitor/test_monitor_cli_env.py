"""Issue 13: ``faultproof monitor`` and ``faultproof game show`` take the agents' service
conventions: ``--l1-eth-rpc`` / ``--game-factory-address`` aliases, durations such as 1m or 672h,
``FAULTPROOF_*`` environment variables and the op-stack names (op-dispute-mon's
``OP_DISPUTE_MON_*`` for the monitor, op-challenger's ``OP_CHALLENGER_*`` for ``game show``)."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
from click.testing import CliRunner
from monitor_scene import SETTINGS, player

from faultproof.chain import Chain
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.cli import main
from faultproof.demo.dispute import build_world
from faultproof.monitor.cli import monitor_command, show_command

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: a check that needs the node would say so
FACTORY = "0x" + "ab" * 20


def parsed(
    command: click.Command, args: list[str], env: dict[str, str], mp: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The parameters click hands the command, from these arguments and this environment."""
    for name, value in env.items():
        mp.setenv(name, value)
    with command.make_context(command.name or "", args) as ctx:
        return dict(ctx.params)


def test_monitor_reads_op_dispute_mon_names_and_durations(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "OP_DISPUTE_MON_L1_ETH_RPC": UNREACHABLE,
        "OP_DISPUTE_MON_GAME_FACTORY_ADDRESS": FACTORY,
        "OP_DISPUTE_MON_ROLLUP_RPC": "http://rollup:9545",
        "OP_DISPUTE_MON_MONITOR_INTERVAL": "1m",
        "OP_DISPUTE_MON_GAME_WINDOW": "672h",
        "FAULTPROOF_GAME_TYPE": "0 1",
        "FAULTPROOF_CLOCK_THRESHOLD": "3h",
        "FAULTPROOF_CHALLENGER_STALE": "2m",
    }
    params = parsed(monitor_command, [], env, monkeypatch)
    assert params["rpc_url"] == UNREACHABLE and params["factory"] == FACTORY
    assert params["rollup_rpc"] == "http://rollup:9545"
    assert params["poll_interval"] == 60.0 and params["window"] == 672 * 3600
    assert params["game_types"] == (0, 1)
    assert params["clock_threshold"] == 3 * 3600 and params["challenger_stale"] == 120.0


def test_monitor_faultproof_names_lose_to_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "FAULTPROOF_RPC_URL": UNREACHABLE,
        "FAULTPROOF_FACTORY": FACTORY,
        "FAULTPROOF_POLL_INTERVAL": "2h",
        "FAULTPROOF_GAME_WINDOW": "1h",
    }
    params = parsed(monitor_command, ["--monitor-interval", "12s"], env, monkeypatch)
    assert params["rpc_url"] == UNREACHABLE and params["factory"] == FACTORY
    assert params["poll_interval"] == 12.0 and params["window"] == 3600
    params = parsed(
        monitor_command,
        ["--l1-eth-rpc", "http://l1:8545", "--game-factory-address", "0x" + "cd" * 20],
        {},
        monkeypatch,
    )
    assert params["rpc_url"] == "http://l1:8545" and params["factory"] == "0x" + "cd" * 20


def test_game_show_reads_op_challenger_names(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"OP_CHALLENGER_L1_ETH_RPC": UNREACHABLE, "OP_CHALLENGER_ROLLUP_RPC": "http://r:1"}
    params = parsed(show_command, [FACTORY], env, monkeypatch)
    assert params["rpc_url"] == UNREACHABLE and params["rollup_rpc"] == "http://r:1"


def test_monitor_from_the_environment_checks_its_factory_first() -> None:
    env = {"OP_DISPUTE_MON_L1_ETH_RPC": UNREACHABLE, "OP_DISPUTE_MON_GAME_FACTORY_ADDRESS": "0x12"}
    result = CliRunner(env=env).invoke(main, ["monitor"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --factory '0x12' is not an address (0x and 40 hex digits)"
    )
    env = {"FAULTPROOF_RPC_URL": UNREACHABLE, "FAULTPROOF_FACTORY": FACTORY,
           "FAULTPROOF_POLL_INTERVAL": "soon"}  # fmt: skip
    result = CliRunner(env=env).invoke(main, ["monitor"])
    assert result.exit_code == 2 and "soon" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.anvil
def test_monitor_and_game_show_configured_by_the_environment(anvil_chain: Chain) -> None:
    w = build_world(SETTINGS, chain=anvil_chain)
    game = w.system.create_game(
        w.liar.output_root(w.claimed_block), w.claimed_block, sender=w.proposer
    )
    assert player(w, game, honest=True).act()
    url = anvil_chain.url  # type: ignore[attr-defined]
    env = {
        "OP_DISPUTE_MON_L1_ETH_RPC": url,
        "OP_DISPUTE_MON_GAME_FACTORY_ADDRESS": w.system.factory.address,
        "OP_DISPUTE_MON_MONITOR_INTERVAL": "1s",
        "OP_DISPUTE_MON_GAME_WINDOW": "672h",
        "FAULTPROOF_OUTPUTS": "faultproof.demo.traces:demo_outputs",
        "FAULTPROOF_GAME_TYPE": str(w.config.game_type),
    }
    result = CliRunner(env=env).invoke(
        main, ["monitor", "--outputs-arg", "blocks=4", "--polls", "2"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [line["poll"] for line in lines] == [1, 2]
    assert lines[-1]["games"] == 1 and lines[-1]["agreement"]["disagree"] == 1

    env = {"OP_CHALLENGER_L1_ETH_RPC": url}
    result = CliRunner(env=env).invoke(main, ["game", "show", game.address, "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["claims"]) == 2


__all__ = ["anvil_chain", "anvil_node"]
