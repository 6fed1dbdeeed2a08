"""Settle a dispute over any array with the fault dispute game.

Two parties hold arrays of 2^k - 1 values that are supposed to follow a public rule,
`element[i+1] = f(element[i])`, from an agreed start value. They disagree about the last
element. Instead of anyone re-running the whole array, the dispute game bisects until the
parties disagree about one single transition, and the "VM" checks just that one step.

`faultproof.game.bisection.settle` plugs three small pieces into the generic machinery:
  * a step verifier: one application of `f` to a state, with the verdict at the end;
  * a per-party trace: the party's own array (a list, or a callable for huge arrays) turned
    into VM states;
  * the top half of the split game: a single "output", the party's final element.
Each party then runs the same honest solver on its own trace. Whoever holds the array that
really follows `f` wins, whatever the other side does. The last lines dispute a lazily
computed array of 2^30 counters, of which the game reads a few dozen.

Run: python examples/generic_bisection.py [k] [index-of-first-wrong-element]
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass

from faultproof.crypto import keccak256
from faultproof.game import bisection
from faultproof.game.bisection import Transition
from faultproof.game.types import GameStatus

Rule = Transition


def default_rule(value: bytes) -> bytes:
    """The public rule every element must follow: element[i+1] = keccak256(element[i])."""
    return keccak256(value)


@dataclass
class Outcome:
    winner: str
    status: GameStatus
    claims: int
    credit: dict[str, int]


def settle(alice: list[bytes], bob: list[bytes], start: bytes, k: int, rule: Rule = default_rule) -> Outcome:
    """Alice proposes her last element; Bob challenges with his. The game decides."""
    length = (1 << k) - 1
    if len(alice) != length or len(bob) != length:
        raise ValueError(f"arrays must have 2^{k} - 1 = {length} elements")
    out = bisection.settle(alice, bob, start, rule)
    names = {"proposer": "alice", "challenger": "bob"}
    credit = {names.get(who, who): amount for who, amount in out.credit.items()}
    return Outcome(names[out.winner], out.status, out.claims, credit)


def honest_array(start: bytes, length: int, rule: Rule = default_rule) -> list[bytes]:
    out, value = [], start
    for _ in range(length):
        value = rule(value)
        out.append(value)
    return out


def corrupt_from(array: list[bytes], index: int, seed: int = 0) -> list[bytes]:
    """The same array with element `index` wrong, and everything after it following from it."""
    rng = random.Random(seed)
    out = list(array[:index])
    value = rng.randbytes(32)
    out.append(value)
    for _ in range(index + 1, len(array)):
        value = default_rule(value)
        out.append(value)
    return out


def main() -> None:
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    bad = int(sys.argv[2]) if len(sys.argv) > 2 else 17
    start = keccak256(b"agreed start")
    good = honest_array(start, (1 << k) - 1)
    wrong = corrupt_from(good, min(bad, len(good) - 1))
    for alice, bob, label in ((good, wrong, "Alice is right"), (wrong, good, "Bob is right")):
        outcome = settle(alice, bob, start, k)
        print(f"{label}: winner={outcome.winner} status={outcome.status.name} claims={outcome.claims}")

    # A huge array given as a function: element i is the counter i+1; the liar is off by one
    # from element 700,000,000 on.
    length = 1 << 30

    def counter(i: int) -> bytes:
        return (i + 1).to_bytes(32, "big")

    def liar(i: int) -> bytes:
        return (i + 2 if i >= 700_000_000 else i + 1).to_bytes(32, "big")

    def plus_one(value: bytes) -> bytes:
        return (int.from_bytes(value, "big") + 1).to_bytes(32, "big")

    big = bisection.settle(liar, counter, bytes(32), plus_one, length=length)
    print(f"2^30 counters, liar proposes: winner={big.winner} claims={big.claims} steps={big.steps}")


if __name__ == "__main__":
    main()
