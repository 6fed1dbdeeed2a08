"""Portal withdrawals: prove against a game's output root with a storage proof built by the
Python MPT, finalize after DEFENDER_WINS and the delays; every check of OptimismPortal2's
prove (spec digest section 7.1) and checkWithdrawal (section 7.2) by its error name."""

from __future__ import annotations

from portal_helpers import (
    CHALLENGER_WINS,
    FINALITY_DELAY,
    PROOF_MATURITY,
    Scene,
    reverts_with,
)

from faultproof.contracts.rollup import DEFAULT_L2_SENDER, withdrawal_slot
from faultproof.crypto import keccak256

ETH = 10**18


def test_prove_and_finalize_several_withdrawals(scene: Scene) -> None:
    chain, portal, probe = scene.chain, scene.portal, scene.probe
    alice, bob, carol = scene.users[0], scene.users[1], scene.users[2]
    to_bob = scene.withdrawal(bob, value=2 * ETH, sender=alice)
    to_probe = scene.withdrawal(probe.address, value=ETH, data=b"\xde\xad\xbe\xef", sender=carol)
    third = scene.withdrawal(bob, value=1, sender=bob)
    out = scene.post_output([to_bob, to_probe, third])
    chain.warp(1)
    for wd in (to_bob, to_probe):
        receipt = scene.prove(out, wd)
        (proven,) = portal.events(receipt, "WithdrawalProven")
        assert proven.args["withdrawalHash"] == wd.hash()
        (ext,) = portal.events(receipt, "WithdrawalProvenExtension1")
        assert ext.args["proofSubmitter"].lower() == alice.lower()
        game, ts = portal.call("provenWithdrawals", wd.hash(), alice)
        assert game.lower() == out.game.address.lower() and ts == chain.timestamp
        assert portal.call("numProofSubmitters", wd.hash()) == 1
        assert portal.call("proofSubmitters", wd.hash(), 0).lower() == alice.lower()
    assert portal.call("hashWithdrawal", to_bob.as_tuple()) == to_bob.hash()
    scene.resolve_defender(out)
    scene.mature()

    before = chain.get_balance(bob)
    receipt = scene.finalize(to_bob)
    (fin,) = portal.events(receipt, "WithdrawalFinalized")
    assert fin.args["withdrawalHash"] == to_bob.hash() and fin.args["success"] is True
    assert chain.get_balance(bob) == before + 2 * ETH
    assert portal.call("finalizedWithdrawals", to_bob.hash())

    # The target sees the L2 sender during the call, and only then.
    scene.finalize(to_probe)
    assert probe.call("calls") == 1
    assert probe.call("lastL2Sender").lower() == carol.lower()
    assert probe.call("lastValue") == ETH
    assert probe.call("lastDataLen") == 4
    assert portal.call("l2Sender") == DEFAULT_L2_SENDER

    reverts_with("AlreadyFinalized", scene.finalize, to_bob)
    # Proven by nobody: the third one was never proven.
    reverts_with("Unproven", scene.finalize, third)


def test_external_proof_and_per_submitter_records(scene: Scene) -> None:
    portal, (alice, bob, carol) = scene.portal, scene.users[:3]
    wd = scene.withdrawal(bob, value=ETH)
    out = scene.post_output([wd])
    scene.chain.warp(1)
    scene.prove(out, wd, sender=alice)
    scene.prove(out, wd, sender=carol)
    scene.prove(out, wd, sender=carol)  # re-proving overwrites, the list grows as OP's does
    assert portal.call("numProofSubmitters", wd.hash()) == 3
    scene.resolve_defender(out)
    scene.mature()
    # Bob has no proof of his own; he may finalize with Alice's.
    reverts_with("Unproven", scene.finalize, wd, bob)
    portal.transact("finalizeWithdrawalTransactionExternalProof", wd.as_tuple(), alice,
                    sender=bob)
    assert portal.call("finalizedWithdrawals", wd.hash())


def test_prove_checks_in_order(scene: Scene) -> None:
    portal, guardian = scene.portal, scene.guardian
    wd = scene.withdrawal(scene.users[1], value=ETH)
    out = scene.post_output([wd])
    scene.chain.warp(1)
    # 1. target is the portal itself
    bad_target = scene.withdrawal(portal.address)
    reverts_with("BadTarget", scene.prove, out, bad_target, proof=[])
    # 2. game type must be the respected one
    portal.transact("setRespectedGameType", 7, sender=guardian)
    reverts_with("InvalidGameType", scene.prove, out, wd)
    portal.transact("setRespectedGameType", scene.cfg.game_type, sender=guardian)
    # 3. the output root proof must hash to the game's root claim
    forged = out.proof.__class__(keccak256(b"rich state"), out.proof.message_passer_storage_root,
                                 out.proof.latest_blockhash)
    reverts_with("InvalidProof", portal.transact, "proveWithdrawalTransaction", wd.as_tuple(),
                 out.index, forged.as_tuple(), out.wd_proof(wd), sender=scene.users[0])
    # Out-of-range game index: the factory's array panic.
    reverts_with("Panic", portal.transact, "proveWithdrawalTransaction", wd.as_tuple(),
                 out.index + 5, out.proof.as_tuple(), out.wd_proof(wd), sender=scene.users[0])
    # 5. the storage proof: a withdrawal that is not in the trie, another's proof, a truncated
    # proof, an empty proof
    absent = scene.withdrawal(scene.users[1], value=100 * ETH)
    reverts_with("InvalidMerkleProof", scene.prove, out, absent, proof=out.wd_proof(wd))
    reverts_with("InvalidMerkleProof", scene.prove, out, absent, proof=out.wd_proof(absent))
    reverts_with("InvalidMerkleProof", scene.prove, out, wd, proof=out.wd_proof(wd)[:-1])
    reverts_with("InvalidMerkleProof", scene.prove, out, wd, proof=[])
    assert scene.prove(out, wd).success
    # 4. a CHALLENGER_WINS game proves nothing
    scene.resolve_challenger(out)
    reverts_with("InvalidDisputeGame", scene.prove, out, wd)


def test_finalize_checks_in_order(scene: Scene) -> None:
    chain, portal, guardian = scene.chain, scene.portal, scene.guardian
    wd = scene.withdrawal(scene.users[1], value=ETH)
    out = scene.post_output([wd])
    reverts_with("Unproven", scene.finalize, wd)
    # Proven in the game's creation second: never finalizable through this proof.
    scene.prove(out, wd, sender=scene.users[3])
    chain.warp(1)
    scene.prove(out, wd)
    reverts_with("ProofNotOldEnough", scene.finalize, wd)
    chain.warp(PROOF_MATURITY + 1)
    reverts_with("ProposalNotValidated", scene.finalize, wd)  # still IN_PROGRESS
    scene.resolve_defender(out)
    reverts_with("InAirGap", scene.finalize, wd)
    chain.warp(FINALITY_DELAY)
    reverts_with("InAirGap", scene.finalize, wd)  # exactly the delay is not enough
    reverts_with("InvalidProofTimestamp", portal.transact,
                 "finalizeWithdrawalTransactionExternalProof", wd.as_tuple(), scene.users[3])
    chain.warp(1)
    snap = chain.snapshot()
    # The respected type changes after proving: refused.
    portal.transact("setRespectedGameType", 9, sender=guardian)
    reverts_with("InvalidGameType", scene.finalize, wd)
    # Re-set to the same type: games created before the update no longer count.
    chain.warp(1)
    portal.transact("setRespectedGameType", scene.cfg.game_type, sender=guardian)
    reverts_with("GameCreatedBeforeRespectedTypeUpdate", scene.finalize, wd)
    chain.revert(snap)
    snap = chain.snapshot()
    portal.transact("blacklistDisputeGame", out.game.address, sender=guardian)
    reverts_with("Blacklisted", scene.finalize, wd)
    chain.revert(snap)
    snap = chain.snapshot()
    # The registry's guardian can blacklist the game too.
    scene.system.anchor_state_registry.transact("blacklistDisputeGame", out.game.address)
    reverts_with("Blacklisted", scene.finalize, wd)
    chain.revert(snap)
    snap = chain.snapshot()
    portal.transact("setPaused", True, sender=guardian)
    reverts_with("CallPaused", scene.finalize, wd)
    reverts_with("CallPaused", scene.prove, out, wd)
    scene.portal.transact("depositTransaction", scene.users[0], 0, 100_000, False, b"", value=1,
                          sender=scene.users[0])  # deposits still work
    chain.revert(snap)
    portal.call("checkWithdrawal", wd.hash(), scene.users[0])
    scene.finalize(wd)
    reverts_with("AlreadyFinalized", scene.finalize, wd)


def test_challenger_wins_game_never_finalizes(scene: Scene) -> None:
    chain = scene.chain
    mallory = scene.users[3]
    # A dishonest proposer claims an output whose passer storage holds a withdrawal of all the
    # deposits to Mallory.
    theft = scene.withdrawal(mallory, value=chain.get_balance(scene.portal.address),
                             sender=mallory)
    out = scene.post_output([theft], tag=b"evil", proposer=mallory)
    chain.warp(1)
    scene.prove(out, theft, sender=mallory)  # allowed while IN_PROGRESS
    scene.resolve_challenger(out)
    assert out.game.call("status") == CHALLENGER_WINS
    for _ in range(3):
        chain.warp(10 * (PROOF_MATURITY + FINALITY_DELAY))
        reverts_with("ProposalNotValidated", scene.finalize, theft, mallory)
    reverts_with("InvalidDisputeGame", scene.prove, out, theft, mallory)
    # Not even if the guardian switches the game type around.
    scene.portal.transact("setRespectedGameType", 0, sender=scene.guardian)
    reverts_with("ProposalNotValidated", scene.finalize, theft, mallory)
    assert scene.chain.get_balance(scene.portal.address) >= 50 * ETH
    assert not scene.portal.call("finalizedWithdrawals", theft.hash())


def test_reentrant_finalize_is_refused(scene: Scene) -> None:
    portal, probe = scene.portal, scene.probe
    first = scene.withdrawal(probe.address, value=ETH)
    second = scene.withdrawal(scene.users[1], value=ETH)
    out = scene.post_output([first, second])
    scene.chain.warp(1)
    scene.prove(out, first)
    scene.prove(out, second)
    scene.resolve_defender(out)
    scene.mature()
    # The probe (the target of `first`) tries to finalize `second` during its call, using the
    # proof of the user who proved it.
    inner = portal.encode("finalizeWithdrawalTransactionExternalProof", second.as_tuple(),
                          scene.users[0])
    probe.transact("configure", inner, False)
    receipt = scene.finalize(first)
    assert portal.events(receipt, "WithdrawalFinalized")[0].args["success"] is True
    assert probe.call("reentrySucceeded") is False
    assert probe.call("reentryResult") == keccak256(b"NonReentrant()")[:4]
    assert not portal.call("finalizedWithdrawals", second.hash())
    assert portal.call("l2Sender") == DEFAULT_L2_SENDER
    scene.finalize(second)  # still possible afterwards, once


def test_failed_call_is_final_and_keeps_the_eth(scene: Scene) -> None:
    portal, probe = scene.portal, scene.probe
    wd = scene.withdrawal(probe.address, value=ETH)
    out = scene.post_output([wd])
    scene.chain.warp(1)
    scene.prove(out, wd)
    scene.resolve_defender(out)
    scene.mature()
    probe.transact("configure", b"", True)
    before = scene.chain.get_balance(portal.address)
    receipt = scene.finalize(wd)
    assert portal.events(receipt, "WithdrawalFinalized")[0].args["success"] is False
    assert scene.chain.get_balance(portal.address) == before
    reverts_with("AlreadyFinalized", scene.finalize, wd)


def test_too_little_gas_for_the_withdrawal_reverts_the_finalization(scene: Scene) -> None:
    wd = scene.withdrawal(scene.users[1], value=ETH, gas_limit=1_000_000)
    out = scene.post_output([wd])
    scene.chain.warp(1)
    scene.prove(out, wd)
    scene.resolve_defender(out)
    scene.mature()
    reverts_with("NotEnoughGas", scene.finalize, wd, gas=600_000)
    assert not scene.portal.call("finalizedWithdrawals", wd.hash())
    scene.finalize(wd, gas=1_300_000)


def test_guardian_only(scene: Scene) -> None:
    portal, user = scene.portal, scene.users[0]
    reverts_with("Unauthorized", portal.transact, "blacklistDisputeGame", user, sender=user)
    reverts_with("Unauthorized", portal.transact, "setRespectedGameType", 1, sender=user)
    reverts_with("Unauthorized", portal.transact, "setPaused", True, sender=user)
    receipt = portal.transact("setRespectedGameType", 3, sender=scene.guardian)
    assert portal.call("respectedGameType") == 3
    assert portal.call("respectedGameTypeUpdatedAt") == scene.chain.timestamp
    assert receipt.success


def test_withdrawal_slot_is_the_mapping_slot() -> None:
    h = keccak256(b"w")
    assert withdrawal_slot(h) == keccak256(h + (0).to_bytes(32, "big"))
