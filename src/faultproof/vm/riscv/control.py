"""Branches and jumps (spec §4.2): B-type compare, JAL, JALR; targets checked for alignment.

``align_mask`` is 3 for riscv64 (Asterisc requires 4-aligned targets, audit-9/10) and 1 for riscv64c
(compressed code makes every even address a valid instruction start).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from faultproof.vm.riscv.bits import ONE, U, ZERO

SIGN = U(0x8000000000000000)


@njit(cache=True, _nrt=False, inline="always")
def branch_taken(f3: np.uint64, a: np.uint64, b: np.uint64) -> bool:
    """BEQ, BNE, BLT, BGE, BLTU, BGEU; funct3 2 and 3 are silently 'not taken' in Asterisc."""
    if f3 == U(0):
        return a == b
    if f3 == U(1):
        return a != b
    if f3 == U(4):
        return (a ^ SIGN) < (b ^ SIGN)
    if f3 == U(5):
        return (a ^ SIGN) >= (b ^ SIGN)
    if f3 == U(6):
        return a < b
    if f3 == U(7):
        return a >= b
    return False


@njit(cache=True, _nrt=False, inline="always")
def target_misaligned(target: np.uint64, align_mask: np.uint64) -> bool:
    return (target & align_mask) != ZERO


@njit(cache=True, _nrt=False, inline="always")
def jalr_target(base: np.uint64, imm: np.uint64) -> np.uint64:
    """``(rs1 + imm) & ~1``."""
    return (base + imm) & ~ONE
