"""Program runs and instruction fuzzing, VM vs step contract.

Nothing here knows an instruction set: programs come from :mod:`faultproof.conformance.programs`
by ISA name, fuzz states from the ISA's ``fuzz_state`` hook, and the contract from its
``step_contract``. Registering an ISA with those is all it takes to get the whole kit.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faultproof.conformance.fuzzing import fuzz_case, refused_step_witness
from faultproof.conformance.onchain import OnChainStepper, StepOutcome
from faultproof.conformance.programs import GuestProgram
from faultproof.errors import FaultproofError, VMException
from faultproof.vm.interface import FPVM, ISA, StepWitness

ProgressCallback = Callable[[int, int], None]
"""``progress(done, total)``, called after each checked witness."""


class ConformanceError(FaultproofError):
    """The kit cannot run as asked (no fuzz hook, a program the VM cannot execute, ...)."""


@dataclass
class Divergence:
    """One witness on which the VM and the contract disagree, with everything needed to replay it."""

    source: str
    """Program name, or ``fuzz:<family>``."""
    step: int
    vm_result: str
    """Post-state hash, or ``revert: <reason>`` when the VM refused the step."""
    contract_result: str
    state: str
    proof: str
    preimage: str = ""
    """``key@offset`` of the preimage loaded into the oracle, if any."""

    def describe(self) -> str:
        return (
            f"{self.source} step {self.step}: vm={self.vm_result} contract={self.contract_result}"
            f"\n  state=0x{self.state}\n  proof={len(self.proof) // 2} bytes"
            + (f"\n  preimage={self.preimage}" if self.preimage else "")
        )


@dataclass
class ProgramResult:
    name: str
    total_steps: int
    checked: int
    divergences: int


@dataclass
class ConformanceReport:
    isa: str
    steps_checked: int = 0
    """Program witnesses the contract verified."""
    fuzz_checked: int = 0
    both_rejected: int = 0
    divergences: list[Divergence] = field(default_factory=list)
    gas: list[int] = field(default_factory=list)
    programs: list[ProgramResult] = field(default_factory=list)
    families: Counter[str] = field(default_factory=Counter)
    """Fuzzed instructions per family (what the hook said it generated)."""
    rejections: Counter[str] = field(default_factory=Counter)
    """``vm reason -> contract reason`` for every both-rejected case: a contract refusing for a
    different reason than the VM (say a missing proof instead of an invalid instruction) shows here."""
    rejected_families: Counter[str] = field(default_factory=Counter)
    """Both-rejected cases per family."""

    @property
    def ok(self) -> bool:
        return not self.divergences

    @property
    def instructions_checked(self) -> int:
        return self.steps_checked + self.fuzz_checked

    @property
    def median_gas(self) -> int | None:
        if not self.gas:
            return None
        ordered = sorted(self.gas)
        return ordered[len(ordered) // 2]

    def merge(self, other: ConformanceReport) -> None:
        self.steps_checked += other.steps_checked
        self.fuzz_checked += other.fuzz_checked
        self.both_rejected += other.both_rejected
        self.divergences += other.divergences
        self.gas += other.gas
        self.programs += other.programs
        self.families.update(other.families)
        self.rejections.update(other.rejections)
        self.rejected_families.update(other.rejected_families)


def sample_steps(total: int, budget: int, rng: random.Random) -> list[int]:
    """Every step when the program is short, else the first steps, the last ones and a random spread."""
    if total <= budget:
        return list(range(total))
    edge = max(1, budget // 10)
    picks = set(range(edge)) | set(range(max(0, total - edge), total))
    while len(picks) < budget:
        picks.add(rng.randrange(total))
    return sorted(picks)


def _hex(data: bytes | None) -> str:
    return "0x" + (data or b"").hex()


def _preimage_note(witness: StepWitness) -> str:
    if witness.preimage_key is None:
        return ""
    value = witness.preimage_value or b""
    return f"0x{witness.preimage_key.hex()}@{witness.preimage_offset} ({len(value) - 8} bytes)"


def _divergence(
    source: str, witness: StepWitness, vm_result: str, outcome: StepOutcome
) -> Divergence:
    contract = _hex(outcome.post_hash) if outcome.post_hash else f"revert: {outcome.error}"
    return Divergence(
        source,
        witness.step,
        vm_result,
        contract,
        witness.state.hex(),
        witness.proof.hex(),
        _preimage_note(witness),
    )


def _check_one(stepper: OnChainStepper, vm: FPVM, report: ConformanceReport, source: str) -> None:
    step_no = vm.step_count
    try:
        witness = vm.step(proof=True)
    except VMException as exc:
        raise ConformanceError(
            f"{source}: the VM refused step {step_no} ({exc}); a bundled program must run to exit"
        ) from exc
    if witness is None:
        raise ConformanceError(f"{source}: the VM returned no witness for step {step_no}")
    post = vm.state_hash()
    outcome = stepper.step(witness)
    report.steps_checked += 1
    report.gas.append(outcome.gas_used)
    if outcome.post_hash != post:
        report.divergences.append(_divergence(source, witness, _hex(post), outcome))


def check_program(
    isa: ISA,
    elf: Path,
    *,
    stepper: OnChainStepper | None = None,
    host: Any = None,
    host_factory: Callable[[], Any] | None = None,
    budget: int = 200,
    max_steps: int = 1_000_000_000,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> ConformanceReport:
    """Run ``elf`` and check ``budget`` sampled steps on chain (every step of a short program).

    The sample always holds the first and the last steps, and one more witness is taken on the
    exited state (the contract must return it unchanged). ``host_factory`` gives each of the two
    runs (count, then check) a fresh host; a plain ``host`` is shared.
    """
    stepper = stepper or OnChainStepper(isa)
    rng = random.Random(seed)

    def new_host() -> Any:
        return host_factory() if host_factory is not None else host

    total, refused = _program_length(isa, elf, new_host, max_steps)
    steps = sample_steps(total, budget, rng)
    vm = isa.load_elf(elf, host=new_host())
    report = ConformanceReport(isa.name)
    for i, target in enumerate(steps):
        if target > vm.step_count:
            vm.run(max_steps=target - vm.step_count)
        _check_one(stepper, vm, report, elf.name)
        if progress:
            progress(i + 1, len(steps))
    if vm.exited and steps:
        _check_one(stepper, vm, report, elf.name)  # a step on the exited state is a no-op
    if refused:
        if total > vm.step_count:
            vm.run(max_steps=total - vm.step_count)
        _check_refused(stepper, vm, report, elf.name)
    report.programs.append(
        ProgramResult(elf.name, total, report.steps_checked, len(report.divergences))
    )
    return report


def _check_refused(
    stepper: OnChainStepper, vm: FPVM, report: ConformanceReport, source: str
) -> None:
    """The step the VM refuses, where the program stops: the contract must refuse it too.

    Both refusing is agreement (counted with the fuzzer's both-rejected cases); the contract
    executing a step the VM cannot prove is a divergence. The witness is the pre-state with the
    proofs the VM asked for before refusing, as for fuzzed refusals.
    """
    pre = vm.snapshot()
    try:
        vm.step(proof=True)
    except VMException as exc:
        refusal = _vm_reason(exc)
    else:
        raise ConformanceError(f"{source}: the VM refused step {pre.step_count} only once")
    witness = refused_step_witness(pre, None)
    outcome = stepper.step(witness)
    report.steps_checked += 1
    report.gas.append(outcome.gas_used)
    if outcome.reverted:
        report.both_rejected += 1
        report.rejections[f"{refusal} -> {outcome.error}"] += 1
    else:
        report.divergences.append(_divergence(source, witness, f"revert: {refusal}", outcome))


_LENGTHS: dict[tuple[str, str, int, int, str], tuple[int, bool]] = {}


def _program_length(
    isa: ISA, elf: Path, new_host: Callable[[], Any], max_steps: int
) -> tuple[int, bool]:
    """Steps until exit, or until the step the VM refuses (then True): sampling needs it before
    the checked run. Remembered per process."""
    stat = elf.stat()
    host = new_host()
    key = (isa.name, str(elf.resolve()), stat.st_mtime_ns, stat.st_size, type(host).__name__)
    if key not in _LENGTHS:
        probe = isa.load_elf(elf, host=host)
        try:
            probe.run(max_steps=max_steps)
        except VMException:
            _LENGTHS[key] = (probe.step_count, True)
            return _LENGTHS[key]
        if not probe.exited:
            raise ConformanceError(f"{elf.name} did not exit within {max_steps} steps")
        _LENGTHS[key] = (probe.step_count, False)
    return _LENGTHS[key]


def fuzz_instructions(
    isa: ISA,
    count: int,
    *,
    seed: int = 0,
    stepper: OnChainStepper | None = None,
    progress: ProgressCallback | None = None,
) -> ConformanceReport:
    """Random single instructions: VM and contract must agree on the post-state or both reject.

    A case diverges when the post-state hashes differ, when only the contract reverts, or when
    the VM refuses a step the contract executes. A refused step is sent to the contract with the
    pre-state and the proofs the VM asked for before refusing (the hook's ``rejected_witness``).
    """
    if isa.fuzz_state is None:
        raise ConformanceError(
            f"ISA {isa.name} has no fuzz_state hook; only program checks are possible"
        )
    stepper = stepper or OnChainStepper(isa)
    rng = random.Random(seed)
    report = ConformanceReport(isa.name)
    for i in range(count):
        vm = isa.fuzz_state(rng)
        case = fuzz_case(vm)
        family = case.family if case else "unlabelled"
        source = f"fuzz:{family}"
        refusal: str | None = None
        post: bytes | None = None
        try:
            witness = vm.step(proof=True)
            post = vm.state_hash()
        except VMException as exc:
            if case is None:
                raise ConformanceError(
                    f"{isa.name}: the VM refused a fuzzed step and the hook gave no way to "
                    "build its witness (attach a FuzzCase with faultproof.conformance.fuzzing)"
                ) from exc
            refusal = _vm_reason(exc)
            witness = case.rejected_witness()
        if witness is None:
            raise ConformanceError(f"{isa.name}: the VM returned no witness for a fuzzed step")
        outcome = stepper.step(witness)
        report.fuzz_checked += 1
        report.families[family] += 1
        report.gas.append(outcome.gas_used)
        if refusal is not None and outcome.reverted:
            report.both_rejected += 1
            report.rejections[f"{refusal} -> {outcome.error}"] += 1
            report.rejected_families[family] += 1
        elif refusal is not None:
            report.divergences.append(_divergence(source, witness, f"revert: {refusal}", outcome))
        elif outcome.post_hash != post:
            report.divergences.append(_divergence(source, witness, _hex(post), outcome))
        if progress:
            progress(i + 1, count)
    return report


def _vm_reason(exc: VMException) -> str:
    code = getattr(exc, "code", None)
    name = type(exc).__name__
    return f"{name}(0x{code:x})" if isinstance(code, int) else name


def check_programs(
    isa: ISA,
    programs: list[GuestProgram],
    *,
    budget: int = 200,
    seed: int = 0,
    stepper: OnChainStepper | None = None,
    on_program: Callable[[GuestProgram, ConformanceReport], None] | None = None,
    progress: Callable[[GuestProgram], ProgressCallback | None] | None = None,
) -> ConformanceReport:
    """:func:`check_program` over several programs on one chain, merged into one report."""
    stepper = stepper or OnChainStepper(isa)
    total = ConformanceReport(isa.name)
    for program in programs:
        rep = check_program(
            isa,
            program.elf,
            stepper=stepper,
            host_factory=program.host_factory,
            budget=budget,
            seed=seed,
            progress=progress(program) if progress else None,
        )
        if on_program:
            on_program(program, rep)
        total.merge(rep)
    return total
