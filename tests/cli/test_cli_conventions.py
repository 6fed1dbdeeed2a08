"""How every ``faultproof`` command behaves for a user: lazy start-up, one-line errors, exit codes.

Issue 13: a user error is one line on stderr and exit code 2, never a traceback; Ctrl-C is exit
130 and "interrupted"; unknown options before ``--`` are named; commands import only what they use.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from click.utils import make_default_short_help

from faultproof.cli import LAZY_COMMANDS, LazyCommand, main


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_importing_the_cli_loads_no_chain_compiler_or_vm_code() -> None:
    probe = (
        "import sys, faultproof.cli; "
        "heavy = [m for m in ('web3', 'eth_abi', 'vyper', 'numba', 'numpy', 'faultproof.vm.memory') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_help_still_lists_the_commands_registered_from_other_modules() -> None:
    code, out, _ = invoke("--help")
    assert code == 0
    for name in ("run", "load-elf", "preimage", "run-native", "deploy", "challenger", "proposer"):
        assert f"  {name} " in out


def test_lazy_table_keeps_module_attribute_and_name() -> None:
    table = {lazy.name: (lazy.module, lazy.attr) for lazy in LAZY_COMMANDS}
    assert table["evm"] == ("faultproof.evm.cli", "evm_cli")
    assert table["monitor"] == ("faultproof.monitor.cli", "monitor_command")
    assert table["challenger"] == ("faultproof.agents.cli", "challenger_command")


@pytest.mark.parametrize("lazy", LAZY_COMMANDS, ids=lambda lazy: lazy.name)
def test_lazy_table_short_help_is_what_click_would_list(lazy: LazyCommand) -> None:
    """The table's line is the command's own, at every width ``--help`` may cut it to."""
    command = getattr(importlib.import_module(lazy.module), lazy.attr)
    for limit in (20, 45, 60, 66, 74, 120, 10**9):
        assert make_default_short_help(lazy.short_help, limit) == command.get_short_help_str(limit)


def test_help_imports_no_command_module() -> None:
    probe = (
        "import sys; sys.argv = ['faultproof', '--help']\n"
        "from faultproof.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('web3', 'eth_abi', 'vyper', "
        "'numba', 'numpy') or m.startswith(('faultproof.agents', 'faultproof.monitor', "
        "'faultproof.contracts', 'faultproof.chain', 'faultproof.evm', 'faultproof.preimage'))]\n"
        "print(','.join(heavy), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert proc.stderr.strip() == ""
    assert "  monitor " in proc.stdout and "  deploy " in proc.stdout


def test_a_lazy_command_is_invoked_by_name() -> None:
    code, out, _ = invoke("preimage", "--help")
    assert code == 0
    assert "store-get" in out


def test_unknown_option_before_the_host_separator_is_named() -> None:
    code, _, err = invoke("run", "--input", "nope.json", "--debug")
    assert code == 2
    assert "starting host" not in err
    assert "--debug" in err and "No such option" in err
    assert len(err.strip().splitlines()) == 1


def test_arguments_before_the_separator_are_not_a_host() -> None:
    code, _, err = invoke("run", "--input", "nope.json", "python3", "host.py")
    assert code == 2
    assert "starting host" not in err
    assert "unexpected extra argument" in err


def test_usage_errors_are_one_line_and_exit_2() -> None:
    code, _, err = invoke("load-elf", "--path", "x.elf")
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("error: Missing option '--type'")


def test_ctrl_c_exits_130_and_says_interrupted() -> None:
    @click.command("sleepy")
    def sleepy() -> None:
        raise KeyboardInterrupt

    main.add_command(sleepy)
    try:
        result = CliRunner().invoke(main, ["sleepy"])
    finally:
        main.commands.pop("sleepy")
    assert result.exit_code == 130
    assert result.stderr.strip() == "error: interrupted"


@pytest.mark.parametrize("flag", ["--version", "-h"])
def test_version_and_help_exit_0(flag: str) -> None:
    code, out, _ = invoke(flag)
    assert code == 0
    assert out


@pytest.mark.parametrize("args", [[], ["preimage"]])
def test_a_bare_group_shows_its_help_not_an_error(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    text = result.stdout + result.stderr
    assert "Commands:" in text and "error:" not in text


def test_a_command_return_value_is_not_an_exit_code() -> None:
    @click.command("returns")
    def returns() -> int:
        return 5

    main.add_command(returns)
    try:
        result = CliRunner().invoke(main, ["returns"])
    finally:
        main.commands.pop("returns")
    assert result.exit_code == 0
