"""Branches and jumps (spec §4.2): B-type compare, JAL, JALR; targets checked for alignment.

``align_mask`` is 3 for riscv64 (Asterisc requires 4-aligned targets, audit-9/10) and 1 for riscv64c
(compressed code makes every even address a valid instruction start).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from faultproof.vm.memory import NO_NRT
from faultproof.vm.riscv.bits import ONE, ZERO, U

SIGN = U(0x8000000000000000)


@njit(cache=True, **NO_NRT, inline="always")
def branch_taken(f3: np.uint64, a: np.uint64, b: np.uint64) -> bool:
    """BEQ, BNE, BLT, BGE, BLTU, BGEU; funct3 2 and 3 are silently 'not taken' in Asterisc."""
    if f3 == U(0):
        return bool(a == b)
    if f3 == U(1):
        return bool(a != b)
    if f3 == U(4):
        return bool((a ^ SIGN) < (b ^ SIGN))
    if f3 == U(5):
        return bool((a ^ SIGN) >= (b ^ SIGN))
    if f3 == U(6):
        return bool(a < b)
    if f3 == U(7):
        return bool(a >= b)
    return False


@njit(cache=True, **NO_NRT, inline="always")
def target_misaligned(target: np.uint64, align_mask: np.uint64) -> bool:
    return bool((target & align_mask) != ZERO)


@njit(cache=True, **NO_NRT, inline="always")
def jalr_target(base: np.uint64, imm: np.uint64) -> np.uint64:
    """``(rs1 + imm) & ~1``."""
    return (base + imm) & ~ONE
