"""The host: answers keys from boot info, a store and sources, and speaks the wire protocol.

- `LocalHost`: an in-process `PreimageOracle` + `HintWriter` over a store, `BootInfo` and sources.
  VMs and tests use it directly (fast path); `serve` puts it on pipes.
- `serve`: speaks the protocol to one client over `HostChannels` (or four fds).

Hints live in `faultproof.preimage.hints`, the subprocess client in
`faultproof.preimage.process`; both are re-exported here.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any

from faultproof.preimage.channels import HostChannels
from faultproof.preimage.errors import PreimageNotFound
from faultproof.preimage.hints import (
    ACCELERATED_PRECOMPILES,
    KECCAK_HASH_HINTS,
    BlobFetcher,
    BlobHintHandler,
    FetchKeys,
    HintRouter,
    PrecompileHintHandler,
    format_hint,
    parse_hint,
)
from faultproof.preimage.keys import KeyType, key_type
from faultproof.preimage.process import HostProcess
from faultproof.preimage.protocol import (
    HINT_ACK,
    OracleHost,
    PreimageSource,
    encode_preimage,
    read_hint,
    read_key,
    write_all,
)
from faultproof.preimage.store import BootInfo, MemoryStore, PreimageStore

__all__ = [
    "ACCELERATED_PRECOMPILES",
    "KECCAK_HASH_HINTS",
    "BlobFetcher",
    "BlobHintHandler",
    "FetchKeys",
    "HintRouter",
    "HostProcess",
    "LocalHost",
    "PrecompileHintHandler",
    "format_hint",
    "parse_hint",
    "serve",
]


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
