"""`step` through a real FPVM step contract (MIPS32), registered with `faultproof deploy`.

The game's absolute prestate is the `hello` guest loaded into MIPS32; a dishonest claim for the
state after the first instruction sits at the leftmost max-depth leaf, so the attack step's
pre-state is the absolute prestate itself. The honest witness counters it; a witness with a
tampered memory proof or pre-state is refused with the step contract's or the game's named
error; a correct leaf cannot be stepped on (`ValidStep`).
"""

from __future__ import annotations

import pytest
from dispute_helpers import output_root, reverts_with

from faultproof.chain import EmbeddedChain
from faultproof.contracts.binding import Contract
from faultproof.contracts.deploy import GameTypeParams, SystemParams, deploy_game_type
from faultproof.contracts.dispute import artifact
from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth
from faultproof.game.types import VMStatus, with_status
from faultproof.guests import guest_elf
from faultproof.vm import StepWitness, get_isa

MAX_DEPTH, SPLIT = 6, 2
GAME_TYPE = 4000


@pytest.fixture(scope="module")
def witness() -> tuple[bytes, StepWitness, bytes]:
    """(absolute prestate hash, witness of step 0, true post-state hash)."""
    vm = get_isa("mips32").load_elf(guest_elf("hello", "mips32"))
    prestate = vm.state_hash()
    w = vm.step(proof=True)
    assert w is not None and not w.has_preimage
    return prestate, w, vm.state_hash()


def leaf_game(prestate: bytes, leaf_claim: bytes) -> tuple[EmbeddedChain, Contract, str]:
    """Deploy a MIPS32 game type, create a game, attack down to the leftmost leaf."""
    chain = EmbeddedChain()
    d = deploy_game_type(
        chain, GameTypeParams(GAME_TYPE, "mips32", prestate, MAX_DEPTH, SPLIT),
        system=SystemParams(anchor_root=keccak256(b"anchor")),
    )
    chain.warp(1)
    proposer, challenger = chain.accounts[1], chain.accounts[2]
    factory = chain.at(d.dispute_game_factory, artifact("DisputeGameFactory"))
    root = output_root(4, honest=False)
    receipt = factory.transact("create", GAME_TYPE, root, (4).to_bytes(32, "big"),
                               value=d.init_bond, sender=proposer)
    game = chain.at(factory.events(receipt, "DisputeGameCreated")[0].args["disputeProxy"],
                    artifact("FaultDisputeGame"))
    assert game.call("vm").lower() == d.step_contract.lower()
    claims = [root, output_root(2), output_root(1, False),
              with_status(keccak256(b"exec root"), VMStatus.INVALID),
              keccak256(b"e4"), keccak256(b"e5"), leaf_claim]
    for depth in range(1, MAX_DEPTH + 1):
        sender = challenger if depth % 2 else proposer
        game.transact("attack", claims[depth - 1], depth - 1, claims[depth],
                      value=required_bond_at_depth(depth, MAX_DEPTH), sender=sender)
    leaf = game.call("claimData", MAX_DEPTH)
    assert leaf[5] == 1 << MAX_DEPTH  # position: leftmost leaf, trace index 0
    return chain, game, challenger


def test_honest_witness_counters_a_wrong_first_state(
        witness: tuple[bytes, StepWitness, bytes]) -> None:
    prestate, w, _ = witness
    _chain, game, challenger = leaf_game(prestate, keccak256(b"wrong state after step 0"))
    game.transact("step", MAX_DEPTH, True, w.state, w.proof, sender=challenger)
    assert game.call("claimData", MAX_DEPTH)[1].lower() == challenger.lower()
    reverts_with("DuplicateStep", game.transact, "step", MAX_DEPTH, True, w.state, w.proof)


def test_step_with_a_wrong_witness_is_refused(witness: tuple[bytes, StepWitness, bytes]) -> None:
    prestate, w, _ = witness
    _chain, game, challenger = leaf_game(prestate, keccak256(b"wrong state after step 0"))
    # A flipped bit in the instruction's memory proof: the VM cannot check it against the root.
    proof = bytearray(w.proof)
    proof[40] ^= 1
    reverts_with("InvalidMemoryProof", game.transact, "step", MAX_DEPTH, True, w.state,
                 bytes(proof), sender=challenger)
    # A truncated proof.
    reverts_with("InvalidProofLength", game.transact, "step", MAX_DEPTH, True, w.state,
                 w.proof[:-32], sender=challenger)
    # A pre-state that is not the absolute prestate.
    state = bytearray(w.state)
    state[-1] ^= 1
    reverts_with("InvalidPrestate", game.transact, "step", MAX_DEPTH, True, bytes(state),
                 w.proof, sender=challenger)
    assert int(game.call("claimData", MAX_DEPTH)[1], 16) == 0  # still uncountered


def test_a_correct_leaf_cannot_be_stepped_on(witness: tuple[bytes, StepWitness, bytes]) -> None:
    prestate, w, post = witness
    _chain, game, challenger = leaf_game(prestate, post)
    reverts_with("ValidStep", game.transact, "step", MAX_DEPTH, True, w.state, w.proof,
                 sender=challenger)
