"""Key constructors against the spec (dispute-game-and-oracle.md §1.4, §4.2; cannon-mips32.md §5.1)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.preimage.errors import InvalidPreimageKey
from faultproof.preimage.keys import (
    BLS_MODULUS,
    KeyType,
    blob_field_element_key,
    blob_field_element_key_legacy,
    blob_key,
    blob_root_of_unity,
    keccak256_key,
    key_type,
    local_ident,
    local_key,
    localize,
    localize_ident,
    precompile_key,
    precompile_key_legacy,
    sha256_key,
)

# Well-known digests of the empty string, independent of our hash helpers.
KECCAK_EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_key_type_numbers_match_spec_table() -> None:
    assert [t.value for t in KeyType] == [1, 2, 3, 4, 5, 6]
    assert (int(KeyType.LOCAL), int(KeyType.BLOB), int(KeyType.PRECOMPILE)) == (1, 5, 6)


def test_local_key_layout_is_type_byte_23_zeros_then_u64() -> None:
    assert local_key(1).hex() == "01" + "00" * 30 + "01"
    assert local_key(0x0102030405060708).hex() == "01" + "00" * 23 + "0102030405060708"
    assert local_ident(local_key(7)) == 7


def test_local_key_rejects_idents_beyond_u64() -> None:
    with pytest.raises(InvalidPreimageKey, match="uint64"):
        local_key(2**64)


def test_keccak_key_overwrites_first_digest_byte() -> None:
    assert keccak256_key(b"").hex() == "02" + KECCAK_EMPTY[2:]
    assert keccak256_key(digest=bytes.fromhex(KECCAK_EMPTY)) == keccak256_key(b"")


def test_sha256_key_overwrites_first_digest_byte() -> None:
    assert sha256_key(b"").hex() == "04" + SHA256_EMPTY[2:]


def test_key_from_digest_requires_exactly_one_argument_and_32_bytes() -> None:
    with pytest.raises(InvalidPreimageKey):
        keccak256_key()
    with pytest.raises(InvalidPreimageKey):
        keccak256_key(b"x", digest=bytes(32))
    with pytest.raises(InvalidPreimageKey, match="31 bytes"):
        sha256_key(digest=bytes(31))


@given(st.binary(max_size=300))
def test_hash_keys_commit_to_31_digest_bytes(data: bytes) -> None:
    assert keccak256_key(data)[1:] == keccak256(data)[1:]
    assert sha256_key(data)[1:] == hashlib.sha256(data).digest()[1:]
    assert key_type(keccak256_key(data)) is KeyType.KECCAK256
    assert key_type(sha256_key(data)) is KeyType.SHA256


def test_blob_key_hashes_commitment_then_z() -> None:
    commitment, z = bytes(range(48)), bytes(range(100, 132))
    key = blob_key(commitment, z)
    assert key == b"\x05" + keccak256(commitment + z)[1:]
    with pytest.raises(InvalidPreimageKey, match="48"):
        blob_key(bytes(47), z)


def test_blob_field_element_uses_bit_reversed_root_of_unity() -> None:
    # Element 0 is evaluated at w^0 = 1; element 1 at w^bitrev(1) = w^2048 = -1 (order-2 root).
    assert int.from_bytes(blob_root_of_unity(0), "big") == 1
    assert int.from_bytes(blob_root_of_unity(1), "big") == BLS_MODULUS - 1
    # Element 2 is w^1024, a primitive 4th root of unity: squares to -1.
    w4 = int.from_bytes(blob_root_of_unity(2), "big")
    assert pow(w4, 2, BLS_MODULUS) == BLS_MODULUS - 1
    commitment = bytes(48)
    assert blob_field_element_key(commitment, 1) == blob_key(commitment, blob_root_of_unity(1))


def test_roots_of_unity_are_distinct_4096th_roots() -> None:
    roots = {blob_root_of_unity(i) for i in range(4096)}
    assert len(roots) == 4096
    for i in (0, 5, 4095):
        assert pow(int.from_bytes(blob_root_of_unity(i), "big"), 4096, BLS_MODULUS) == 1


def test_fixed_blob_key_differs_from_legacy_index_key() -> None:
    commitment = bytes(range(48))
    legacy = blob_field_element_key_legacy(commitment, 3)
    assert legacy == blob_key(commitment, (3).to_bytes(32, "big"))
    assert blob_field_element_key(commitment, 3) != legacy
    # index 0 is the one place the two schemes could meet: z=1 vs z=0, still different
    assert blob_field_element_key(commitment, 0) != blob_field_element_key_legacy(commitment, 0)


def test_precompile_key_includes_required_gas_as_in_the_contract() -> None:
    address = "0x" + "00" * 19 + "01"
    key = precompile_key(address, 3000, b"abc")
    expected = keccak256(bytes(19) + b"\x01" + (3000).to_bytes(8, "big") + b"abc")
    assert key == b"\x06" + expected[1:]
    assert precompile_key(1, 3000, b"abc") == key
    assert precompile_key(1, 3001, b"abc") != key
    assert precompile_key_legacy(1, b"abc") == b"\x06" + keccak256(bytes(19) + b"\x01abc")[1:]


def test_key_type_rejects_illegal_and_short_keys() -> None:
    with pytest.raises(InvalidPreimageKey, match="type byte 0"):
        key_type(bytes(32))
    with pytest.raises(InvalidPreimageKey, match="type byte 200"):
        key_type(b"\xc8" + bytes(31))
    with pytest.raises(InvalidPreimageKey, match="expected 32"):
        key_type(b"\x02" * 31)


def test_localize_matches_preimage_key_lib() -> None:
    context = bytes(range(32))
    caller = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")
    expected = keccak256(local_key(1) + bytes(12) + caller + context)
    localized = localize(local_key(1), context, caller)
    assert localized == b"\x01" + expected[1:]
    # localizeIdent(ident) agrees with localize(local_key(ident)), and the caller can be hex/int
    assert localize_ident(1, context, "0x" + caller.hex()) == localized
    assert localize_ident(1, context, int.from_bytes(caller, "big")) == localized


def test_localize_forces_the_type_byte_before_hashing() -> None:
    context, caller = bytes(32), bytes(20)
    assert localize(b"\x02" + local_key(4)[1:], context, caller) == localize(
        local_key(4), context, caller
    )


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=20, max_size=20))
def test_localized_keys_are_per_context_and_caller(context: bytes, caller: bytes) -> None:
    key = localize(local_key(2), context, caller)
    assert key[0] == 1
    other_context = bytes([context[0] ^ 1]) + context[1:]
    other_caller = bytes([caller[0] ^ 1]) + caller[1:]
    assert localize(local_key(2), other_context, caller) != key
    assert localize(local_key(2), context, other_caller) != key
    assert localize(local_key(3), context, caller) != key
