"""Built guests contain only instructions their VM executes, and ELF layouts its loader
accepts. The scanner itself is checked against planted instructions, so a scanner that
found nothing could not pass silently."""

from __future__ import annotations

import struct

import pytest

from faultproof.guests import (
    GUEST_NAMES,
    GuestBuildError,
    bad_instructions,
    executable_sections,
    guest_elf,
)

PT_LOAD = 1
PT_MIPS_ABIFLAGS = 0x70000003
HEAP_START = 0x05000000  # cannon-mips32.md 6.1


def _program_headers(elf: bytes) -> list[tuple[int, ...]]:
    """(type, offset, vaddr, filesz, memsz) for each program header of a 32/64-bit ELF."""
    order = ">" if elf[5] == 2 else "<"
    if elf[4] == 1:
        phoff = struct.unpack_from(order + "I", elf, 0x1C)[0]
        phentsize, phnum = struct.unpack_from(order + "HH", elf, 0x2A)
        rows = [struct.unpack_from(order + "8I", elf, phoff + i * phentsize) for i in range(phnum)]
        return [(r[0], r[1], r[2], r[4], r[5]) for r in rows]
    phoff = struct.unpack_from(order + "Q", elf, 0x20)[0]
    phentsize, phnum = struct.unpack_from(order + "HH", elf, 0x36)
    rows = [
        struct.unpack_from(order + "IIQQQQQQ", elf, phoff + i * phentsize) for i in range(phnum)
    ]
    return [(r[0], r[2], r[3], r[5], r[6]) for r in rows]


@pytest.mark.parametrize("name", GUEST_NAMES)
def test_mips_guest_has_only_cannon_instructions(name: str) -> None:
    elf = guest_elf(name, "mips32").read_bytes()
    assert executable_sections(elf), "no executable section found"
    assert [str(b) for b in bad_instructions(elf)] == []


@pytest.mark.parametrize("name", GUEST_NAMES)
def test_mips_guest_layout_is_loadable_by_cannon(name: str) -> None:
    elf = guest_elf(name, "mips32").read_bytes()
    assert elf[4:6] == b"\x01\x02", "want ELFCLASS32, big-endian"
    assert struct.unpack_from(">H", elf, 18)[0] == 8  # EM_MIPS
    for p_type, _, vaddr, filesz, memsz in _program_headers(elf):
        if p_type == PT_MIPS_ABIFLAGS:
            continue
        if p_type == PT_LOAD:
            assert filesz <= memsz
            assert vaddr + memsz < HEAP_START, f"segment at {vaddr:#x} overlaps the heap"
        else:
            assert filesz == memsz, f"header type {p_type:#x} has filesz != memsz"


@pytest.mark.parametrize("target", ["riscv64", "riscv64c"])
@pytest.mark.parametrize("name", GUEST_NAMES)
def test_riscv_guest_has_no_fp_and_compression_only_when_asked(name: str, target: str) -> None:
    elf = guest_elf(name, target).read_bytes()
    assert elf[4:6] == b"\x02\x01" and struct.unpack_from("<H", elf, 18)[0] == 243
    flags = struct.unpack_from("<I", elf, 0x30)[0]
    assert flags & 0x6 == 0, "float ABI must be soft (lp64)"
    assert bool(flags & 0x1) == (target == "riscv64c"), "RVC flag"
    assert [str(b) for b in bad_instructions(elf)] == []
    code = b"".join(c for _, _, c in executable_sections(elf))
    halfwords = [int.from_bytes(code[i : i + 2], "little") for i in range(0, len(code), 2)]
    if target == "riscv64":
        assert len(code) % 4 == 0
    else:  # the C build really is compressed, so the plain build's cleanliness means something
        assert any(h & 3 != 3 for h in halfwords)


def _patched(elf: bytes, words: list[bytes]) -> bytes:
    """A copy of `elf` with its first executable bytes replaced by `words`."""
    _, _, code = executable_sections(elf)[0]
    start = elf.index(code)
    patch = b"".join(words)
    return elf[:start] + patch + elf[start + len(patch) :]


@pytest.mark.parametrize(
    ("word", "reason"),
    [
        (0x44000000, "COP1"),  # mfc1
        (0xC4000000, "lwc1"),
        (0xE4000000, "swc1"),
        (0xD4000000, "ldc1"),
        (0xF4000000, "sdc1"),
        (0x7C03E83B, "rdhwr"),  # rdhwr $3, $29 (musl's TLS read)
        (0x00E001F4, "trap"),  # teq $7, $zero, 7
        (0x70000001, "SPECIAL2"),  # maddu
        (0x50000001, "branch-likely"),  # beql
        (0x04100001, "bltzal"),
        (0x7C000420, "SPECIAL3"),  # seb
        (0x00200002, "rotr"),
    ],
)
def test_mips_scanner_reports_forbidden_instructions(word: int, reason: str) -> None:
    elf = _patched(guest_elf("hello", "mips32").read_bytes(), [word.to_bytes(4, "big")])
    found = bad_instructions(elf)
    assert len(found) == 1 and reason in found[0].reason and found[0].word == word


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ((0x02000053).to_bytes(4, "little"), "OP-FP"),  # fadd.d f0, f0, f0
        ((0x00003007).to_bytes(4, "little"), "FP load"),  # fld f0, 0(x0)
        ((0x00003027).to_bytes(4, "little"), "FP store"),  # fsd f0, 0(x0)
        ((0x00000043).to_bytes(4, "little"), "fmadd"),
        ((0x0001).to_bytes(2, "little") * 2, "compressed"),  # c.nop c.nop
    ],
)
def test_riscv_scanner_reports_fp_and_compressed(encoding: bytes, reason: str) -> None:
    elf = _patched(guest_elf("hello", "riscv64").read_bytes(), [encoding])
    assert any(reason in b.reason for b in bad_instructions(elf))


def test_scanner_rejects_non_elf_input() -> None:
    with pytest.raises(GuestBuildError, match="not an ELF"):
        bad_instructions(b"\x00" * 64)


@pytest.mark.parametrize("target", ["mips32", "riscv64", "riscv64c", "host"])
@pytest.mark.parametrize("name", GUEST_NAMES)
def test_debug_info_is_stripped_but_symbols_kept(name: str, target: str) -> None:
    # Symbols feed Cannon's meta.json and pc-to-function lookups; DWARF would embed the
    # zig install path and make builds differ between machines.
    from faultproof.vm.elf import parse_elf

    raw = guest_elf(name, target).read_bytes()
    assert b".debug_" not in raw
    elf = parse_elf(raw)
    start, main = elf.symbol("_start"), elf.symbol("main")
    assert start is not None and main is not None
    assert elf.entry == start.value
    assert any(seg.vaddr <= main.value < seg.vaddr + seg.memsz for seg in elf.segments)
