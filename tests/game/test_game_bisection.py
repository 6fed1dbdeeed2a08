"""`faultproof.game.bisection`: the game settles a dispute over any array (lists or callables)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.game.bisection import BisectionError, settle
from faultproof.game.types import GameStatus

START = keccak256(b"start")


def chain_from(start: bytes, length: int) -> list[bytes]:
    out, value = [], start
    for _ in range(length):
        value = keccak256(value)
        out.append(value)
    return out


def corrupt(array: list[bytes], index: int) -> list[bytes]:
    """Wrong from `index` on, but consistent with the rule after it (the hardest liar)."""
    return array[:index] + chain_from(keccak256(b"lie" + bytes([index % 256])), len(array) - index)


@settings(max_examples=40, deadline=None)
@given(length=st.integers(1, 40), data=st.data())
def test_the_array_that_follows_the_rule_wins_at_any_length(length: int, data: st.DataObject) -> None:
    good = chain_from(START, length)
    bad = corrupt(good, data.draw(st.integers(0, length - 1)))
    honest_proposer = settle(good, bad, START, keccak256)
    assert honest_proposer.winner == "proposer"
    assert honest_proposer.status == GameStatus.DEFENDER_WINS
    honest_challenger = settle(bad, good, START, keccak256)
    assert honest_challenger.winner == "challenger"
    assert honest_challenger.status == GameStatus.CHALLENGER_WINS
    # The side that is right ends with more credit than the root bond it may have posted.
    assert honest_challenger.credit.get("challenger", 0) > 0
    assert honest_challenger.credit.get("proposer", 0) == 0


def test_identical_arrays_are_not_disputed() -> None:
    good = chain_from(START, 9)
    out = settle(good, list(good), START, keccak256)
    assert out.winner == "proposer" and out.claims == 1 and out.steps == 0


@pytest.mark.parametrize("first_wrong", [0, 1, 12_345, (1 << 40) - 1])
def test_callable_traces_of_2_to_the_40_elements(first_wrong: int) -> None:
    """Elements are computed on demand; the bisection reads a few per level of the tree."""
    length = 1 << 40
    reads = {"n": 0}

    def honest(i: int) -> bytes:
        reads["n"] += 1
        return (i + 1).to_bytes(32, "big")

    def liar(i: int) -> bytes:
        return (i + 1 + (i >= first_wrong)).to_bytes(32, "big")

    def plus_one(v: bytes) -> bytes:
        return (int.from_bytes(v, "big") + 1).to_bytes(32, "big")

    out = settle(liar, honest, bytes(32), plus_one, length=length)
    assert out.winner == "challenger"
    assert out.claims == 45  # one claim per depth 0..44 (max depth = split 2 + 1 + 41)
    assert reads["n"] < 1000


def test_bad_inputs_are_named_errors() -> None:
    good = chain_from(START, 7)
    with pytest.raises(BisectionError, match="expected 7"):
        settle(good, good[:-1], START, keccak256)
    with pytest.raises(BisectionError, match="explicit length"):
        settle(lambda i: START, good, START, keccak256)
    with pytest.raises(BisectionError, match="32 bytes"):
        settle([b"short"], [b"short"], START, keccak256)
