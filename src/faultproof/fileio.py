"""Atomic file writes: a file is either its old bytes or its new bytes, never a truncated mix.

States after a long run, snapshots, proofs and store exports are large and users pass the same
path as ``--input`` and ``--output``: written in place, a kill, Ctrl-C or a full disk mid-write
would destroy the only copy. Like Cannon, every writer here goes to a temporary file in the
destination's folder (same file system, so the rename is atomic), fsyncs it, then renames it over
the destination; on any failure the temporary file is removed and the destination untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from faultproof.errors import FaultproofError


class WriteError(FaultproofError):
    """An output file could not be written (its folder is a file, no permission, disk full)."""


def prepare_folder(path: Path) -> None:
    """Create the folders above ``path``; a path component that is a file is a one-line error."""
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (parent, *parent.parents) if p.is_file()), parent)
        raise WriteError(f"cannot write {path}: {blocker} is a file, not a folder") from None
    except OSError as exc:
        raise WriteError(f"cannot create the folder of {path}: {exc.strerror or exc}") from None


def write_atomic(path: Path | str, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` atomically (temp file in the same folder, fsync, rename)."""
    path = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    prepare_folder(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        _keep_mode(path, tmp)
        os.replace(tmp, path)
    except BaseException as exc:  # also KeyboardInterrupt/SystemExit: never leave the temp file
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, IsADirectoryError):
            raise WriteError(f"cannot write {path}: it is a folder") from None
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    _sync_folder(path.parent)


def _keep_mode(path: Path, tmp: str) -> None:
    """mkstemp creates 0600; an existing file keeps its mode, a new one gets the umask's."""
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
