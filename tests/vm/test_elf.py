"""ELF reader: well-formed headers parse, malformed input raises InvalidElf (never a traceback)."""

import struct

import pytest

from faultproof.errors import InvalidElf
from faultproof.vm.elf import EM_MIPS, parse_elf


def make_elf32_be(entry: int, segments: list[tuple[int, bytes, int]]) -> bytes:
    ehsize, phentsize = 52, 32
    phoff = ehsize
    data_off = phoff + phentsize * len(segments)
    header = b"\x7fELF" + bytes([1, 2, 1]) + bytes(9)
    header += struct.pack(
        ">HHIIIIIHHHHHH",
        2,
        EM_MIPS,
        1,
        entry,
        phoff,
        0,
        0,
        ehsize,
        phentsize,
        len(segments),
        40,
        0,
        0,
    )
    phdrs = b""
    blobs = b""
    for vaddr, data, memsz in segments:
        phdrs += struct.pack(
            ">IIIIIIII", 1, data_off + len(blobs), vaddr, vaddr, len(data), memsz, 5, 0x1000
        )
        blobs += data
    return header + phdrs + blobs


def test_parses_segments_and_entry() -> None:
    elf = parse_elf(make_elf32_be(0x400000, [(0x400000, b"\x00\x00\x00\x0c", 0x10)]))
    assert elf.bits == 32 and elf.big_endian and elf.machine == EM_MIPS
    assert elf.entry == 0x400000
    assert elf.segments[0].vaddr == 0x400000 and elf.segments[0].memsz == 0x10
    assert elf.segments[0].data == b"\x00\x00\x00\x0c"


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "not an ELF"),
        (b"#!/bin/sh\necho hi\n", "not an ELF"),
        (b"\x7fELF" + bytes([3, 2]) + bytes(20), "unknown ELF class"),
        (b"\x7fELF" + bytes([1, 2, 1]) + bytes(9) + b"\x00\x02", "truncated ELF"),
    ],
)
def test_malformed_input_raises_invalid_elf(blob: bytes, message: str) -> None:
    with pytest.raises(InvalidElf, match=message):
        parse_elf(blob)


def test_segment_past_end_of_file() -> None:
    elf = bytearray(make_elf32_be(0x400000, [(0x400000, b"abcd", 4)]))
    with pytest.raises(InvalidElf, match="past the end"):
        parse_elf(bytes(elf[:-2]))
