"""Portal deposits: OP's ABI, `TransactionDeposited` bytes as op-node decodes them (spec digest
section 6.9), aliasing, receive(), and the limits of ROLLUP.md section 2."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as abi_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from portal_helpers import Scene, reverts_with

from faultproof.chain import ContractReverted, EmbeddedChain
from faultproof.chain.abi import Log, selector, signature
from faultproof.contracts.rollup import (
    DEPOSIT_EVENT_TOPIC,
    DEPOSIT_SELECTOR,
    alias,
    artifact,
    decode_deposit_log,
    opaque_data,
)
from faultproof.crypto import keccak256

WD = "(uint256,address,address,uint256,uint256,bytes)"
OP_FUNCTIONS = [
    "depositTransaction(address,uint256,uint64,bool,bytes)",
    f"proveWithdrawalTransaction({WD},uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])",
    f"finalizeWithdrawalTransaction({WD})",
    f"finalizeWithdrawalTransactionExternalProof({WD},address)",
    "provenWithdrawals(bytes32,address)",
    "finalizedWithdrawals(bytes32)",
    "checkWithdrawal(bytes32,address)",
    "l2Sender()",
    "blacklistDisputeGame(address)",
    "setRespectedGameType(uint32)",
    "respectedGameType()",
    "respectedGameTypeUpdatedAt()",
    "disputeGameBlacklist(address)",
    "disputeGameFactory()",
    "proofSubmitters(bytes32,uint256)",
    "numProofSubmitters(bytes32)",
    "proofMaturityDelaySeconds()",
    "disputeGameFinalityDelaySeconds()",
    "guardian()",
    "paused()",
    "donateETH()",
]
OP_EVENTS = [
    "TransactionDeposited(address,address,uint256,bytes)",
    "WithdrawalProven(bytes32,address,address)",
    "WithdrawalProvenExtension1(bytes32,address)",
    "WithdrawalFinalized(bytes32,bool)",
]
OP_ERRORS = ["BadTarget", "SmallGasLimit", "LargeCalldata", "InvalidGameType", "InvalidProof",
             "InvalidDisputeGame", "InvalidMerkleProof", "Blacklisted", "Unproven",
             "ProposalNotValidated", "AlreadyFinalized", "CallPaused", "NonReentrant",
             "Unauthorized"]


def _deposit_log(scene: Scene, receipt: object) -> Log:
    logs = [lg for lg in receipt.logs  # type: ignore[attr-defined]
            if lg.address.lower() == scene.portal.address.lower()]
    assert len(logs) == 1
    return logs[0]


def test_selectors_and_topics_are_optimisms() -> None:
    abi = artifact("Portal").abi
    selectors = {selector(signature(e)) for e in abi if e.get("type") == "function"}
    for sig in OP_FUNCTIONS:
        assert keccak256(sig.encode())[:4] in selectors, sig
    assert keccak256(OP_FUNCTIONS[0].encode())[:4] == DEPOSIT_SELECTOR
    events = {signature(e) for e in abi if e.get("type") == "event"}
    for sig in OP_EVENTS:
        assert sig in events, sig
    assert DEPOSIT_EVENT_TOPIC.hex() == (
        "b3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32")
    errors = {e["name"] for e in abi if e.get("type") == "error"}
    assert set(OP_ERRORS) <= errors


def test_eoa_deposit_event_bytes_are_ops(scene: Scene) -> None:
    alice, bob = scene.users[0], scene.users[1]
    data = bytes(range(50))
    before = scene.chain.get_balance(scene.portal.address)
    receipt = scene.portal.transact("depositTransaction", bob, 7, 123_456, False, data,
                                    value=10**18, sender=alice)
    log = _deposit_log(scene, receipt)
    assert [bytes(t) for t in log.topics] == [
        DEPOSIT_EVENT_TOPIC, bytes(12) + bytes.fromhex(alice[2:]),
        bytes(12) + bytes.fromhex(bob[2:]), bytes(32)]
    opaque = (10**18).to_bytes(32, "big") + (7).to_bytes(32, "big") \
        + (123_456).to_bytes(8, "big") + b"\x00" + data
    assert bytes(log.data) == abi_encode(["bytes"], [opaque])
    assert opaque == opaque_data(10**18, 7, 123_456, False, data)
    dep = decode_deposit_log([bytes(t) for t in log.topics], bytes(log.data))
    assert (dep.sender, dep.to, dep.mint, dep.value, dep.gas_limit, dep.is_creation, dep.data) \
        == (bytes.fromhex(alice[2:]), bytes.fromhex(bob[2:]), 10**18, 7, 123_456, False, data)
    assert scene.chain.get_balance(scene.portal.address) == before + 10**18


def test_contract_deposit_is_aliased_and_creation_has_no_target(scene: Scene) -> None:
    receipt = scene.probe.transact("deposit", "0x" + "00" * 20, 0, 200_000, True, b"\x60\x00",
                                   value=5, sender=scene.users[0])
    log = _deposit_log(scene, receipt)
    dep = decode_deposit_log([bytes(t) for t in log.topics], bytes(log.data))
    assert dep.sender == alias(scene.probe.address)
    assert dep.sender != bytes.fromhex(scene.probe.address[2:])
    assert dep.is_creation and dep.to is None and dep.mint == 5 and dep.data == b"\x60\x00"


def test_alias_wraps_modulo_2_160() -> None:
    assert alias(b"\xff" * 20) == (0x1111000000000000000000000000000000001110).to_bytes(20, "big")


def test_plain_eth_deposits_to_the_sender(scene: Scene) -> None:
    alice = scene.users[0]
    receipt = scene.chain.transact(scene.portal.address, b"", value=3 * 10**17, sender=alice)
    assert receipt.success
    log = _deposit_log(scene, receipt)
    dep = decode_deposit_log([bytes(t) for t in log.topics], bytes(log.data))
    assert dep.sender == dep.to == bytes.fromhex(alice[2:])
    assert (dep.mint, dep.value, dep.gas_limit, dep.is_creation, dep.data) == \
        (3 * 10**17, 3 * 10**17, 100_000, False, b"")
    # Unknown selectors are not deposits.
    assert not scene.chain.transact(scene.portal.address, b"\x12\x34\x56\x78", value=1,
                                    sender=alice).success


def test_deposit_limits(scene: Scene) -> None:
    p, alice, bob = scene.portal, scene.users[0], scene.users[1]
    reverts_with("BadTarget", p.transact, "depositTransaction", bob, 0, 100_000, True, b"",
                 sender=alice)
    data = b"\x01" * 100
    floor = 21_000 + 40 * len(data)
    reverts_with("SmallGasLimit", p.transact, "depositTransaction", bob, 0, floor - 1, False,
                 data, sender=alice)
    p.transact("depositTransaction", bob, 0, floor, False, data, sender=alice)
    p.transact("depositTransaction", bob, 0, 10_000_000, False, data, sender=alice)
    reverts_with("LargeGasLimit", p.transact, "depositTransaction", bob, 0, 10_000_001, False,
                 data, sender=alice)
    big = b"\xab" * 120_000
    receipt = p.transact("depositTransaction", bob, 0, 21_000 + 40 * 120_000, False, big,
                         sender=alice)
    dep = decode_deposit_log([bytes(t) for t in _deposit_log(scene, receipt).topics],
                             bytes(_deposit_log(scene, receipt).data))
    assert dep.data == big
    # Over the cap: the ABI bound refuses it before any code runs.
    with pytest.raises(ContractReverted):
        p.transact("depositTransaction", bob, 0, 9_000_000, False, big + b"\x00", sender=alice)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mint=st.integers(0, 10**18), value=st.integers(0, 2**256 - 1),
       data=st.binary(max_size=300), creation=st.booleans(), extra_gas=st.integers(0, 10**6))
def test_random_deposits_decode_back(chain: EmbeddedChain, scene: Scene, mint: int, value: int,
                                     data: bytes, creation: bool, extra_gas: int) -> None:
    to = "0x" + "00" * 20 if creation else scene.users[1]
    gas = 21_000 + 40 * len(data) + extra_gas
    receipt = scene.portal.transact("depositTransaction", to, value, gas, creation, data,
                                    value=mint, sender=scene.users[0])
    log = _deposit_log(scene, receipt)
    dep = decode_deposit_log([bytes(t) for t in log.topics], bytes(log.data))
    assert (dep.mint, dep.value, dep.gas_limit, dep.is_creation, dep.data) == \
        (mint, value, gas, creation, data)
    assert dep.to == (None if creation else bytes.fromhex(to[2:]))
