"""Hints: ``"<type> 0x<hex>"`` strings and the router that turns them into stored preimages.

A hint tells the host what the client will ask for next (dispute-game-and-oracle.md §5.3). The
host acks only after the handler ran, so the client's next ``get_preimage`` finds the data.
Handlers fetch from pluggable sources and put into a verifying store, so a bad source can never
make the host serve a wrong preimage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from faultproof.crypto import sha256
from faultproof.errors import FaultproofError
from faultproof.preimage.errors import InvalidHint, PreimageMismatch
from faultproof.preimage.keys import keccak256_key, sha256_key
from faultproof.preimage.protocol import HintHandler, PreimageSink, PreimageSource
from faultproof.preimage.store import PreimageStore


def parse_hint(hint: bytes) -> tuple[str, bytes]:
    """Split ``b"<type> 0x<hex>"`` into (type, payload bytes). A bare ``<type>`` has no payload."""
    try:
        text = hint.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidHint(f"hint {hint[:80]!r} is not ASCII; expected '<type> 0x<hex>'") from None
    hint_type, _, arg = text.strip().partition(" ")
    if not hint_type:
        raise InvalidHint("empty hint; expected '<type> 0x<hex>'")
    arg = arg.strip()
    if not arg:
        return hint_type, b""
    if not arg.startswith("0x"):
        raise InvalidHint(f"hint {text[:80]!r}: payload must be 0x-prefixed hex")
    try:
        return hint_type, bytes.fromhex(arg[2:])
    except ValueError:
        raise InvalidHint(f"hint {text[:80]!r}: payload is not valid hex") from None


def format_hint(hint_type: str, payload: bytes) -> bytes:
    """The inverse of `parse_hint`: lowercase hex, as op-program writes it."""
    if not hint_type or " " in hint_type:
        raise InvalidHint(f"hint type {hint_type!r} must be one non-empty word")
    return f"{hint_type} 0x{payload.hex()}".encode("ascii")


class FetchKeys:
    """A `HintHandler` that turns the payload into keys and copies them from sources to the sink.

    Missing keys are not an error here (hints are advisory); the later ``get_preimage`` reports
    the key and this hint.
    """

    def __init__(
        self, sources: Sequence[PreimageSource], keys_of: Callable[[bytes], Iterable[bytes]]
    ) -> None:
        self.sources = list(sources)
        self.keys_of = keys_of

    def __call__(self, payload: bytes, sink: PreimageSink) -> None:
        for key in self.keys_of(payload):
            for source in self.sources:
                value = source.fetch(key)
                if value is not None:
                    sink.put(key, value)
                    break


def _hash_payload(make_key: Callable[..., bytes]) -> Callable[[bytes], list[bytes]]:
    def keys_of(payload: bytes) -> list[bytes]:
        if len(payload) != 32:
            raise InvalidHint(f"hint payload is {len(payload)} bytes, expected a 32-byte hash")
        return [make_key(digest=payload)]

    return keys_of


class BlobFetcher(Protocol):
    """Fetches a blob sidecar (e.g. from a beacon node): (commitment48, blob) or None."""

    def fetch_blob(
        self, versioned_hash: bytes, index: int | None, timestamp: int
    ) -> tuple[bytes, bytes] | None: ...


class BlobHintHandler:
    """``l1-blob <versionedHash32 ‖ [index_u64 ‖] timestamp_u64>`` (48 bytes in op-program v1,
    40 in the spec text): fetch the sidecar, check it against the versioned hash and its KZG
    commitment, and store it as `PreimageStore.put_blob_sidecar` describes."""

    def __init__(self, fetcher: BlobFetcher) -> None:
        self.fetcher = fetcher

    def __call__(self, payload: bytes, sink: PreimageSink) -> None:
        if len(payload) == 48:
            index: int | None = int.from_bytes(payload[32:40], "big")
            timestamp = int.from_bytes(payload[40:48], "big")
        elif len(payload) == 40:
            index, timestamp = None, int.from_bytes(payload[32:40], "big")
        else:
            raise InvalidHint(f"l1-blob payload is {len(payload)} bytes, expected 48 or 40")
        if not isinstance(sink, PreimageStore):
            raise InvalidHint("l1-blob hints need a PreimageStore to store the sidecar in")
        versioned_hash = payload[:32]
        fetched = self.fetcher.fetch_blob(versioned_hash, index, timestamp)
        if fetched is None:
            return
        commitment, blob = fetched
        if b"\x01" + sha256(commitment)[1:] != versioned_hash:
            raise PreimageMismatch(
                f"fetched commitment does not match versioned hash 0x{versioned_hash.hex()}"
            )
        sink.put_blob_sidecar(commitment, blob)


# Precompiles op-program accelerates (§5.3): ecrecover, bn256Pairing, KZG point evaluation.
ACCELERATED_PRECOMPILES = frozenset({0x01, 0x08, 0x0A})


class PrecompileHintHandler:
    """``l1-precompile-v2 <address20 ‖ requiredGas_u64 ‖ input>``: run the call with ``runner``
    (returns ``status_byte ‖ returndata``) and store it under the key of exactly those bytes.

    Addresses other than the accelerated ones are refused, as op-program's host does.
    """

    def __init__(self, runner: Callable[[bytes, int, bytes], bytes]) -> None:
        self.runner = runner

    def __call__(self, payload: bytes, sink: PreimageSink) -> None:
        if len(payload) < 28:
            raise InvalidHint(f"l1-precompile-v2 payload is {len(payload)} bytes, need >= 28")
        address, gas, input_data = payload[:20], int.from_bytes(payload[20:28], "big"), payload[28:]
        if int.from_bytes(address, "big") not in ACCELERATED_PRECOMPILES:
            raise InvalidHint(f"precompile 0x{address.hex()} is not accelerated (0x01, 0x08, 0x0a)")
        if not isinstance(sink, PreimageStore):
            raise InvalidHint("l1-precompile-v2 hints need a PreimageStore to store the result in")
        sink.put_precompile(address, gas, input_data, self.runner(address, gas, input_data))


# Hint types whose payload is the keccak256 of the single preimage they ask for (§5.3).
KECCAK_HASH_HINTS = (
    "keccak",
    "l1-block-header",
    "l2-block-header",
    "l2-code",
    "l2-state-node",
    "l2-output",
)


class HintRouter:
    """Dispatches hints by type to handlers that fill ``sink``.

    Unknown hint types are recorded in `unknown` and otherwise ignored, unless ``strict`` (then
    `InvalidHint`): hints are advisory, and an op-program newer than this host may send new ones.
    A handler that fails is recorded in `last_error`, which the next `PreimageNotFound` mentions.
    """

    def __init__(self, sink: PreimageSink, *, strict: bool = False) -> None:
        self.sink = sink
        self.strict = strict
        self.handlers: dict[str, HintHandler] = {}
        self.unknown: list[bytes] = []
        self.last_error: FaultproofError | None = None

    def register(self, hint_type: str, handler: HintHandler) -> None:
        self.handlers[hint_type] = handler

    def register_sources(self, sources: Sequence[PreimageSource]) -> None:
        """Route the hash-keyed hint types (keccak and the §5.3 header/code/node/output hints,
        plus ``sha256``) to fetch from ``sources``."""
        for name in KECCAK_HASH_HINTS:
            self.register(name, FetchKeys(sources, _hash_payload(keccak256_key)))
        self.register("sha256", FetchKeys(sources, _hash_payload(sha256_key)))

    def route(self, hint: bytes) -> None:
        hint_type, payload = parse_hint(hint)
        handler = self.handlers.get(hint_type)
        if handler is None:
            if self.strict:
                raise InvalidHint(
                    f"no handler for hint type {hint_type!r}; known: {sorted(self.handlers)}"
                )
            self.unknown.append(hint)
            return
        try:
            handler(payload, self.sink)
        except FaultproofError as exc:
            self.last_error = exc
            if self.strict:
                raise
