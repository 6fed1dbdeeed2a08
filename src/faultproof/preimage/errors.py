"""Errors of the preimage oracle.

All of them derive from `faultproof.errors.FaultproofError` so the CLI reports them as one line.
`PreimageNotFound` is the shared one from `faultproof.errors`, re-exported here with a richer
constructor because "which key, after which hint" is what a user needs to debug a missing preimage.
"""

from __future__ import annotations

from faultproof.errors import FaultproofError
from faultproof.errors import PreimageNotFound as _BasePreimageNotFound


class InvalidPreimageKey(FaultproofError):
    """A key is not 32 bytes, or has a type byte this operation cannot handle."""


class PreimageMismatch(FaultproofError):
    """A value does not hash to the key it was offered under (rejected on insert)."""


class CorruptPreimage(FaultproofError):
    """A stored value no longer matches its key or checksum (detected on read)."""


class UnverifiablePreimage(FaultproofError):
    """The key type cannot be checked from (key, value) alone and no verifier/trusted path was used."""


class InvalidHint(FaultproofError):
    """A hint is not of the form ``<type> 0x<hex>`` or has no handler in strict mode."""


class WireProtocolError(FaultproofError):
    """The peer broke the hint or preimage wire protocol (closed mid-frame, bad length)."""


class HostProcessError(FaultproofError):
    """The host subprocess exited, timed out, or could not be started."""


class StoreError(FaultproofError):
    """A preimage store file cannot be opened or written as asked."""


class PreimageNotFound(_BasePreimageNotFound):
    """The host has no preimage for a key, even after routing the last hint.

    The message names the key, its type and the last hint seen, which is usually the hint that
    should have fetched it.
    """

    def __init__(self, key: bytes, last_hint: bytes | None = None, detail: str = "") -> None:
        self.key = key
        self.last_hint = last_hint
        type_name = _type_name(key)
        hint_text = "none" if last_hint is None else repr(last_hint.decode("utf-8", "replace"))
        msg = f"no preimage for key 0x{key.hex()} (type {type_name}); last hint: {hint_text}"
        if detail:
            msg += f"; {detail}"
        super().__init__(msg)


def _type_name(key: bytes) -> str:
    names = {1: "local", 2: "keccak256", 3: "generic", 4: "sha256", 5: "blob", 6: "precompile"}
    if not key:
        return "empty"
    return f"{key[0]} {names.get(key[0], 'unknown')}"
