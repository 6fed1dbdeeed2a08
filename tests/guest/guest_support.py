"""Helpers for the guest tests: how to run each target, and a minimal preimage host.

The preimage host here is deliberately tiny and test-local: it exists to check the guest
side of the wire protocol, independently of the real host in `faultproof.preimage`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from faultproof.guests import TARGETS, guest_elf

QEMU = {"mips32": "qemu-mips", "riscv64": "qemu-riscv64", "riscv64c": "qemu-riscv64"}
VM_TARGETS = ("mips32", "riscv64", "riscv64c")


def target_param(target: str) -> object:
    """A pytest param for `target`: qemu targets carry the qemu mark and skip without qemu."""
    if target == "host":
        return pytest.param(target, id=target)
    marks = [pytest.mark.qemu]
    if shutil.which(QEMU[target]) is None:
        marks.append(pytest.mark.skip(reason=f"{QEMU[target]} not installed (Debian qemu-user)"))
    return pytest.param(target, id=target, marks=marks)


ALL_TARGET_PARAMS = [target_param(t) for t in TARGETS]


def command(elf: Path, target: str) -> list[str]:
    """argv that runs `elf` on this machine: natively for `host`, under qemu-user otherwise."""
    return [str(elf)] if target == "host" else [QEMU[target], str(elf)]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    hints: list[bytes] = field(default_factory=list)
    keys: list[bytes] = field(default_factory=list)


def run_guest(name: str, target: str, timeout: float = 60) -> Run:
    """Run a guest with no preimage host attached (fds 3-6 closed)."""
    proc = subprocess.run(
        command(guest_elf(name, target), target),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def _read_exact(fd: int, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def run_with_oracle(
    name: str,
    target: str,
    preimages: dict[bytes, bytes],
    timeout: float = 60,
    chunk: int | None = None,
) -> Run:
    """Run a guest with a preimage host on fds 3-6 (guest view, cannon-mips32.md 4.3):
    3 = hint ack (guest reads), 4 = hints (guest writes), 5 = preimage data (guest reads),
    6 = preimage keys (guest writes). An unknown key makes the host hang up. With `chunk`,
    replies are written in pieces of that size with a pause between them, so the guest
    sees short reads as it does inside a VM."""
    hint_req_r, hint_req_w = os.pipe()
    hint_ack_r, hint_ack_w = os.pipe()
    key_r, key_w = os.pipe()
    data_r, data_w = os.pipe()
    child_ends = {3: hint_ack_r, 4: hint_req_w, 5: data_r, 6: key_w}
    # Move the child's ends above 64 first so dup2 onto 3-6 cannot clobber a source fd.
    high = {t: fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 64) for t, fd in child_ends.items()}

    def wire_fds() -> None:
        for target_fd, fd in high.items():
            os.dup2(fd, target_fd)  # the copy on 3-6 is inheritable

    proc = subprocess.Popen(
        command(guest_elf(name, target), target),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=wire_fds,
        close_fds=False,  # close_fds would close 3-6 after wire_fds ran
    )
    for fd in [*child_ends.values(), *high.values()]:
        os.close(fd)
    hints: list[bytes] = []
    keys: list[bytes] = []

    def serve_hints() -> None:
        with os.fdopen(hint_ack_w, "wb", buffering=0) as ack:
            while (prefix := _read_exact(hint_req_r, 4)) is not None:
                hint = _read_exact(hint_req_r, int.from_bytes(prefix, "big"))
                if hint is None:
                    break
                hints.append(hint)
                ack.write(b"\x00")
        os.close(hint_req_r)

    def serve_preimages() -> None:
        with os.fdopen(data_w, "wb", buffering=0) as out:
            while (key := _read_exact(key_r, 32)) is not None:
                keys.append(key)
                if key not in preimages:
                    break
                reply = len(preimages[key]).to_bytes(8, "big") + preimages[key]
                step = chunk or len(reply) or 1
                for i in range(0, len(reply), step):
                    out.write(reply[i : i + step])
                    if chunk:
                        time.sleep(0.001)
        os.close(key_r)

    threads = [threading.Thread(target=f, daemon=True) for f in (serve_hints, serve_preimages)]
    for t in threads:
        t.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        proc.kill()
    for t in threads:
        t.join(timeout=10)
    return Run(proc.returncode, out.decode(), err.decode(), hints, keys)


def local_key(index: int) -> bytes:
    """op-program's LocalIndexKey: 0x01, 23 zero bytes, uint64_be(index)."""
    return b"\x01" + bytes(23) + index.to_bytes(8, "big")


def keccak_key(digest: bytes) -> bytes:
    """Type-2 key: the keccak256 digest with its first byte replaced by 0x02."""
    return b"\x02" + digest[1:]


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def expected_go_alloc_output() -> str:
    """What guest/go/alloc prints on every target, recomputed from its algorithm."""
    state, total, checksum = 0x9E3779B9, 0, 0
    for r in range(64):
        sizes = []
        for _ in range(64):
            state ^= (state << 13) & 0xFFFFFFFF
            state ^= state >> 17
            state ^= (state << 5) & 0xFFFFFFFF
            sizes.append(1 + state % (32 << 10))
        total += sum(sizes)
        for i, n in enumerate(sizes):
            for j in range(0, n, 64):
                checksum = (checksum * 31 + ((r + i + j // 64) & 0xFF)) & 0xFFFFFFFF
    return f"alloc: {total} bytes in 4096 buffers, kept 64, checksum {checksum:08x}\n"
