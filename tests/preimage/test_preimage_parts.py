"""`read_part` mirrors PreimageOracle.readPreimage (§4.3); `oracle_key` localizes only locals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faultproof.preimage.keys import keccak256_key, local_key, localize
from faultproof.preimage.parts import PartOffsetOutOfBounds, oracle_key, read_part


def test_first_part_holds_the_length_prefix() -> None:
    dat, dat_len = read_part(b"\xaa" * 100, 0)
    assert dat == (100).to_bytes(8, "big") + b"\xaa" * 24
    assert dat_len == 32


def test_tail_part_is_zero_padded_and_short() -> None:
    dat, dat_len = read_part(b"abc", 4)  # stream is 11 bytes
    assert dat == b"\x00\x00\x00\x03abc".ljust(32, b"\x00")
    assert dat_len == 7


def test_boundary_where_offset_plus_32_equals_stream_length() -> None:
    value = bytes(range(24))  # stream of 32 bytes
    assert read_part(value, 0)[1] == 32  # contract: offset+32 >= len+8 -> len+8-offset = 32


def test_offset_at_or_past_the_end_is_out_of_bounds() -> None:
    with pytest.raises(PartOffsetOutOfBounds, match="offset 11"):
        read_part(b"abc", 11)
    with pytest.raises(PartOffsetOutOfBounds):
        read_part(b"", 8)


@given(st.binary(max_size=100), st.data())
def test_parts_concatenate_back_to_the_stream(value: bytes, data: st.DataObject) -> None:
    stream = len(value).to_bytes(8, "big") + value
    offset = data.draw(st.integers(0, len(stream) - 1))
    dat, dat_len = read_part(value, offset)
    assert dat[:dat_len] == stream[offset : offset + 32]
    assert dat_len == min(32, len(stream) - offset)


def test_oracle_key_localizes_only_local_keys() -> None:
    context, caller = b"\x07" * 32, b"\x09" * 20
    assert oracle_key(local_key(2), context, caller) == localize(local_key(2), context, caller)
    assert oracle_key(keccak256_key(b"x"), context, caller) == keccak256_key(b"x")
