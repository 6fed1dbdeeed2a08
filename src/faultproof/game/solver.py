"""The honest actor's algorithm (spec digest §6.2; op-challenger `fault/solver`).

Given the claims on chain and a trace accessor that says what the honest trace is, decide
which claims to counter and how. The rules exist to keep three promises: the game resolves
correctly, the honest actor gets back every bond it posted (and wins the bonds of the claims
it counters), and it never counters its own side.

Claims are visited in contract order, so a parent is always decided before its children.
The set of "honest" claims (claims the actor agrees with, or would have posted itself) grows
during the walk: a response counts as honest even when someone else already posted it, which
is what makes front-running the honest actor pointless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from faultproof.game.engine import FaultDisputeGame
from faultproof.game.position import Position
from faultproof.game.types import ROOT_PARENT_INDEX, ZERO_ADDRESS, Claim, ClaimData
from faultproof.trace.provider import StepData
from faultproof.trace.split import TraceAccessor

ClaimId = tuple[int, bytes, int]
"""(gindex, value, parent index): identifies a claim whether or not it is on chain yet."""


@dataclass(frozen=True)
class MoveAction:
    """Call `move(disputed, parent_index, value, is_attack)`."""

    parent_index: int
    disputed: bytes
    is_attack: bool
    value: bytes
    position: Position


@dataclass(frozen=True)
class StepAction:
    """Call `step(claim_index, is_attack, step_data.prestate, step_data.proof)`."""

    claim_index: int
    is_attack: bool
    step_data: StepData


Action = MoveAction | StepAction


class IgnoreReason(Enum):
    """Why the honest actor leaves a claim alone."""

    HONEST = "the claim is honest: agreed with, or the actor's own response"
    UNDER_IGNORED_PARENT = "it counters a claim the actor does not defend"
    RIGHT_OF_HONEST_COUNTER = "a sibling to the right of the honest response (harmless)"
    ALREADY_COUNTERED = "a step has already countered it"
    RESPONSE_EXISTS = "the honest response is already on chain"
    NO_LEGAL_DEFEND = "the actor agrees, but the contract forbids defending here"


@dataclass
class Solution:
    """The actions to send now, and the claims deliberately left alone (with why)."""

    actions: list[Action] = field(default_factory=list)
    ignored: dict[int, IgnoreReason] = field(default_factory=dict)
    agree_with_root: bool = False


def claim_id(claim: ClaimData) -> ClaimId:
    return (claim.position.gindex, claim.claim, claim.parent_index)


class HonestClaims:
    """The claims the actor stands behind, and its response to each claim it counters."""

    def __init__(self) -> None:
        self._honest: set[ClaimId] = set()
        self._counter: dict[int, ClaimId] = {}

    def add(self, parent_index: int | None, claim: ClaimId) -> None:
        self._honest.add(claim)
        if parent_index is not None:
            self._counter[parent_index] = claim

    def is_honest(self, claim: ClaimData) -> bool:
        return claim_id(claim) in self._honest

    def counter_of(self, parent_index: int) -> ClaimId | None:
        return self._counter.get(parent_index)


class GameSolver:
    """Computes the honest actor's next actions for a game and a trace accessor."""

    def __init__(self, accessor: TraceAccessor, max_game_depth: int, split_depth: int) -> None:
        self.accessor = accessor
        self.max_game_depth = max_game_depth
        self.split_depth = split_depth
        self._game: FaultDisputeGame | None = None
        self._values: dict[tuple[int, int], Claim] = {}

    def _value(self, game: FaultDisputeGame, index: int, position: Position) -> Claim:
        """The trace's value at `position` in the context of claim `index`, memoized.

        The value depends only on the claim's ancestry (values, positions, parents), which
        never changes once posted, so it is cached per game for the solver's lifetime; only
        `countered_by` changes, and that is read fresh every time.
        """
        if game is not self._game:
            self._game, self._values = game, {}
        key = (index, position.gindex)
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = self.accessor.get(game, index, position)
        return value

    def agree_with(self, game: FaultDisputeGame, index: int) -> bool:
        """Does the honest trace put the same value at this claim's position?"""
        claim = game.claims[index]
        return self._value(game, index, claim.position) == claim.claim

    def calculate_next_actions(self, game: FaultDisputeGame) -> Solution:
        solution = Solution()
        honest = HonestClaims()
        solution.agree_with_root = self.agree_with(game, 0)
        if solution.agree_with_root:
            honest.add(None, claim_id(game.claims[0]))
        existing = {claim_id(c) for c in game.claims}
        for index, claim in enumerate(game.claims):
            if claim.position.depth == self.max_game_depth:
                self._calculate_step(game, index, honest, solution)
            else:
                self._calculate_move(game, index, honest, existing, solution)
        return solution

    def should_counter(self, game: FaultDisputeGame, index: int, honest: HonestClaims) -> IgnoreReason | None:
        """None if the claim must be countered, else the reason to leave it alone.

        Counter the root (if not honest), every claim that counters an honest claim, and
        every sibling of the honest response that sits at or left of it: such a sibling
        would otherwise become the leftmost uncountered child and take the parent's bond.
        Siblings to the right cannot win that bond, and claims under claims the actor
        ignores cannot change any outcome it cares about.
        """
        claim = game.claims[index]
        if honest.is_honest(claim):
            return IgnoreReason.HONEST
        if claim.parent_index == ROOT_PARENT_INDEX:
            return None
        parent = game.claims[claim.parent_index]
        if honest.is_honest(parent):
            return None
        counter = honest.counter_of(claim.parent_index)
        if counter is None:
            return IgnoreReason.UNDER_IGNORED_PARENT
        honest_trace_index = Position(counter[0]).trace_index(self.max_game_depth)
        if claim.position.trace_index(self.max_game_depth) <= honest_trace_index:
            return None
        return IgnoreReason.RIGHT_OF_HONEST_COUNTER

    def _calculate_move(
        self,
        game: FaultDisputeGame,
        index: int,
        honest: HonestClaims,
        existing: set[ClaimId],
        solution: Solution,
    ) -> None:
        reason = self.should_counter(game, index, honest)
        if reason is not None:
            solution.ignored[index] = reason
            return
        claim = game.claims[index]
        agree = self.agree_with(game, index)
        if agree and not self._can_defend(index, claim):
            solution.ignored[index] = IgnoreReason.NO_LEGAL_DEFEND
            return
        position = claim.position.move(not agree)
        value = self._value(game, index, position)
        response = (position.gindex, value, index)
        honest.add(index, response)
        if response in existing:
            solution.ignored[index] = IgnoreReason.RESPONSE_EXISTS
            return
        solution.actions.append(MoveAction(index, claim.claim, not agree, value, position))

    def _can_defend(self, index: int, claim: ClaimData) -> bool:
        """The root and execution sub-game roots cannot be defended (CannotDefendRootClaim)."""
        return index != 0 and claim.position.depth + 1 != self.split_depth + 2

    def _calculate_step(
        self, game: FaultDisputeGame, index: int, honest: HonestClaims, solution: Solution
    ) -> None:
        """Counter a leaf claim with a step: attack if it is wrong, defend if it is right.

        A wrong leaf is disproved by running the step that produces it from the previous
        state; a right leaf whose parent is wrong is disproved by running one step further
        and showing the result differs from the post-state claim.
        """
        claim = game.claims[index]
        if claim.countered_by != ZERO_ADDRESS:
            solution.ignored[index] = IgnoreReason.ALREADY_COUNTERED
            return
        reason = self.should_counter(game, index, honest)
        if reason is not None:
            solution.ignored[index] = reason
            return
        correct = self.agree_with(game, index)
        position = Position(claim.position.gindex + 1) if correct else claim.position
        step_data = self.accessor.get_step_data(game, index, position)
        solution.actions.append(StepAction(index, not correct, step_data))
