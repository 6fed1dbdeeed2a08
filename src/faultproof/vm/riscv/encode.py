"""RISC-V base-format instruction encoders: the one place the bit layouts of §4.1 are written down.

Used by the fuzz hook, the step-contract witness builders, tests and benchmarks, so a hand-built
instruction means the same bits everywhere.
"""

from __future__ import annotations

ECALL = 0x00000073


def enc_r(op: int, f3: int, f7: int, rd: int, rs1: int, rs2: int) -> int:
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def enc_i(op: int, f3: int, rd: int, rs1: int, imm: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


def enc_s(f3: int, rs1: int, rs2: int, imm: int, op: int = 0x23) -> int:
    imm &= 0xFFF
    return ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1F) << 7) | op


def enc_b(f3: int, rs1: int, rs2: int, imm: int) -> int:
    imm &= 0x1FFF
    return (
        ((imm >> 12) << 31) | (((imm >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
        | (((imm >> 1) & 0xF) << 8) | (((imm >> 11) & 1) << 7) | 0x63
    )  # fmt: skip


def enc_u(op: int, rd: int, imm20: int) -> int:
    return ((imm20 & 0xFFFFF) << 12) | (rd << 7) | op


def enc_j(rd: int, imm: int) -> int:
    imm &= 0x1FFFFF
    return (
        ((imm >> 20) << 31) | (((imm >> 1) & 0x3FF) << 21) | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F
    )  # fmt: skip


def enc_amo(op5: int, f3: int, rd: int, rs1: int, rs2: int) -> int:
    return enc_r(0x2F, f3, op5 << 2, rd, rs1, rs2)
