"""Integer computation: OP-IMM, OP, their 32-bit W forms, and the M extension (spec §4.2-4.3).

Each function returns ``(result, error)``; error 0 means success, otherwise a revert code.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from faultproof.vm.memory import NO_NRT
from faultproof.vm.riscv.bits import ALL_ONES, MASK32, ONE, ZERO, U, sext32
from faultproof.vm.riscv.constants import ERR_ILLEGAL

SIGN64 = U(0x8000000000000000)
SHAMT64 = U(0x3F)
SHAMT32 = U(0x1F)
ERR = np.int64(ERR_ILLEGAL)
OK = np.int64(0)


@njit(cache=True, **NO_NRT)
def sra(a: np.uint64, sh: np.uint64) -> np.uint64:
    return U(np.int64(a) >> np.int64(sh))


@njit(cache=True, **NO_NRT)
def slt(a: np.uint64, b: np.uint64) -> np.uint64:
    return ONE if np.int64(a) < np.int64(b) else ZERO


@njit(cache=True, **NO_NRT)
def mulhu(a: np.uint64, b: np.uint64) -> np.uint64:
    """High 64 bits of the unsigned 128-bit product, from 32-bit halves."""
    a_lo, a_hi = a & MASK32, a >> U(32)
    b_lo, b_hi = b & MASK32, b >> U(32)
    ll = a_lo * b_lo
    lh = a_lo * b_hi
    hl = a_hi * b_lo
    hh = a_hi * b_hi
    mid = (ll >> U(32)) + (lh & MASK32) + (hl & MASK32)
    return hh + (lh >> U(32)) + (hl >> U(32)) + (mid >> U(32))


@njit(cache=True, **NO_NRT)
def mulh(a: np.uint64, b: np.uint64) -> np.uint64:
    """Signed x signed high half: correct the unsigned product for negative operands."""
    r = mulhu(a, b)
    if a & SIGN64:
        r -= b
    if b & SIGN64:
        r -= a
    return r


@njit(cache=True, **NO_NRT)
def mulhsu(a: np.uint64, b: np.uint64) -> np.uint64:
    r = mulhu(a, b)
    if a & SIGN64:
        r -= b
    return r


@njit(cache=True, **NO_NRT)
def div_signed(a: np.uint64, b: np.uint64) -> np.uint64:
    """DIV: truncating; by zero -> all ones; INT64_MIN / -1 -> INT64_MIN (§4.3)."""
    if b == ZERO:
        return ALL_ONES
    if a == SIGN64 and b == ALL_ONES:
        return SIGN64
    neg_a = (a & SIGN64) != ZERO
    neg_b = (b & SIGN64) != ZERO
    ua = (ZERO - a) if neg_a else a
    ub = (ZERO - b) if neg_b else b
    q = ua // ub
    return (ZERO - q) if neg_a != neg_b else q


@njit(cache=True, **NO_NRT)
def rem_signed(a: np.uint64, b: np.uint64) -> np.uint64:
    """REM: sign of the dividend; by zero -> dividend; INT64_MIN % -1 -> 0 (§4.3)."""
    if b == ZERO:
        return a
    if a == SIGN64 and b == ALL_ONES:
        return ZERO
    neg_a = (a & SIGN64) != ZERO
    ua = (ZERO - a) if neg_a else a
    ub = (ZERO - b) if (b & SIGN64) != ZERO else b
    r = ua % ub
    return (ZERO - r) if neg_a else r


@njit(cache=True, **NO_NRT)
def div_unsigned(a: np.uint64, b: np.uint64) -> np.uint64:
    return ALL_ONES if b == ZERO else a // b


@njit(cache=True, **NO_NRT)
def rem_unsigned(a: np.uint64, b: np.uint64) -> np.uint64:
    return a if b == ZERO else a % b


@njit(cache=True, **NO_NRT)
def op_imm(
    instr: np.uint64, f3: np.uint64, a: np.uint64, imm: np.uint64
) -> tuple[np.uint64, np.int64]:
    """ADDI, SLLI, SLTI, SLTIU, XORI, SRLI/SRAI, ORI, ANDI (opcode 0x13)."""
    if f3 == U(0):
        return a + imm, OK
    if f3 == U(1):  # SLLI: upper immediate bits are not checked
        return a << (imm & SHAMT64), OK
    if f3 == U(2):
        return slt(a, imm), OK
    if f3 == U(3):
        return (ONE if a < imm else ZERO), OK
    if f3 == U(4):
        return a ^ imm, OK
    if f3 == U(5):
        sel = (imm & U(0xFFF)) >> U(6)
        if sel == U(0):
            return a >> (imm & SHAMT64), OK
        if sel == U(0x10):
            return sra(a, imm & SHAMT64), OK
        return ZERO, ERR
    if f3 == U(6):
        return a | imm, OK
    return a & imm, OK


@njit(cache=True, **NO_NRT)
def op_imm_32(
    instr: np.uint64, f3: np.uint64, a: np.uint64, imm: np.uint64
) -> tuple[np.uint64, np.int64]:
    """ADDIW, SLLIW, SRLIW, SRAIW (opcode 0x1B); results sign-extended from bit 31."""
    if f3 == U(0):
        return sext32(a + imm), OK
    imm12 = imm & U(0xFFF)
    if (imm12 >> U(5)) & ONE:  # shamt[5] set is reserved on RV64 (audit-6)
        return ZERO, ERR
    sh = imm12 & SHAMT32
    if f3 == U(1):  # SLLIW: like SLLI, the funct7 bits are not checked
        return sext32(a << sh), OK
    if f3 == U(5):
        sel = imm12 >> U(5)
        if sel == U(0):
            return sext32((a & MASK32) >> sh), OK
        if sel == U(0x20):
            return sext32(sra(sext32(a), sh)), OK
        return ZERO, ERR
    return ZERO, ERR


@njit(cache=True, **NO_NRT)
def op_m(f3: np.uint64, a: np.uint64, b: np.uint64) -> np.uint64:
    """M extension, 64-bit: MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU (funct7 = 1)."""
    if f3 == U(0):
        return a * b
    if f3 == U(1):
        return mulh(a, b)
    if f3 == U(2):
        return mulhsu(a, b)
    if f3 == U(3):
        return mulhu(a, b)
    if f3 == U(4):
        return div_signed(a, b)
    if f3 == U(5):
        return div_unsigned(a, b)
    if f3 == U(6):
        return rem_signed(a, b)
    return rem_unsigned(a, b)


@njit(cache=True, **NO_NRT)
def op_reg(f3: np.uint64, f7: np.uint64, a: np.uint64, b: np.uint64) -> tuple[np.uint64, np.int64]:
    """RV64I register-register ops (opcode 0x33) and M when funct7 = 1."""
    if f7 == ONE:
        return op_m(f3, a, b), OK
    if f3 == U(0):
        if f7 == U(0):
            return a + b, OK
        if f7 == U(0x20):
            return a - b, OK
        return ZERO, ERR
    if f3 == U(1):  # SLL..AND (except SRL/SRA) do not check funct7
        return a << (b & SHAMT64), OK
    if f3 == U(2):
        return slt(a, b), OK
    if f3 == U(3):
        return (ONE if a < b else ZERO), OK
    if f3 == U(4):
        return a ^ b, OK
    if f3 == U(5):
        if f7 == U(0):
            return a >> (b & SHAMT64), OK
        if f7 == U(0x20):
            return sra(a, b & SHAMT64), OK
        return ZERO, ERR
    if f3 == U(6):
        return a | b, OK
    return a & b, OK


@njit(cache=True, **NO_NRT)
def op_reg_32(
    f3: np.uint64, f7: np.uint64, a: np.uint64, b: np.uint64
) -> tuple[np.uint64, np.int64]:
    """ADDW/SUBW/SLLW/SRLW/SRAW and MULW/DIVW/DIVUW/REMW/REMUW (opcode 0x3B).

    rs2 is masked to 32 bits first; the zero-divisor test therefore looks at its low word (audit-3).
    """
    b = b & MASK32
    if f7 == ONE:
        if f3 == U(0):
            return sext32(a * b), OK
        if f3 == U(4):
            return sext32(div_signed(sext32(a), sext32(b))), OK
        if f3 == U(5):
            return sext32(div_unsigned(a & MASK32, b)), OK
        if f3 == U(6):
            return sext32(rem_signed(sext32(a), sext32(b))), OK
        if f3 == U(7):
            return sext32(rem_unsigned(a & MASK32, b)), OK
        return ZERO, ERR
    if f3 == U(0):
        if f7 == U(0):
            return sext32(a + b), OK
        if f7 == U(0x20):
            return sext32(a - b), OK
        return ZERO, ERR
    if f3 == U(1):
        return sext32(a << (b & SHAMT32)), OK
    if f3 == U(5):
        if f7 == U(0):
            return sext32((a & MASK32) >> (b & SHAMT32)), OK
        if f7 == U(0x20):
            return sext32(sra(sext32(a), b & SHAMT32)), OK
        return ZERO, ERR
    return ZERO, ERR
