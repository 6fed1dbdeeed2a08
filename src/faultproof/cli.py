"""The ``faultproof`` command line. VM commands follow Cannon's flags and JSON output.

Every command works for any registered ISA (``--type``); user errors print one line and exit 2.
"""

from __future__ import annotations

import json
import shlex
import signal
import sys
from pathlib import Path
from typing import Any, NamedTuple

import click
from click.exceptions import NoArgsIsHelpError
from click.utils import make_default_short_help

from faultproof import __version__
from faultproof.cli_errors import user_errors
from faultproof.errors import FaultproofError

TYPE_ALIASES = {
    "singlethreaded-2": "mips32",
    "singlethreaded": "mips32",
    "cannon": "mips32",
    "asterisc": "riscv64",
}


class LazyCommand(NamedTuple):
    """A command that lives next to its concern, with the one line ``faultproof --help`` shows."""

    module: str
    attr: str
    name: str
    short_help: str
    """Exactly what click would list for the command (its ``get_short_help_str`` without a
    limit), so listing the commands imports none of them; a test keeps the two equal."""


LAZY_COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand(
        "faultproof.preimage.cli", "preimage_cli", "preimage",
        "Preimage oracle: stores, keys and the host server.",
    ),
    LazyCommand(
        "faultproof.preimage.cli", "run_native_command", "run-native",
        "Run a natively compiled guest with its fds 3-6 served by a Python host.",
    ),
    LazyCommand(
        "faultproof.contracts.deploy", "deploy_command", "deploy",
        "Register a VM as a new game type: step contract + FaultDisputeGame implementation + bond.",
    ),
    LazyCommand(
        "faultproof.agents.cli", "challenger_command", "challenger",
        "Watch a factory and play every game of the given types honestly; resolve and collect.",
    ),
    LazyCommand(
        "faultproof.agents.cli", "proposer_command", "proposer",
        "Propose the rollup's safe-head output root whenever the proposal interval has passed.",
    ),
    LazyCommand(
        "faultproof.evm.cli", "evm_cli", "evm",
        "Stateless Cancun block execution (guest/evm/): verify blocks of a node natively or in a VM.",
    ),
    LazyCommand("faultproof.monitor.cli", "game_cli", "game", "Look at one dispute game."),
    LazyCommand(
        "faultproof.monitor.cli", "monitor_command", "monitor",
        "Watch a factory's games and warn before a wrong root wins.",
    ),
)  # fmt: skip
"""Commands that live next to their concern. Imported only when the command is invoked, so
``faultproof --version``, ``--help`` or ``run`` never pay for web3, eth_abi or vyper. A module
that does not exist (yet) leaves no command."""


class LazyGroup(click.Group):
    """The ``faultproof`` group: lazily imported commands and one-line user errors.

    Click's own handling prints a usage block for a bad option and ``Aborted!`` (exit 1) on
    Ctrl-C; here a usage error is one line with exit code 2 and Ctrl-C is ``interrupted`` with
    exit code 130, the shell's code for SIGINT (Cannon's habit).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(lazy.name for lazy in LAZY_COMMANDS if _module_exists(lazy.module))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        for lazy in LAZY_COMMANDS:
            if lazy.name == cmd_name:
                return _import_command(lazy.module, lazy.attr)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's command list, with the lazy commands' lines taken from the table: importing
        every command module only to print one line each cost ~0.5 s of ``--help``."""
        lazy_help = {lazy.name: lazy.short_help for lazy in LAZY_COMMANDS}
        rows: list[tuple[str, str | click.Command]] = []
        for name in self.list_commands(ctx):
            if name not in self.commands and name in lazy_help:
                rows.append((name, lazy_help[name]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        lines = [
            (name, make_default_short_help(item, limit) if isinstance(item, str)
             else item.get_short_help_str(limit))
            for name, item in rows
        ]  # fmt: skip
        with formatter.section("Commands"):
            formatter.write_dl(lines)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; its return value is dropped (as in click's standalone mode), so the
        only value `main` sees is the exit code of ``ctx.exit()``."""
        super().invoke(ctx)
        return None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except NoArgsIsHelpError as exc:  # a bare group (`faultproof`, `faultproof preimage`)
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"error: {_one_line(exc.format_message())}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"error: {_one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        # Without standalone mode click returns the exit code of ctx.exit() (e.g. --version).
        sys.exit(result if isinstance(result, int) else 0)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _module_exists(module_name: str) -> bool:
    """Whether a ``faultproof.*`` module is there, without importing it (or its package)."""
    relative = Path(*module_name.split(".")[1:])
    package = Path(__file__).parent
    return (package / relative.with_suffix(".py")).is_file() or (
        package / relative / "__init__.py"
    ).is_file()


def _import_command(module_name: str, attr: str) -> click.Command | None:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    command = getattr(module, attr, None)
    return command if isinstance(command, click.Command) else None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="faultproof")
def main() -> None:
    """faultproof: fault proof VMs, preimage oracle and dispute games."""


def _isa_name(name: str) -> str:
    return TYPE_ALIASES.get(name, name)


def _skip_blas_probe() -> None:
    """Spare the VM commands numba's BLAS probe: ~0.2 s of importing scipy.linalg per process.

    numba's first kernel load imports ``numba.np.arraymath``, which imports scipy.linalg only to
    learn whether ``np.dot`` can be compiled. The VM kernels are integer code that never calls
    BLAS, and op-challenger starts the VM once per proof, so the CLI imports that module with
    scipy's BLAS hidden (``np.dot`` in a kernel compiled by this process would then be refused,
    loudly). Library users and tests, which do not go through the CLI, are not affected.
    """
    if "numba.np.arraymath" in sys.modules:
        return
    name = "scipy.linalg.cython_blas"
    saved = sys.modules.get(name)
    sys.modules[name] = None  # type: ignore[assignment]  # makes `import` raise ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        if saved is None:
            del sys.modules[name]
        else:
            sys.modules[name] = saved


@main.command("list")
def list_isas() -> None:
    """List the registered VM types (ISAs) and their game types."""
    from faultproof.vm import all_isas

    for isa in all_isas():
        click.echo(
            f"{isa.name:10s} game-type={isa.game_type:<5d} witness={isa.witness_size}B proof={isa.proof_size}B  {isa.description}"
        )


@main.command("load-elf")
@click.option(
    "--type",
    "vm_type",
    required=True,
    help="VM type: mips32, riscv64, riscv64c (Cannon's singlethreaded-2 = mips32)",
)
@click.option(
    "--path",
    "elf_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="ELF program to load",
)
@click.option(
    "--out",
    default="state.bin.gz",
    show_default=True,
    help="state file (.json[.gz] or .bin[.gz], Cannon's default); - for stdout",
)
@click.option(
    "--meta", default="meta.json", show_default=True, help="symbol metadata output; empty for none"
)
@user_errors
def load_elf(vm_type: str, elf_path: Path, out: str, meta: str) -> None:
    """Load an ELF into the initial VM state (with the runtime patches of the VM type)."""
    from faultproof.vm import get_isa
    from faultproof.vm.elf import parse_elf
    from faultproof.vm.meta import Metadata

    if not elf_path.exists():
        raise FaultproofError(f"ELF file {elf_path} does not exist")
    _skip_blas_probe()
    isa = get_isa(_isa_name(vm_type))
    if not elf_path.exists():
        raise FaultproofError(f"ELF file {elf_path} does not exist")
    vm = isa.load_elf(elf_path)
    _save_state(vm, out)
    if meta:
        Metadata.from_elf(parse_elf(elf_path.read_bytes())).save(Path(meta))


def _save_state(vm: Any, out: str) -> None:
    """Write a state (atomically: the VMs' savers write a temp file and rename it)."""
    if out == "-":
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "state.json"
            vm.save(p)
            sys.stdout.write(p.read_text())
        return
    if out:
        from faultproof.fileio import prepare_folder

        prepare_folder(Path(out))
        vm.save(Path(out))


def _load_state(path: Path, vm_type: str | None, host: Any = None) -> Any:
    from faultproof.vm import get_isa
    from faultproof.vm.statefile import detect_state_type, read_state_bytes

    raw = read_state_bytes(path)  # once: a state after a long run can be hundreds of MB
    name = _isa_name(vm_type) if vm_type else detect_state_type(path, raw)
    _skip_blas_probe()
    isa = get_isa(name)
    return isa.load_state(
        path, host=host, stdout=sys.stdout.buffer, stderr=sys.stderr.buffer, raw=raw
    )


class HostCommand(click.Command):
    """A command whose arguments after ``--`` are a host program (Cannon's ``run ... -- HOST``).

    Everything before ``--`` is parsed as options, so a mistyped or unsupported option (Cannon's
    ``--debug``) is named as an unknown option instead of being started as the host.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            i = args.index("--")
            ctx.meta["host_command"] = args[i + 1 :]
            args = args[:i]
        return super().parse_args(ctx, args)


@main.command("run", cls=HostCommand)
@click.option(
    "--input",
    "input_path",
    default="state.bin.gz",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--output",
    default="out.bin.gz",
    show_default=True,
    help="final state; - for stdout; empty: not written",
)
@click.option(
    "--type", "vm_type", default=None, help="VM type (default: detected from the state file)"
)
@click.option("--proof-at", default="never", help="step pattern: never, always, =N, %N")
@click.option("--proof-fmt", default="proof-%d.json", show_default=True)
@click.option("--snapshot-at", default="never")
@click.option("--snapshot-fmt", default="state-%d.bin.gz", show_default=True)
@click.option("--stop-at", default="never")
@click.option("--info-at", default="%100000", show_default=True)
@click.option(
    "--meta",
    default="meta.json",
    show_default=True,
    help="symbol metadata; empty disables (the default is used only if it exists)",
)
@click.option(
    "--log.format",
    "log_format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="info lines as JSON or as Cannon's logfmt text",
)
@click.option(
    "--debug-info",
    default="",
    help="write {pages, memory_used, num_preimage_requests, total_preimage_size}",
)
@click.option(
    "--stop-at-preimage",
    default="",
    help="stop after the step that reads this key: <hex key prefix>[@<offset>]",
)
@click.option(
    "--stop-at-preimage-type",
    default="",
    help="stop after the first read of a key of this type: local|keccak|sha256|blob|precompile|any",
)
@click.option(
    "--stop-at-preimage-larger-than",
    default=0,
    type=int,
    help="stop after the first read of a preimage longer than N bytes",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="live progress line on stderr (default: when stderr is a terminal)",
)
@user_errors
def run(
    input_path: Path,
    output: str,
    vm_type: str | None,
    proof_at: str,
    proof_fmt: str,
    snapshot_at: str,
    snapshot_fmt: str,
    stop_at: str,
    info_at: str,
    meta: str,
    log_format: str,
    debug_info: str,
    stop_at_preimage: str,
    stop_at_preimage_type: str,
    stop_at_preimage_larger_than: int,
    progress: bool | None,
) -> None:
    """Run a VM state; ``-- <host command>`` serves preimages and hints over fds 3-6."""
    from faultproof.vm.runner import RunConfig, run_vm

    ctx = click.get_current_context()
    if ctx.get_parameter_source("meta") == click.core.ParameterSource.DEFAULT:
        meta = meta if Path(meta).exists() else ""  # a --meta the user names must exist
    host_command = ctx.meta.get("host_command") or []
    host = _start_host(list(host_command)) if host_command else None
    try:
        vm = _load_state(input_path, vm_type, host=host)
        cfg = RunConfig(
            output=output,
            proof_at=proof_at,
            proof_fmt=proof_fmt,
            snapshot_at=snapshot_at,
            snapshot_fmt=snapshot_fmt,
            stop_at=stop_at,
            info_at=info_at,
            meta=meta,
            log_format=log_format,
            debug_info=debug_info,
            stop_at_preimage=stop_at_preimage,
            stop_at_preimage_type=stop_at_preimage_type,
            stop_at_preimage_larger_than=stop_at_preimage_larger_than,
            progress=progress,
        )
        run_vm(vm, cfg, save_state=_save_state)
    finally:
        if host is not None and hasattr(host, "close"):
            host.close()


def _start_host(argv: list[str]) -> Any:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        return None
    from faultproof.preimage.host import HostProcess

    click.echo(f"starting host: {shlex.join(argv)}", err=True)
    return HostProcess(argv)


@main.command("witness")
@click.option(
    "--input", "input_path", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--output", default="", help="write the raw witness bytes to this file")
@click.option("--type", "vm_type", default=None, help="VM type (default: detected)")
@user_errors
def witness(input_path: Path, output: str, vm_type: str | None) -> None:
    """Print the state hash and witness of a state file (Cannon's JSON)."""
    vm = _load_state(input_path, vm_type)
    w = vm.encode_witness()
    if output:
        from faultproof.fileio import write_atomic

        write_atomic(output, w)
    doc = {
        "witnessHash": "0x" + vm.state_hash().hex(),
        "witness": "0x" + w.hex(),
        "step": vm.step_count,
        "exited": vm.exited,
        "exitCode": vm.exit_code,
    }
    click.echo(json.dumps(doc))


@main.command("conformance")
@click.option("--isa", "isa_name", required=True, help="VM type to check against its step contract")
@click.option(
    "--program",
    "programs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="ELF to run (repeatable); default: every bundled guest built for this ISA",
)
@click.option(
    "--steps",
    default=200,
    show_default=True,
    help="witnesses checked per program (every step of a shorter program)",
)
@click.option("--fuzz", default=500, show_default=True, help="random single instructions")
@click.option("--seed", default=0, show_default=True)
@click.option("--details/--no-details", default=False, help="family and rejection-reason tables")
@user_errors
def conformance(
    isa_name: str, programs: tuple[Path, ...], steps: int, fuzz: int, seed: int, details: bool
) -> None:
    """Check that an ISA's VM and on-chain step contract agree (programs + instruction fuzzing).

    Exits 1 if any witness gets a different result on chain than off chain.
    """
    from rich.console import Console

    from faultproof.conformance.console import (
        family_table,
        rejection_table,
        run_conformance,
        summary_table,
    )
    from faultproof.conformance.programs import GuestProgram
    from faultproof.vm import get_isa

    console = Console(stderr=True)
    isa = get_isa(_isa_name(isa_name))
    if programs:
        targets = [GuestProgram(elf.stem, elf, _guest_host(elf)) for elf in programs]
    else:
        targets = _bundled_guests(isa.name, console)
    report = run_conformance(isa, targets, steps=steps, fuzz=fuzz, seed=seed, console=console)
    out = Console()
    out.print(summary_table(report, f"conformance: {isa.name} vs {isa.step_contract}.vy"))
    if details and report.families:
        out.print(family_table(report))
    if details and report.rejections:
        out.print(rejection_table(report))
    for d in report.divergences[:10]:
        console.print(f"[red]divergence[/red] {d.describe()}")
    if not report.ok:
        sys.exit(1)


def _bundled_guests(isa_name: str, console: Any = None) -> list[Any]:
    """Every bundled guest built for ``isa_name``, each with its host; unbuildable ones are noted."""
    from faultproof.conformance.programs import bundled_programs

    found = bundled_programs(isa_name)
    if console is not None:
        for note in found.skipped:
            console.print(f"[yellow]skipped[/yellow] {note}")
    return list(found.programs)


def _guest_host(elf: Path) -> Any:
    """Host factory for a bundled guest that reads preimages (by file name), else None."""
    from faultproof.conformance.programs import host_for

    return host_for(elf)


@main.command("demo")
@click.option("--type", "vm_type", default="mips32", show_default=True, help="VM type the dispute runs on")
@click.option(
    "--hashchain",
    is_flag=True,
    help="the small example instead: the hashchain rollup's dispute on the embedded chain",
)
@click.option("--blocks", type=int, default=None, help="--hashchain: rollup blocks the proposal covers [8]")
@click.option("--bad-block", type=int, default=None, help="--hashchain: first block the liar gets wrong [5]")
@click.option(
    "--crash-challenger",
    is_flag=True,
    help="kill the challenger after every transaction; each restart resumes from its store and the chain",
)
@click.option(
    "--rpc-url",
    default=None,
    help="--hashchain: play on this dev node (anvil) instead of the embedded chain",
)
@click.option(
    "--tree-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="where the game tree pictures go (default: a folder in the temp dir)",
)
@user_errors
def demo(
    vm_type: str,
    hashchain: bool,
    blocks: int | None,
    bad_block: int | None,
    crash_challenger: bool,
    rpc_url: str | None,
    tree_dir: Path | None,
) -> None:
    """The end-to-end story: an EVM rollup on a local L1 (anvil), deposits, L2 transactions and
    withdrawals; an honest output is defended and its withdrawal finalized, a wrong one is
    defeated down to one on-chain step and its withdrawal refused (docs/ROLLUP.md).

    `--hashchain` runs the small example instead (the hashchain rollup on the embedded chain).
    """
    if hashchain:
        _hashchain_demo(vm_type, blocks or 8, bad_block or 5, crash_challenger, rpc_url, tree_dir)
        return
    for flag, value in (("--blocks", blocks), ("--bad-block", bad_block), ("--rpc-url", rpc_url)):
        if value is not None:
            raise FaultproofError(
                f"{flag} applies to --hashchain; the rollup story starts its own L1 node"
            )
    from faultproof.rollup.demo import RollupDemoSettings, run_rollup_demo

    result = run_rollup_demo(
        RollupDemoSettings(
            isa=_isa_name(vm_type), crash_challenger=crash_challenger, tree_dir=tree_dir
        )
    )
    sys.exit(0 if result.ok else 1)


def _hashchain_demo(
    vm_type: str,
    blocks: int,
    bad_block: int,
    crash_challenger: bool,
    rpc_url: str | None,
    tree_dir: Path | None,
) -> None:
    from faultproof.demo.dispute import DemoSettings, run_demo
    from faultproof.game.types import GameStatus

    if not 1 <= bad_block <= blocks:
        raise FaultproofError(f"--bad-block must be within 1..{blocks}")
    chain = None
    if rpc_url:
        from faultproof.chain.rpc import RpcChain

        chain = RpcChain(rpc_url)
    settings = DemoSettings(
        isa=_isa_name(vm_type),
        blocks=blocks,
        bad_block=bad_block,
        crash_challenger=crash_challenger,
        tree_dir=tree_dir,
    )
    status = run_demo(settings, chain=chain)
    sys.exit(0 if status == GameStatus.CHALLENGER_WINS else 1)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def entry() -> None:
    """The ``faultproof`` console script and ``python -m faultproof.cli``.

    SIGTERM becomes SystemExit(143), so a command unwinds as on an error or Ctrl-C: the guest of
    ``run-native`` and the preimage host of ``run -- HOST`` are stopped and stores closed on the
    way out. Without it a ``kill`` (a supervisor, a CI timeout) ends the CLI at once and leaves
    its children running with nobody serving their fds. Installed here, not in ``main``, so that
    invoking ``main`` in-process (tests, embedding) does not take over the caller's SIGTERM.
    """
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    main()


if __name__ == "__main__":  # pragma: no cover
    entry()
