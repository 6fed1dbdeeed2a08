"""``faultproof evm statetest FILE.json...``: GeneralStateTests through the EVM program.

One line per case (PASS / FAIL / SKIP, the case, time and, in a VM, steps) and a total; exit 0
only when every case passes, 1 when one fails, 2 on input that cannot be read.
"""

from __future__ import annotations

import sys

import click

from faultproof.cli_errors import user_errors
from faultproof.evm.program import VM_CHOICES

VMS = (*VM_CHOICES, "spec")
"""The program's places to run, plus ``spec``: the execution specs alone (imported only when the
command runs, so registering it costs ``faultproof evm`` nothing)."""


@click.command("statetest")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--fork", default="Cancun", show_default=True, help="Fork whose post entries to run.")
@click.option(
    "--vm",
    type=click.Choice(VMS),
    default="native",
    show_default=True,
    help="Run the program natively or in a VM; 'spec' runs the execution specs alone "
    "(checks a fixture file without the program).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only failing cases and the total.")
@user_errors
def statetest_command(files: tuple[str, ...], fork: str, vm: str, quiet: bool) -> None:
    """Run Ethereum state-test fixtures (GeneralStateTests JSON) through the EVM program.

    Each post entry of FORK becomes a one-transaction block run in the program's state-test
    mode; the case passes when the program's post-state root and logs hash equal the fixture's
    and it rejected the transaction exactly when the fixture expects an exception.
    """
    from faultproof.evm.statetest import CaseOutcome, outcome_line, run_files, summary_line

    def report(outcome: CaseOutcome) -> None:
        if not quiet or not outcome.passed:
            click.echo(outcome_line(outcome))

    outcomes = run_files(list(files), fork, vm, report=report)
    click.echo(summary_line(outcomes))
    sys.exit(0 if all(o.passed for o in outcomes) else 1)
