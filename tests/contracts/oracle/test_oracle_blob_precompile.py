"""The blob (EIP-4844 point evaluation) and precompile loaders, with real KZG proofs."""

from __future__ import annotations

from typing import Any

import pytest
from kzg_helpers import commitment_and_proof, make_blob

from faultproof.chain import ContractReverted, EmbeddedChain
from faultproof.contracts.oracle import PRECOMPILE_CALL_RESERVED_GAS, PreimageOracle
from faultproof.crypto import keccak256, sha256
from faultproof.preimage.keys import (
    BLS_MODULUS,
    blob_field_element_key,
    blob_key,
    blob_root_of_unity,
    precompile_key,
)
from faultproof.preimage.parts import read_part

ECRECOVER = "0x0000000000000000000000000000000000000001"
SHA256 = "0x0000000000000000000000000000000000000002"
IDENTITY = "0x0000000000000000000000000000000000000004"
POINT_EVALUATION = "0x000000000000000000000000000000000000000A"


def reverts_with(name: str | None, fn: Any, *args: Any, **kwargs: Any) -> ContractReverted:
    with pytest.raises(ContractReverted) as info:
        fn(*args, **kwargs)
    assert info.value.error_name == name, str(info.value)
    return info.value


@pytest.fixture(scope="module")
def blob_case() -> dict[str, Any]:
    """Blob field element 5 with its root of unity, commitment, proof and value."""
    blob = make_blob(7)
    index = 5
    z = blob_root_of_unity(index)
    commitment, proof, y = commitment_and_proof(blob, z)
    assert y == blob[32 * index : 32 * index + 32]  # evaluation form: y is the element itself
    return {"blob": blob, "index": index, "z": z, "commitment": commitment, "proof": proof,
            "y": y}


# ---- blob ------------------------------------------------------------------------------------


def test_blob_every_offset_with_a_real_kzg_proof(oracle: PreimageOracle,
                                                 blob_case: dict[str, Any]) -> None:
    z, y = int.from_bytes(blob_case["z"], "big"), int.from_bytes(blob_case["y"], "big")
    key = blob_key(blob_case["commitment"], blob_case["z"])
    assert key == blob_field_element_key(blob_case["commitment"], blob_case["index"])
    assert key[1:] == keccak256(blob_case["commitment"] + blob_case["z"])[1:]
    for offset in range(40):
        oracle.load_blob_part(z, y, blob_case["commitment"], blob_case["proof"], offset)
        assert oracle.read_preimage(key, offset) == read_part(blob_case["y"], offset)
    assert oracle.preimage_length(key) == 32
    reverts_with("PartOffsetOOB", oracle.load_blob_part, z, y, blob_case["commitment"],
                 blob_case["proof"], 40)


def test_blob_wrong_value_or_proof_is_invalid(oracle: PreimageOracle,
                                              blob_case: dict[str, Any]) -> None:
    z, y = int.from_bytes(blob_case["z"], "big"), int.from_bytes(blob_case["y"], "big")
    c, p = blob_case["commitment"], blob_case["proof"]
    reverts_with("InvalidProof", oracle.load_blob_part, z, (y + 1) % BLS_MODULUS, c, p, 0)
    reverts_with("InvalidProof", oracle.load_blob_part, z + 1, y, c, p, 0)
    other_c, other_p, _ = commitment_and_proof(make_blob(8), blob_case["z"])
    reverts_with("InvalidProof", oracle.load_blob_part, z, y, c, other_p, 0)
    reverts_with("InvalidProof", oracle.load_blob_part, z, y, other_c, p, 0)
    reverts_with("InvalidProof", oracle.load_blob_part, z, y, c[:47], p, 0)
    reverts_with(None, oracle.load_blob_part, z, y, c + b"\x00", p, 0)  # over Bytes[48]
    assert not oracle.preimage_part_ok(blob_key(c, blob_case["z"]), 0)


def test_blob_legacy_index_point_does_not_verify(oracle: PreimageOracle,
                                                 blob_case: dict[str, Any]) -> None:
    """The pre-fix key scheme used z = index; the element's value is not p(index)."""
    y = int.from_bytes(blob_case["y"], "big")
    reverts_with("InvalidProof", oracle.load_blob_part, blob_case["index"], y,
                 blob_case["commitment"], blob_case["proof"], 0)


# ---- precompiles -----------------------------------------------------------------------------


def ecrecover_input() -> tuple[bytes, bytes]:
    """A real secp256k1 signature (eth-account) and the address it recovers to."""
    from eth_account import Account

    acct = Account.from_key(b"\x11" * 32)
    digest = keccak256(b"faultproof precompile test")
    sig = Account.unsafe_sign_hash(digest, acct.key)
    data = digest + sig.v.to_bytes(32, "big") + sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big")
    return data, bytes(12) + bytes.fromhex(acct.address[2:])


def test_precompile_ecrecover(oracle: PreimageOracle) -> None:
    data, recovered = ecrecover_input()
    key = precompile_key(ECRECOVER, 3000, data)
    preimage = b"\x01" + recovered
    for offset in range(len(preimage) + 8):
        oracle.load_precompile_part(offset, ECRECOVER, 3000, data)
        assert oracle.read_preimage(key, offset) == read_part(preimage, offset)
    assert oracle.preimage_length(key) == 33
    reverts_with("PartOffsetOOB", oracle.load_precompile_part, 41, ECRECOVER, 3000, data)


def test_precompile_sha256_and_identity(oracle: PreimageOracle) -> None:
    msg = b"abc" * 30
    key = precompile_key(SHA256, 500, msg)
    oracle.load_precompile_part(9, SHA256, 500, msg)
    assert oracle.read_preimage(key, 9) == read_part(b"\x01" + sha256(msg), 9)
    long_input = bytes(range(256)) * 3
    key = precompile_key(IDENTITY, 1000, long_input)
    for offset in (0, 7, 8, 100, 700, 768, 776):
        oracle.load_precompile_part(offset, IDENTITY, 1000, long_input)
        assert oracle.read_preimage(key, offset) == read_part(b"\x01" + long_input, offset)


def test_required_gas_is_part_of_the_key(oracle: PreimageOracle) -> None:
    msg = b"same input"
    oracle.load_precompile_part(0, SHA256, 100, msg)
    assert oracle.preimage_part_ok(precompile_key(SHA256, 100, msg), 0)
    assert not oracle.preimage_part_ok(precompile_key(SHA256, 101, msg), 0)


def test_failed_precompile_stores_status_zero(oracle: PreimageOracle) -> None:
    bad = bytes(192)  # not a valid point-evaluation input
    key = precompile_key(POINT_EVALUATION, 50_000, bad)
    for offset in range(9):
        oracle.load_precompile_part(offset, POINT_EVALUATION, 50_000, bad)
        assert oracle.read_preimage(key, offset) == read_part(b"\x00", offset)
    assert oracle.preimage_length(key) == 1


def test_not_enough_gas(embedded: EmbeddedChain, oracle: PreimageOracle) -> None:
    required = 1_000_000
    data = b"\x01" * 10
    # Below roughly required*64/63 + reserved the call is refused before running.
    reverts_with("NotEnoughGas", oracle.load_precompile_part, 0, SHA256, required, data,
                 gas=required + PRECOMPILE_CALL_RESERVED_GAS)
    assert not oracle.preimage_part_ok(precompile_key(SHA256, required, data), 0)
    oracle.load_precompile_part(0, SHA256, required, data,
                                gas=required * 64 // 63 + PRECOMPILE_CALL_RESERVED_GAS + 80_000)
    assert oracle.preimage_part_ok(precompile_key(SHA256, required, data), 0)


def test_precompile_output_over_the_limit_is_rejected(oracle: PreimageOracle) -> None:
    reverts_with("InvalidInputSize", oracle.load_precompile_part, 0, IDENTITY, 10_000,
                 b"\x00" * 4097)
    oracle.load_precompile_part(0, IDENTITY, 10_000, b"\x00" * 4096)


def test_precompile_input_over_the_limit_is_rejected(oracle: PreimageOracle) -> None:
    from faultproof.contracts.oracle import MAX_PRECOMPILE_INPUT

    reverts_with(None, oracle.load_precompile_part, 0, SHA256, 100_000,
                 b"\x01" * (MAX_PRECOMPILE_INPUT + 1))


def test_blob_proof_of_the_wrong_size(oracle: PreimageOracle, blob_case: dict[str, Any]) -> None:
    z, y = int.from_bytes(blob_case["z"], "big"), int.from_bytes(blob_case["y"], "big")
    c, p = blob_case["commitment"], blob_case["proof"]
    reverts_with("InvalidProof", oracle.load_blob_part, z, y, c, p[:47], 0)
    reverts_with("InvalidProof", oracle.load_blob_part, z, y, c, b"", 0)
    reverts_with(None, oracle.load_blob_part, z, y, c, p + b"\x00", 0)  # over Bytes[48]


def test_blob_part_lands_only_under_its_commitment_and_point(
    oracle: PreimageOracle, blob_case: dict[str, Any]
) -> None:
    z, y = int.from_bytes(blob_case["z"], "big"), int.from_bytes(blob_case["y"], "big")
    c = blob_case["commitment"]
    oracle.load_blob_part(z, y, c, blob_case["proof"], 8)
    assert oracle.preimage_part_ok(blob_key(c, blob_case["z"]), 8)
    other_z = blob_root_of_unity(blob_case["index"] + 1)
    assert not oracle.preimage_part_ok(blob_key(c, other_z), 8)
    assert not oracle.preimage_part_ok(blob_key(bytes(48), blob_case["z"]), 8)
    assert not oracle.preimage_part_ok(blob_key(c, blob_case["z"]), 9)


def test_precompile_result_lands_only_under_the_key_of_its_call(oracle: PreimageOracle) -> None:
    msg = b"precompile input"
    oracle.load_precompile_part(8, SHA256, 500, msg)
    assert oracle.read_preimage(precompile_key(SHA256, 500, msg), 8) == read_part(
        b"\x01" + sha256(msg), 8
    )
    for other in (precompile_key(IDENTITY, 500, msg), precompile_key(SHA256, 500, msg + b"!"),
                  precompile_key(ECRECOVER, 500, msg)):
        assert not oracle.preimage_part_ok(other, 8)
    reverts_with("PartOffsetOOB", oracle.load_precompile_part, 1 + 32 + 8, SHA256, 500, msg)
