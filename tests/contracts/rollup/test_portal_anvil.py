"""The portal on anvil: a withdrawal proven with a storage proof a real node served
(`eth_getProof` on an L1 stand-in for the message passer, slots written with Solidity's mapping
rule), finalized after DEFENDER_WINS, refused after CHALLENGER_WINS; gas of each step."""

from __future__ import annotations

from typing import Any

import pytest
from portal_helpers import L2_BLOCK, Scene, make_scene, reverts_with

from faultproof.chain import Chain
from faultproof.contracts.compiler import Artifact
from faultproof.contracts.rollup import (
    WithdrawalTransaction,
    output_root_proof_from_get_proof,
    withdrawal_proof_from_get_proof,
    withdrawal_slot,
)
from faultproof.crypto import keccak256

# Runtime: for each 32-byte word w of the calldata, SSTORE(w, 1). The init code returns it.
_WRITER_RUNTIME = bytes.fromhex(
    "5f"                # i = 0
    "5b80361115601457"  # loop: if !(calldatasize > i) goto end
    "6001813555"        # sstore(calldataload(i), 1)
    "6020016001" "56"   # i += 32; goto loop
    "5b00"              # end: stop
)
_WRITER_INIT = b"\x75" + _WRITER_RUNTIME + bytes.fromhex("600052" "6016" "600a" "f3")
#: Unrelated messages already in the passer, so the proof has a realistic depth.
FILLER = [keccak256(b"filler" + i.to_bytes(2, "big")) for i in range(300)]
WRITER = Artifact("SlotWriter", [], _WRITER_INIT, _WRITER_RUNTIME)


def get_proof(chain: Chain, address: str, slot: bytes) -> dict[str, Any]:
    answer: dict[str, Any] = chain._request(  # type: ignore[attr-defined]
        "eth_getProof", [address, ["0x" + slot.hex()], "latest"])
    return answer


def post_real_output(scene: Scene, withdrawals: list[WithdrawalTransaction],
                     writer: str, tag: bytes) -> tuple[Any, int, Any]:
    chain = scene.chain
    slots = [withdrawal_slot(wd.hash()) for wd in withdrawals] + [
        withdrawal_slot(keccak256(tag + f)) for f in FILLER]
    assert chain.transact(writer, b"".join(slots)).success
    answer = get_proof(chain, writer, withdrawal_slot(withdrawals[0].hash()))
    proof = output_root_proof_from_get_proof(answer, keccak256(b"state" + tag),
                                             keccak256(b"block" + tag))
    game = scene.system.create_game(proof.root(), L2_BLOCK, sender=scene.users[2])
    index = int(scene.system.factory.call("gameCount")) - 1
    return proof, index, game


@pytest.mark.anvil
def test_withdrawal_with_a_real_nodes_storage_proof(anvil_chain: Chain) -> None:
    scene = make_scene(anvil_chain)
    chain, portal = scene.chain, scene.portal
    alice, bob, mallory = scene.users[0], scene.users[1], scene.users[3]
    gas: dict[str, int] = {}
    gas["deposit"] = portal.transact("depositTransaction", bob, 0, 100_000, False, b"",
                                     value=10**18, sender=alice).gas_used
    gas["deposit 1 KB"] = portal.transact("depositTransaction", bob, 0, 100_000, False,
                                          b"\x01" * 1024, sender=alice).gas_used
    gas["receive"] = chain.transact(portal.address, b"", value=1, sender=alice).gas_used

    writer = chain.deploy(WRITER)
    wds = [scene.withdrawal(bob, value=10**18) for _ in range(6)]
    proof, index, game = post_real_output(scene, wds, writer, b"honest")
    chain.warp(1)
    target = wds[0]
    nodes = withdrawal_proof_from_get_proof(
        get_proof(chain, writer, withdrawal_slot(target.hash())), target.hash())
    receipt = portal.transact("proveWithdrawalTransaction", target.as_tuple(), index,
                              proof.as_tuple(), nodes, sender=alice)
    gas["prove"] = receipt.gas_used
    gas["proof nodes"] = len(nodes)
    chain.warp(scene.cfg.max_clock_duration + 1)
    game.transact("resolveClaim", 0, 0)
    game.transact("resolve")
    scene.mature()
    before = chain.get_balance(bob)
    receipt = portal.transact("finalizeWithdrawalTransaction", target.as_tuple(), sender=alice)
    gas["finalize"] = receipt.gas_used
    assert chain.get_balance(bob) == before + 10**18
    reverts_with("AlreadyFinalized", portal.transact, "finalizeWithdrawalTransaction",
                 target.as_tuple(), sender=alice)

    # A lying proposer's output (its storage credits Mallory) is defeated: never finalized.
    theft = scene.withdrawal(mallory, value=chain.get_balance(portal.address), sender=mallory)
    evil_proof, evil_index, evil_game = post_real_output(scene, [theft], writer, b"evil")
    chain.warp(1)
    nodes = withdrawal_proof_from_get_proof(
        get_proof(chain, writer, withdrawal_slot(theft.hash())), theft.hash())
    portal.transact("proveWithdrawalTransaction", theft.as_tuple(), evil_index,
                    evil_proof.as_tuple(), nodes, sender=mallory)
    evil_game.transact("attack", evil_game.call("rootClaim"), 0, keccak256(b"no"),
                       value=scene.system.required_bond(1), sender=alice)
    chain.warp(scene.cfg.max_clock_duration + 1)
    evil_game.transact("resolveClaim", 1, 0)
    evil_game.transact("resolveClaim", 0, 0)
    evil_game.transact("resolve")
    scene.mature()
    reverts_with("ProposalNotValidated", portal.transact, "finalizeWithdrawalTransaction",
                 theft.as_tuple(), sender=mallory)
    print("portal gas on anvil:", gas)
    # Each includes the per-block deposit gas meter (one storage slot, ~5 k when warm).
    assert gas["receive"] < 50_000 and gas["deposit"] < 80_000
    assert gas["prove"] < 230_000 and gas["finalize"] < 120_000
