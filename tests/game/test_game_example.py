"""The generic-array example settles disputes correctly, whoever holds the right array."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.game.types import GameStatus

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "generic_bisection.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generic_bisection", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


example = load_example()
START = keccak256(b"start")


@settings(max_examples=25, deadline=None)
@given(k=st.integers(min_value=1, max_value=5), data=st.data())
def test_the_party_whose_array_follows_the_rule_wins(k: int, data: st.DataObject) -> None:
    length = (1 << k) - 1
    good = example.honest_array(START, length)
    bad_index = data.draw(st.integers(min_value=0, max_value=length - 1))
    wrong = example.corrupt_from(good, bad_index, seed=bad_index)
    alice_right = example.settle(good, wrong, START, k)
    assert alice_right.winner == "alice" and alice_right.status == GameStatus.DEFENDER_WINS
    bob_right = example.settle(wrong, good, START, k)
    assert bob_right.winner == "bob" and bob_right.status == GameStatus.CHALLENGER_WINS
    # The loser funded the winner: the right party ends with more credit than it posted.
    assert alice_right.credit.get("alice", 0) > 0 and bob_right.credit.get("bob", 0) > 0


def test_agreeing_arrays_leave_the_proposal_unchallenged() -> None:
    good = example.honest_array(START, 15)
    outcome = example.settle(good, list(good), START, 4)
    assert outcome.winner == "alice" and outcome.claims == 1


def test_example_main_runs(capsys) -> None:  # type: ignore[no-untyped-def]
    sys.argv = ["generic_bisection.py", "4", "5"]
    example.main()
    out = capsys.readouterr().out
    assert "Alice is right: winner=alice" in out and "Bob is right: winner=bob" in out
