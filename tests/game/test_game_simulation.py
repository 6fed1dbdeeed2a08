"""The honest actor against adversaries: it wins every game and never loses a bond (§6.2)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultproof.game.simulate import (
    ALL_STRATEGIES,
    HONEST,
    GameResult,
    SimParams,
    World,
    build_world,
    liar,
    play,
    random_params,
)
from faultproof.game.types import ZERO_ADDRESS, GameStatus

STRATEGY_NAMES = sorted(ALL_STRATEGIES)


def play_seed(seed: int, names: list[str]) -> tuple[World, GameResult]:
    rng = random.Random(seed)
    params = random_params(rng)
    world = build_world(params, seed)
    return world, play(world, [ALL_STRATEGIES[n] for n in names], rng)


def check_honest_invariants(world: World, result: GameResult) -> None:
    game = world.game
    assert result.honest_won, f"honest actor lost: {result}"
    assert result.honest_credit >= result.honest_deposit, f"honest actor lost bonds: {result}"
    for claim in game.claims[1:]:
        if claim.claimant == HONEST:
            assert game.claims[claim.parent_index].claimant != HONEST, "countered its own claim"
    # Per bond, not just in total: every claim the honest actor made stands after resolution,
    # so each of its bonds came back to it.
    for index, claim in enumerate(game.claims):
        if claim.claimant == HONEST:
            assert claim.countered_by == ZERO_ADDRESS, f"honest claim {index} was countered"
    # Bonds are conserved: everything deposited is owed to someone after resolution.
    assert sum(game.normal_mode_credit.values()) == game.balance


adversaries = st.lists(st.sampled_from(STRATEGY_NAMES), min_size=0, max_size=4, unique=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), names=adversaries)
def test_honest_actor_wins_and_keeps_its_bonds(seed: int, names: list[str]) -> None:
    world, result = play_seed(seed, ["liar", *[n for n in names if n != "liar"]])
    check_honest_invariants(world, result)


@pytest.mark.parametrize("name", STRATEGY_NAMES)
def test_each_adversary_alone_with_a_liar(name: str) -> None:
    for seed in range(8):
        world, result = play_seed(1000 * (STRATEGY_NAMES.index(name) + 1) + seed, ["liar", name])
        check_honest_invariants(world, result)


def test_simulation_is_deterministic() -> None:
    names = ["liar", "random", "freeloader"]
    a = play_seed(7, names)[1]
    b = play_seed(7, names)[1]
    assert a == b


@pytest.mark.parametrize("honest_is_proposer", [True, False])
def test_full_mainnet_shape_game_plays_to_the_end(honest_is_proposer: bool) -> None:
    """Depth 73 / split 30 with mainnet clocks: both bisections run to a single step."""
    params = SimParams.mainnet_shape(honest_is_proposer)
    world = build_world(params, seed=1)
    result = play(world, [liar], random.Random(1), adversary_budget=1000)
    check_honest_invariants(world, result)
    # One claim per depth 0..73: the two bisections went all the way down.
    assert max(c.position.depth for c in world.game.claims) == 73
    assert result.moves == 73
    # Whoever is at odd depths posts the depth-73 leaf; the honest actor steps only if the
    # liar owns it (honest proposer: honest at even depths).
    assert result.steps == (1 if honest_is_proposer else 0)
    expected = GameStatus.DEFENDER_WINS if honest_is_proposer else GameStatus.CHALLENGER_WINS
    assert result.status == expected
    print(f"depth-73/split-30 game: {result.moves} moves, {result.steps} step(s)")


def play_many(games: int, seed: int) -> int:
    """Play `games` random games (random shape, roles and adversary mix); returns claims seen."""
    rng = random.Random(seed)
    claims = 0
    for _ in range(games):
        names = ["liar", *rng.sample(STRATEGY_NAMES, rng.randint(0, 4))]
        world, result = play_seed(rng.getrandbits(32), list(dict.fromkeys(names)))
        check_honest_invariants(world, result)
        claims += result.claims
    return claims


def test_a_thousand_random_games() -> None:
    """Default suite: 1,000 games (plus the hypothesis examples above), ~15 s."""
    assert play_many(1000, 20261123) > 10_000


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~3-4 CPU minutes; more on a shared machine
def test_ten_thousand_random_games(request: pytest.FixtureRequest) -> None:
    # Minutes long: only when `-m slow` asks for it, not in a plain `pytest tests/game` run.
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow: select with -m slow")
    assert play_many(10_000, 20261124) > 100_000
