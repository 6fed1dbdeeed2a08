"""Local (type 1) preimages: the bootstrap inputs of one program run (§1.4, §5.2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from faultproof.preimage.errors import InvalidPreimageKey
from faultproof.preimage.keys import local_ident, local_key


@dataclass
class BootInfo:
    """Local (type 1) preimages for one program run: ident -> value (bootstrap inputs, §5.2).

    On chain each value is loaded with ``loadLocalData`` (at most 32 bytes there); off chain
    idents 6-9 may carry larger config JSON.
    """

    locals: dict[int, bytes] = field(default_factory=dict)

    def get(self, key: bytes) -> bytes | None:
        """The value of an unlocalized local key, or None if this run has no such ident."""
        return self.locals.get(local_ident(key))

    def keys(self) -> list[bytes]:
        return [local_key(ident) for ident in sorted(self.locals)]

    @classmethod
    def from_pairs(cls, pairs: Iterable[str]) -> BootInfo:
        """Parse ``IDENT=0xHEX`` strings (the ``--local`` CLI flag)."""
        values: dict[int, bytes] = {}
        for pair in pairs:
            ident_text, sep, hex_text = pair.partition("=")
            try:
                ident = int(ident_text, 0)
                if not sep:
                    raise ValueError
                value = bytes.fromhex(hex_text.removeprefix("0x"))
            except ValueError:
                raise InvalidPreimageKey(
                    f"local value {pair!r} is not IDENT=0xHEX (e.g. 1=0x00ab...)"
                ) from None
            local_key(ident)  # range check
            values[ident] = value
        return cls(values)
