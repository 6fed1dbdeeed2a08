"""Settle a dispute over any array with the fault dispute game.

Two parties hold arrays of 2^k - 1 values that are supposed to follow a public rule,
`element[i+1] = f(element[i])`, from an agreed start value. They disagree about the last
element. Instead of anyone re-running the whole array, the dispute game bisects until the
parties disagree about one single transition, and the "VM" checks just that one step.

The example plugs three small pieces into the generic machinery:
  * a step verifier: one application of `f` to a state, with the verdict at the end;
  * a per-party trace: the party's own array turned into VM states;
  * the top half of the split game: a single "output", the party's final element.
Each party then runs the same honest solver on its own trace. Whoever holds the array that
really follows `f` wins, whatever the other side does.

Run: python examples/generic_bisection.py [k] [index-of-first-wrong-element]
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

from faultproof.crypto import keccak256
from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.simulate import last_expiry
from faultproof.game.solver import GameSolver, MoveAction
from faultproof.game.types import GameError, GameStatus, VMStatus, with_status
from faultproof.trace.provider import ArrayTraceProvider, OutputTraceProvider, TraceProvider
from faultproof.trace.split import OutputClaimRef, SplitTraceProvider
from faultproof.trace.toyvm import LocalOracle

Rule = Callable[[bytes], bytes]
SPLIT_DEPTH = 2  # the smallest top half the contract allows; it holds one output
ANCHOR_BLOCK = 0


def default_rule(value: bytes) -> bytes:
    """The public rule every element must follow: element[i+1] = keccak256(element[i])."""
    return keccak256(value)


# -- the "VM": one application of the rule per step --------------------------------------


def encode(index: int, value: bytes, exited: bool = False, verdict: int = 0) -> bytes:
    return index.to_bytes(8, "big") + value + bytes([int(exited), verdict])


def decode(state: bytes) -> tuple[int, bytes, bool, int]:
    return int.from_bytes(state[:8], "big"), state[8:40], bool(state[40]), state[41]


def commit(state: bytes) -> bytes:
    """State hash with the VM status in byte 0, as every FPVM does."""
    _, _, exited, verdict = decode(state)
    status = (VMStatus.VALID if verdict == 0 else VMStatus.INVALID) if exited else VMStatus.UNFINISHED
    return with_status(keccak256(state), status)


@dataclass
class ArrayVM:
    """Applies the rule once per step; after the last element, says if the claim was right.

    A sub-game that starts from an output other than the agreed start value covers the
    part of the output trace past the single claimed "block"; there the program only checks
    that the disputed output equals the starting one (op-program does the same).
    """

    rule: Rule
    start: bytes
    length: int
    oracle: LocalOracle

    def run_step(self, state: bytes, starting: bytes, disputed: bytes) -> bytes:
        index, value, exited, _ = decode(state)
        if exited:
            return state
        bypass = starting != self.start
        value = starting if bypass else self.rule(value)
        index += 1
        if index == self.length:
            return encode(index, value, True, 0 if value == disputed else 1)
        return encode(index, value)

    def step(self, state: bytes, proof: bytes, local_context: bytes) -> bytes:
        starting = self.oracle.read(local_context, 2)
        disputed = self.oracle.read(local_context, 3)
        return commit(self.run_step(state, starting, disputed))

    def trace(self, array: list[bytes], starting: bytes, disputed: bytes) -> list[bytes]:
        """A party's states S_1..S_n: its own array, or the bypass run past the claimed block."""
        states = []
        for i in range(1, self.length + 1):
            value = array[i - 1] if starting == self.start else starting
            if i == self.length:
                states.append(encode(i, value, True, 0 if value == disputed else 1))
            else:
                states.append(encode(i, value))
        return states


# -- one party ---------------------------------------------------------------------------


def party_accessor(vm: ArrayVM, array: list[bytes], k: int) -> SplitTraceProvider:
    """Everything a party claims, derived only from its own array."""
    top = OutputTraceProvider(
        lambda block: vm.start if block == ANCHOR_BLOCK else array[-1],
        ANCHOR_BLOCK,
        ANCHOR_BLOCK + 1,
        SPLIT_DEPTH,
    )

    def bottom(pre: OutputClaimRef | None, post: OutputClaimRef) -> TraceProvider:
        starting = vm.start if pre is None else pre.claim
        states = vm.trace(array, starting, post.claim)
        return ArrayTraceProvider(states, k, encode(0, vm.start), commit=commit)

    return SplitTraceProvider(top, SPLIT_DEPTH, bottom)


def act(game: FaultDisputeGame, vm: ArrayVM, solver: GameSolver, who: str, now: int) -> int:
    """Send every action the party's solver wants; a failing transaction is just dropped."""
    sent = 0
    for action in solver.calculate_next_actions(game).actions:
        try:
            if isinstance(action, MoveAction):
                bond = game.get_required_bond(action.position)
                game.move(action.disputed, action.parent_index, action.value, action.is_attack, bond, who, now)
            else:
                for ident in (2, 3, 4):
                    game.add_local_data(ident, action.claim_index, 0, vm.oracle)
                data = action.step_data
                game.step(action.claim_index, action.is_attack, data.prestate, data.proof, who)
            sent += 1
        except GameError:
            pass
    return sent


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
    vm = ArrayVM(rule, start, length, LocalOracle())
    max_depth = SPLIT_DEPTH + 1 + k
    config = GameConfig(
        max_game_depth=max_depth,
        split_depth=SPLIT_DEPTH,
        clock_extension=60,
        max_clock_duration=3600,
        absolute_prestate=commit(encode(0, start)),
        step_verifier=vm.step,
        challenge_period=120,
    )
    game = FaultDisputeGame(
        config,
        alice[-1],
        ANCHOR_BLOCK + 1,
        OutputRoot(start, ANCHOR_BLOCK),
        "alice",
        config.required_bond(Position.root()),
        now=0,
    )
    solvers = {
        name: GameSolver(party_accessor(vm, array, k), max_depth, SPLIT_DEPTH)
        for name, array in (("alice", alice), ("bob", bob))
    }
    now = 0
    while True:
        sent = sum(act(game, vm, solvers[name], name, now) for name in ("bob", "alice"))
        expired = all(
            game.get_challenger_duration(i, now) >= config.max_clock_duration
            for i in range(len(game.claims))
        )
        if expired and not sent:
            break
        # Nothing to do: skip ahead to when the last clock runs out.
        now = last_expiry(game) if not sent else now + 30
    for index in reversed(range(len(game.claims))):
        game.resolve_claim(index, 0, now)
    status = game.resolve(now)
    winner = "alice" if status == GameStatus.DEFENDER_WINS else "bob"
    return Outcome(winner, status, len(game.claims), dict(game.normal_mode_credit))


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


if __name__ == "__main__":
    main()
