"""Instruction families against the facts of cannon-mips32.md §3.2-§3.5 (one step each)."""

from __future__ import annotations

from typing import Any

import pytest

from faultproof.vm.mips.constants import (
    EXC_BRANCH_IN_DELAY_SLOT,
    EXC_DIVISION_BY_ZERO,
    EXC_INVALID_INSTRUCTION,
    EXC_JUMP_IN_DELAY_SLOT,
    EXC_UNALIGNED_PC,
)
from faultproof.vm.mips.vm import MipsException

from .asm import CODE, NOP, i_type, j_type, make_vm, r_type, reg


def run1(insn: int, regs: dict[int, int] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    vm = make_vm([insn, NOP, NOP], regs, **kw)
    vm.step()
    return vm


def spec(funct: int, rs: int, rt: int, shamt: int = 0) -> int:
    """R-type with rd = 3 reading r1 (rs) and r2 (rt)."""
    return r_type(funct, rd=3, rs=1, rt=2, shamt=shamt)


@pytest.mark.parametrize(
    ("funct", "rs", "rt", "shamt", "expected"),
    [
        (0x00, 0, 0x80000001, 1, 0x00000002),  # sll drops the top bit
        (0x02, 0, 0x80000000, 4, 0x08000000),  # srl logical
        (0x03, 0, 0x80000000, 4, 0xF8000000),  # sra arithmetic
        (0x03, 0, 0x7FFFFFFF, 31, 0x00000000),
        (0x03, 0, 0xFFFFFFFF, 0, 0xFFFFFFFF),
        (0x04, 33, 1, 0, 2),  # sllv uses rs & 31
        (0x06, 31, 0x80000000, 0, 1),  # srlv
        (0x07, 4, 0x80000000, 0, 0xF8000000),  # srav
        (0x20, 0x7FFFFFFF, 1, 0, 0x80000000),  # add: no overflow trap
        (0x21, 0xFFFFFFFF, 2, 0, 1),  # addu wraps
        (0x22, 0x80000000, 1, 0, 0x7FFFFFFF),  # sub: no trap
        (0x23, 0, 1, 0, 0xFFFFFFFF),
        (0x24, 0xF0F0, 0xFF00, 0, 0xF000),
        (0x25, 0xF0F0, 0xFF00, 0, 0xFFF0),
        (0x26, 0xF0F0, 0xFF00, 0, 0x0FF0),
        (0x27, 0xF0F0, 0xFF00, 0, 0xFFFF000F),  # nor
        (0x2A, 0xFFFFFFFF, 0, 0, 1),  # slt signed: -1 < 0
        (0x2B, 0xFFFFFFFF, 0, 0, 0),  # sltu unsigned
    ],
)
def test_special_alu(funct: int, rs: int, rt: int, shamt: int, expected: int) -> None:
    vm = run1(spec(funct, 1, 2, shamt), {1: rs, 2: rt})
    assert reg(vm, 3) == expected
    assert vm.pc == CODE + 4 and vm.next_pc == CODE + 8 and vm.step_count == 1


@pytest.mark.parametrize(
    ("op", "rs", "imm", "expected"),
    [
        (0x08, 1, 0xFFFE, 0xFFFFFFFF),  # addi sign-extends, no trap
        (0x09, 0x7FFFFFFF, 1, 0x80000000),
        (0x0A, 0xFFFFFFFE, 0xFFFF, 1),  # slti: -2 < -1
        (0x0B, 5, 0xFFFF, 1),  # sltiu sign-extends then compares unsigned: 5 < 0xFFFFFFFF
        (0x0C, 0xFFFFFFFF, 0x8001, 0x8001),  # andi zero-extends
        (0x0D, 0x10000, 0x8000, 0x18000),  # ori zero-extends
        (0x0E, 0xFFFF, 0xFFFF, 0),  # xori
        (0x0F, 0, 0x8001, 0x80010000),  # lui
    ],
)
def test_immediate_alu(op: int, rs: int, imm: int, expected: int) -> None:
    vm = run1(i_type(op, 3, 1, imm), {1: rs})
    assert reg(vm, 3) == expected


@pytest.mark.parametrize(
    ("funct", "rs", "rt", "hi", "lo"),
    [
        (0x18, 0xFFFFFFFF, 0xFFFFFFFF, 0, 1),  # mult: -1 * -1
        (0x18, 0x80000000, 2, 0xFFFFFFFF, 0),  # INT_MIN * 2
        (0x19, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 1),  # multu
        (0x1A, 0xFFFFFFF9, 2, 0xFFFFFFFF, 0xFFFFFFFD),  # div -7/2: q=-3, r=-1 (truncation)
        (0x1A, 7, 0xFFFFFFFE, 1, 0xFFFFFFFD),  # 7 / -2: q=-3, r=1
        (0x1A, 0x80000000, 0xFFFFFFFF, 0, 0x80000000),  # INT_MIN / -1 wraps
        (0x1B, 0xFFFFFFF9, 2, 1, 0x7FFFFFFC),  # divu
    ],
)
def test_hi_lo(funct: int, rs: int, rt: int, hi: int, lo: int) -> None:
    vm = run1(r_type(funct, rd=0, rs=1, rt=2), {1: rs, 2: rt})
    assert (vm.hi, vm.lo) == (hi, lo)


def test_moves_to_and_from_hi_lo_and_nonzero_rd_quirk() -> None:
    vm = make_vm(
        [r_type(0x11, rs=1), r_type(0x13, rs=2), r_type(0x10, rd=3), r_type(0x12, rd=4),
         r_type(0x11, rd=5, rs=1)],
        {1: 0xAAAA, 2: 0xBBBB, 5: 77},
    )  # fmt: skip
    vm.run(5)
    assert (vm.hi, vm.lo, reg(vm, 3), reg(vm, 4)) == (0xAAAA, 0xBBBB, 0xAAAA, 0xBBBB)
    assert reg(vm, 5) == 0  # §3.2 quirk: mthi with rd != 0 writes 0 to rd


def test_mul_leaves_hi_lo() -> None:
    vm = run1(r_type(0x02, rd=3, rs=1, rt=2, op=0x1C), {1: 0xFFFFFFFE, 2: 3})
    assert reg(vm, 3) == 0xFFFFFFFA and (vm.hi, vm.lo) == (0, 0)


@pytest.mark.parametrize(
    ("funct", "value", "expected"),
    [(0x20, 0, 32), (0x20, 1, 31), (0x20, 0x80000000, 0), (0x21, 0xFFFFFFFF, 32),
     (0x21, 0xF0000000, 4), (0x21, 0x7FFFFFFF, 0)],
)  # fmt: skip
def test_clz_clo(funct: int, value: int, expected: int) -> None:
    vm = run1(r_type(funct, rd=3, rs=1, op=0x1C), {1: value})
    assert reg(vm, 3) == expected


def test_movz_movn() -> None:
    vm = make_vm(
        [r_type(0x0A, rd=3, rs=1, rt=0), r_type(0x0B, rd=4, rs=1, rt=0),
         r_type(0x0B, rd=5, rs=1, rt=2)],
        {1: 9, 2: 1, 4: 44},
    )  # fmt: skip
    vm.run(3)
    assert (reg(vm, 3), reg(vm, 4), reg(vm, 5)) == (9, 44, 9)
    assert vm.pc == CODE + 12


def test_r0_is_never_written() -> None:
    vm = run1(i_type(0x09, 0, 1, 5), {1: 1})
    assert reg(vm, 0) == 0


MEM = 0x10000


@pytest.mark.parametrize(
    ("op", "offset", "expected"),
    [
        (0x20, 0, 0xFFFFFF81), (0x20, 3, 0x04), (0x24, 0, 0x81),  # lb / lbu
        (0x21, 0, 0xFFFF8102), (0x21, 1, 0xFFFF8102), (0x21, 2, 0x0304),  # lh ignores bit 0
        (0x25, 3, 0x0304),  # lhu
        (0x23, 0, 0x81020304), (0x23, 2, 0x81020304),  # lw ignores the low bits
        (0x22, 1, 0x020304DD), (0x22, 0, 0x81020304), (0x22, 3, 0x04BBCCDD),  # lwl
        (0x26, 0, 0xAABBCC81), (0x26, 2, 0xAA810203), (0x26, 3, 0x81020304),  # lwr
    ],
)  # fmt: skip
def test_loads(op: int, offset: int, expected: int) -> None:
    vm = make_vm([i_type(op, 3, 1, offset), NOP], {1: MEM, 3: 0xAABBCCDD})
    vm.memory.write(MEM, bytes([0x81, 0x02, 0x03, 0x04]))
    vm.step()
    assert reg(vm, 3) == expected


@pytest.mark.parametrize(
    ("op", "offset", "expected"),
    [
        (0x28, 0, "dd020304"), (0x28, 2, "0102dd04"),  # sb
        (0x29, 1, "ccdd0304"), (0x29, 2, "0102ccdd"),  # sh ignores bit 0
        (0x2B, 3, "aabbccdd"),  # sw ignores the low bits
        (0x2A, 0, "aabbccdd"), (0x2A, 1, "01aabbcc"), (0x2A, 3, "010203aa"),  # swl
        (0x2E, 0, "dd020304"), (0x2E, 2, "bbccdd04"), (0x2E, 3, "aabbccdd"),  # swr
    ],
)  # fmt: skip
def test_stores(op: int, offset: int, expected: str) -> None:
    vm = make_vm([i_type(op, 3, 1, offset), NOP], {1: MEM, 3: 0xAABBCCDD})
    vm.memory.write(MEM, bytes([0x01, 0x02, 0x03, 0x04]))
    vm.step()
    assert vm.memory.read(MEM, 4).hex() == expected
    assert reg(vm, 3) == 0xAABBCCDD  # stores write no register


def test_negative_offsets_and_ll_sc() -> None:
    vm = make_vm([i_type(0x30, 3, 1, 0xFFFE), i_type(0x38, 4, 1, 0xFFFC), NOP], {1: MEM + 4, 4: 0x55})
    vm.memory.write(MEM, bytes([9, 8, 7, 6]))
    vm.step()
    assert reg(vm, 3) == 0x09080706  # ll: (base + -2) & ~3
    vm.step()
    assert vm.memory.read(MEM, 4) == bytes([0, 0, 0, 0x55]) and reg(vm, 4) == 1  # sc succeeds


def test_branch_taken_runs_delay_slot_first() -> None:
    vm = make_vm([i_type(0x04, 2, 1, 3), i_type(0x09, 5, 0, 1), NOP, NOP, i_type(0x09, 6, 0, 1)], {1: 7, 2: 7})
    vm.step()
    assert (vm.pc, vm.next_pc) == (CODE + 4, CODE + 16)
    vm.step()
    assert reg(vm, 5) == 1 and vm.pc == CODE + 16
    vm.step()
    assert reg(vm, 6) == 1


@pytest.mark.parametrize(
    ("insn", "rs", "taken"),
    [
        (i_type(0x05, 2, 1, 4), 7, False),  # bne equal
        (i_type(0x06, 0, 1, 4), 0, True),  # blez 0
        (i_type(0x06, 0, 1, 4), 0x80000000, True),  # blez negative (signed)
        (i_type(0x07, 0, 1, 4), 0x80000000, False),  # bgtz
        (i_type(0x01, 0x00, 1, 4), 0xFFFFFFFF, True),  # bltz
        (i_type(0x01, 0x01, 1, 4), 0, True),  # bgez
        (i_type(0x01, 0x10, 1, 4), 0xFFFFFFFF, False),  # bltzal: a not-taken branch (quirk)
    ],
)
def test_branch_conditions(insn: int, rs: int, taken: bool) -> None:
    vm = run1(insn, {1: rs, 2: 7})
    assert vm.next_pc == (CODE + 4 + 16 if taken else CODE + 8)
    assert reg(vm, 31) == 0


def test_bgezal_links_even_when_not_taken() -> None:
    vm = run1(i_type(0x01, 0x11, 1, 4), {1: 0xFFFFFFFF})
    assert reg(vm, 31) == CODE + 8 and vm.next_pc == CODE + 8


def test_jumps_and_links() -> None:
    vm = run1(j_type(0x03, 0x00400100))
    assert (vm.pc, vm.next_pc, reg(vm, 31)) == (CODE + 4, 0x00400100, CODE + 8)
    vm = run1(r_type(0x09, rd=1, rs=1), {1: 0x1234})  # jalr rs == rd: rs read first
    assert (vm.next_pc, reg(vm, 1)) == (0x1234, CODE + 8)
    vm = run1(r_type(0x08, rs=1), {1: 0x1235})  # jr: the target is not checked ...
    assert vm.next_pc == 0x1235
    vm.step()
    with pytest.raises(MipsException) as e:  # ... the fetch after the delay slot faults
        vm.step()
    assert e.value.code == EXC_UNALIGNED_PC


def test_j_target_uses_delay_slot_region() -> None:
    base = 0x1FFFFFFC  # the delay slot is in region 0x2...
    vm = make_vm([j_type(0x02, 0x40), NOP], base=base)
    vm.step()
    assert vm.next_pc == 0x20000040


@pytest.mark.parametrize(
    ("first", "code"),
    [(i_type(0x04, 0, 0, 4), EXC_BRANCH_IN_DELAY_SLOT), (j_type(0x02, 0x400000), EXC_JUMP_IN_DELAY_SLOT)],
)
def test_control_transfer_in_delay_slot_is_an_exception(first: int, code: int) -> None:
    vm = make_vm([j_type(0x02, CODE + 0x100), first])
    vm.step()
    before = vm.encode_witness()
    with pytest.raises(MipsException) as e:
        vm.step()
    assert e.value.code == code
    assert vm.encode_witness() == before  # the state is left at the pre-state


@pytest.mark.parametrize(
    "insn",
    [
        r_type(0x0D),  # break
        r_type(0x34, rs=1, rt=0),  # teq
        r_type(0x00, rd=1, op=0x1C),  # madd
        0x46000000,  # COP1
        i_type(0x14, 0, 0, 1),  # beql
        i_type(0x27, 1, 0, 0),  # lwu
        i_type(0x31, 1, 0, 0),  # lwc1
        0x7C000000,  # SPECIAL3 (ext)
    ],
)
def test_unsupported_instructions_raise(insn: int) -> None:
    with pytest.raises(MipsException, match="invalid instruction") as e:
        run1(insn)
    assert e.value.code == EXC_INVALID_INSTRUCTION


@pytest.mark.parametrize("funct", [0x1A, 0x1B])
def test_division_by_zero_raises(funct: int) -> None:
    with pytest.raises(MipsException) as e:
        run1(r_type(funct, rs=1, rt=2), {1: 5})
    assert e.value.code == EXC_DIVISION_BY_ZERO


def test_sync_writes_rs_to_rd_quirk() -> None:
    assert reg(run1(r_type(0x0F, rd=3, rs=1), {1: 42}), 3) == 42
