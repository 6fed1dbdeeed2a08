"""A small ELF reader shared by every ISA: segments to load and symbols for ``--meta``.

Only what program loading needs: the header, PT_LOAD program headers and the symbol table. Every
malformed input raises :class:`InvalidElf` with the reason, never an IndexError or struct.error.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from faultproof.errors import InvalidElf

EM_MIPS = 8
EM_RISCV = 243
PT_LOAD = 1
SHT_SYMTAB = 2
STT_FUNC = 2

MACHINE_NAMES = {
    EM_MIPS: "MIPS",
    EM_RISCV: "RISC-V",
    3: "x86",
    62: "x86-64",
    40: "ARM",
    183: "AArch64",
}


@dataclass(frozen=True)
class Segment:
    vaddr: int
    data: bytes
    """The file-backed bytes (``p_filesz``); the rest up to ``memsz`` is zero."""
    memsz: int
    flags: int


@dataclass(frozen=True)
class Symbol:
    name: str
    value: int
    size: int
    kind: int


@dataclass
class ElfFile:
    bits: int
    big_endian: bool
    machine: int
    entry: int
    segments: list[Segment] = field(default_factory=list)
    symbols: list[Symbol] = field(default_factory=list)
    sized_other_headers: list[tuple[int, int, int, int]] = field(default_factory=list)
    """``(index, p_type, p_filesz, p_memsz)`` of every non-PT_LOAD program header whose memory
    size differs from its file size (e.g. zig's PT_GNU_STACK with a 16 MiB stack): Cannon and
    Asterisc copy every program header and refuse these, so the loaders must too."""

    def symbol(self, name: str) -> Symbol | None:
        for s in self.symbols:
            if s.name == name:
                return s
        return None

    @property
    def machine_name(self) -> str:
        return MACHINE_NAMES.get(self.machine, f"machine {self.machine}")


def parse_elf(data: bytes) -> ElfFile:
    """Parse an ELF image; raise :class:`InvalidElf` on anything malformed."""
    try:
        return _parse(data)
    except struct.error:
        raise InvalidElf(
            f"truncated ELF: a header runs past the end of the file ({len(data)} bytes)"
        ) from None
    except (IndexError, UnicodeDecodeError) as exc:
        raise InvalidElf(f"malformed ELF: {exc}") from None


def _parse(data: bytes) -> ElfFile:
    if len(data) < 16 or data[:4] != b"\x7fELF":
        raise InvalidElf("not an ELF file (missing \\x7fELF magic)")
    ei_class, ei_data = data[4], data[5]
    if ei_class not in (1, 2):
        raise InvalidElf(f"unknown ELF class {ei_class}")
    if ei_data not in (1, 2):
        raise InvalidElf(f"unknown ELF data encoding {ei_data}")
    bits = 32 if ei_class == 1 else 64
    e = ">" if ei_data == 2 else "<"
    if bits == 32:
        hdr = struct.unpack_from(e + "HHIIIIIHHHHHH", data, 16)
    else:
        hdr = struct.unpack_from(e + "HHIQQQIHHHHHH", data, 16)
    (
        _type,
        machine,
        _version,
        entry,
        phoff,
        shoff,
        _flags,
        _ehsize,
        phentsize,
        phnum,
        shentsize,
        shnum,
        _shstrndx,
    ) = hdr
    elf = ElfFile(bits=bits, big_endian=ei_data == 2, machine=machine, entry=entry)
    for i in range(phnum):
        off = phoff + i * phentsize
        if bits == 32:
            p_type, p_offset, p_vaddr, _paddr, p_filesz, p_memsz, p_flags, _align = (
                struct.unpack_from(e + "IIIIIIII", data, off)
            )
        else:
            p_type, p_flags, p_offset, p_vaddr, _paddr, p_filesz, p_memsz, _align = (
                struct.unpack_from(e + "IIQQQQQQ", data, off)
            )
        if p_type != PT_LOAD:
            if p_filesz != p_memsz:
                elf.sized_other_headers.append((i, p_type, p_filesz, p_memsz))
            continue
        if p_filesz > p_memsz:
            raise InvalidElf(
                f"segment {i} at 0x{p_vaddr:x}: file size {p_filesz} > memory size {p_memsz}"
            )
        if p_offset + p_filesz > len(data):
            raise InvalidElf(f"segment {i} at 0x{p_vaddr:x} runs past the end of the file")
        elf.segments.append(
            Segment(p_vaddr, data[p_offset : p_offset + p_filesz], p_memsz, p_flags)
        )
    elf.symbols = _symbols(data, e, bits, shoff, shentsize, shnum)
    return elf


def _symbols(
    data: bytes, e: str, bits: int, shoff: int, shentsize: int, shnum: int
) -> list[Symbol]:
    if shoff == 0 or shnum == 0:
        return []
    sections = []
    for i in range(shnum):
        off = shoff + i * shentsize
        if bits == 32:
            _n, sh_type, _f, _a, sh_offset, sh_size, sh_link, _i, _al, sh_entsize = (
                struct.unpack_from(e + "IIIIIIIIII", data, off)
            )
        else:
            _n, sh_type, _f, _a, sh_offset, sh_size, sh_link, _i, _al, sh_entsize = (
                struct.unpack_from(e + "IIQQQQIIQQ", data, off)
            )
        sections.append((sh_type, sh_offset, sh_size, sh_link, sh_entsize))
    out: list[Symbol] = []
    for sh_type, sh_offset, sh_size, sh_link, sh_entsize in sections:
        if sh_type != SHT_SYMTAB or sh_entsize == 0:
            continue
        _t, str_off, str_size, _l, _e = sections[sh_link]
        strtab = data[str_off : str_off + str_size]
        for j in range(sh_size // sh_entsize):
            off = sh_offset + j * sh_entsize
            if bits == 32:
                st_name, st_value, st_size, st_info, _o, _sh = struct.unpack_from(
                    e + "IIIBBH", data, off
                )
            else:
                st_name, st_info, _o, _sh, st_value, st_size = struct.unpack_from(
                    e + "IBBHQQ", data, off
                )
            end = strtab.find(b"\x00", st_name)
            name = strtab[st_name:end].decode("utf-8", "replace") if end >= 0 else ""
            if name:
                out.append(Symbol(name, st_value, st_size, st_info & 0xF))
    out.sort(key=lambda s: s.value)
    return out
