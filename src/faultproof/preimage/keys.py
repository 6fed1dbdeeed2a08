"""Preimage keys: 32 bytes whose first byte is the key type.

Source: dispute-game-and-oracle.md §1.4 (local keys and their on-chain localization), §4.2 (key
types), §8.6 (the blob key fix); cannon-mips32.md §5.1, §7.4. For hash-derived keys the type byte
*overwrites* the first byte of the digest, so a key commits to 31 bytes of the hash.
"""

from __future__ import annotations

import functools
from enum import IntEnum

from faultproof.crypto import keccak256, sha256
from faultproof.preimage.errors import InvalidPreimageKey

KEY_SIZE = 32


class KeyType(IntEnum):
    """Type byte of a preimage key (§4.2). 0 is illegal, 7-128 reserved, 129-255 application use."""

    LOCAL = 1
    KECCAK256 = 2
    GENERIC = 3
    SHA256 = 4
    BLOB = 5
    PRECOMPILE = 6


# Local key idents the dispute game can load on chain (§1.4); 6-9 exist only off chain.
LOCAL_L1_HEAD = 1
LOCAL_STARTING_OUTPUT_ROOT = 2
LOCAL_DISPUTED_OUTPUT_ROOT = 3
LOCAL_DISPUTED_L2_BLOCK_NUMBER = 4
LOCAL_L2_CHAIN_ID = 5

# BLS12-381 scalar field and the EIP-4844 blob domain, for blob field-element keys.
BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
FIELD_ELEMENTS_PER_BLOB = 4096
_PRIMITIVE_ROOT_OF_UNITY = 7


def _tag(type_byte: int, digest: bytes) -> bytes:
    return bytes([type_byte]) + digest[1:]


def _check_key(key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise InvalidPreimageKey(f"preimage key is {len(key)} bytes, expected {KEY_SIZE}")


def local_key(ident: int) -> bytes:
    """The client-side (unlocalized) local key: ``0x01 ‖ 23 zero bytes ‖ uint64_be(ident)``."""
    if not 0 <= ident < 2**64:
        raise InvalidPreimageKey(f"local key ident {ident} does not fit in a uint64")
    return b"\x01" + bytes(23) + ident.to_bytes(8, "big")


def keccak256_key(data: bytes | None = None, *, digest: bytes | None = None) -> bytes:
    """Global keccak256 key ``0x02 ‖ keccak256(data)[1:]``.

    Pass the preimage positionally, or an already computed hash as ``digest=`` (e.g. a block hash
    from a hint). Never guessed from the length: a 32-byte preimage is common.
    """
    if (data is None) == (digest is None):
        raise InvalidPreimageKey("keccak256_key needs exactly one of data or digest=")
    if digest is not None:
        _check_key(digest)
        return _tag(KeyType.KECCAK256, digest)
    assert data is not None
    return _tag(KeyType.KECCAK256, keccak256(data))


def sha256_key(data: bytes | None = None, *, digest: bytes | None = None) -> bytes:
    """Global SHA-256 key ``0x04 ‖ sha256(data)[1:]`` (or from ``digest=``, as for keccak)."""
    if (data is None) == (digest is None):
        raise InvalidPreimageKey("sha256_key needs exactly one of data or digest=")
    if digest is not None:
        _check_key(digest)
        return _tag(KeyType.SHA256, digest)
    assert data is not None
    return _tag(KeyType.SHA256, sha256(data))


def blob_key(commitment: bytes, z: bytes) -> bytes:
    """EIP-4844 point-evaluation key ``0x05 ‖ keccak256(commitment48 ‖ z32)[1:]``; value = y.

    This is exactly what `loadBlobPreimagePart` computes on chain. For blob field elements use
    `blob_field_element_key`, which picks the correct evaluation point.
    """
    if len(commitment) != 48:
        raise InvalidPreimageKey(f"blob commitment is {len(commitment)} bytes, expected 48")
    if len(z) != 32:
        raise InvalidPreimageKey(f"blob evaluation point z is {len(z)} bytes, expected 32")
    return _tag(KeyType.BLOB, keccak256(commitment + z))


def _bit_reverse(value: int, bits: int) -> int:
    return int(format(value, f"0{bits}b")[::-1], 2)


@functools.cache
def _roots_of_unity_brp() -> tuple[bytes, ...]:
    omega = pow(_PRIMITIVE_ROOT_OF_UNITY, (BLS_MODULUS - 1) // FIELD_ELEMENTS_PER_BLOB, BLS_MODULUS)
    powers = [1] * FIELD_ELEMENTS_PER_BLOB
    for i in range(1, FIELD_ELEMENTS_PER_BLOB):
        powers[i] = powers[i - 1] * omega % BLS_MODULUS
    return tuple(
        powers[_bit_reverse(i, 12)].to_bytes(32, "big") for i in range(FIELD_ELEMENTS_PER_BLOB)
    )


def blob_root_of_unity(index: int) -> bytes:
    """The evaluation point of blob field element ``index``: ``ω^bitrev(index)`` as 32 bytes BE.

    Blobs are in evaluation form over the 4096-th roots of unity in bit-reversed order (EIP-4844,
    ω = 7^((r-1)/4096)), so element i is the polynomial's value at ``ω^bitrev12(i)``.
    """
    if not 0 <= index < FIELD_ELEMENTS_PER_BLOB:
        raise InvalidPreimageKey(f"blob field element index {index} is not in [0, 4096)")
    return _roots_of_unity_brp()[index]


def blob_field_element_key(commitment: bytes, index: int) -> bytes:
    """Key of blob field element ``index``, with the fixed derivation (§8 item 6).

    ``z = ω^bitrev(index)``. The old scheme (`blob_field_element_key_legacy`) put the raw index in
    z, so the challenger would post a ``y`` for the wrong point; it is kept only to read old data.
    """
    return blob_key(commitment, blob_root_of_unity(index))


def blob_field_element_key_legacy(commitment: bytes, index: int) -> bytes:
    """The pre-fix blob key: ``z = uint64_be(index)`` in the low 8 bytes. Do not use for new data."""
    if not 0 <= index < FIELD_ELEMENTS_PER_BLOB:
        raise InvalidPreimageKey(f"blob field element index {index} is not in [0, 4096)")
    return blob_key(commitment, bytes(24) + index.to_bytes(8, "big"))


def address_bytes(address: bytes | str | int) -> bytes:
    """A 20-byte address from bytes, ``0x`` hex or an int."""
    if isinstance(address, int):
        if not 0 <= address < 2**160:
            raise InvalidPreimageKey(f"address {address:#x} does not fit in 20 bytes")
        return address.to_bytes(20, "big")
    if isinstance(address, str):
        text = address[2:] if address.lower().startswith("0x") else address
        try:
            address = bytes.fromhex(text)
        except ValueError as exc:
            raise InvalidPreimageKey(f"address {text!r} is not hex") from exc
    if len(address) != 20:
        raise InvalidPreimageKey(f"address is {len(address)} bytes, expected 20")
    return address


def precompile_key(address: bytes | str | int, required_gas: int, input_data: bytes) -> bytes:
    """Precompile key as the current contract computes it (§4.2, §8 item 3).

    ``0x06 ‖ keccak256(address20 ‖ uint64_be(required_gas) ‖ input)[1:]`` -- the same bytes as the
    ``l1-precompile-v2`` hint. ``required_gas`` is in the key so a result stored after an
    out-of-gas call cannot sit under the key of the real call.
    """
    if not 0 <= required_gas < 2**64:
        raise InvalidPreimageKey(f"required gas {required_gas} does not fit in a uint64")
    payload = address_bytes(address) + required_gas.to_bytes(8, "big") + input_data
    return _tag(KeyType.PRECOMPILE, keccak256(payload))


def precompile_key_legacy(address: bytes | str | int, input_data: bytes) -> bytes:
    """The spec-text variant without gas, ``keccak256(address20 ‖ input)`` (legacy hint)."""
    return _tag(KeyType.PRECOMPILE, keccak256(address_bytes(address) + input_data))


def key_type(key: bytes) -> KeyType:
    """The type of a 32-byte key; raises for type 0, reserved and application-defined types."""
    _check_key(key)
    try:
        return KeyType(key[0])
    except ValueError:
        raise InvalidPreimageKey(
            f"key 0x{key.hex()} has type byte {key[0]}, not one of the defined types 1-6"
        ) from None


def local_ident(key: bytes) -> int:
    """The ident of an unlocalized local key (``uint(key[1:])`` as the contract reads it)."""
    if key_type(key) is not KeyType.LOCAL:
        raise InvalidPreimageKey(f"key 0x{key.hex()} is not a local key")
    return int.from_bytes(key[1:], "big")


def localize(key: bytes, local_context: bytes, caller: bytes | str | int) -> bytes:
    """On-chain localization of a local key (`PreimageKeyLib.localize`, cannon-mips32.md §7.4).

    ``keccak256(key' ‖ pad32(caller) ‖ local_context)`` with byte 0 set to 0x01, where ``key'`` is
    the key with its type byte forced to 0x01 and ``caller`` is the dispute game (msg.sender of
    ``step`` / caller of ``loadLocalData``). This isolates local data per game and sub-game.
    """
    _check_key(key)
    if len(local_context) != 32:
        raise InvalidPreimageKey(f"local context is {len(local_context)} bytes, expected 32")
    forced = b"\x01" + key[1:]
    digest = keccak256(forced + bytes(12) + address_bytes(caller) + local_context)
    return _tag(KeyType.LOCAL, digest)


def localize_ident(ident: int, local_context: bytes, caller: bytes | str | int) -> bytes:
    """`PreimageKeyLib.localizeIdent`: the localized key `loadLocalData(ident, ...)` writes."""
    if not 0 <= ident < 2**256:
        raise InvalidPreimageKey(f"local ident {ident} does not fit in a uint256")
    return localize(ident.to_bytes(32, "big"), local_context, caller)
