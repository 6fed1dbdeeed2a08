"""Program loading (spec §6): ELF segments, Go runtime patches and the initial stack, as Asterisc's
``load-elf`` does, so the same ELF gives the same absolute prestate."""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from faultproof.errors import InvalidElf
from faultproof.vm.elf import EM_RISCV, ElfFile, parse_elf
from faultproof.vm.riscv.constants import (
    GO_PATCHED_SYMBOLS,
    GO_ZEROED_SYMBOL,
    HEAP_START,
    REG_SP,
    RET_INSTRUCTION,
    STACK_POINTER,
    STACK_WORDS,
)
from faultproof.vm.riscv.vm import RiscvVM


def check_riscv64(elf: ElfFile, source: str) -> None:
    if elf.machine != EM_RISCV:
        raise InvalidElf(
            f"{source} is a {elf.machine_name} ELF; the RISC-V VM needs EM_RISCV (243)"
        )
    if elf.bits != 64:
        raise InvalidElf(
            f"{source} is a 32-bit RISC-V ELF (RV32); riscv64 needs an ELFCLASS64 RV64 program"
        )
    if elf.big_endian:
        raise InvalidElf(f"{source} is big-endian; RISC-V programs are little-endian")


PT_RISCV_ATTRIBUTES = 0x70000003
"""The one program header type Asterisc's loader skips (it holds no memory image)."""


def check_program_headers(elf: ElfFile, source: str) -> None:
    """Asterisc's rule: a program header other than PT_LOAD whose memory size differs from its
    file size is refused (``program N is T but not a PT_LOAD``). zig's default PT_GNU_STACK
    (16 MiB, no file bytes) is the usual case: the mips32 loader and Cannon refuse it too, so
    the VMs agree on which programs have a prestate."""
    for index, p_type, filesz, memsz in elf.sized_other_headers:
        if p_type == PT_RISCV_ATTRIBUTES:
            continue
        raise InvalidElf(
            f"{source}: program header {index} (type 0x{p_type:x}) has file size {filesz} != "
            f"memory size {memsz} but is not PT_LOAD; Asterisc refuses it (for PT_GNU_STACK, "
            "link with -z stack-size=0)"
        )


def load_elf_bytes(
    data: bytes,
    compressed: bool = False,
    patch: bool = True,
    source: str = "program",
    host: Any = None,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
) -> RiscvVM:
    """A fresh VM holding the program: segments loaded, ``pc = entry``, ``heap = 0x7f0000000000``.

    ``patch`` applies Asterisc's PatchVM (Go runtime patches and the initial stack); riscv-tests
    style programs are loaded without it.
    """
    try:
        elf = parse_elf(data)
    except InvalidElf as exc:
        raise InvalidElf(f"{source}: {exc} (truncated or not a RISC-V program?)") from None
    check_riscv64(elf, source)
    check_program_headers(elf, source)
    vm = RiscvVM(compressed=compressed, host=host, stdout=stdout, stderr=stderr)
    for seg in elf.segments:
        if seg.vaddr + seg.memsz > 2**64:
            raise InvalidElf(
                f"{source}: segment at 0x{seg.vaddr:x} runs past the 64-bit address space"
            )
        # Asterisc writes the zero fill too, so the page list matches its state files.
        vm.memory.write(seg.vaddr, seg.data + bytes(seg.memsz - len(seg.data)))
    vm.st[0] = elf.entry
    from faultproof.vm.riscv.constants import S_HEAP

    vm.st[S_HEAP] = HEAP_START
    if patch:
        patch_go(vm, elf)
        setup_stack(vm)
    vm.memory.invalidate()
    return vm


def patch_go(vm: RiscvVM, elf: ElfFile) -> None:
    """Make the listed Go runtime functions return at once, and zero ``runtime.MemProfileRate``."""
    for sym in elf.symbols:
        if sym.name in GO_PATCHED_SYMBOLS:
            vm.memory.write(sym.value, RET_INSTRUCTION.to_bytes(4, "little"))
        elif sym.name == GO_ZEROED_SYMBOL:
            vm.memory.write(sym.value, bytes(8))


def setup_stack(vm: RiscvVM) -> None:
    """sp = 2^60 with Asterisc's argv/auxv words above it (§6.2)."""
    vm.set_register(REG_SP, STACK_POINTER)
    for offset, value in STACK_WORDS:
        vm.memory.write(STACK_POINTER + offset, value.to_bytes(8, "little"))


def load_elf(
    path: Path,
    host: Any = None,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
    compressed: bool = False,
    patch: bool = True,
) -> RiscvVM:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidElf(f"cannot read {path}: {exc.strerror}") from None
    return load_elf_bytes(data, compressed, patch, str(path), host, stdout, stderr)
