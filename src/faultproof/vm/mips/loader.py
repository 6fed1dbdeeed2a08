"""``load-elf`` for MIPS32 (cannon-mips32.md §1.4, §6.1-§6.3): segments, Go patches, initial stack.

The prestate depends only on the ELF bytes and these rules, so they follow Cannon's loader exactly:
every program header except PT_MIPS_ABIFLAGS is copied (not only PT_LOAD), nothing may reach the heap
start, the Go runtime functions that need threads are patched to return at once, and the stack holds
argc/argv/envp/auxv as Cannon lays them out.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from faultproof.errors import InvalidElf
from faultproof.vm.elf import EM_MIPS, MACHINE_NAMES, parse_elf
from faultproof.vm.interface import PreimageHost
from faultproof.vm.mips.constants import (
    CPU_HEAP,
    CPU_NEXT_PC,
    CPU_PC,
    GO_PATCH_BYTES,
    GO_PATCHED_SYMBOLS,
    HEAP_START,
    PAGE_SIZE,
    PT_LOAD,
    PT_MIPS_ABIFLAGS,
    STACK_POINTER,
)
from faultproof.vm.mips.vm import MipsVM


@dataclass(frozen=True)
class ProgramHeader:
    index: int
    type: int
    offset: int
    vaddr: int
    filesz: int
    memsz: int


def _program_headers(data: bytes) -> list[ProgramHeader]:
    """All program headers of a 32-bit big-endian ELF (the shared reader keeps only PT_LOAD)."""
    try:
        (phoff,) = struct.unpack_from(">I", data, 28)
        phentsize, phnum = struct.unpack_from(">HH", data, 42)
        out = []
        for i in range(phnum):
            p_type, p_offset, p_vaddr, _paddr, p_filesz, p_memsz = struct.unpack_from(
                ">IIIIII", data, phoff + i * phentsize
            )
            out.append(ProgramHeader(i, p_type, p_offset, p_vaddr, p_filesz, p_memsz))
        return out
    except struct.error as exc:
        raise InvalidElf(f"malformed program header table: {exc}") from None


def check_elf_header(data: bytes, name: str) -> None:
    """Reject anything that is not a 32-bit big-endian MIPS ELF, naming what it is instead."""
    if len(data) < 52 or data[:4] != b"\x7fELF":
        raise InvalidElf(f"{name} is not an ELF file (missing \\x7fELF magic)")
    endian = "<" if data[5] == 1 else ">"
    (machine,) = struct.unpack_from(endian + "H", data, 18)
    if machine != EM_MIPS:
        what = MACHINE_NAMES.get(machine, f"machine {machine}")
        raise InvalidElf(
            f"{name} is an ELF for {what} (e_machine {machine}); mips32 needs MIPS (8)"
        )
    if data[4] != 1:
        raise InvalidElf(f"{name} is a 64-bit ELF; single-threaded Cannon runs 32-bit MIPS only")
    if data[5] != 2:
        raise InvalidElf(
            f"{name} is little-endian MIPS; Cannon runs big-endian MIPS (mips, not mipsel)"
        )


def load_elf_bytes(
    data: bytes,
    name: str = "ELF",
    host: PreimageHost | None = None,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
) -> MipsVM:
    """The initial state of a program: ``pc = e_entry``, segments, Go patches, stack (§6.1)."""
    check_elf_header(data, name)
    elf = parse_elf(data)
    vm = MipsVM(host=host, stdout=stdout, stderr=stderr)
    vm.cpu[CPU_PC] = elf.entry
    vm.cpu[CPU_NEXT_PC] = (elf.entry + 4) & 0xFFFFFFFF
    vm.cpu[CPU_HEAP] = HEAP_START
    for ph in _program_headers(data):
        if ph.type == PT_MIPS_ABIFLAGS:
            continue
        _load_segment(vm, data, ph, name)
    patch_go_runtime(vm, {s.name: s.value for s in elf.symbols})
    setup_stack(vm)
    return vm


def _load_segment(vm: MipsVM, data: bytes, ph: ProgramHeader, name: str) -> None:
    """Copy one program header's bytes, with Cannon's checks (a PT_GNU_STACK with a stack size,
    i.e. ``p_memsz != 0``, is rejected like any non-LOAD header whose sizes differ)."""
    where = f"{name}: segment {ph.index} at 0x{ph.vaddr:08x}"
    if ph.filesz != ph.memsz:
        if ph.type != PT_LOAD:
            raise InvalidElf(
                f"{where} (type 0x{ph.type:x}) has file size {ph.filesz} != memory size "
                f"{ph.memsz}; only PT_LOAD segments may be zero-filled (e.g. no .tbss)"
            )
        if ph.filesz > ph.memsz:
            raise InvalidElf(f"{where}: file size {ph.filesz} > memory size {ph.memsz}")
    end = ph.vaddr + ph.memsz
    if end >= 1 << 32:
        raise InvalidElf(f"{where} ends at 0x{end:x}, past the 32-bit address space")
    if end >= HEAP_START:
        raise InvalidElf(
            f"{where} ends at 0x{end:08x} and overlaps with the heap at 0x{HEAP_START:08x}; "
            "link the program below the heap start"
        )
    if ph.offset + ph.filesz > len(data):
        raise InvalidElf(f"{where} runs past the end of the file")
    if ph.memsz == 0:
        return
    body = data[ph.offset : ph.offset + ph.filesz]
    vm.memory.write(ph.vaddr, body + bytes(ph.memsz - ph.filesz))


def patch_go_runtime(vm: MipsVM, symbols: dict[str, int]) -> None:
    """§6.2: ``jr $ra; nop`` over the Go runtime functions single-threaded Cannon cannot run."""
    for sym in GO_PATCHED_SYMBOLS:
        addr = symbols.get(sym)
        if addr is not None:
            vm.memory.write(addr, GO_PATCH_BYTES)


def setup_stack(vm: MipsVM) -> None:
    """§6.3: argc = 1, argv = ["op-program"], envp = ["GODEBUG=memprofilerate=0"], auxv."""
    sp = STACK_POINTER
    vm.memory.write(sp - 4 * PAGE_SIZE, bytes(5 * PAGE_SIZE))
    vm.regs[29] = sp
    words = [
        1,  # argc
        sp + 4 * 21,  # argv[0]
        0,
        sp + 4 * 14,  # envp[0]
        0,
        6,  # AT_PAGESZ
        4096,
        25,  # AT_RANDOM
        sp + 4 * 10,
        0,  # AT_NULL
    ]
    vm.memory.write(sp, b"".join(w.to_bytes(4, "big") for w in words))
    vm.memory.write(sp + 4 * 10, b"4;byfairdiceroll")
    vm.memory.write(sp + 4 * 14, b"GODEBUG=memprofilerate=0" + bytes(4))
    vm.memory.write(sp + 4 * 21, b"op-program" + bytes(2))


def load_elf(
    path: Path | str,
    host: PreimageHost | None = None,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
) -> MipsVM:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidElf(f"cannot read {path}: {exc.strerror}") from None
    return load_elf_bytes(data, str(path), host, stdout, stderr)
