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
from collections.abc import Sequence

from faultproof.preimage.channels import ChannelPair, spawn_with_fds
from faultproof.preimage.errors import HostProcessError
from faultproof.preimage.host import serve
from faultproof.preimage.protocol import OracleHost


def run_native(
    argv: Sequence[str],
    host: OracleHost,
    *,
    timeout: float | None = 60.0,
    stdin: bytes = b"",
    raise_host_errors: bool = True,
) -> tuple[int, bytes]:
    """Run ``argv`` with its fds 3-6 served by ``host``; returns (exit code, stdout bytes).

    stderr passes through to ours. If the host failed (e.g. `PreimageNotFound`), the guest sees
    EOF on its channel and exits; the host's error is then raised (the real cause), unless
    ``raise_host_errors`` is false. A guest still running after ``timeout`` s is killed and
    `HostProcessError` raised.
    """
    pair = ChannelPair.create()
    try:
        process = spawn_with_fds(
            argv, pair.client_fds, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
    except OSError as exc:
        for fd in (*pair.host_fds, *pair.client_fds):
            with contextlib.suppress(OSError):
                os.close(fd)
        raise HostProcessError(f"cannot start guest {argv[0]!r}: {exc}") from exc
    for fd in pair.client_fds:
        os.close(fd)
    channels = pair.host()
    host_errors: list[BaseException] = []

    def run_host() -> None:
        try:
            serve(host, channels)
        except BaseException as exc:
            host_errors.append(exc)

    thread = threading.Thread(target=run_host, name="native-host", daemon=True)
    thread.start()
    try:
        stdout, _ = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()  # its ends close with it, so the serve threads see EOF and finish
        process.communicate()
        raise HostProcessError(
            f"guest {argv[0]!r} did not exit within {timeout} s and was killed"
        ) from None
    thread.join(10.0)
    if host_errors and raise_host_errors:
        raise host_errors[0]
    return process.returncode, stdout
