"""The guest's 256-bit words (`guest/evm/u256.c`) against the Cancun execution specs.

Every EVM arithmetic, bitwise and comparison instruction is computed twice: by the C test main
`guest/evm/tests/test_u256.c` (thousands of cases per process) and by the spec's own
instruction functions (`ethereum.forks.cancun.vm.instructions`) run on a bare stack. Words
are drawn digit by digit from 32-bit edge values, because the C code works on 32-bit digits
and its bugs live at digit boundaries (carries, Knuth division's quotient correction and
add-back). The MIPS32 build runs the same cases under qemu: 32-bit big-endian is where
byte-order and 64-bit-helper mistakes show.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from ethereum.forks.cancun.vm.instructions import arithmetic, bitwise, comparison
from ethereum_types.numeric import U256, Uint
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.guests import guest_test_elf

MOD = 2**256
MAX = MOD - 1

EDGE_WORDS: tuple[int, ...] = (
    0, 1, 2, 3, 7, 8, 30, 31, 32, 33, 255, 256, 257,
    2**31, 2**32 - 1, 2**32, 2**63, 2**64 - 1, 2**64, 2**128 - 1, 2**128,
    2**192, 2**255 - 1, 2**255, 2**255 + 1, MAX - 1, MAX,
    0x80000000FFFFFFFE8000000000000001FFFFFFFE8000000000000001,  # Knuth add-back (found
    0x80000000FFFFFFFEFFFFFFFEFFFFFFFF0000000000000001,  # by a Python model of the C loop)
)  # fmt: skip

Instruction = Callable[[Any], None]

# op name in test_u256.c -> (spec instruction, operand count)
SPEC_OPS: dict[str, tuple[Instruction, int]] = {
    "add": (arithmetic.add, 2),
    "sub": (arithmetic.sub, 2),
    "mul": (arithmetic.mul, 2),
    "div": (arithmetic.div, 2),
    "mod": (arithmetic.mod, 2),
    "sdiv": (arithmetic.sdiv, 2),
    "smod": (arithmetic.smod, 2),
    "addmod": (arithmetic.addmod, 3),
    "mulmod": (arithmetic.mulmod, 3),
    "exp": (arithmetic.exp, 2),
    "signextend": (arithmetic.signextend, 2),
    "and": (bitwise.bitwise_and, 2),
    "or": (bitwise.bitwise_or, 2),
    "xor": (bitwise.bitwise_xor, 2),
    "not": (bitwise.bitwise_not, 1),
    "byte": (bitwise.get_byte, 2),
    "shl": (bitwise.bitwise_shl, 2),
    "shr": (bitwise.bitwise_shr, 2),
    "sar": (bitwise.bitwise_sar, 2),
    "lt": (comparison.less_than, 2),
    "eq": (comparison.equal, 2),
    "iszero": (comparison.is_zero, 1),
}


def signed(x: int) -> int:
    return x - MOD if x >> 255 else x


def sign_of(x: int) -> int:
    return (x > 0) - (x < 0)


# ops without an EVM instruction of their own: plain Python
PY_OPS: dict[str, tuple[Callable[..., int], int]] = {
    "neg": (lambda a: -a % MOD, 1),
    "cmp": (lambda a, b: sign_of(a - b), 2),
    "scmp": (lambda a, b: sign_of(signed(a) - signed(b)), 2),
    "isneg": (lambda a: a >> 255, 1),
    "fits64": (lambda a: int(a < 2**64), 1),
    "bitlen": (lambda a: a.bit_length(), 1),
    "bytelen": (lambda a: (a.bit_length() + 7) // 8, 1),
    "mulfull": (lambda a, b: a * b, 2),
    "u64": (lambda a: a % 2**64, 1),
}
DECIMAL_OPS = {"cmp", "scmp", "lt", "eq", "iszero", "isneg", "fits64", "bitlen", "bytelen"}

ALL_OPS = sorted({*SPEC_OPS, *PY_OPS})


def spec_result(op: str, args: Sequence[int]) -> int:
    """Run the spec's instruction on a stack holding `args` (args[0] on top)."""
    if op in PY_OPS:
        return PY_OPS[op][0](*args)
    instruction, _ = SPEC_OPS[op]
    frame = SimpleNamespace(
        stack=[U256(a) for a in reversed(args)], gas_left=Uint(10**12), pc=Uint(0)
    )
    instruction(cast(Any, frame))
    assert len(frame.stack) == 1
    return int(frame.stack[0])


def arity(op: str) -> int:
    return SPEC_OPS[op][1] if op in SPEC_OPS else PY_OPS[op][1]


Case = tuple[str, tuple[int, ...]]


def expected_line(case: Case) -> str:
    op, args = case
    value = spec_result(op, args)
    if op in DECIMAL_OPS:
        return str(value)
    return format(value, "0128x" if op == "mulfull" else "064x")


def run_cases(elf: Path, cases: Sequence[Case], runner: Sequence[str] = ()) -> list[str]:
    """All cases in one process; returns one output line per case."""
    text = "".join(f"{op} {' '.join(format(a, 'x') for a in args)}\n" for op, args in cases)
    proc = subprocess.run(
        [*runner, str(elf)], input=text, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(cases)
    return lines


def check(elf: Path, cases: Sequence[Case], runner: Sequence[str] = ()) -> None:
    got = run_cases(elf, cases, runner)
    wrong = [
        (op, [hex(a) for a in args], line, expected_line((op, args)))
        for (op, args), line in zip(cases, got, strict=True)
        if line != expected_line((op, args))
    ]
    assert not wrong, f"{len(wrong)} of {len(cases)} differ, first: {wrong[:3]}"


@pytest.fixture(scope="module")
def elf() -> Path:
    return guest_test_elf("evm", "test_u256")


# --- word strategies ------------------------------------------------------------------------

DIGIT_EDGES = (0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF)


def digit_word(rng: random.Random) -> int:
    """A word of 0-8 32-bit digits, each an edge value or random (the rest zero)."""
    word = 0
    for i in range(rng.randint(0, 8)):
        digit = rng.choice(DIGIT_EDGES) if rng.random() < 0.6 else rng.getrandbits(32)
        word |= digit << (32 * i)
    if rng.random() < 0.2:
        word = (-word) % MOD  # negative numbers for the signed ops
    return word


def any_word(rng: random.Random) -> int:
    pick = rng.random()
    if pick < 0.25:
        return rng.choice(EDGE_WORDS)
    if pick < 0.35:
        return rng.getrandbits(rng.randint(0, 9))  # small: shift amounts, byte indexes
    if pick < 0.45:
        return rng.getrandbits(256)
    return digit_word(rng)


def random_cases(seed: int, count: int) -> list[Case]:
    rng = random.Random(seed)
    return [
        (op, tuple(any_word(rng) for _ in range(arity(op))))
        for op in (rng.choice(ALL_OPS) for _ in range(count))
    ]


words = st.one_of(
    st.sampled_from(EDGE_WORDS),
    st.integers(min_value=0, max_value=MAX),
    st.integers(min_value=0, max_value=300),
    st.randoms(use_true_random=False).map(digit_word),
)
cases_strategy = st.lists(
    st.sampled_from(ALL_OPS).flatmap(
        lambda op: st.tuples(st.just(op), st.tuples(*[words] * arity(op)))
    ),
    min_size=1,
    max_size=200,
)


# --- tests ----------------------------------------------------------------------------------


def test_every_op_on_every_pair_of_edge_words(elf: Path) -> None:
    """All ops on all combinations of edge words (third operand of ADDMOD/MULMOD: a sample)."""
    cases: list[Case] = []
    for op in ALL_OPS:
        n = arity(op)
        for i, a in enumerate(EDGE_WORDS):
            if n == 1:
                cases.append((op, (a,)))
                continue
            for j, b in enumerate(EDGE_WORDS):
                if n == 2:
                    cases.append((op, (a, b)))
                else:
                    for c in EDGE_WORDS[(i + j) % 5 :: 5]:
                        cases.append((op, (a, b, c)))
    check(elf, cases)


def test_sdiv_smod_signed_corner_cases(elf: Path) -> None:
    """-2^255 / -1 wraps to -2^255; remainders take the dividend's sign; /0 and %0 are 0."""
    minus_one, min_int = MAX, 2**255
    cases: list[Case] = [
        ("sdiv", (min_int, minus_one)),
        ("smod", (min_int, minus_one)),
        ("sdiv", (min_int, 1)),
        ("sdiv", (minus_one, minus_one)),
        ("sdiv", (MOD - 7, 2)),
        ("smod", (MOD - 7, 2)),
        ("smod", (7, MOD - 2)),
        ("sdiv", (5, 0)),
        ("smod", (min_int, 0)),
    ]
    check(elf, cases)
    assert run_cases(elf, cases[:1])[0] == format(min_int, "064x")


def test_shifts_byte_and_signextend_out_of_range_indexes(elf: Path) -> None:
    """Shifts of 256 and more, BYTE of 32 and more, SIGNEXTEND of 31 and more, including
    indexes with only high bits set (2^64, 2^255) that a 64-bit truncation would see as 0."""
    indexes = (30, 31, 32, 33, 255, 256, 257, 2**64, 2**64 + 1, 2**128, 2**255, MAX)
    values = (0, 1, 0x80, 0xFF, 2**255, MAX, 0x7F << 240, 0x1234 << 100)
    cases: list[Case] = [
        (op, (i, v)) for op in ("shl", "shr", "sar", "byte", "signextend")
        for i in indexes for v in values
    ]  # fmt: skip
    check(elf, cases)


def test_addmod_mulmod_use_the_full_intermediate(elf: Path) -> None:
    """(2^256-1 + 2^256-1) % n and (2^256-1)^2 % n need 257 and 512 bits."""
    moduli = (1, 2, 3, 2**64 - 1, 2**128 + 1, 2**255, MAX - 1, MAX, 0)
    cases: list[Case] = [
        (op, (a, b, n)) for op in ("addmod", "mulmod")
        for a, b in ((MAX, MAX), (MAX, 1), (2**255, 2**255), (MAX - 1, MAX))
        for n in moduli
    ]  # fmt: skip
    check(elf, cases)


def test_exp_by_square_and_multiply(elf: Path) -> None:
    cases: list[Case] = [
        ("exp", (b, e)) for b in (0, 1, 2, 3, 255, 2**128, MAX, MAX - 1)
        for e in (0, 1, 2, 255, 256, 257, 2**64, 2**255, MAX)
    ]  # fmt: skip
    check(elf, cases)


def test_twenty_thousand_random_cases(elf: Path) -> None:
    check(elf, random_cases(seed=2026, count=20_000))


@settings(max_examples=40, deadline=None)
@given(cases_strategy)
def test_random_ops_match_the_spec(elf: Path, cases: list[Case]) -> None:
    check(elf, cases)


QEMU = {"mips32": "qemu-mips", "riscv64": "qemu-riscv64"}


@pytest.mark.qemu
@pytest.mark.parametrize("target", sorted(QEMU))
def test_vm_target_builds_agree_under_qemu(target: str) -> None:
    """Big-endian 32-bit (MIPS32, Cannon's flags) and RV64 (Asterisc's): the same answers."""
    if shutil.which(QEMU[target]) is None:
        pytest.skip(f"{QEMU[target]} not installed (Debian qemu-user)")
    elf = guest_test_elf("evm", "test_u256", target)
    cases = [(op, (a,) * arity(op)) for op in ALL_OPS for a in (0, MAX, 2**255)]
    cases += [(op, (a, b)) for op in ("div", "mod", "sdiv", "smod", "mulfull") for a, b in
              ((MAX, 3), (EDGE_WORDS[-2], EDGE_WORDS[-1]), (2**255, MAX))]  # fmt: skip
    cases += random_cases(seed=32, count=400)
    check(elf, cases, runner=[QEMU[target]])


class _StepStamps(io.RawIOBase):
    """A stdout for the MIPS VM that notes the step count at which each line is written."""

    def __init__(self) -> None:
        super().__init__()
        self.vm: Any = None
        self.lines: list[tuple[str, int]] = []
        self._pending = b""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._pending += bytes(data)
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            self.lines.append((line.decode(), self.vm.step_count))
        return len(data)


# steps per operation on Cannon's MIPS32 (measured: add ~230, mul ~930, div ~1150,
# mulmod ~3400, exp with 64-256-bit exponents ~95k); the bounds catch a slide into
# bit-by-bit division (rt/divide.c's 64-bit helpers) or per-bit loops.
STEP_BUDGET = {"add": 400, "mul": 1500, "div": 2500, "sdiv": 2500, "addmod": 3000,
               "mulmod": 6000, "exp": 160_000, "shifts": 1000}  # fmt: skip


def test_mips32_costs_and_results_in_the_cannon_vm() -> None:
    """bench_u256 in our MIPS VM: the same checksums as the host build, within the budget,
    and no instruction Cannon lacks."""
    from faultproof.guests import bad_instructions
    from faultproof.vm.mips.loader import load_elf_bytes

    host = subprocess.run(
        [str(guest_test_elf("evm", "bench_u256"))], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    elf = guest_test_elf("evm", "bench_u256", "mips32").read_bytes()
    assert bad_instructions(elf) == []
    stamps = _StepStamps()
    vm = load_elf_bytes(elf, stdout=cast(Any, stamps))
    stamps.vm = vm
    vm.run()
    assert vm.exit_code == 0
    assert [line for line, _ in stamps.lines] == host
    iterations = 200  # ITERS in bench_u256.c
    for (_, before), (line, after) in zip(stamps.lines, stamps.lines[1:], strict=False):
        op = line.split()[0]
        assert (after - before) / iterations < STEP_BUDGET[op], (op, (after - before) / 200)


def test_from_be_pads_short_inputs_on_the_left(elf: Path) -> None:
    """u256_from_be of 0..32 bytes (the interpreter's PUSHn and CALLDATALOAD tails)."""
    rng = random.Random(7)
    raw = [bytes(rng.getrandbits(8) for _ in range(n)) for n in range(33)] + [b"\x80" * 32]
    text = "".join(f"frombe {r.hex() or '-'}\n" for r in raw)
    proc = subprocess.run([str(elf)], input=text, capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == [format(int.from_bytes(r, "big"), "064x") for r in raw]
