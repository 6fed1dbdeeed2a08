"""The on-chain view of a preimage: 32-byte parts of the length-prefixed stream.

Off-chain mirror of `PreimageOracle.readPreimage` and the VMs' read path
(dispute-game-and-oracle.md §4.3, cannon-mips32.md §7.4, asterisc-riscv64.md §5.3), so a VM, the
challenger and the contract tests compute the same ``(dat, datLen)`` for a key and offset.
"""

from __future__ import annotations

from faultproof.preimage.errors import InvalidPreimageKey
from faultproof.preimage.keys import KeyType, localize
from faultproof.preimage.protocol import encode_preimage


class PartOffsetOutOfBounds(InvalidPreimageKey):
    """No part exists at this offset: the oracle requires ``offset < len + 8`` (PartOffsetOOB)."""


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
