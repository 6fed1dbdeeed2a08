"""Where numba keeps compiled VM kernels, keyed by the VM sources, so stale code can never run.

numba's on-disk cache (``cache=True``) checks only the timestamp of the file that *defines* a
cached function. The run loops inline or link kernels from other files (instructions, syscalls, the
Merkle memory), so after an edit or a ``git pull`` that touches one of those, numba would happily
load the old machine code and the VM would execute yesterday's semantics: a wrong state hash with
no error. Fault proofs cannot afford that, so the cache directory is named after a digest of every
source under ``faultproof/vm`` (plus the numba and Python versions): any change selects a fresh
directory and everything recompiles once.

The base directory is ``$FAULTPROOF_JIT_CACHE`` or ``~/.cache/faultproof/numba`` (a temporary
directory when that is not writable). Only the few most recent digests are kept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: Digest directories kept under the base (older ones are deleted).
KEEP = 4
VM_ROOT = Path(__file__).resolve().parent


def source_digest(root: Path = VM_ROOT) -> str:
    """A short digest of every VM source file, the numba version and the Python version."""
    h = hashlib.sha256()
    try:
        from importlib.metadata import version

        h.update(version("numba").encode())
    except Exception:  # pragma: no cover - numba is a hard dependency
        pass
    h.update(sys.version.encode())
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _writable(path: Path) -> bool:
    if path.is_dir() and os.access(path, os.W_OK):
        return True  # the usual case on every import after the first: no file system writes
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            return True
    except OSError:
        return False


def _prune(base: Path, current: Path) -> None:
    try:
        dirs = sorted(
            (d for d in base.iterdir() if d.is_dir() and d != current),
            key=lambda d: d.stat().st_mtime,
            reverse=True,
        )
    except OSError:
        return
    for old in dirs[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def configure() -> Path:
    """Point numba's cache at the directory of the current VM sources (before any kernel exists)."""
    base_env = os.environ.get("FAULTPROOF_JIT_CACHE")
    base = Path(base_env) if base_env else Path.home() / ".cache" / "faultproof" / "numba"
    digest = source_digest()
    current = base / digest
    if not _writable(current):
        base = Path(tempfile.gettempdir()) / f"faultproof-numba-{os.getuid()}"
        current = base / digest
        current.mkdir(parents=True, exist_ok=True)
    os.utime(current)
    _prune(base, current)
    os.environ["NUMBA_CACHE_DIR"] = str(current)
    if "numba" in sys.modules:  # numba read its config at import time: update it in place
        from numba.core import config

        setattr(config, "CACHE_DIR", str(current))  # noqa: B010 (untyped in numba's stubs)
    return current
