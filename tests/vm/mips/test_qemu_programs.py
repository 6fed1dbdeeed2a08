"""Whole programs: every bundled guest gives the same stdout and exit code in our VM and under
``qemu-mips`` (Debian qemu-user, a real MIPS32 big-endian Linux user-mode emulator).

The guests talk to the world only through syscalls that mean the same on Linux and on Cannon
(write to fd 1, exit_group, anonymous mmap, and the preimage/hint pipes on fds 3-6), so their output
must agree byte for byte. Guests that read preimages (``preimage``, ``rollup``) run under qemu with
a :class:`LocalHost` on fds 3-6 (``run_native``) and in our VM with the same host object.

``compute`` runs ~141 M steps (~8 s in our VM), so it is slow-marked; the rest take ~8 s together.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from faultproof import guests
from faultproof.conformance.hosts import preimage_guest_host
from faultproof.preimage.host import LocalHost
from faultproof.preimage.native import run_native
from faultproof.vm.mips.loader import load_elf

QEMU = shutil.which("qemu-mips") or (
    "/usr/bin/qemu-mips" if Path("/usr/bin/qemu-mips").exists() else None
)

pytestmark = [
    pytest.mark.qemu,
    pytest.mark.skipif(QEMU is None, reason="qemu-mips (Debian qemu-user) is not installed"),
]

STEP_LIMIT = 400_000_000
"""Far above the longest guest (compute: ~141 M steps); a hang fails instead of blocking."""


def rollup_host(honest: bool) -> LocalHost:
    """The ``rollup`` guest's inputs: a 3-block demo chain and a claim about block 3."""
    from faultproof.demo.rollup import HashchainRollup, demo_batches

    rollup = HashchainRollup(demo_batches(3))
    claim = rollup.output_root(3) if honest else bytes(32)
    return rollup.host(rollup.output_root(1), claim, 3)


HOSTS: dict[str, Callable[[], LocalHost]] = {
    "preimage": preimage_guest_host,
    "rollup": lambda: rollup_host(honest=True),
    "rollup-dishonest": lambda: rollup_host(honest=False),
}


def elf_for(name: str) -> Path:
    program = name.split("-dishonest")[0]
    try:
        return guests.guest_elf(program, "mips32")
    except guests.ToolchainMissing as exc:
        pytest.skip(str(exc))


def run_in_vm(elf: Path, host: LocalHost | None) -> tuple[int, bytes]:
    out = io.BytesIO()
    vm = load_elf(elf, host=host, stdout=out)
    vm.run(STEP_LIMIT)
    assert vm.exited, f"{elf.name} did not exit within {STEP_LIMIT} steps"
    return vm.exit_code, out.getvalue()


def run_in_qemu(elf: Path, host: LocalHost | None) -> tuple[int, bytes]:
    assert QEMU is not None
    if host is not None:
        return run_native([QEMU, str(elf)], host, timeout=120)
    proc = subprocess.run([QEMU, str(elf)], capture_output=True, timeout=120, check=False)
    return proc.returncode, proc.stdout


def check_same(name: str) -> None:
    elf = elf_for(name)
    make_host = HOSTS.get(name)
    vm_code, vm_out = run_in_vm(elf, make_host() if make_host else None)
    qemu_code, qemu_out = run_in_qemu(elf, make_host() if make_host else None)
    assert vm_out == qemu_out, f"{name}: stdout differs\nvm:   {vm_out!r}\nqemu: {qemu_out!r}"
    assert vm_code == qemu_code, f"{name}: exit code vm {vm_code}, qemu {qemu_code}"
    assert vm_out, f"{name} printed nothing: the comparison would be vacuous"


@pytest.mark.parametrize(
    "name", ["hello", "exitcode", "heap", "preimage", "rollup", "rollup-dishonest"]
)
def test_c_guest_matches_qemu(name: str) -> None:
    check_same(name)


@pytest.mark.slow
def test_compute_guest_matches_qemu() -> None:
    check_same("compute")


@pytest.mark.go
@pytest.mark.parametrize("name", ["go-hello", "go-alloc"])
def test_go_guest_matches_qemu(name: str) -> None:
    """Go's runtime with Cannon's GC patches still prints what unpatched Go prints on Linux."""
    check_same(name)


def test_exit_codes_are_really_compared() -> None:
    """The guests used above do not all exit 0, so a VM that ignored exit_group would fail."""
    codes = {
        run_in_vm(elf_for(n), HOSTS[n]() if n in HOSTS else None)[0]
        for n in ("exitcode", "rollup-dishonest", "hello")
    }
    assert codes == {42, 1, 0}
