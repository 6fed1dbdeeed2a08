"""A minimal ELF writer for loader tests: crafts the bad (and good) ELFs a toolchain won't emit."""

from __future__ import annotations

import struct
from dataclasses import dataclass

EM_MIPS = 8
PT_LOAD = 1


@dataclass(frozen=True)
class Segment:
    vaddr: int
    data: bytes
    memsz: int | None = None  # default: len(data)
    type: int = PT_LOAD


def make_elf(
    segments: list[Segment],
    entry: int | None = None,
    machine: int = EM_MIPS,
    elf_class: int = 1,
    big_endian: bool = True,
) -> bytes:
    """An executable ELF with one program header per segment and no sections."""
    e = ">" if big_endian else "<"
    is64 = elf_class == 2
    ehsize = 64 if is64 else 52
    phentsize = 56 if is64 else 32
    phoff = ehsize
    data_off = phoff + phentsize * len(segments)
    headers = b""
    body = b""
    for seg in segments:
        offset = data_off + len(body)
        memsz = len(seg.data) if seg.memsz is None else seg.memsz
        if is64:
            headers += struct.pack(
                e + "IIQQQQQQ", seg.type, 5, offset, seg.vaddr, seg.vaddr, len(seg.data), memsz, 4
            )
        else:
            headers += struct.pack(
                e + "IIIIIIII", seg.type, offset, seg.vaddr, seg.vaddr, len(seg.data), memsz, 5, 4
            )
        body += seg.data
    if entry is None:
        entry = segments[0].vaddr if segments else 0
    ident = b"\x7fELF" + bytes([elf_class, 2 if big_endian else 1, 1, 0]) + bytes(8)
    if is64:
        header = ident + struct.pack(
            e + "HHIQQQIHHHHHH", 2, machine, 1, entry, phoff, 0, 0, ehsize, phentsize,
            len(segments), 64, 0, 0,
        )  # fmt: skip
    else:
        header = ident + struct.pack(
            e + "HHIIIIIHHHHHH", 2, machine, 1, entry, phoff, 0, 0, ehsize, phentsize,
            len(segments), 40, 0, 0,
        )  # fmt: skip
    return header + headers + body


def exit_program(code: int = 7) -> bytes:
    """``exit_group(code)`` as big-endian MIPS words."""
    words = (0x24020000 | 4246, 0x24040000 | (code & 0xFFFF), 0x0000000C)
    return b"".join(struct.pack(">I", w) for w in words)
