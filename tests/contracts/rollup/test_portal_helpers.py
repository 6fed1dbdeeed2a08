"""The Python side of the portal (`faultproof.contracts.rollup`): encoders agree with the
contract, proof extraction from `eth_getProof` answers refuses what the portal would refuse,
and op-node's deposit-log rules reject malformed logs."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode as abi_encode

from faultproof.chain import EmbeddedChain
from faultproof.contracts.rollup import (
    DEPOSIT_EVENT_TOPIC,
    PortalError,
    WithdrawalTransaction,
    decode_deposit_log,
    deploy_portal,
    message_passer_storage,
    opaque_data,
    output_root_proof_from_get_proof,
    withdrawal_proof,
    withdrawal_proof_from_get_proof,
    withdrawal_slot,
)
from faultproof.crypto import keccak256
from faultproof.evm import mpt

WD = WithdrawalTransaction(1 << 240, "0x" + "11" * 20, "0x" + "22" * 20, 5, 100_000, b"x")


def _answer(slot: bytes, value: object, proof: list[str]) -> dict[str, object]:
    return {"storageHash": "0x" + "ab" * 32,
            "storageProof": [{"key": "0x" + slot.hex().lstrip("0"), "value": value,
                              "proof": proof}]}


def test_get_proof_answers_are_checked() -> None:
    trie = message_passer_storage([WD.hash()])
    nodes = withdrawal_proof(trie, WD.hash())
    hexed = ["0x" + n.hex() for n in nodes]
    slot = withdrawal_slot(WD.hash())
    # geth prints keys without leading zeros and values as quantities
    assert withdrawal_proof_from_get_proof(_answer(slot, "0x1", hexed), WD.hash()) == nodes
    with pytest.raises(PortalError, match="not in the message passer"):
        withdrawal_proof_from_get_proof(_answer(slot, "0x0", hexed), WD.hash())
    with pytest.raises(PortalError, match="no proof for slot"):
        withdrawal_proof_from_get_proof(_answer(keccak256(b"other"), 1, hexed), WD.hash())
    with pytest.raises(PortalError, match="no storageProof"):
        withdrawal_proof_from_get_proof({}, WD.hash())
    with pytest.raises(PortalError, match="not hex"):
        withdrawal_proof_from_get_proof(_answer(slot, 1, ["0xzz"]), WD.hash())
    proof = output_root_proof_from_get_proof(_answer(slot, 1, hexed), b"\x01" * 32, b"\x02" * 32)
    assert proof.root() == keccak256(bytes(32) + b"\x01" * 32 + b"\xab" * 32 + b"\x02" * 32)
    assert mpt.lookup(trie.root, keccak256(slot), trie.get) == b"\x01"


def test_deploy_needs_a_game_type_or_a_registry() -> None:
    with pytest.raises(PortalError, match="respected_game_type"):
        deploy_portal(EmbeddedChain(), "0x" + "00" * 20)


def _log(opaque: bytes) -> bytes:
    return abi_encode(["bytes"], [opaque])


def test_malformed_deposit_logs_are_refused() -> None:
    topics = [DEPOSIT_EVENT_TOPIC, bytes(32), bytes(32), bytes(32)]
    good = opaque_data(1, 2, 30_000, False, b"")
    assert decode_deposit_log(topics, _log(good)).gas_limit == 30_000
    cases = {
        "topic count": (topics[:3], _log(good)),
        "version": ([*topics[:3], (1).to_bytes(32, "big")], _log(good)),
        "whole 32-byte words": (topics, _log(good)[:-1]),
        "offset": (topics, (64).to_bytes(32, "big") + _log(good)[32:]),
        "padding": (topics, _log(good) + bytes(32)),
        "shorter than 73": (topics, _log(good[:72])),
    }
    for reason, (t, data) in cases.items():
        with pytest.raises(PortalError, match=reason):
            decode_deposit_log(t, data)
