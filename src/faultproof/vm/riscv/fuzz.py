"""Random single-instruction RV64 states for the conformance kit (``riscv64`` / ``riscv64c`` hooks).

Each state sits on one instruction drawn from a family of asterisc-riscv64.md §4.2 / §5 (or from
encodings that must revert, §4.6), with random registers, heap, load reservation and a random
preimage behind the key, and random bytes wherever the instruction may load or store: loads and
stores land at random addresses, misaligned and straddling leaves and pages. For ``riscv64c`` half
of the cases are 16-bit parcels (all of the encoding space, reserved ones included), and 32-bit
instructions are often placed at ``pc % 32 == 30`` so that the fetch straddles two leaves.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from faultproof.conformance.fuzzing import (
    MASK64,
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
from faultproof.vm.riscv.compressed import expand
from faultproof.vm.riscv.constants import (
    HEAP_START,
    PAGE_SIZE,
    S_EXIT_CODE,
    S_EXITED,
    S_HEAP,
    S_PC,
    S_PREIMAGE_OFFSET,
    S_RESERVATION,
    S_STEP,
    SYS_BRK,
    SYS_CLOCK_GETTIME,
    SYS_CLONE,
    SYS_EXIT,
    SYS_EXIT_GROUP,
    SYS_FCNTL,
    SYS_FUTEX_422,
    SYS_GETRLIMIT,
    SYS_MMAP,
    SYS_NANOSLEEP,
    SYS_OPENAT,
    SYS_PRLIMIT64,
    SYS_READ,
    SYS_WRITE,
)
from faultproof.vm.riscv.encode import enc_b, enc_i, enc_j, enc_r, enc_s
from faultproof.vm.riscv.vm import RiscvVM

ADDRESS_LIMIT = 1 << 64
PROVABLE_LIMIT = ADDRESS_LIMIT - 64
"""Fuzzed pcs and data addresses stay below this bound, so that a case never wraps past 2^64 (the
whole space is fuzzed, including addresses at and above 2^63)."""
A0, A1, A2, A3, A4, A7 = 10, 11, 12, 13, 14, 17


def _sext12(v: int) -> int:
    v &= 0xFFF
    return v - 0x1000 if v & 0x800 else v


class _Builder:
    """One fuzz case under construction."""

    def __init__(self, rng: random.Random, compressed: bool) -> None:
        self.rng = rng
        self.compressed = compressed
        self.regs = random_regs(rng, 64)
        align = 2 if compressed else 4
        pc = rng.choice((0x10000 + 4 * rng.randrange(0, 1 << 14), rng.getrandbits(64)))
        self.pc = min(pc, PROVABLE_LIMIT - 64) & ~(align - 1)
        self.touched: list[int] = []
        self.reservation: int | None = None

    def reg(self) -> int:
        return self.rng.randrange(0, 32)

    def base_for(self, rs1: int, imm: int, align: int = 1) -> int:
        """Make ``rs1 + sext(imm)`` a random (``align``-aligned if asked) data address."""
        addr = random_address(self.rng, 64, self.pc)
        if align > 1 and self.rng.random() < 0.85:
            addr &= ~(align - 1)
        if rs1:
            self.regs[rs1] = (addr - _sext12(imm)) & MASK64
        else:
            addr = _sext12(imm) & MASK64
        self.touched.append(addr)
        return addr


def _alu(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    rd, rs1, rs2 = b.reg(), b.reg(), b.reg()
    roll = rng.random()
    if roll < 0.3:
        op = rng.choice((0x33, 0x3B))
        f7 = rng.choice((0, 0, 1, 1, 0x20, rng.getrandbits(7)))
        if f7 == 1 and rng.random() < 0.3:
            b.regs[rs2] = rng.choice((0, 1 << 32, MASK64))  # division by zero (low 32 bits too)
        return ("alu-op" if op == 0x33 else "alu-op32"), enc_r(
            op, rng.randrange(8), f7, rd, rs1, rs2
        )
    if roll < 0.55:
        f3 = rng.randrange(8)
        imm = rng.getrandbits(12)
        if f3 in (1, 5) and rng.random() < 0.7:
            imm = rng.choice((0, 0x400, rng.getrandbits(6) << 6)) | rng.getrandbits(6)
        return "alu-imm", enc_i(0x13, f3, rd, rs1, imm)
    if roll < 0.75:
        f3 = rng.choice((0, 1, 5, rng.randrange(8)))
        imm = rng.getrandbits(12)
        if f3 in (1, 5) and rng.random() < 0.7:
            imm = rng.choice((0, 0x400, rng.getrandbits(7) << 5)) | rng.getrandbits(5)
        return "alu-imm32", enc_i(0x1B, f3, rd, rs1, imm)
    return "lui-auipc", (rng.getrandbits(20) << 12) | (rd << 7) | rng.choice((0x37, 0x17))


def _control(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    roll = rng.random()
    if roll < 0.5:
        rs1, rs2 = b.reg(), b.reg()
        if rng.random() < 0.3:
            b.regs[rs2] = b.regs[rs1]
        offset = 2 * rng.randrange(-(1 << 11), 1 << 11)
        return "branch", enc_b(rng.randrange(8), rs1, rs2, offset)
    if roll < 0.75:
        return "jal", enc_j(b.reg(), 2 * rng.randrange(-(1 << 19), 1 << 19))
    rs1 = b.reg()
    if rs1 and rng.random() < 0.7:
        b.regs[rs1] = (b.pc + 2 * rng.randrange(-4096, 4096)) & MASK64
    return "jalr", enc_i(
        0x67, rng.choice((0, 0, rng.randrange(8))), b.reg(), rs1, rng.getrandbits(12)
    )


def _memory(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    rd, rs1, rs2, imm = b.reg(), b.reg(), b.reg(), rng.getrandbits(12)
    roll = rng.random()
    if roll < 0.4:
        f3 = rng.choice((0, 1, 2, 3, 4, 5, 6, rng.randrange(8)))
        b.base_for(rs1, imm)
        return "load", enc_i(0x03, f3, rd, rs1, imm)
    if roll < 0.8:
        f3 = rng.choice((0, 1, 2, 3, rng.randrange(8)))
        b.base_for(rs1, imm)
        return "store", enc_s(f3, rs1, rs2, imm)
    f3 = rng.choice((2, 3, 3, rng.randrange(8)))
    op5 = rng.choice((0x00, 0x01, 0x02, 0x03, 0x03, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C,
                      rng.getrandbits(5)))  # fmt: skip
    addr = b.base_for(rs1, 0, align=8 if f3 == 3 else 4)
    if op5 == 0x03 and rng.random() < 0.6:
        b.reservation = addr  # SC that succeeds
    word = enc_r(0x2F, f3, (op5 << 2) | rng.getrandbits(2), rd, rs1, rs2)
    return "atomic", word


def _system(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    roll = rng.random()
    if roll < 0.4:
        return "system", enc_i(0x73, rng.randrange(1, 8), b.reg(), b.reg(), rng.getrandbits(12))
    if roll < 0.55:
        return "system", rng.choice(
            (0x00100073, 0x30200073, 0x10500073, rng.getrandbits(25) << 7 | 0x73)
        )
    if roll < 0.75:
        return "fence", enc_i(0x0F, rng.randrange(8), b.reg(), b.reg(), rng.getrandbits(12))
    op = rng.choice((0x07, 0x27, 0x53))
    return "float-noop", (rng.getrandbits(25) << 7) | op


def _invalid(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    if rng.random() < 0.5:
        op = rng.choice((0x43, 0x47, 0x4B, 0x4F, 0x0B, 0x2B, 0x57, 0x5B, 0x6B, 0x77, 0x7B, 0x7F))
        return "invalid", (rng.getrandbits(25) << 7) | op
    word = rng.getrandbits(32)
    if word & 3 != 3 and not b.compressed:
        return "invalid", word  # Asterisc fetches 32 bits and never looks at the low bits
    word |= 3
    b.base_for((word >> 15) & 31, word >> 20)
    return "random-word", word


def _syscall(b: _Builder) -> tuple[str, int]:
    rng = b.rng
    regs = b.regs
    number = SYS_READ if rng.random() < 0.45 else rng.choice(
        (SYS_READ, SYS_WRITE, SYS_WRITE, SYS_EXIT, SYS_EXIT_GROUP, SYS_BRK, SYS_MMAP, SYS_MMAP,
         SYS_FCNTL, SYS_FCNTL, SYS_OPENAT, SYS_CLOCK_GETTIME, SYS_CLONE, SYS_GETRLIMIT,
         SYS_GETRLIMIT, SYS_PRLIMIT64, SYS_FUTEX_422, SYS_NANOSLEEP, 98, 124, 278,
         rng.randrange(512), rng.getrandbits(64))
    )  # fmt: skip
    regs[A7] = number
    family = "syscall"
    addr = random_address(rng, 64, b.pc)
    if number in (SYS_READ, SYS_WRITE):
        preferred = 5 if number == SYS_READ else 6
        others = (0, 1, 2, 3, 4, rng.randrange(16), rng.getrandbits(64))
        fd = preferred if rng.random() < 0.7 else rng.choice(others)
        regs[A0], regs[A1] = fd, addr
        b.touched.append(addr)
        # stdout/stderr/hint bytes are copied off-chain only; keep them small to stay fast
        regs[A2] = rng.choice(
            (0, 1, 2, 7, 8, 31, 32, 33, rng.randrange(0, 64), rng.randrange(4096))
        )
        if fd == preferred:
            family = "syscall-read-preimage" if number == SYS_READ else "syscall-write-key"
        else:
            family = "syscall-io"
    elif number == SYS_MMAP:
        regs[A0] = rng.choice((0, 0, rng.getrandbits(64)))
        regs[A1] = rng.choice((0, 1, PAGE_SIZE, rng.randrange(1 << 24), rng.getrandbits(64)))
        regs[A3] = rng.choice((0x22, 0x20, rng.getrandbits(8)))
        regs[A4] = rng.choice((MASK64, MASK64, rng.getrandbits(64)))
        family = "syscall-mmap"
    elif number in (SYS_CLOCK_GETTIME, SYS_GETRLIMIT):
        regs[A0] = rng.choice((7, 7, rng.randrange(16)))
        regs[A1] = addr
        b.touched.append(addr)
        family = "syscall-struct"
    elif number == SYS_FCNTL:
        regs[A0] = rng.randrange(0, 9)
        regs[A1] = rng.choice((1, 3, rng.randrange(0, 8)))
    elif number in (SYS_EXIT, SYS_EXIT_GROUP):
        family = "syscall-exit"
    return family, 0x00000073


def _unaligned_pc(b: _Builder) -> tuple[str, int]:
    b.pc |= 1 if b.compressed else b.rng.choice((1, 2, 3))
    return "unaligned-pc", enc_r(0x33, 0, 0, 1, 2, 3)


FAMILIES: tuple[tuple[float, Callable[[_Builder], tuple[str, int]]], ...] = (
    (0.25, _alu),
    (0.14, _control),
    (0.26, _memory),
    (0.18, _syscall),
    (0.07, _system),
    (0.09, _invalid),
    (0.01, _unaligned_pc),
)


def _compressed(b: _Builder) -> tuple[str, int]:
    """A random 16-bit parcel; its expansion says which register to aim at memory or code."""
    rng = b.rng
    parcel = rng.getrandbits(16)
    while parcel & 3 == 3:
        parcel = rng.getrandbits(16)
    word = int(expand(np.uint64(parcel)))
    op, rs1 = word & 0x7F, (word >> 15) & 31
    family = "compressed"
    if op in (0x03, 0x07) and rs1:
        b.base_for(rs1, word >> 20)
        family = "compressed-load"
    elif op in (0x23, 0x27) and rs1:
        b.base_for(rs1, ((word >> 25) << 5) | ((word >> 7) & 0x1F))
        family = "compressed-store"
    elif op == 0x67 and rs1:
        b.regs[rs1] = (b.pc + 2 * rng.randrange(-4096, 4096) + rng.choice((0, 0, 0, 1))) & MASK64
        family = "compressed-jump"
    elif word == 0:
        family = "compressed-reserved"
    return family, parcel


def _instruction(b: _Builder) -> tuple[str, bytes]:
    rng = b.rng
    if b.compressed and rng.random() < 0.5:
        family, word = _compressed(b)
        return family, word.to_bytes(2, "little")
    if b.compressed and rng.random() < 0.4:
        b.pc = (b.pc & ~31) + 30  # 32-bit fetch straddling two leaves (RISCV64C proof 1)
    make = rng.choices([f for _, f in FAMILIES], weights=[w for w, _ in FAMILIES])[0]
    family, word = make(b)
    if b.compressed and b.pc % 32 == 30:
        family += "@straddle"
    return family, word.to_bytes(4, "little")


def fuzz_state(rng: random.Random, compressed: bool = False) -> RiscvVM:
    """A fresh :class:`RiscvVM` whose next step is one random instruction (module docstring)."""
    while True:
        b = _Builder(rng, compressed)
        family, code = _instruction(b)
        if b.pc < PROVABLE_LIMIT and all(a < PROVABLE_LIMIT for a in b.touched):
            break
    pre: FuzzPreimage = random_preimage(rng)
    vm = RiscvVM(compressed=compressed, host=OnePreimageHost(pre))
    for addr in b.touched:
        scatter(rng, vm.memory.write, addr, ADDRESS_LIMIT)
    if rng.random() < 0.3:
        scatter(rng, vm.memory.write, rng.getrandbits(64), ADDRESS_LIMIT)
    vm.memory.write(b.pc, code)
    for i in range(1, 32):
        vm.set_register(i, b.regs[i])
    st = vm.st
    st[S_PC] = b.pc
    st[S_HEAP] = rng.choice(
        (HEAP_START + PAGE_SIZE * rng.randrange(0, 1 << 20), rng.getrandbits(64) & ~0xFFF)
    )
    st[S_RESERVATION] = b.reservation if b.reservation is not None else interesting_word(rng, 64)
    st[S_STEP] = rng.choice((0, rng.getrandbits(20), rng.getrandbits(48)))
    vm.key[:] = list(pre.key)
    st[S_PREIMAGE_OFFSET] = preimage_offset(rng, pre)
    if rng.random() < 0.01:
        st[S_EXITED], st[S_EXIT_CODE] = 1, rng.randrange(256)
        family = "exited"
    attach_case(vm, family, pre)
    return vm
