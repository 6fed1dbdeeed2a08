"""Differential test: single random MIPS32 instructions, our VM vs unicorn (MIPS32 4Kc, big-endian).

Each example builds a random register file (GPRs, HI, LO) and a random 64-byte data window, places
one instruction (plus, for branches and jumps, a random ALU instruction in its delay slot) at
``CODE``, runs it on both CPUs and compares every GPR, HI, LO, the pc and the data window. Every
instruction family of Cannon's subset (cannon-mips32.md §3.2) is covered: SPECIAL ALU and shifts,
I-type ALU, SPECIAL2 (mul/clz/clo), movz/movn, the HI/LO group, branches and jumps with their
delay slot, loads and stores incl. lwl/lwr/swl/swr, ll/sc and sync.

Encodings are canonical (fields the ISA requires to be zero are zero). Unicorn is run under a
strict MIPS32 release-1 model; the default model accepts r2 and FPU code.

Documented Cannon deviations, excluded from the comparison or checked against the spec instead:

* ``syscall``: Cannon's syscall table is its own ABI (§4); unicorn raises a SYSCALL exception.
  Covered by ``test_syscalls.py``.
* ``add``/``addi``/``sub`` overflow: Cannon never traps (§3.3), unicorn raises Integer Overflow.
  When the operands overflow we assert that unicorn trapped and that our VM wrote the wrapped
  (addu/addiu/subu) result and nothing else.
* ``div``/``divu`` by zero: an exception in Cannon (§3.3, §3.5); MIPS leaves HI/LO unpredictable
  and unicorn returns a value. We assert that our VM raises and leaves the state unchanged.
* Unaligned ``lh/lhu/sh`` (odd address) and ``lw/sw/ll/sc`` (address not a multiple of 4): Cannon
  uses the aligned word (§2.4, §3.3), MIPS raises an address error. Not generated; the aligned
  forms are compared. ``lb/lbu/sb`` and ``lwl/lwr/swl/swr`` use every byte offset.
* ``sc`` without a preceding ``ll``: Cannon's single-threaded ``sc`` always succeeds (§3.3), a real
  CPU fails without a reservation. ``sc`` is compared as the pair ``ll; sc`` on one word.
* REGIMM ``rt`` codes other than bltz/bgez/bgezal (``bltzal``, ``tgei``, ...): Cannon treats them as
  not-taken branches without link (§3.2 quirk). Not generated.
* Non-canonical encodings (a non-zero ``rd`` on ``mthi/mtlo/mult/div``, ``sync`` with ``rd != 0``):
  Cannon writes to ``rd`` (§3.2 quirk), hardware ignores the field. Not generated.
* Instructions outside the subset (``madd``, traps, COP1, branch-likely, ...): Cannon raises
  "invalid instruction" while the 4Kc executes many of them. Not compared here; covered by
  ``test_instructions.py``.

Reference-side limitation (not a Cannon deviation): unicorn checks a jump target when it fetches
it, while Cannon's flat memory only faults on an unaligned pc at its next step. For ``jr``/``jalr``
to an unaligned target or into kseg2/kseg3 (which need a TLB in unicorn), unicorn raises an
address/TLB error at the target; we then compare the registers (link and delay slot) and check
that our VM's pc is the target, and that its next step raises "unaligned pc" for an unaligned
target.

The default run checks a few thousand instructions in well under 40 s; the ``slow`` run checks
~50 000.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultproof.vm.mips.constants import (
    CPU_HI,
    CPU_LO,
    CPU_NEXT_PC,
    CPU_PC,
    EXC_DIVISION_BY_ZERO,
    EXC_UNALIGNED_PC,
)
from faultproof.vm.mips.verify import verify_step
from faultproof.vm.mips.vm import MipsException, MipsVM

from .asm import i_type, r_type
from .unicorn_ref import (
    CODE,
    EXCP_OVERFLOW,
    WINDOW,
    WINDOW_SIZE,
    CpuState,
    UnicornMips,
)

M32 = 0xFFFFFFFF
CHECKED: Counter[str] = Counter()
"""Instructions compared against unicorn, per family (printed at the end with ``-s``)."""

REFERENCE = UnicornMips()

# --- encoders ----------------------------------------------------------------------------------


def sext16(v: int) -> int:
    v &= 0xFFFF
    return v - 0x10000 if v & 0x8000 else v


def to_signed(v: int) -> int:
    return v - (1 << 32) if v & 0x80000000 else v


# --- state strategies --------------------------------------------------------------------------

SPECIAL_VALUES = (0, 1, 2, 0x1F, 0x20, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)
reg_index = st.integers(0, 31)
nonzero_reg = st.integers(1, 31)
imm16 = st.one_of(st.integers(0, 0xFFFF), st.sampled_from((0, 1, 0x7FFF, 0x8000, 0xFFFF)))


@dataclass
class Case:
    """One differential example: code at CODE, the start state, and how many steps to run."""

    family: str
    name: str
    code: list[int]
    regs: list[int]
    hi: int
    lo: int
    window: bytes
    count: int = 1

    def describe(self) -> str:
        words = " ".join(f"{w:08x}" for w in self.code)
        regs = " ".join(f"r{i}={v:#x}" for i, v in enumerate(self.regs) if v)
        return f"{self.name} [{words}] hi={self.hi:#x} lo={self.lo:#x} {regs}"


@st.composite
def machine(draw: st.DrawFn) -> tuple[list[int], int, int, bytes]:
    """Random GPRs, HI, LO and data window, drawn as one blob (per-register draws cost ~25 ms
    per example in hypothesis; operands get their edge values from :func:`bias` instead)."""
    blob = draw(st.binary(min_size=4 * 33 + WINDOW_SIZE, max_size=4 * 33 + WINDOW_SIZE))
    values = list(struct.unpack(">33I", blob[: 4 * 33]))
    return [0, *values[:31]], values[31], values[32], blob[4 * 33 :]


interesting = st.one_of(
    st.sampled_from(SPECIAL_VALUES), st.integers(-64, 64).map(lambda v: v & M32)
)


def bias(draw: st.DrawFn, regs: list[int], insn: int, fields: tuple[int, ...] = (21, 16)) -> None:
    """Give the instruction's source registers edge values (0, +-1, INT_MIN, ...) half the time."""
    for shift in fields:
        r = (insn >> shift) & 31
        if r and draw(st.booleans()):
            regs[r] = draw(interesting)


# --- instruction strategies, one per family ----------------------------------------------------

SHIFT_IMM = {"sll": 0x00, "srl": 0x02, "sra": 0x03}
SHIFT_VAR = {"sllv": 0x04, "srlv": 0x06, "srav": 0x07}
ALU_R = {
    "addu": 0x21, "subu": 0x23, "and": 0x24, "or": 0x25, "xor": 0x26, "nor": 0x27,
    "slt": 0x2A, "sltu": 0x2B, "movz": 0x0A, "movn": 0x0B,
}  # fmt: skip
TRAPPING_R = {"add": 0x20, "sub": 0x22}
ALU_I = {"addiu": 0x09, "slti": 0x0A, "sltiu": 0x0B, "andi": 0x0C, "ori": 0x0D, "xori": 0x0E}
SPECIAL2 = {"mul": 0x02, "clz": 0x20, "clo": 0x21}
HILO_MOVE_FROM = {"mfhi": 0x10, "mflo": 0x12}
HILO_MOVE_TO = {"mthi": 0x11, "mtlo": 0x13}
HILO_ARITH = {"mult": 0x18, "multu": 0x19, "div": 0x1A, "divu": 0x1B}
BRANCH_RS_RT = {"beq": 0x04, "bne": 0x05}
BRANCH_RS = {"blez": 0x06, "bgtz": 0x07}
REGIMM = {"bltz": 0x00, "bgez": 0x01, "bgezal": 0x11}
LOADS = {"lb": (0x20, 1), "lh": (0x21, 2), "lw": (0x23, 4), "lbu": (0x24, 1), "lhu": (0x25, 2)}
UNALIGNED_LOADS = {"lwl": 0x22, "lwr": 0x26}
STORES = {"sb": (0x28, 1), "sh": (0x29, 2), "sw": (0x2B, 4)}
UNALIGNED_STORES = {"swl": 0x2A, "swr": 0x2E}


@st.composite
def shift_insn(draw: st.DrawFn) -> tuple[str, int]:
    if draw(st.booleans()):
        name, funct = draw(st.sampled_from(sorted(SHIFT_IMM.items())))
        shamt = draw(st.integers(0, 31))
        return name, r_type(funct, rd=draw(reg_index), rt=draw(reg_index), shamt=shamt)
    name, funct = draw(st.sampled_from(sorted(SHIFT_VAR.items())))
    return name, r_type(funct, rd=draw(reg_index), rs=draw(reg_index), rt=draw(reg_index))


@st.composite
def alu_r_insn(draw: st.DrawFn, table: dict[str, int] = ALU_R) -> tuple[str, int]:
    name, funct = draw(st.sampled_from(sorted(table.items())))
    return name, r_type(funct, rd=draw(reg_index), rs=draw(reg_index), rt=draw(reg_index))


@st.composite
def alu_i_insn(draw: st.DrawFn, table: dict[str, int] = ALU_I) -> tuple[str, int]:
    if draw(st.integers(0, 7)) == 0:
        return "lui", i_type(0x0F, draw(reg_index), 0, draw(imm16))
    name, op = draw(st.sampled_from(sorted(table.items())))
    return name, i_type(op, draw(reg_index), draw(reg_index), draw(imm16))


@st.composite
def special2_insn(draw: st.DrawFn) -> tuple[str, int]:
    name, funct = draw(st.sampled_from(sorted(SPECIAL2.items())))
    rd = draw(reg_index)
    rs = draw(reg_index)
    rt = rd if name in ("clz", "clo") else draw(reg_index)  # MIPS32 encodes clz/clo with rt = rd
    return name, r_type(funct, rd=rd, rs=rs, rt=rt, op=0x1C)


@st.composite
def hilo_insn(draw: st.DrawFn) -> tuple[str, int]:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        name, funct = draw(st.sampled_from(sorted(HILO_MOVE_FROM.items())))
        return name, r_type(funct, rd=draw(reg_index))
    if kind == 1:
        name, funct = draw(st.sampled_from(sorted(HILO_MOVE_TO.items())))
        return name, r_type(funct, rs=draw(reg_index))
    name, funct = draw(st.sampled_from(sorted(HILO_ARITH.items())))
    return name, r_type(funct, rs=draw(reg_index), rt=draw(reg_index))


delay_slot_insn = st.one_of(shift_insn(), alu_r_insn(), alu_i_insn(), special2_insn())
"""ALU instructions that cannot trap, for delay slots."""


@st.composite
def branch_insn(draw: st.DrawFn) -> tuple[str, int]:
    offset = draw(imm16)
    kind = draw(st.integers(0, 2))
    if kind == 0:
        name, op = draw(st.sampled_from(sorted(BRANCH_RS_RT.items())))
        rs = draw(reg_index)
        rt = draw(st.one_of(st.just(rs), reg_index))  # rs == rt: always equal
        return name, i_type(op, rt, rs, offset)
    if kind == 1:
        name, op = draw(st.sampled_from(sorted(BRANCH_RS.items())))
        return name, i_type(op, 0, draw(reg_index), offset)
    name, code = draw(st.sampled_from(sorted(REGIMM.items())))
    return name, i_type(0x01, code, draw(reg_index), offset)


@st.composite
def jump_insn(draw: st.DrawFn) -> tuple[str, int]:
    kind = draw(st.integers(0, 3))
    if kind < 2:
        target = draw(st.integers(0, (1 << 26) - 1))
        return ("j", "jal")[kind], ((2 + kind) << 26) | target
    rs = draw(reg_index)
    if kind == 2:
        return "jr", r_type(0x08, rs=rs)
    return "jalr", r_type(0x09, rd=draw(reg_index), rs=rs)


# --- running both sides ------------------------------------------------------------------------


def run_vm(case: Case, steps: int, proof: bool = False) -> MipsVM:
    vm = MipsVM()
    vm.memory.write(CODE, b"".join(struct.pack(">I", w) for w in case.code))
    vm.memory.write(WINDOW, case.window)
    vm.cpu[CPU_PC] = CODE
    vm.cpu[CPU_NEXT_PC] = CODE + 4
    vm.cpu[CPU_HI] = case.hi
    vm.cpu[CPU_LO] = case.lo
    vm.set_registers(case.regs)
    for _ in range(steps):
        if proof:
            # The proof path (access log on) and the contract-style re-execution from the
            # witness alone must land on the same post-state as the fast path.
            witness = vm.step(proof=True)
            assert witness is not None
            assert verify_step(witness) == vm.state_hash(), case.describe()
        else:
            vm.step()
    return vm


def vm_state(vm: MipsVM) -> CpuState:
    return CpuState(
        [int(r) for r in vm.regs], vm.hi, vm.lo, vm.pc, vm.memory.read(WINDOW, WINDOW_SIZE)
    )


def assert_same(case: Case, ours: CpuState, ref: CpuState, check_pc: bool = True) -> None:
    where = case.describe()
    for i in range(32):
        assert ours.regs[i] == ref.regs[i], (
            f"r{i}: vm {ours.regs[i]:#x} unicorn {ref.regs[i]:#x}: {where}"
        )
    assert ours.hi == ref.hi, f"hi: vm {ours.hi:#x} unicorn {ref.hi:#x}: {where}"
    assert ours.lo == ref.lo, f"lo: vm {ours.lo:#x} unicorn {ref.lo:#x}: {where}"
    if check_pc:
        assert ours.pc == ref.pc, f"pc: vm {ours.pc:#x} unicorn {ref.pc:#x}: {where}"
    assert ours.window == ref.window, (
        f"memory: vm {ours.window.hex()} unicorn {ref.window.hex()}: {where}"
    )


def compare(case: Case, proof: bool = False) -> None:
    """Run ``case`` on both CPUs and compare, applying the documented deviations."""
    insn = case.code[0]
    op, funct = insn >> 26, insn & 0x3F
    rs_val = case.regs[(insn >> 21) & 31]
    rt_val = case.regs[(insn >> 16) & 31]

    if op == 0 and funct in (0x1A, 0x1B) and rt_val == 0:
        # Deviation: division by zero is a Cannon exception; the state must stay unchanged.
        with pytest.raises(MipsException) as info:
            run_vm(case, 1, proof)
        assert info.value.code == EXC_DIVISION_BY_ZERO, case.describe()
        CHECKED["div-by-zero (spec)"] += 1
        return

    ref = REFERENCE.run(case.code, case.regs, case.hi, case.lo, case.window, case.count)
    vm = run_vm(case, case.count, proof)
    ours = vm_state(vm)

    overflow = None
    if op == 0 and funct == 0x20:
        overflow = to_signed(rs_val) + to_signed(rt_val)
    elif op == 0 and funct == 0x22:
        overflow = to_signed(rs_val) - to_signed(rt_val)
    elif op == 0x08:
        overflow = to_signed(rs_val) + sext16(insn)
    if overflow is not None and not -(1 << 31) <= overflow < (1 << 31):
        # Deviation: no overflow trap in Cannon; the wrapped result is written (§3.3).
        assert ref.exception == EXCP_OVERFLOW, f"unicorn did not trap: {case.describe()}"
        dest = (insn >> 16) & 31 if op == 0x08 else (insn >> 11) & 31
        expected = list(case.regs)
        if dest:
            expected[dest] = overflow & M32
        assert ours.regs == expected, case.describe()
        assert (ours.hi, ours.lo, ours.window) == (case.hi, case.lo, case.window)
        CHECKED["overflow (spec)"] += 1
        return

    if ref.exception is not None and op == 0 and funct in (0x08, 0x09):
        # Reference limitation: unicorn faults when it fetches an unaligned / kseg2-3 target.
        target = rs_val
        assert target & 3 or target >= 0xC0000000, (
            f"unexpected fault {ref.exception}: {case.describe()}"
        )
        assert_same(case, ours, ref, check_pc=False)
        assert ours.pc == target
        if target & 3:
            with pytest.raises(MipsException) as info:
                vm.step()
            assert info.value.code == EXC_UNALIGNED_PC
        CHECKED[case.family] += 1
        return

    assert ref.exception is None, f"unicorn raised exception {ref.exception}: {case.describe()}"
    assert_same(case, ours, ref)
    assert vm.step_count == case.count
    CHECKED[case.family] += 1


# --- the per-family properties -----------------------------------------------------------------

FAST = settings(
    max_examples=220,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(FAST, max_examples=4000)


def single(family: str, insn: st.SearchStrategy[tuple[str, int]]) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: st.DrawFn) -> Case:
        regs, hi, lo, window = draw(machine())
        name, word_ = draw(insn)
        bias(draw, regs, word_)
        return Case(family, name, [word_], regs, hi, lo, window)

    return build()


def with_delay_slot(
    family: str, insn: st.SearchStrategy[tuple[str, int]]
) -> st.SearchStrategy[Case]:
    @st.composite
    def build(draw: st.DrawFn) -> Case:
        regs, hi, lo, window = draw(machine())
        name, first = draw(insn)
        slot_name, slot = draw(delay_slot_insn)
        bias(draw, regs, first)
        if name in ("jr", "jalr") and draw(st.integers(0, 3)) != 0:
            # Mostly a mapped, aligned target so the pc is compared too.
            rs = (first >> 21) & 31
            if rs:
                regs[rs] = draw(st.integers(0x00400000 >> 2, (0x00440000 >> 2) - 1)) << 2
        return Case(family, f"{name}; {slot_name}", [first, slot], regs, hi, lo, window, count=2)

    return build()


@st.composite
def memory_case(draw: st.DrawFn, family: str, table: str) -> Case:
    """A load or store whose effective address lies in the data window (aligned as required)."""
    regs, hi, lo, window = draw(machine())
    if table == "aligned":
        name, (op, size) = draw(st.sampled_from(sorted({**LOADS, **STORES}.items())))
    else:
        name, op = draw(st.sampled_from(sorted({**UNALIGNED_LOADS, **UNALIGNED_STORES}.items())))
        size = 1
    offset = draw(st.integers(0, WINDOW_SIZE // size - 1)) * size
    base = draw(nonzero_reg)
    imm = draw(imm16)
    rt = draw(reg_index)
    bias(draw, regs, rt << 16, (16,))
    regs[base] = (WINDOW + offset - sext16(imm)) & M32  # rt == base is allowed (and compared)
    return Case(family, name, [i_type(op, rt, base, imm)], regs, hi, lo, window)


@st.composite
def ll_sc_case(draw: st.DrawFn) -> Case:
    """``ll rA, imm(base)`` alone, or followed by ``sc rB, imm(base)`` on the same word."""
    regs, hi, lo, window = draw(machine())
    offset = draw(st.integers(0, WINDOW_SIZE // 4 - 1)) * 4
    base = draw(nonzero_reg)
    imm = draw(imm16)
    regs[base] = (WINDOW + offset - sext16(imm)) & M32
    loaded = draw(nonzero_reg.filter(lambda r: r != base))
    code = [i_type(0x30, loaded, base, imm)]
    if draw(st.booleans()):
        code.append(i_type(0x38, draw(reg_index), base, imm))
        return Case("ll/sc", "ll; sc", code, regs, hi, lo, window, count=2)
    return Case("ll/sc", "ll", code, regs, hi, lo, window)


@st.composite
def hilo_pair_case(draw: st.DrawFn) -> Case:
    """mult/div followed by mfhi or mflo: the HI/LO results reach a GPR."""
    regs, hi, lo, window = draw(machine())
    name, funct = draw(st.sampled_from(sorted(HILO_ARITH.items())))
    rs, rt = draw(reg_index), draw(reg_index)
    bias(draw, regs, r_type(funct, rs=rs, rt=rt))
    if funct in (0x1A, 0x1B) and regs[rt] == 0:
        regs[rt] = draw(st.integers(1, M32)) if rt else 0
    move = draw(st.sampled_from(sorted(HILO_MOVE_FROM.items())))
    code = [r_type(funct, rs=rs, rt=rt), r_type(move[1], rd=draw(reg_index))]
    return Case("hi/lo", f"{name}; {move[0]}", code, regs, hi, lo, window, count=2)


FAMILIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "shifts": lambda: single("shifts", shift_insn()),
    "alu-r": lambda: single("alu-r", alu_r_insn()),
    "add/sub (trapping forms)": lambda: single("add/sub", alu_r_insn(TRAPPING_R)),
    "alu-i": lambda: single("alu-i", alu_i_insn()),
    "addi (trapping form)": lambda: single("addi", alu_i_insn({"addi": 0x08})),
    "special2 (mul/clz/clo)": lambda: single("special2", special2_insn()),
    "hi/lo": lambda: single("hi/lo", hilo_insn()),
    "hi/lo pairs": hilo_pair_case,
    "branches": lambda: with_delay_slot("branches", branch_insn()),
    "jumps": lambda: with_delay_slot("jumps", jump_insn()),
    "loads/stores": lambda: memory_case("loads/stores", "aligned"),
    "lwl/lwr/swl/swr": lambda: memory_case("lwl/lwr/swl/swr", "unaligned"),
    "ll/sc": ll_sc_case,
    "sync": lambda: single("sync", st.just(("sync", r_type(0x0F)))),
}


def _family_params() -> Iterator[object]:
    for name in FAMILIES:
        yield pytest.param(name, id=name.replace(" ", "_"))


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    total = sum(CHECKED.values())
    print(f"\nunicorn differential: {total} instructions checked: {dict(sorted(CHECKED.items()))}")


@pytest.mark.parametrize("family", list(_family_params()))
def test_matches_unicorn(family: str) -> None:
    """Every family of Cannon's subset agrees with unicorn on random state (default budget)."""
    examples = 20 if family == "sync" else FAST.max_examples

    @settings(FAST, max_examples=examples)
    @given(FAMILIES[family]())
    def check(case: Case) -> None:
        compare(case)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("family", list(_family_params()))
def test_matches_unicorn_long(family: str) -> None:
    """The same property with ~16x more examples per family."""
    examples = 50 if family == "sync" else SLOW.max_examples

    @settings(SLOW, max_examples=examples)
    @given(FAMILIES[family]())
    def check(case: Case) -> None:
        compare(case)

    check()


any_family = st.one_of([make() for make in FAMILIES.values()])


@settings(FAST, max_examples=60)
@given(any_family)
def test_proof_path_matches_unicorn(case: Case) -> None:
    """Stepping with witnesses (access log on), and re-executing each step from its witness alone
    as the step contract does, agrees with unicorn too (~65 ms per example, hence fewer)."""
    compare(case, proof=True)


@pytest.mark.slow
@settings(SLOW, max_examples=1000)
@given(any_family)
def test_proof_path_matches_unicorn_long(case: Case) -> None:
    compare(case, proof=True)


def test_overflow_deviation_is_exercised() -> None:
    """The overflow branch of ``compare`` is not dead code: a known overflowing add reaches it."""
    before = CHECKED["overflow (spec)"]
    regs = [0] * 32
    regs[1], regs[2] = 0x7FFFFFFF, 1
    compare(
        Case("add/sub", "add", [r_type(0x20, rd=3, rs=1, rt=2)], regs, 0, 0, bytes(WINDOW_SIZE))
    )
    assert CHECKED["overflow (spec)"] == before + 1


def test_unicorn_reference_is_not_blind() -> None:
    """The comparison can fail: a VM result that differs from unicorn is caught."""
    regs = [0] * 32
    regs[1], regs[2] = 5, 7
    case = Case("alu-r", "addu", [r_type(0x21, rd=3, rs=1, rt=2)], regs, 0, 0, bytes(WINDOW_SIZE))
    ref = REFERENCE.run(case.code, case.regs, 0, 0, case.window, 1)
    ours = vm_state(run_vm(case, 1))
    ours.regs[3] ^= 1
    with pytest.raises(AssertionError):
        assert_same(case, ours, ref)
