"""Native mode: run a guest as an ordinary process against an in-process host.

The same guest that runs inside an FPVM finds the client ends of both channels on its fds 3-6
(3 hint acks in, 4 hints out, 5 preimage data in, 6 keys out), exactly as under ``op-program
host --exec``. Iterating natively is thousands of times faster than proving, and any difference
from the FPVM run points at the VM, not the program.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Sequence
from typing import IO

from faultproof.preimage.channels import ChannelPair, spawn_with_fds
from faultproof.preimage.errors import HostProcessError
from faultproof.preimage.host import serve
from faultproof.preimage.protocol import OracleHost

HOST_ERROR_GRACE = 5.0
"""Seconds a guest may keep running after its host failed (it sees EOF on fds 3/5) before it is
killed: a guest that ignores EOF must not turn a host error into a hang."""


def run_native(
    argv: Sequence[str],
    host: OracleHost,
    *,
    timeout: float | None = 60.0,
    stdin: bytes | None = b"",
    stdout_fd: int | None = None,
    raise_host_errors: bool = True,
) -> tuple[int, bytes]:
    """Run ``argv`` with its fds 3-6 served by ``host``; returns (exit code, stdout bytes).

    stdout is captured and returned, unless ``stdout_fd`` is given: then the guest writes straight
    to that fd (the CLI passes its own stdout through) and the returned bytes are empty. stdin is
    fed from ``stdin``, or inherited when it is None; stderr passes through to ours.

    If the host failed (e.g. `PreimageNotFound`), the guest sees EOF on its channels and exits;
    the host's error is then raised (the real cause), unless ``raise_host_errors`` is false. A
    guest still running `HOST_ERROR_GRACE` s after its host failed is killed and the host error
    raised; a guest still running after ``timeout`` s (None: no limit) is killed and
    `HostProcessError` raised. A guest killed by a signal gives a negative exit code.
    """
    pair = ChannelPair.create()
    try:
        process = spawn_with_fds(
            argv,
            pair.client_fds,
            stdin=subprocess.PIPE if stdin is not None else None,
            stdout=subprocess.PIPE if stdout_fd is None else stdout_fd,
        )
    except OSError as exc:
        for fd in (*pair.host_fds, *pair.client_fds):
            with contextlib.suppress(OSError):
                os.close(fd)
        raise HostProcessError(f"cannot start guest {argv[0]!r}: {exc}") from exc
    host_errors: list[BaseException] = []
    host_failed = threading.Event()
    threads: list[threading.Thread] = []
    captured: list[bytes] = []
    try:  # from here on, any exception (Ctrl-C included) kills the guest first
        for fd in pair.client_fds:
            os.close(fd)
        channels = pair.host()

        def run_host() -> None:
            try:
                serve(host, channels)
            except BaseException as exc:
                host_errors.append(exc)
                host_failed.set()

        threads.append(threading.Thread(target=run_host, name="native-host", daemon=True))
        if process.stdout is not None:
            out = process.stdout
            threads.append(
                threading.Thread(target=lambda: captured.append(out.read()), name="native-stdout")
            )
        if process.stdin is not None:
            threads.append(
                threading.Thread(
                    target=_feed,
                    args=(process.stdin, stdin or b""),
                    name="native-stdin",
                    daemon=True,
                )
            )
        for thread in threads:
            thread.start()
    except BaseException:
        _kill(process)
        raise
    deadline = None if timeout is None else time.monotonic() + timeout
    failed_at: float | None = None
    try:
        while process.poll() is None:
            host_failed.wait(0.05)
            now = time.monotonic()
            if host_failed.is_set():
                failed_at = now if failed_at is None else failed_at
                if now - failed_at > HOST_ERROR_GRACE:
                    _kill(process)
                    break
            if deadline is not None and now > deadline:
                _kill(process)
                for thread in threads[1:]:
                    thread.join(10.0)
                raise HostProcessError(
                    f"guest {argv[0]!r} did not exit within {timeout:g} s and was killed"
                )
    except BaseException:  # Ctrl-C or the timeout: never leave the guest running
        _kill(process)
        raise
    process.wait()
    for thread in threads:  # the guest's ends closed with it: every thread sees EOF now
        thread.join(10.0)
    if process.stdout is not None:
        process.stdout.close()
    if host_errors and raise_host_errors:
        raise host_errors[0]
    return process.returncode, b"".join(captured)


def _feed(pipe: IO[bytes], data: bytes) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):
        pipe.write(data)
    with contextlib.suppress(BrokenPipeError, OSError):
        pipe.close()


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait()
