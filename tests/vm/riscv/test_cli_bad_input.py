"""Bad input through the command line: one clear line on stderr, exit code 2, no traceback.

Most cases run in-process (click's runner, with exceptions propagating so that a traceback would
fail the test); one case per kind also runs as a real process.
"""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof.cli import main
from faultproof.guests import guest_elf

ISAS = ["riscv64", "riscv64c"]


def process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from faultproof.cli import main; main()", *args],
        capture_output=True, text=True, timeout=120, cwd=cwd, check=False,
    )  # fmt: skip


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """In-process run (in `cwd`) with the same result shape as `process`."""
    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def rv32_elf() -> bytes:
    """A complete, runnable-looking RV32 program: ELFCLASS32, EM_RISCV, one PT_LOAD with code."""
    code = (0x05D00893).to_bytes(4, "little") + (0x00000073).to_bytes(4, "little")  # li a7,93; ecall
    ehsize, phentsize = 52, 32
    entry = 0x10000 + ehsize + phentsize
    ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    header = ident + struct.pack(
        "<HHIIIIIHHHHHH", 2, 243, 1, entry, ehsize, 0, 0, ehsize, phentsize, 1, 40, 0, 0
    )
    total = ehsize + phentsize + len(code)
    phdr = struct.pack("<8I", 1, 0, 0x10000, 0x10000, total, total, 5, 0x1000)
    return header + phdr + code


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("isa", ISAS)
def test_elf_for_another_machine_or_width_is_rejected(isa: str, tmp_path: Path) -> None:
    (tmp_path / "rv32.elf").write_bytes(rv32_elf())
    real = process if isa == "riscv64" else cli  # one real process per kind is enough
    proc = real("load-elf", "--type", isa, "--path", "rv32.elf", "--out", "s.json", cwd=tmp_path)
    assert_one_line_error(proc, "32-bit RISC-V", "rv32.elf")
    mips = str(guest_elf("hello", "mips32"))
    proc = cli("load-elf", "--type", isa, "--path", mips, "--out", "s.json", cwd=tmp_path)
    assert_one_line_error(proc, "MIPS", "EM_RISCV")
    host = str(guest_elf("hello", "host"))
    proc = cli("load-elf", "--type", isa, "--path", host, "--out", "s.json", cwd=tmp_path)
    assert_one_line_error(proc, "x86-64")
    (tmp_path / "cut.elf").write_bytes(guest_elf("hello", isa).read_bytes()[:40])
    proc = cli("load-elf", "--type", isa, "--path", "cut.elf", "--out", "s.json", cwd=tmp_path)
    assert_one_line_error(proc, "cut.elf")
    assert not (tmp_path / "s.json").exists()


@pytest.mark.parametrize("isa", ISAS)
def test_truncated_state_files_are_rejected(isa: str, tmp_path: Path) -> None:
    elf = str(guest_elf("hello", isa))
    for name in ("s.bin", "s.json"):
        ok = cli("load-elf", "--type", isa, "--path", elf, "--out", name, "--meta", "",
                 cwd=tmp_path)  # fmt: skip
        assert ok.returncode == 0, ok.stderr
    raw = (tmp_path / "s.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "cut.bin.gz").write_bytes(gzip.compress(raw)[:100])
    (tmp_path / "cut.json").write_text((tmp_path / "s.json").read_text()[:300])
    for bad in ("cut.bin", "cut.bin.gz", "cut.json"):
        proc = cli("run", "--type", isa, "--input", bad, "--output", "", cwd=tmp_path)
        assert_one_line_error(proc, bad)
        proc = cli("witness", "--type", isa, "--input", bad, cwd=tmp_path)
        assert_one_line_error(proc, bad)
    real = process if isa == "riscv64" else cli
    proc = real("run", "--type", isa, "--input", "cut.bin", "--output", "", cwd=tmp_path)
    assert_one_line_error(proc, "cut.bin")
    proc = cli("witness", "--type", isa, "--input", "s.bin", cwd=tmp_path)  # the intact file
    assert proc.returncode == 0 and '"step": 0' in proc.stdout
