"""The C extension for riscv64c: every 16-bit encoding expanded to the 32-bit instruction it means.

RISC-V Unprivileged ISA, chapter "C" (RV64C). Expansion keeps one set of semantics: a compressed
instruction executes exactly as its expansion, except that the next pc and link value are pc+2.
Reserved encodings (and the all-zero word, defined illegal) expand to 0, which the executor turns
into the illegal-instruction revert. HINT encodings (rd = x0 and similar) are legal no-op-like
expansions, as the spec allows. FP loads/stores (C.FLD, C.FSD, C.FLDSP, C.FSDSP) expand to FLD/FSD,
which Asterisc executes as no-ops.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from faultproof.vm.memory import NO_NRT
from faultproof.vm.riscv.bits import ZERO, U

ILLEGAL = U(0)


@njit(cache=True, **NO_NRT)
def bit(c: np.uint64, hi: int, lo: int) -> np.uint64:
    """Bits ``hi..lo`` of ``c``."""
    return (c >> U(lo)) & ((U(1) << U(hi - lo + 1)) - U(1))


@njit(cache=True, **NO_NRT)
def enc_i(op: int, rd: np.uint64, f3: int, rs1: np.uint64, imm: np.uint64) -> np.uint64:
    return ((imm & U(0xFFF)) << U(20)) | (rs1 << U(15)) | (U(f3) << U(12)) | (rd << U(7)) | U(op)


@njit(cache=True, **NO_NRT)
def enc_s(op: int, f3: int, rs1: np.uint64, rs2: np.uint64, imm: np.uint64) -> np.uint64:
    return (
        (((imm >> U(5)) & U(0x7F)) << U(25)) | (rs2 << U(20)) | (rs1 << U(15))
        | (U(f3) << U(12)) | ((imm & U(0x1F)) << U(7)) | U(op)
    )  # fmt: skip


@njit(cache=True, **NO_NRT)
def enc_r(op: int, f7: int, rd: np.uint64, f3: int, rs1: np.uint64, rs2: np.uint64) -> np.uint64:
    return (
        (U(f7) << U(25)) | (rs2 << U(20)) | (rs1 << U(15)) | (U(f3) << U(12)) | (rd << U(7)) | U(op)
    )


@njit(cache=True, **NO_NRT)
def enc_b(f3: int, rs1: np.uint64, rs2: np.uint64, imm: np.uint64) -> np.uint64:
    return (
        (bit(imm, 12, 12) << U(31)) | (bit(imm, 10, 5) << U(25)) | (rs2 << U(20)) | (rs1 << U(15))
        | (U(f3) << U(12)) | (bit(imm, 4, 1) << U(8)) | (bit(imm, 11, 11) << U(7)) | U(0x63)
    )  # fmt: skip


@njit(cache=True, **NO_NRT)
def enc_j(rd: np.uint64, imm: np.uint64) -> np.uint64:
    return (
        (bit(imm, 20, 20) << U(31)) | (bit(imm, 10, 1) << U(21)) | (bit(imm, 11, 11) << U(20))
        | (bit(imm, 19, 12) << U(12)) | (rd << U(7)) | U(0x6F)
    )  # fmt: skip


@njit(cache=True, **NO_NRT)
def sx(v: np.uint64, b: int) -> np.uint64:
    m = U(1) << U(b)
    return (v ^ m) - m


@njit(cache=True, **NO_NRT)
def quadrant0(c: np.uint64) -> np.uint64:
    f3 = bit(c, 15, 13)
    rdp = bit(c, 4, 2) + U(8)
    rs1p = bit(c, 9, 7) + U(8)
    # offsets of the word/doubleword forms
    uimm_w = (bit(c, 12, 10) << U(3)) | (bit(c, 6, 6) << U(2)) | (bit(c, 5, 5) << U(6))
    uimm_d = (bit(c, 12, 10) << U(3)) | (bit(c, 6, 5) << U(6))
    if f3 == U(0):  # C.ADDI4SPN; nzuimm = 0 (incl. the all-zero word) is reserved
        nz = (
            (bit(c, 12, 11) << U(4))
            | (bit(c, 10, 7) << U(6))
            | (bit(c, 6, 6) << U(2))
            | (bit(c, 5, 5) << U(3))
        )
        if nz == ZERO:
            return ILLEGAL
        return enc_i(0x13, rdp, 0, U(2), nz)
    if f3 == U(1):  # C.FLD
        return enc_i(0x07, rdp, 3, rs1p, uimm_d)
    if f3 == U(2):  # C.LW
        return enc_i(0x03, rdp, 2, rs1p, uimm_w)
    if f3 == U(3):  # C.LD
        return enc_i(0x03, rdp, 3, rs1p, uimm_d)
    if f3 == U(4):  # reserved
        return ILLEGAL
    if f3 == U(5):  # C.FSD
        return enc_s(0x27, 3, rs1p, rdp, uimm_d)
    if f3 == U(6):  # C.SW
        return enc_s(0x23, 2, rs1p, rdp, uimm_w)
    return enc_s(0x23, 3, rs1p, rdp, uimm_d)  # C.SD


@njit(cache=True, **NO_NRT)
def quadrant1(c: np.uint64) -> np.uint64:
    f3 = bit(c, 15, 13)
    rd = bit(c, 11, 7)
    imm6 = sx((bit(c, 12, 12) << U(5)) | bit(c, 6, 2), 5)
    if f3 == U(0):  # C.ADDI / C.NOP (rd = 0 or imm = 0 are HINTs)
        return enc_i(0x13, rd, 0, rd, imm6)
    if f3 == U(1):  # C.ADDIW; rd = 0 reserved
        if rd == ZERO:
            return ILLEGAL
        return enc_i(0x1B, rd, 0, rd, imm6)
    if f3 == U(2):  # C.LI
        return enc_i(0x13, rd, 0, U(0), imm6)
    if f3 == U(3):
        if rd == U(2):  # C.ADDI16SP; nzimm = 0 reserved
            nz = (
                (bit(c, 12, 12) << U(9)) | (bit(c, 6, 6) << U(4)) | (bit(c, 5, 5) << U(6))
                | (bit(c, 4, 3) << U(7)) | (bit(c, 2, 2) << U(5))
            )  # fmt: skip
            if nz == ZERO:
                return ILLEGAL
            return enc_i(0x13, U(2), 0, U(2), sx(nz, 9))
        nz = (bit(c, 12, 12) << U(17)) | (bit(c, 6, 2) << U(12))  # C.LUI; nzimm = 0 reserved
        if nz == ZERO:
            return ILLEGAL
        return (sx(nz, 17) & U(0xFFFFF000)) | (rd << U(7)) | U(0x37)
    if f3 == U(4):
        rdp = bit(c, 9, 7) + U(8)
        f2 = bit(c, 11, 10)
        shamt = (bit(c, 12, 12) << U(5)) | bit(c, 6, 2)
        if f2 == U(0):  # C.SRLI
            return enc_i(0x13, rdp, 5, rdp, shamt)
        if f2 == U(1):  # C.SRAI
            return enc_i(0x13, rdp, 5, rdp, shamt | U(0x400))
        if f2 == U(2):  # C.ANDI
            return enc_i(0x13, rdp, 7, rdp, imm6)
        rs2p = bit(c, 4, 2) + U(8)
        sel = bit(c, 6, 5)
        if bit(c, 12, 12) == ZERO:
            if sel == U(0):
                return enc_r(0x33, 0x20, rdp, 0, rdp, rs2p)  # C.SUB
            if sel == U(1):
                return enc_r(0x33, 0, rdp, 4, rdp, rs2p)  # C.XOR
            if sel == U(2):
                return enc_r(0x33, 0, rdp, 6, rdp, rs2p)  # C.OR
            return enc_r(0x33, 0, rdp, 7, rdp, rs2p)  # C.AND
        if sel == U(0):
            return enc_r(0x3B, 0x20, rdp, 0, rdp, rs2p)  # C.SUBW
        if sel == U(1):
            return enc_r(0x3B, 0, rdp, 0, rdp, rs2p)  # C.ADDW
        return ILLEGAL  # reserved
    if f3 == U(5):  # C.J
        off = (
            (bit(c, 12, 12) << U(11)) | (bit(c, 11, 11) << U(4)) | (bit(c, 10, 9) << U(8))
            | (bit(c, 8, 8) << U(10)) | (bit(c, 7, 7) << U(6)) | (bit(c, 6, 6) << U(7))
            | (bit(c, 5, 3) << U(1)) | (bit(c, 2, 2) << U(5))
        )  # fmt: skip
        return enc_j(U(0), sx(off, 11))
    rs1p = bit(c, 9, 7) + U(8)  # C.BEQZ / C.BNEZ
    off = (
        (bit(c, 12, 12) << U(8)) | (bit(c, 11, 10) << U(3)) | (bit(c, 6, 5) << U(6))
        | (bit(c, 4, 3) << U(1)) | (bit(c, 2, 2) << U(5))
    )  # fmt: skip
    return enc_b(0 if f3 == U(6) else 1, rs1p, U(0), sx(off, 8))


@njit(cache=True, **NO_NRT)
def quadrant2(c: np.uint64) -> np.uint64:
    f3 = bit(c, 15, 13)
    rd = bit(c, 11, 7)
    rs2 = bit(c, 6, 2)
    if f3 == U(0):  # C.SLLI (rd = 0 is a HINT)
        return enc_i(0x13, rd, 1, rd, (bit(c, 12, 12) << U(5)) | bit(c, 6, 2))
    ldsp = (bit(c, 12, 12) << U(5)) | (bit(c, 6, 5) << U(3)) | (bit(c, 4, 2) << U(6))
    if f3 == U(1):  # C.FLDSP
        return enc_i(0x07, rd, 3, U(2), ldsp)
    if f3 == U(2):  # C.LWSP; rd = 0 reserved
        if rd == ZERO:
            return ILLEGAL
        off = (bit(c, 12, 12) << U(5)) | (bit(c, 6, 4) << U(2)) | (bit(c, 3, 2) << U(6))
        return enc_i(0x03, rd, 2, U(2), off)
    if f3 == U(3):  # C.LDSP; rd = 0 reserved
        if rd == ZERO:
            return ILLEGAL
        return enc_i(0x03, rd, 3, U(2), ldsp)
    if f3 == U(4):
        if bit(c, 12, 12) == ZERO:
            if rs2 == ZERO:  # C.JR; rs1 = 0 reserved
                if rd == ZERO:
                    return ILLEGAL
                return enc_i(0x67, U(0), 0, rd, U(0))
            return enc_r(0x33, 0, rd, 0, U(0), rs2)  # C.MV
        if rs2 == ZERO:
            if rd == ZERO:  # C.EBREAK
                return U(0x00100073)
            return enc_i(0x67, U(1), 0, rd, U(0))  # C.JALR
        return enc_r(0x33, 0, rd, 0, rd, rs2)  # C.ADD
    sdsp = (bit(c, 12, 10) << U(3)) | (bit(c, 9, 7) << U(6))
    if f3 == U(5):  # C.FSDSP
        return enc_s(0x27, 3, U(2), rs2, sdsp)
    if f3 == U(6):  # C.SWSP
        return enc_s(0x23, 2, U(2), rs2, (bit(c, 12, 9) << U(2)) | (bit(c, 8, 7) << U(6)))
    return enc_s(0x23, 3, U(2), rs2, sdsp)  # C.SDSP


@njit(cache=True, **NO_NRT)
def expand(c: np.uint64) -> np.uint64:
    """The 32-bit instruction a 16-bit parcel (low two bits != 3) stands for; 0 when illegal."""
    q = c & U(3)
    if q == U(0):
        return quadrant0(c)
    if q == U(1):
        return quadrant1(c)
    return quadrant2(c)
