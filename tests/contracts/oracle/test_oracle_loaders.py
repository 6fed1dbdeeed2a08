"""Every loader of the Vyper PreimageOracle against the off-chain reference.

The reference is `faultproof.preimage` (keys, and `read_part` for the served stream
``uint64_be(len) || preimage || zeros``), written independently from the contract.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.chain import ContractReverted, EmbeddedChain
from faultproof.contracts.oracle import MAX_PREIMAGE_SIZE, PreimageOracle, local_key_of
from faultproof.crypto import keccak256, sha256
from faultproof.preimage.keys import keccak256_key, localize_ident, sha256_key
from faultproof.preimage.parts import read_part


def stream(preimage: bytes) -> bytes:
    return len(preimage).to_bytes(8, "big") + preimage


def reverts_with(name: str | None, fn, *args, **kwargs) -> ContractReverted:  # type: ignore[no-untyped-def]
    with pytest.raises(ContractReverted) as info:
        fn(*args, **kwargs)
    assert info.value.error_name == name, str(info.value)
    return info.value


def assert_served(oracle: PreimageOracle, key: bytes, preimage: bytes, offset: int) -> None:
    dat, dat_len = oracle.read_preimage(key, offset)
    assert (dat, dat_len) == read_part(preimage, offset)
    assert oracle.preimage_length(key) == len(preimage)
    assert oracle.preimage_part_ok(key, offset)


# ---- keccak256 / sha256 ------------------------------------------------------------------------

LENGTHS = [0, 1, 7, 8, 23, 24, 25, 31, 32, 33, 40, 63, 64, 65, 100]


@pytest.mark.parametrize("length", LENGTHS)
def test_keccak_every_offset_of_short_preimages(oracle: PreimageOracle, length: int) -> None:
    preimage = bytes((i * 37 + length) % 256 for i in range(length))
    key = keccak256_key(preimage)
    for offset in range(length + 8):
        oracle.load_keccak256_part(offset, preimage)
        assert_served(oracle, key, preimage, offset)
    reverts_with("PartOffsetOOB", oracle.load_keccak256_part, length + 8, preimage)
    assert not oracle.preimage_part_ok(key, length + 8)


@pytest.mark.parametrize("length", [0, 5, 31, 32, 33, 70])
def test_sha256_every_offset(oracle: PreimageOracle, length: int) -> None:
    preimage = bytes((255 - i) % 256 for i in range(length))
    key = sha256_key(preimage)
    assert key[0] == 4 and key[1:] == sha256(preimage)[1:]
    for offset in range(length + 8):
        oracle.load_sha256_part(offset, preimage)
        assert_served(oracle, key, preimage, offset)
    reverts_with("PartOffsetOOB", oracle.load_sha256_part, length + 8, preimage)


def test_length_prefix_parts_at_offsets_0_to_7(oracle: PreimageOracle) -> None:
    preimage = bytes(range(1, 61))  # 60 bytes, no zero byte, so misplacement shows
    key = keccak256_key(preimage)
    full = stream(preimage) + bytes(32)
    for offset in range(8):
        oracle.load_keccak256_part(offset, preimage)
        dat, dat_len = oracle.read_preimage(key, offset)
        assert dat == full[offset : offset + 32]
        assert dat[: 8 - offset] == (60).to_bytes(8, "big")[offset:]
        assert dat_len == 32


def test_tail_parts_are_zero_padded_and_report_length(oracle: PreimageOracle) -> None:
    preimage = b"\xff" * 50
    key = keccak256_key(preimage)
    for offset, expect_len in [(26, 32), (27, 31), (40, 18), (57, 1)]:
        oracle.load_keccak256_part(offset, preimage)
        dat, dat_len = oracle.read_preimage(key, offset)
        assert dat_len == expect_len
        assert dat == (b"\xff" * expect_len).ljust(32, b"\x00")


def test_past_the_end_offsets_are_rejected(oracle: PreimageOracle) -> None:
    preimage = b"abc"
    for offset in (11, 12, 100, 2**255):
        reverts_with("PartOffsetOOB", oracle.load_keccak256_part, offset, preimage)
        reverts_with("PartOffsetOOB", oracle.load_sha256_part, offset, preimage)


def test_read_of_a_part_never_loaded_reverts(oracle: PreimageOracle) -> None:
    preimage = b"some preimage"
    key = keccak256_key(preimage)
    exc = reverts_with("Error", oracle.read_preimage, key, 0)
    assert exc.error_args == ("pre-image must exist",)
    oracle.load_keccak256_part(4, preimage)
    reverts_with("Error", oracle.read_preimage, key, 0)  # only offset 4 was loaded
    assert oracle.read_preimage(key, 4) == read_part(preimage, 4)


def test_parts_land_only_under_the_key_of_their_own_preimage(oracle: PreimageOracle) -> None:
    a, b = b"preimage A" * 5, b"preimage A" * 5 + b"!"
    oracle.load_keccak256_part(8, a)
    assert oracle.preimage_part_ok(keccak256_key(a), 8)
    assert not oracle.preimage_part_ok(keccak256_key(b), 8)
    assert not oracle.preimage_part_ok(sha256_key(a), 8)
    # A raw hash (without the type byte) is not a key the oracle ever writes.
    assert not oracle.preimage_part_ok(keccak256(a), 8)
    oracle.load_keccak256_part(8, b)
    assert oracle.read_preimage(keccak256_key(b), 8) == read_part(b, 8)
    assert oracle.read_preimage(keccak256_key(a), 8) == read_part(a, 8)


def test_reloading_is_idempotent(oracle: PreimageOracle) -> None:
    preimage = b"x" * 40
    oracle.load_keccak256_part(9, preimage)
    oracle.load_keccak256_part(9, preimage)
    assert oracle.read_preimage(keccak256_key(preimage), 9) == read_part(preimage, 9)


def test_largest_accepted_preimage_and_one_byte_more(embedded: EmbeddedChain) -> None:
    oracle = PreimageOracle.deploy(embedded)
    big = bytes(i % 251 for i in range(MAX_PREIMAGE_SIZE))
    key = keccak256_key(big)
    for offset in (0, 5, MAX_PREIMAGE_SIZE - 20, MAX_PREIMAGE_SIZE + 7):
        oracle.load_keccak256_part(offset, big)
        assert_served(oracle, key, big, offset)
    reverts_with(None, oracle.load_keccak256_part, 0, big + b"\x00")


@settings(max_examples=60, deadline=None)
@given(preimage=st.binary(max_size=300), data=st.data())
def test_keccak_parts_match_reference_for_random_input(preimage: bytes, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(preimage) + 7))
    oracle = _shared_oracle()
    oracle.load_keccak256_part(offset, preimage)
    assert_served(oracle, keccak256_key(preimage), preimage, offset)


_ORACLE: list[PreimageOracle] = []


def _shared_oracle() -> PreimageOracle:
    """One oracle reused across hypothesis examples (loads are idempotent per key/offset)."""
    if not _ORACLE:
        _ORACLE.append(PreimageOracle.deploy(EmbeddedChain()))
    return _ORACLE[0]


# ---- local data ------------------------------------------------------------------------------

CONTEXT = keccak256(b"some local context")


def test_local_data_key_is_localized_with_caller_and_context(embedded: EmbeddedChain,
                                                             oracle: PreimageOracle) -> None:
    alice, bob = embedded.accounts[1:3]
    word = keccak256(b"l1 head")
    r1 = oracle.load_local_data(1, CONTEXT, word, 32, 0, sender=alice)
    key = local_key_of(r1)
    assert key == localize_ident(1, CONTEXT, alice)
    assert key[0] == 1
    assert oracle.read_preimage(key, 0) == ((32).to_bytes(8, "big") + word[:24], 32)
    r2 = oracle.load_local_data(1, CONTEXT, word, 32, 0, sender=bob)
    assert local_key_of(r2) == localize_ident(1, CONTEXT, bob) != key
    r3 = oracle.load_local_data(1, keccak256(b"other"), word, 32, 0, sender=alice)
    assert local_key_of(r3) != key
    # The ident's top byte is replaced by the local type, exactly like the client-side key.
    r4 = oracle.load_local_data((0xAB << 248) | 1, CONTEXT, word, 32, 0, sender=alice)
    assert local_key_of(r4) == key


@pytest.mark.parametrize("size", [0, 8, 20, 32])
def test_local_data_every_offset(embedded: EmbeddedChain, oracle: PreimageOracle,
                                 size: int) -> None:
    word = bytes(range(0xA0, 0xC0))  # all 32 bytes non-zero, beyond `size` too
    caller = embedded.accounts[0]
    key = localize_ident(4, CONTEXT, caller)
    full = size.to_bytes(8, "big") + word + bytes(32)  # upstream stores all 32 bytes of the word
    for offset in range(size + 8):
        oracle.load_local_data(4, CONTEXT, word, size, offset)
        dat, dat_len = oracle.read_preimage(key, offset)
        assert dat == full[offset : offset + 32]
        assert dat_len == min(32, size + 8 - offset)
        assert oracle.preimage_length(key) == size
    reverts_with("PartOffsetOOB", oracle.load_local_data, 4, CONTEXT, word, size, size + 8)


def test_local_data_size_over_32_is_rejected(oracle: PreimageOracle) -> None:
    reverts_with("PartOffsetOOB", oracle.load_local_data, 2, CONTEXT, bytes(32), 33, 0)
    reverts_with("PartOffsetOOB", oracle.load_local_data, 2, CONTEXT, bytes(32), 2**256 - 1, 0)


def test_sha256_largest_accepted_preimage_and_one_byte_more(embedded: EmbeddedChain) -> None:
    oracle = PreimageOracle.deploy(embedded)
    big = bytes(i % 241 for i in range(MAX_PREIMAGE_SIZE))
    oracle.load_sha256_part(MAX_PREIMAGE_SIZE + 7, big)
    assert_served(oracle, sha256_key(big), big, MAX_PREIMAGE_SIZE + 7)
    # Over the Bytes[] bound the ABI decoder reverts without data (documented in the contract).
    reverts_with(None, oracle.load_sha256_part, 0, big + b"\x00")
    reverts_with("PartOffsetOOB", oracle.load_sha256_part, MAX_PREIMAGE_SIZE + 8, big)


def test_sha256_parts_land_only_under_the_sha256_key(oracle: PreimageOracle) -> None:
    preimage = b"loaded through the sha256 loader"
    oracle.load_sha256_part(3, preimage)
    assert oracle.preimage_part_ok(sha256_key(preimage), 3)
    assert not oracle.preimage_part_ok(keccak256_key(preimage), 3)
    assert not oracle.preimage_part_ok(sha256_key(preimage), 4)
    assert not oracle.preimage_part_ok(sha256_key(preimage + b"."), 3)
    reverts_with("Error", oracle.read_preimage, keccak256_key(preimage), 3)
