"""The on-chain view of a preimage: 32-byte parts of the length-prefixed stream.

Off-chain mirror of `PreimageOracle.readPreimage` and the VMs' read path
(dispute-game-and-oracle.md §4.3, cannon-mips32.md §7.4, asterisc-riscv64.md §5.3), so a VM, the
challenger and the contract tests compute the same ``(dat, datLen)`` for a key and offset.
"""

from __future__ import annotations

from typing import Any

from faultproof.preimage.errors import InvalidPreimageKey, PreimageNotFound
from faultproof.preimage.keys import KeyType, key_type, localize
from faultproof.preimage.protocol import PreimageOracle, encode_preimage

MAX_SINGLE_TX_PREIMAGE = 131_072
"""Largest keccak256/sha256 preimage the PreimageOracle's one-transaction loaders accept
(``MAX_PREIMAGE_SIZE`` in PreimageOracle.vy). Larger keccak preimages need a Large Preimage
Proposal (§4.4), which is not implemented yet (README, "Limits")."""


class PartOffsetOutOfBounds(InvalidPreimageKey):
    """No part exists at this offset: the oracle requires ``offset < len + 8`` (PartOffsetOOB)."""


class PreimageTooLargeForOracle(InvalidPreimageKey):
    """The preimage is over `MAX_SINGLE_TX_PREIMAGE`: no single-transaction loader takes it."""


def read_part(value: bytes, offset: int) -> tuple[bytes, int]:
    """``(dat, datLen)`` as ``readPreimage`` returns them for a preimage ``value`` at ``offset``.

    ``dat`` is the 32 bytes of ``uint64_be(len) ‖ value ‖ zero padding`` starting at ``offset``;
    ``datLen`` is 32, or ``len + 8 - offset`` when ``offset + 32 >= len + 8``.
    """
    stream = encode_preimage(value)
    if not 0 <= offset < len(stream):
        raise PartOffsetOutOfBounds(
            f"offset {offset} is past the {len(stream)}-byte stream (len {len(value)} + 8); "
            "a client must stop after the length prefix says, not read until EOF"
        )
    dat = stream[offset : offset + 32].ljust(32, b"\x00")
    dat_len = 32 if offset + 32 < len(stream) else len(stream) - offset
    return dat, dat_len


def oracle_key(key: bytes, local_context: bytes, caller: bytes | str | int) -> bytes:
    """The key the on-chain VM asks the oracle for: local keys localized, the rest unchanged."""
    if key and key[0] == KeyType.LOCAL:
        return localize(key, local_context, caller)
    return key


def oracle_load_call(
    oracle: PreimageOracle,
    key: bytes,
    offset: int,
    local_context: bytes,
    *,
    blob_proof: bytes | None = None,
) -> tuple[str, tuple[Any, ...]]:
    """The PreimageOracle function and arguments that make part ``offset`` of ``key`` readable
    on chain -- what a challenger sends before ``step`` (dispute-game-and-oracle.md §4.3).

    ``oracle`` answers raw keys (a `LocalHost`). Precompile and blob keys are rebuilt from the
    keccak entry with the same 31 digest bytes (the call bytes, resp. ``commitment ‖ z``), which
    `PreimageStore.put_precompile` / ``put_blob_sidecar`` store. Blob parts also need the KZG
    opening proof, which the caller passes as ``blob_proof``.
    """
    kind = key_type(key)
    value = oracle.get_preimage(key)
    read_part(value, offset)  # the same bounds check the contract makes
    if kind is KeyType.LOCAL:
        if len(value) > 32:
            raise InvalidPreimageKey(
                f"local value of {len(value)} bytes cannot be loaded on chain (at most 32)"
            )
        ident = int.from_bytes(key[1:], "big")
        return "loadLocalData", (ident, local_context, value.ljust(32, b"\x00"), len(value), offset)
    if kind in (KeyType.KECCAK256, KeyType.SHA256) and len(value) > MAX_SINGLE_TX_PREIMAGE:
        route = (
            "a Large Preimage Proposal (initLPP/addLeavesLPP/squeezeLPP), which faultproof "
            "does not implement yet"
            if kind is KeyType.KECCAK256
            else "no oracle path (the oracle has no large-preimage route for sha256)"
        )
        raise PreimageTooLargeForOracle(
            f"preimage of 0x{key.hex()} is {len(value)} bytes, over the {MAX_SINGLE_TX_PREIMAGE}"
            f"-byte limit of the one-transaction loaders; loading it on chain needs {route}"
        )
    if kind is KeyType.KECCAK256:
        return "loadKeccak256PreimagePart", (offset, value)
    if kind is KeyType.SHA256:
        return "loadSha256PreimagePart", (offset, value)
    companion = _companion(oracle, key)
    if kind is KeyType.PRECOMPILE:
        if len(companion) < 28:
            raise InvalidPreimageKey(f"precompile call bytes for 0x{key.hex()} are too short")
        address = "0x" + companion[:20].hex()
        gas = int.from_bytes(companion[20:28], "big")
        return "loadPrecompilePreimagePart", (offset, address, gas, companion[28:])
    if kind is KeyType.BLOB:
        if blob_proof is None:
            raise InvalidPreimageKey(f"blob key 0x{key.hex()} needs blob_proof= to load on chain")
        if len(companion) != 80:
            raise InvalidPreimageKey(f"blob point for 0x{key.hex()} is not commitment48 ‖ z32")
        z = int.from_bytes(companion[48:], "big")
        y = int.from_bytes(value, "big")
        return "loadBlobPreimagePart", (z, y, companion[:48], blob_proof, offset)
    raise InvalidPreimageKey(f"{kind.name.lower()} keys cannot be loaded into the oracle")


def _companion(oracle: PreimageOracle, key: bytes) -> bytes:
    keccak_key = bytes([KeyType.KECCAK256]) + key[1:]
    try:
        return oracle.get_preimage(keccak_key)
    except PreimageNotFound:
        raise PreimageNotFound(
            keccak_key, detail=f"needed to rebuild the on-chain load call for 0x{key.hex()}"
        ) from None
