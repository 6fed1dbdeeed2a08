"""Program runs and instruction fuzzing, VM vs step contract."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faultproof.conformance.onchain import OnChainStepper
from faultproof.errors import FaultproofError, VMException
from faultproof.vm.interface import FPVM, ISA


@dataclass
class Divergence:
    source: str
    step: int
    vm_result: str
    contract_result: str
    state: str
    proof: str


@dataclass
class ConformanceReport:
    isa: str
    steps_checked: int = 0
    fuzz_checked: int = 0
    both_rejected: int = 0
    divergences: list[Divergence] = field(default_factory=list)
    gas: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.divergences

    def merge(self, other: ConformanceReport) -> None:
        self.steps_checked += other.steps_checked
        self.fuzz_checked += other.fuzz_checked
        self.both_rejected += other.both_rejected
        self.divergences += other.divergences
        self.gas += other.gas


def sample_steps(total: int, budget: int, rng: random.Random) -> list[int]:
    """Every step when the program is short, else the first steps, the last ones and a random spread."""
    if total <= budget:
        return list(range(total))
    edge = max(1, budget // 10)
    picks = set(range(edge)) | set(range(max(0, total - edge), total))
    while len(picks) < budget:
        picks.add(rng.randrange(total))
    return sorted(picks)


def _check_one(stepper: OnChainStepper, vm: FPVM, report: ConformanceReport, source: str) -> None:
    step_no = vm.step_count
    try:
        witness = vm.step(proof=True)
    except VMException as exc:
        # The VM refused this step; the contract must refuse it too. Without a witness there is
        # nothing to send, so the program-level check stops here.
        raise FaultproofError(f"{source}: VM raised at step {step_no}: {exc}") from exc
    assert witness is not None
    post = vm.state_hash()
    outcome = stepper.step(witness)
    report.steps_checked += 1
    report.gas.append(outcome.gas_used)
    if outcome.post_hash != post:
        report.divergences.append(
            Divergence(
                source,
                step_no,
                "0x" + post.hex(),
                outcome.error or "0x" + (outcome.post_hash or b"").hex(),
                "0x" + witness.state.hex(),
                "0x" + witness.proof.hex(),
            )
        )


def check_program(
    isa: ISA,
    elf: Path,
    *,
    stepper: OnChainStepper | None = None,
    host: Any = None,
    budget: int = 200,
    max_steps: int = 50_000_000,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ConformanceReport:
    """Run ``elf`` and check ``budget`` sampled steps (all steps for short programs) on chain."""
    stepper = stepper or OnChainStepper(isa)
    rng = random.Random(seed)
    probe = isa.load_elf(elf, host=host)
    total = probe.run(max_steps=max_steps)
    steps = sample_steps(total, budget, rng)
    vm = isa.load_elf(elf, host=host)
    report = ConformanceReport(isa.name)
    for i, target in enumerate(steps):
        if target > vm.step_count:
            vm.run(max_steps=target - vm.step_count)
        if vm.exited:
            break
        _check_one(stepper, vm, report, elf.name)
        if progress:
            progress(i + 1, len(steps))
    return report


def fuzz_instructions(
    isa: ISA, count: int, *, seed: int = 0, stepper: OnChainStepper | None = None
) -> ConformanceReport:
    """Random single instructions: VM and contract must agree on the post-state or both reject."""
    if isa.fuzz_state is None:
        raise FaultproofError(
            f"ISA {isa.name} has no fuzz_state hook; only program checks are possible"
        )
    stepper = stepper or OnChainStepper(isa)
    rng = random.Random(seed)
    report = ConformanceReport(isa.name)
    for _ in range(count):
        vm = isa.fuzz_state(rng)
        snapshot = vm.snapshot()
        try:
            witness = vm.step(proof=True)
            assert witness is not None
            post: bytes | None = vm.state_hash()
        except VMException:
            # Build the witness the contract would get: the pre-state and its proofs, from a copy
            # that only takes the proofs. The contract must revert on it.
            witness, post = _rejected_witness(snapshot), None
        report.fuzz_checked += 1
        if witness is None:
            report.both_rejected += 1
            continue
        outcome = stepper.step(witness)
        report.gas.append(outcome.gas_used)
        if post is None and outcome.reverted:
            report.both_rejected += 1
        elif outcome.post_hash != post:
            report.divergences.append(
                Divergence(
                    "fuzz",
                    witness.step,
                    "revert" if post is None else "0x" + post.hex(),
                    outcome.error or "0x" + (outcome.post_hash or b"").hex(),
                    "0x" + witness.state.hex(),
                    "0x" + witness.proof.hex(),
                )
            )
    return report


def _rejected_witness(vm: FPVM) -> Any:
    """A witness for a step the VM refuses, when the VM can produce one (``witness_for_rejected``)."""
    fn = getattr(vm, "witness_for_rejected", None)
    return fn() if fn is not None else None
