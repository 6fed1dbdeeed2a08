"""`HostProcess`: the VM's side of a host subprocess (``cannon run -- <host cmd>``).

The host command gets the host ends of both channels on its fds 3-6 (3 hint requests in, 4 acks
out, 5 keys in, 6 data out; see `faultproof.preimage.channels`). Every read and write has a
deadline, so a dead, silent or stuck host becomes an error with its exit code and stderr instead
of a hung VM.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence

from faultproof.errors import FaultproofError
from faultproof.preimage.channels import ChannelPair, spawn_with_fds
from faultproof.preimage.errors import HostProcessError, PreimageNotFound, WireProtocolError
from faultproof.preimage.protocol import encode_hint, read_exact, write_all

MAX_PREIMAGE_LENGTH = (2**16 - 1) * 136
"""The longest preimage any oracle can hold: Optimism's PreimageOracle takes large preimages as a
keccak Merkle tree of at most ``MAX_LEAF_COUNT = 2**KECCAK_TREE_DEPTH - 1`` (depth 16) blocks of
136 bytes, about 8.91 MB. A longer length prefix from the host is garbage on the wire (a host
that prints to fd 6, a wrong program), not a preimage: it is refused before anything is
allocated, and the host is reported as broken."""


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
            return self._not_found(self._last_key, stderr)
        state = "still running" if code is None else f"exited with code {code}"
        return HostProcessError(
            f"host {self.argv[0]!r} {state}: {reason}; stderr: {stderr or '(empty)'}"
        )

    def _not_found(self, key: bytes, stderr: str) -> PreimageNotFound:
        """The host's own "no preimage" line, without repeating the key and hint we name too."""
        lines = [line for line in stderr.splitlines() if "no preimage for key" in line]
        line = lines[-1] if lines else stderr
        ours = str(PreimageNotFound(key, self.last_hint))
        at = line.find(ours)
        if at < 0:
            return PreimageNotFound(key, self.last_hint, f"host said: {line}")
        rest = line[at + len(ours) :].lstrip("; ")
        return PreimageNotFound(
            key, self.last_hint, f"reported by host {self.argv[0]!r}" + (f": {rest}" if rest else "")
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
            if length > MAX_PREIMAGE_LENGTH:
                raise WireProtocolError(
                    f"host sent a preimage length of {length} bytes for key 0x{key.hex()}, over "
                    f"the oracle's limit of {MAX_PREIMAGE_LENGTH}: the host is broken"
                )
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
