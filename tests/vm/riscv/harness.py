"""Test helpers: run single instructions on our VM and on unicorn's RV64 from the same state."""

# unicorn ships without type hints (and without __all__), so its calls are untyped for mypy.
# mypy: disable-error-code="no-untyped-call,attr-defined"

from __future__ import annotations

import numpy as np
from unicorn import UC_HOOK_INTR, Uc, UcError
from unicorn.riscv_const import UC_RISCV_REG_PC, UC_RISCV_REG_X1

from faultproof.vm.riscv.state import RiscvRevert
from faultproof.vm.riscv.vm import RiscvVM

CODE = 0x10000
DATA = 0x200000
DATA_SPAN = 0x4000  # DATA - 0x2000 .. DATA + 0x2000 is mapped and seeded


def make_vm(compressed: bool = False) -> RiscvVM:
    return RiscvVM(compressed=compressed)


def run_words(vm: RiscvVM, words: list[int], pc: int = CODE, steps: int | None = None) -> RiscvVM:
    """Place 32-bit words at ``pc`` and execute ``steps`` (default: len(words)) instructions."""
    data = b"".join(w.to_bytes(4, "little") for w in words)
    vm.memory.write(pc, data)
    vm.st[0] = pc
    vm.run(steps if steps is not None else len(words))
    return vm


class Pair:
    """Our VM and a unicorn CPU with identical memory; step both from the same registers."""

    def __init__(self, compressed: bool, seed: int = 1) -> None:
        from unicorn import UC_ARCH_RISCV, UC_MODE_RISCV64

        self.vm = RiscvVM(compressed=compressed)
        self.uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV64)
        self.trapped: list[int] = []
        self.uc.hook_add(UC_HOOK_INTR, self._on_trap)
        self.uc.mem_map(CODE - 0x1000, 0x3000)
        self.uc.mem_map(DATA - DATA_SPAN // 2, DATA_SPAN)
        rnd = np.random.default_rng(seed).integers(0, 256, DATA_SPAN, dtype=np.uint8).tobytes()
        self.uc.mem_write(DATA - DATA_SPAN // 2, rnd)
        self.vm.memory.write(DATA - DATA_SPAN // 2, rnd)

    def _on_trap(self, uc: Uc, intno: int, _data: object) -> None:
        self.trapped.append(intno)
        uc.emu_stop()

    def run(self, code: bytes, regs: list[int]) -> tuple[object, object]:
        """Execute the instruction in ``code`` on both; return (ours, unicorn's) outcome."""
        for m in (self.vm.memory.write, self.uc.mem_write):
            m(CODE, code + bytes(8 - len(code)))
        self.uc.ctl_remove_cache(CODE, CODE + 8)  # unicorn keeps stale translations otherwise
        self.vm.st[0] = CODE
        self.vm.regs[:] = [0, *regs[1:]]
        for i in range(1, 32):
            self.uc.reg_write(UC_RISCV_REG_X1 + i - 1, regs[i])
        self.uc.reg_write(UC_RISCV_REG_PC, CODE)
        try:
            self.vm.step()
            ours: object = (self.vm.pc, [int(r) for r in self.vm.regs])
        except RiscvRevert as exc:
            ours = ("revert", exc.code)
        self.trapped.clear()
        try:
            self.uc.emu_start(CODE, CODE + 0x2000, count=1)
            if self.trapped:
                raise UcError(21)
            pc = self.uc.reg_read(UC_RISCV_REG_PC)
            theirs: object = (pc, [0] + [self.uc.reg_read(UC_RISCV_REG_X1 + i) for i in range(31)])
        except UcError as exc:
            theirs = ("trap", str(exc))
        return ours, theirs

    def memory_equal(self, addr: int, n: int) -> bool:
        return self.vm.memory.read(addr, n) == bytes(self.uc.mem_read(addr, n))


# --- instruction encoders (RISC-V base formats) --------------------------------------------------


def enc_r(op: int, f3: int, f7: int, rd: int, rs1: int, rs2: int) -> int:
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def enc_i(op: int, f3: int, rd: int, rs1: int, imm: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def enc_s(f3: int, rs1: int, rs2: int, imm: int) -> int:
    imm &= 0xFFF
    return ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1F) << 7) | 0x23


def enc_b(f3: int, rs1: int, rs2: int, imm: int) -> int:
    imm &= 0x1FFF
    return (
        ((imm >> 12) << 31) | (((imm >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
        | (((imm >> 1) & 0xF) << 8) | (((imm >> 11) & 1) << 7) | 0x63
    )  # fmt: skip


def enc_j(rd: int, imm: int) -> int:
    imm &= 0x1FFFFF
    return (
        ((imm >> 20) << 31) | (((imm >> 1) & 0x3FF) << 21) | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F
    )  # fmt: skip


def enc_amo(op5: int, f3: int, rd: int, rs1: int, rs2: int) -> int:
    return enc_r(0x2F, f3, op5 << 2, rd, rs1, rs2)


ECALL = 0x00000073
