"""FaultDisputeGame rules: every revert path, clocks, step, resolution and bonds (§2)."""

from __future__ import annotations

import pytest

from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth
from faultproof.game.engine import (
    BlockNumberMatches,
    FaultDisputeGame,
    GameConfig,
    OutputRoot,
    TimeWentBackwards,
)
from faultproof.game.position import ClaimAboveSplit, Position
from faultproof.game.types import (
    ZERO_ADDRESS,
    BondDistributionMode,
    CannotDefendRootClaim,
    ClaimAlreadyExists,
    ClaimAlreadyResolved,
    ClockNotExpired,
    ClockTimeExceeded,
    DuplicateStep,
    GameDepthExceeded,
    GameNotInProgress,
    GameNotResolved,
    GameStatus,
    IncorrectBondAmount,
    InvalidChallengeIndex,
    InvalidClockExtension,
    InvalidDisputedClaimIndex,
    InvalidLocalIdent,
    InvalidParent,
    InvalidPrestate,
    InvalidSplitDepth,
    L2BlockNumberChallenged,
    MaxDepthTooLarge,
    NoCreditToClaim,
    OutOfOrderResolution,
    UnexpectedRootClaim,
    ValidStep,
    VMStatus,
    with_status,
)

ALICE = "0x" + "aa" * 20
BOB = "0x" + "bb" * 20
CAROL = "0x" + "cc" * 20
ABS_STATE = b"absolute prestate"
ABS = with_status(keccak256(ABS_STATE), VMStatus.UNFINISHED)
ANCHOR = keccak256(b"anchor")
ROOT = keccak256(b"root")
MAX = 100
CE = 10
PERIOD = 20


def echo_proof_verifier(state_data: bytes, proof: bytes, local_context: bytes) -> bytes:
    """A VM whose post-state is whatever the proof says: lets a test pick the step result."""
    return proof


def make_config(**overrides: object) -> GameConfig:
    params: dict[str, object] = dict(
        max_game_depth=6,
        split_depth=2,
        clock_extension=CE,
        max_clock_duration=MAX,
        absolute_prestate=ABS,
        step_verifier=echo_proof_verifier,
        challenge_period=PERIOD,
    )
    params.update(overrides)
    return GameConfig(**params)  # type: ignore[arg-type]


def new_game(config: GameConfig | None = None) -> FaultDisputeGame:
    config = config or make_config()
    return FaultDisputeGame(
        config, ROOT, 10, OutputRoot(ANCHOR, 5), ALICE, config.required_bond(Position(1)), 0
    )


def value(tag: str, status: int | None = None) -> bytes:
    h = keccak256(tag.encode())
    return h if status is None else with_status(h, status)


def mv(game: FaultDisputeGame, parent: int, is_attack: bool, claim: bytes, who: str = BOB, now: int = 1) -> int:
    bond = game.get_required_bond(game.claims[parent].position.move(is_attack))
    return game.move(game.claims[parent].claim, parent, claim, is_attack, bond, who, now)


def chain_to_leaf(game: FaultDisputeGame, now: int = 1) -> int:
    """Attack all the way down to MAX_GAME_DEPTH (gindex 64) and return the leaf's index."""
    i1 = mv(game, 0, True, value("o1"), BOB, now)
    i2 = mv(game, i1, True, value("o2"), ALICE, now)
    i3 = mv(game, i2, True, value("e3", VMStatus.INVALID), BOB, now)
    i4 = mv(game, i3, True, value("e4"), ALICE, now)
    i5 = mv(game, i4, True, value("e5"), BOB, now)
    return mv(game, i5, True, value("e6"), ALICE, now)


# -- construction ------------------------------------------------------------------------


def test_constructor_checks() -> None:
    with pytest.raises(MaxDepthTooLarge):
        make_config(max_game_depth=126)
    with pytest.raises(InvalidSplitDepth):
        make_config(split_depth=1)
    with pytest.raises(InvalidSplitDepth):
        make_config(split_depth=5)  # split + 1 must be < max depth
    with pytest.raises(InvalidClockExtension):
        make_config(clock_extension=60)  # 2 * CE > MAX
    with pytest.raises(InvalidClockExtension):
        make_config(challenge_period=95)  # CE + period > MAX


def test_root_must_claim_a_block_after_the_anchor() -> None:
    config = make_config()
    with pytest.raises(UnexpectedRootClaim):
        FaultDisputeGame(config, ROOT, 5, OutputRoot(ANCHOR, 5), ALICE, 0, 0)


def test_root_claim_data() -> None:
    game = new_game()
    root = game.claims[0]
    assert root.as_tuple() == (2**32 - 1, ZERO_ADDRESS, ALICE, root.bond, ROOT, 1, 0)


# -- move --------------------------------------------------------------------------------


def test_move_records_claim_and_subgame() -> None:
    game = new_game()
    i = mv(game, 0, True, value("a"))
    assert game.claims[i].position == Position(2)
    assert game.claims[i].parent_index == 0
    assert game.subgames(0) == [i]


def test_move_on_a_resolved_game_reverts() -> None:
    game = new_game()
    game.resolve_claim(0, 0, MAX)
    game.resolve(MAX)
    with pytest.raises(GameNotInProgress):
        mv(game, 0, True, value("a"), now=MAX)


def test_move_must_name_the_disputed_claim() -> None:
    game = new_game()
    bond = game.get_required_bond(Position(2))
    with pytest.raises(InvalidDisputedClaimIndex):
        game.move(value("not root"), 0, value("a"), True, bond, BOB, 1)
    with pytest.raises(InvalidChallengeIndex):
        game.move(ROOT, 7, value("a"), True, bond, BOB, 1)


def test_cannot_defend_root_or_exec_subgame_root() -> None:
    game = new_game()
    with pytest.raises(CannotDefendRootClaim):
        mv(game, 0, False, value("a"))
    i1 = mv(game, 0, True, value("o1"))
    i2 = mv(game, i1, True, value("o2"), ALICE)
    i3 = mv(game, i2, True, value("e3", VMStatus.INVALID))
    with pytest.raises(CannotDefendRootClaim):
        mv(game, i3, False, value("e4"), ALICE)


def test_move_below_max_depth_reverts() -> None:
    game = new_game()
    leaf = chain_to_leaf(game)
    with pytest.raises(GameDepthExceeded):
        mv(game, leaf, True, value("too deep"))
    with pytest.raises(GameDepthExceeded):
        game.get_required_bond(Position(1 << 7))


def test_exec_root_status_rule_for_attacks() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"))
    i2 = mv(game, i1, True, value("o2"), ALICE)
    for bad in (VMStatus.VALID, VMStatus.UNFINISHED):
        with pytest.raises(UnexpectedRootClaim):
            mv(game, i2, True, value("e", bad))
    mv(game, i2, True, value("e", VMStatus.PANIC))
    mv(game, i2, True, value("e", VMStatus.INVALID))


def test_exec_root_status_rule_for_defends() -> None:
    # Defending split leaf g4 (depth 2): the disputed output is the trace ancestor of g5,
    # which is g2 (depth 1), made by the other team, so the status must be VALID.
    game = new_game()
    i1 = mv(game, 0, True, value("o1"))
    i2 = mv(game, i1, True, value("o2"), ALICE)
    with pytest.raises(UnexpectedRootClaim):
        mv(game, i2, False, value("e", VMStatus.INVALID))
    mv(game, i2, False, value("e", VMStatus.VALID))
    # Defending split leaf g6 (the right half): the disputed output is the root (depth 0),
    # same parity as the split depth, so the mover must say INVALID or PANIC.
    i2b = mv(game, i1, False, value("o2b"), ALICE)
    assert game.claims[i2b].position == Position(6)
    with pytest.raises(UnexpectedRootClaim):
        mv(game, i2b, False, value("e", VMStatus.VALID))
    mv(game, i2b, False, value("e", VMStatus.INVALID))


def test_bond_must_be_exact() -> None:
    game = new_game()
    bond = game.get_required_bond(Position(2))
    for wrong in (bond - 1, bond + 1, 0):
        with pytest.raises(IncorrectBondAmount):
            game.move(ROOT, 0, value("a"), True, wrong, BOB, 1)


def test_duplicate_claim_reverts_but_same_value_elsewhere_is_fine() -> None:
    game = new_game()
    mv(game, 0, True, value("a"))
    with pytest.raises(ClaimAlreadyExists):
        mv(game, 0, True, value("a"))
    mv(game, 0, True, value("b"))  # different value, same parent and position


def test_time_must_not_go_backwards() -> None:
    game = new_game()
    mv(game, 0, True, value("a"), now=10)
    with pytest.raises(TimeWentBackwards):
        mv(game, 0, True, value("b"), now=9)


def test_no_move_against_root_after_block_number_challenge() -> None:
    game = new_game()
    with pytest.raises(BlockNumberMatches):
        game.challenge_root_l2_block(10, CAROL)
    game.challenge_root_l2_block(11, CAROL)
    with pytest.raises(L2BlockNumberChallenged):
        game.challenge_root_l2_block(12, CAROL)
    with pytest.raises(L2BlockNumberChallenged):
        mv(game, 0, True, value("a"))
    game.resolve_claim(0, 0, MAX)
    assert game.resolve(MAX) == GameStatus.CHALLENGER_WINS
    assert game.credit(CAROL) == game.claims[0].bond


# -- clocks ------------------------------------------------------------------------------


def test_clock_runs_out_exactly_at_max_duration() -> None:
    game = new_game()
    with pytest.raises(ClockTimeExceeded):
        mv(game, 0, True, value("a"), now=MAX)
    game2 = new_game()
    mv(game2, 0, True, value("a"), now=MAX - 1)


def test_new_claim_inherits_grandparent_time_plus_parent_wait() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"), BOB, now=7)  # Bob's team used 7
    i2 = mv(game, i1, True, value("o2"), ALICE, now=12)  # Alice's team: 0 + 5
    i3 = mv(game, i2, True, value("e3", VMStatus.INVALID), BOB, now=20)  # Bob: 7 + 8
    assert game.claims[i1].clock.duration == 7
    assert game.claims[i2].clock.duration == 5
    assert game.claims[i3].clock.duration == 15
    assert game.get_challenger_duration(i3, 30) == 5 + 10


def test_clock_extension_at_split_minus_one_is_doubled() -> None:
    # Depth 1 = split_depth - 1: the grandchild is an exec sub-game root; it keeps 2 * CE.
    game = new_game()
    i1 = mv(game, 0, True, value("o1"), now=MAX - 1)
    assert game.claims[i1].clock.duration == MAX - 2 * CE


def test_clock_extension_above_a_step_includes_the_oracle_challenge_period() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"), BOB, 1)
    i2 = mv(game, i1, True, value("o2"), ALICE, 1)
    i3 = mv(game, i2, True, value("e3", VMStatus.INVALID), BOB, 80)  # Bob: 1 + 79
    assert game.claims[i3].clock.duration == 80
    i4 = mv(game, i3, True, value("e4"), ALICE, 175)  # Alice: 0 + 95 -> capped at MAX - CE
    assert game.claims[i4].clock.duration == MAX - CE
    i5 = mv(game, i4, True, value("e5"), BOB, 180)  # Bob: 80 + 5, depth 5 = max - 1
    assert game.claims[i5].clock.duration == MAX - CE - PERIOD


def test_resolve_claim_waits_for_the_challenger_clock() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"), BOB, 10)
    with pytest.raises(ClockNotExpired):
        game.resolve_claim(i1, 0, 10 + MAX - 1)
    game.resolve_claim(i1, 0, 10 + MAX)


# -- step --------------------------------------------------------------------------------


def test_step_needs_a_max_depth_claim() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"))
    with pytest.raises(InvalidParent):
        game.step(i1, True, ABS_STATE, b"", CAROL)


def test_attack_step_at_first_leaf_uses_absolute_prestate() -> None:
    game = new_game()
    leaf = chain_to_leaf(game)
    with pytest.raises(InvalidPrestate):
        game.step(leaf, True, b"wrong state", value("x"), CAROL)
    # The VM agrees with the leaf: not a counter.
    with pytest.raises(ValidStep):
        game.step(leaf, True, ABS_STATE, game.claims[leaf].claim, CAROL)
    game.step(leaf, True, ABS_STATE, value("different post state"), CAROL)
    assert game.claims[leaf].countered_by == CAROL
    with pytest.raises(DuplicateStep):
        game.step(leaf, True, ABS_STATE, value("another"), BOB)


def test_defend_step_compares_against_the_trace_ancestor() -> None:
    # Leaf g64 is trace index 0 of its sub-game; a defend step runs from the leaf's own
    # state to the next one, whose claim sits at the bounded trace ancestor of g65 (g32).
    leaf_state = b"leaf state"
    game = new_game()
    i1 = mv(game, 0, True, value("o1"))
    i2 = mv(game, i1, True, value("o2"), ALICE)
    i3 = mv(game, i2, True, value("e3", VMStatus.INVALID))
    i4 = mv(game, i3, True, value("e4"), ALICE)
    i5 = mv(game, i4, True, value("e5"))
    leaf = mv(game, i5, True, keccak256(leaf_state), ALICE)
    post = game.claims[i5]  # g32 is the trace ancestor of g65
    assert Position(65).trace_ancestor_bounded(2) == post.position
    # Leaf (Alice) and post g32 (Bob) are on opposite teams: the step counters the leaf
    # iff the VM reproduces the post claim.
    with pytest.raises(ValidStep):
        game.step(leaf, False, leaf_state, value("not the post"), CAROL)
    game.step(leaf, False, leaf_state, post.claim, CAROL)
    assert game.claims[leaf].countered_by == CAROL


def test_step_on_resolved_game_reverts() -> None:
    game = new_game()
    game.resolve_claim(0, 0, MAX)
    game.resolve(MAX)
    with pytest.raises(GameNotInProgress):
        game.step(0, True, ABS_STATE, b"", CAROL)


# -- local context and local data ------------------------------------------------------


def test_local_context_for_first_subgame_uses_only_the_disputed_output() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"))
    i2 = mv(game, i1, True, value("o2"), ALICE)
    i3 = mv(game, i2, True, value("e3", VMStatus.INVALID))
    expected = keccak256(value("o2") + (4).to_bytes(32, "big"))
    assert game.local_context(i3) == expected
    uuid, word, size = game.local_data(4, i3)
    assert uuid == expected and size == 8
    assert int.from_bytes(word[:8], "big") == 5 + 0 + 1
    assert game.local_data(2, i3)[1] == ANCHOR
    assert game.local_data(3, i3)[1] == value("o2")
    with pytest.raises(InvalidLocalIdent):
        game.local_data(6, i3)
    with pytest.raises(ClaimAboveSplit):
        game.local_data(2, i2)


def test_local_context_of_a_defended_leaf_spans_leaf_and_next_output() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"))
    i2 = mv(game, i1, True, value("o2"), ALICE)  # g4
    i3 = mv(game, i2, False, value("e3", VMStatus.VALID))
    starting, starting_pos, disputed, disputed_pos = game.find_starting_and_disputed_outputs(i3)
    assert (starting, starting_pos) == (value("o2"), Position(4))
    assert (disputed, disputed_pos) == (value("o1"), Position(2))
    assert game.local_context(i3) == keccak256(
        value("o2") + (4).to_bytes(32, "big") + value("o1") + (2).to_bytes(32, "big")
    )


# -- resolution and credit --------------------------------------------------------------


def test_uncontested_root_wins_and_gets_its_bond_back() -> None:
    game = new_game()
    with pytest.raises(OutOfOrderResolution):
        game.resolve(MAX)
    game.resolve_claim(0, 0, MAX)
    assert game.resolve(MAX) == GameStatus.DEFENDER_WINS
    assert game.credit(ALICE) == game.claims[0].bond


def test_game_cannot_be_resolved_twice() -> None:
    game = new_game()
    game.resolve_claim(0, 0, MAX)
    game.resolve(MAX)
    with pytest.raises(GameNotInProgress):
        game.resolve(MAX + 1)
    with pytest.raises(GameNotInProgress):
        game.resolve_claim(0, 0, MAX + 1)


def test_subgame_cannot_be_resolved_twice() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"), BOB, 0)
    game.resolve_claim(i1, 0, MAX)
    with pytest.raises(ClaimAlreadyResolved):
        game.resolve_claim(i1, 0, MAX)


def test_children_resolve_before_parents() -> None:
    game = new_game()
    mv(game, 0, True, value("o1"), BOB, 0)
    with pytest.raises(OutOfOrderResolution):
        game.resolve_claim(0, 0, 2 * MAX)


def test_leftmost_uncountered_child_takes_the_bond() -> None:
    game = new_game()
    i_right = mv(game, 0, True, value("right-ish"), BOB, 0)  # g2, posted first
    i_left = mv(game, 0, True, value("same position"), CAROL, 0)  # also g2
    i_counter = mv(game, i_right, True, value("counter"), ALICE, 0)
    now = 2 * MAX
    for i in (i_counter, i_left, i_right):
        game.resolve_claim(i, 0, now)
    game.resolve_claim(0, 0, now)
    # Bob's claim is countered; Carol's stands and is the leftmost uncountered child.
    assert game.claims[0].countered_by == CAROL
    assert game.resolve(now) == GameStatus.CHALLENGER_WINS
    root_bond = game.claims[0].bond
    assert game.credit(CAROL) == root_bond + game.claims[i_left].bond
    assert game.credit(ALICE) == game.claims[i_right].bond + game.claims[i_counter].bond
    assert game.credit(BOB) == 0


def test_paginated_resolution_matches_one_shot() -> None:
    def build() -> FaultDisputeGame:
        game = new_game()
        for k in range(5):
            mv(game, 0, True, value(f"c{k}"), [BOB, CAROL][k % 2], 0)
        return game

    now = 2 * MAX
    one_shot, paged = build(), build()
    for game in (one_shot, paged):
        for i in range(1, 6):
            game.resolve_claim(i, 0, now)
    one_shot.resolve_claim(0, 0, now)
    paged.resolve_claim(0, 2, now)
    assert paged.get_num_to_resolve(0) == 3
    assert not paged.is_resolved(0)
    paged.resolve_claim(0, 2, now)
    paged.resolve_claim(0, 0, now)  # after the first page, 0 makes no progress
    assert paged.get_num_to_resolve(0) == 1
    paged.resolve_claim(0, 1, now)
    assert paged.is_resolved(0)
    assert paged.claims[0].countered_by == one_shot.claims[0].countered_by == BOB


def test_step_countered_leaf_pays_the_stepper() -> None:
    game = new_game()
    leaf = chain_to_leaf(game, now=0)
    game.step(leaf, True, ABS_STATE, value("different"), CAROL)
    now = 3 * MAX
    game.resolve_claim(leaf, 0, now)
    assert game.credit(CAROL) == game.claims[leaf].bond


def test_credit_is_unlocked_first_then_paid_once() -> None:
    game = new_game()
    with pytest.raises(GameNotResolved):
        game.claim_credit(ALICE)
    game.resolve_claim(0, 0, MAX)
    game.resolve(MAX)
    bond = game.claims[0].bond
    assert game.claim_credit(ALICE) == 0  # first call: close the game, unlock in DelayedWETH
    assert game.bond_distribution_mode == BondDistributionMode.NORMAL
    assert game.claim_credit(BOB) == 0  # unlocking nothing does not revert
    assert game.claim_credit(ALICE) == bond
    with pytest.raises(NoCreditToClaim):
        game.claim_credit(ALICE)
    with pytest.raises(NoCreditToClaim):
        game.claim_credit(BOB)
    assert game.balance == 0


def test_refund_mode_returns_deposits() -> None:
    game = new_game()
    i1 = mv(game, 0, True, value("o1"), BOB, 0)
    game.resolve_claim(i1, 0, 2 * MAX)
    game.resolve_claim(0, 0, 2 * MAX)
    game.resolve(2 * MAX)
    game.close_game(game_is_proper=False)
    for who in (BOB, ALICE):
        assert game.claim_credit(who) == 0
    assert game.claim_credit(BOB) == game.claims[i1].bond
    assert game.claim_credit(ALICE) == game.claims[0].bond
    assert game.balance == 0


# -- bonds ----------------------------------------------------------------------------------


def test_bond_schedule_matches_the_spec_figures() -> None:
    # Spec §2.10 approximations for MAX_GAME_DEPTH = 73.
    approx = {0: 0.08, 1: 0.0876, 10: 0.198, 30: 1.215, 31: 1.330, 42: 3.61, 72: 54.8, 73: 60.0}
    for depth, eth in approx.items():
        assert required_bond_at_depth(depth, 73) / 1e18 == pytest.approx(eth, rel=2e-3)
    assert required_bond_at_depth(0, 73) == 80_000_000_000_000_000  # exactly 0.08 ETH


def test_bonds_match_bonds_posted_in_mainnet_games() -> None:
    # Exact wei bonds of claims in OP mainnet games (max depth 73), as recorded in public
    # indexer fixtures (positions 2 and 4) and an op-challenger bug report (depth 73).
    # Equality matters: `move` rejects a bond that is off by one wei.
    assert required_bond_at_depth(1, 73) == 87_594_000_000_000_000
    assert required_bond_at_depth(2, 73) == 95_908_800_000_000_000
    assert required_bond_at_depth(73, 73) == 59_999_999_800_000_000_000


def test_bonds_increase_with_depth() -> None:
    bonds = [required_bond_at_depth(d, 73) for d in range(74)]
    assert bonds == sorted(bonds)
    assert all(b % (200 * 10**9) == 0 for b in bonds)  # 200 gwei * integer gas
