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
from faultproof.cli_errors import DURATION, DURATION_SECONDS, user_errors
from faultproof.errors import FaultproofError
from faultproof.monitor.metrics import (
    ChallengerMetrics,
    ProposerMetrics,
    metrics_options,
    start_metrics,
)


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


def env_names(flag: str, op_service: str, op_name: str | None = None) -> list[str]:
    """Environment variables of a flag: ``FAULTPROOF_<FLAG>``, then, for the flags the op-stack
    service (op-challenger, op-proposer, op-dispute-mon) shares with us, its own name
    (``OP_CHALLENGER_L1_ETH_RPC``, ``OP_DISPUTE_MON_GAME_WINDOW``, ...), so a deployment's
    environment carries over. The README lists every accepted name."""
    names = ["FAULTPROOF_" + flag.upper().replace("-", "_")]
    if op_name is not None:
        names.append(f"OP_{op_service.upper().replace('-', '_')}_{op_name}")
    return names


def rpc_url_option(service: str) -> Callable[[F], F]:
    """``--rpc-url`` (op-stack's ``--l1-eth-rpc``): the L1 node every service and viewer needs."""
    return click.option(
        "--rpc-url",
        "--l1-eth-rpc",
        "rpc_url",
        required=True,
        envvar=env_names("rpc-url", service, "L1_ETH_RPC"),
        help="the L1 node (JSON-RPC)",
    )


def factory_option(service: str) -> Callable[[F], F]:
    """``--factory`` (op-stack's ``--game-factory-address``): the DisputeGameFactory watched."""
    return click.option(
        "--factory",
        "--game-factory-address",
        "factory",
        required=True,
        envvar=env_names("factory", service, "GAME_FACTORY_ADDRESS"),
        help="DisputeGameFactory address",
    )


def poll_interval_option(
    service: str, op_flag: str = "poll-interval", default: str = "12s"
) -> Callable[[F], F]:
    """``--poll-interval``, a duration (12s, 1m); ``op_flag`` names the op-stack service's own
    flag for it when that differs (op-dispute-mon's ``--monitor-interval``)."""
    flags = (
        ["--poll-interval"] if op_flag == "poll-interval" else ["--poll-interval", f"--{op_flag}"]
    )
    return click.option(
        *flags,
        "poll_interval",
        type=DURATION,
        default=default,
        show_default=True,
        envvar=env_names("poll-interval", service, op_flag.upper().replace("-", "_")),
        help="time between polls: seconds, or e.g. 12s, 1m",
    )


def _agent_options(service: str) -> Callable[[F], F]:
    """The flags both agents take: where the L1 is, who signs, which factory, how often."""

    def decorate(command: F) -> F:
        for option in reversed(
            [
                rpc_url_option(service),
                click.option(
                    "--private-key",
                    default=None,
                    envvar=env_names("private-key", service, "PRIVATE_KEY"),
                    help="sign with this key (env FAULTPROOF_PRIVATE_KEY)",
                ),
                click.option(
                    "--sender",
                    default=None,
                    envvar=env_names("sender", service),
                    help="without --private-key: an unlocked account of the node "
                    "(default: its first)",
                ),
                factory_option(service),
                poll_interval_option(service),
                click.option(
                    "--polls", default=0, show_default=True, help="stop after N polls (0: never)"
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


def _addresses(factory: str, oracle: str | None) -> tuple[str, str | None]:
    """Start-up check before connecting: the addresses are well formed (``0x1234`` is refused)."""
    from faultproof.contracts.deploy import check_address

    return (
        check_address(factory, "--factory"),
        None if oracle is None else check_address(oracle, "--oracle"),
    )


def _require_contracts(chain: Chain, factory: str, oracle: str | None) -> None:
    """Start-up check once connected: the factory (and oracle) have code and answer like those
    contracts. A wrong address fails here, once, instead of as a decoding error every poll."""
    from faultproof.contracts.deploy import require_contract

    require_contract(chain, factory, "--factory", "DisputeGameFactory")
    if oracle is not None:
        require_contract(chain, oracle, "--oracle", "PreimageOracle")


ORACLE_ABI = [
    {
        "type": "function",
        "name": "oracle",
        "inputs": [],
        "outputs": [{"name": "", "type": "address"}],
        "stateMutability": "view",
    }
]
"""The one view every step contract (MIPS32, RISCV64, Optimism's MIPS.sol) has for its oracle."""

VM_ABI = [
    {
        "type": "function",
        "name": "vm",
        "inputs": [],
        "outputs": [{"name": "", "type": "address"}],
        "stateMutability": "view",
    }
]
"""A 1.x game's step contract (`vm()`), where the oracle is found on an older factory."""


def oracle_of_game_type(chain: Chain, factory: str, game_types: tuple[int, ...]) -> str:
    """The PreimageOracle the games of ``game_types`` use: their step contract's ``oracle()``,
    the step contract read from the factory's game args (as op-challenger reads it from the
    game's VM when no oracle is configured)."""
    from eth_abi.abi import decode as abi_decode
    from eth_utils.address import to_checksum_address

    from faultproof.contracts.deploy import GAME_ARGS_TYPES
    from faultproof.contracts.dispute import artifact

    factory_c = chain.at(factory, artifact("DisputeGameFactory"))
    for game_type in game_types:
        try:
            raw = bytes(factory_c.call("gameArgs", game_type))
            if len(raw) != 288:
                continue
            vm = to_checksum_address(abi_decode(GAME_ARGS_TYPES, raw)[5])
            return to_checksum_address(chain.at(vm, ORACLE_ABI).call("oracle"))
        except Exception:  # not our factory's layout: try the 1.x one below
            pass
        try:  # an October-2024 (1.x) factory: gameImpls(type) is a full game with vm()
            impl = to_checksum_address(factory_c.call("gameImpls", game_type))
            vm = to_checksum_address(chain.at(impl, VM_ABI).call("vm"))
            return to_checksum_address(chain.at(vm, ORACLE_ABI).call("oracle"))
        except Exception:  # this type is not registered as expected: try the next one
            continue
    raise CommandError(
        f"cannot read the PreimageOracle of game types {list(game_types)} from factory "
        f"{factory}: pass --oracle"
    )


@click.command("challenger")
@_agent_options("challenger")
@metrics_options
@click.option(
    "--oracle",
    default=None,
    envvar=env_names("oracle", "challenger"),
    help="PreimageOracle address (default: read from the game type's step contract)",
)
@click.option(
    "--game-type",
    "game_types",
    type=int,
    multiple=True,
    required=True,
    envvar=env_names("game-type", "challenger"),
    help="game types to play; repeatable (env: space-separated)",
)
@click.option(
    "--traces",
    "traces_spec",
    required=True,
    envvar=env_names("traces", "challenger"),
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
    envvar=env_names("store", "challenger"),
    help="the service's JSON store (created if absent; keep it across restarts)",
)
@click.option(
    "--claimant", "claimants", multiple=True, help="also claim credit for this address; repeatable"
)
@click.option(
    "--game-window",
    type=DURATION_SECONDS,
    default=GAME_WINDOW,
    show_default=True,
    envvar=env_names("game-window", "challenger", "GAME_WINDOW"),
    help="ignore games created longer ago than this: seconds, or e.g. 672h",
)
@user_errors
def challenger_command(
    rpc_url: str,
    private_key: str | None,
    sender: str | None,
    factory: str,
    poll_interval: float,
    polls: int,
    oracle: str | None,
    game_types: tuple[int, ...],
    traces_spec: str,
    traces_args: tuple[str, ...],
    store: Path,
    claimants: tuple[str, ...],
    game_window: int,
    metrics_addr: str,
    metrics_port: int | None,
) -> None:
    """Watch a factory and play every game of the given types honestly; resolve and collect.

    Prints one JSON line per poll (what it did and any errors). Safe to kill at any time: a
    restart with the same --store carries on.
    """
    from faultproof.contracts import load_contract
    from faultproof.contracts.dispute import artifact

    factory, oracle = _addresses(factory, oracle)
    chain, who = _connect(rpc_url, private_key, sender)
    _require_contracts(chain, factory, oracle)
    if oracle is None:
        oracle = oracle_of_game_type(chain, factory, game_types)
    service = Challenger(
        chain.at(factory, artifact("DisputeGameFactory")),
        chain.at(oracle, load_contract("oracle/PreimageOracle.vy")),
        who,
        load_trace_source(traces_spec, chain, traces_args),
        ChallengerStore.open(store),
        game_types,
        game_window=game_window,
        claimants=claimants,
        metrics=(metrics := ChallengerMetrics()),
    )
    start_metrics(metrics.registry, metrics_addr, metrics_port)

    def poll() -> dict[str, Any]:
        report = service.poll()
        return {**report.__dict__, "active_games": len(service.active_games())}

    _loop(poll, who, polls, poll_interval)


@click.command("proposer")
@_agent_options("proposer")
@metrics_options
@click.option(
    "--game-type",
    type=int,
    required=True,
    envvar=env_names("game-type", "proposer"),
    help="the game type to propose",
)
@click.option(
    "--outputs",
    "outputs_spec",
    required=True,
    envvar=env_names("outputs", "proposer"),
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
    type=DURATION_SECONDS,
    default=PROPOSAL_INTERVAL,
    show_default=True,
    envvar=env_names("proposal-interval", "proposer", "PROPOSAL_INTERVAL"),
    help="time between proposals: seconds, or e.g. 1h",
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
    metrics_addr: str,
    metrics_port: int | None,
) -> None:
    """Propose the rollup's safe-head output root whenever the proposal interval has passed.

    Prints one JSON line per poll (the new game, if any). Keeps no state: restart at will.
    """
    from faultproof.contracts.dispute import artifact

    factory, _ = _addresses(factory, None)
    chain, who = _connect(rpc_url, private_key, sender)
    _require_contracts(chain, factory, None)
    outputs: OutputSource = load_plugin("outputs", outputs_spec, chain, outputs_args)
    proposer = Proposer(
        chain.at(factory, artifact("DisputeGameFactory")),
        who,
        outputs,
        game_type,
        proposal_interval=proposal_interval,
        metrics=(metrics := ProposerMetrics()),
    )
    start_metrics(metrics.registry, metrics_addr, metrics_port)

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
