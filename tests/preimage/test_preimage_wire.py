"""Hint and preimage wire codecs, including short reads and peers that die mid-frame."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faultproof.preimage.errors import WireProtocolError
from faultproof.preimage.protocol import (
    HintClient,
    HintFrameDecoder,
    OracleClient,
    encode_hint,
    encode_preimage,
    read_exact,
    read_hint,
    read_key,
    read_preimage,
    write_all,
)


class Dribble(io.RawIOBase):
    """A reader that returns at most ``chunk`` bytes per read (pipes and Cannon do this)."""

    def __init__(self, data: bytes, chunk: int) -> None:
        self._data = data
        self._chunk = chunk

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1, /) -> bytes:
        take = min(n if n >= 0 else len(self._data), self._chunk)
        out, self._data = self._data[:take], self._data[take:]
        return out


class Trickle(io.BytesIO):
    """A writer that accepts at most 3 bytes per write call."""

    def write(self, data: bytes, /) -> int:  # type: ignore[override]
        return super().write(bytes(data[:3]))


def test_hint_frame_is_u32_be_length_then_payload() -> None:
    assert encode_hint(b"keccak 0xab") == b"\x00\x00\x00\x0bkeccak 0xab"
    assert encode_hint(b"") == b"\x00\x00\x00\x00"


def test_preimage_stream_is_u64_be_length_then_value() -> None:
    assert encode_preimage(b"abc") == b"\x00" * 7 + b"\x03abc"


@given(st.lists(st.binary(max_size=70), max_size=5), st.integers(1, 9))
def test_hints_survive_any_read_chunking(hints: list[bytes], chunk: int) -> None:
    reader = Dribble(b"".join(encode_hint(h) for h in hints), chunk)
    got = []
    while (hint := read_hint(reader)) is not None:
        got.append(hint)
    assert got == hints


@given(st.binary(max_size=200), st.integers(1, 9))
def test_preimage_answer_survives_short_reads(value: bytes, chunk: int) -> None:
    assert read_preimage(Dribble(encode_preimage(value), chunk)) == value


@given(st.lists(st.binary(max_size=40), max_size=6), st.lists(st.integers(1, 13), min_size=1))
def test_frame_decoder_matches_cannon_buffering(hints: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(encode_hint(h) for h in hints)
    decoder = HintFrameDecoder()
    got: list[bytes] = []
    pos, i = 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        got.extend(decoder.feed(stream[pos : pos + step]))
        pos, i = pos + step, i + 1
    assert got == hints
    assert decoder.pending == b""


def test_frame_decoder_keeps_a_partial_hint_pending() -> None:
    decoder = HintFrameDecoder()
    assert list(decoder.feed(encode_hint(b"abcdef")[:7])) == []
    assert decoder.pending == b"\x00\x00\x00\x06abc"
    assert list(decoder.feed(b"def")) == [b"abcdef"]


def test_eof_between_frames_is_clean_but_eof_inside_is_an_error() -> None:
    assert read_hint(io.BytesIO(b"")) is None
    assert read_key(io.BytesIO(b"")) is None
    with pytest.raises(WireProtocolError, match="after 2 of 4 bytes"):
        read_hint(io.BytesIO(b"\x00\x00"))
    with pytest.raises(WireProtocolError, match="hint body"):
        read_hint(io.BytesIO(b"\x00\x00\x00\x05ab"))
    with pytest.raises(WireProtocolError, match="preimage key"):
        read_key(io.BytesIO(b"\x02" * 31))
    with pytest.raises(WireProtocolError, match="before answering"):
        read_preimage(io.BytesIO(b""))
    with pytest.raises(WireProtocolError, match="3 of 5 bytes of preimage value"):
        read_preimage(io.BytesIO(encode_preimage(b"12345")[:-2]))


def test_absurd_hint_length_is_rejected_not_allocated() -> None:
    with pytest.raises(WireProtocolError, match="stream is broken"):
        read_hint(io.BytesIO(b"\xff\xff\xff\xff"))


def test_read_exact_returns_exact_bytes_over_dribble() -> None:
    assert read_exact(Dribble(b"0123456789", 3), 7, "x") == b"0123456"


def test_write_all_retries_partial_writes() -> None:
    sink = Trickle()
    write_all(sink, b"0123456789")
    assert sink.getvalue() == b"0123456789"


def test_clients_write_frames_and_read_answers() -> None:
    key = b"\x02" + bytes(31)
    out = io.BytesIO()
    assert OracleClient(Dribble(encode_preimage(b"value"), 2), out).get_preimage(key) == b"value"
    assert out.getvalue() == key
    hint_out = io.BytesIO()
    HintClient(io.BytesIO(b"\x00"), hint_out).hint(b"keccak 0x00")
    assert hint_out.getvalue() == encode_hint(b"keccak 0x00")
    with pytest.raises(WireProtocolError, match="before acking"):
        HintClient(io.BytesIO(b""), io.BytesIO()).hint(b"x")
    with pytest.raises(WireProtocolError, match="expected 32"):
        OracleClient(io.BytesIO(), io.BytesIO()).get_preimage(b"short")
