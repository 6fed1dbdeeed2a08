"""Games are EIP-1167 clones of one FaultDisputeGame implementation, carrying their arguments.

The factory writes each game's per-type configuration and per-game values into the clone's
code (layout: FaultDisputeGame.vy's ``ARG_*`` constants), creates it and calls ``initialize``
in the same transaction. These tests pin what that design must guarantee: creation is cheap,
every clone reads its own values, ``initialize`` runs once and only from the factory, the
implementation itself is never a playable game, and a UUID names at most one game.
"""

from __future__ import annotations

import dataclasses

import pytest
from dispute_helpers import header_rlp, output_root, proof_for, reverts_with

from faultproof.chain import EmbeddedChain
from faultproof.contracts.binding import Contract
from faultproof.contracts.dispute import (
    DisputeConfig,
    DisputeSystem,
    alphabet_state,
    artifact,
    deploy_dispute_system,
    encode_game_args,
    game_uuid,
)
from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth

#: Runtime code of a clone: 45 proxy bytes + 146 bytes per type + 138 bytes per game.
CLONE_CODE_SIZE = 329
PROXY_PREFIX = bytes.fromhex("363d3d373d3d3d363d73")
PROXY_SUFFIX = bytes.fromhex("5af43d82803e903d91602b57fd5bf3")
#: Creation code prefix: return the 329 bytes that follow as the runtime code.
CLONE_INIT = bytes.fromhex("6101493d81600a3d39f3")
#: Where the factory address sits in the clone's code (ARG_FACTORY ends at 295).
FACTORY_FIELD = slice(275, 295)

CREATE_GAS_GOAL = 500_000
OTHER_TYPE = 7


def game_at(system: DisputeSystem, address: str) -> Contract:
    return system.chain.at(address, artifact("FaultDisputeGame"))


def add_game_type(system: DisputeSystem, game_type: int, cfg: DisputeConfig) -> None:
    """Register the same implementation for `game_type` with its own configuration."""
    args = encode_game_args(cfg, system.vm.address, system.weth.address,
                            system.anchor_state_registry.address)
    system.factory.transact("setImplementation", game_type, system.implementation, args,
                            sender=system.owner)
    system.factory.transact("setInitBond", game_type, cfg.init_bond, sender=system.owner)


def test_create_costs_under_half_a_million_gas(chain: EmbeddedChain) -> None:
    """The figure (printed with -s) is `bench/game_gas.py`'s; gas is deterministic."""
    for depths in ((4, 2), (73, 30)):
        system = deploy_dispute_system(
            chain, DisputeConfig(max_game_depth=depths[0], split_depth=depths[1]))
        receipt = system.factory.transact("create", system.config.game_type, output_root(9),
                                          (9).to_bytes(32, "big"), value=system.config.init_bond)
        print(f"factory.create, {depths[0]}/{depths[1]} tree: {receipt.gas_used:,} gas")
        assert receipt.gas_used <= CREATE_GAS_GOAL


def test_game_code_is_a_minimal_proxy_carrying_its_arguments(system: DisputeSystem) -> None:
    cfg, proposer = system.config, system.chain.accounts[1]
    game = system.create_game(output_root(9), 9, sender=proposer)
    code = system.chain.get_code(game.address)
    assert len(code) == CLONE_CODE_SIZE
    assert code[:10] == PROXY_PREFIX and code[30:45] == PROXY_SUFFIX
    assert code[10:30] == bytes.fromhex(system.implementation[2:])
    assert code[45:77] == cfg.absolute_prestate
    assert code[191:223] == output_root(9)
    assert code[255:275] == bytes.fromhex(proposer[2:])
    assert code[FACTORY_FIELD] == bytes.fromhex(system.factory.address[2:])
    # The tail word: root bond u128 | createdAt u64 | l2 block number u64.
    tail = int.from_bytes(code[297:329], "big")
    assert (tail >> 128, (tail >> 64) & (2**64 - 1), tail & (2**64 - 1)) == (
        cfg.init_bond, game.call("createdAt"), 9)


def test_each_clone_reads_its_own_values(system: DisputeSystem, chain: EmbeddedChain) -> None:
    other_cfg = dataclasses.replace(
        system.config, game_type=OTHER_TYPE, absolute_prestate=keccak256(b"other prestate"),
        max_game_depth=8, split_depth=3, clock_extension=2 * 3600,
        max_clock_duration=90 * 3600, l2_chain_id=2**200 + 5, init_bond=3 * 10**16,
    )
    add_game_type(system, OTHER_TYPE, other_cfg)
    alice, bob = chain.accounts[1], chain.accounts[2]
    a = system.create_game(output_root(9), 9, sender=alice)
    chain.warp(77)
    system.factory.transact("setInitBond", system.config.game_type, 5 * 10**16,
                            sender=system.owner)
    b = system.create_game(output_root(12), 12, sender=bob)
    c = system.create_game(output_root(9), 9, sender=bob, game_type=OTHER_TYPE)

    expected = [
        (a, system.config, alice, output_root(9), 9, system.config.init_bond),
        (b, system.config, bob, output_root(12), 12, 5 * 10**16),
        (c, other_cfg, bob, output_root(9), 9, other_cfg.init_bond),
    ]
    for game, cfg, creator, root, block, root_bond in expected:
        assert game.call("gameType") == cfg.game_type
        assert game.call("gameCreator").lower() == creator.lower()
        assert game.call("rootClaim") == root
        assert game.call("l2BlockNumber") == game.call("l2SequenceNumber") == block
        assert game.call("extraData") == block.to_bytes(32, "big")
        assert game.call("gameData") == (cfg.game_type, root, block.to_bytes(32, "big"))
        assert game.call("absolutePrestate") == cfg.absolute_prestate
        assert game.call("maxGameDepth") == cfg.max_game_depth
        assert game.call("splitDepth") == cfg.split_depth
        assert game.call("clockExtension") == cfg.clock_extension
        assert game.call("maxClockDuration") == cfg.max_clock_duration
        assert game.call("l2ChainId") == cfg.l2_chain_id
        assert game.call("vm").lower() == system.vm.address.lower()
        assert game.call("weth").lower() == system.weth.address.lower()
        assert (game.call("anchorStateRegistry").lower()
                == system.anchor_state_registry.address.lower())
        parent, _, claimant, bond, claim, pos, clock = game.call("claimData", 0)
        assert (parent, claimant.lower(), bond, claim, pos) == (
            2**32 - 1, creator.lower(), root_bond, root, 1)
        assert clock == game.call("createdAt")
        assert system.weth.call("balanceOf", game.address) == root_bond
        assert system.anchor_state_registry.call("isGameRegistered", game.address) is True
    assert b.call("createdAt") >= a.call("createdAt") + 77
    assert len({a.call("l1Head"), b.call("l1Head")}) == 2  # parent hash of each creation block
    assert a.call("wasRespectedGameTypeWhenCreated") is True
    assert c.call("wasRespectedGameTypeWhenCreated") is False
    # Bonds follow each game's own depth: the other type's tree is 8 deep.
    assert c.call("getRequiredBond", 2) == required_bond_at_depth(1, 8)
    # Playing one game leaves the others untouched.
    a.transact("attack", output_root(9), 0, output_root(5), value=required_bond_at_depth(1, 4),
               sender=bob)
    assert (a.call("claimDataLen"), b.call("claimDataLen"), c.call("claimDataLen")) == (2, 1, 1)
    reverts_with("Panic", b.call, "claimData", 1)


def test_a_clone_cannot_be_initialized_again(system: DisputeSystem) -> None:
    game = system.create_game(output_root(9), 9)
    # The factory has no way to call it again; anyone else meets the same refusal first.
    reverts_with("AlreadyInitialized", game.transact, "initialize", value=system.config.init_bond)
    reverts_with("AlreadyInitialized", game.transact, "initialize",
                 sender=system.chain.accounts[1])
    assert game.call("claimDataLen") == 1


def test_the_implementation_is_never_a_game(system: DisputeSystem) -> None:
    impl = system.chain.at(system.implementation, artifact("FaultDisputeGame"))
    reverts_with("AlreadyInitialized", impl.transact, "initialize", value=system.config.init_bond)
    claim = impl.call("rootClaim")  # whatever its own code holds there
    not_in_progress = [
        ("attack", claim, 0, output_root(1)), ("defend", claim, 0, output_root(1)),
        ("move", claim, 0, output_root(1), True), ("step", 0, True, alphabet_state(0), b""),
        ("addLocalData", 1, 0, 0), ("resolveClaim", 0, 0), ("resolve",),
        ("challengeRootL2Block", proof_for(header_rlp(5)), header_rlp(5)),
    ]
    for name, *args in not_in_progress:
        reverts_with("GameNotInProgress", impl.transact, name, *args)
    reverts_with("GameNotResolved", impl.transact, "closeGame")
    reverts_with("GameNotResolved", impl.transact, "claimCredit", system.owner)
    assert impl.call("claimDataLen") == 0
    assert impl.call("createdAt") == 0
    reverts_with("Panic", impl.call, "claimData", 0)


def hand_made_clone(system: DisputeSystem, template: Contract, factory: str) -> Contract:
    """A clone with `template`'s arguments but naming `factory`, created and not initialized."""
    code = bytearray(system.chain.get_code(template.address))
    code[FACTORY_FIELD] = bytes.fromhex(factory[2:])
    art = dataclasses.replace(artifact("FaultDisputeGame"), name="hand-made clone",
                              bytecode=CLONE_INIT + bytes(code))
    return system.chain.deploy_contract(art)


def test_only_the_factory_named_in_the_clone_can_initialize_it(system: DisputeSystem,
                                                               chain: EmbeddedChain) -> None:
    template = system.create_game(output_root(9), 9)
    maker = chain.accounts[5]
    clone = hand_made_clone(system, template, maker)
    # Before initialize nothing can be played.
    reverts_with("GameNotInProgress", clone.transact, "attack", output_root(9), 0, output_root(1),
                 value=required_bond_at_depth(1, 4))
    assert clone.call("claimDataLen") == 0
    for stranger in (chain.default_sender, chain.accounts[6]):
        reverts_with("BadAuth", clone.transact, "initialize", value=system.config.init_bond,
                     sender=stranger)
    clone.transact("initialize", value=system.config.init_bond, sender=maker)
    assert clone.call("claimDataLen") == 1
    assert clone.call("startingOutputRoot") == (system.config.anchor_root, 0)
    reverts_with("AlreadyInitialized", clone.transact, "initialize", sender=maker)
    # Not made by the registry's factory: never a proper game.
    assert system.anchor_state_registry.call("isGameRegistered", clone.address) is False


def test_a_uuid_names_at_most_one_game(system: DisputeSystem, chain: EmbeddedChain) -> None:
    f, cfg = system.factory, system.config
    extra = (9).to_bytes(32, "big")
    first = system.create_game(output_root(9), 9)
    for sender in (chain.default_sender, chain.accounts[4]):
        err = reverts_with("GameAlreadyExists", f.transact, "create", cfg.game_type,
                           output_root(9), extra, value=cfg.init_bond, sender=sender)
        assert err.error_args == (game_uuid(cfg.game_type, output_root(9), extra),)
    chain.warp(3600)  # a later block and time change nothing
    reverts_with("GameAlreadyExists", f.transact, "create", cfg.game_type, output_root(9), extra,
                 value=cfg.init_bond)
    # Another block number or another game type is another UUID.
    second = system.create_game(output_root(9), 10)
    add_game_type(system, OTHER_TYPE, dataclasses.replace(cfg, game_type=OTHER_TYPE))
    third = system.create_game(output_root(9), 9, game_type=OTHER_TYPE)
    assert len({first.address, second.address, third.address}) == 3
    assert f.call("gameCount") == 3
    assert f.call("games", cfg.game_type, output_root(9), extra)[0].lower() == first.address.lower()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [({"max_game_depth": 256 + 4}, "MaxDepthTooLarge"),
     ({"max_game_depth": 2**255}, "MaxDepthTooLarge"),
     ({"split_depth": 2**256 - 1}, "InvalidSplitDepth"),
     ({"split_depth": 256 + 2}, "InvalidSplitDepth")],
)
def test_depths_too_large_for_the_clone_are_refused_by_name(
        system: DisputeSystem, overrides: dict[str, int], error: str) -> None:
    """The factory writes depths above 255 as 255; the game refuses them as it would the value."""
    cfg = dataclasses.replace(system.config, game_type=OTHER_TYPE, **overrides)  # type: ignore[arg-type]
    add_game_type(system, OTHER_TYPE, cfg)
    reverts_with(error, system.create_game, output_root(9), 9, game_type=OTHER_TYPE)


def test_block_numbers_beyond_64_bits_are_refused(system: DisputeSystem) -> None:
    root = output_root(99)
    for block in (2**64, 2**64 + 5, 2**255):
        reverts_with("UnexpectedRootClaim", system.create_game, root, 0,
                     extra_data=block.to_bytes(32, "big"))
    game = system.create_game(root, 2**64 - 1)
    assert game.call("l2BlockNumber") == 2**64 - 1
