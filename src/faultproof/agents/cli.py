"""``faultproof challenger`` and ``faultproof proposer``: the agents as long-running commands
(op-challenger, op-proposer).

What they know of the rollup comes from plugins named on the command line as ``module:callable``,
called as ``callable(chain, **args)``: the challenger's ``--traces`` returns a
:class:`~faultproof.agents.service.TraceSource`, the proposer's ``--outputs`` an
:class:`~faultproof.agents.proposer.OutputSource`. The bundled ones are the demo rollup's
(``faultproof.demo.traces:demo_rollup`` and ``:demo_outputs``); a deployment names its own.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from faultproof.agents.proposer import PROPOSAL_INTERVAL, OutputSource, Proposer
from faultproof.agents.service import GAME_WINDOW, Challenger, ChallengerStore, TraceSource
from faultproof.chain import Chain
from faultproof.cli_errors import user_errors
from faultproof.errors import FaultproofError


class CommandError(FaultproofError):
    """A flag of ``faultproof challenger`` cannot be used."""


def load_plugin(flag: str, spec: str, chain: Chain, args: tuple[str, ...]) -> Any:
    """Import ``module:callable`` (given as ``--flag``) and call it as ``callable(chain, **args)``
    with the ``--flag-arg KEY=VALUE`` pairs."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise CommandError(f"--{flag} {spec!r}: use module:callable")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise CommandError(f"--{flag} {spec!r}: {exc}") from None
    kwargs: dict[str, str] = {}
    for item in args:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(f"--{flag}-arg {item!r}: use KEY=VALUE")
        kwargs[key.replace("-", "_")] = value
    try:
        return factory(chain, **kwargs)
    except TypeError as exc:
        raise CommandError(f"--{flag} {spec!r} does not take these arguments: {exc}") from None


def load_trace_source(spec: str, chain: Chain, args: tuple[str, ...]) -> TraceSource:
    """The challenger's ``--traces`` plugin."""
    source: TraceSource = load_plugin("traces", spec, chain, args)
    return source


def _connect(rpc_url: str, private_key: str | None, sender: str | None) -> tuple[Chain, str]:
    """The chain and the agent's address: the key's account, or ``sender`` (default: the node's
    first unlocked account)."""
    if private_key:
        from faultproof.contracts.deploy import keyed_rpc_chain

        chain = keyed_rpc_chain(rpc_url, private_key)
        return chain, chain.accounts[0]
    from faultproof.chain.rpc import RpcChain

    chain = RpcChain(rpc_url, freeze_time=False)  # a node that is not ours: leave its clock alone
    return chain, sender or chain.accounts[0]


def _loop(poll: Callable[[], dict[str, Any]], sender: str, polls: int, interval: float) -> None:
    """Poll every ``interval`` seconds (``polls`` times, or forever), one JSON line each."""
    done = 0
    while True:
        line = poll()
        done += 1
        click.echo(json.dumps({"poll": done, "sender": sender, **line}))
        if polls and done >= polls:
            return
        time.sleep(interval)


F = TypeVar("F", bound=Callable[..., Any])


def _agent_options(command: F) -> F:
    """The flags both agents take: where the L1 is, who signs, which factory, how often."""
    for option in reversed(
        [
            click.option("--rpc-url", required=True, help="the L1 node (JSON-RPC)"),
            click.option(
                "--private-key",
                default=None,
                envvar="FAULTPROOF_PRIVATE_KEY",
                help="sign with this key (env FAULTPROOF_PRIVATE_KEY)",
            ),
            click.option(
                "--sender",
                default=None,
                help="without --private-key: an unlocked account of the node (default: its first)",
            ),
            click.option("--factory", required=True, help="DisputeGameFactory address"),
            click.option(
                "--poll-interval", default=12.0, show_default=True, help="seconds between polls"
            ),
            click.option(
                "--polls", default=0, show_default=True, help="stop after N polls (0: never)"
            ),
        ]
    ):
        command = option(command)
    return command


@click.command("challenger")
@_agent_options
@click.option("--oracle", required=True, help="PreimageOracle address (for step data)")
@click.option(
    "--game-type",
    "game_types",
    type=int,
    multiple=True,
    required=True,
    help="game types to play; repeatable",
)
@click.option(
    "--traces",
    "traces_spec",
    required=True,
    help="module:callable returning the trace source, e.g. faultproof.demo.traces:demo_rollup",
)
@click.option(
    "--traces-arg",
    "traces_args",
    multiple=True,
    help="KEY=VALUE passed to the --traces callable; repeatable",
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="the service's JSON store (created if absent; keep it across restarts)",
)
@click.option(
    "--claimant", "claimants", multiple=True, help="also claim credit for this address; repeatable"
)
@click.option(
    "--game-window",
    default=GAME_WINDOW,
    show_default=True,
    help="ignore games created longer ago than this, seconds",
)
@user_errors
def challenger_command(
    rpc_url: str,
    private_key: str | None,
    sender: str | None,
    factory: str,
    poll_interval: float,
    polls: int,
    oracle: str,
    game_types: tuple[int, ...],
    traces_spec: str,
    traces_args: tuple[str, ...],
    store: Path,
    claimants: tuple[str, ...],
    game_window: int,
) -> None:
    """Watch a factory and play every game of the given types honestly; resolve and collect.

    Prints one JSON line per poll (what it did and any errors). Safe to kill at any time: a
    restart with the same --store carries on.
    """
    from faultproof.contracts import load_contract
    from faultproof.contracts.dispute import artifact

    chain, who = _connect(rpc_url, private_key, sender)
    service = Challenger(
        chain.at(factory, artifact("DisputeGameFactory")),
        chain.at(oracle, load_contract("oracle/PreimageOracle.vy")),
        who,
        load_trace_source(traces_spec, chain, traces_args),
        ChallengerStore.open(store),
        game_types,
        game_window=game_window,
        claimants=claimants,
    )

    def poll() -> dict[str, Any]:
        report = service.poll()
        return {**report.__dict__, "active_games": len(service.active_games())}

    _loop(poll, who, polls, poll_interval)


@click.command("proposer")
@_agent_options
@click.option("--game-type", type=int, required=True, help="the game type to propose")
@click.option(
    "--outputs",
    "outputs_spec",
    required=True,
    help="module:callable returning the output source (safe_head, output_root), "
    "e.g. faultproof.demo.traces:demo_outputs",
)
@click.option(
    "--outputs-arg",
    "outputs_args",
    multiple=True,
    help="KEY=VALUE passed to the --outputs callable; repeatable",
)
@click.option(
    "--proposal-interval",
    default=PROPOSAL_INTERVAL,
    show_default=True,
    help="seconds between proposals",
)
@user_errors
def proposer_command(
    rpc_url: str,
    private_key: str | None,
    sender: str | None,
    factory: str,
    poll_interval: float,
    polls: int,
    game_type: int,
    outputs_spec: str,
    outputs_args: tuple[str, ...],
    proposal_interval: int,
) -> None:
    """Propose the rollup's safe-head output root whenever the proposal interval has passed.

    Prints one JSON line per poll (the new game, if any). Keeps no state: restart at will.
    """
    from faultproof.contracts.dispute import artifact

    chain, who = _connect(rpc_url, private_key, sender)
    outputs: OutputSource = load_plugin("outputs", outputs_spec, chain, outputs_args)
    proposer = Proposer(
        chain.at(factory, artifact("DisputeGameFactory")),
        who,
        outputs,
        game_type,
        proposal_interval=proposal_interval,
    )

    def poll() -> dict[str, Any]:
        game = proposer.poll()
        if game is None:
            return {"game": None, "skipped": proposer.skipped}
        return {
            "game": game.address,
            "l2_block_number": game.call("l2BlockNumber"),
            "root_claim": "0x" + bytes(game.call("rootClaim")).hex(),
        }

    _loop(poll, who, polls, poll_interval)
