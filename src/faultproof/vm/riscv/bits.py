"""Instruction fields, immediates and 64-bit helpers (spec §4.1), compiled with numba.

Every value is a ``np.uint64``; signed views are taken explicitly, because numba promotes mixed
signed/unsigned arithmetic to float.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from faultproof.vm.memory import NO_NRT

U = np.uint64
ZERO = U(0)
ONE = U(1)
ALL_ONES = U(0xFFFFFFFFFFFFFFFF)
MASK32 = U(0xFFFFFFFF)


@njit(cache=True, **NO_NRT, inline="always")
def sext(v: np.uint64, bit: int) -> np.uint64:
    """Sign-extend ``v`` from bit ``bit`` (the spec's ``sext(v, b)``)."""
    m = ONE << U(bit)
    v = v & ((m << ONE) - ONE)
    return (v ^ m) - m


@njit(cache=True, **NO_NRT, inline="always")
def sext32(v: np.uint64) -> np.uint64:
    """The W-form result: low 32 bits sign-extended (``mask32Signed64``)."""
    return sext(v & MASK32, 31)


@njit(cache=True, **NO_NRT, inline="always")
def to_signed(v: np.uint64) -> np.int64:
    return np.int64(v)


@njit(cache=True, **NO_NRT, inline="always")
def opcode(instr: np.uint64) -> np.uint64:
    return instr & U(0x7F)


@njit(cache=True, **NO_NRT, inline="always")
def rd(instr: np.uint64) -> np.int64:
    return np.int64((instr >> U(7)) & U(0x1F))


@njit(cache=True, **NO_NRT, inline="always")
def funct3(instr: np.uint64) -> np.uint64:
    return (instr >> U(12)) & U(7)


@njit(cache=True, **NO_NRT, inline="always")
def rs1(instr: np.uint64) -> np.int64:
    return np.int64((instr >> U(15)) & U(0x1F))


@njit(cache=True, **NO_NRT, inline="always")
def rs2(instr: np.uint64) -> np.int64:
    return np.int64((instr >> U(20)) & U(0x1F))


@njit(cache=True, **NO_NRT, inline="always")
def funct7(instr: np.uint64) -> np.uint64:
    return instr >> U(25)


@njit(cache=True, **NO_NRT, inline="always")
def imm_i(instr: np.uint64) -> np.uint64:
    return sext(instr >> U(20), 11)


@njit(cache=True, **NO_NRT, inline="always")
def imm_s(instr: np.uint64) -> np.uint64:
    return sext(((instr >> U(25)) << U(5)) | ((instr >> U(7)) & U(0x1F)), 11)


@njit(cache=True, **NO_NRT, inline="always")
def imm_b(instr: np.uint64) -> np.uint64:
    v = (
        (((instr >> U(8)) & U(0xF)) << U(1))
        | (((instr >> U(25)) & U(0x3F)) << U(5))
        | (((instr >> U(7)) & ONE) << U(11))
        | ((instr >> U(31)) << U(12))
    )
    return sext(v, 12)


@njit(cache=True, **NO_NRT, inline="always")
def imm_u(instr: np.uint64) -> np.uint64:
    """``sext(instr >> 12, 19)``: the 20-bit U immediate, not yet shifted."""
    return sext(instr >> U(12), 19)


@njit(cache=True, **NO_NRT, inline="always")
def imm_j(instr: np.uint64) -> np.uint64:
    """The final JAL offset ``sext(J << 1, 20)``."""
    j = (
        ((instr >> U(21)) & U(0x3FF))
        | (((instr >> U(20)) & ONE) << U(10))
        | (((instr >> U(12)) & U(0xFF)) << U(11))
        | ((instr >> U(31)) << U(19))
    )
    return sext(j << ONE, 20)
