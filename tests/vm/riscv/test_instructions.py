"""Unit tests per instruction family, on the Asterisc-specific edge cases (spec §4)."""

from __future__ import annotations

import pytest
from tests.vm.riscv.harness import (
    CODE,
    enc_amo,
    enc_b,
    enc_i,
    enc_j,
    enc_r,
    enc_s,
    make_vm,
    run_words,
)

from faultproof.vm.riscv import constants as c
from faultproof.vm.riscv.state import RiscvRevert

M64 = 2**64 - 1
INT64_MIN = 1 << 63


def run_one(word: int, regs: dict[int, int], compressed: bool = False):  # type: ignore[no-untyped-def]
    vm = make_vm(compressed)
    for r, v in regs.items():
        vm.set_register(r, v)
    return run_words(vm, [word])


def rr(op: int, f3: int, f7: int, a: int, b: int) -> int:
    return run_one(enc_r(op, f3, f7, 3, 1, 2), {1: a, 2: b}).register(3)


@pytest.mark.parametrize(
    ("f3", "f7", "a", "b", "want"),
    [
        (0, 0, 0x7FFFFFFF, 1, 0xFFFFFFFF80000000),  # ADDW wraps and sign-extends
        (0, 0x20, 0, 1, M64),  # SUBW
        (1, 0, 1, 31, 0xFFFFFFFF80000000),  # SLLW
        (1, 0, 1, 32 + 1, 2),  # SLLW uses rs2 & 0x1F
        (5, 0, 0x80000000, 4, 0x08000000),  # SRLW shifts the low word in zeros
        (5, 0, 0x80000000, 0, 0xFFFFFFFF80000000),  # ...and sign-extends bit 31
        (5, 0x20, 0x80000000, 31, M64),  # SRAW
        (0, 1, 0x10000, 0x10000, 0),  # MULW keeps low 32 bits
        (4, 1, 5, 0, M64),  # DIVW by zero
        (4, 1, 5, 1 << 32, M64),  # zero test looks only at the low word (audit-3)
        (5, 1, 5, 0, M64),  # DIVUW by zero
        (6, 1, 0xFFFFFFFF80000005, 0, 0xFFFFFFFF80000005),  # REMW by zero -> sext32(rs1)
        (7, 1, 0x80000005, 0, 0xFFFFFFFF80000005),  # REMUW by zero -> sext32(rs1)
        (4, 1, 0x80000000, M64, 0xFFFFFFFF80000000),  # DIVW overflow
        (6, 1, 0x80000000, M64, 0),  # REMW overflow
        (5, 1, 0xFFFFFFFF, 2, 0x7FFFFFFF),  # DIVUW
    ],
)
def test_w_forms_sign_extend_and_m_edge_cases(f3: int, f7: int, a: int, b: int, want: int) -> None:
    assert rr(0x3B, f3, f7, a, b) == want


@pytest.mark.parametrize(
    ("f3", "a", "b", "want"),
    [
        (4, 7, 0, M64),  # DIV by zero
        (5, 7, 0, M64),  # DIVU by zero
        (6, 7, 0, 7),  # REM by zero -> dividend
        (7, 7, 0, 7),
        (4, INT64_MIN, M64, INT64_MIN),  # DIV overflow
        (6, INT64_MIN, M64, 0),  # REM overflow
        (4, (-7) & M64, 2, (-3) & M64),  # truncating division
        (6, (-7) & M64, 2, (-1) & M64),  # remainder takes the dividend's sign
        (1, M64, M64, 0),  # MULH(-1, -1)
        (2, M64, M64, M64),  # MULHSU(-1, 2^64-1)
        (3, M64, M64, M64 - 1),  # MULHU
        (0, 3, M64, M64 - 2),  # MUL
    ],
)
def test_m_extension(f3: int, a: int, b: int, want: int) -> None:
    assert rr(0x33, f3, 1, a, b) == want


def test_shifts_by_register_use_six_bits() -> None:
    assert rr(0x33, 1, 0, 1, 64 + 3) == 8
    assert rr(0x33, 5, 0, INT64_MIN, 63 + 64) == 1
    assert rr(0x33, 5, 0x20, INT64_MIN, 63) == M64


def test_unchecked_funct7_and_reserved_encodings() -> None:
    assert rr(0x33, 4, 0x7F, 6, 3) == 5  # XOR ignores funct7 (Asterisc)
    for word in (enc_r(0x33, 0, 0x7F, 3, 1, 2), enc_r(0x3B, 2, 0, 3, 1, 2), enc_i(0x1B, 1, 3, 1, 0x20),
                 enc_i(0x13, 5, 3, 1, 0x200), enc_i(0x03, 7, 3, 1, 0)):  # fmt: skip
        with pytest.raises(RiscvRevert) as e:
            run_one(word, {})
        assert e.value.code == c.ERR_ILLEGAL
    with pytest.raises(RiscvRevert) as e:
        run_one(0x0000007F, {})
    assert e.value.code == c.ERR_UNKNOWN_OPCODE
    with pytest.raises(RiscvRevert) as e:
        run_one(enc_s(4, 1, 2, 0), {})
    assert e.value.code == c.ERR_STORE_SIZE


def test_csr_reads_zero_fence_ebreak_fp_are_noops() -> None:
    vm = run_one(0xC0002573, {10: 99})  # rdcycle a0
    assert vm.register(10) == 0 and vm.pc == CODE + 4
    for word in (0x0FF0000F, 0x00100073, 0x00053007, 0x00A53027, 0x02A57553):
        vm = run_one(word, {10: 0x300000})
        assert vm.pc == CODE + 4 and vm.register(10) == 0x300000


def test_branches() -> None:
    vm = run_one(enc_b(4, 1, 2, 16), {1: M64, 2: 0})  # BLT -1 < 0
    assert vm.pc == CODE + 16
    vm = run_one(enc_b(6, 1, 2, 16), {1: M64, 2: 0})  # BLTU
    assert vm.pc == CODE + 4
    vm = run_one(enc_b(2, 1, 1, 16), {})  # funct3 2: silently not taken
    assert vm.pc == CODE + 4
    with pytest.raises(RiscvRevert) as e:
        run_one(enc_b(0, 1, 1, 6), {})  # 2-aligned target reverts on riscv64
    assert e.value.code == c.ERR_MISALIGNED
    vm = run_one(enc_b(0, 1, 1, 6), {}, compressed=True)  # ...but is fine on riscv64c
    assert vm.pc == CODE + 6


def test_jal_jalr_link_and_alignment() -> None:
    vm = run_one(enc_j(1, -8), {})
    assert vm.pc == CODE - 8 and vm.register(1) == CODE + 4
    vm = run_one(enc_i(0x67, 0, 1, 1, 5), {1: 0x1003})  # rs1 read before rd written, bit 0 cleared
    assert vm.pc == 0x1008 and vm.register(1) == CODE + 4
    with pytest.raises(RiscvRevert):
        run_one(enc_i(0x67, 0, 0, 1, 2), {1: 0x1000})


def test_lui_auipc_sign_extend() -> None:
    assert run_one(0x800000B7, {}).register(1) == 0xFFFFFFFF80000000
    assert run_one(0x80000097, {}).register(1) == (CODE + 0xFFFFFFFF80000000) & M64


@pytest.mark.parametrize("offset", [0, 1, 3, 7, 25, 28, 29, 31])
@pytest.mark.parametrize("size_f3", [0, 1, 2, 3])
def test_misaligned_store_and_load_across_leaves(offset: int, size_f3: int) -> None:
    """Stores/loads of any alignment, split over two leaves, with one or two data proofs."""
    size = 1 << size_f3
    base = 0x400000 + 32 * 5 + offset
    value = 0x8877665544332211
    vm = make_vm()
    vm.set_register(1, base)
    vm.set_register(2, value)
    run_words(
        vm,
        [enc_s(size_f3, 1, 2, 0), enc_i(0x03, size_f3, 3, 1, 0), enc_i(0x03, 4 | size_f3, 4, 1, 0)],
        steps=0,
    )
    vm.st[0] = CODE
    w_store = vm.step(proof=True)
    w_load = vm.step(proof=True)
    low = value & ((1 << 8 * size) - 1)
    assert vm.memory.read(base, size) == low.to_bytes(size, "little")
    signed = low - (1 << 8 * size) if low >> (8 * size - 1) else low
    assert vm.register(3) == signed & M64
    straddle = (base & 31) + size > 32
    assert w_store is not None and w_load is not None
    assert len(w_store.proof) == len(w_load.proof) == (3 if straddle else 2) * 1920
    if size < 8:
        vm.step()
        assert vm.register(4) == low


def test_lr_sc_and_reservation() -> None:
    addr = 0x500000
    vm = make_vm()
    vm.set_register(1, addr)
    vm.set_register(2, 0x1234)
    vm.memory.write(addr, (0xFFFFFFFF).to_bytes(4, "little"))
    words = [
        enc_amo(c.AMO_SC, 3, 5, 1, 2),  # SC without reservation fails: rd = 1
        enc_amo(c.AMO_LR, 2, 3, 1, 0),  # LR.W sign-extends
        enc_amo(c.AMO_SC, 3, 5, 1, 2),  # SC.D at the reserved address succeeds
        enc_amo(c.AMO_SC, 3, 6, 1, 2),  # reservation was cleared: fails
    ]
    run_words(vm, words, steps=1)
    assert vm.register(5) == 1 and vm.load_reservation == 0
    vm.step()
    assert vm.register(3) == M64 and vm.load_reservation == addr
    w = vm.step(proof=True)
    assert vm.register(5) == 0 and vm.load_reservation == 0 and w is not None
    assert int.from_bytes(vm.memory.read(addr, 8), "little") == 0x1234
    assert len(w.proof) == 2 * 1920
    w = vm.step(proof=True)
    assert (
        vm.register(6) == 1 and w is not None and len(w.proof) == 1920
    )  # failure: fetch proof only


@pytest.mark.parametrize(
    ("op", "old", "src", "want"),
    [
        (c.AMO_ADD, 5, 7, 12),
        (c.AMO_SWAP, 5, 7, 7),
        (c.AMO_XOR, 5, 3, 6),
        (c.AMO_AND, 6, 3, 2),
        (c.AMO_OR, 4, 3, 7),
        (c.AMO_MIN, 0xFFFFFFFF, 1, 0xFFFFFFFF),  # .W compares sign-extended
        (c.AMO_MAX, 0xFFFFFFFF, 1, 1),
        (c.AMO_MINU, 0xFFFFFFFF, 1, 1),
        (c.AMO_MAXU, 0xFFFFFFFF, 1, 0xFFFFFFFF),
    ],
)
def test_amo_w(op: int, old: int, src: int, want: int) -> None:
    addr = 0x500000
    vm = make_vm()
    vm.set_register(1, addr)
    vm.set_register(2, src)
    vm.memory.write(addr, old.to_bytes(4, "little"))
    run_words(vm, [enc_amo(op, 2, 3, 1, 2)])
    assert int.from_bytes(vm.memory.read(addr, 4), "little") == want
    assert vm.register(3) == (old | (M64 ^ 0xFFFFFFFF) if old >> 31 else old)


def test_amo_errors() -> None:
    with pytest.raises(RiscvRevert) as e:
        run_one(enc_amo(c.AMO_ADD, 3, 3, 1, 2), {1: 0x500004})
    assert e.value.code == c.ERR_MISALIGNED
    with pytest.raises(RiscvRevert) as e:
        run_one(enc_amo(c.AMO_ADD, 1, 3, 1, 2), {1: 0x500000})
    assert e.value.code == c.ERR_AMO_SIZE
    with pytest.raises(RiscvRevert) as e:
        run_one(enc_amo(0x1F, 2, 3, 1, 2), {1: 0x500000})
    assert e.value.code == c.ERR_UNKNOWN_AMO


def test_fetch_straddling_a_leaf_reverts_on_riscv64_and_takes_two_proofs_on_riscv64c() -> None:
    pc = CODE + 30
    vm = make_vm()
    vm.memory.write(pc, (0x00108093).to_bytes(4, "little"))
    vm.st[0] = pc
    with pytest.raises(RiscvRevert) as e:
        vm.step()
    assert e.value.code == c.ERR_FETCH_STRADDLE
    vm = make_vm(compressed=True)
    vm.memory.write(pc, (0x00108093).to_bytes(4, "little"))
    vm.st[0] = pc
    w = vm.step(proof=True)
    assert w is not None and len(w.proof) == 2 * 1920 and vm.register(1) == 1 and vm.pc == pc + 4


def test_sc_failure_paths_clear_the_reservation_and_leave_memory() -> None:
    """SC to another address than the reserved one fails (rd = 1), writes nothing, clears the
    reservation; ordinary stores and AMOs keep it; with no LR, 0 is the "reservation" (§4.4)."""
    addr = 0x500000
    vm = make_vm()
    vm.set_register(1, addr)
    vm.set_register(4, addr + 8)
    vm.set_register(2, 0x55)
    before = vm.memory.read(addr, 16)
    words = [
        enc_amo(c.AMO_LR, 3, 3, 1, 0),  # LR.D at addr
        enc_amo(c.AMO_SC, 3, 5, 4, 2),  # SC.D at addr + 8: fails
        enc_amo(c.AMO_SC, 3, 6, 1, 2),  # SC.D at addr: the failed SC cleared the reservation
        enc_amo(c.AMO_LR, 2, 3, 1, 0),  # LR.W at addr
        enc_s(3, 4, 2, 0),  # SD to addr + 8: does not clear it
        enc_amo(c.AMO_ADD, 3, 7, 4, 2),  # AMOADD.D at addr + 8: does not clear it either
        enc_amo(c.AMO_SC, 2, 8, 1, 2),  # SC.W at addr: succeeds
    ]
    run_words(vm, words, steps=2)
    assert vm.register(5) == 1 and vm.load_reservation == 0
    assert vm.memory.read(addr, 16) == before
    vm.step()
    assert vm.register(6) == 1 and vm.memory.read(addr, 8) == before[:8]
    vm.run(3)
    assert vm.load_reservation == addr
    vm.step()
    assert vm.register(8) == 0 and vm.load_reservation == 0
    assert vm.memory.read(addr, 4) == (0x55).to_bytes(4, "little")


def test_sc_at_address_zero_without_lr_succeeds() -> None:
    """0 means "no reservation", so an SC at address 0 matches it (Asterisc's quirk, §4.4)."""
    vm = make_vm()
    vm.set_register(2, 0x77)
    run_words(vm, [enc_amo(c.AMO_SC, 3, 5, 0, 2)])
    assert vm.register(5) == 0 and vm.memory.read(0, 8) == (0x77).to_bytes(8, "little")


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize(
    "word",
    [
        0x00000043,  # fmadd.s
        0x02000047,  # fmsub.d
        0x0000004B,  # fnmsub.s
        0x0200004F,  # fnmadd.d
        0x02000057,  # vector (OP-V)
        0x0000000B,  # custom-0
        0x0000005B,  # custom-2
        0x0000007B,  # custom-3
    ],
)
def test_fused_fp_vector_and_custom_opcodes_revert(word: int, compressed: bool) -> None:
    """Asterisc no-ops F/D loads, stores and OP-FP but reverts on the fused forms and on every
    other unknown major opcode (§4.2), in both ISAs."""
    with pytest.raises(RiscvRevert) as e:
        run_one(word, {}, compressed)
    assert e.value.code == c.ERR_UNKNOWN_OPCODE


@pytest.mark.parametrize("compressed", [False, True])
def test_fp_loads_stores_and_ops_are_noops_in_both_isas(compressed: bool) -> None:
    """FLW/FLD, FSW/FSD and OP-FP: pc + 4, no register, no memory (§4.2, §4.5)."""
    addr = 0x300000
    for word in (0x00052007, 0x00053007, 0x00A52027, 0x00A53027, 0x02A57553, 0xE2050553):
        vm = make_vm(compressed)
        vm.set_register(10, addr)
        vm.memory.write(addr, b"\x11" * 8)
        run_words(vm, [word])
        assert vm.pc == CODE + 4 and vm.register(10) == addr
        assert vm.memory.read(addr, 8) == b"\x11" * 8
