"""Settle a dispute over any array with the fault dispute game (the seed's generic use).

Two parties hold arrays that are supposed to follow a public rule from an agreed start value,
`element[i+1] = transition(element[i])`, and disagree about the last element. Nobody re-runs
the whole array: the game bisects until the parties disagree about one single transition, and
the "VM" applies `transition` once to the revealed earlier element.

    outcome = settle(alice_array, bob_array, start, transition)
    outcome.winner  # "proposer" if the proposer's array follows the rule, else "challenger"

Arrays are sequences of 32-byte elements or callables `index -> element` (with `length`), so
a trace of 2^40 elements costs only the ~40 elements the bisection looks at. The leaf checker
is the `transition` itself: a step must *compute* the successor of the revealed element, since
a yes/no check of a successor the stepper supplies would let a dishonest stepper "counter" a
correct claim simply by supplying a wrong successor.

How the pieces map onto the game: the top half of the split game holds a single output (the
proposer's last element, at split depth 2, the smallest the contract allows); the execution
half is the array, one transition per instruction; the VM's final state carries the verdict
(VALID if the computed last element equals the disputed one), as an FPVM's exit code does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.simulate import last_expiry
from faultproof.game.solver import GameSolver, MoveAction
from faultproof.game.types import ZERO_ADDRESS, GameError, GameStatus, VMStatus, with_status
from faultproof.trace.provider import ArrayTraceProvider, OutputTraceProvider, TraceProvider
from faultproof.trace.split import OutputClaimRef, SplitTraceProvider
from faultproof.trace.toyvm import LocalOracle

Transition = Callable[[bytes], bytes]
"""The leaf checker: the element that must follow a given element."""
Trace = Sequence[bytes] | Callable[[int], bytes]
"""A party's array: `trace[i]` (or `trace(i)`) is the element after i+1 transitions."""
SPLIT_DEPTH = 2
ANCHOR_BLOCK = 0
LOCAL_IDS = (2, 3)
"""Local data the array VM reads: the starting and the disputed output."""


class BisectionError(FaultproofError):
    """The arrays cannot be disputed as given (wrong length, element not 32 bytes)."""


def encode(index: int, value: bytes, exited: bool = False, verdict: int = 0) -> bytes:
    """VM state: how many transitions ran, the current element, exited flag and verdict."""
    return index.to_bytes(8, "big") + value + bytes([int(exited), verdict])


def decode(state: bytes) -> tuple[int, bytes, bool, int]:
    return int.from_bytes(state[:8], "big"), state[8:40], bool(state[40]), state[41]


def commit(state: bytes) -> bytes:
    """State hash with the VM status in byte 0, as every FPVM does."""
    _, _, exited, verdict = decode(state)
    if not exited:
        return with_status(keccak256(state), VMStatus.UNFINISHED)
    return with_status(keccak256(state), VMStatus.VALID if verdict == 0 else VMStatus.INVALID)


@dataclass
class ArrayVM:
    """Applies the transition once per step; after the last element, says if the claim held.

    A sub-game that starts from an output other than the agreed start value covers the part
    of the output trace past the single claimed "block"; there the program only checks that
    the disputed output equals the starting one (op-program does the same).
    """

    transition: Transition
    start: bytes
    length: int
    oracle: LocalOracle

    def run_step(self, state: bytes, starting: bytes, disputed: bytes) -> bytes:
        index, value, exited, _ = decode(state)
        if exited:
            return state
        value = starting if starting != self.start else self.transition(value)
        index += 1
        if index == self.length:
            return encode(index, value, True, 0 if value == disputed else 1)
        return encode(index, value)

    def step(self, state: bytes, proof: bytes, local_context: bytes) -> bytes:
        """`IBigStepper.step`: one transition, reading the bounding outputs as local data."""
        starting = self.oracle.read(local_context, 2)
        disputed = self.oracle.read(local_context, 3)
        return commit(self.run_step(state, starting, disputed))

    def state_at(self, element: Callable[[int], bytes], starting: bytes,
                 disputed: bytes) -> Callable[[int], bytes]:
        """A party's states S_1..S_n, lazily: its own array, or the bypass past the claim."""

        def state(i: int) -> bytes:
            value = element(i) if starting == self.start else starting
            if i + 1 == self.length:
                return encode(i + 1, value, True, 0 if value == disputed else 1)
            return encode(i + 1, value)

        return state


def _element_fn(trace: Trace, length: int) -> Callable[[int], bytes]:
    if callable(trace):
        return trace
    if len(trace) != length:
        raise BisectionError(f"array has {len(trace)} elements, expected {length}")
    return trace.__getitem__


def party_accessor(vm: ArrayVM, trace: Trace, depth: int) -> SplitTraceProvider:
    """Everything a party claims, derived only from its own array."""
    element = _element_fn(trace, vm.length)
    last = element(vm.length - 1)
    if len(last) != 32:
        raise BisectionError(f"elements must be 32 bytes, the last one is {len(last)}")
    top = OutputTraceProvider(
        lambda block: vm.start if block == ANCHOR_BLOCK else last,
        ANCHOR_BLOCK, ANCHOR_BLOCK + 1, SPLIT_DEPTH,
    )

    def bottom(pre: OutputClaimRef | None, post: OutputClaimRef) -> TraceProvider:
        starting = vm.start if pre is None else pre.claim
        return ArrayTraceProvider(vm.state_at(element, starting, post.claim), depth,
                                  encode(0, vm.start), length=vm.length, commit=commit)

    return SplitTraceProvider(top, SPLIT_DEPTH, bottom)


@dataclass
class Outcome:
    winner: str
    """"proposer" or "challenger": whose last element the game upheld."""
    status: GameStatus
    claims: int
    steps: int
    credit: dict[str, int]


def _act(game: FaultDisputeGame, vm: ArrayVM, solver: GameSolver, who: str, now: int) -> int:
    """Send every action the party's solver wants; a failing transaction is just dropped."""
    sent = 0
    for action in solver.calculate_next_actions(game).actions:
        try:
            if isinstance(action, MoveAction):
                bond = game.get_required_bond(action.position)
                game.move(action.disputed, action.parent_index, action.value, action.is_attack,
                          bond, who, now)
            else:
                for ident in LOCAL_IDS:
                    game.add_local_data(ident, action.claim_index, 0, vm.oracle)
                data = action.step_data
                game.step(action.claim_index, action.is_attack, data.prestate, data.proof, who)
        except GameError:
            continue
        sent += 1
    return sent


def settle(proposer: Trace, challenger: Trace, start: bytes, transition: Transition,
           length: int | None = None) -> Outcome:
    """The proposer claims its last element; the challenger disputes it with its own array.

    Both play op-challenger's honest algorithm on their own array until every clock runs
    out; the game then resolves bottom-up. `length` is required for callable traces.
    """
    if length is None:
        if callable(proposer) or callable(challenger):
            raise BisectionError("callable traces need an explicit length")
        length = len(proposer)
    if length < 1:
        raise BisectionError("arrays need at least one element")
    depth = max(1, length.bit_length())  # 2^depth leaves > length: the last state repeats
    vm = ArrayVM(transition, start, length, LocalOracle())
    max_depth = SPLIT_DEPTH + 1 + depth
    config = GameConfig(
        max_game_depth=max_depth, split_depth=SPLIT_DEPTH, clock_extension=60,
        max_clock_duration=3600, absolute_prestate=commit(encode(0, start)),
        step_verifier=vm.step, challenge_period=120,
    )
    solvers = {
        name: GameSolver(party_accessor(vm, trace, depth), max_depth, SPLIT_DEPTH)
        for name, trace in (("proposer", proposer), ("challenger", challenger))
    }
    root = _element_fn(proposer, length)(length - 1)
    game = FaultDisputeGame(config, root, ANCHOR_BLOCK + 1, OutputRoot(start, ANCHOR_BLOCK),
                            "proposer", config.required_bond(Position.root()), now=0)
    now = 0
    while True:
        sent = sum(_act(game, vm, solvers[name], name, now) for name in ("challenger", "proposer"))
        expired = all(game.get_challenger_duration(i, now) >= config.max_clock_duration
                      for i in range(len(game.claims)))
        if expired and not sent:
            break
        # Nothing to do: skip ahead to when the last clock runs out.
        now = last_expiry(game) if not sent else now + 30
    # Before resolution only a step can have countered a claim (leaves at max depth).
    steps = sum(c.countered_by != ZERO_ADDRESS for c in game.claims)
    for index in reversed(range(len(game.claims))):
        game.resolve_claim(index, 0, now)
    status = game.resolve(now)
    winner = "proposer" if status == GameStatus.DEFENDER_WINS else "challenger"
    return Outcome(winner, status, len(game.claims), steps, dict(game.normal_mode_credit))
