"""Differential tests against unicorn's RV64 (QEMU's decoder and semantics) on single instructions.

Documented Asterisc deviations are kept out of the comparison (see vm/riscv/README.md "Deviations"):
FP loads/stores/ops are no-ops here (unicorn traps with mstatus.FS off), EBREAK/CSR/ECALL differ by
design, riscv64 requires 4-aligned jump targets, and unchecked funct7 bits are not generated.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.vm.riscv.harness import CODE, DATA, Pair, enc_amo, enc_b, enc_i, enc_j, enc_r, enc_s

from faultproof.vm.riscv.constants import ERR_ILLEGAL

FP_COMPRESSED = {(0, 1), (0, 5), (2, 1), (2, 5)}  # (quadrant, funct3): C.FLD/C.FSD/C.FLDSP/C.FSDSP
C_EBREAK = 0x9002
STORES_COMPRESSED = {(0, 6), (0, 7), (2, 6), (2, 7)}


ZCB_QUADRANT0 = (0, 4)  # Zcb loads/stores; reserved in base C, unicorn decodes Zcb


def is_zcb(c: int) -> bool:
    """Encodings unicorn decodes as Zcb (c.lbu.., c.zext.*, c.mul) and base RV64C reserves."""
    q, f3 = c & 3, c >> 13
    if (q, f3) == ZCB_QUADRANT0:
        return True
    return q == 1 and f3 == 4 and (c >> 10) & 3 == 3 and (c >> 12) & 1 == 1 and (c >> 5) & 3 >= 2


def compressed_regs(rng: random.Random, c: int = 0) -> list[int]:
    regs = [rng.getrandbits(64) for _ in range(32)]
    regs[0] = 0
    regs[2] = DATA  # sp-relative forms
    for i in range(8, 16):  # rs1' of C.LW/C.LD/C.SW/C.SD
        regs[i] = DATA + 8 * i
    if c & 3 == 2 and c >> 13 == 4:  # C.JR/C.JALR/C.MV/C.ADD: keep jump targets in mapped code
        regs[(c >> 7) & 31] = CODE + rng.randrange(0, 0x800)
    regs[0] = 0
    return regs


def same(ours: object, theirs: object) -> bool:
    if isinstance(ours, tuple) and ours[0] == "revert":
        return isinstance(theirs, tuple) and theirs[0] == "trap"
    return ours == theirs


def test_every_compressed_encoding_matches_unicorn() -> None:
    """All 49152 16-bit parcels, legal, HINT and reserved alike (FP and C.EBREAK excluded)."""
    pair = Pair(compressed=True)
    rng = random.Random(7)
    mismatches: list[tuple[object, ...]] = []
    for c in range(0x10000):
        q, f3 = c & 3, c >> 13
        if q == 3 or (q, f3) in FP_COMPRESSED or c == C_EBREAK:
            continue
        if is_zcb(c):
            ours, _ = pair.run(c.to_bytes(2, "little"), compressed_regs(rng, c))
            if ours != ("revert", ERR_ILLEGAL):
                mismatches.append((hex(c), "reserved encoding did not revert", ours))
            continue
        ours, theirs = pair.run(c.to_bytes(2, "little"), compressed_regs(rng, c))
        if not same(ours, theirs):
            mismatches.append((hex(c), ours, theirs))
        elif (q, f3) in STORES_COMPRESSED and not pair.memory_equal(DATA, 640):
            mismatches.append((hex(c), "memory differs"))
    assert not mismatches, mismatches[:5]


def test_compressed_fp_and_ebreak_are_noops() -> None:
    """Asterisc treats FP memory ops and EBREAK as no-ops; their compressed forms do the same."""
    pair = Pair(compressed=True)
    rng = random.Random(3)
    for c in (0x2000 | (1 << 2), 0xA000 | (1 << 2), 0x2002 | (1 << 7), 0xA002, C_EBREAK):
        regs = compressed_regs(rng)
        ours, _ = pair.run(c.to_bytes(2, "little"), regs)
        assert ours == (0x10002, regs), hex(c)


def _reg() -> st.SearchStrategy[int]:
    return st.integers(1, 31)


R_OPS = [(0x33, f3, 0) for f3 in range(8)] + [(0x33, 0, 0x20), (0x33, 5, 0x20)]
R_OPS += [(0x33, f3, 1) for f3 in range(8)]
R_OPS += [(0x3B, 0, 0), (0x3B, 0, 0x20), (0x3B, 1, 0), (0x3B, 5, 0), (0x3B, 5, 0x20)]
R_OPS += [(0x3B, f3, 1) for f3 in (0, 4, 5, 6, 7)]


@st.composite
def instruction(draw: st.DrawFn) -> int:
    kind = draw(
        st.sampled_from(
            ["r", "imm", "immw", "shift", "shiftw", "lui", "load", "store", "branch", "jal", "amo"]
        )
    )
    rd, rs1, rs2 = draw(_reg()), draw(_reg()), draw(_reg())
    imm = draw(st.integers(-2048, 2047))
    if kind == "r":
        op, f3, f7 = draw(st.sampled_from(R_OPS))
        return enc_r(op, f3, f7, rd, rs1, rs2)
    if kind == "imm":
        return enc_i(0x13, draw(st.sampled_from([0, 2, 3, 4, 6, 7])), rd, rs1, imm)
    if kind == "immw":
        return enc_i(0x1B, 0, rd, rs1, imm)
    if kind == "shift":
        f3, hi = draw(st.sampled_from([(1, 0), (5, 0), (5, 0x400)]))
        return enc_i(0x13, f3, rd, rs1, hi | draw(st.integers(0, 63)))
    if kind == "shiftw":
        f3, hi = draw(st.sampled_from([(1, 0), (5, 0), (5, 0x400)]))
        return enc_i(0x1B, f3, rd, rs1, hi | draw(st.integers(0, 31)))
    if kind == "lui":
        return (
            (draw(st.integers(0, 0xFFFFF)) << 12) | (rd << 7) | draw(st.sampled_from([0x37, 0x17]))
        )
    if kind == "load":  # base register is forced to DATA by the test
        return enc_i(0x03, draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6])), rd, 5, imm)
    if kind == "store":
        return enc_s(draw(st.integers(0, 3)), 5, rs2, imm)
    if kind == "branch":
        return enc_b(
            draw(st.sampled_from([0, 1, 4, 5, 6, 7])), rs1, rs2, 4 * draw(st.integers(-1000, 1000))
        )
    if kind == "jal":
        return enc_j(rd, 4 * draw(st.integers(-1000, 1000)))
    op5 = draw(st.sampled_from([0x00, 0x01, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C]))
    return enc_amo(op5, draw(st.sampled_from([2, 3])), rd, 6, rs2)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])  # fmt: skip
@given(st.lists(st.tuples(instruction(), st.integers(0, 2**32), st.integers(-1024, 1024)),
                min_size=80, max_size=80))  # fmt: skip
def test_random_rv64ima_instructions_match_unicorn(batch: list[tuple[int, int, int]]) -> None:
    """~2000 random legal RV64IMA instructions (80 per example) give unicorn's registers and memory."""
    pair = _pair()
    for word, seed, off in batch:
        rng = random.Random(seed)
        regs = [rng.choice([0, 1, 2**63, 2**64 - 1, 2**31, rng.getrandbits(64)]) for _ in range(32)]
        regs[5] = DATA + off  # loads/stores: any alignment, may straddle leaves
        regs[6] = DATA + (off & ~7)  # AMOs: naturally aligned
        ours, theirs = pair.run(word.to_bytes(4, "little"), regs)
        assert same(ours, theirs), (hex(word), ours, theirs)
        assert pair.memory_equal(DATA + off - 2048, 4200), hex(word)


_PAIR: list[Pair] = []


def _pair() -> Pair:
    if not _PAIR:
        _PAIR.append(Pair(compressed=False))
    return _PAIR[0]


@pytest.mark.parametrize("compressed", [False, True])
def test_same_results_in_both_modes_for_uncompressed_code(compressed: bool) -> None:
    """riscv64c executes 32-bit code exactly as riscv64 does."""
    rng = random.Random(11)
    pair = Pair(compressed=compressed)
    words = [enc_r(0x33, f3, 1, 7, 8, 9) for f3 in range(8)] + [enc_i(0x13, 0, 3, 4, 5)]
    results = [
        pair.run(w.to_bytes(4, "little"), [rng.getrandbits(64) for _ in range(32)])[0]
        for w in words
    ]
    rng2 = random.Random(11)
    ref = Pair(compressed=False)
    expected = [
        ref.run(w.to_bytes(4, "little"), [rng2.getrandbits(64) for _ in range(32)])[0]
        for w in words
    ]
    assert results == expected
