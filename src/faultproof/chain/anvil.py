"""Start and stop a local anvil node (Foundry's dev chain) for tests and demos.

The binary comes from ``scripts/install-anvil.sh`` (npm ``@foundry-rs/anvil`` into ``.tools/``),
``$FAULTPROOF_ANVIL``, or ``$PATH``. `AnvilNode` binds 127.0.0.1 on a free port, waits until the
node answers ``eth_chainId``, and stops it with SIGTERM (SIGKILL only if it ignores that).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from faultproof.chain.errors import ChainError

#: Hardfork anvil runs; matches the EVM version our contracts are compiled for.
DEFAULT_HARDFORK = "cancun"
_REPO_ROOT = Path(__file__).resolve().parents[3]


class AnvilNotFound(ChainError):
    """No anvil binary; run scripts/install-anvil.sh or set $FAULTPROOF_ANVIL."""


class AnvilStartError(ChainError):
    """anvil did not start or did not answer in time."""


def find_anvil() -> Path | None:
    """Path to an anvil binary, or None (the caller decides whether that is an error or a skip)."""
    env = os.environ.get("FAULTPROOF_ANVIL")
    if env:
        return Path(env) if Path(env).is_file() else None
    modules = _REPO_ROOT / ".tools" / "node_modules"
    # Prefer the platform binary the npm package ships over its node.js launcher: no extra
    # process between us and anvil, faster start, signals reach anvil directly.
    for native in sorted(modules.glob("@foundry-rs/anvil-*/bin/anvil")):
        if native.is_file():
            return native
    local = modules / ".bin" / "anvil"
    if local.is_file():
        return local
    found = shutil.which("anvil")
    return Path(found) if found else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rpc_ready(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    req = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=1) as resp:
            return "result" in json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False


class AnvilNode:
    """A running anvil process; use as a context manager or call `stop()`."""

    def __init__(
        self,
        *,
        binary: str | Path | None = None,
        port: int | None = None,
        hardfork: str = DEFAULT_HARDFORK,
        chain_id: int = 31337,
        timestamp: int | None = None,
        free_gas: bool = True,
        extra_args: tuple[str, ...] = (),
        startup_timeout: float = 20.0,
    ) -> None:
        path = Path(binary) if binary else find_anvil()
        if path is None or not path.is_file():
            raise AnvilNotFound("anvil not found: run scripts/install-anvil.sh "
                                "or point $FAULTPROOF_ANVIL at the binary")
        self.binary = path
        attempts = 1 if port else 3  # a free port can be taken between probe and bind
        for attempt in range(attempts):
            try:
                self._launch(path, port or free_port(), hardfork, chain_id, timestamp, free_gas,
                             extra_args, startup_timeout)
                return
            except AnvilStartError:
                if attempt == attempts - 1:
                    raise

    def _launch(self, path: Path, port: int, hardfork: str, chain_id: int,
                timestamp: int | None, free_gas: bool, extra_args: tuple[str, ...],
                startup_timeout: float) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        if _rpc_ready(self.url):
            # anvil binds with SO_REUSEPORT, so a second node on a busy port would start and
            # share requests with the first; refuse instead.
            raise AnvilStartError(f"port {port} already has a JSON-RPC node; pick another")
        args = [str(path), "--host", "127.0.0.1", "--port", str(self.port),
                "--hardfork", hardfork, "--chain-id", str(chain_id), "--silent"]
        if free_gas:  # gas price 0 so balances match EmbeddedChain exactly
            args += ["--base-fee", "0", "--gas-price", "0"]
        if timestamp is not None:
            args += ["--timestamp", str(timestamp)]
        args += list(extra_args)
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + startup_timeout
        while True:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise AnvilStartError(f"anvil exited with {self._proc.returncode}: {err.strip()}")
            if _rpc_ready(self.url):
                time.sleep(0.05)
                # Still alive: the answer came from our node, not another one on the same port.
                if self._proc.poll() is None:
                    return
                continue
            if time.monotonic() > deadline:
                self.stop()
                raise AnvilStartError(f"anvil did not answer on {self.url} "
                                      f"within {startup_timeout} s")
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, wait, then SIGKILL this process only if it did not exit."""
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout)
        if self._proc.stderr:
            self._proc.stderr.close()

    def __enter__(self) -> AnvilNode:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
