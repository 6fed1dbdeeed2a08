"""Test helpers: run single instructions on our VM and on unicorn's RV64 from the same state."""

# unicorn ships without type hints (and without __all__), so its calls are untyped for mypy.
# mypy: disable-error-code="no-untyped-call,attr-defined"

from __future__ import annotations

import numpy as np
from unicorn import UC_HOOK_INTR, Uc, UcError
from unicorn.riscv_const import UC_RISCV_REG_PC, UC_RISCV_REG_X1

# The encoders live in the library; re-exported here because the tests build programs with them.
from faultproof.vm.riscv.encode import ECALL as ECALL
from faultproof.vm.riscv.encode import enc_amo as enc_amo
from faultproof.vm.riscv.encode import enc_b as enc_b
from faultproof.vm.riscv.encode import enc_i as enc_i
from faultproof.vm.riscv.encode import enc_j as enc_j
from faultproof.vm.riscv.encode import enc_r as enc_r
from faultproof.vm.riscv.encode import enc_s as enc_s
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
