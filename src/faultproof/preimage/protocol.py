"""The oracle ABI as small Protocols, plus the two wire codecs.

Everything else (VMs, guests run natively, the challenger) depends only on `PreimageOracle` and
`HintWriter`, so one program can be served by an in-process store, a host over pipes, or a host
subprocess without change -- the kona layering.

Wire formats (dispute-game-and-oracle.md §5.1, cannon-mips32.md §5.2):

- hint channel: client writes ``uint32_be(len) ‖ hint``; the host answers one ack byte (0x00)
  after it has processed the hint. The client must wait for the ack before asking for data.
- preimage channel: client writes the 32-byte key; the host answers ``uint64_be(len) ‖ value``.
  Reads may be short on both sides, so readers loop; EOF is a read returning no bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from faultproof.preimage.errors import WireProtocolError

HINT_ACK = b"\x00"
KEY_SIZE = 32
MAX_HINT_SIZE = 1 << 26  # 64 MiB: larger length prefixes are treated as a broken stream


@runtime_checkable
class PreimageOracle(Protocol):
    """Answers a 32-byte key with the full preimage (no length prefix)."""

    def get_preimage(self, key: bytes) -> bytes: ...


@runtime_checkable
class HintWriter(Protocol):
    """Tells the host what the client is about to ask for; returns after the host acknowledged."""

    def hint(self, hint: bytes) -> None: ...


@runtime_checkable
class OracleHost(PreimageOracle, HintWriter, Protocol):
    """Both halves on one object: what a host serves and what a VM or guest talks to."""


@runtime_checkable
class PreimageSource(Protocol):
    """Somewhere a host can fetch a preimage it does not have yet (an RPC, another store)."""

    def fetch(self, key: bytes) -> bytes | None: ...


class PreimageSink(Protocol):
    """Where a hint handler puts what it fetched (a store: it verifies before keeping)."""

    def put(self, key: bytes, value: bytes) -> bytes: ...


class HintHandler(Protocol):
    """Handles one hint type: given the decoded payload, fetch preimages and put them in the sink."""

    def __call__(self, payload: bytes, sink: PreimageSink) -> None: ...


class ByteReader(Protocol):
    """What the codecs read from: unbuffered files, sockets' makefile, `io.BytesIO`."""

    def read(self, n: int = -1, /) -> bytes | None: ...


class ByteWriter(Protocol):
    """What the codecs write to. ``write`` may accept fewer bytes than given."""

    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...


def read_exact(reader: ByteReader, n: int, what: str) -> bytes | None:
    """Read exactly ``n`` bytes, looping over short reads.

    Returns None on a clean EOF before the first byte (the peer is done); raises
    `WireProtocolError` on EOF in the middle, which means the peer died mid-message.
    """
    chunks: list[bytes] = []
    got = 0
    while got < n:
        chunk = reader.read(n - got)
        if not chunk:
            if got == 0:
                return None
            raise WireProtocolError(f"stream closed after {got} of {n} bytes of {what}")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def write_all(writer: ByteWriter, data: bytes) -> None:
    """Write every byte (raw files may take partial writes), then flush."""
    while data:
        n = writer.write(data)
        if n is None or n >= len(data):  # buffered writers take everything
            break
        data = data[n:]
    writer.flush()


# ---- hint channel ----------------------------------------------------------------------------


def encode_hint(hint: bytes) -> bytes:
    """One hint frame: ``uint32_be(len) ‖ hint``."""
    if len(hint) >= 2**32:
        raise WireProtocolError(f"hint of {len(hint)} bytes does not fit a uint32 length")
    return struct.pack(">I", len(hint)) + hint


def read_hint(reader: ByteReader) -> bytes | None:
    """Read one hint frame (host side). None when the client closed the channel."""
    header = read_exact(reader, 4, "hint length")
    if header is None:
        return None
    (length,) = struct.unpack(">I", header)
    if length > MAX_HINT_SIZE:
        raise WireProtocolError(f"hint length {length} exceeds {MAX_HINT_SIZE}; stream is broken")
    body = read_exact(reader, length, "hint body") if length else b""
    if body is None:
        raise WireProtocolError(f"stream closed before the {length}-byte hint body")
    return body


class HintFrameDecoder:
    """Incremental hint decoder for a VM: bytes the guest wrote to fd 4, in any chunking.

    Mirrors Cannon's ``LastHint`` buffer: complete frames pop out, a partial frame stays in
    `pending` (which a VM saves in its state file as ``lastHint``).
    """

    def __init__(self, pending: bytes = b"") -> None:
        self.pending = pending

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Append ``data`` and yield every hint now complete."""
        self.pending += data
        while len(self.pending) >= 4:
            (length,) = struct.unpack(">I", self.pending[:4])
            if length > len(self.pending) - 4:
                break
            hint = self.pending[4 : 4 + length]
            self.pending = self.pending[4 + length :]
            yield hint


# ---- preimage channel ------------------------------------------------------------------------


def encode_preimage(value: bytes) -> bytes:
    """The served stream for a value: ``uint64_be(len) ‖ value`` (also what the VM caches)."""
    return struct.pack(">Q", len(value)) + value


def read_key(reader: ByteReader) -> bytes | None:
    """Read one 32-byte key (host side). None when the client closed the channel."""
    return read_exact(reader, KEY_SIZE, "preimage key")


def read_preimage(reader: ByteReader) -> bytes:
    """Read one ``uint64_be(len) ‖ value`` answer (client side), tolerating short reads."""
    header = read_exact(reader, 8, "preimage length")
    if header is None:
        raise WireProtocolError("host closed the preimage channel before answering")
    (length,) = struct.unpack(">Q", header)
    if length == 0:
        return b""
    body = read_exact(reader, length, "preimage value")
    if body is None:
        raise WireProtocolError(f"host closed the channel before the {length}-byte preimage")
    return body


class OracleClient:
    """`PreimageOracle` over a pair of byte streams (the client end of the preimage channel)."""

    def __init__(self, reader: ByteReader, writer: ByteWriter) -> None:
        self._reader = reader
        self._writer = writer

    def get_preimage(self, key: bytes) -> bytes:
        if len(key) != KEY_SIZE:
            raise WireProtocolError(f"preimage key is {len(key)} bytes, expected {KEY_SIZE}")
        write_all(self._writer, key)
        return read_preimage(self._reader)


class HintClient:
    """`HintWriter` over a pair of byte streams: writes a frame, blocks for the ack byte."""

    def __init__(self, reader: ByteReader, writer: ByteWriter) -> None:
        self._reader = reader
        self._writer = writer

    def hint(self, hint: bytes) -> None:
        write_all(self._writer, encode_hint(hint))
        if read_exact(self._reader, 1, "hint ack") is None:
            raise WireProtocolError(f"host closed the hint channel before acking {hint[:64]!r}")
