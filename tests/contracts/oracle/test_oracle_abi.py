"""The oracle's ABI must be selector-identical to Optimism's PreimageOracle (spec digest §4.4)."""

from __future__ import annotations

import pytest

from faultproof.chain import ContractReverted, EmbeddedChain
from faultproof.chain.abi import selector, signature
from faultproof.contracts.compiler import MAX_CODE_SIZE
from faultproof.contracts.oracle import PreimageOracle, artifact
from faultproof.crypto import keccak256

# Copied from the spec digest's selector table (§4.4); the test recomputes them independently.
SPEC_FUNCTIONS = {
    "readPreimage(bytes32,uint256)": "e03110e1",
    "loadLocalData(uint256,bytes32,bytes32,uint256,uint256)": "52f0f3ad",
    "loadKeccak256PreimagePart(uint256,bytes)": "e1592611",
    "loadSha256PreimagePart(uint256,bytes)": "8dc4be11",
    "loadBlobPreimagePart(uint256,uint256,bytes,bytes,uint256)": "9d7e8769",
    "loadPrecompilePreimagePart(uint256,address,uint64,bytes)": "ea713950",
    "preimageLengths(bytes32)": "fef2b4ed",
    "preimageParts(bytes32,uint256)": "61238bde",
    "preimagePartOk(bytes32,uint256)": "8542cf50",
    "challengePeriod()": "f3f480d9",
    "minProposalSize()": "dd24f9bf",
}
SPEC_ERRORS = {
    "PartOffsetOOB()": "fe254987",
    "NotEnoughGas()": "dd629f86",
    "InvalidProof()": "09bde339",
    "InvalidInputSize()": "7b1dafd1",
}


def test_function_selectors_match_the_spec() -> None:
    abi = artifact().abi
    ours = {signature(e): selector(signature(e)).hex() for e in abi if e["type"] == "function"}
    for sig, sel in SPEC_FUNCTIONS.items():
        assert keccak256(sig.encode())[:4].hex() == sel, f"spec table entry {sig} is wrong"
        assert ours.get(sig) == sel, f"{sig} missing or different in the Vyper ABI"
    # Nothing beyond the spec's non-LPP surface is exposed.
    assert set(ours) == set(SPEC_FUNCTIONS)


def test_view_return_types_match_solidity() -> None:
    abi = {e["name"]: e for e in artifact().abi if e["type"] == "function"}
    assert [o["type"] for o in abi["readPreimage"]["outputs"]] == ["bytes32", "uint256"]
    assert [o["type"] for o in abi["loadLocalData"]["outputs"]] == ["bytes32"]
    assert [o["type"] for o in abi["preimagePartOk"]["outputs"]] == ["bool"]
    assert abi["loadKeccak256PreimagePart"]["outputs"] == []


def test_error_selectors_match_the_spec() -> None:
    declared = {signature(e): selector(signature(e)).hex()
                for e in artifact().abi if e["type"] == "error"}
    assert declared == SPEC_ERRORS


def test_code_size_is_within_eip170() -> None:
    assert artifact().runtime_size < MAX_CODE_SIZE


def test_constructor_parameters_are_exposed(embedded: EmbeddedChain) -> None:
    oracle = PreimageOracle.deploy(embedded, 1234, 5678)
    assert oracle.min_proposal_size() == 1234
    assert oracle.challenge_period() == 5678


def test_challenge_period_must_fit_uint64(embedded: EmbeddedChain) -> None:
    PreimageOracle.deploy(embedded, 0, 2**64 - 1)
    with pytest.raises(ContractReverted) as info:
        PreimageOracle.deploy(embedded, 0, 2**64)
    assert info.value.error_name == "InvalidInputSize"
