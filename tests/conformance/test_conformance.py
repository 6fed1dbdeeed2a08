"""The conformance kit: every registered ISA's VM agrees with its step contract, and the kit can fail.

The bounded runs here are the CI figure (program witnesses + fuzzed instructions per ISA, zero
divergences); ``-m slow`` runs the long version. The broken-VM tests show that a wrong post-state,
a wrong refusal and a wrong contract answer each surface as divergences.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from click.testing import CliRunner

from faultproof.cli import main
from faultproof.conformance.fuzzing import fuzz_case
from faultproof.conformance.kit import (
    ConformanceReport,
    check_program,
    check_programs,
    fuzz_instructions,
)
from faultproof.conformance.onchain import DEFAULT_LOCAL_CONTEXT, OnChainStepper, StepOutcome
from faultproof.conformance.programs import bundled_programs
from faultproof.errors import VMException
from faultproof.vm.interface import FPVM, ISA, StepWitness, all_isas

ISAS = [isa.name for isa in all_isas()]
SHORT_GUESTS = ("hello", "exitcode", "preimage", "rollup", "go-hello")
"""Guests that finish in well under a million steps (compute, heap, go-alloc run in the slow test)."""
CI_WITNESSES = 12  # per program: ~60 program witnesses per ISA
CI_FUZZ = 300


# cannon-mips32.md §3.5 / §4.3 and contracts/step/README.md: the revert each VM exception means.
MIPS_REVERTS = {
    0x1: "Error(invalid instruction)",
    0x2: "Error(branch in delay slot)",
    0x3: "Error(jump in delay slot)",
    0x4: "Error(MIPS: division by zero)",
    0x5: "revert (no data)",  # unaligned pc: MIPS.sol's revert(0, 0) on the fetch address
    0x6: "Error(pre-image must exist)",  # the oracle has no part past the end
}


def _same_reason(isa_name: str, reasons: str) -> bool:
    """Whether a both-rejected case was refused for the same reason on both sides."""
    vm, contract = reasons.split(" -> ")
    code = int(vm[vm.index("(") + 1 : -1], 16)
    if isa_name == "mips32":
        return MIPS_REVERTS.get(code) == contract
    return contract == f"code 0x{code:x}"  # RISC-V: the VM's revert code is the on-chain code


def _isa(name: str) -> ISA:
    return next(isa for isa in all_isas() if isa.name == name)


@pytest.mark.parametrize("isa_name", ISAS)
def test_bounded_conformance_run_finds_no_divergence(isa_name: str) -> None:
    isa = _isa(isa_name)
    stepper = OnChainStepper(isa)
    found = bundled_programs(isa.name)
    programs = [p for p in found.programs if p.name in SHORT_GUESTS]
    assert {"hello", "exitcode", "preimage"} <= {p.name for p in programs}, found.skipped
    report = check_programs(isa, programs, budget=CI_WITNESSES, stepper=stepper)
    report.merge(fuzz_instructions(isa, CI_FUZZ, seed=1, stepper=stepper))

    assert report.divergences == [], "\n".join(d.describe() for d in report.divergences[:3])
    assert report.steps_checked >= len(programs) * CI_WITNESSES
    assert all(p.checked > CI_WITNESSES for p in report.programs)  # sample + exited state
    assert report.fuzz_checked == CI_FUZZ
    # invalid encodings were generated and both sides refused them
    assert report.rejected_families["invalid"] > 0, report.rejected_families
    assert report.both_rejected < report.fuzz_checked / 2  # most cases really execute
    mismatched = [r for r in report.rejections if not _same_reason(isa.name, r)]
    assert not mismatched, mismatched
    # the families the brief asks for were all exercised
    families = {f.removesuffix("@straddle") for f in report.families}
    assert {"load", "store", "syscall-read-preimage", "invalid"} <= families, families


@pytest.mark.parametrize("isa_name", ISAS)
def test_program_checks_include_the_first_and_last_steps(isa_name: str) -> None:
    """hello is short: every step is checked, then the exited state (a no-op step on chain)."""
    isa = _isa(isa_name)
    hello = next(p for p in bundled_programs(isa.name, go=False).programs if p.name == "hello")
    report = check_program(isa, hello.elf, budget=10_000)
    (result,) = report.programs
    assert result.checked == result.total_steps + 1
    assert report.ok


def _step_corrupting(isa: ISA) -> ISA:
    """The ISA with a fuzz hook whose VM writes one wrong bit after every accepted step."""
    assert isa.fuzz_state is not None
    inner = isa.fuzz_state

    def broken_state(rng: random.Random) -> FPVM:
        vm = inner(rng)
        step = vm.step

        def step_then_flip(proof: bool = False) -> StepWitness | None:
            witness = step(proof)
            regs = vm.regs  # type: ignore[attr-defined]  # both VM classes keep a numpy array
            regs[7] ^= 1 << 4
            return witness

        vm.step = step_then_flip  # type: ignore[method-assign]
        return vm

    return dataclasses.replace(isa, fuzz_state=broken_state)


@pytest.mark.parametrize("isa_name", ISAS)
def test_a_vm_with_a_wrong_post_state_is_reported(isa_name: str) -> None:
    report = fuzz_instructions(_step_corrupting(_isa(isa_name)), 25, seed=3)
    accepted = report.fuzz_checked - report.both_rejected
    assert accepted > 0
    assert len(report.divergences) == accepted
    assert not report.ok


def test_a_vm_that_refuses_a_valid_step_is_reported() -> None:
    isa = _isa("mips32")
    assert isa.fuzz_state is not None
    inner = isa.fuzz_state

    def refusing_state(rng: random.Random) -> FPVM:
        vm = inner(rng)

        def refuse(proof: bool = False) -> StepWitness | None:
            raise VMException("refused on purpose")

        vm.step = refuse  # type: ignore[method-assign]
        return vm

    report = fuzz_instructions(dataclasses.replace(isa, fuzz_state=refusing_state), 30, seed=4)
    # every case the real VM accepts is now a VM-only refusal, which the contract executes
    assert report.divergences
    assert all(d.vm_result.startswith("revert:") for d in report.divergences)
    assert all(not d.contract_result.startswith("revert") for d in report.divergences)


class _BitFlippingStepper(OnChainStepper):
    """A contract result with one bit flipped: what a buggy step contract would return."""

    def step(
        self, witness: StepWitness, local_context: bytes = DEFAULT_LOCAL_CONTEXT
    ) -> StepOutcome:
        outcome = super().step(witness, local_context)
        if outcome.post_hash is None:
            return outcome
        flipped = bytes([outcome.post_hash[0], outcome.post_hash[1] ^ 1]) + outcome.post_hash[2:]
        return StepOutcome(flipped, outcome.gas_used)


def test_a_contract_answering_differently_is_reported_in_program_checks() -> None:
    isa = _isa("mips32")
    hello = next(p for p in bundled_programs(isa.name, go=False).programs if p.name == "hello")
    report = check_program(isa, hello.elf, budget=5, stepper=_BitFlippingStepper(isa))
    assert len(report.divergences) == report.steps_checked > 0
    assert report.programs[0].divergences == report.steps_checked


def test_fuzz_states_are_deterministic_per_seed() -> None:
    for isa in all_isas():
        assert isa.fuzz_state is not None
        a = [isa.fuzz_state(random.Random(9)).state_hash() for _ in range(3)]
        b = [isa.fuzz_state(random.Random(9)).state_hash() for _ in range(3)]
        assert a == b
        vm = isa.fuzz_state(random.Random(10))
        case = fuzz_case(vm)
        assert case is not None and case.preimage is not None
        assert type(vm).__name__ in ("MipsVM", "RiscvVM")


def test_riscv64c_fuzz_covers_compressed_and_leaf_straddling_fetches() -> None:
    isa = _isa("riscv64c")
    assert isa.fuzz_state is not None
    rng = random.Random(5)
    families = [c.family for c in (fuzz_case(isa.fuzz_state(rng)) for _ in range(200)) if c]
    assert any(f.startswith("compressed") for f in families)
    assert "compressed-reserved" in families
    assert any(f.endswith("@straddle") for f in families)


def test_a_new_isa_entry_gets_the_kit_without_kit_changes() -> None:
    """An ISA the kit has never seen (a renamed copy of mips32): fuzzing and program checks run
    from the ISA entry alone; bundled guests are looked up by name, and a missing target is a note."""
    isa = dataclasses.replace(_isa("mips32"), name="mips32-clone", game_type=0x4D)
    found = bundled_programs(isa.name)
    assert found.programs == [] and found.skipped
    report = fuzz_instructions(isa, 20, seed=6)
    assert report.isa == "mips32-clone" and report.fuzz_checked == 20 and report.ok
    hello = next(p for p in bundled_programs("mips32", go=False).programs if p.name == "hello")
    assert check_program(isa, hello.elf, budget=5).ok


def test_cli_conformance_exits_zero_and_prints_the_table() -> None:
    result = CliRunner().invoke(
        main, ["conformance", "--isa", "mips32", "--steps", "20", "--fuzz", "50"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "conformance: mips32 vs MIPS32.vy" in out
    for column in ("instructions", "fuzzed", "rejected", "divergences", "median"):
        assert column in out
    row = out.splitlines()[-2]  # the table's only data row
    checked, witnesses, fuzzed, rejected, divergences = row.split("│")[1:6]
    assert int(fuzzed) == 50 and int(divergences) == 0 and int(rejected) > 0
    assert int(checked) == int(witnesses) + 50 and int(witnesses) > 8 * 20
    assert "hello: 21 witnesses" in result.output  # per-program line (stderr is mixed in)


def test_cli_conformance_exits_one_on_divergence(monkeypatch: pytest.MonkeyPatch) -> None:
    import faultproof.conformance.console as console

    monkeypatch.setattr(console, "OnChainStepper", _BitFlippingStepper)
    hello = next(p for p in bundled_programs("mips32", go=False).programs if p.name == "hello")
    result = CliRunner().invoke(
        main,
        ["conformance", "--isa", "mips32", "--program", str(hello.elf), "--steps", "3",
         "--fuzz", "0"],
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "divergence" in result.output


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~4-8 min per ISA on a 2-core machine; above the 300 s default
@pytest.mark.parametrize("isa_name", ISAS)
def test_long_conformance_run(isa_name: str) -> None:
    """Every bundled guest (200 witnesses each) and 3000 fuzzed instructions."""
    isa = _isa(isa_name)
    stepper = OnChainStepper(isa)
    report = ConformanceReport(isa.name)
    report.merge(
        check_programs(isa, bundled_programs(isa.name).programs, budget=200, stepper=stepper)
    )
    report.merge(fuzz_instructions(isa, 3000, seed=2024, stepper=stepper))
    assert report.divergences == [], "\n".join(d.describe() for d in report.divergences[:3])
    assert report.fuzz_checked == 3000
    assert report.rejected_families["invalid"] > 0
