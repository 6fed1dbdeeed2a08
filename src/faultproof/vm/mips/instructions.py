"""MIPS32 instruction semantics as pure value functions (cannon-mips32.md §3.2-§3.4).

Each function takes operand values and returns the result, the way the spec digest states it. They
are numba-compiled and called from the step in :mod:`faultproof.vm.mips.step`; they never touch the
state themselves, so each one can be read (and tested) on its own.

All values are Python/numba ``int`` (int64) holding an unsigned 32-bit quantity; every result is
masked back to 32 bits (``& M32``). ``ok`` flags report the exceptions of §3.5 to the caller.
"""

from __future__ import annotations

from numba import njit

M32 = 0xFFFFFFFF


# --- operand helpers --------------------------------------------------------------------------


@njit(cache=True)
def sign_extend(value: int, bits: int) -> int:
    """Sign-extend the low ``bits`` bits of ``value`` to a 32-bit pattern."""
    value &= (1 << bits) - 1
    if value & (1 << (bits - 1)):
        value |= M32 ^ ((1 << bits) - 1)
    return value & M32


@njit(cache=True)
def to_signed(value: int) -> int:
    """The 32-bit pattern ``value`` read as a two's-complement int32."""
    value &= M32
    return value - ((value & 0x80000000) << 1)


# --- shifts (§3.3: sll/srl by shamt, *v by rs & 31, sra arithmetic) ---------------------------


@njit(cache=True)
def shift_left(rt: int, shamt: int) -> int:
    return (rt << (shamt & 31)) & M32


@njit(cache=True)
def shift_right_logical(rt: int, shamt: int) -> int:
    return (rt & M32) >> (shamt & 31)


@njit(cache=True)
def shift_right_arithmetic(rt: int, shamt: int) -> int:
    return (to_signed(rt) >> (shamt & 31)) & M32


# --- arithmetic and logic (add/sub never trap, §3.3) ------------------------------------------


@njit(cache=True)
def set_less_than(rs: int, rt: int) -> int:
    """slt/slti: signed compare."""
    return 1 if to_signed(rs) < to_signed(rt) else 0


@njit(cache=True)
def set_less_than_unsigned(rs: int, rt: int) -> int:
    """sltu/sltiu (sltiu's immediate was sign-extended before it got here)."""
    return 1 if (rs & M32) < (rt & M32) else 0


@njit(cache=True)
def count_leading_ones(rs: int) -> int:
    """clo; clz is clo of the inverted value (§3.3)."""
    n = 0
    v = rs & M32
    while v & 0x80000000:
        n += 1
        v = (v << 1) & M32
    return n


@njit(cache=True)
def mul_low(rs: int, rt: int) -> int:
    """SPECIAL2 mul: the low 32 bits of the signed product; HI/LO untouched."""
    return (to_signed(rs) * to_signed(rt)) & M32


# --- HI/LO (§3.3: mult/multu 64-bit product, div/divu truncate toward zero) --------------------


@njit(cache=True)
def multiply_signed(rs: int, rt: int) -> tuple[int, int]:
    """mult: (hi, lo) of the signed 64-bit product."""
    prod = to_signed(rs) * to_signed(rt)
    return (prod >> 32) & M32, prod & M32


@njit(cache=True)
def multiply_unsigned(rs: int, rt: int) -> tuple[int, int]:
    """multu: (hi, lo) of the unsigned 64-bit product, computed in halves to stay inside int64."""
    a = rs & M32
    b = rt & M32
    a_lo, a_hi = a & 0xFFFF, a >> 16
    lo_part = a_lo * b  # < 2^48
    hi_part = a_hi * b  # < 2^48
    low = lo_part + ((hi_part & 0xFFFF) << 16)
    high = (hi_part >> 16) + (low >> 32)
    return high & M32, low & M32


@njit(cache=True)
def divide_signed(rs: int, rt: int) -> tuple[int, int]:
    """div: (hi = remainder with the dividend's sign, lo = quotient truncated toward zero).

    INT_MIN / -1 wraps to LO = 0x80000000, HI = 0 (Go and Solidity agree). The caller has already
    rejected a zero divisor.
    """
    a = to_signed(rs)
    b = to_signed(rt)
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    r = a - q * b
    return r & M32, q & M32


@njit(cache=True)
def divide_unsigned(rs: int, rt: int) -> tuple[int, int]:
    """divu: (hi = remainder, lo = quotient); the caller has rejected a zero divisor."""
    a = rs & M32
    b = rt & M32
    return a % b, a // b


# --- loads and stores inside one word (§3.3, ``calculateSubWordMaskAndOffset``) ----------------


@njit(cache=True)
def load_byte(mem: int, vaddr: int, signed: bool) -> int:
    """lb/lbu: byte ``vaddr & 3`` of the big-endian word."""
    v = (mem >> (24 - (vaddr & 3) * 8)) & 0xFF
    return sign_extend(v, 8) if signed else v


@njit(cache=True)
def load_half(mem: int, vaddr: int, signed: bool) -> int:
    """lh/lhu: the half-word selected by ``vaddr & 2`` (bit 0 is ignored, no alignment fault)."""
    v = (mem >> (16 - (vaddr & 2) * 8)) & 0xFFFF
    return sign_extend(v, 16) if signed else v


@njit(cache=True)
def load_word_left(mem: int, vaddr: int, rt: int) -> int:
    """lwl: the high bytes of rt come from the word, starting at byte ``vaddr & 3``."""
    k = (vaddr & 3) * 8
    mask = (M32 << k) & M32
    return (rt & (M32 ^ mask)) | ((mem << k) & M32)


@njit(cache=True)
def load_word_right(mem: int, vaddr: int, rt: int) -> int:
    """lwr: the low bytes of rt come from the word, ending at byte ``vaddr & 3``."""
    k = 24 - (vaddr & 3) * 8
    mask = M32 >> k
    return (rt & (M32 ^ mask)) | (mem >> k)


@njit(cache=True)
def store_byte(mem: int, vaddr: int, rt: int) -> int:
    """sb: the word with byte ``vaddr & 3`` replaced by the low byte of rt."""
    shift = 24 - (vaddr & 3) * 8
    mask = M32 ^ (0xFF << shift)
    return (mem & mask) | ((rt & 0xFF) << shift)


@njit(cache=True)
def store_half(mem: int, vaddr: int, rt: int) -> int:
    """sh: the word with the half selected by ``vaddr & 2`` replaced by the low half of rt."""
    shift = 16 - (vaddr & 2) * 8
    mask = M32 ^ (0xFFFF << shift)
    return (mem & mask) | ((rt & 0xFFFF) << shift)


@njit(cache=True)
def store_word_left(mem: int, vaddr: int, rt: int) -> int:
    """swl: the high bytes of rt go to the word from byte ``vaddr & 3`` on."""
    k = (vaddr & 3) * 8
    mask = M32 >> k
    return (mem & (M32 ^ mask)) | ((rt & M32) >> k)


@njit(cache=True)
def store_word_right(mem: int, vaddr: int, rt: int) -> int:
    """swr: the low bytes of rt go to the word up to byte ``vaddr & 3``."""
    k = 24 - (vaddr & 3) * 8
    mask = (M32 << k) & M32
    return (mem & (M32 ^ mask)) | ((rt << k) & M32)


# --- the ALU dispatch (Cannon's ``ExecuteMipsInstruction``) ------------------------------------


@njit(cache=True)
def arith_immediate_funct(opcode: int, funct: int) -> int:
    """I-type arithmetic reuses the SPECIAL functs: addi->add, slti->slt, andi->and, ..."""
    if opcode == 0x08:
        return 0x20
    if opcode == 0x09:
        return 0x21
    if opcode == 0x0A:
        return 0x2A
    if opcode == 0x0B:
        return 0x2B
    if opcode == 0x0C:
        return 0x24
    if opcode == 0x0D:
        return 0x25
    if opcode == 0x0E:
        return 0x26
    return funct


@njit(cache=True)
def execute_special(insn: int, funct: int, rs: int, rt: int) -> tuple[int, bool]:
    """SPECIAL (and transformed I-type arithmetic): the value for rd, or ok=False if unsupported."""
    if funct == 0x00:
        return shift_left(rt, (insn >> 6) & 31), True
    if funct == 0x02:
        return shift_right_logical(rt, (insn >> 6) & 31), True
    if funct == 0x03:
        return shift_right_arithmetic(rt, (insn >> 6) & 31), True
    if funct == 0x04:
        return shift_left(rt, rs & 31), True
    if funct == 0x06:
        return shift_right_logical(rt, rs & 31), True
    if funct == 0x07:
        return shift_right_arithmetic(rt, rs & 31), True
    # jr, jalr, movz, movn, syscall, sync and the HI/LO group pass rs through; the step handles them.
    if 0x08 <= funct <= 0x0C or funct == 0x0F or 0x10 <= funct <= 0x13 or 0x18 <= funct <= 0x1B:
        return rs, True
    if funct == 0x20 or funct == 0x21:
        return (rs + rt) & M32, True
    if funct == 0x22 or funct == 0x23:
        return (rs - rt) & M32, True
    if funct == 0x24:
        return rs & rt, True
    if funct == 0x25:
        return rs | rt, True
    if funct == 0x26:
        return rs ^ rt, True
    if funct == 0x27:
        return M32 ^ (rs | rt), True
    if funct == 0x2A:
        return set_less_than(rs, rt), True
    if funct == 0x2B:
        return set_less_than_unsigned(rs, rt), True
    return 0, False


@njit(cache=True)
def execute_special2(funct: int, rs: int, rt: int) -> tuple[int, bool]:
    """SPECIAL2: mul, clz, clo. madd/msub and the rest are invalid."""
    if funct == 0x02:
        return mul_low(rs, rt), True
    if funct == 0x20:
        return count_leading_ones(M32 ^ rs), True
    if funct == 0x21:
        return count_leading_ones(rs), True
    return 0, False


@njit(cache=True)
def execute_memory(opcode: int, vaddr: int, rt: int, mem: int) -> tuple[int, bool]:
    """Loads return the new rt; stores return the new memory word (§3.3)."""
    if opcode == 0x20:
        return load_byte(mem, vaddr, True), True
    if opcode == 0x21:
        return load_half(mem, vaddr, True), True
    if opcode == 0x22:
        return load_word_left(mem, vaddr, rt), True
    if opcode == 0x23:
        return mem, True
    if opcode == 0x24:
        return load_byte(mem, vaddr, False), True
    if opcode == 0x25:
        return load_half(mem, vaddr, False), True
    if opcode == 0x26:
        return load_word_right(mem, vaddr, rt), True
    if opcode == 0x28:
        return store_byte(mem, vaddr, rt), True
    if opcode == 0x29:
        return store_half(mem, vaddr, rt), True
    if opcode == 0x2A:
        return store_word_left(mem, vaddr, rt), True
    if opcode == 0x2B:
        return rt & M32, True
    if opcode == 0x2E:
        return store_word_right(mem, vaddr, rt), True
    return 0, False


@njit(cache=True)
def execute_alu(insn: int, opcode: int, funct: int, rs: int, rt: int, mem: int) -> tuple[int, bool]:
    """The value an instruction produces, given its operands (``ExecuteMipsInstruction``)."""
    if opcode == 0 or (0x08 <= opcode < 0x0F):
        return execute_special(insn, arith_immediate_funct(opcode, funct), rs, rt)
    if opcode == 0x1C:
        return execute_special2(funct, rs, rt)
    if opcode == 0x0F:
        return (rt << 16) & M32, True  # lui
    if opcode >= 0x20:
        return execute_memory(opcode, rs, rt, mem)
    return 0, False


# --- branches (§3.4) ---------------------------------------------------------------------------


@njit(cache=True)
def branch_taken(opcode: int, insn: int, rs: int, rt: int) -> bool:
    """beq/bne compare rs with R[rt]; blez/bgtz/bltz/bgez/bgezal test rs as a signed value.

    Unknown REGIMM ``rt`` codes (bltzal, bltzl, tgei, ...) are not-taken branches (§3.2 quirk).
    """
    if opcode == 0x04:
        return rs == rt
    if opcode == 0x05:
        return rs != rt
    s = to_signed(rs)
    if opcode == 0x06:
        return s <= 0
    if opcode == 0x07:
        return s > 0
    code = (insn >> 16) & 31
    if code == 0x00:
        return s < 0
    if code == 0x01 or code == 0x11:
        return s >= 0
    return False
