"""Recursive Length Prefix encoding (Yellow Paper appendix B), strict on decode.

The host rebuilds headers, transactions and trie nodes from JSON-RPC fields, so it needs RLP
both ways. Decoding is strict (canonical lengths only, no trailing bytes): the guest refuses
non-canonical RLP too, and a host that accepted it would hash something the guest cannot read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from faultproof.errors import FaultproofError

RLPItem: TypeAlias = bytes | list["RLPItem"]
"""A decoded item: a byte string or a list of items."""

Encodable: TypeAlias = bytes | bytearray | int | Sequence["Encodable"]
"""What `encode` accepts: bytes, non-negative ints (big-endian, no leading zeros) or lists."""


class RLPError(FaultproofError):
    """Bytes that are not canonical RLP, or a value RLP cannot encode."""


def encode_uint(value: int) -> bytes:
    """The minimal big-endian bytes of ``value`` (zero is the empty string), as RLP wants them."""
    if value < 0:
        raise RLPError(f"cannot RLP-encode negative integer {value}")
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    size = encode_uint(length)
    return bytes([offset + 55 + len(size)]) + size


def encode(item: Encodable) -> bytes:
    """RLP of ``item``."""
    if isinstance(item, bytes | bytearray):
        data = bytes(item)
        if len(data) == 1 and data[0] < 0x80:
            return data
        return _length_prefix(len(data), 0x80) + data
    if isinstance(item, bool):
        raise RLPError("refusing to RLP-encode a bool; pass an int")
    if isinstance(item, int):
        return encode(encode_uint(item))
    payload = b"".join(encode(x) for x in item)
    return _length_prefix(len(payload), 0xC0) + payload


def decode(data: bytes) -> RLPItem:
    """The item ``data`` encodes; `RLPError` unless it is exactly one canonical item."""
    item, end = _decode_at(bytes(data), 0)
    if end != len(data):
        raise RLPError(f"{len(data) - end} trailing bytes after the RLP item")
    return item


def item_length(data: bytes, pos: int = 0) -> int:
    """Total length (prefix included) of the item starting at ``pos``."""
    _, end = _decode_at(bytes(data), pos)
    return end - pos


def _header(data: bytes, pos: int) -> tuple[bool, int, int]:
    """(is_list, payload start, payload length) of the item at ``pos``."""
    if pos >= len(data):
        raise RLPError("RLP item truncated: no prefix byte")
    b = data[pos]
    if b < 0x80:
        return False, pos, 1
    if b < 0xB8:
        n = b - 0x80
        if n == 1 and pos + 1 < len(data) and data[pos + 1] < 0x80:
            raise RLPError("non-canonical RLP: single byte below 0x80 given a length prefix")
        return False, pos + 1, n
    if b < 0xC0:
        return False, *_long(data, pos, b - 0xB7)
    if b < 0xF8:
        return True, pos + 1, b - 0xC0
    return True, *_long(data, pos, b - 0xF7)


def _long(data: bytes, pos: int, size: int) -> tuple[int, int]:
    raw = data[pos + 1 : pos + 1 + size]
    if len(raw) != size:
        raise RLPError("RLP length truncated")
    if raw[0] == 0:
        raise RLPError("non-canonical RLP: length with leading zero")
    n = int.from_bytes(raw, "big")
    if n < 56:
        raise RLPError("non-canonical RLP: long form for a length below 56")
    return pos + 1 + size, n


def _decode_at(data: bytes, pos: int) -> tuple[RLPItem, int]:
    is_list, start, length = _header(data, pos)
    end = start + length
    if end > len(data):
        raise RLPError(f"RLP item claims {length} bytes, only {len(data) - start} left")
    if not is_list:
        return data[start:end], end
    items: list[RLPItem] = []
    cur = start
    while cur < end:
        item, cur = _decode_at(data, cur)
        if cur > end:
            raise RLPError("RLP list element runs past the end of its list")
        items.append(item)
    return items, end


def decode_uint(raw: RLPItem) -> int:
    """A scalar field: bytes with no leading zero (canonical), as an int."""
    if not isinstance(raw, bytes):
        raise RLPError("expected an RLP string for an integer, got a list")
    if raw[:1] == b"\x00":
        raise RLPError("non-canonical RLP integer with a leading zero")
    return int.from_bytes(raw, "big")


def as_bytes(item: RLPItem) -> bytes:
    if not isinstance(item, bytes):
        raise RLPError("expected an RLP string, got a list")
    return item


def as_list(item: RLPItem) -> list[RLPItem]:
    if not isinstance(item, list):
        raise RLPError("expected an RLP list, got a string")
    return item
