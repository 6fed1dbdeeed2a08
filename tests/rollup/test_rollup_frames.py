"""docs/ROLLUP.md §4.2 (batch_format = "frames"): frame parsing and its refusals, Holocene's
channel assembly rule by rule, channel decoding (zlib by the first byte, the bytes before an
inflate error kept, the batch stream stopping at its first bad string), and derivation on the
synthetic L1: frames give the same L2 chain as rlp-list, and deriving from a mid-chain agreed
block equals deriving from genesis when a channel spans the agreed block's L1 origin."""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import pytest
from eth_abi.abi import encode as abi_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rollup_program_scenario import (
    BatcherTx,
    Chain,
    Deposit,
    SyntheticL1,
    frames_tx,
    new_chain,
    spanning_channel_chain,
)

from faultproof.chain.anvil import AnvilNode
from faultproof.chain.testing import anvil_available
from faultproof.contracts.rollup import artifact as portal_artifact
from faultproof.evm import rlp
from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc
from faultproof.rollup.batch import (
    MAX_CALLDATA_SIZE,
    Batch,
    batcher_calldata,
    decode_batches,
    encode_batches,
)
from faultproof.rollup.batcher import Batcher, batch_of, wait_receipt
from faultproof.rollup.config import BlockId, ConfigError, Genesis, RollupConfig
from faultproof.rollup.derivation import Deriver, derive
from faultproof.rollup.execution import DEPOSIT_TX_TYPE, genesis_block, output_root
from faultproof.rollup.frames import (
    MAX_FRAME_LEN,
    MAX_RLP_BYTES_PER_CHANNEL,
    ChannelAssembler,
    Frame,
    batch_stream,
    channel_data,
    decode_channel,
    encode_frames,
    inflate,
    inflate_channel,
    parse_frames,
    read_batch_stream,
    split_channel,
)
from faultproof.rollup.genesis import genesis_alloc
from faultproof.rollup.l1 import L1Reader
from faultproof.rollup.node import L2Node
from faultproof.rollup.sequencer import Sequencer

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ID_A = b"\xaa" * 16
ID_B = b"\xbb" * 16

frames_st = st.builds(
    Frame,
    channel_id=st.binary(min_size=16, max_size=16),
    number=st.integers(0, 2**16 - 1),
    data=st.binary(max_size=80),
    is_last=st.booleans(),
)
batches_st = st.builds(
    Batch,
    parent_hash=st.binary(min_size=32, max_size=32),
    epoch_number=st.integers(0, 2**64 - 1),
    epoch_hash=st.binary(min_size=32, max_size=32),
    timestamp=st.integers(0, 2**64 - 1),
    txs=st.lists(st.binary(max_size=40), max_size=3).map(tuple),
)


def batch(n: int, txs: Sequence[bytes] = ()) -> Batch:
    return Batch(bytes([n]) * 32, n, bytes([n + 1]) * 32, 1000 + n, tuple(txs))


# -- config ----------------------------------------------------------------------------------


def _config_json(**changes: object) -> dict[str, object]:
    config = RollupConfig(
        genesis=Genesis(BlockId(3, b"\x03" * 32), BlockId(0, b"\x00" * 32), 1000),
        batcher_address=b"\xba" * 20,
        deposit_contract_address=b"\xdc" * 20,
    )
    data = config.to_json()
    data.update(changes)
    return data


def test_config_batch_format_and_channel_timeout() -> None:
    plain = _config_json()
    assert plain["batch_format"] == "rlp-list" and plain["channel_timeout"] == 8
    del plain["batch_format"], plain["channel_timeout"]  # older config files keep working
    old = RollupConfig.from_json(plain)
    assert (old.batch_format, old.channel_timeout) == ("rlp-list", 8)
    framed = RollupConfig.from_json(_config_json(batch_format="frames", channel_timeout="0x32"))
    assert (framed.batch_format, framed.channel_timeout) == ("frames", 50)
    assert RollupConfig.from_json(json.loads(json.dumps(framed.to_json()))) == framed
    assert RollupConfig.from_json(_config_json(channel_timeout=0)).channel_timeout == 0
    for bad in (
        {"batch_format": "brotli"},
        {"batch_format": 0},
        {"batch_format": None},
        {"channel_timeout": -1},
        {"channel_timeout": True},
        {"channel_timeout": "eight"},
        {"channel_timeout": 2**64},
    ):
        with pytest.raises(ConfigError):
            RollupConfig.from_json(_config_json(**bad))
    with pytest.raises(ConfigError):
        replace(old, batch_format="Frames").check()


# -- frames ----------------------------------------------------------------------------------


@SETTINGS
@given(frames=st.lists(frames_st, min_size=1, max_size=5))
def test_frames_round_trip(frames: list[Frame]) -> None:
    data = encode_frames(frames)
    assert parse_frames(data) == frames
    assert len(data) == 1 + sum(23 + len(f.data) for f in frames)


@SETTINGS
@given(frames=st.lists(frames_st, min_size=1, max_size=4), data=st.data())
def test_frame_refusals_drop_every_frame_of_the_tx(frames: list[Frame], data: st.DataObject) -> None:
    good = encode_frames(frames)
    boundaries = {1 + sum(23 + len(f.data) for f in frames[:i]) for i in range(len(frames) + 1)}
    cut = data.draw(st.integers(1, len(good) - 1).filter(lambda n: n not in boundaries))
    assert parse_frames(good[:cut]) is None  # too short / data past the end / no is_last
    extra = data.draw(st.binary(min_size=1, max_size=22))
    assert parse_frames(good + extra) is None  # bytes left that are not a whole frame
    version = data.draw(st.integers(1, 255))
    assert parse_frames(bytes([version]) + good[1:]) is None  # another derivation version
    # is_last not 0 or 1, in any frame
    which = data.draw(st.integers(0, len(frames) - 1))
    end = 1 + sum(23 + len(f.data) for f in frames[: which + 1])
    flag = data.draw(st.integers(2, 255))
    assert parse_frames(good[: end - 1] + bytes([flag]) + good[end:]) is None


def test_frame_refusals_by_hand() -> None:
    assert parse_frames(b"") is None
    assert parse_frames(b"\x00") is None  # no frame at all
    ok = Frame(ID_A, 0, b"x", True).encode()
    assert parse_frames(b"\x00" + ok) == [Frame(ID_A, 0, b"x", True)]
    assert parse_frames(b"\x00" + ok[:22]) is None  # header only
    # frame_data_length over 1,000,000 with the data really there
    big = ID_A + b"\x00\x00" + (MAX_FRAME_LEN + 1).to_bytes(4, "big") + b"\x00" * (MAX_FRAME_LEN + 2)
    assert parse_frames(b"\x00" + big) is None
    at_limit = Frame(ID_A, 1, b"\x01" * MAX_FRAME_LEN, False)
    assert parse_frames(encode_frames([at_limit])) == [at_limit]
    # one bad frame drops the good ones before it
    assert parse_frames(b"\x00" + ok + ok[:-1] + b"\x02") is None
    for bad in (Frame(b"\x00" * 15, 0, b"", True), Frame(ID_A, 2**16, b"", True),
                Frame(ID_A, 0, b"\x00" * (MAX_FRAME_LEN + 1), True)):
        with pytest.raises(ValueError):
            bad.encode()
    with pytest.raises(ValueError):
        encode_frames([])


@SETTINGS
@given(data=st.binary(max_size=300), size=st.integers(1, 64))
def test_split_channel(data: bytes, size: int) -> None:
    frames = split_channel(ID_A, data, size)
    assert b"".join(f.data for f in frames) == data
    assert [f.number for f in frames] == list(range(len(frames)))
    assert [f.is_last for f in frames] == [False] * (len(frames) - 1) + [True]
    assert all(0 < len(f.data) <= size for f in frames) or data == b""


# -- channel decoding ------------------------------------------------------------------------


@SETTINGS
@given(batches=st.lists(batches_st, max_size=4), level=st.integers(0, 9))
def test_channel_round_trip(batches: list[Batch], level: int) -> None:
    assert decode_channel(channel_data(batches, level)) == batches


def test_only_zlib_by_the_first_byte() -> None:
    stream = batch_stream([batch(1)])
    good = zlib.compress(stream)
    assert decode_channel(good) == [batch(1)]
    assert decode_channel(b"") == []
    assert decode_channel(b"\x01" + good) == []  # brotli (Fjord): not supported
    assert decode_channel(b"\x00" + good) == []
    assert decode_channel(stream) == []  # uncompressed
    # b & 0x0F == 15 passes the first-byte test but is no valid zlib method
    assert decode_channel(bytes([0x7F]) + good[1:]) == []
    # a header with a preset dictionary (FDICT) or a bad FCHECK
    assert decode_channel(bytes([0x78, 0xBB]) + good[2:]) == []
    assert decode_channel(bytes([0x78, 0x9D]) + good[2:]) == []


def test_truncated_stream_keeps_the_earlier_batches() -> None:
    batches = [batch(n, [bytes([n]) * 200]) for n in range(1, 6)]
    stream = batch_stream(batches)
    data = zlib.compress(stream, 0)  # stored blocks: every byte of the stream is in place
    kept = []
    for cut in range(0, len(data), 37):
        got = decode_channel(data[:cut])
        assert got == batches[: len(got)]
        kept.append(len(got))
    assert kept == sorted(kept) and 0 < max(kept) < len(batches)
    assert decode_channel(data[:-4]) == batches  # only the adler-32 missing
    compressed = zlib.compress(stream, 9)
    for cut in range(len(compressed)):
        got = decode_channel(compressed[:cut])
        assert got == batches[: len(got)]


def test_bad_adler_and_what_follows_the_stream_are_ignored() -> None:
    batches = [batch(1), batch(2, [b"\x02\xc0"])]
    data = channel_data(batches)
    assert decode_channel(data[:-4] + bytes(4)) == batches
    assert decode_channel(data[:-1] + bytes([data[-1] ^ 1])) == batches
    assert decode_channel(data + b"junk after the zlib stream") == batches


def test_an_inflate_error_keeps_the_bytes_before_it() -> None:
    first = [batch(n, [bytes([n]) * 50]) for n in range(1, 4)]
    rest = [batch(9)]
    c = zlib.compressobj(9)
    head = c.compress(batch_stream(first)) + c.flush(zlib.Z_SYNC_FLUSH)  # ends on a byte
    tail = c.compress(batch_stream(rest)) + c.flush()
    assert decode_channel(head + tail) == first + rest
    assert decode_channel(head + b"\x07" + tail) == first  # final block of type 3
    stored = head + b"\x01\x05\x00\xfb\xff" + b"\x00\xc1\x80"  # a stored block, bad NLEN
    assert inflate_channel(stored) == batch_stream(first)
    # a distance further back than the output, as the first thing after ``head``
    w = _Bits()
    w.put(1, 1)
    w.put(1, 2)  # final, fixed Huffman
    w.code(0b0000001, 7)  # length symbol 257: length 3
    w.code(0b11101, 5)  # distance symbol 29: 24577 + 13 extra bits, far beyond the output
    w.put(0, 13)
    assert inflate_channel(head + w.bytes()) == batch_stream(first)
    assert decode_channel(head + w.bytes()) == first


def test_batch_stream_stops_at_the_first_bad_string() -> None:
    one, two = batch(1), batch(2)
    good = batch_stream([one, two])
    assert read_batch_stream(good) == [one, two]
    span = rlp.encode(b"\x01" + rlp.encode(two.items()))  # a version-1 (span) batch
    assert read_batch_stream(batch_stream([one]) + span + batch_stream([two])) == [one]
    stops = [
        b"\x00\x01\x02",  # trailing garbage (a one-byte string 0x00: version 0, no batch)
        rlp.encode(b""),  # an empty string
        rlp.encode([b"\x00"]),  # a list, not a byte string
        rlp.encode(b"\x00" + rlp.encode(two.items()) + b"\x80"),  # bytes after the batch
        rlp.encode(b"\x00" + rlp.encode(two.items()[:4])),  # four fields
        rlp.encode(b"\x00" + rlp.encode([b"\x01" * 31, *two.items()[1:]])),  # 31-byte hash
        b"\xb8\x05" + b"\x00" * 5,  # non-canonical string length
        batch_stream([two])[:-1],  # cut off by the end
    ]
    for bad in stops:
        assert read_batch_stream(batch_stream([one]) + bad + batch_stream([two])) == [one], bad
    assert decode_channel(zlib.compress(good + b"\xff")) == [one, two]


def test_inflate_limit_is_10_000_000_bytes() -> None:
    """A batch ending exactly at the limit is kept; one byte more and it is cut off."""
    small = batch(1)
    head = batch_stream([small])

    def with_big(total: int) -> tuple[Batch, bytes]:
        # solve for the tx size that makes the stream exactly ``total`` bytes long
        size = total - len(head)
        for _ in range(4):
            big = batch(2, [b"\x00" * size])
            size += total - len(head) - len(batch_stream([big]))
        big = batch(2, [b"\x00" * size])
        stream = head + batch_stream([big])
        assert len(stream) == total
        return big, zlib.compress(stream, 1)

    big, data = with_big(MAX_RLP_BYTES_PER_CHANNEL)
    assert decode_channel(data) == [small, big]
    _, data = with_big(MAX_RLP_BYTES_PER_CHANNEL + 1)
    assert decode_channel(data) == [small]
    assert len(inflate_channel(data)) == MAX_RLP_BYTES_PER_CHANNEL


# -- the reference inflater (used when zlib reports an error) -------------------------------


@SETTINGS
@given(
    payload=st.binary(max_size=2000) | st.lists(st.sampled_from([b"ab", b"\x00" * 7, b"xyz"]),
                                                max_size=300).map(b"".join),
    level=st.integers(0, 9),
    wbits=st.integers(9, 15),
    strategy=st.sampled_from([zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY,
                              zlib.Z_RLE, zlib.Z_FIXED]),
)
def test_inflate_equals_zlib_on_valid_streams(
    payload: bytes, level: int, wbits: int, strategy: int
) -> None:
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, 8, strategy)
    data = c.compress(payload) + c.flush()
    assert inflate(data) == payload
    assert inflate(data, limit=len(payload) // 2) == payload[: len(payload) // 2]


@SETTINGS
@given(payload=st.binary(min_size=1, max_size=400), flips=st.lists(st.integers(0), min_size=1,
                                                                      max_size=3))
def test_inflate_on_corrupt_streams_extends_zlibs_prefix(payload: bytes, flips: list[int]) -> None:
    """zlib fed one byte at a time loses at most the bytes decoded from the byte that
    failed; the reference keeps them, so it starts with what zlib gave."""
    data = bytearray(zlib.compress(payload + payload[::-1], 9))
    for flip in flips:
        pos = 2 + flip % (len(data) - 2)
        data[pos] ^= 1 << (flip % 8)
    fed = zlib.decompressobj()
    before = b""
    try:
        for i in range(len(data)):
            before += fed.decompress(bytes(data[i : i + 1]))
    except zlib.error:
        pass
    assert inflate(bytes(data)).startswith(before)
    assert inflate_channel(bytes(data)) == inflate(bytes(data))


class _Bits:
    """An LSB-first bit writer for hand-made DEFLATE streams."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def put(self, value: int, n: int) -> None:
        self.value |= value << self.count
        self.count += n

    def code(self, code: int, n: int) -> None:  # Huffman codes go MSB first
        for i in reversed(range(n)):
            self.put((code >> i) & 1, 1)

    def bytes(self) -> bytes:
        return self.value.to_bytes((self.count + 7) // 8, "little")


def test_inflate_follows_go_where_zlib_is_stricter() -> None:
    """A dynamic block whose literal code has no end-of-block symbol: zlib refuses the header,
    op-node's Go reader decodes its literals until the input ends (so does ours)."""
    w = _Bits()
    w.put(1, 1)  # final
    w.put(2, 2)  # dynamic
    w.put(0, 5)  # 257 literal/length codes
    w.put(0, 5)  # 1 distance code
    w.put(15, 4)  # 19 code length codes
    for symbol in (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15):
        w.put(0 if symbol >= 16 else 4, 3)  # lengths 0..15 get 4-bit codes: complete
    for _ in range(256):
        w.code(8, 4)  # literals 0..255: length 8 (code length symbol 8 = code 8)
    w.code(0, 4)  # end-of-block: length 0
    w.code(0, 4)  # the one distance code: length 0 (empty)
    for byte in b"go":
        w.code(byte, 8)  # literal codes of length 8 are the byte values themselves
    data = b"\x78\x01" + w.bytes()
    with pytest.raises(zlib.error):
        zlib.decompress(data)
    assert inflate(data) == b"go"
    assert inflate_channel(data) == b"go"
    # the window CINFO declares (here 256 bytes) does not limit distances (Go ignores it)
    payload = bytes(range(256)) * 3 + os.urandom(1000) * 2
    small_window = bytes([0x08, 0x1D]) + zlib.compress(payload, 9)[2:]
    assert inflate(small_window) == payload == inflate_channel(small_window)
    assert inflate_channel(small_window, 0) == b"" == inflate(small_window, 0)


# -- channel assembly ------------------------------------------------------------------------


def frames_of(channel_id: bytes, batches: Sequence[Batch], pieces: int) -> list[Frame]:
    data = channel_data(batches)
    size = -(-len(data) // pieces)
    frames = split_channel(channel_id, data, size)
    assert len(frames) == pieces
    return frames


def cd(*frames: Frame) -> bytes:
    return encode_frames(frames)


def test_a_channel_spanning_blocks_closes_in_its_last_frames_block() -> None:
    a = ChannelAssembler(8)
    f = frames_of(ID_A, [batch(1), batch(2)], 3)
    assert a.read_block(10, [cd(f[0])]) == []
    assert a.read_block(11, []) == []
    assert a.read_block(12, [cd(f[1])]) == []
    assert a.read_block(13, [cd(f[2])]) == [batch(1), batch(2)]
    assert a.staging is None
    assert a.read_block(14, [cd(f[2])]) == []  # after closing: nothing staging, dropped


def test_frame_zero_drops_the_staging_channel_even_with_the_same_id() -> None:
    f = frames_of(ID_A, [batch(1)], 2)
    g = frames_of(ID_A, [batch(2)], 2)
    a = ChannelAssembler(8)
    assert a.read_block(1, [cd(f[0]), cd(g[0])]) == []
    assert a.staging is not None and bytes(a.staging.data) == g[0].data
    assert (1, f"replaced {ID_A.hex()}") in a.log
    assert a.read_block(2, [cd(g[1])]) == [batch(2)]
    a = ChannelAssembler(8)
    assert a.read_block(1, [cd(f[0], g[0], g[1])]) == [batch(2)]
    other = frames_of(ID_B, [batch(3)], 2)
    a = ChannelAssembler(8)
    assert a.read_block(1, [cd(f[0]), cd(other[0])]) == []
    assert a.read_block(2, [cd(f[1]), cd(other[1])]) == [batch(3)]  # f[1]: foreign, dropped


def test_out_of_order_duplicate_and_foreign_frames_are_dropped() -> None:
    f = frames_of(ID_A, [batch(1), batch(2)], 4)
    foreign = Frame(ID_B, 1, f[1].data, False)
    a = ChannelAssembler(8)
    out = a.read_block(5, [cd(f[0], f[2]), cd(foreign), cd(f[1], f[1]), cd(f[3]), cd(f[2], f[3])])
    assert out == [batch(1), batch(2)]
    dropped = [event for _, event in a.log if event.startswith("frame dropped")]
    assert dropped == [f"frame dropped {ID_A.hex()}:2", f"frame dropped {ID_B.hex()}:1",
                       f"frame dropped {ID_A.hex()}:1", f"frame dropped {ID_A.hex()}:3"]
    # frames with no staging channel at all
    a = ChannelAssembler(8)
    assert a.read_block(1, [cd(f[1], f[2], f[3])]) == []


def test_a_bad_frame_drops_its_transaction_only() -> None:
    f = frames_of(ID_A, [batch(1)], 3)
    broken = cd(f[1])[:-1] + b"\x07"  # is_last 7
    a = ChannelAssembler(8)
    assert a.read_block(1, [cd(f[0]), broken, cd(f[1], f[2])]) == [batch(1)]
    a = ChannelAssembler(8)
    assert a.read_block(1, [cd(f[0]), cd(f[1]) + b"\x00", cd(f[2])]) == []  # f[1] lost: gap


@pytest.mark.parametrize("timeout", [0, 1, 8])
def test_timeout_drops_staging_at_open_plus_timeout_plus_one(timeout: int) -> None:
    f = frames_of(ID_A, [batch(1)], 2)
    a = ChannelAssembler(timeout)
    a.read_block(100, [cd(f[0])])
    assert a.read_block(100 + timeout, [cd(f[1])]) == [batch(1)]
    a = ChannelAssembler(timeout)
    a.read_block(100, [cd(f[0])])
    a.read_block(100 + timeout, [])
    assert a.staging is not None
    assert a.read_block(100 + timeout + 1, [cd(f[1])]) == []
    assert (100 + timeout + 1, f"timeout {ID_A.hex()}") in a.log
    # the check comes before the block's frames: a frame 0 there opens a fresh channel
    a = ChannelAssembler(timeout)
    a.read_block(100, [cd(f[0])])
    g = frames_of(ID_B, [batch(2)], 1)
    assert a.read_block(100 + timeout + 1, [cd(g[0])]) == [batch(2)]


def test_two_channels_closing_in_one_block_in_order() -> None:
    f = frames_of(ID_A, [batch(1), batch(2)], 2)
    g = frames_of(ID_B, [batch(3)], 2)
    a = ChannelAssembler(8)
    assert a.read_block(1, [cd(f[0])]) == []
    assert a.read_block(2, [cd(f[1], g[0]), cd(g[1])]) == [batch(1), batch(2), batch(3)]


def test_channel_size_limit() -> None:
    """Total frame data of exactly 10,000,000 bytes closes; one byte more drops the channel."""
    data = channel_data([batch(1)])
    padded = data + b"\x00" * (MAX_RLP_BYTES_PER_CHANNEL - len(data))
    frames = split_channel(ID_A, padded, MAX_FRAME_LEN)
    assert len(frames) == 10
    closing = Frame(ID_A, 10, b"", True)
    a = ChannelAssembler(8)
    a.read_block(1, [cd(*frames[:5])])
    assert a.read_block(2, [cd(*frames[5:9], replace(frames[9], is_last=False)), cd(closing)]) == [
        batch(1)
    ]
    a = ChannelAssembler(8)
    a.read_block(1, [cd(*frames[:5])])
    over = Frame(ID_A, 10, b"\x00", True)
    assert a.read_block(2, [cd(*frames[5:9], replace(frames[9], is_last=False)), cd(over)]) == []
    assert (2, f"too large {ID_A.hex()}") in a.log and a.staging is None


# -- the batcher's calldata ------------------------------------------------------------------


def test_batcher_calldata_formats() -> None:
    c = new_chain()
    batches = [batch(1), batch(2, [b"\x02" * 3000])]
    assert batcher_calldata(c.config, batches, ID_A) == [encode_batches(batches)]
    framed = replace(c.config, batch_format="frames")
    (one,) = batcher_calldata(framed, batches, ID_A)
    frames = parse_frames(one)
    assert frames is not None and [f.channel_id for f in frames] == [ID_A]
    assert ChannelAssembler(8).read_block(1, [one]) == batches
    # several frames in one transaction; several transactions when they do not fit
    assert len(parse_frames(batcher_calldata(framed, batches, ID_A, 10)[0]) or []) > 5
    noisy = [batch(n % 200, [os.urandom(700)]) for n in range(400)]
    many = batcher_calldata(framed, noisy, ID_A)
    assert len(many) >= 2 and all(len(x) <= MAX_CALLDATA_SIZE for x in many)
    assert ChannelAssembler(8).read_block(1, many) == noisy
    assert decode_batches(many[0]) is None


# -- derivation on the synthetic L1 ----------------------------------------------------------


def _summary(chain: Chain) -> list[tuple[object, ...]]:
    """What must agree between formats (hashes differ: the L1 blocks carry other calldata)."""
    assert chain.node is not None and chain.deriver is not None
    out: list[tuple[object, ...]] = []
    for block in chain.node.blocks:
        deposits = [t for t in block.txs if t[0] == DEPOSIT_TX_TYPE]
        user = [t for t in block.txs if t[0] != DEPOSIT_TX_TYPE]
        statuses = [r.status for r in block.receipts]
        out.append((block.number, block.timestamp, block.l1_origin.number, len(deposits), user,
                    statuses))
    log = chain.deriver.log
    out.append((log.accepted, log.deposits_only, log.replaced))
    return out


def _story(chain: Chain) -> None:
    framed = chain.config.batch_format == "frames"
    chain.post(chain.next_batch([chain.user_tx()]))
    chain.add_l1(deposits=[Deposit(b"\x44" * 20, b"\x55" * 20, 10**18, 10**17, 60_000)])
    chain.post(chain.next_batch([chain.user_tx(), chain.user_tx()]))
    nonces = dict(chain.nonces)
    chain.post(chain.next_batch([chain.user_tx(nonce=0)]))  # stale nonce: replaced
    chain.nonces = nonces
    chain.post(chain.next_batch())
    # the next batch in a channel of two frames over two L1 blocks (rlp-list: in the second)
    b = chain.next_batch([chain.user_tx()])
    if framed:
        f = frames_of(b"\x0c" * 16, [b], 2)
        chain.add_l1([frames_tx(f[0])])
        chain.add_l1([frames_tx(f[1])])
    else:
        chain.add_l1()
        chain.add_l1([BatcherTx(encode_batches([b]))])
    for _ in range(chain.config.seq_window_size + 2):  # the window expires: deposits-only
        chain.add_l1()
    chain.post(chain.next_batch([chain.user_tx()]))


def test_frames_derive_the_same_chain_as_rlp_list() -> None:
    plain, framed = new_chain(), new_chain(batch_format="frames")
    _story(plain)
    _story(framed)
    assert plain.head.number > 10 and plain.deriver is not None
    assert plain.deriver.log.replaced and plain.deriver.log.deposits_only
    assert _summary(framed) == _summary(plain)


def test_inclusion_is_the_block_that_closes_the_channel() -> None:
    c = new_chain(batch_format="frames")
    b = c.next_batch([c.user_tx()])
    f = frames_of(ID_A, [b], 3)
    for frame in f:
        c.add_l1([frames_tx(frame)], derive=False)
    deriver = Deriver(c.config, SyntheticL1(c.config, c.l1), L2Node(c.config, c.genesis,
                                                                     c.genesis_state))
    seen: list[tuple[int, int]] = []
    while deriver.step():
        seen.extend((deriver.cursor, item.inclusion) for item in deriver.buffer)
    assert seen[0] == (4, 3)  # in the buffer right after block 3 is read, inclusion 3
    assert deriver.log.accepted == [1]


def test_rlp_list_calldata_is_nothing_in_the_frames_format() -> None:
    c = new_chain(batch_format="frames")
    c.add_l1([BatcherTx(encode_batches([c.next_batch([c.user_tx()])]))])
    assert c.head.number == 0
    c2 = new_chain()
    f = frames_of(ID_A, [c2.next_batch([c2.user_tx()])], 1)
    c2.add_l1([frames_tx(*f)])
    assert c2.head.number == 0


def test_reading_starts_channel_timeout_before_the_origin() -> None:
    chain, agreed, opened = spanning_channel_chain()
    assert chain.node is not None
    origin = chain.node.block(agreed).l1_origin.number
    assert opened < origin and origin - chain.config.channel_timeout > 0

    def from_agreed(walk_back: bool) -> L2Node:
        assert chain.node is not None
        node = L2Node(chain.config, chain.node.block(agreed), chain.node.state_at(agreed),
                      [chain.node.block(n).hash for n in range(agreed)])
        deriver = Deriver(chain.config, SyntheticL1(chain.config, chain.l1), node)
        assert deriver.cursor == origin - chain.config.channel_timeout
        if not walk_back:
            deriver.cursor = origin
        deriver.run()
        return node

    mid = from_agreed(walk_back=True)
    assert mid.head.number == chain.head.number
    assert [mid.block(n).hash for n in range(agreed, mid.head.number + 1)] == [
        chain.node.block(n).hash for n in range(agreed, chain.head.number + 1)
    ]
    # reading from the origin itself would miss frame 0: the next block is deposits-only
    short = from_agreed(walk_back=False)
    assert short.block(agreed + 1).hash != chain.node.block(agreed + 1).hash


def test_reading_start_is_clamped_at_the_genesis_l1_block() -> None:
    c = new_chain(batch_format="frames")
    c.post(c.next_batch())
    assert c.node is not None
    node = L2Node(c.config, c.node.block(1), c.node.state_at(1), [c.genesis.hash])
    assert Deriver(c.config, SyntheticL1(c.config, c.l1), node).cursor == 0


# -- on anvil: the real batcher posts frames -------------------------------------------------


ANVIL_USER_KEY = 0xA11CE
ANVIL_BATCHER_KEY = 0xBA7C4E5


@dataclass
class World:
    rpc: JsonRpc
    config: RollupConfig
    portal: bytes
    funder: str
    node: L2Node
    sequencer: Sequencer
    batcher: Batcher

    def mine(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            self.rpc.call("evm_mine", [])

    def l1_time(self) -> int:
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def l1_head(self) -> bytes:
        return bytes.fromhex(self.rpc.call("eth_getBlockByNumber", ["latest", False])["hash"][2:])

    def deposit(self, to: bytes, mint: int) -> None:
        """Plain ETH to the portal: a deposit to the sender (docs/ROLLUP.md §2)."""
        tx_hash = self.rpc.call("eth_sendTransaction", [{
            "from": self.funder, "to": "0x" + self.portal.hex(), "value": hex(mint),
            "gas": hex(500_000),
        }])
        assert wait_receipt(self.rpc, tx_hash)["status"] == "0x1"

    def l2_send(self, nonce: int, to: bytes, value: int, size: int = 0) -> bytes:
        raw = tx_bytes(sign_tx(UnsignedTx(
            nonce=nonce, to=to, value=value, data=os.urandom(size), gas_limit=21_000 + 16 * size,
            max_fee_per_gas=10**10, max_priority_fee_per_gas=10**8,
        ), ANVIL_USER_KEY, 901))
        return self.node.submit(raw)


@pytest.fixture
def world() -> Iterator[World]:
    """test_rollup_anvil.py's world with ``batch_format = "frames"``."""
    if not anvil_available():
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    with AnvilNode(hardfork="cancun") as l1:
        rpc = JsonRpc(l1.url)
        rpc.call("anvil_setBlockTimestampInterval", [6])
        funder = rpc.call("eth_accounts", [])[0]
        args = abi_encode(
            ["address", "address", "uint32", "uint256", "uint256", "address"],
            ["0x" + "00" * 19 + "01", "0x" + "00" * 20, 0, 60, 60, funder],
        )
        initcode = portal_artifact("Portal").bytecode + args
        tx_hash = rpc.call(
            "eth_sendTransaction",
            [{"from": funder, "data": "0x" + initcode.hex(), "gas": hex(8_000_000)}],
        )
        receipt = wait_receipt(rpc, tx_hash)
        portal = bytes.fromhex(str(receipt["contractAddress"])[2:])
        batcher_address = secret_address(ANVIL_BATCHER_KEY)
        rpc.call("anvil_setBalance", ["0x" + batcher_address.hex(), hex(10**20)])
        head = rpc.call("eth_getBlockByNumber", ["latest", False])
        config = RollupConfig(
            genesis=Genesis(
                BlockId(int(head["number"], 16), bytes.fromhex(head["hash"][2:])),
                BlockId(0, b"\x00" * 32),
                int(head["timestamp"], 16),
            ),
            batcher_address=batcher_address,
            deposit_contract_address=portal,
            batch_format="frames",
            channel_timeout=8,
        )
        user = secret_address(ANVIL_USER_KEY)
        genesis, state = genesis_block(config, genesis_alloc({user: 10**21}))
        config = config.with_genesis_l2(0, genesis.hash)
        node = L2Node(config, genesis, state)
        sequencer = Sequencer(config, node, L1Reader(rpc, config))
        batcher = Batcher(config, node, rpc, ANVIL_BATCHER_KEY)
        yield World(rpc, config, portal, funder, node, sequencer, batcher)


@pytest.mark.anvil
def test_anvil_batcher_posts_frames_and_l1_alone_derives_the_chain(world: World) -> None:
    w = world
    other = b"\x77" * 20
    w.deposit(other, 10**18)
    w.mine()
    w.sequencer.catch_up(w.l1_time())
    w.l2_send(0, other, 5)
    w.l2_send(1, other, 6, size=3000)
    w.mine()
    w.sequencer.catch_up(w.l1_time())
    w.batcher.post()  # one channel, one transaction
    w.l2_send(2, other, 7, size=20_000)
    w.mine()
    w.sequencer.catch_up(w.l1_time())
    w.batcher.max_frame_size = 4_000  # several frames of one channel in one transaction
    w.batcher.post()
    w.mine()
    w.sequencer.catch_up(w.l1_time())
    # a channel whose frames go to L1 in three blocks (each tx is mined on its own)
    pending = w.batcher.pending()
    data = channel_data([batch_of(b) for b in pending])
    for frame in split_channel(b"\x5a" * 16, data, -(-len(data) // 3)):
        w.batcher.send_calldata(encode_frames([frame]))
    w.batcher.posted = pending[-1].number
    w.mine()
    top = w.node.head.number
    assert top >= 6 and not w.sequencer.log.dropped

    reader = L1Reader(w.rpc, w.config, w.l1_head())
    framed = [c for n in range(w.config.genesis.l1.number, reader.head_number + 1)
              for c in reader.batcher_calldata(n)]
    assert [len(parse_frames(c) or []) for c in framed][:1] == [1]
    assert len(framed) == 5 and len(parse_frames(framed[1]) or []) > 1
    assert reader.batches(reader.head_number - 1) == []  # rlp-list reading sees nothing

    derived = L2Node(w.config, w.node.block(0), w.node.state_at(0))
    deriver = derive(w.config, reader, derived, until=top)
    assert derived.head.number == top
    assert not deriver.log.replaced and not deriver.log.dropped
    assert [derived.block(n).hash for n in range(top + 1)] == [
        w.node.block(n).hash for n in range(top + 1)
    ]
    assert output_root(derived.head, derived.states[derived.head.hash]) == output_root(
        w.node.head, w.node.states[w.node.head.hash]
    )
    assert w.node.balance(other, top) == 5 + 6 + 7
    assert w.node.balance(bytes.fromhex(w.funder[2:]), top) == 10**18  # the deposit
    # from an agreed block in the middle, reading from origin - channel_timeout
    agreed = top // 2
    mid = L2Node(w.config, w.node.block(agreed), w.node.state_at(agreed),
                 [w.node.block(n).hash for n in range(agreed)])
    derive(w.config, L1Reader(w.rpc, w.config, w.l1_head()), mid, until=top)
    assert mid.head.hash == w.node.head.hash
