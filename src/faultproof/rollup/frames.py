"""OP's frames and channels (docs/ROLLUP.md §4.2): the ``batch_format = "frames"`` encoding.

Batcher calldata is ``0x00 ‖ frame ‖ frame ‖ …``; frames of one channel, assembled with
Holocene's single-staging-channel rules, concatenate to a zlib stream whose inflated bytes are
a stream of RLP byte strings, each ``0x00 ‖ rlp(singular batch)``. This module is the Python
reference the fault proof program's C side (guest/rollup/) is tested against, so every rule of
§4.2 is spelled out here once: refusals return None or stop a stream, they never raise.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from faultproof.evm import rlp
from faultproof.rollup.batch import DERIVATION_VERSION, Batch, batch_from_rlp

MAX_FRAME_LEN = 1_000_000
"""op-node's ``MaxFrameLen``: a frame with more data does not parse."""
MAX_RLP_BYTES_PER_CHANNEL = 10_000_000
"""Pre-Fjord limit on a channel's frame data (assembly) and on its inflated bytes (reading)."""
FRAME_HEADER_LEN = 16 + 2 + 4
"""channel_id ‖ frame_number ‖ frame_data_length; the is_last byte follows the data."""
SINGULAR_BATCH_VERSION = 0


@dataclass(frozen=True)
class Frame:
    """One frame: a numbered piece of a channel's data."""

    channel_id: bytes
    number: int
    data: bytes
    is_last: bool

    def encode(self) -> bytes:
        """The frame's bytes (§4.2); ValueError for a frame no batcher may send."""
        if len(self.channel_id) != 16:
            raise ValueError(f"channel id is {len(self.channel_id)} bytes, expected 16")
        if not 0 <= self.number < 2**16:
            raise ValueError(f"frame number {self.number} does not fit in 16 bits")
        if len(self.data) > MAX_FRAME_LEN:
            raise ValueError(f"frame data is {len(self.data)} bytes, at most {MAX_FRAME_LEN}")
        return (
            self.channel_id
            + self.number.to_bytes(2, "big")
            + len(self.data).to_bytes(4, "big")
            + self.data
            + (b"\x01" if self.is_last else b"\x00")
        )


def encode_frames(frames: Sequence[Frame]) -> bytes:
    """A batcher transaction's calldata carrying ``frames``: ``0x00 ‖ frame ‖ …``."""
    if not frames:
        raise ValueError("batcher calldata needs at least one frame")
    return bytes([DERIVATION_VERSION]) + b"".join(f.encode() for f in frames)


def parse_frames(calldata: bytes) -> list[Frame] | None:
    """The frames of a batcher transaction, or None when the transaction contributes none:
    another version byte, no frame at all, or any frame that does not parse (too short, data
    over 1,000,000 bytes or past the end, ``is_last`` not 0 or 1, bytes left that are not a
    whole frame) drops every frame of the transaction (op-node's ``ParseFrames``)."""
    if not calldata or calldata[0] != DERIVATION_VERSION:
        return None
    frames: list[Frame] = []
    pos, end = 1, len(calldata)
    while pos < end:
        if end - pos < FRAME_HEADER_LEN:
            return None
        channel_id = calldata[pos : pos + 16]
        number = int.from_bytes(calldata[pos + 16 : pos + 18], "big")
        length = int.from_bytes(calldata[pos + 18 : pos + 22], "big")
        if length > MAX_FRAME_LEN:
            return None
        data_end = pos + FRAME_HEADER_LEN + length
        if data_end + 1 > end:
            return None
        is_last = calldata[data_end]
        if is_last > 1:
            return None
        frames.append(Frame(channel_id, number, calldata[pos + FRAME_HEADER_LEN : data_end],
                            is_last == 1))
        pos = data_end + 1
    return frames or None


# -- channel data: zlib over a stream of RLP strings ---------------------------------------


def batch_stream(batches: Sequence[Batch]) -> bytes:
    """The uncompressed channel content: one RLP string ``0x00 ‖ rlp(batch)`` per batch."""
    return b"".join(
        rlp.encode(bytes([SINGULAR_BATCH_VERSION]) + rlp.encode(b.items())) for b in batches
    )


def channel_data(batches: Sequence[Batch], level: int = 9) -> bytes:
    """A channel's data for ``batches``: the zlib (RFC 1950) stream of their batch stream."""
    return zlib.compress(batch_stream(batches), level)


def split_channel(channel_id: bytes, data: bytes, max_frame_size: int) -> list[Frame]:
    """``data`` cut into frames 0, 1, … of at most ``max_frame_size`` data bytes each, the last
    one closing the channel (empty data: one empty closing frame)."""
    if max_frame_size <= 0 or max_frame_size > MAX_FRAME_LEN:
        raise ValueError(f"max frame size {max_frame_size} not in 1..{MAX_FRAME_LEN}")
    pieces = [data[i : i + max_frame_size] for i in range(0, len(data), max_frame_size)] or [b""]
    if len(pieces) > 2**16:
        raise ValueError(f"channel needs {len(pieces)} frames, frame numbers are 16 bits")
    return [
        Frame(channel_id, n, piece, n == len(pieces) - 1) for n, piece in enumerate(pieces)
    ]


def read_batch_stream(raw: bytes) -> list[Batch]:
    """The batches of an inflated channel, in order. Reading stops (keeping the batches before)
    at the first item that is not a canonical RLP byte string, is cut off by the end of
    ``raw``, is empty, has a version other than 0, or whose content is not exactly one singular
    batch (§4.2 "Batch stream"; op-node's BatchReader stops at its first error too)."""
    out: list[Batch] = []
    pos = 0
    while pos < len(raw):
        try:
            size = rlp.item_length(raw, pos)
            item = rlp.decode(raw[pos : pos + size])
            if not isinstance(item, bytes) or not item or item[0] != SINGULAR_BATCH_VERSION:
                break
            batch = batch_from_rlp(rlp.decode(item[1:]))
        except rlp.RLPError:
            break
        if batch is None:
            break
        out.append(batch)
        pos += size
    return out


def inflate_channel(data: bytes, limit: int = MAX_RLP_BYTES_PER_CHANNEL) -> bytes:
    """A channel's inflated bytes (§4.2): empty unless the first byte says zlib
    (``b & 0x0F`` is 8 or 15); at most ``limit`` bytes; everything produced before the first
    inflate error or the end of the input; the adler-32 trailer and anything after the stream
    ignored.

    After the header, zlib inflates the raw DEFLATE data (no adler-32 check, a 32 KiB window
    whatever CINFO says, as Go) when it reports no error: every stream zlib accepts, Go's
    reader accepts with the same bytes. On an error (which loses the output of that call) the
    answer is `inflate` below, a plain reading of RFC 1950/1951 with Go's choices where zlib is
    stricter, stopping at the first bad bit (slow, but only malformed channels get there)."""
    if not data or data[0] & 0x0F not in (8, 15):
        return b""
    if not _zlib_header_ok(data) or limit <= 0:  # (zlib reads max_length 0 as no limit)
        return b""
    try:
        return zlib.decompressobj(-15).decompress(data[2:], limit)
    except zlib.error:
        return inflate(data, limit)


def _zlib_header_ok(data: bytes) -> bool:
    """RFC 1950's CMF/FLG as Go's compress/zlib checks them: method 8, CINFO at most 7,
    FCHECK, no preset dictionary (there is none to give)."""
    if len(data) < 2:
        return False
    cmf, flg = data[0], data[1]
    return not ((cmf << 8 | flg) % 31 or cmf & 0x0F != 8 or cmf >> 4 > 7 or flg & 0x20)


def decode_channel(data: bytes) -> list[Batch]:
    """The batches of a closed channel's data (§4.2 compression and batch stream)."""
    return read_batch_stream(inflate_channel(data))


# -- a reference inflater: the bytes before the first error --------------------------------


class _Stop(Exception):
    """Inflation ends here (input ended, a bad code, the output limit); keep what was made."""


_LEN_BASE = (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
             115, 131, 163, 195, 227, 258)
_LEN_EXTRA = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0)
_DIST_BASE = (1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
              1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577)
_DIST_EXTRA = (0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
               12, 12, 13, 13)
_CLEN_ORDER = (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)


class _Huffman:
    """A canonical Huffman code (RFC 1951 §3.2.2) as {(length, code): symbol}.

    Validity is Go's ``compress/flate`` (op-node's reader), for every code alike: an
    over-subscribed set is an error; an incomplete set is an error unless it is a single code
    of length 1 (its other 1-bit pattern is then an invalid code when met); no codes at all is
    not an error by itself (reading any symbol from it is)."""

    def __init__(self, lengths: Sequence[int]) -> None:
        count = [0] * 16
        for n in lengths:
            count[n] += 1
        count[0] = 0
        left = 1
        for n in range(1, 16):
            left = (left << 1) - count[n]
            if left < 0:
                raise _Stop("over-subscribed code")
        longest = max(lengths, default=0)
        if left > 0 and sum(count) > 0 and longest != 1:
            raise _Stop("incomplete code")
        self.codes: dict[tuple[int, int], int] = {}
        code = 0
        next_code = [0] * 16
        for n in range(1, 16):
            code = (code + count[n - 1]) << 1
            next_code[n] = code
        for symbol, n in enumerate(lengths):
            if n:
                self.codes[(n, next_code[n])] = symbol
                next_code[n] += 1
        self.longest = longest


class _Inflater:
    def __init__(self, data: bytes, limit: int) -> None:
        self.data = data
        self.pos = 0
        self.bitbuf = 0
        self.bitcnt = 0
        self.out = bytearray()
        self.limit = limit

    def bits(self, n: int) -> int:
        while self.bitcnt < n:
            if self.pos >= len(self.data):
                raise _Stop("input ended")
            self.bitbuf |= self.data[self.pos] << self.bitcnt
            self.pos += 1
            self.bitcnt += 8
        value = self.bitbuf & ((1 << n) - 1)
        self.bitbuf >>= n
        self.bitcnt -= n
        return value

    def symbol(self, code: _Huffman) -> int:
        value = 0
        for n in range(1, 16):
            value = (value << 1) | self.bits(1)  # Huffman codes are read MSB first
            found = code.codes.get((n, value))
            if found is not None:
                return found
            if n >= code.longest:
                break
        raise _Stop("invalid code")

    def emit(self, byte: int) -> None:
        if len(self.out) >= self.limit:
            raise _Stop("output limit")
        self.out.append(byte)

    def run(self) -> None:
        if not _zlib_header_ok(self.data):
            raise _Stop("bad or missing zlib header")
        self.pos = 2
        while True:
            if len(self.out) >= self.limit:
                raise _Stop("output limit")
            final = self.bits(1)
            kind = self.bits(2)
            if kind == 0:
                self.stored()
            elif kind == 1:
                self.codes(_FIXED_LIT, _FIXED_DIST)
            elif kind == 2:
                self.codes(*self.dynamic())
            else:
                raise _Stop("invalid block type")
            if final:
                return  # the adler-32 trailer and anything after it are not read

    def stored(self) -> None:
        self.bitbuf = self.bitcnt = 0  # to the byte boundary
        length = self.bits(16)
        if length != self.bits(16) ^ 0xFFFF:
            raise _Stop("invalid stored block lengths")
        for _ in range(length):
            self.emit(self.bits(8))

    def dynamic(self) -> tuple[_Huffman, _Huffman]:
        nlen = self.bits(5) + 257
        ndist = self.bits(5) + 1
        ncode = self.bits(4) + 4
        if nlen > 286 or ndist > 30:
            raise _Stop("too many length or distance symbols")
        clens = [0] * 19
        for i in range(ncode):
            clens[_CLEN_ORDER[i]] = self.bits(3)
        clcode = _Huffman(clens)
        lengths: list[int] = []
        while len(lengths) < nlen + ndist:
            sym = self.symbol(clcode)
            if sym < 16:
                lengths.append(sym)
                continue
            if sym == 16:
                if not lengths:
                    raise _Stop("invalid bit length repeat")
                value, repeat = lengths[-1], 3 + self.bits(2)
            elif sym == 17:
                value, repeat = 0, 3 + self.bits(3)
            else:
                value, repeat = 0, 11 + self.bits(7)
            if len(lengths) + repeat > nlen + ndist:
                raise _Stop("invalid bit length repeat")
            lengths.extend([value] * repeat)
        # no end-of-block code is not refused here (zlib would, Go does not): the block's
        # literals come out until a code cannot be read
        return _Huffman(lengths[:nlen]), _Huffman(lengths[nlen:])

    def codes(self, lit: _Huffman, dist: _Huffman) -> None:
        while True:
            sym = self.symbol(lit)
            if sym < 256:
                self.emit(sym)
                continue
            if sym == 256:
                return
            sym -= 257
            if sym >= 29:
                raise _Stop("invalid literal/length code")
            length = _LEN_BASE[sym] + self.bits(_LEN_EXTRA[sym])
            dsym = self.symbol(dist)
            if dsym >= 30:
                raise _Stop("invalid distance code")
            distance = _DIST_BASE[dsym] + self.bits(_DIST_EXTRA[dsym])
            if distance > len(self.out):
                raise _Stop("invalid distance too far back")
            for _ in range(length):
                self.emit(self.out[-distance])


_FIXED_LIT = _Huffman([8] * 144 + [9] * 112 + [7] * 24 + [8] * 8)
_FIXED_DIST = _Huffman([5] * 32)
"""RFC 1951 §3.2.6: 32 five-bit codes, of which 30 and 31 are refused when met (as zlib)."""


def inflate(data: bytes, limit: int = MAX_RLP_BYTES_PER_CHANNEL) -> bytes:
    """The bytes a zlib stream inflates to before its first error, its end or ``limit`` bytes,
    as op-node's Go reader (compress/zlib + compress/flate) delivers them: the header must be
    valid (method 8, CINFO at most 7, FCHECK, no preset dictionary); the declared window size
    is otherwise ignored (a distance may reach back over everything produced so far, at most
    32,768); Huffman codes as `_Huffman`; a dynamic block without an end-of-block code is not
    refused; a truncated stored block keeps the bytes it had; the adler-32 is not read."""
    inflater = _Inflater(data, limit)
    with contextlib.suppress(_Stop):
        inflater.run()
    return bytes(inflater.out)


# -- channel assembly: Holocene's single staging channel -----------------------------------


@dataclass
class StagingChannel:
    """The channel being assembled: its id, the L1 block of its first frame, its data."""

    channel_id: bytes
    open_block: int
    last_number: int
    data: bytearray = field(default_factory=bytearray)


class ChannelAssembler:
    """§4.2 "Channel assembly": frames in L1 order into at most one staging channel; the
    batches of every channel that closes, in order. ``log`` records what happened to each
    frame and channel as ``(L1 block, event)`` for tests and debugging."""

    def __init__(self, channel_timeout: int) -> None:
        self.channel_timeout = channel_timeout
        self.staging: StagingChannel | None = None
        self.log: list[tuple[int, str]] = []

    def read_block(self, number: int, calldatas: Sequence[bytes]) -> list[Batch]:
        """The batches of channels closed by the frames of L1 block ``number`` (its batcher
        transactions' calldata, in order), all with inclusion block ``number``."""
        staging = self.staging
        if staging is not None and number > staging.open_block + self.channel_timeout:
            self.log.append((number, f"timeout {staging.channel_id.hex()}"))
            self.staging = None
        out: list[Batch] = []
        for calldata in calldatas:
            frames = parse_frames(calldata)
            if frames is None:
                self.log.append((number, "calldata dropped"))
                continue
            for frame in frames:
                out.extend(self.add_frame(number, frame))
        return out

    def add_frame(self, number: int, frame: Frame) -> list[Batch]:
        """Rules 1-4 of §4.2 for one frame read from L1 block ``number``."""
        staging = self.staging
        if frame.number == 0:
            if staging is not None:
                self.log.append((number, f"replaced {staging.channel_id.hex()}"))
            staging = self.staging = StagingChannel(frame.channel_id, number, 0)
        elif (
            staging is None
            or staging.channel_id != frame.channel_id
            or frame.number != staging.last_number + 1
        ):
            self.log.append((number, f"frame dropped {frame.channel_id.hex()}:{frame.number}"))
            return []
        staging.last_number = frame.number
        staging.data += frame.data
        if len(staging.data) > MAX_RLP_BYTES_PER_CHANNEL:
            self.log.append((number, f"too large {staging.channel_id.hex()}"))
            self.staging = None
            return []
        if not frame.is_last:
            return []
        self.staging = None
        batches = decode_channel(bytes(staging.data))
        self.log.append((number, f"closed {staging.channel_id.hex()} batches={len(batches)}"))
        return batches


__all__ = [
    "MAX_FRAME_LEN",
    "MAX_RLP_BYTES_PER_CHANNEL",
    "ChannelAssembler",
    "Frame",
    "StagingChannel",
    "batch_stream",
    "channel_data",
    "decode_channel",
    "encode_frames",
    "inflate",
    "inflate_channel",
    "parse_frames",
    "read_batch_stream",
    "split_channel",
]
