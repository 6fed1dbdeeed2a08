"""The rollup program's zlib decoder (guest/rollup/inflate.c, docs/ROLLUP.md §4.2).

Differential against Python's zlib for every stream zlib can write (levels, window sizes,
strategies, mixed block types), and hand-made streams for each way a stream can be malformed:
each must stop with ERROR (or LIMIT) keeping exactly the bytes decoded before. Corrupted, cut
and random streams are also run through Go's compress/flate (op-node's decoder, tests marked
`go`): the bytes a bad channel yields must be op-node's, not merely zlib's.

The unit-test main (guest/rollup/tests/test_inflate.c) prints ``status out_len sha256(out)``
per ``limit hex`` line; it places each input at the very end of a mapping followed by an
inaccessible page, so a read past the input crashes the host run.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultproof import guests
from faultproof.evm import rlp

OK, ERROR, LIMIT = 0, 1, 2
CHANNEL_LIMIT = 10_000_000  # ROLLUP.md §4.2: a channel inflates to at most this
STRATEGIES = (
    zlib.Z_DEFAULT_STRATEGY,
    zlib.Z_FILTERED,
    zlib.Z_HUFFMAN_ONLY,
    zlib.Z_RLE,
    zlib.Z_FIXED,
)


@cache
def inflate_elf(target: str = "host") -> Path:
    """The unit-test main linked with inflate.c only (guests.guest_test_elf knows evm's)."""
    return guests._build_c(
        "rollup-inflate",
        target,
        guests.build_dir(target) / "tests",
        ["-Irollup", "rollup/inflate.c", "rollup/tests/test_inflate.c"],
        out_name="rollup-test_inflate.elf",
        extra_deps=["rollup/inflate.h"],
    )


@dataclass(frozen=True)
class Result:
    status: int
    length: int
    digest: str


def case_line(stream: bytes, limit: int = CHANNEL_LIMIT, timed: bool = False) -> str:
    return f"{'t ' if timed else ''}{limit} {stream.hex() or '-'}\n"


def parse_results(text: str) -> list[Result]:
    results = []
    for line in text.splitlines():
        words = line.split()
        if len(words) == 3 and words[0].isdigit():
            results.append(Result(int(words[0]), int(words[1]), words[2]))
    return results


def inflate_many(cases: Sequence[tuple[bytes, int]]) -> list[Result]:
    """Runs the host build over (stream, limit) cases in one process."""
    text = "".join(case_line(stream, limit) for stream, limit in cases)
    proc = subprocess.run(
        [str(inflate_elf())], input=text.encode(), capture_output=True, check=False, timeout=120
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-500:])
    results = parse_results(proc.stdout.decode())
    assert len(results) == len(cases)
    return results


def inflate(stream: bytes, limit: int = CHANNEL_LIMIT) -> Result:
    return inflate_many([(stream, limit)])[0]


def expect(data: bytes, status: int = OK) -> Result:
    return Result(status, len(data), hashlib.sha256(data).hexdigest())


# --- stream makers -----------------------------------------------------------------------


def compress(
    data: bytes, level: int = 9, wbits: int = 15, mem: int = 8, strategy: int = 0
) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, mem, strategy)
    return c.compress(data) + c.flush()


def zlib_wrap(deflate: bytes, data: bytes, header: bytes = b"\x78\x9c") -> bytes:
    """A zlib stream around raw DEFLATE data (`data` is what it decodes to, for adler-32)."""
    return header + deflate + zlib.adler32(data).to_bytes(4, "big")


def mixed_stream(pieces: Sequence[tuple[bytes, int, int]]) -> tuple[bytes, bytes]:
    """One zlib stream whose blocks come from several compressors, one per (data, level,
    strategy) piece, each flushed to a byte boundary (Z_FULL_FLUSH adds an empty stored block):
    stored, fixed and dynamic blocks in one stream. Returns (stream, decoded data)."""
    raw = b""
    for index, (data, level, strategy) in enumerate(pieces):
        c = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
        last = index == len(pieces) - 1
        raw += c.compress(data) + c.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
    data = b"".join(p[0] for p in pieces)
    return zlib_wrap(raw, data), data


def batch_stream(rng: random.Random, batches: int) -> bytes:
    """OP's batch stream (ROLLUP.md §4.2): RLP strings `0x00 ‖ rlp(batch)`, batches of
    EIP-1559 transfers and ERC-20 calls among a few accounts, with random signatures."""
    accounts = [rng.randbytes(20) for _ in range(8)]
    epoch_hash = rng.randbytes(32)
    out = b""
    for number in range(batches):
        if rng.random() < 0.2:
            epoch_hash = rng.randbytes(32)
        txs: list[rlp.Encodable] = []
        for nonce in range(rng.randint(0, 6)):
            to = rng.choice(accounts)
            data = b""
            if rng.random() < 0.5:
                data = bytes.fromhex("a9059cbb") + bytes(12) + rng.choice(accounts)
                data += rng.randint(0, 10**20).to_bytes(32, "big")
            fields: list[rlp.Encodable] = [
                901,
                nonce + number * 6,
                10**9,
                2 * 10**9 + rng.randint(0, 10**6),
                21000 + len(data) * 16,
                to,
                rng.randint(0, 10**18),
                data,
                [],
                rng.randint(0, 1),
                rng.randbytes(32),
                rng.randbytes(32),
            ]
            txs.append(b"\x02" + rlp.encode(fields))
        batch: list[rlp.Encodable] = [
            rng.randbytes(32),
            100 + number // 6,
            epoch_hash,
            1_700_000_000 + 2 * number,
            txs,
        ]
        out += rlp.encode(b"\x00" + rlp.encode(batch))
    return out


class BitWriter:
    """DEFLATE's bit order (RFC 1951 §3.1.1): values LSB first, Huffman codes MSB first."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def bits(self, value: int, count: int) -> BitWriter:
        assert 0 <= value < 1 << count or (count == 0 and value == 0)
        self.value |= value << self.count
        self.count += count
        return self

    def code(self, code: tuple[int, int]) -> BitWriter:
        value, length = code
        return self.bits(int(format(value, f"0{length}b")[::-1], 2), length)

    def to_bytes(self) -> bytes:
        return self.value.to_bytes((self.count + 7) // 8, "little")


def canonical(lengths: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Symbol -> (code, length) of the canonical Huffman code (RFC 1951 §3.2.2)."""
    count = [0] * 16
    for n in lengths:
        count[n] += 1
    count[0] = 0
    code, next_code = 0, [0] * 16
    for bits in range(1, 16):
        code = (code + count[bits - 1]) << 1
        next_code[bits] = code
    codes = {}
    for symbol, n in enumerate(lengths):
        if n and next_code[n] < 1 << n:  # (an over-subscribed code leaves the rest out)
            codes[symbol] = (next_code[n], n)
            next_code[n] += 1
    return codes


FIXED_LIT = canonical([8] * 144 + [9] * 112 + [7] * 24 + [8] * 8)
FIXED_DIST = canonical([5] * 32)
CLEN_ORDER = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)
LENGTH_BASE = (
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    13,
    15,
    17,
    19,
    23,
    27,
    31,
    35,
    43,
    51,
    59,
    67,
    83,
    99,
    115,
    131,
    163,
    195,
    227,
    258,
)
LENGTH_EXTRA = (0,) * 8 + (1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0)
DIST_BASE = (
    1,
    2,
    3,
    4,
    5,
    7,
    9,
    13,
    17,
    25,
    33,
    49,
    65,
    97,
    129,
    193,
    257,
    385,
    513,
    769,
    1025,
    1537,
    2049,
    3073,
    4097,
    6145,
    8193,
    12289,
    16385,
    24577,
)
DIST_EXTRA = (
    0,
    0,
    0,
    0,
    1,
    1,
    2,
    2,
    3,
    3,
    4,
    4,
    5,
    5,
    6,
    6,
    7,
    7,
    8,
    8,
    9,
    9,
    10,
    10,
    11,
    11,
    12,
    12,
    13,
    13,
)

# A complete litlen code: bytes 9 bits, end of block 2 bits, lengths 257..264 5 bits; and a
# complete distance code: 0-1 4 bits, 2-29 5 bits. CLEN: 0-12 4 bits, 13-18 5 bits.
BASE_LIT = [9] * 256 + [2] + [5] * 8
BASE_DIST = [4, 4] + [5] * 28
BASE_CLEN = [4] * 13 + [5] * 6

Token = int | tuple[int, int]  # a literal byte, or (length, distance)


def write_tokens(
    w: BitWriter,
    tokens: Sequence[Token],
    lit: dict[int, tuple[int, int]],
    dist: dict[int, tuple[int, int]],
    end: bool = True,
) -> None:
    """Literals and (length, distance) pairs with the given codes, then end of block."""
    for token in tokens:
        if isinstance(token, int):
            w.code(lit[token])
            continue
        length, distance = token
        ls = max(i for i, base in enumerate(LENGTH_BASE) if base <= length)
        w.code(lit[257 + ls]).bits(length - LENGTH_BASE[ls], LENGTH_EXTRA[ls])
        ds = max(i for i, base in enumerate(DIST_BASE) if base <= distance)
        w.code(dist[ds]).bits(distance - DIST_BASE[ds], DIST_EXTRA[ds])
    if end:
        w.code(lit[256])


def dynamic_header(
    w: BitWriter,
    lit_lengths: Sequence[int],
    dist_lengths: Sequence[int],
    final: bool = True,
    clen_lengths: Sequence[int] = BASE_CLEN,
    length_codes: Sequence[tuple[int, int, int]] | None = None,
    counts: tuple[int, int] | None = None,
) -> None:
    """A dynamic block's header (RFC 1951 §3.2.7). The code lengths are sent one symbol each
    unless `length_codes` gives the (symbol, extra, extra bits) to send; `counts` overrides
    HLIT+257 and HDIST+1."""
    nlit, ndist = counts or (len(lit_lengths), len(dist_lengths))
    w.bits(int(final), 1).bits(2, 2).bits(nlit - 257, 5).bits(ndist - 1, 5).bits(15, 4)
    for symbol in CLEN_ORDER:
        w.bits(clen_lengths[symbol], 3)
    clen = canonical(clen_lengths)
    if length_codes is None:
        length_codes = [(n, 0, 0) for n in [*lit_lengths, *dist_lengths]]
    for symbol, extra, extra_bits in length_codes:
        w.code(clen[symbol]).bits(extra, extra_bits)


def dynamic_block(
    tokens: Sequence[Token],
    lit_lengths: Sequence[int] = BASE_LIT,
    dist_lengths: Sequence[int] = BASE_DIST,
    **header: Any,
) -> bytes:
    w = BitWriter()
    dynamic_header(w, lit_lengths, dist_lengths, **header)
    write_tokens(w, tokens, canonical(lit_lengths), canonical(dist_lengths))
    return w.to_bytes()


def fixed_block(tokens: Sequence[Token], final: bool = True, end: bool = True) -> BitWriter:
    w = BitWriter().bits(int(final), 1).bits(1, 2)
    write_tokens(w, tokens, FIXED_LIT, FIXED_DIST, end)
    return w


def zstream(raw: bytes, data: bytes = b"") -> bytes:
    return zlib_wrap(raw, data, b"\x78\x01")


def decode_tokens(tokens: Sequence[Token]) -> bytes:
    out = bytearray()
    for token in tokens:
        if isinstance(token, int):
            out.append(token)
        else:
            length, distance = token
            for _ in range(length):
                out.append(out[-distance])
    return bytes(out)


# --- differential against zlib -------------------------------------------------------------


def _repetitive_text(rng: random.Random, size: int) -> bytes:
    words = [rng.randbytes(rng.randint(1, 10)).hex()[: rng.randint(1, 12)] for _ in range(40)]
    text = " ".join(rng.choice(words) for _ in range(size // 4 + 1)).encode()
    return text[:size]


def _runs(rng: random.Random, size: int) -> bytes:
    out = bytearray()
    while len(out) < size:
        out += bytes([rng.randrange(4)]) * rng.randint(1, 300)
    return bytes(out[:size])


DATA_KINDS: dict[str, Callable[[random.Random, int], bytes]] = {
    "random": lambda rng, size: rng.randbytes(size),
    "text": _repetitive_text,
    "runs": _runs,
    "batches": lambda rng, size: batch_stream(rng, size // 400 + 1)[:size],
}


@st.composite
def payloads(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(sorted(DATA_KINDS)))
    size = draw(st.one_of(st.integers(0, 300), st.integers(0, 70_000)))
    return DATA_KINDS[kind](random.Random(draw(st.integers(0, 2**32))), size)


compressors = st.tuples(
    st.integers(0, 9),  # level
    st.integers(9, 15),  # wbits (zlib header CINFO 1..7)
    st.integers(1, 9),  # memLevel
    st.sampled_from(STRATEGIES),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=payloads(), params=compressors)
def test_every_zlib_stream_inflates_to_its_data(data: bytes, params: tuple[int, ...]) -> None:
    level, wbits, mem, strategy = params
    assert inflate(compress(data, level, wbits, mem, strategy)) == expect(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(
        st.tuples(payloads(), st.integers(0, 9), st.sampled_from(STRATEGIES)),
        min_size=1,
        max_size=5,
    )
)
def test_streams_mixing_stored_fixed_and_dynamic_blocks(
    pieces: list[tuple[bytes, int, int]],
) -> None:
    stream, data = mixed_stream(pieces)
    assert inflate(stream) == expect(data)


@pytest.mark.slow
def test_many_random_streams_in_one_run() -> None:
    rng = random.Random(7)
    cases, expected = [], []
    for _ in range(1500):
        kind = rng.choice(sorted(DATA_KINDS))
        data = DATA_KINDS[kind](rng, rng.choice((rng.randint(0, 500), rng.randint(0, 200_000))))
        level, strategy = rng.randint(0, 9), rng.choice(STRATEGIES)
        cases.append(
            (compress(data, level, rng.randint(9, 15), rng.randint(1, 9), strategy), CHANNEL_LIMIT)
        )
        expected.append(expect(data))
    assert inflate_many(cases) == expected


def test_longest_match_at_the_farthest_distance() -> None:
    """Length 258 from 32768 bytes back (the largest DEFLATE can say), after a stored block."""
    head = random.Random(3).randbytes(32768)
    w = BitWriter().bits(0, 3)  # stored, not final: pad to the byte boundary
    raw = (
        w.to_bytes() + len(head).to_bytes(2, "little") + (len(head) ^ 0xFFFF).to_bytes(2, "little")
    )
    tokens: list[Token] = [(258, 32768), (258, 1), 7, (3, 32768)]
    raw += head + fixed_block(tokens).to_bytes()
    data = head + decode_tokens([*head, *tokens])[len(head) :]
    assert inflate(zstream(raw, data)) == expect(data)


def expand_length_codes(codes: Sequence[tuple[int, int, int]]) -> list[int]:
    """The code lengths that code-length symbols (symbol, extra, extra bits) stand for."""
    out: list[int] = []
    for symbol, extra, _ in codes:
        if symbol < 16:
            out.append(symbol)
        elif symbol == 16:
            out += [out[-1]] * (3 + extra)
        else:
            out += [0] * (3 + extra if symbol == 17 else 11 + extra)
    return out


def test_hand_made_dynamic_block_with_repeat_codes() -> None:
    """Code lengths sent with 16 (repeat previous), 17 and 18 (zeros), the 16 run crossing from
    the litlen into the distance lengths (RFC 1951 §3.2.7 allows it)."""
    lit = [0] * 65 + [2] * 3 + [0] * 188 + [3] + [0] * 3 + [4, 4]  # A-C, EOB, lengths 6 and 7
    dist = [4, 4, 4, 4, 2, 2, 2]
    codes = [
        (18, 54, 7),
        (2, 0, 0),
        (2, 0, 0),
        (2, 0, 0),
        (18, 127, 7),
        (18, 39, 7),
        (3, 0, 0),
        (17, 0, 3),
        (4, 0, 0),
        (16, 2, 2),
        (2, 0, 0),
        (2, 0, 0),
        (2, 0, 0),
    ]
    assert expand_length_codes(codes) == [*lit, *dist]
    tokens: list[Token] = [65, 66, 67, (6, 3), (7, 2), (7, 9), 65]
    w = BitWriter()
    dynamic_header(w, lit, dist, length_codes=codes)
    write_tokens(w, tokens, canonical(lit), canonical(dist))
    data = decode_tokens(tokens)
    assert inflate(zstream(w.to_bytes(), data)) == expect(data)


# --- malformed streams ---------------------------------------------------------------------


def _stored(payload: bytes, final: bool = True, nlen: int | None = None) -> bytes:
    header = BitWriter().bits(int(final), 1).bits(0, 2).to_bytes()
    nlen = len(payload) ^ 0xFFFF if nlen is None else nlen
    return header + len(payload).to_bytes(2, "little") + nlen.to_bytes(2, "little") + payload


def _fixed_symbols(
    literals: bytes,
    lit_symbol: int | None = None,
    dist_symbol: int | None = None,
    length_symbol: int = 257,
) -> bytes:
    """A fixed block: `literals`, then the raw litlen symbol or a length with a raw distance
    symbol (no extra bits needed for the ones used here), then end of block."""
    w = fixed_block(list(literals), end=False)
    if lit_symbol is not None:
        w.code(FIXED_LIT[lit_symbol])
    if dist_symbol is not None:
        w.code(FIXED_LIT[length_symbol]).code(FIXED_DIST[dist_symbol])
    w.code(FIXED_LIT[256])
    return w.to_bytes()


def _single(symbol: int, size: int, length: int = 1) -> list[int]:
    lengths = [0] * size
    lengths[symbol] = length
    return lengths


def _dyn(
    tokens: Sequence[Token] | None = None,
    lit: Sequence[int] = BASE_LIT,
    dist: Sequence[int] = BASE_DIST,
    tail: Callable[[BitWriter], object] | None = None,
    end: bool = True,
    **header: Any,
) -> bytes:
    """A dynamic block: header, then `tokens` (none for a header that must fail), `tail`."""
    w = BitWriter()
    dynamic_header(w, lit, dist, **header)
    if tokens is not None:
        write_tokens(w, tokens, canonical(lit), canonical(dist), end)
    if tail is not None:
        tail(w)
    return w.to_bytes()


def _header(cmf: int, flags: int = 0) -> bytes:
    """CMF and FLG with a right FCHECK."""
    flg = flags | (31 - (cmf * 256 + flags) % 31) % 31
    return bytes([cmf, flg])


_HI: list[Token] = [104, 105]  # "hi": what a decoder that let the bad code pass would print
_GOOD = fixed_block(list(b"ok")).to_bytes() + zlib.adler32(b"ok").to_bytes(4, "big")
_ONE_DIST = _single(0, 1)  # a single 1-bit distance code (RFC 1951 §3.2.7)
_BYTES_ONLY = [8] * 256 + [0]  # complete, but no end of block
_SYMBOL_257 = canonical(BASE_LIT)[257]

_A_EOB_B = [0] * 97 + [1, 2] + [0] * 157 + [2]  # 'a' 1 bit, 'b' and end of block 2 bits


def _literals_to_pad_one_bit() -> int:
    """How many 1-bit 'a's after that code's header leave exactly one padding bit."""
    w = BitWriter()
    dynamic_header(w, _A_EOB_B, [0])
    return (7 - w.count) % 8 + 8


_PAD_TO_ONE_BIT = _literals_to_pad_one_bit()

# name -> (stream, the bytes decoded before it stops, status)
MALFORMED: dict[str, tuple[bytes, bytes, int]] = {
    "empty input": (b"", b"", ERROR),
    "one header byte": (b"\x78", b"", ERROR),
    "header only": (b"\x78\x9c", b"", ERROR),
    "CM 7": (_header(0x77) + _GOOD, b"", ERROR),
    "CM 15": (_header(0x7F) + _GOOD, b"", ERROR),
    "CINFO 8": (_header(0x88) + _GOOD, b"", ERROR),
    "FCHECK wrong": (b"\x78\x9d" + _GOOD, b"", ERROR),
    "preset dictionary": (_header(0x78, 0x20) + b"\x00\x00\x00\x01" + _GOOD, b"", ERROR),
    "block type 3": (zstream(BitWriter().bits(7, 3).bits(0, 13).to_bytes()), b"", ERROR),
    "block type 3 after a block": (
        zstream(_stored(b"abc", final=False) + BitWriter().bits(7, 3).to_bytes()),
        b"abc",
        ERROR,
    ),
    "stored NLEN not LEN's complement": (zstream(_stored(b"abc", nlen=0xFFFF)), b"", ERROR),
    "stored block cut short": (b"\x78\x01" + _stored(b"abcdef")[:-2], b"abcd", ERROR),
    "stored block without LEN": (b"\x78\x01\x01\x05\x00", b"", ERROR),
    "no final block": (b"\x78\x01" + _stored(b"ab", final=False), b"ab", ERROR),
    "literal/length 286 (fixed)": (zstream(_fixed_symbols(b"xy", lit_symbol=286)), b"xy", ERROR),
    "literal/length 287 (fixed)": (zstream(_fixed_symbols(b"xy", lit_symbol=287)), b"xy", ERROR),
    "distance 30 (fixed)": (zstream(_fixed_symbols(b"xy", dist_symbol=30)), b"xy", ERROR),
    "distance 31 (fixed)": (zstream(_fixed_symbols(b"xy", dist_symbol=31)), b"xy", ERROR),
    "distance before the output start": (
        zstream(_fixed_symbols(b"xy", dist_symbol=2)),
        b"xy",
        ERROR,
    ),
    "distance 2 after 2 bytes": (zstream(_fixed_symbols(b"xy", dist_symbol=1)), b"xyxyx", OK),
    "a match first": (zstream(_fixed_symbols(b"", dist_symbol=0)), b"", ERROR),
    "HLIT 287": (zstream(_dyn(_HI, counts=(287, 30))), b"", ERROR),
    "HLIT 288": (zstream(_dyn(counts=(288, 30))), b"", ERROR),
    "HDIST 31": (zstream(_dyn(_HI, counts=(265, 31))), b"", ERROR),
    "HDIST 32": (zstream(_dyn(counts=(265, 32))), b"", ERROR),
    "code-length code over-subscribed": (
        zstream(_dyn(clen_lengths=[3, *BASE_CLEN[1:]], length_codes=[])),
        b"",
        ERROR,
    ),
    "code-length code incomplete": (
        zstream(_dyn(_HI, clen_lengths=[5, *BASE_CLEN[1:]])),
        b"",
        ERROR,
    ),
    "code-length code empty": (zstream(_dyn(clen_lengths=[0] * 19, length_codes=[])), b"", ERROR),
    "code-length code of one symbol": (
        zstream(_dyn(clen_lengths=_single(8, 19), length_codes=[(8, 0, 0)] * 295)),
        b"",
        ERROR,
    ),
    "litlen code over-subscribed": (zstream(_dyn(_HI, lit=[*BASE_LIT, 5])), b"", ERROR),
    "litlen code incomplete": (zstream(_dyn(_HI, lit=BASE_LIT[:-1])), b"", ERROR),
    "litlen code of two 1-bit codes plus one": (
        zstream(_dyn(lit=[1] * 2 + [0] * 254 + [1])),
        b"",
        ERROR,
    ),
    "distance code over-subscribed": (zstream(_dyn(_HI, dist=[3, *BASE_DIST[1:]])), b"", ERROR),
    "distance code incomplete": (zstream(_dyn(_HI, dist=BASE_DIST[:-1])), b"", ERROR),
    "distance code of one 2-bit code": (zstream(_dyn(_HI, dist=_single(0, 1, 2))), b"", ERROR),
    "repeat (16) first": (zstream(_dyn(length_codes=[(16, 0, 2)])), b"", ERROR),
    "zeros (17) run past the end": (
        zstream(_dyn(length_codes=[*((n, 0, 0) for n in BASE_LIT), *[(4, 0, 0)] * 29, (17, 0, 3)])),
        b"",
        ERROR,
    ),
    "zeros (18) run past the end": (
        zstream(_dyn(length_codes=[*((n, 0, 0) for n in BASE_LIT), *[(4, 0, 0)] * 20, (18, 0, 7)])),
        b"",
        ERROR,
    ),
    "repeat (16) run past the end": (
        zstream(_dyn(length_codes=[*((n, 0, 0) for n in BASE_LIT), *[(4, 0, 0)] * 28, (16, 0, 2)])),
        b"",
        ERROR,
    ),
    # Degenerate codes RFC 1951 allows (zlib and Go's compress/flate accept them):
    "one distance code of 1 bit": (
        zstream(_dyn([1, 2, (4, 1)], dist=_ONE_DIST)),
        b"\x01\x02\x02\x02\x02\x02",
        OK,
    ),
    "the unused 1-bit distance code": (
        zstream(
            _dyn([1], dist=_ONE_DIST, end=False, tail=lambda w: w.code(_SYMBOL_257).bits(1, 1))
        ),
        b"\x01",
        ERROR,
    ),
    "no distance codes, literals only": (zstream(_dyn([5, 6], dist=[0])), b"\x05\x06", OK),
    "no distance codes, a match": (
        zstream(_dyn([5], dist=[0], end=False, tail=lambda w: w.code(_SYMBOL_257))),
        b"\x05",
        ERROR,
    ),
    "litlen code of only end of block": (zstream(_dyn([], _single(256, 257), [0])), b"", OK),
    # Go's compress/flate (op-node) does not refuse a litlen code without end of block: it
    # decodes until the input ends, keeping the bytes.
    "litlen code without end of block": (
        b"\x78\x01" + _dyn(list(b"abc"), _BYTES_ONLY, [0], end=False),
        b"abc",
        ERROR,
    ),
    "litlen code of one 1-bit literal": (
        b"\x78\x01" + _dyn([7, 7, 7], _single(7, 257), [0], end=False, tail=lambda w: w.bits(1, 1)),
        b"\x07\x07\x07",
        ERROR,
    ),
    # Go reads as many bits as the end-of-block code has before any litlen symbol of a
    # dynamic block: one padding bit left is not enough for a 1-bit 'a' there.
    "a 1-bit literal with fewer bits left than end of block": (
        b"\x78\x01" + _dyn(list(b"a" * _PAD_TO_ONE_BIT), _A_EOB_B, [0], end=False),
        b"a" * _PAD_TO_ONE_BIT,
        ERROR,
    ),
}


# Where op-node's Go reader (which inflate.c follows) and zlib part, and what zlib says: zlib
# refuses a litlen code without end of block before decoding the block (-1 below), Go decodes
# until the input ends; zlib decodes a literal from the last bits, Go first wants the bits of
# an end-of-block code.
GO_ONLY: dict[str, tuple[int, bytes]] = {
    "litlen code without end of block": (-1, b""),
    "litlen code of one 1-bit literal": (-1, b""),
    "a 1-bit literal with fewer bits left than end of block": (ERROR, b"a" * (_PAD_TO_ONE_BIT + 1)),
}


def zlib_reference(stream: bytes) -> tuple[int, bytes]:
    """What zlib itself makes of a stream, read the way inflate.h promises: the header checked
    as RFC 1950 says, then raw DEFLATE fed one byte at a time so that the bytes before an error
    are seen; the trailer is not looked at. Returns (status, bytes)."""
    if len(stream) < 2 or stream[0] & 15 != 8 or stream[0] >> 4 > 7 or stream[1] & 0x20:
        return ERROR, b""
    if (stream[0] * 256 + stream[1]) % 31:
        return ERROR, b""
    d = zlib.decompressobj(-15)
    out = b""
    for i in range(2, len(stream)):
        try:
            out += d.decompress(stream[i : i + 1])
        except zlib.error as exc:
            return (-1 if "missing end-of-block" in str(exc) else ERROR), out
        if d.eof:
            return OK, out
    return ERROR, out


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_stream_stops_with_the_bytes_before(name: str) -> None:
    stream, before, status = MALFORMED[name]
    assert inflate(stream) == expect(before, status)
    reference = zlib_reference(stream)
    if name in GO_ONLY:
        assert reference == GO_ONLY[name]
    else:
        assert reference == (status, before)


def _mutate(rng: random.Random, stream: bytes) -> bytes:
    data = bytearray(stream)
    for _ in range(rng.randint(1, 3)):
        where = rng.randrange(2, len(data))  # keep the header: the blocks are the point
        if rng.random() < 0.7:
            data[where] ^= 1 << rng.randrange(8)
        else:
            data[where] = rng.randrange(256)
    if rng.random() < 0.3:
        del data[rng.randrange(2, len(data)) :]
    return bytes(data)


def check_against_zlib(streams: Sequence[bytes]) -> None:
    """inflate.c and zlib agree on status and bytes, but for Go's two rules (GO_ONLY): where
    zlib refuses a litlen code without end of block, inflate.c goes on and must stop with ERROR
    or LIMIT with at least zlib's bytes; at the end of a cut stream it may stop before a last
    literal or two that zlib decodes. Exact agreement with Go: the `go` tests below."""
    for stream, result in zip(
        streams, inflate_many([(s, CHANNEL_LIMIT) for s in streams]), strict=True
    ):
        status, data = zlib_reference(stream)
        if status == -1:
            assert result.status != OK and result.length >= len(data), stream.hex()
        elif result.length < len(data) and status == ERROR:
            assert result == expect(data[: result.length], ERROR), stream.hex()
            assert len(data) - result.length <= 15, stream.hex()  # a few bits' worth
        else:
            assert result == expect(data, status), stream.hex()


def _fuzz_streams(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    streams = []
    for _ in range(count):
        kind = rng.choice(sorted(DATA_KINDS))
        data = DATA_KINDS[kind](rng, rng.randint(1, 3000))
        level, strategy = rng.randint(0, 9), rng.choice(STRATEGIES)
        streams.append(_mutate(rng, compress(data, level, strategy=strategy)))
    return streams


def test_corrupted_streams_agree_with_zlib() -> None:
    """Random bit flips and cuts in zlib's streams: each stops where zlib stops, with zlib's
    bytes (bad Huffman codes, distances, block types, stored lengths, all reached naturally)."""
    check_against_zlib(_fuzz_streams(seed=1, count=300))


@pytest.mark.slow
def test_many_corrupted_streams_agree_with_zlib() -> None:
    check_against_zlib(_fuzz_streams(seed=2, count=5000))


def test_valid_streams_after_the_final_block_are_not_read() -> None:
    """The adler-32 trailer is not checked (ROLLUP.md §4.2): wrong, missing or followed by
    junk, the stream still decodes."""
    data = b"batch " * 50
    stream = compress(data)
    bad = stream[:-1] + bytes([stream[-1] ^ 1])
    results = inflate_many([(s, CHANNEL_LIMIT) for s in (bad, stream[:-4], stream + b"junk")])
    assert results == [expect(data)] * 3


def test_truncated_streams_keep_a_prefix_of_the_data() -> None:
    """Every cut of a small stream mixing stored, fixed and dynamic blocks (plus the hand-made
    repeat-code block): ERROR while the final block is incomplete, with bytes that start the
    true output; OK once only the trailer is missing."""
    rng = random.Random(5)
    stream, data = mixed_stream(
        [
            (b"stored bytes", 0, 0),
            (_repetitive_text(rng, 200), 9, 0),
            (b"fixed fixed fixed", 9, zlib.Z_FIXED),
            (batch_stream(rng, 2)[:300], 6, 0),
        ]
    )
    deflate_end = len(stream) - 4
    results = inflate_many([(stream[:cut], CHANNEL_LIMIT) for cut in range(len(stream))])
    for cut, result in enumerate(results):
        assert result == expect(data[: result.length], OK if cut >= deflate_end else ERROR), cut
    lengths = [r.length for r in results]
    assert lengths == sorted(lengths) and lengths[-1] == len(data)


def test_the_output_limit_keeps_the_bytes_up_to_it() -> None:
    rng = random.Random(9)
    data = batch_stream(rng, 30)
    streams = [
        compress(data, level, strategy=strategy)
        for level, strategy in ((9, 0), (0, 0), (6, zlib.Z_FIXED), (1, zlib.Z_RLE))
    ]
    limits = [0, 1, 2, 257, len(data) // 2, len(data) - 1, len(data), len(data) + 1]
    cases = [(s, limit) for s in streams for limit in limits]
    for (_, limit), result in zip(cases, inflate_many(cases), strict=True):
        if limit >= len(data):
            assert result == expect(data)
        else:
            assert result == expect(data[:limit], LIMIT)
    assert inflate(compress(b""), 0) == expect(b"")


def test_a_compression_bomb_stops_at_the_channel_limit() -> None:
    """12 MB of zeros in ~12 KB: the buffer grows from its first guess to exactly the
    10,000,000-byte limit (ROLLUP.md §4.2) and the bytes up to it are kept."""
    stream = compress(bytes(12_000_000))
    assert inflate(stream) == expect(bytes(CHANNEL_LIMIT), LIMIT)
    assert inflate(stream, 12_000_000) == expect(bytes(12_000_000))


# --- inside the MIPS32 VM (32-bit, big-endian) ---------------------------------------------


class _StepStamps(io.RawIOBase):
    """A stdout for the MIPS VM noting the step count at which each line is written."""

    def __init__(self) -> None:
        super().__init__()
        self.vm: Any = None
        self.lines: list[tuple[str, int]] = []
        self._pending = b""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._pending += bytes(data)
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            self.lines.append((line.decode(), self.vm.step_count))
        return len(data)


def typical_channel(seed: int = 42, batches: int = 150) -> tuple[bytes, bytes]:
    """A channel as op-batcher writes one: a batch stream at zlib's best compression
    (~85 KiB of batches here). Returns (stream, batch stream)."""
    data = batch_stream(random.Random(seed), batches)
    return compress(data, 9), data


# steps per KiB of output in the MIPS32 VM for typical_channel: measured 18.5 k (~18 steps a
# byte; the batch stream is mostly literals: signatures and hashes do not compress). The bound
# catches a slide into the checked loop or bit-by-bit decoding.
STEPS_PER_KIB_BUDGET = 26_000


def vm_sample() -> list[tuple[bytes, int]]:
    """A few streams for the VM runs: each block type, a limit, a truncation, errors."""
    channel, _ = typical_channel()
    rng = random.Random(4)
    return [
        (compress(_repetitive_text(rng, 5000), 6, strategy=zlib.Z_FIXED), CHANNEL_LIMIT),
        (compress(rng.randbytes(3000), 0), CHANNEL_LIMIT),
        (compress(_runs(rng, 4000), 9, strategy=zlib.Z_RLE), 1000),
        (channel[: len(channel) // 3], CHANNEL_LIMIT),
        *((MALFORMED[name][0], CHANNEL_LIMIT) for name in sorted(MALFORMED)[:12]),
    ]


def run_in_vm(target: str, text: str) -> list[tuple[str, int]]:
    """The test main's stdout lines, each with the step it was written at, in our VM for
    `target` (the cases come from local key 1: VMs have no stdin)."""
    from faultproof.preimage.bootinfo import BootInfo
    from faultproof.preimage.host import LocalHost
    from faultproof.vm.mips.loader import load_elf_bytes as load_mips
    from faultproof.vm.riscv.loader import load_elf_bytes as load_riscv

    elf = inflate_elf(target).read_bytes()
    assert guests.bad_instructions(elf) == []
    stamps = _StepStamps()
    host = LocalHost(boot_info=BootInfo({1: text.encode()}))
    vm: Any
    if target == "mips32":
        vm = load_mips(elf, host=host, stdout=cast(Any, stamps))
    else:
        vm = load_riscv(elf, host=host, stdout=cast(Any, stamps))
    stamps.vm = vm
    vm.run(max_steps=100_000_000)
    assert vm.exited and vm.exit_code == 0
    return stamps.lines


def test_mips32_build_in_the_vm_agrees_and_costs() -> None:
    """The 32-bit big-endian build in our Cannon-compatible VM: the same lines as the host
    build for the sample, no instruction Cannon lacks, and the decoder's steps per KiB."""
    channel, data = typical_channel()
    sample = vm_sample()
    text = case_line(channel, timed=True) + "".join(case_line(s, limit) for s, limit in sample)
    stamps = run_in_vm("mips32", text)
    lines = [line for line, _ in stamps]
    assert lines[:2] == ["start", f"done 0 {len(data)}"]
    assert parse_results("\n".join(lines)) == [expect(data), *inflate_many(sample)]
    steps = stamps[1][1] - stamps[0][1]
    assert steps * 1024 / len(data) < STEPS_PER_KIB_BUDGET, steps * 1024 / len(data)


def test_riscv64_build_in_the_vm_agrees() -> None:
    sample = vm_sample()
    stamps = run_in_vm("riscv64", "".join(case_line(s, limit) for s, limit in sample))
    assert parse_results("\n".join(line for line, _ in stamps)) == inflate_many(sample)


def _deepest_code(symbols: Sequence[int], size: int) -> list[int]:
    """Lengths 1, 2, ..., 14, 15, 15 for `symbols` (16 of them): a complete code whose last two
    symbols take the longest codes DEFLATE allows."""
    lengths = [0] * size
    for depth, symbol in enumerate(symbols):
        lengths[symbol] = min(depth + 1, 15)
    return lengths


def test_longest_codes_up_to_the_last_input_byte() -> None:
    """Matches of 48 bits each (15-bit length code, 5 extra bits, 15-bit distance code, 13
    extra bits) up to the very end of the input, cut at every length: the unchecked loop must
    never read past the input (the host run would fault) and agrees with zlib."""
    lit = _deepest_code([*range(97, 110), 256, 284, 283], 285)
    dist = _deepest_code([*range(14), 29, 28], 30)
    tokens: list[Token] = [97, *[(250, 1)] * 110, *[(250, 25_000)] * 60]
    raw = b"\x78\x01" + _dyn(tokens, lit, dist)
    data = decode_tokens(tokens)
    assert inflate(raw) == expect(data)
    assert zlib_reference(raw) == (OK, data)
    check_against_zlib([raw[:cut] for cut in range(len(raw))])


# --- against op-node's own decoder (Go's compress/flate) ------------------------------------

# The reference op-node reads channels with: the header checked as inflate.h says (op-node's
# compress/zlib also accepts FDICT with dictionary id 1, the empty dictionary's adler-32; the
# spec refuses every preset dictionary), then compress/flate read until it stops. Its bytes are
# kept on error (flate flushes them), like inflate.c's.
GO_REFERENCE = """package main

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func inflate(data []byte, limit int) (int, []byte) {
	if len(data) < 2 || data[0]&15 != 8 || data[0]>>4 > 7 || data[1]&0x20 != 0 ||
		(int(data[0])<<8|int(data[1]))%31 != 0 {
		return 1, nil
	}
	r := flate.NewReader(bytes.NewReader(data[2:]))
	var got []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if len(got) > limit {
			return 2, got[:limit]
		}
		if err == io.EOF {
			return 0, got
		}
		if err != nil {
			return 1, got
		}
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<30)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Fields(in.Text())
		limit, _ := strconv.Atoi(fields[0])
		data, _ := hex.DecodeString(strings.TrimPrefix(fields[1], "-"))
		status, got := inflate(data, limit)
		sum := sha256.Sum256(got)
		fmt.Fprintf(out, "%d %d %s\\n", status, len(got), hex.EncodeToString(sum[:]))
	}
}
"""


@cache
def go_reference_binary() -> Path:
    go = guests.find_go()
    if go is None:
        pytest.skip("no Go toolchain (Debian golang-go)")
    directory = guests.build_dir("host") / "tests" / "go-inflate-reference"
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "main.go"
    binary = directory / f"reference-{hashlib.sha256(GO_REFERENCE.encode()).hexdigest()[:12]}"
    if not binary.exists():
        source.write_text(GO_REFERENCE)
        tmp = binary.with_name(binary.name + ".tmp")
        subprocess.run(
            [go, "build", "-o", str(tmp), str(source)], check=True, capture_output=True,
            env={**os.environ, "GOTOOLCHAIN": "local"}, timeout=300,
        )  # fmt: skip
        os.replace(tmp, binary)
    return binary


def go_inflate_many(cases: Sequence[tuple[bytes, int]]) -> list[Result]:
    text = "".join(case_line(stream, limit) for stream, limit in cases)
    proc = subprocess.run(
        [str(go_reference_binary())], input=text.encode(), capture_output=True, check=True,
        timeout=120,
    )  # fmt: skip
    return parse_results(proc.stdout.decode())


def check_against_go(cases: Sequence[tuple[bytes, int]]) -> None:
    ours, go = inflate_many(cases), go_inflate_many(cases)
    for (stream, limit), mine, theirs in zip(cases, ours, go, strict=True):
        assert mine == theirs, (limit, stream.hex())


@pytest.mark.go
def test_malformed_streams_stop_where_op_nodes_decoder_stops() -> None:
    check_against_go([(MALFORMED[name][0], CHANNEL_LIMIT) for name in sorted(MALFORMED)])


@pytest.mark.go
def test_corrupted_and_cut_streams_give_op_nodes_bytes() -> None:
    """Bit flips, cuts at every length of a few streams (mixed blocks; the longest codes),
    and limits: the same status and bytes as Go's compress/flate."""
    rng = random.Random(6)
    mixed, _ = mixed_stream([(b"stored bytes", 0, 0), (_repetitive_text(rng, 300), 9, 0),
                             (b"fixed fixed fixed", 9, zlib.Z_FIXED),
                             (batch_stream(rng, 2)[:300], 6, 0)])  # fmt: skip
    lit = _deepest_code([*range(97, 110), 256, 284, 283], 285)
    dist = _deepest_code([*range(14), 29, 28], 30)
    deep = b"\x78\x01" + _dyn([97, *[(250, 1)] * 110, *[(250, 25_000)] * 60], lit, dist)
    channel, data = typical_channel(batches=20)
    cases = [(s[:cut], CHANNEL_LIMIT) for s in (mixed, deep) for cut in range(len(s) + 1)]
    cases += [(s, CHANNEL_LIMIT) for s in _fuzz_streams(seed=3, count=400)]
    cases += [(channel, limit) for limit in (0, 1, len(data) // 3, len(data))]
    check_against_go(cases)


def _random_code(rng: random.Random, size: int, leaves: int) -> list[int]:
    """Code lengths for `size` symbols: a complete code grown by splitting random leaves
    (depth <= 15) on random symbols, one length in ten then set at random (often breaking it)."""
    depths = [0]
    while len(depths) < min(leaves, size) and any(d < 15 for d in depths):
        i = rng.choice([i for i, d in enumerate(depths) if d < 15])
        depths[i : i + 1] = [depths[i] + 1] * 2
    lengths = [0] * size
    for symbol, depth in zip(rng.sample(range(size), len(depths)), depths, strict=False):
        lengths[symbol] = depth
    if rng.random() < 0.1:
        lengths[rng.randrange(size)] = rng.randint(0, 15)
    return lengths


def _random_dynamic_streams(seed: int, count: int) -> list[tuple[bytes, int]]:
    """Dynamic blocks with random (mostly valid) codes followed by random bits: the table
    builder's edge cases (degenerate, incomplete, no end of block, long codes) meet every
    symbol the codes allow, at random limits."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        nlit, ndist = rng.randint(257, 286), rng.randint(1, 30)
        lit = _random_code(rng, nlit, rng.choice([1, 2, rng.randint(2, nlit)]))
        dist = _random_code(rng, ndist, rng.choice([0, 1, rng.randint(1, ndist)]))
        w = BitWriter()
        dynamic_header(w, lit, dist, final=rng.random() < 0.8)
        tail = rng.randint(0, 600)
        w.bits(rng.getrandbits(tail), tail)
        limit = rng.choice([CHANNEL_LIMIT, rng.randint(0, 300)])
        cases.append((b"\x78\x01" + w.to_bytes(), limit))
    return cases


@pytest.mark.go
def test_random_dynamic_codes_decode_as_op_nodes_decoder_does() -> None:
    check_against_go(_random_dynamic_streams(seed=1, count=1500))


@pytest.mark.go
@pytest.mark.slow
def test_many_corrupted_streams_give_op_nodes_bytes() -> None:
    check_against_go([(s, CHANNEL_LIMIT) for s in _fuzz_streams(seed=4, count=20_000)])
    check_against_go(_random_dynamic_streams(seed=2, count=20_000))
