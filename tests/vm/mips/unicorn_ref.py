"""A reference MIPS32 (r1, big-endian) CPU for differential tests: the ``unicorn`` package.

One ``Uc`` instance is reused across examples (creating one costs ~1.6 ms, running one
instruction ~10 us). Unicorn is run with ``count=N`` so it stops after exactly the instructions
under test; because it translates the next block before checking the count, a fetch from an
unmapped address (the target of a far ``j``/``jr``) maps a scratch page on demand. Any CPU
exception (overflow trap, address error, reserved instruction) is caught by an interrupt hook; the
CPU is then in kernel/exception mode, so the instance is thrown away and rebuilt. Unicorn caches
translated code across runs even when the code bytes are rewritten, so the cache is dropped for the
code address before every run.

CPU model: ``UC_CPU_MIPS32_4KC`` (strict MIPS32 release 1; the default model also accepts r2 and
FPU code, see /work/shared/toolchain.md).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from unicorn import (
    UC_ARCH_MIPS,
    UC_HOOK_INTR,
    UC_HOOK_MEM_FETCH_UNMAPPED,
    UC_MODE_BIG_ENDIAN,
    UC_MODE_MIPS32,
    Uc,
    UcError,
)
from unicorn.mips_const import (
    UC_CPU_MIPS32_4KC,
    UC_MIPS_REG_0,
    UC_MIPS_REG_HI,
    UC_MIPS_REG_LO,
    UC_MIPS_REG_PC,
)

CODE = 0x00420000
"""Where the instruction under test sits; +-128 KiB around it is mapped (every branch target)."""
CODE_REGION = (0x00400000, 0x40000)
DATA = 0x10000000
"""One mapped data page; the random data window lives at ``WINDOW``."""
WINDOW = DATA + 0x800
WINDOW_SIZE = 64
STOP = CODE_REGION[0] + CODE_REGION[1] - 0x10  # an ``until`` address never reached

# QEMU's MIPS exception numbers as unicorn's interrupt hook reports them.
EXCP_ADEL = 12
"""Address error on load or fetch (unaligned pc, unaligned lw/lh, ...)."""
EXCP_SYSCALL = 17
EXCP_RI = 20
"""Reserved instruction."""
EXCP_OVERFLOW = 21
"""Integer overflow trap of add/addi/sub."""


@dataclass
class CpuState:
    """What both CPUs can observe: GPRs, HI/LO, pc and the data window."""

    regs: list[int]
    hi: int
    lo: int
    pc: int
    window: bytes
    exception: int | None = None
    """The CPU exception unicorn raised (an ``EXCP_*``), if any."""


@dataclass
class UnicornMips:
    """A reusable unicorn MIPS32 BE CPU with code and data mapped."""

    _uc: Uc | None = None
    _scratch: list[int] = field(default_factory=list)
    _intr: list[int] = field(default_factory=list)

    def _engine(self) -> Uc:
        if self._uc is None:
            uc = Uc(UC_ARCH_MIPS, UC_MODE_MIPS32 + UC_MODE_BIG_ENDIAN)
            uc.ctl_set_cpu_model(UC_CPU_MIPS32_4KC)
            uc.mem_map(*CODE_REGION)
            uc.mem_map(DATA, 0x1000)
            uc.hook_add(UC_HOOK_INTR, self._on_interrupt)
            uc.hook_add(UC_HOOK_MEM_FETCH_UNMAPPED, self._on_unmapped_fetch)
            self._uc = uc
        return self._uc

    def _on_interrupt(self, uc: Uc, intno: int, _user: object) -> None:
        self._intr.append(intno)
        uc.emu_stop()

    def _on_unmapped_fetch(
        self, uc: Uc, _access: int, addr: int, _size: int, _value: int, _user: object
    ) -> bool:
        page = addr & ~0xFFF
        uc.mem_map(page, 0x1000)
        self._scratch.append(page)
        return True

    def run(
        self, code: list[int], regs: list[int], hi: int, lo: int, window: bytes, count: int
    ) -> CpuState:
        """Execute ``count`` instructions of ``code`` (placed at CODE) from the given state."""
        uc = self._engine()
        self._intr.clear()
        uc.mem_write(CODE, b"".join(struct.pack(">I", w) for w in code))
        # Unicorn keeps translated blocks across emu_start calls and a mem_write does not
        # invalidate them: without this, the previous example's code runs again.
        uc.ctl_remove_cache(CODE, CODE + 4 * len(code))
        uc.mem_write(WINDOW, window)
        for i in range(1, 32):
            uc.reg_write(UC_MIPS_REG_0 + i, regs[i])
        uc.reg_write(UC_MIPS_REG_HI, hi)
        uc.reg_write(UC_MIPS_REG_LO, lo)
        failed = False
        try:
            uc.emu_start(CODE, STOP, count=count)
        except UcError:
            failed = True
        state = CpuState(
            [uc.reg_read(UC_MIPS_REG_0 + i) for i in range(32)],
            uc.reg_read(UC_MIPS_REG_HI),
            uc.reg_read(UC_MIPS_REG_LO),
            uc.reg_read(UC_MIPS_REG_PC),
            bytes(uc.mem_read(WINDOW, WINDOW_SIZE)),
            self._intr[0] if self._intr else None,
        )
        uc.mem_write(CODE, bytes(4 * len(code)))
        for page in self._scratch:
            uc.mem_unmap(page, 0x1000)
        self._scratch.clear()
        if failed or self._intr:
            self._uc = None  # exception mode / error: start the next example on a fresh CPU
            if failed and state.exception is None:
                state.exception = -1
        return state
