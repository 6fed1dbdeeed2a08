"""Withdrawals against games that were actually played: a root defended against a challenge
finalizes; a root defeated down to an AlphabetVM step never does, whatever anyone does
afterwards (hypothesis drives random warps, re-proofs, guardian switches and finalize tries)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from portal_helpers import (
    CHALLENGER_WINS,
    DEFENDER_WINS,
    FINALITY_DELAY,
    PROOF_MATURITY,
    Output,
    Scene,
    reverts_with,
)

from faultproof.chain import ContractReverted
from faultproof.contracts.dispute import alphabet_claim, alphabet_state
from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth

ETH = 10**18
VM_INVALID = 1


def bond(depth: int) -> int:
    return required_bond_at_depth(depth, 4)


def claim(label: str) -> bytes:
    return keccak256(label.encode())


def resolve_all(out: Output) -> int:
    for i in reversed(range(int(out.game.call("claimDataLen")))):
        out.game.transact("resolveClaim", i, 0)
    out.game.transact("resolve")
    return int(out.game.call("status"))


def test_defended_root_finalizes(scene: Scene) -> None:
    proposer, challenger = scene.users[2], scene.users[3]
    wd = scene.withdrawal(scene.users[1], value=ETH)
    out = scene.post_output([wd], proposer=proposer)
    scene.chain.warp(1)
    scene.prove(out, wd)
    root = out.game.call("rootClaim")
    out.game.transact("attack", root, 0, claim("wrong mid"), value=bond(1), sender=challenger)
    out.game.transact("attack", claim("wrong mid"), 1, claim("right mid"), value=bond(2),
                      sender=proposer)
    scene.chain.warp(scene.cfg.max_clock_duration + 1)
    assert resolve_all(out) == DEFENDER_WINS
    scene.mature()
    before = scene.chain.get_balance(scene.users[1])
    scene.finalize(wd)
    assert scene.chain.get_balance(scene.users[1]) == before + ETH


def play_down_to_a_step(scene: Scene, out: Output, proposer: str, challenger: str) -> None:
    """The dishonest proposer is bisected to one AlphabetVM instruction and stepped."""
    g = out.game
    g.transact("attack", g.call("rootClaim"), 0, claim("o2"), value=bond(1), sender=challenger)
    g.transact("attack", claim("o2"), 1, claim("o1 evil"), value=bond(2), sender=proposer)
    exec_root = alphabet_claim(2, status=VM_INVALID)
    g.transact("attack", claim("o1 evil"), 2, exec_root, value=bond(3), sender=challenger)
    g.transact("attack", exec_root, 3, alphabet_claim(99), value=bond(4), sender=proposer)
    g.transact("step", 4, True, alphabet_state(0), b"", sender=challenger)
    scene.chain.warp(scene.cfg.max_clock_duration + 1)
    assert resolve_all(out) == CHALLENGER_WINS


def test_root_defeated_by_a_step_never_finalizes(scene: Scene) -> None:
    mallory, honest = scene.users[2], scene.users[3]
    theft = scene.withdrawal(mallory, value=scene.chain.get_balance(scene.portal.address),
                             sender=mallory)
    out = scene.post_output([theft], tag=b"evil", proposer=mallory)
    scene.chain.warp(1)
    scene.prove(out, theft, sender=mallory)
    play_down_to_a_step(scene, out, mallory, honest)
    scene.mature()
    reverts_with("ProposalNotValidated", scene.finalize, theft, mallory)
    reverts_with("InvalidDisputeGame", scene.prove, out, theft, mallory)


ACTIONS = st.lists(st.tuples(st.sampled_from(["warp", "prove", "type", "finalize", "external"]),
                             st.integers(0, 3), st.integers(0, 10 * PROOF_MATURITY)),
                   min_size=1, max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=ACTIONS)
def test_challenger_wins_is_final_whatever_happens(scene: Scene,
                                                   actions: list[tuple[str, int, int]]) -> None:
    chain, portal = scene.chain, scene.portal
    snap = chain.snapshot()
    mallory = scene.users[2]
    theft = scene.withdrawal(mallory, value=10 * ETH, sender=mallory)
    out = scene.post_output([theft], tag=b"evil", proposer=mallory)
    chain.warp(1)
    for who in scene.users:
        scene.prove(out, theft, sender=who)  # proven by everyone while IN_PROGRESS
    scene.resolve_challenger(out)
    balance = chain.get_balance(portal.address)
    for action, who, amount in actions:
        user = scene.users[who]
        try:
            if action == "warp":
                chain.warp(amount + FINALITY_DELAY)
            elif action == "prove":
                scene.prove(out, theft, sender=user)
            elif action == "type":
                portal.transact("setRespectedGameType", [0, 255, 255, 7][who],
                                sender=scene.guardian)
            elif action == "finalize":
                scene.finalize(theft, sender=user)
            else:
                portal.transact("finalizeWithdrawalTransactionExternalProof", theft.as_tuple(),
                                scene.users[(who + 1) % 4], sender=user)
            assert action in ("warp", "type"), f"{action} by {user} succeeded"
        except ContractReverted as err:
            assert err.error_name in ("ProposalNotValidated", "InvalidDisputeGame",
                                      "InvalidGameType", "ProofNotOldEnough"), err
    assert not portal.call("finalizedWithdrawals", theft.hash())
    assert chain.get_balance(portal.address) == balance
    chain.revert(snap)
