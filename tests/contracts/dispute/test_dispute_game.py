"""FaultDisputeGame on chain: moves, clocks, step, resolution, credit (spec digest §2).

The tree is small (max depth 4, split depth 2) so a game reaches a step in five moves:
depths 0-2 bisect output roots, 3-4 the AlphabetVM trace, a step sits at depth 5.
"""

from __future__ import annotations

import pytest
from dispute_helpers import output_root, reverts_with

from faultproof.chain import EmbeddedChain
from faultproof.contracts.binding import Contract
from faultproof.contracts.dispute import (
    ALPHABET_ABSOLUTE_PRESTATE,
    DisputeConfig,
    DisputeSystem,
    alphabet_claim,
    alphabet_state,
    artifact,
    deploy_dispute_system,
)
from faultproof.game.bonds import required_bond_at_depth

IN_PROGRESS, CHALLENGER_WINS, DEFENDER_WINS = 0, 1, 2
NORMAL, REFUND = 1, 2
L2_BLOCK = 4
VM_INVALID = 1


def bond(depth: int, max_depth: int = 4) -> int:
    return required_bond_at_depth(depth, max_depth)


@pytest.fixture
def accounts(chain: EmbeddedChain) -> tuple[str, str, str]:
    a = chain.accounts
    return a[1], a[2], a[3]  # proposer, challenger, bystander


@pytest.fixture
def game(system: DisputeSystem, accounts: tuple[str, str, str]) -> Contract:
    proposer, _, _ = accounts
    return system.create_game(output_root(L2_BLOCK, honest=False), L2_BLOCK, sender=proposer)


def expire_all_clocks(system: DisputeSystem) -> None:
    system.chain.warp(system.config.max_clock_duration + 1)


def play_to_step(game: Contract, proposer: str, challenger: str) -> None:
    """Dishonest proposer vs honest challenger down to a dishonest claim at max depth (index 4)."""
    root = game.call("rootClaim")
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)       # g=2
    game.transact("attack", output_root(2), 1, output_root(1, False), value=bond(2),
                  sender=proposer)                                                         # g=4
    exec_root = alphabet_claim(2, status=VM_INVALID)
    game.transact("attack", output_root(1, False), 2, exec_root, value=bond(3),
                  sender=challenger)                                                       # g=8
    game.transact("attack", exec_root, 3, alphabet_claim(99), value=bond(4),
                  sender=proposer)                                                         # g=16


# ---- initialize -----------------------------------------------------------------------------

def test_initialize_records_the_root_and_anchor(system: DisputeSystem, game: Contract,
                                                 accounts: tuple[str, str, str]) -> None:
    proposer = accounts[0]
    parent, countered, claimant, b, claim, pos, clock = game.call("claimData", 0)
    assert (parent, countered.lower(), claimant.lower()) == (2**32 - 1, "0x" + "0" * 40,
                                                             proposer.lower())
    assert (b, claim, pos) == (system.config.init_bond, output_root(L2_BLOCK, False), 1)
    assert clock == game.call("createdAt")  # duration 0, timestamp = creation
    assert game.call("startingOutputRoot") == (system.config.anchor_root, 0)
    assert game.call("l2BlockNumber") == L2_BLOCK
    assert game.call("extraData") == L2_BLOCK.to_bytes(32, "big")
    assert game.call("gameCreator").lower() == proposer.lower()
    assert game.call("wasRespectedGameTypeWhenCreated") is True
    assert game.call("refundModeCredit", proposer) == system.config.init_bond
    assert system.weth.call("balanceOf", game.address) == system.config.init_bond
    reverts_with("AlreadyInitialized", game.transact, "initialize")


def test_initialize_rejects_bad_extra_data_and_old_blocks(system: DisputeSystem) -> None:
    reverts_with("BadExtraData", system.create_game, b"\x01" * 32, 5,
                 extra_data=(5).to_bytes(32, "big") + b"\x00")
    reverts_with("UnexpectedRootClaim", system.create_game, b"\x01" * 32, 0)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [({"max_game_depth": 126, "split_depth": 30}, "MaxDepthTooLarge"),
     ({"split_depth": 3}, "InvalidSplitDepth"),
     ({"split_depth": 1}, "InvalidSplitDepth"),
     ({"clock_extension": 50 * 3600}, "InvalidClockExtension"),
     ({"challenge_period": 2**64}, "InvalidChallengePeriod")],
)
def test_bad_configuration_is_refused_with_named_errors(chain: EmbeddedChain,
                                                        overrides: dict[str, int],
                                                        error: str) -> None:
    system = deploy_dispute_system(chain, DisputeConfig(**overrides))  # type: ignore[arg-type]
    reverts_with(error, system.create_game, b"\x01" * 32, 5)


def test_zero_anchor_root_is_refused(chain: EmbeddedChain) -> None:
    system = deploy_dispute_system(chain, DisputeConfig(anchor_root=bytes(32)))
    reverts_with("AnchorRootNotFound", system.create_game, b"\x01" * 32, 5)


# ---- bonds ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("max_depth", "split"), [(4, 2), (73, 30)])
def test_required_bond_matches_the_python_schedule(chain: EmbeddedChain, max_depth: int,
                                                   split: int) -> None:
    system = deploy_dispute_system(chain, DisputeConfig(max_game_depth=max_depth,
                                                        split_depth=split))
    game = system.create_game(b"\x01" * 32, 5)
    for depth in range(max_depth + 1):
        pos = 1 << depth
        assert game.call("getRequiredBond", pos) == required_bond_at_depth(depth, max_depth)
    reverts_with("GameDepthExceeded", game.call, "getRequiredBond", 1 << (max_depth + 1))


# ---- moves ----------------------------------------------------------------------------------

def test_move_revert_paths(game: Contract, accounts: tuple[str, str, str]) -> None:
    _, challenger, _ = accounts
    root = game.call("rootClaim")
    reverts_with("InvalidDisputedClaimIndex", game.transact, "attack", b"\x02" * 32, 0,
                 b"\x03" * 32, value=bond(1), sender=challenger)
    reverts_with("CannotDefendRootClaim", game.transact, "defend", root, 0, b"\x03" * 32,
                 value=bond(1), sender=challenger)
    reverts_with("IncorrectBondAmount", game.transact, "attack", root, 0, b"\x03" * 32,
                 value=bond(1) - 1, sender=challenger)
    reverts_with("IncorrectBondAmount", game.transact, "attack", root, 0, b"\x03" * 32,
                 value=bond(1) + 1, sender=challenger)
    reverts_with("Panic", game.transact, "attack", root, 7, b"\x03" * 32, value=bond(1),
                 sender=challenger)
    receipt = game.transact("move", root, 0, b"\x03" * 32, True, value=bond(1), sender=challenger)
    (ev,) = game.events(receipt, "Move")
    assert ev.args["parentIndex"] == 0 and ev.args["claim"] == b"\x03" * 32
    assert game.call("subgames", 0, 0) == 1
    reverts_with("ClaimAlreadyExists", game.transact, "attack", root, 0, b"\x03" * 32,
                 value=bond(1), sender=challenger)
    # Same value, other position: allowed.
    game.transact("defend", b"\x03" * 32, 1, b"\x03" * 32, value=bond(2), sender=challenger)
    assert game.call("claimDataLen") == 3


def test_exec_root_status_is_enforced(game: Contract, accounts: tuple[str, str, str]) -> None:
    proposer, challenger, _ = accounts
    root = game.call("rootClaim")
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)
    game.transact("attack", output_root(2), 1, output_root(1, False), value=bond(2),
                  sender=proposer)
    # Attacking the split leaf claims the transition is invalid: status VALID is refused.
    reverts_with("UnexpectedRootClaim", game.transact, "attack", output_root(1, False), 2,
                 alphabet_claim(2, status=0), value=bond(3), sender=challenger)
    game.transact("attack", output_root(1, False), 2, alphabet_claim(2, status=VM_INVALID),
                  value=bond(3), sender=challenger)
    # A defend of an execution sub-game root is forbidden.
    reverts_with("CannotDefendRootClaim", game.transact, "defend",
                 alphabet_claim(2, status=VM_INVALID), 3, alphabet_claim(5), value=bond(4),
                 sender=proposer)


def test_game_depth_exceeded_and_step_only_at_max_depth(game: Contract,
                                                        accounts: tuple[str, str, str]) -> None:
    proposer, challenger, _ = accounts
    play_to_step(game, proposer, challenger)
    reverts_with("GameDepthExceeded", game.transact, "attack", alphabet_claim(99), 4,
                 b"\x05" * 32, value=0, sender=challenger)
    reverts_with("InvalidParent", game.transact, "step", 3, True, alphabet_state(0), b"",
                 sender=challenger)


# ---- clocks ---------------------------------------------------------------------------------

def test_clock_accrues_and_expires(system: DisputeSystem, game: Contract,
                                   accounts: tuple[str, str, str]) -> None:
    _, challenger, _ = accounts
    root = game.call("rootClaim")
    system.chain.warp(1000)
    assert game.call("getChallengerDuration", 0) == 1000
    reverts_with("ClockNotExpired", game.transact, "resolveClaim", 0, 0)
    system.chain.warp(system.config.max_clock_duration)
    assert game.call("getChallengerDuration", 0) == system.config.max_clock_duration
    reverts_with("ClockTimeExceeded", game.transact, "attack", root, 0, b"\x03" * 32,
                 value=bond(1), sender=challenger)
    game.transact("resolveClaim", 0, 0)
    assert game.call("resolvedSubgames", 0) is True
    assert game.transact("resolve").events[0].args["status"] == DEFENDER_WINS


def test_clock_extension_caps_the_inherited_duration(system: DisputeSystem, game: Contract,
                                                     accounts: tuple[str, str, str]) -> None:
    _, challenger, _ = accounts
    cfg = system.config
    root = game.call("rootClaim")
    system.chain.warp(cfg.max_clock_duration - 10)  # challenger has 10 s left
    # Depth 1 == split - 1: the grandchild is an exec root, so the extension is doubled.
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)
    clock = game.call("claimData", 1)[6]
    assert clock >> 64 == cfg.max_clock_duration - 2 * cfg.clock_extension


def test_clock_extension_above_a_step_includes_the_challenge_period(
    system: DisputeSystem, game: Contract, accounts: tuple[str, str, str]
) -> None:
    proposer, challenger, _ = accounts
    cfg = system.config
    root = game.call("rootClaim")
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)
    game.transact("attack", output_root(2), 1, output_root(1, False), value=bond(2),
                  sender=proposer)
    system.chain.warp(cfg.max_clock_duration - 5)
    exec_root = alphabet_claim(2, status=VM_INVALID)
    game.transact("attack", output_root(1, False), 2, exec_root, value=bond(3), sender=challenger)
    clock = game.call("claimData", 3)[6]
    assert clock >> 64 == cfg.max_clock_duration - (cfg.clock_extension + cfg.challenge_period)


# ---- step -----------------------------------------------------------------------------------

def test_step_with_wrong_witness_or_against_a_true_claim(game: Contract,
                                                         accounts: tuple[str, str, str]) -> None:
    proposer, challenger, _ = accounts
    root = game.call("rootClaim")
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)
    game.transact("attack", output_root(2), 1, output_root(1, False), value=bond(2),
                  sender=proposer)
    exec_root = alphabet_claim(2, status=VM_INVALID)
    game.transact("attack", output_root(1, False), 2, exec_root, value=bond(3), sender=challenger)
    # The proposer's leaf at trace index 0 is the true S_1 this time.
    game.transact("attack", exec_root, 3, alphabet_claim(1), value=bond(4), sender=proposer)
    reverts_with("InvalidPrestate", game.transact, "step", 4, True, alphabet_state(1), b"",
                 sender=challenger)
    reverts_with("ValidStep", game.transact, "step", 4, True, alphabet_state(0), b"",
                 sender=challenger)


def test_step_counters_a_false_leaf_once(game: Contract, accounts: tuple[str, str, str]) -> None:
    proposer, challenger, bystander = accounts
    play_to_step(game, proposer, challenger)
    assert game.call("absolutePrestate") == ALPHABET_ABSOLUTE_PRESTATE
    game.transact("step", 4, True, alphabet_state(0), b"", sender=challenger)
    assert game.call("claimData", 4)[1].lower() == challenger.lower()
    reverts_with("DuplicateStep", game.transact, "step", 4, True, alphabet_state(0), b"",
                 sender=bystander)


def test_defend_step_uses_the_next_trace_ancestor(game: Contract,
                                                  accounts: tuple[str, str, str]) -> None:
    proposer, challenger, _ = accounts
    root = game.call("rootClaim")
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)
    game.transact("attack", output_root(2), 1, output_root(1, False), value=bond(2),
                  sender=proposer)
    exec_root = alphabet_claim(2, status=VM_INVALID)
    game.transact("attack", output_root(1, False), 2, exec_root, value=bond(3), sender=challenger)
    # The proposer posts the true S_1 at g=16; defending it steps S_1 -> S_2 against g=8.
    game.transact("attack", exec_root, 3, alphabet_claim(1), value=bond(4), sender=proposer)
    # VM(S_1) = S_2 with status VALID differs from the exec root (status INVALID), and g=8 is
    # the challenger's own claim: the step is valid only if it disagrees -> ValidStep.
    reverts_with("ValidStep", game.transact, "step", 4, False, alphabet_state(1), b"",
                 sender=proposer)


# ---- local data -----------------------------------------------------------------------------

def test_add_local_data_loads_the_bootstrap_words(system: DisputeSystem, game: Contract,
                                                  accounts: tuple[str, str, str]) -> None:
    from eth_abi.abi import encode

    from faultproof.crypto import keccak256

    proposer, challenger, _ = accounts
    play_to_step(game, proposer, challenger)
    oracle = system.oracle
    # Sub-game opened by an attack on the leftmost output leaf (g=4): starts from the anchor.
    uuid = keccak256(encode(["bytes32", "uint256"], [output_root(1, False), 4]))
    expected = {
        1: (game.call("l1Head"), 32),
        2: (system.config.anchor_root, 32),
        3: (output_root(1, False), 32),
        4: ((1 << 192).to_bytes(32, "big"), 8),   # anchor block 0 + trace index 0 + 1
        5: ((system.config.l2_chain_id << 192).to_bytes(32, "big"), 8),
    }
    for ident, (word, size) in expected.items():
        game.transact("addLocalData", ident, 4, 0)
        assert oracle.call("lastLocalContext") == uuid
        assert (oracle.call("lastWord"), oracle.call("lastSize")) == (word, size)
        assert oracle.call("lastCaller").lower() == game.address.lower()
    reverts_with("InvalidLocalIdent", game.transact, "addLocalData", 6, 4, 0)
    reverts_with("ClaimAboveSplit", game.transact, "addLocalData", 1, 2, 0)


# ---- resolution and credit ------------------------------------------------------------------

def resolve_bottom_up(game: Contract) -> int:
    n = game.call("claimDataLen")
    for i in reversed(range(n)):
        game.transact("resolveClaim", i, 0)
    receipt = game.transact("resolve")
    status: int = receipt.events[0].args["status"]
    return status


def test_honest_challenger_wins_and_is_paid_every_bond(
    system: DisputeSystem, game: Contract, accounts: tuple[str, str, str]
) -> None:
    proposer, challenger, _ = accounts
    chain = system.chain
    play_to_step(game, proposer, challenger)
    game.transact("step", 4, True, alphabet_state(0), b"", sender=challenger)
    reverts_with("ClockNotExpired", game.transact, "resolveClaim", 4, 0)
    expire_all_clocks(system)
    reverts_with("OutOfOrderResolution", game.transact, "resolveClaim", 3, 0)
    reverts_with("OutOfOrderResolution", game.transact, "resolve")
    assert resolve_bottom_up(game) == CHALLENGER_WINS
    assert game.call("status") == CHALLENGER_WINS

    total = system.config.init_bond + sum(bond(d) for d in range(1, 5))
    assert game.call("normalModeCredit", challenger) == total
    assert game.call("normalModeCredit", proposer) == 0

    # Resolved games accept no moves, no second resolution.
    reverts_with("GameNotInProgress", game.transact, "resolve")
    reverts_with("GameNotInProgress", game.transact, "resolveClaim", 0, 0)
    reverts_with("GameNotInProgress", game.transact, "attack", game.call("rootClaim"), 0,
                 b"\x09" * 32, value=bond(1), sender=challenger)
    reverts_with("GameNotInProgress", game.transact, "step", 4, True, alphabet_state(0), b"")

    # Credit: not before the finality airgap, then unlock, then withdraw after the WETH delay.
    reverts_with("GameNotFinalized", game.transact, "claimCredit", challenger)
    chain.warp(system.config.finality_delay + 1)
    game.transact("claimCredit", challenger)  # unlocks
    assert game.call("bondDistributionMode") == NORMAL
    assert game.call("credit", challenger) == total
    reverts_with("Error", game.transact, "claimCredit", challenger)  # WETH delay not met
    chain.warp(system.config.withdrawal_delay)
    before = chain.get_balance(challenger)
    receipt = game.transact("claimCredit", challenger, sender=proposer)
    assert chain.get_balance(challenger) == before + total
    assert receipt.success
    reverts_with("NoCreditToClaim", game.transact, "claimCredit", challenger)
    # The proposer only gets its unlock call, then nothing.
    game.transact("claimCredit", proposer)
    reverts_with("NoCreditToClaim", game.transact, "claimCredit", proposer)
    # A challenger win never becomes the anchor.
    assert system.anchor_state_registry.call("getAnchorRoot")[1] == 0


def test_uncountered_challenge_leaves_the_leftmost_counter_paid(
    system: DisputeSystem, game: Contract, accounts: tuple[str, str, str]
) -> None:
    _proposer, challenger, bystander = accounts
    root = game.call("rootClaim")
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=bystander)
    game.transact("attack", root, 0, output_root(2, False), value=bond(1), sender=challenger)
    expire_all_clocks(system)
    game.transact("resolveClaim", 2, 0)
    game.transact("resolveClaim", 1, 0)
    reverts_with("ClaimAlreadyResolved", game.transact, "resolveClaim", 1, 0)
    # Paginated: one child per call.
    game.transact("resolveClaim", 0, 1)
    assert game.call("getNumToResolve", 0) == 1
    assert game.call("resolvedSubgames", 0) is False
    game.transact("resolveClaim", 0, 1)
    assert game.call("resolve") == CHALLENGER_WINS
    # Both children stand; both have position 2, the first (bystander) is the leftmost counter.
    assert game.call("normalModeCredit", bystander) == system.config.init_bond + bond(1)
    assert game.call("normalModeCredit", challenger) == bond(1)


def test_claim_credit_resists_reentrancy(system: DisputeSystem, game: Contract,
                                         accounts: tuple[str, str, str]) -> None:
    _proposer, _, _ = accounts
    chain = system.chain
    evil = chain.deploy_contract(artifact("ReentrantReceiver"))
    evil.transact("setGame", game.address, False)
    evil.transact("doMove", game.call("rootClaim"), 0, output_root(2), True, value=bond(1))
    expire_all_clocks(system)
    resolve_bottom_up(game)
    chain.warp(system.config.finality_delay + 1)
    game.transact("claimCredit", evil.address)
    chain.warp(system.config.withdrawal_delay)
    game.transact("claimCredit", evil.address)
    expected = system.config.init_bond + bond(1)
    assert evil.call("reentered") is True
    assert evil.call("reentrySucceeded") is False
    assert evil.call("received") == expected
    assert chain.get_balance(evil.address) == expected
    assert system.weth.call("balanceOf", game.address) == 0


def test_delayed_weth_withdraw_cannot_be_reentered(system: DisputeSystem) -> None:
    """A game-like depositor whose ETH receiver re-enters `withdraw(self, wad)`.

    DelayedWETH pays with a 2300-gas stipend (as WETH9's `transfer`), so the receiver cannot
    even record the payment, let alone call back: the withdrawal reverts as a whole and the
    unlocked amount stays where it was. A plain recipient then withdraws normally.
    """
    chain, weth = system.chain, system.weth
    evil = chain.deploy_contract(artifact("ReentrantReceiver"))
    amount = 10**18
    evil.transact("wethDepositAndUnlock", weth.address, value=amount)
    assert weth.call("withdrawals", evil.address, evil.address)[0] == amount
    chain.warp(system.config.withdrawal_delay + 1)
    receipt = evil.try_transact("wethWithdraw", amount)
    assert not receipt.success
    assert weth.call("withdrawals", evil.address, evil.address)[0] == amount
    assert weth.call("balanceOf", evil.address) == amount
    assert evil.call("reentered") is False and evil.call("received") == 0
    assert chain.get_balance(weth.address) >= amount
    # The same withdrawal from an ordinary account goes through once, and only once.
    who = chain.accounts[5]
    weth.transact("deposit", value=amount, sender=who)
    weth.transact("unlock", who, amount, sender=who)
    chain.warp(system.config.withdrawal_delay + 1)
    before = chain.get_balance(who)
    weth.transact("withdraw", who, amount, sender=who)
    assert chain.get_balance(who) == before + amount
    reverts_with("Error", weth.transact, "withdraw", who, 1, sender=who)


def test_refusing_receiver_gets_bond_transfer_failed(system: DisputeSystem, game: Contract) -> None:
    chain = system.chain
    evil = chain.deploy_contract(artifact("ReentrantReceiver"))
    evil.transact("setGame", game.address, True)
    evil.transact("doMove", game.call("rootClaim"), 0, output_root(2), True, value=bond(1))
    expire_all_clocks(system)
    resolve_bottom_up(game)
    chain.warp(system.config.finality_delay + 1)
    game.transact("claimCredit", evil.address)
    chain.warp(system.config.withdrawal_delay)
    reverts_with("BondTransferFailed", game.transact, "claimCredit", evil.address)
    assert game.call("credit", evil.address) == system.config.init_bond + bond(1)


def test_failed_resolve_claim_leaves_no_checkpoint(system: DisputeSystem, game: Contract,
                                                    accounts: tuple[str, str, str]) -> None:
    """A reverted `resolveClaim` must not start the checkpoint (else `num=0` means "none" later)."""
    _, challenger, bystander = accounts
    root = game.call("rootClaim")
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)
    game.transact("attack", output_root(2), 1, output_root(1), value=bond(2), sender=bystander)
    expire_all_clocks(system)
    reverts_with("OutOfOrderResolution", game.transact, "resolveClaim", 1, 0)
    assert game.call("resolutionCheckpoints", 1) == (False, 0, 0, "0x" + "0" * 40)
    game.transact("resolveClaim", 2, 0)
    game.transact("resolveClaim", 1, 0)
    assert game.call("resolvedSubgames", 1) is True
