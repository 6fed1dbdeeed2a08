"""The host: routes hints to fetchers, answers keys from a store, speaks the wire protocol.

Pieces, smallest first:

- `parse_hint` / `format_hint`: ``"<type> 0x<hex>"`` hint strings (dispute-game-and-oracle.md §5.3).
- `HintRouter`: hint type -> `HintHandler`; handlers fetch from `PreimageSource`s into a store.
- `LocalHost`: an in-process `PreimageOracle` + `HintWriter` over a store, `BootInfo` and sources.
  VMs and tests use it directly (fast path); `serve` puts it on pipes.
- `serve`: speaks the protocol to one client over `HostChannels`.
- `HostProcess`: the VM's side of a host subprocess (``cannon run -- <host cmd>``).
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, Protocol

from faultproof.crypto import sha256
from faultproof.errors import FaultproofError
from faultproof.preimage.channels import ChannelPair, HostChannels, spawn_with_fds
from faultproof.preimage.errors import (
    HostProcessError,
    InvalidHint,
    PreimageMismatch,
    PreimageNotFound,
    WireProtocolError,
)
from faultproof.preimage.keys import KeyType, keccak256_key, key_type, sha256_key
from faultproof.preimage.protocol import (
    HINT_ACK,
    HintHandler,
    OracleHost,
    PreimageSink,
    PreimageSource,
    encode_hint,
    encode_preimage,
    read_exact,
    read_hint,
    read_key,
    write_all,
)
from faultproof.preimage.store import BootInfo, MemoryStore, PreimageStore

# ---- hints -----------------------------------------------------------------------------------


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


# ---- the in-process host ---------------------------------------------------------------------


class LocalHost:
    """`PreimageOracle` and `HintWriter` answered directly from a store (no pipes).

    Lookup order for a key: local keys from `boot_info`; then the store; then each source (a
    fetched value is verified and kept in the store). Hints go through `router`.
    """

    def __init__(
        self,
        store: PreimageStore | None = None,
        boot_info: BootInfo | None = None,
        sources: Sequence[PreimageSource] = (),
        router: HintRouter | None = None,
    ) -> None:
        self.store = store if store is not None else MemoryStore()
        self.boot_info = boot_info if boot_info is not None else BootInfo()
        self.sources = list(sources)
        if router is None:
            router = HintRouter(self.store)
            router.register_sources(self.sources)
        self.router = router
        self.last_hint: bytes | None = None
        self.hint_count = 0
        self.request_count = 0

    def hint(self, hint: bytes) -> None:
        self.last_hint = hint
        self.hint_count += 1
        self.router.route(hint)

    def get_preimage(self, key: bytes) -> bytes:
        self.request_count += 1
        kind = key_type(key)
        if kind is KeyType.LOCAL:
            value = self.boot_info.get(key)
            if value is None:
                raise PreimageNotFound(
                    key, self.last_hint, f"boot info has idents {sorted(self.boot_info.locals)}"
                )
            return value
        value = self.store.fetch(key)
        if value is not None:
            return value
        for source in self.sources:
            fetched = source.fetch(key)
            if fetched is not None:
                self.store.put(key, fetched)
                return fetched
        detail = "not in the store or any source"
        if self.router.last_error is not None:
            detail += f"; last hint handler error: {self.router.last_error}"
        raise PreimageNotFound(key, self.last_hint, detail)


def serve(
    host: OracleHost,
    channels: HostChannels | Sequence[int | io.RawIOBase],
) -> None:
    """Serve one client on ``channels``; return when it has closed both, raise on the first error.

    ``channels`` is a `HostChannels` or four fds/binary files: hint requests in, hint acks out,
    keys in, data out (the host's fds 3, 4, 5, 6). ``host`` is anything with ``hint`` and
    ``get_preimage`` (a `LocalHost`, a `HostProcess` as a proxy, ...).

    Each channel runs on its own thread and owns its two ends: hints are acked after processing;
    keys are answered with ``uint64_be(len) ‖ value``. A loop that fails (unknown key, broken
    frame) closes its ends at once, so the client reads EOF instead of hanging, and the error is
    raised here immediately -- a server process then reports it and exits, even while the
    client still holds the other channel open. A client that vanishes mid-answer is not an error.
    """
    channels = HostChannels.coerce(channels)
    done = threading.Semaphore(0)
    errors: list[BaseException] = []

    def run(loop: Callable[[], None], ends: tuple[Any, Any]) -> None:
        try:
            loop()
        except BrokenPipeError:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            for end in ends:
                _close(end)
            done.release()

    def hint_loop() -> None:
        while (hint := read_hint(channels.hint_in)) is not None:
            host.hint(hint)
            write_all(channels.hint_out, HINT_ACK)

    def key_loop() -> None:
        while (key := read_key(channels.key_in)) is not None:
            write_all(channels.data_out, encode_preimage(host.get_preimage(key)))

    loops = [
        (hint_loop, (channels.hint_out, channels.hint_in), "preimage-hints"),
        (key_loop, (channels.data_out, channels.key_in), "preimage-keys"),
    ]
    for loop, ends, name in loops:
        threading.Thread(target=run, args=(loop, ends), name=name, daemon=True).start()
    for _ in loops:
        done.acquire()
        if errors:
            raise errors[0]


def _close(f: IO[bytes] | Any) -> None:
    with contextlib.suppress(OSError):
        f.close()


# ---- the VM's side of a host subprocess ------------------------------------------------------


class _TimedReader:
    """Reads a pipe with a deadline per read, so a dead or stuck host cannot hang the VM."""

    def __init__(self, fd: int, timeout: float, owner: HostProcess) -> None:
        self.fd = fd
        self.timeout = timeout
        self.owner = owner

    def read(self, n: int = -1, /) -> bytes:
        ready, _, _ = select.select([self.fd], [], [], self.timeout)
        if not ready:
            raise self.owner._failure(f"host did not answer within {self.timeout:g} s")
        return os.read(self.fd, n if n > 0 else 65536)


class _TimedWriter:
    """Writes a pipe with a deadline, so a host that stopped reading cannot block the VM."""

    def __init__(self, fd: int, timeout: float, owner: HostProcess) -> None:
        self.fd = fd
        self.timeout = timeout
        self.owner = owner

    def write(self, data: bytes, /) -> int:
        _, ready, _ = select.select([], [self.fd], [], self.timeout)
        if not ready:
            raise self.owner._failure(f"host did not read within {self.timeout:g} s")
        try:
            return os.write(self.fd, data)  # non-blocking: takes what fits in the pipe
        except BlockingIOError:
            return 0

    def flush(self) -> None:
        pass


class HostProcess:
    """Runs a host command with the host ends of both channels on its fds 3-6 (see
    `faultproof.preimage.channels`), and offers `PreimageOracle` + `HintWriter` to the VM.

    Like Cannon: hints are length-prefixed and wait for the ack; preimages are key then length
    and data; every read has a ``timeout`` (Cannon uses 15 s). When the host dies, the error
    carries its exit code and the tail of its stderr; a host that reported a missing preimage
    becomes `PreimageNotFound`.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        timeout: float = 15.0,
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        if not argv:
            raise HostProcessError("empty host command")
        self.argv = list(argv)
        self.timeout = timeout
        self.last_hint: bytes | None = None
        self._last_key: bytes | None = None
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the host
        pair = ChannelPair.create()
        try:
            self.process = spawn_with_fds(
                self.argv,
                pair.host_fds,
                stdin=subprocess.DEVNULL,
                stderr=self._stderr,
                env=env,
                cwd=cwd,
            )
        except OSError as exc:
            for fd in (*pair.host_fds, *pair.client_fds):
                os.close(fd)
            raise HostProcessError(f"cannot start host {self.argv[0]!r}: {exc}") from exc
        for fd in pair.host_fds:
            os.close(fd)
        self._ack_fd, self._hint_fd, self._data_fd, self._key_fd = pair.client_fds
        os.set_blocking(self._hint_fd, False)
        os.set_blocking(self._key_fd, False)
        self._closed = False

    def _stderr_tail(self, limit: int = 2000) -> str:
        self._stderr.flush()
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace")
        return text[-limit:].strip()

    def _failure(self, reason: str) -> FaultproofError:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=1.0)
        code = self.process.poll()
        stderr = self._stderr_tail()
        if self._last_key is not None and "no preimage for key" in stderr:
            return PreimageNotFound(self._last_key, self.last_hint, f"host said: {stderr}")
        state = "still running" if code is None else f"exited with code {code}"
        return HostProcessError(
            f"host {self.argv[0]!r} {state}: {reason}; stderr: {stderr or '(empty)'}"
        )

    def hint(self, hint: bytes) -> None:
        self.last_hint = hint
        try:
            write_all(_TimedWriter(self._hint_fd, self.timeout, self), encode_hint(hint))
            ack = read_exact(_TimedReader(self._ack_fd, self.timeout, self), 1, "hint ack")
        except (BrokenPipeError, WireProtocolError) as exc:
            raise self._failure(f"hint channel broke ({exc})") from None
        if ack is None:
            raise self._failure(f"host closed the hint channel instead of acking {hint[:64]!r}")

    def get_preimage(self, key: bytes) -> bytes:
        if len(key) != 32:
            raise WireProtocolError(f"preimage key is {len(key)} bytes, expected 32")
        self._last_key = key
        reader = _TimedReader(self._data_fd, self.timeout, self)
        try:
            write_all(_TimedWriter(self._key_fd, self.timeout, self), key)
            header = read_exact(reader, 8, "preimage length")
            if header is None:
                raise WireProtocolError("host closed the preimage channel")
            length = int.from_bytes(header, "big")
            value = read_exact(reader, length, "preimage value") if length else b""
        except (BrokenPipeError, WireProtocolError) as exc:
            raise self._failure(f"preimage channel broke ({exc})") from None
        if value is None:
            raise self._failure("host closed the channel before sending the value")
        return value

    def close(self, grace: float = 1.0) -> int:
        """Close our ends (the host sees EOF), then SIGINT after ``grace`` s, SIGKILL after 5 s."""
        if not self._closed:
            self._closed = True
            for fd in (self._ack_fd, self._hint_fd, self._data_fd, self._key_fd):
                with contextlib.suppress(OSError):
                    os.close(fd)
        deadline = time.monotonic() + grace
        while self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stderr.close()
        return self.process.returncode

    def __enter__(self) -> HostProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
