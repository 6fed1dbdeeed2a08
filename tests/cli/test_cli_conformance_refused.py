"""Issue 13: ``faultproof conformance --program ELF`` on a program that reaches a step the VM
refuses sends that step to the contract too and counts both refusing as agreement (it used to stop
with "error: revert ...")."""

from __future__ import annotations

import struct
from pathlib import Path

from click.testing import CliRunner

from faultproof.cli import main
from faultproof.conformance.kit import check_program
from faultproof.guests import guest_elf
from faultproof.vm import get_isa

INVALID_MIPS = 0xFC000000  # opcode 0x3f: no MIPS32 instruction; Cannon and MIPS.sol refuse it


def with_invalid_entry(elf: bytes) -> bytes:
    """A 32-bit big-endian ELF whose first instruction is an invalid one."""
    entry = struct.unpack_from(">I", elf, 24)[0]
    phoff = struct.unpack_from(">I", elf, 28)[0]
    phentsize, phnum = struct.unpack_from(">HH", elf, 42)
    for i in range(phnum):
        p_type, p_offset, p_vaddr, _, p_filesz, *_ = struct.unpack_from(
            ">IIIIIIII", elf, phoff + i * phentsize
        )
        if p_type == 1 and p_vaddr <= entry < p_vaddr + p_filesz:
            out = bytearray(elf)
            struct.pack_into(">I", out, p_offset + entry - p_vaddr, INVALID_MIPS)
            return bytes(out)
    raise AssertionError("entry not in a PT_LOAD segment")


def test_a_refused_step_is_checked_on_chain_and_both_refusing_agree(tmp_path: Path) -> None:
    elf = tmp_path / "invalid.elf"
    elf.write_bytes(with_invalid_entry(guest_elf("compute", "mips32").read_bytes()))
    report = check_program(get_isa("mips32"), elf, budget=5)
    assert report.ok, [d.describe() for d in report.divergences]
    assert report.both_rejected == 1 and report.steps_checked == 1
    result = CliRunner().invoke(
        main, ["conformance", "--isa", "mips32", "--program", str(elf), "--fuzz", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "revert" not in result.stderr
