"""Random single-instruction MIPS32 states for the conformance kit (the ISA's ``fuzz_state`` hook).

Each state sits on one instruction drawn from a family of cannon-mips32.md §3.2 / §4 (or from the
encodings Cannon must refuse, §3.5), with random registers, HI/LO, heap, delay-slot ``nextPC`` and a
random preimage behind the key, and random bytes in the words the instruction may touch. The
next step is what gets compared with ``MIPS32.vy``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from faultproof.conformance.fuzzing import (
    MASK32,
    FuzzPreimage,
    OnePreimageHost,
    attach_case,
    interesting_word,
    preimage_offset,
    random_address,
    random_preimage,
    random_regs,
    scatter,
)
from faultproof.vm.mips.constants import (
    CPU_EXIT_CODE,
    CPU_EXITED,
    CPU_HEAP,
    CPU_HI,
    CPU_LO,
    CPU_NEXT_PC,
    CPU_PC,
    CPU_PREIMAGE_OFFSET,
    CPU_STEP,
    HEAP_END,
    HEAP_START,
    PAGE_SIZE,
    SYS_BRK,
    SYS_CLONE,
    SYS_EXIT_GROUP,
    SYS_FCNTL,
    SYS_MMAP,
    SYS_READ,
    SYS_WRITE,
)
from faultproof.vm.mips.encode import i_type, r_type
from faultproof.vm.mips.vm import MipsVM

ADDRESS_LIMIT = 1 << 32

# §3.2: what Cannon executes.
SPECIAL_FUNCTS = (0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0F,
                  0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1A, 0x1B,
                  0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B)  # fmt: skip
IMM_OPS = (0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F)
BRANCH_OPS = (0x04, 0x05, 0x06, 0x07)
LOAD_OPS = (0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26)
STORE_OPS = (0x28, 0x29, 0x2A, 0x2B, 0x2E)
SPECIAL2_FUNCTS = (0x02, 0x20, 0x21)
# §3.5: encodings Cannon refuses ("invalid instruction").
BAD_SPECIAL_FUNCTS = (0x01, 0x05, 0x0D, 0x0E, 0x14, 0x15, 0x16, 0x17, 0x1C, 0x1D, 0x1E, 0x1F,
                      0x28, 0x29, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
                      0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F)  # fmt: skip
BAD_OPCODES = (0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1D,
               0x1E, 0x1F, 0x27, 0x2C, 0x2D, 0x2F, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
               0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F)  # fmt: skip


def _sext16(v: int) -> int:
    return v - 0x10000 if v & 0x8000 else v


class _Builder:
    """One fuzz case under construction: registers, the instruction and the words it touches."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.regs = random_regs(rng, 32)
        self.pc = rng.choice((0x400000 + 4 * rng.randrange(0, 1 << 12), rng.getrandbits(32) & ~3))
        self.pc = min(self.pc, ADDRESS_LIMIT - 8)
        self.next_pc = (self.pc + 4) & MASK32
        self.touched: list[int] = []

    def reg(self) -> int:
        return self.rng.randrange(0, 32)

    def base_for(self, rs: int, imm: int) -> int:
        """Make ``rs + sext(imm)`` a random data address (or accept the fixed one when rs is r0)."""
        addr = random_address(self.rng, 32, self.pc)
        if rs:
            self.regs[rs] = (addr - _sext16(imm)) & MASK32
        else:
            addr = _sext16(imm) & MASK32
        self.touched.append(addr)
        return addr


def _alu(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    kind = rng.random()
    if kind < 0.45:
        funct = rng.choice(SPECIAL_FUNCTS)
        if funct in (0x08, 0x09):
            funct = rng.choice((0x20, 0x21, 0x26))  # jumps are their own family
        word = r_type(funct, b.reg(), b.reg(), b.reg(), rng.randrange(32))
        if funct in (0x1A, 0x1B) and rng.random() < 0.2:
            b.regs[(word >> 16) & 31] = 0  # division by zero: both sides must refuse
        return "alu-special", word
    if kind < 0.85:
        return "alu-imm", i_type(rng.choice(IMM_OPS), b.reg(), b.reg(), rng.getrandbits(16))
    return "alu-special2", r_type(rng.choice(SPECIAL2_FUNCTS), b.reg(), b.reg(), b.reg(), 0, 0x1C)


def _branch(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    if rng.random() < 0.2:
        b.next_pc = rng.getrandbits(32) & ~3  # in a delay slot: must be refused
    roll = rng.random()
    if roll < 0.5:
        rs, rt = b.reg(), b.reg()
        if rng.random() < 0.3:
            b.regs[rt] = b.regs[rs]
        return "branch", i_type(rng.choice(BRANCH_OPS), rs, rt, rng.getrandbits(16))
    if roll < 0.75:
        rt = rng.choice((0x00, 0x01, 0x11, 0x11, rng.randrange(32)))  # unknown rt: not taken
        return "branch-regimm", i_type(0x01, b.reg(), rt, rng.getrandbits(16))
    if roll < 0.9:
        return "jump", (rng.choice((0x02, 0x03)) << 26) | rng.getrandbits(26)
    funct = rng.choice((0x08, 0x09))
    return "jump-register", r_type(funct, b.reg(), rng.choice((0, b.reg())), b.reg(), 0)


def _memory(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    rs, rt, imm = b.reg(), b.reg(), rng.getrandbits(16)
    roll = rng.random()
    if roll < 0.45:
        family, op = "load", rng.choice(LOAD_OPS)
    elif roll < 0.9:
        family, op = "store", rng.choice(STORE_OPS)
    else:
        family, op = "ll-sc", rng.choice((0x30, 0x38))
    b.base_for(rs, imm)
    return family, i_type(op, rs, rt, imm)


def _invalid(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    roll = rng.random()
    if roll < 0.35:
        funct = rng.choice(BAD_SPECIAL_FUNCTS)
        return "invalid", r_type(funct, b.reg(), b.reg(), b.reg(), rng.randrange(32))
    if roll < 0.5:
        funct = rng.choice([f for f in range(64) if f not in SPECIAL2_FUNCTS])
        return "invalid", r_type(funct, b.reg(), b.reg(), b.reg(), rng.randrange(32), 0x1C)
    if roll < 0.8:
        return "invalid", (rng.choice(BAD_OPCODES) << 26) | rng.getrandbits(26)
    word = rng.getrandbits(32)  # anything at all; many are valid and simply run
    b.base_for((word >> 21) & 31, word & 0xFFFF)
    return "random-word", word


def _unaligned_pc(b: _Builder) -> tuple[str, int]:
    b.pc = (b.pc | b.rng.randrange(1, 4)) & MASK32
    b.next_pc = (b.pc + 4) & MASK32
    return "unaligned-pc", r_type(0x21, 1, 2, 3)


def _syscall(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    regs = b.regs
    word = r_type(0x0C, 0, 0, 0, rng.getrandbits(5)) | (rng.getrandbits(10) << 16)
    number = SYS_READ if rng.random() < 0.45 else rng.choice(
        (SYS_READ, SYS_READ, SYS_READ, SYS_WRITE, SYS_WRITE, SYS_WRITE, SYS_BRK, SYS_MMAP,
         SYS_MMAP, SYS_CLONE, SYS_EXIT_GROUP, SYS_FCNTL, SYS_FCNTL, 4001, 4162, 4238,
         4000 + rng.randrange(400), rng.getrandbits(32))
    )  # fmt: skip
    regs[2] = number
    family = "syscall"
    if number in (SYS_READ, SYS_WRITE):
        preferred = 5 if number == SYS_READ else 6
        others = (0, 1, 2, 3, 4, rng.randrange(16))
        fd = preferred if rng.random() < 0.7 else rng.choice(others)
        regs[4] = fd
        addr = random_address(rng, 32, b.pc)
        regs[5] = addr
        b.touched.append(addr)
        # stdout/stderr/hint bytes are copied off-chain only; keep them small to stay fast
        regs[6] = rng.choice((0, 1, 2, 3, 4, 5, rng.randrange(0, 64), rng.randrange(0, 4096)))
        if fd == preferred:
            family = "syscall-read-preimage" if number == SYS_READ else "syscall-write-key"
        else:
            family = "syscall-io"
    elif number == SYS_MMAP:
        regs[4] = rng.choice((0, 0, rng.getrandbits(32) & ~(PAGE_SIZE - 1), rng.getrandbits(32)))
        regs[5] = rng.choice((0, 1, PAGE_SIZE, rng.randrange(0, 1 << 20), rng.getrandbits(32)))
        family = "syscall-mmap"
    elif number == SYS_FCNTL:
        regs[4] = rng.randrange(0, 9)
        regs[5] = rng.choice((1, 3, rng.randrange(0, 8)))
    elif number == SYS_EXIT_GROUP:
        family = "syscall-exit"
    return family, word


FAMILIES: tuple[tuple[float, Callable[[_Builder], tuple[str, int]]], ...] = (
    (0.28, _alu),
    (0.16, _branch),
    (0.26, _memory),
    (0.2, _syscall),
    (0.09, _invalid),
    (0.01, _unaligned_pc),
)


def fuzz_state(rng: random.Random) -> MipsVM:
    """A fresh :class:`MipsVM` whose next step is one random instruction (see module docstring)."""
    b = _Builder(rng)
    make = rng.choices([f for _, f in FAMILIES], weights=[w for w, _ in FAMILIES])[0]
    family, word = make(b)
    pre: FuzzPreimage = random_preimage(rng)
    vm = MipsVM(host=OnePreimageHost(pre))
    for addr in b.touched:
        scatter(rng, vm.memory.write, addr, ADDRESS_LIMIT)
    if rng.random() < 0.3:
        scatter(rng, vm.memory.write, rng.getrandbits(32), ADDRESS_LIMIT)  # unrelated memory
    vm.memory.write_u32_be(b.pc & ~3, word)
    vm.set_registers(b.regs)
    cpu = vm.cpu
    cpu[CPU_PC], cpu[CPU_NEXT_PC] = b.pc, b.next_pc
    cpu[CPU_LO], cpu[CPU_HI] = interesting_word(rng, 32), interesting_word(rng, 32)
    cpu[CPU_HEAP] = rng.choice(
        (HEAP_START + PAGE_SIZE * rng.randrange(0, 1 << 12), HEAP_END - PAGE_SIZE,
         rng.getrandbits(32) & ~(PAGE_SIZE - 1))
    )  # fmt: skip
    cpu[CPU_STEP] = rng.choice((0, rng.getrandbits(20), rng.getrandbits(40)))
    vm.preimage_key_array[:] = list(pre.key)
    cpu[CPU_PREIMAGE_OFFSET] = preimage_offset(rng, pre)
    if rng.random() < 0.01:
        cpu[CPU_EXITED], cpu[CPU_EXIT_CODE] = 1, rng.randrange(256)
        family = "exited"
    attach_case(vm, family, pre)
    return vm
