"""The honest solver's choices on hand-built positions (§6.2 shouldCounter, move, step)."""

from __future__ import annotations

import random

import pytest

from faultproof.crypto import keccak256
from faultproof.game.position import Position
from faultproof.game.simulate import (
    ADVERSARY,
    HONEST,
    SimParams,
    World,
    build_world,
    liar,
    send,
)
from faultproof.game.solver import GameSolver, IgnoreReason, MoveAction, StepAction
from faultproof.game.types import UnexpectedRootClaim, VMStatus, with_status

PARAMS = SimParams(max_game_depth=8, split_depth=3, program_length=5, blocks=6, first_bad_block=2)


def world_and_solver(honest_is_proposer: bool) -> tuple[World, GameSolver]:
    params = SimParams(**{**PARAMS.__dict__, "honest_is_proposer": honest_is_proposer})
    world = build_world(params, seed=5)
    return world, GameSolver(world.honest_accessor, params.max_game_depth, params.split_depth)


def adversary_move(world: World, parent: int, is_attack: bool, value: bytes, now: int = 1) -> int:
    claim = world.game.claims[parent]
    send(world, MoveAction(parent, claim.claim, is_attack, value, claim.position.move(is_attack)), ADVERSARY, now)
    return len(world.game.claims) - 1


def test_agreed_root_needs_no_action() -> None:
    world, solver = world_and_solver(honest_is_proposer=True)
    solution = solver.calculate_next_actions(world.game)
    assert solution.agree_with_root
    assert solution.actions == []
    assert solution.ignored == {0: IgnoreReason.HONEST}


def test_wrong_root_is_attacked_with_the_honest_value() -> None:
    world, solver = world_and_solver(honest_is_proposer=False)
    solution = solver.calculate_next_actions(world.game)
    assert not solution.agree_with_root
    (action,) = solution.actions
    assert isinstance(action, MoveAction) and action.is_attack and action.parent_index == 0
    assert action.value == world.honest_accessor.get(world.game, 0, Position(2))


def test_freeloaders_left_of_the_honest_response_are_countered_right_ones_ignored() -> None:
    world, solver = world_and_solver(honest_is_proposer=True)
    game = world.game
    liar_claim = adversary_move(world, 0, True, keccak256(b"wrong output"))
    (response,) = solver.calculate_next_actions(game).actions
    assert isinstance(response, MoveAction) and response.parent_index == liar_claim
    send(world, response, HONEST, 2)
    honest_index = len(game.claims) - 1
    # Two freeloaders under the liar's claim: one at the attack position, one at the defend.
    left = adversary_move(world, liar_claim, True, keccak256(b"left freeloader"), 3)
    right = adversary_move(world, liar_claim, False, keccak256(b"right freeloader"), 3)
    honest_pos = game.claims[honest_index].position
    solution = solver.calculate_next_actions(game)
    countered = {a.parent_index for a in solution.actions if isinstance(a, MoveAction)}
    for freeloader in (left, right):
        at_or_left = game.claims[freeloader].position.trace_index(8) <= honest_pos.trace_index(8)
        if at_or_left:
            assert freeloader in countered
        else:
            assert solution.ignored[freeloader] == IgnoreReason.RIGHT_OF_HONEST_COUNTER
    assert solution.ignored[honest_index] == IgnoreReason.HONEST


def test_a_copied_honest_response_counts_as_honest() -> None:
    world, solver = world_and_solver(honest_is_proposer=False)
    (action,) = solver.calculate_next_actions(world.game).actions
    send(world, action, ADVERSARY, 1)  # front-run by someone else
    solution = solver.calculate_next_actions(world.game)
    assert solution.actions == []
    assert solution.ignored == {0: IgnoreReason.RESPONSE_EXISTS, 1: IgnoreReason.HONEST}


def test_claims_under_ignored_claims_are_left_alone() -> None:
    world, solver = world_and_solver(honest_is_proposer=True)
    liar_claim = adversary_move(world, 0, True, keccak256(b"wrong"))
    honest_action = solver.calculate_next_actions(world.game).actions[0]
    send(world, honest_action, HONEST, 2)
    right = adversary_move(world, liar_claim, False, keccak256(b"right"), 3)
    below_right = adversary_move(world, right, True, keccak256(b"below"), 4)
    solution = solver.calculate_next_actions(world.game)
    if solution.ignored.get(right) == IgnoreReason.RIGHT_OF_HONEST_COUNTER:
        assert solution.ignored[below_right] == IgnoreReason.UNDER_IGNORED_PARENT


def test_solver_steps_against_a_wrong_leaf() -> None:
    """Play honest vs. a liar to the bottom; the honest actor's last action is a step.

    As the challenger the honest actor owns odd depths, so the liar posts the depth-8 leaf.
    """
    world, solver = world_and_solver(honest_is_proposer=False)
    rng = random.Random(0)
    steps: list[StepAction] = []
    for now in range(1, 40):
        liar(world, rng, now, [])
        for action in solver.calculate_next_actions(world.game).actions:
            if isinstance(action, StepAction):
                steps.append(action)
            send(world, action, HONEST, now)
    assert steps, "the bisection should reach MAX_GAME_DEPTH and end in a step"
    leaf = world.game.claims[steps[0].claim_index]
    assert leaf.position.depth == 8 and leaf.countered_by == HONEST


def test_exec_root_with_the_wrong_status_cannot_be_posted() -> None:
    """The contract rejects a liar's exec root that claims VALID against a disputed output."""
    world, _ = world_and_solver(honest_is_proposer=True)
    game = world.game
    parent = 0
    for depth in range(3):
        parent = adversary_move(world, parent, True, keccak256(bytes([depth])), 1)


    with pytest.raises(UnexpectedRootClaim):
        adversary_move(world, parent, True, with_status(keccak256(b"e"), VMStatus.VALID), 1)
    assert game.claims[parent].position.depth == 3
