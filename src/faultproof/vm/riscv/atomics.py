"""The A extension (spec §4.4): LR/SC with a single reservation address, and the AMOs.

Only the reservation *address* is kept (0 = none). SC clears it whether it succeeds or not; no other
instruction touches it. AMOs need natural alignment and request one proof (the load's), reused for
the store.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from faultproof.vm.memory import NO_NRT, write_bytes_in_leaf
from faultproof.vm.riscv.bits import ONE, ZERO, U, sext32
from faultproof.vm.riscv.constants import (
    AMO_ADD,
    AMO_AND,
    AMO_LR,
    AMO_MAX,
    AMO_MAXU,
    AMO_MIN,
    AMO_MINU,
    AMO_OR,
    AMO_SC,
    AMO_SWAP,
    AMO_XOR,
    ERR_AMO_SIZE,
    ERR_MISALIGNED,
    ERR_UNKNOWN_AMO,
    S_RESERVATION,
)
from faultproof.vm.riscv.lsu import load_mem, store_mem

SIGN = U(0x8000000000000000)


@njit(cache=True, **NO_NRT)
def amo_combine(op: np.uint64, old: np.uint64, src: np.uint64) -> tuple[np.uint64, bool]:
    """The value an AMO stores, from the old memory value and rs2 (both sign-extended for .W)."""
    if op == U(AMO_ADD):
        return old + src, True
    if op == U(AMO_SWAP):
        return src, True
    if op == U(AMO_XOR):
        return old ^ src, True
    if op == U(AMO_OR):
        return old | src, True
    if op == U(AMO_AND):
        return old & src, True
    if op == U(AMO_MIN):
        return (old if (old ^ SIGN) < (src ^ SIGN) else src), True
    if op == U(AMO_MAX):
        return (old if (old ^ SIGN) > (src ^ SIGN) else src), True
    if op == U(AMO_MINU):
        return (old if old < src else src), True
    if op == U(AMO_MAXU):
        return (old if old > src else src), True
    return ZERO, False


@njit(cache=True, **NO_NRT)
def execute_amo(instr: np.uint64, regs: np.ndarray, st: np.ndarray, mem, log) -> np.int64:  # type: ignore[no-untyped-def]
    """Execute one opcode-0x2F instruction; return 0 or a revert code."""
    f3 = (instr >> U(12)) & U(7)
    size = np.int64(ONE << f3) if f3 < U(4) else np.int64(16)
    if size != 4 and size != 8:
        return np.int64(ERR_AMO_SIZE)
    rd = np.int64((instr >> U(7)) & U(0x1F))
    rs1 = np.int64((instr >> U(15)) & U(0x1F))
    rs2 = np.int64((instr >> U(20)) & U(0x1F))
    addr = regs[rs1]
    if addr % U(size) != ZERO:
        return np.int64(ERR_MISALIGNED)
    op = (instr >> U(25)) >> U(2)
    if op == U(AMO_LR):
        v = load_mem(mem, log, addr, size, True)
        st[S_RESERVATION] = addr
        if rd != 0:
            regs[rd] = v
        return np.int64(0)
    if op == U(AMO_SC):
        ok = addr == st[S_RESERVATION]
        if ok:
            store_mem(mem, log, addr, regs[rs2], size)
        st[S_RESERVATION] = ZERO
        if rd != 0:
            regs[rd] = ZERO if ok else ONE
        return np.int64(0)
    src = regs[rs2]
    if size == 4:
        src = sext32(src)
    old = load_mem(mem, log, addr, size, True)
    new, known = amo_combine(op, old, src)
    if not known:
        return np.int64(ERR_UNKNOWN_AMO)
    write_bytes_in_leaf(mem, log, addr, new, size, False)
    if rd != 0:
        regs[rd] = old
    return np.int64(0)
