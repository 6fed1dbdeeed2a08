"""Pipes and fd plumbing shared by the host server, `HostProcess` and native guests.

File descriptor convention (op-preimage ``filechan.go``, cannon-mips32.md §5.3), the same four
numbers seen from each side of two bidirectional channels:

==== ================================ ================================
 fd   client (guest) view               host (server) view
==== ================================ ================================
 3    hint acks in (read)               hint requests in (read)
 4    hint requests out (write)         hint acks out (write)
 5    preimage data in (read)           preimage keys in (read)
 6    preimage keys out (write)         preimage data out (write)
==== ================================ ================================

So both sides read on 3/5 and write on 4/6; a client's fd 4 is connected to the host's fd 3, and
the host's fd 6 to the client's fd 5. This is how ``cannon run -- op-program --server`` wires them.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

FD_HINT_READ = 3
FD_HINT_WRITE = 4
FD_PREIMAGE_READ = 5
FD_PREIMAGE_WRITE = 6
_HIGH_FD = 64  # sources are moved here first so dup2 onto 3-6 cannot clobber one another


@dataclass
class HostChannels:
    """The host's four ends: read hints, write acks, read keys, write preimage data."""

    hint_in: io.RawIOBase
    hint_out: io.RawIOBase
    key_in: io.RawIOBase
    data_out: io.RawIOBase

    @classmethod
    def from_fds(cls, hint_in: int, hint_out: int, key_in: int, data_out: int) -> HostChannels:
        """Wrap raw fds (e.g. an inherited 3, 4, 5, 6) as unbuffered files that own them."""
        return cls(
            _raw(hint_in, "rb"), _raw(hint_out, "wb"), _raw(key_in, "rb"), _raw(data_out, "wb")
        )

    @classmethod
    def coerce(cls, channels: HostChannels | Sequence[int | io.RawIOBase]) -> HostChannels:
        """Accept `HostChannels`, or four fds / binary files in the order hint_in, hint_out,
        key_in, data_out (fds are wrapped and then owned by the channels)."""
        if isinstance(channels, HostChannels):
            return channels
        if len(channels) != 4:
            raise ValueError(f"expected 4 channel ends (3-6 order), got {len(channels)}")
        ends = [
            _raw(end, mode) if isinstance(end, int) else end
            for end, mode in zip(channels, ("rb", "wb", "rb", "wb"), strict=True)
        ]
        return cls(*ends)

    @classmethod
    def inherited(cls) -> HostChannels:
        """The host ends on this process's own fds 3-6 (server mode)."""
        return cls.from_fds(FD_HINT_READ, FD_HINT_WRITE, FD_PREIMAGE_READ, FD_PREIMAGE_WRITE)

    def close(self) -> None:
        for f in (self.hint_in, self.hint_out, self.key_in, self.data_out):
            with contextlib.suppress(OSError):
                f.close()


@dataclass
class ClientChannels:
    """The client's four ends: read acks, write hints, read preimage data, write keys."""

    hint_in: io.RawIOBase
    hint_out: io.RawIOBase
    data_in: io.RawIOBase
    key_out: io.RawIOBase

    @classmethod
    def from_fds(cls, hint_in: int, hint_out: int, data_in: int, key_out: int) -> ClientChannels:
        return cls(
            _raw(hint_in, "rb"), _raw(hint_out, "wb"), _raw(data_in, "rb"), _raw(key_out, "wb")
        )

    @classmethod
    def inherited(cls) -> ClientChannels:
        """The client ends on this process's own fds 3-6 (a guest run natively)."""
        return cls.from_fds(FD_HINT_READ, FD_HINT_WRITE, FD_PREIMAGE_READ, FD_PREIMAGE_WRITE)

    def close(self) -> None:
        for f in (self.hint_in, self.hint_out, self.data_in, self.key_out):
            with contextlib.suppress(OSError):
                f.close()


def _raw(fd: int, mode: str) -> io.RawIOBase:
    f = open(fd, mode, buffering=0, closefd=True)  # noqa: SIM115 - the channel owns the fd
    assert isinstance(f, io.RawIOBase)
    return f


@dataclass
class ChannelPair:
    """Two pipes wired as one host and one client, before anything is spawned.

    ``host_fds`` / ``client_fds`` are each (3, 4, 5, 6) in the order of the table above.
    """

    host_fds: tuple[int, int, int, int]
    client_fds: tuple[int, int, int, int]

    @classmethod
    def create(cls) -> ChannelPair:
        hint_req_r, hint_req_w = os.pipe()
        hint_ack_r, hint_ack_w = os.pipe()
        key_r, key_w = os.pipe()
        data_r, data_w = os.pipe()
        return cls(
            host_fds=(hint_req_r, hint_ack_w, key_r, data_w),
            client_fds=(hint_ack_r, hint_req_w, data_r, key_w),
        )

    def host(self) -> HostChannels:
        return HostChannels.from_fds(*self.host_fds)

    def client(self) -> ClientChannels:
        return ClientChannels.from_fds(*self.client_fds)


def spawn_with_fds(
    argv: Sequence[str], fds: tuple[int, int, int, int], **popen_kwargs: Any
) -> subprocess.Popen[bytes]:
    """Start ``argv`` with ``fds`` appearing as its fds 3, 4, 5, 6; the caller keeps its copies.

    The sources are first duplicated above fd 64 so the child's ``dup2`` onto 3-6 cannot
    overwrite a source that happens to be numbered 3-6 itself. ``close_fds`` must be off (it
    would close 3-6 after the remap); Python's own fds are close-on-exec, so nothing else leaks.
    """
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, _HIGH_FD) for fd in fds]
    targets = (FD_HINT_READ, FD_HINT_WRITE, FD_PREIMAGE_READ, FD_PREIMAGE_WRITE)

    def remap() -> None:
        for src, dst in zip(high, targets, strict=True):
            os.dup2(src, dst, inheritable=True)

    preexec: Callable[[], None] = remap
    try:
        return subprocess.Popen(list(argv), preexec_fn=preexec, close_fds=False, **popen_kwargs)
    finally:
        for fd in high:
            os.close(fd)
