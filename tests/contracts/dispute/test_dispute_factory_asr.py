"""DisputeGameFactory, AnchorStateRegistry and DelayedWETH (spec digest §2.11, §3)."""

from __future__ import annotations

from dispute_helpers import output_root, reverts_with

from faultproof.chain import EmbeddedChain
from faultproof.contracts.binding import Contract
from faultproof.contracts.dispute import DisputeSystem, artifact, game_uuid

NORMAL, REFUND = 1, 2


def finish_unchallenged(system: DisputeSystem, game: Contract) -> None:
    """Let the root's clock run out, resolve it (DEFENDER_WINS) and pass the finality delay."""
    system.chain.warp(system.config.max_clock_duration + 1)
    game.transact("resolveClaim", 0, 0)
    game.transact("resolve")
    system.chain.warp(system.config.finality_delay + 1)


# ---- factory --------------------------------------------------------------------------------

def test_create_indexes_the_game_by_uuid(system: DisputeSystem) -> None:
    f, cfg = system.factory, system.config
    root = output_root(7)
    extra = (7).to_bytes(32, "big")
    receipt = f.transact("create", cfg.game_type, root, extra, value=cfg.init_bond)
    (ev,) = f.events(receipt, "DisputeGameCreated")
    proxy = ev.args["disputeProxy"]
    assert ev.args["gameType"] == cfg.game_type and ev.args["rootClaim"] == root
    assert f.call("getGameUUID", cfg.game_type, root, extra) == game_uuid(cfg.game_type, root, extra)
    found, ts = f.call("games", cfg.game_type, root, extra)
    assert found.lower() == proxy.lower() and ts == system.chain.timestamp
    assert f.call("gameCount") == 1
    assert f.call("gameAtIndex", 0) == (cfg.game_type, ts, found)
    game = system.chain.at(proxy, artifact("FaultDisputeGame"))
    assert game.call("gameData") == (cfg.game_type, root, extra)
    assert game.call("l1Head") != bytes(32)  # parent block hash
    assert f.call("games", cfg.game_type, output_root(8), extra)[0] == "0x" + "0" * 40
    reverts_with("Panic", f.call, "gameAtIndex", 1)


def test_create_revert_paths(system: DisputeSystem) -> None:
    f, cfg = system.factory, system.config
    extra = (7).to_bytes(32, "big")
    err = reverts_with("NoImplementation", f.transact, "create", 3, output_root(7), extra,
                       value=cfg.init_bond)
    assert err.error_args == (3,)
    reverts_with("IncorrectBondAmount", f.transact, "create", cfg.game_type, output_root(7), extra,
                 value=cfg.init_bond - 1)
    f.transact("create", cfg.game_type, output_root(7), extra, value=cfg.init_bond)
    err = reverts_with("GameAlreadyExists", f.transact, "create", cfg.game_type, output_root(7),
                       extra, value=cfg.init_bond)
    assert err.error_args == (game_uuid(cfg.game_type, output_root(7), extra),)


def test_admin_functions_are_owner_only(system: DisputeSystem, chain: EmbeddedChain) -> None:
    f, stranger = system.factory, chain.accounts[5]
    reverts_with("BadAuth", f.transact, "setInitBond", 0, 1, sender=stranger)
    reverts_with("BadAuth", f.transact, "setImplementation", 0, stranger, sender=stranger)
    receipt = f.transact("setInitBond", 9, 123, sender=system.owner)
    assert f.events(receipt, "InitBondUpdated")[0].args == {"gameType": 9, "newBond": 123}
    assert f.call("initBonds", 9) == 123
    receipt = f.transact("setImplementation", 9, system.blueprint, sender=system.owner)
    assert f.events(receipt, "ImplementationSet")[0].args["gameType"] == 9
    assert f.call("gameImpls", 9).lower() == system.blueprint.lower()
    assert f.call("gameArgs", 9) == b""


# ---- anchor state registry and bond distribution mode ------------------------------------

def test_valid_game_becomes_the_anchor_on_close(system: DisputeSystem) -> None:
    asr = system.anchor_state_registry
    game = system.create_game(output_root(6), 6)
    reverts_with("GameNotResolved", game.transact, "closeGame")
    finish_unchallenged(system, game)
    assert asr.call("isGameClaimValid", game.address) is True
    receipt = game.transact("closeGame")
    assert game.events(receipt, "GameClosed")[0].args["bondDistributionMode"] == NORMAL
    assert asr.call("getAnchorRoot") == (output_root(6), 6)
    assert asr.call("anchors", 123) == (output_root(6), 6)
    assert asr.call("anchorGame").lower() == game.address.lower()
    # An older valid game can no longer move the anchor; new games start from block 6.
    reverts_with("AnchorStateRegistry_InvalidAnchorGame", asr.transact, "setAnchorState",
                 game.address)
    later = system.create_game(output_root(9), 9)
    assert later.call("startingOutputRoot") == (output_root(6), 6)
    reverts_with("UnexpectedRootClaim", system.create_game, output_root(5), 5)


def test_blacklisted_game_refunds_and_does_not_anchor(system: DisputeSystem,
                                                      chain: EmbeddedChain) -> None:
    asr = system.anchor_state_registry
    proposer = chain.accounts[1]
    game = system.create_game(output_root(6), 6, sender=proposer)
    reverts_with("Unauthorized", asr.transact, "blacklistDisputeGame", game.address,
                 sender=proposer)
    asr.transact("blacklistDisputeGame", game.address, sender=system.owner)
    finish_unchallenged(system, game)
    assert asr.call("isGameProper", game.address) is False
    game.transact("closeGame")
    assert game.call("bondDistributionMode") == REFUND
    assert asr.call("getAnchorRoot") == (system.config.anchor_root, 0)
    assert game.call("credit", proposer) == system.config.init_bond


def test_paused_registry_blocks_closing(system: DisputeSystem) -> None:
    game = system.create_game(output_root(6), 6)
    finish_unchallenged(system, game)
    system.anchor_state_registry.transact("setPaused", True, sender=system.owner)
    reverts_with("GamePaused", game.transact, "closeGame")


def test_retired_and_unrespected_games_are_not_valid(system: DisputeSystem) -> None:
    asr = system.anchor_state_registry
    retired = system.create_game(output_root(6), 6)
    asr.transact("updateRetirementTimestamp", sender=system.owner)
    system.chain.warp(1)
    asr.transact("setRespectedGameType", 0, sender=system.owner)
    unrespected = system.create_game(output_root(7), 7)
    assert unrespected.call("wasRespectedGameTypeWhenCreated") is False
    finish_unchallenged(system, retired)
    unrespected.transact("resolveClaim", 0, 0)
    unrespected.transact("resolve")
    system.chain.warp(system.config.finality_delay + 1)
    assert asr.call("isGameRetired", retired.address) is True
    assert asr.call("isGameClaimValid", retired.address) is False
    assert asr.call("isGameProper", unrespected.address) is True
    assert asr.call("isGameClaimValid", unrespected.address) is False
    reverts_with("AnchorStateRegistry_InvalidAnchorGame", asr.transact, "setAnchorState",
                 unrespected.address)


def test_unregistered_game_is_not_proper(system: DisputeSystem, chain: EmbeddedChain) -> None:
    """A game cloned by another factory (same implementation and args) is never registered."""
    cfg = system.config
    other = chain.deploy_contract(artifact("DisputeGameFactory"), chain.default_sender)
    other.transact("setImplementation", cfg.game_type, system.implementation,
                   system.factory.call("gameArgs", cfg.game_type))
    other.transact("setInitBond", cfg.game_type, cfg.init_bond)
    receipt = other.transact("create", cfg.game_type, output_root(50), (50).to_bytes(32, "big"),
                             value=cfg.init_bond)
    fake = other.events(receipt, "DisputeGameCreated")[0].args["disputeProxy"]
    assert system.anchor_state_registry.call("isGameRegistered", fake) is False
    assert system.anchor_state_registry.call("isGameRegistered", system.implementation) is False


# ---- DelayedWETH ----------------------------------------------------------------------------

def test_delayed_weth_unlock_delay_hold_and_recover(system: DisputeSystem,
                                                    chain: EmbeddedChain) -> None:
    weth, owner = system.weth, system.owner
    alice, bob = chain.accounts[6], chain.accounts[7]
    weth.transact("deposit", value=10**18, sender=alice)
    assert weth.call("balanceOf", alice) == 10**18
    reverts_with("Error", weth.transact, "withdraw", bob, 1, sender=alice)  # not unlocked
    weth.transact("unlock", bob, 4 * 10**17, sender=alice)
    unlocked_at = chain.timestamp
    chain.warp(system.config.withdrawal_delay - 10)
    reverts_with("Error", weth.transact, "withdraw", bob, 1, sender=alice)  # delay not met
    chain.warp(10)
    before = chain.get_balance(alice)
    weth.transact("withdraw", bob, 3 * 10**17, sender=alice)
    assert chain.get_balance(alice) == before + 3 * 10**17
    assert weth.call("withdrawals", alice, bob) == (10**17, unlocked_at)
    reverts_with("Error", weth.transact, "withdraw", bob, 2 * 10**17, sender=alice)
    # A new unlock restarts the delay for the whole amount.
    weth.transact("unlock", bob, 1, sender=alice)
    reverts_with("Error", weth.transact, "withdraw", bob, 1, sender=alice)
    # Owner powers.
    reverts_with("Unauthorized", weth.transact, "hold", alice, sender=bob)
    weth.transact("hold", alice, sender=owner)
    assert weth.call("balanceOf", alice) == 0
    assert weth.call("balanceOf", owner) == 7 * 10**17
    before = chain.get_balance(owner)
    weth.transact("recover", 2**200, sender=owner)
    assert chain.get_balance(owner) == before + 7 * 10**17


def test_plain_weth9_withdraw_selector_is_served(system: DisputeSystem,
                                                 chain: EmbeddedChain) -> None:
    from faultproof.chain.abi import selector

    weth, alice = system.weth, chain.accounts[6]
    weth.transact("deposit", value=100, sender=alice)
    weth.transact("unlock", alice, 100, sender=alice)
    chain.warp(system.config.withdrawal_delay)
    data = selector("withdraw(uint256)") + (60).to_bytes(32, "big")
    assert chain.transact(weth.address, data, sender=alice).success
    assert weth.call("balanceOf", alice) == 40


def test_paused_weth_blocks_withdrawals(system: DisputeSystem, chain: EmbeddedChain) -> None:
    weth, alice = system.weth, chain.accounts[6]
    weth.transact("deposit", value=100, sender=alice)
    weth.transact("unlock", alice, 100, sender=alice)
    chain.warp(system.config.withdrawal_delay)
    reverts_with("Unauthorized", weth.transact, "setPaused", True, sender=alice)
    weth.transact("setPaused", True, sender=system.owner)
    reverts_with("Error", weth.transact, "withdraw", alice, 1, sender=alice)


def test_find_latest_games_scans_back_by_type(system: DisputeSystem) -> None:
    f, cfg = system.factory, system.config
    f.transact("setImplementation", 7, system.blueprint, f.call("gameArgs", cfg.game_type),
               sender=system.owner)
    f.transact("setInitBond", 7, cfg.init_bond, sender=system.owner)
    for block, gtype in [(5, cfg.game_type), (6, 7), (7, cfg.game_type), (8, cfg.game_type)]:
        system.create_game(output_root(block), block, game_type=gtype)
    latest = f.call("findLatestGames", cfg.game_type, 3, 2)
    assert [(g[0], g[3], g[4]) for g in latest] == [
        (3, output_root(8), (8).to_bytes(32, "big")),
        (2, output_root(7), (7).to_bytes(32, "big")),
    ]
    index, metadata, ts, _, _ = latest[0]
    game_type, created, proxy = f.call("gameAtIndex", index)
    assert int.from_bytes(metadata, "big") == (game_type << 224) | (created << 160) | int(proxy, 16)
    assert ts == created
    assert [g[0] for g in f.call("findLatestGames", cfg.game_type, 3, 10)] == [3, 2, 0]
    assert list(f.call("findLatestGames", 7, 0, 10)) == []
    assert list(f.call("findLatestGames", cfg.game_type, 4, 1)) == []
    assert list(f.call("findLatestGames", cfg.game_type, 3, 0)) == []
