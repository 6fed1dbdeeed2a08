"""MIPS32 instruction encoders: the one place the R/I/J bit layouts are written down.

Used by the fuzz hook, the step-contract witness builders, tests and benchmarks, so a hand-built
instruction means the same bits everywhere.
"""

from __future__ import annotations

SYSCALL = 0x0000000C


def r_type(funct: int, rs: int = 0, rt: int = 0, rd: int = 0, shamt: int = 0, op: int = 0) -> int:
    return (op << 26) | (rs << 21) | (rt << 16) | (rd << 11) | (shamt << 6) | funct


def i_type(op: int, rs: int, rt: int, imm: int) -> int:
    return (op << 26) | (rs << 21) | (rt << 16) | (imm & 0xFFFF)


def j_type(op: int, target: int) -> int:
    """``target`` is the 26-bit instruction-index field (the byte address >> 2)."""
    return (op << 26) | (target & 0x03FFFFFF)
