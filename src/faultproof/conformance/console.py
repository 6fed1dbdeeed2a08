"""What ``faultproof conformance`` prints: per-program lines, progress bars, the summary table."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from faultproof.conformance.kit import (
    ConformanceReport,
    ProgressCallback,
    check_programs,
    fuzz_instructions,
)
from faultproof.conformance.onchain import OnChainStepper
from faultproof.conformance.programs import GuestProgram
from faultproof.vm.interface import ISA


def run_conformance(
    isa: ISA,
    programs: list[GuestProgram],
    *,
    steps: int,
    fuzz: int,
    seed: int,
    console: Console,
) -> ConformanceReport:
    """Programs, then fuzzing, on one chain; progress bars on ``console`` while it runs."""
    stepper = OnChainStepper(isa)
    total = ConformanceReport(isa.name)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bars:

        def bar(description: str, size: int) -> ProgressCallback:
            task = bars.add_task(description, total=size)
            return lambda done, of: bars.update(task, completed=done, total=of)

        def on_program(program: GuestProgram, rep: ConformanceReport) -> None:
            for result in rep.programs:
                style = "red" if result.divergences else "green"
                console.print(
                    f"{program.name}: {result.checked} witnesses of {result.total_steps} steps, "
                    f"[{style}]{result.divergences} divergences[/{style}]"
                )

        if programs:
            total.merge(
                check_programs(
                    isa,
                    programs,
                    budget=steps,
                    seed=seed,
                    stepper=stepper,
                    on_program=on_program,
                    progress=lambda p: bar(f"{p.name} (run, then witnesses)", steps),
                )
            )
        if fuzz and isa.fuzz_state is not None:
            rep = fuzz_instructions(
                isa, fuzz, seed=seed, stepper=stepper, progress=bar("fuzzing instructions", fuzz)
            )
            console.print(
                f"fuzz: {rep.fuzz_checked} instructions, {rep.both_rejected} both rejected, "
                f"{len(rep.divergences)} divergences"
            )
            total.merge(rep)
        elif fuzz:
            console.print(f"[yellow]{isa.name} has no fuzz_state hook: fuzzing skipped[/yellow]")
    return total


def summary_table(report: ConformanceReport, title: str) -> Table:
    """One row: instructions checked (program witnesses + fuzzed), rejects, divergences, gas."""
    table = Table(title=title)
    columns = (
        "instructions\nchecked",
        "program\nwitnesses",
        "fuzzed",
        "both\nrejected",
        "divergences",
        "median\ngas",
    )
    for col in columns:
        table.add_column(col, justify="right")
    gas = report.median_gas
    table.add_row(
        str(report.instructions_checked),
        str(report.steps_checked),
        str(report.fuzz_checked),
        str(report.both_rejected),
        str(len(report.divergences)),
        f"{gas:,}" if gas is not None else "-",
    )
    return table


def family_table(report: ConformanceReport) -> Table:
    """Fuzzed instructions per family (riscv64c's ``@straddle`` cases are folded into their family)."""
    folded: Counter[str] = Counter()
    for family, n in report.families.items():
        folded[family.removesuffix("@straddle")] += n
    straddle = sum(n for f, n in report.families.items() if f.endswith("@straddle"))
    table = Table(title="fuzzed instruction families")
    table.add_column("family")
    table.add_column("cases", justify="right")
    for family, n in sorted(folded.items()):
        table.add_row(family, str(n))
    if straddle:
        table.add_row("(of which fetch straddles a leaf)", str(straddle))
    return table


def rejection_table(report: ConformanceReport) -> Table:
    table = Table(title="both rejected: VM reason -> contract reason")
    table.add_column("reasons")
    table.add_column("cases", justify="right")
    for reasons, n in report.rejections.most_common():
        table.add_row(reasons, str(n))
    return table
