"""Engine calls are atomic: one that raises leaves the game exactly as it was.

On chain a reverted transaction rolls back everything it wrote, so the model must never mutate
before it raises; otherwise later calls diverge from the contract (e.g. a `resolveClaim` that
fails with `OutOfOrderResolution` after marking its checkpoint started would make a later
`num_to_resolve = 0` mean "no progress" instead of "all children").
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.types import (
    ClockTimeExceeded,
    GameError,
    OutOfOrderResolution,
    VMStatus,
    with_status,
)

PLAYERS = ["0x" + c * 40 for c in "abc"]
MAX = 100
STATES = [b"state %d" % i for i in range(3)]


def echo_proof_verifier(state_data: bytes, proof: bytes, local_context: bytes) -> bytes:
    """The step's post-state is the proof: lets an action pick whether a step counters."""
    return proof


CONFIG = GameConfig(
    max_game_depth=5, split_depth=2, clock_extension=10, max_clock_duration=MAX,
    absolute_prestate=with_status(keccak256(STATES[0]), VMStatus.UNFINISHED),
    step_verifier=echo_proof_verifier, challenge_period=20,
)
ROOT = keccak256(b"root")
CLAIMS = [with_status(keccak256(STATES[i]), s) for i in range(3) for s in (0, 1)] + [ROOT]


def new_game() -> FaultDisputeGame:
    return FaultDisputeGame(CONFIG, ROOT, 10, OutputRoot(keccak256(b"anchor"), 5), PLAYERS[0],
                            CONFIG.required_bond(Position(1)), 0)


def state_of(game: FaultDisputeGame) -> dict[str, Any]:
    """Everything a call could change (the immutable config and its callables left out)."""
    return copy.deepcopy({k: v for k, v in vars(game).items() if k != "config"})


def bond_for(game: FaultDisputeGame, index: int, is_attack: bool, extra: int) -> int:
    depth = game.claims[index].position.move(is_attack).depth
    return CONFIG.required_bond(Position(1 << min(depth, CONFIG.max_game_depth))) + extra


index = st.integers(0, 30)
action = st.one_of(
    st.tuples(st.just("move"), index, st.booleans(), st.sampled_from(CLAIMS),
              st.sampled_from([0, 0, 0, 1]), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("step"), index, st.booleans(), st.integers(0, 2), st.sampled_from(CLAIMS),
              st.integers(0, 2)),
    st.tuples(st.just("resolve_claim"), index, st.sampled_from([0, 0, 1, 2])),
    st.tuples(st.just("resolve"),),
    st.tuples(st.just("challenge_root"), st.sampled_from([9, 10]), st.integers(0, 2)),
    st.tuples(st.just("claim_credit"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("local_data"), index, st.integers(0, 6)),
    st.tuples(st.just("warp"), st.sampled_from([0, 1, 10, MAX // 2, MAX, MAX + 1])),
    st.tuples(st.just("back_in_time"),),
)


def run(game: FaultDisputeGame, act: tuple[Any, ...], now: int) -> None:
    kind = act[0]
    n = game.claim_data_len()
    if kind == "move":
        _, i, is_attack, claim, extra, who, right_disputed = act
        i = n - 1 - i % n
        disputed = game.claims[i].claim if right_disputed else b"\xee" * 32
        game.move(disputed, i, claim, is_attack, bond_for(game, i, is_attack, extra),
                  PLAYERS[who], now)
    elif kind == "step":
        _, i, is_attack, pre, post, who = act
        game.step(n - 1 - i % n, is_attack, STATES[pre], post, PLAYERS[who])
    elif kind == "resolve_claim":
        game.resolve_claim(n - 1 - act[1] % n, act[2], now)
    elif kind == "resolve":
        game.resolve(now)
    elif kind == "challenge_root":
        game.challenge_root_l2_block(act[1], PLAYERS[act[2]])
    elif kind == "claim_credit":
        game.claim_credit(PLAYERS[act[1]], act[2])
    elif kind == "local_data":
        game.local_data(act[2], n - 1 - act[1] % n)
    elif kind == "back_in_time":
        game.resolve_claim(0, 0, now - 1)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=1, max_size=40))
def test_a_call_that_raises_changes_nothing(actions: list[tuple[Any, ...]]) -> None:
    game = new_game()
    now = 0
    for act in actions:
        if act[0] == "warp":
            now += act[1]
            continue
        before = state_of(game)
        try:
            run(game, act, now)
        except GameError as exc:
            event(f"{act[0]}: {type(exc).__name__}")
            assert state_of(game) == before, (act, type(exc).__name__)
        else:
            event(f"{act[0]}: ok")


def test_out_of_order_resolution_does_not_start_the_checkpoint() -> None:
    """Regression: the failed call used to mark the checkpoint started, so the later
    `num_to_resolve = 0` resolved no children and the subgame never finished."""
    game = new_game()
    b = CONFIG.required_bond
    game.move(ROOT, 0, CLAIMS[0], True, b(Position(2)), PLAYERS[1], 0)
    game.move(CLAIMS[0], 1, CLAIMS[2], True, b(Position(4)), PLAYERS[0], 0)
    try:
        game.resolve_claim(1, 0, 2 * MAX)
    except OutOfOrderResolution:
        pass
    else:  # pragma: no cover - the child is unresolved, so this must raise
        raise AssertionError("resolve_claim(1) before its child did not raise")
    assert not game._resolution[1].checkpoint.initial_checkpoint_complete
    game.resolve_claim(2, 0, 2 * MAX)
    game.resolve_claim(1, 0, 2 * MAX)
    assert game.is_resolved(1)
    game.resolve_claim(0, 0, 2 * MAX)
    assert game.is_resolved(0)


def test_rejected_late_move_does_not_advance_the_model_clock() -> None:
    """Regression: a move that failed `ClockTimeExceeded` used to record its `now`."""
    game = new_game()
    before = state_of(game)
    try:
        game.move(ROOT, 0, CLAIMS[0], True, CONFIG.required_bond(Position(2)), PLAYERS[1], MAX)
    except ClockTimeExceeded:
        pass
    else:  # pragma: no cover
        raise AssertionError("a move after the clock ran out did not raise")
    assert state_of(game) == before
    # Earlier time is still acceptable for other calls: nothing was recorded.
    assert game.get_challenger_duration(0, MAX - 1) == MAX - 1
