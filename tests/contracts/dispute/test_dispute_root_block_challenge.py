"""`challengeRootL2Block`: countering a root whose output is for another L2 block (digest §2.8)."""

from __future__ import annotations

from dispute_helpers import header_rlp, output_root, proof_for, reverts_with, root_for

from faultproof.chain import EmbeddedChain
from faultproof.contracts.dispute import DisputeSystem
from faultproof.crypto import keccak256

CLAIMED_BLOCK = 4


def test_wrong_block_number_counters_the_root(system: DisputeSystem, chain: EmbeddedChain) -> None:
    proposer, challenger = chain.accounts[1], chain.accounts[2]
    header = header_rlp(CLAIMED_BLOCK + 1)
    proof = proof_for(header)
    game = system.create_game(root_for(proof), CLAIMED_BLOCK, sender=proposer)
    game.transact("challengeRootL2Block", proof, header, sender=challenger)
    assert game.call("l2BlockNumberChallenged") is True
    assert game.call("l2BlockNumberChallenger").lower() == challenger.lower()
    reverts_with("L2BlockNumberChallenged", game.transact, "challengeRootL2Block", proof, header)
    reverts_with("L2BlockNumberChallenged", game.transact, "attack", root_for(proof), 0,
                 output_root(2), value=system.required_bond(1))
    chain.warp(system.config.max_clock_duration + 1)
    game.transact("resolveClaim", 0, 0)
    assert game.call("resolve") == 1  # CHALLENGER_WINS
    game.transact("resolve")
    assert game.call("normalModeCredit", challenger) == system.config.init_bond


def test_challenge_revert_paths(system: DisputeSystem) -> None:
    header = header_rlp(CLAIMED_BLOCK)
    proof = proof_for(header)
    game = system.create_game(root_for(proof), CLAIMED_BLOCK)
    reverts_with("BlockNumberMatches", game.transact, "challengeRootL2Block", proof, header)
    bad_proof = (bytes(32), b"\xaa" * 32, b"\xbc" * 32, keccak256(header))
    reverts_with("InvalidOutputRootProof", game.transact, "challengeRootL2Block", bad_proof,
                 header)
    reverts_with("InvalidHeaderRLP", game.transact, "challengeRootL2Block", proof,
                 header_rlp(CLAIMED_BLOCK + 1))


def test_oversized_or_malformed_number_is_invalid_rlp(system: DisputeSystem) -> None:
    for header in (header_rlp(b"\x01" * 33), header_rlp(CLAIMED_BLOCK + 1)[:-3]):
        proof = proof_for(header)
        game = system.create_game(root_for(proof), CLAIMED_BLOCK)
        reverts_with("InvalidHeaderRLP", game.transact, "challengeRootL2Block", proof, header)


def test_multi_byte_block_number_decodes(system: DisputeSystem) -> None:
    """Item 8 as a multi-byte integer (here 2^64 + 5) is read big-endian."""
    header = header_rlp(2**64 + 5)
    proof = proof_for(header)
    game = system.create_game(root_for(proof), CLAIMED_BLOCK)
    game.transact("challengeRootL2Block", proof, header)
    assert game.call("l2BlockNumberChallenged") is True
