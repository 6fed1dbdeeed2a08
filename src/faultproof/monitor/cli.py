"""``faultproof game show`` (one game's tree) and ``faultproof monitor`` (watch a factory).

Both read the chain only. What "our node" believes comes from the agents' plugins, named the
same way: ``--outputs module:callable`` (an output source: ``safe_head()``,
``output_root(block)``) and ``--traces module:callable`` (a trace source), each called as
``callable(chain, **args)`` with its ``--outputs-arg`` / ``--traces-arg`` pairs.

The flags follow the agents' conventions (the same option helpers): ``--l1-eth-rpc`` and
``--game-factory-address`` aliases, durations such as 12s or 672h, ``FAULTPROOF_*`` environment
variables and op-dispute-mon's ``OP_DISPUTE_MON_*`` names for ``monitor`` (op-challenger's
``OP_CHALLENGER_*`` for ``game show``, as its ``list-claims`` reads them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from faultproof.agents.cli import (
    env_names,
    factory_option,
    load_plugin,
    poll_interval_option,
    rpc_url_option,
)
from faultproof.agents.proposer import OutputSource
from faultproof.agents.service import GAME_WINDOW, TraceSource
from faultproof.chain import Chain
from faultproof.cli_errors import DURATION, DURATION_SECONDS, user_errors
from faultproof.errors import FaultproofError

F = TypeVar("F", bound=Callable[..., Any])


class ShowError(FaultproofError):
    """The GAME given to ``faultproof game show`` is not a dispute game."""


MONITOR = "dispute-mon"
"""The op-stack service whose environment names ``faultproof monitor`` also reads."""

SHOW = "challenger"
"""``game show`` reads op-challenger's names (its ``list-claims`` subcommand is the analogue)."""


def _source_options(service: str) -> Callable[[F], F]:
    """What "our node" believes: the agents' plugin flags (``--rollup-rpc`` as op-stack's)."""

    def decorate(command: F) -> F:
        for option in reversed(_source_option_list(service)):
            command = option(command)
        return command

    return decorate


def _source_option_list(service: str) -> list[Callable[[F], F]]:
    return [
        click.option(
            "--outputs",
            "outputs_spec",
            default=None,
            envvar=env_names("outputs", service),
            help="module:callable returning our node's output source, "
            "e.g. faultproof.demo.traces:demo_outputs",
        ),
        click.option(
            "--outputs-arg", "outputs_args", multiple=True, help="KEY=VALUE for --outputs"
        ),
        click.option(
            "--rollup-rpc",
            default=None,
            envvar=env_names("rollup-rpc", service, "ROLLUP_RPC"),
            help="instead of --outputs: a rollup node's JSON-RPC (optimism_outputAtBlock)",
        ),
        click.option(
            "--traces",
            "traces_spec",
            default=None,
            envvar=env_names("traces", service),
            help="module:callable returning a trace source (judges VM states too), "
            "e.g. faultproof.demo.traces:demo_rollup",
        ),
        click.option("--traces-arg", "traces_args", multiple=True, help="KEY=VALUE for --traces"),
    ]


def _sources(
    chain: Chain,
    outputs_spec: str | None,
    outputs_args: tuple[str, ...],
    traces_spec: str | None,
    traces_args: tuple[str, ...],
    rollup_rpc: str | None = None,
) -> tuple[OutputSource | None, TraceSource | None]:
    if rollup_rpc and outputs_spec:
        raise click.UsageError("give --outputs or --rollup-rpc, not both")
    outputs = load_plugin("outputs", outputs_spec, chain, outputs_args) if outputs_spec else None
    if rollup_rpc:
        from faultproof.monitor.rollupnode import RollupNodeOutputs

        outputs = RollupNodeOutputs(rollup_rpc)
    traces = load_plugin("traces", traces_spec, chain, traces_args) if traces_spec else None
    return outputs, traces


def _connect(rpc_url: str) -> Chain:
    """A read-only view of someone else's node: its clock is left alone."""
    from faultproof.chain.rpc import RpcChain

    return RpcChain(rpc_url, freeze_time=False)


@click.group("game")
def game_cli() -> None:
    """Look at one dispute game."""


@game_cli.command("show")
@rpc_url_option(SHOW)
@click.argument("game")
@_source_options(SHOW)
@click.option(
    "--svg", type=click.Path(dir_okay=False, path_type=Path), help="also write the tree as SVG"
)
@click.option(
    "--png", type=click.Path(dir_okay=False, path_type=Path), help="also write the tree as PNG"
)
@click.option("--json", "as_json", is_flag=True, help="print the claims as JSON instead")
@user_errors
def show_command(
    rpc_url: str,
    game: str,
    outputs_spec: str | None,
    outputs_args: tuple[str, ...],
    rollup_rpc: str | None,
    traces_spec: str | None,
    traces_args: tuple[str, ...],
    svg: Path | None,
    png: Path | None,
    as_json: bool,
) -> None:
    """Every claim of GAME (an address): depth, position, trace index, output root or VM state,
    claimant, bond, parent, countered-by, clock left, and whether our node agrees; then the
    final step with its instruction disassembled."""
    from faultproof.agents.onchain import read_params
    from faultproof.contracts.deploy import check_address
    from faultproof.contracts.dispute import artifact
    from faultproof.monitor.judge import Judge
    from faultproof.monitor.picture import write_picture
    from faultproof.monitor.text import print_tree
    from faultproof.monitor.view import read_game

    address = check_address(game, "GAME")
    chain = _connect(rpc_url)
    outputs, traces = _sources(
        chain, outputs_spec, outputs_args, traces_spec, traces_args, rollup_rpc
    )
    contract = chain.at(address, artifact("FaultDisputeGame"))
    try:
        params = read_params(contract)
    except Exception as exc:  # no code, or not a game: eth_abi/revert errors of many kinds
        raise ShowError(
            f"GAME {address} does not answer like a FaultDisputeGame on this chain: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    view = read_game(contract, Judge.for_game(contract, params, outputs, traces), params=params)
    if as_json:
        click.echo(json.dumps(view_json(view), indent=1))
    else:
        from rich.console import Console

        console = Console()
        if not console.is_terminal:  # piped or captured: do not squeeze the table into 80 columns
            console = Console(width=220)
        print_tree(view, console)
    for path in (svg, png):
        if path is not None:
            click.echo(f"game tree: {write_picture(view, path)}", err=as_json)


def view_json(view: Any) -> dict[str, Any]:
    """A game view as JSON (bytes as 0x-hex)."""
    from dataclasses import asdict

    def fix(value: Any) -> Any:
        if isinstance(value, bytes):
            return "0x" + value.hex()
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [fix(v) for v in value]
        return value

    doc = fix(asdict(view))
    doc["status"] = view.status.name
    doc["forecast"] = view.forecast().name
    return dict(doc)


@click.command("monitor")
@rpc_url_option(MONITOR)
@factory_option(MONITOR)
@_source_options(MONITOR)
@click.option(
    "--game-type",
    "game_types",
    type=int,
    multiple=True,
    envvar=env_names("game-type", MONITOR),
    help="only these types; repeatable (env: space-separated)",
)
@click.option(
    "--window",
    "--game-window",
    "window",
    type=DURATION_SECONDS,
    default=GAME_WINDOW,
    show_default=True,
    envvar=env_names("game-window", MONITOR, "GAME_WINDOW"),
    help="watch games created within this time: seconds, or e.g. 672h",
)
@click.option(
    "--clock-threshold",
    type=DURATION_SECONDS,
    default=6 * 3600,
    show_default=True,
    envvar=env_names("clock-threshold", MONITOR),
    help="warn when an honest claim's clock has less than this left",
)
@click.option(
    "--resolve-grace",
    type=DURATION_SECONDS,
    default=600,
    show_default=True,
    envvar=env_names("resolve-grace", MONITOR),
    help="warn when a game is still unresolved this long after its clocks ran out",
)
@click.option(
    "--bond-grace",
    type=DURATION_SECONDS,
    default=3600,
    show_default=True,
    envvar=env_names("bond-grace", MONITOR),
    help="warn when credit is unclaimed this long after it became withdrawable",
)
@click.option(
    "--challenger-metrics",
    default=None,
    envvar=env_names("challenger-metrics", MONITOR),
    help="the challenger's metrics URL (http://HOST:PORT/metrics), for its health",
)
@click.option(
    "--challenger-stale",
    type=DURATION,
    default=300.0,
    show_default=True,
    envvar=env_names("challenger-stale", MONITOR),
    help="warn when the challenger's last poll is older than this",
)
@click.option(
    "--metrics.addr", "metrics_addr", default="127.0.0.1", show_default=True,
    help="address of the web view and /metrics",
)  # fmt: skip
@click.option(
    "--metrics.port",
    "metrics_port",
    type=click.IntRange(0, 65535),
    default=None,
    help="serve the web view and Prometheus /metrics on this port (default: none)",
)
@poll_interval_option(MONITOR, "monitor-interval")
@click.option("--polls", default=0, show_default=True, help="stop after N polls (0: never)")
@user_errors
def monitor_command(
    rpc_url: str,
    factory: str,
    outputs_spec: str | None,
    outputs_args: tuple[str, ...],
    rollup_rpc: str | None,
    traces_spec: str | None,
    traces_args: tuple[str, ...],
    game_types: tuple[int, ...],
    window: int,
    clock_threshold: int,
    resolve_grace: int,
    bond_grace: int,
    challenger_metrics: str | None,
    challenger_stale: float,
    metrics_addr: str,
    metrics_port: int | None,
    poll_interval: float,
    polls: int,
) -> None:
    """Watch a factory's games and warn before a wrong root wins.

    Prints one JSON line per poll: the games by status and agreement, and every alert
    (wrong_forecast, resolved_wrongly, clock_near_expiry, unresolved_expired, unclaimed_bonds,
    challenger_unhealthy). With --metrics.port it also serves a web page of the games and
    their trees, and Prometheus metrics at /metrics.
    """
    from faultproof.contracts.deploy import check_address, require_contract
    from faultproof.contracts.dispute import artifact
    from faultproof.monitor.metrics import RUNNING, MetricsError
    from faultproof.monitor.watch import Monitor, Thresholds
    from faultproof.monitor.web import serve_monitor

    factory = check_address(factory, "--factory")
    chain = _connect(rpc_url)
    require_contract(chain, factory, "--factory", "DisputeGameFactory")
    outputs, traces = _sources(
        chain, outputs_spec, outputs_args, traces_spec, traces_args, rollup_rpc
    )
    if outputs is None and traces is None:
        click.echo(
            "note: no --outputs, --rollup-rpc or --traces: games are listed but not judged",
            err=True,
        )
    monitor = Monitor(
        chain.at(factory, artifact("DisputeGameFactory")),
        outputs,
        traces,
        game_types=game_types,
        window=window,
        thresholds=Thresholds(clock_threshold, resolve_grace, bond_grace, challenger_stale),
        challenger_metrics=challenger_metrics,
    )
    if metrics_port is not None:
        try:
            server = serve_monitor(monitor, metrics_addr, metrics_port)
        except OSError as exc:
            raise MetricsError(f"--metrics.port {metrics_port}: {exc}") from None
        RUNNING.append(server)
        click.echo(f"monitor: {server.url}/ (metrics at {server.url}/metrics)", err=True)
    done = 0
    while True:
        report = monitor.poll()
        done += 1
        line = {
            "poll": done,
            "games": len(report.games),
            "agreement": {
                k: sum(1 for g in report.games if g.agreement == k)
                for k in ("agree", "disagree", "unknown")
            },
            "alerts": [
                {"kind": a.kind, "game": a.game, "claim": a.claim, "message": a.message}
                for a in report.alerts
            ],
            "errors": report.errors,
            "challenger": report.challenger,
        }
        click.echo(json.dumps(line))
        if polls and done >= polls:
            return
        time.sleep(poll_interval)
