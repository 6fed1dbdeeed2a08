"""Go guests (Debian golang-go, GOARCH=riscv64, Asterisc's soft-float flags) in the RISC-V VMs.

Go's riscv64 runtime keeps a few hand-written F/D loads and stores even with
``-gcflags=all=-d=softfloat``. Asterisc executes those as no-ops, so a program that reached them
would silently compute with missing values. These tests show that the guests never reach them:
every F/D instruction (and every zero padding parcel) is overwritten with an illegal word before
the run, so executing any of them would revert; the program still finishes with the output and
exit code it has under qemu-riscv64.
"""

from __future__ import annotations

import bisect
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.guest.guest_support import expected_go_alloc_output

from faultproof.guests import bad_instructions, find_go, guest_elf
from faultproof.vm.elf import parse_elf
from faultproof.vm.riscv.constants import (
    GO_PATCHED_SYMBOLS,
    GO_ZEROED_SYMBOL,
    RET_INSTRUCTION,
)
from faultproof.vm.riscv.loader import load_elf
from faultproof.vm.riscv.verify import post_state_hash
from faultproof.vm.riscv.vm import RiscvVM

pytestmark = [
    pytest.mark.go,
    pytest.mark.skipif(find_go() is None, reason="no Go toolchain (Debian golang-go)"),
]

# Runtime functions that hold F/D instructions in Go's riscv64 assembly, and why a guest on the
# VM never calls them: asyncPreempt runs only from a preemption signal (the VM has no signals);
# spillArgs/unspillArgs and reflect's float32 register moves serve reflect.MakeFunc/method-value
# calls with float arguments in FP registers, which soft-float code never passes.
FP_FUNCTIONS = {
    "runtime.asyncPreempt.abi0",
    "runtime.spillArgs.abi0",
    "runtime.unspillArgs.abi0",
    "reflect.archFloat32ToReg.abi0",
    "reflect.archFloat32FromReg.abi0",
}
TRAP_WORD = 0x0000_0000  # opcode 0: reverts 0xf001c0de (riscv64) / 0xbadc0de (riscv64c)


EXPECTED = {"go-hello": "hello world\n", "go-alloc": expected_go_alloc_output()}


def function_of(elf: bytes):  # type: ignore[no-untyped-def]
    syms = sorted((s.value, s.name) for s in parse_elf(elf).symbols if s.value)
    starts = [a for a, _ in syms]
    return lambda addr: syms[bisect.bisect_right(starts, addr) - 1][1]


def load(name: str, isa: str, trap_fp: bool) -> tuple[RiscvVM, io.BytesIO]:
    path = guest_elf(name, "riscv64")
    out = io.BytesIO()
    vm = load_elf(path, stdout=out, stderr=out, compressed=isa == "riscv64c")
    if trap_fp:
        for bad in bad_instructions(path.read_bytes()):
            size = 2 if bad.reason == "compressed instruction" else 4
            vm.memory.write(bad.address, TRAP_WORD.to_bytes(size, "little"))
        vm.memory.invalidate()
    return vm, out


@pytest.mark.parametrize("name", ["go-hello", "go-alloc"])
def test_fp_code_is_only_in_runtime_functions_a_guest_never_calls(name: str) -> None:
    elf = guest_elf(name, "riscv64").read_bytes()
    assert parse_elf(elf).machine == 243 and elf[4] == 2
    where = function_of(elf)
    bad = bad_instructions(elf)
    fp = [b for b in bad if b.reason != "compressed instruction"]
    assert fp, "the scan found no F/D code at all: Go's runtime assembly has some"
    assert {where(b.address) for b in fp} <= FP_FUNCTIONS
    # Everything else the scan reports is the zero padding between functions, not code.
    assert {b.word for b in bad if b.reason == "compressed instruction"} <= {0}


@pytest.mark.parametrize("isa", ["riscv64", "riscv64c"])
@pytest.mark.parametrize("name", ["go-hello", "go-alloc"])
def test_go_guest_runs_without_ever_executing_fp_code(name: str, isa: str) -> None:
    vm, out = load(name, isa, trap_fp=True)
    vm.run()
    assert vm.exited and vm.exit_code == 0
    assert out.getvalue().decode() == EXPECTED[name]


def test_go_runtime_patches_are_applied() -> None:
    """Asterisc's PatchVM: GC enable, forcegc, sysmon, sweep credit, runtime.check return at once."""
    path = guest_elf("go-hello", "riscv64")
    elf = parse_elf(path.read_bytes())
    vm = load_elf(path)
    by_name = {s.name: s.value for s in elf.symbols}
    patched = [n for n in GO_PATCHED_SYMBOLS if n in by_name]
    assert {"runtime.gcenable", "runtime.main.func1", "runtime.check"} <= set(patched)
    for n in patched:
        assert vm.memory.read(by_name[n], 4) == RET_INSTRUCTION.to_bytes(4, "little"), n
    assert vm.memory.read(by_name[GO_ZEROED_SYMBOL], 8) == bytes(8)
    unpatched = load_elf(path, patch=False)
    assert unpatched.memory.read(by_name["runtime.gcenable"], 4) != vm.memory.read(
        by_name["runtime.gcenable"], 4
    )


def test_go_hello_witnesses_verify() -> None:
    """The first Go runtime steps: the witness alone gives the VM's post-state hash."""
    vm, _ = load("go-hello", "riscv64", trap_fp=False)
    for _ in range(100):
        w = vm.step(proof=True)
        assert w is not None
        assert post_state_hash(w) == vm.state_hash(), f"step {w.step}"


@pytest.mark.slow
def test_go_hello_syscall_witnesses_verify() -> None:
    """Every ECALL of the Go runtime's start-up and exit, witnessed and recomputed."""
    vm, _ = load("go-hello", "riscv64", trap_fp=False)
    syscalls = 0
    while not vm.exited:
        if int.from_bytes(vm.memory.read(vm.pc, 4), "little") == 0x73:
            w = vm.step(proof=True)
            assert w is not None and post_state_hash(w) == vm.state_hash()
            syscalls += 1
        else:
            vm.run(1)
    assert syscalls > 10


def _qemu(elf: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["qemu-riscv64", str(elf)], capture_output=True, timeout=300)


@pytest.mark.qemu
@pytest.mark.skipif(shutil.which("qemu-riscv64") is None, reason="needs Debian qemu-user")
@pytest.mark.parametrize("isa", ["riscv64", "riscv64c"])
@pytest.mark.parametrize("name", ["go-hello", "go-alloc"])
def test_go_guest_matches_qemu(name: str, isa: str) -> None:
    """The unmodified program: same stdout and exit code as under qemu-riscv64."""
    ref = _qemu(guest_elf(name, "riscv64"))
    vm, out = load(name, isa, trap_fp=False)
    vm.run()
    assert vm.exited
    assert (out.getvalue(), vm.exit_code) == (ref.stdout + ref.stderr, ref.returncode)
    assert ref.stdout.decode() == EXPECTED[name]
