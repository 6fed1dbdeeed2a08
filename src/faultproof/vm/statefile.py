"""Which ISA wrote a state file, so ``run``/``witness`` work without ``--type`` (like Cannon's
version byte dispatch). RV64 and RV64C share one state layout; RV64C JSON files carry
``"isa": "riscv64c"``, RV64C binary files need ``--type riscv64c``.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path

from faultproof.errors import InvalidState

MIPS_SINGLETHREADED_2 = 2
GZIP_LEVEL = 6
"""Compression level of every ``.gz`` the VMs write (states, snapshots, proofs): Go's default,
which Cannon's files use. Python's default, 9, took 3.5 s instead of 0.5 s on a 78 MB state
(the go-alloc guest at exit) for a file 1% smaller; snapshots are written often."""
_RISCV64C_TAG = re.compile(rb'"isa"\s*:\s*"riscv64c"')


def read_state_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped for ``.gz``; unreadable or corrupt files raise InvalidState."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidState(f"cannot read state file {path}: {exc.strerror}") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidState(f"state file {path} is not valid gzip: {exc}") from None
    return raw


def detect_state_type(path: Path, raw: bytes | None = None) -> str:
    """``mips32``, ``riscv64`` or ``riscv64c`` from the file's contents (``raw``: its bytes,
    already read and gunzipped, so a large state is read once).

    JSON states are told apart by a key only one layout has. The keys are looked up as quoted
    byte strings rather than by parsing: every value in these files is a number or a hex/base64
    string, which never contains a quote, so the only quoted ``"nextPC"`` is the key; the ISA's
    loader then parses and checks the whole document once.
    """
    if raw is None:
        raw = read_state_bytes(path)
    name = path.name.removesuffix(".gz")
    if name.endswith(".json") or raw[:1] == b"{":
        if b'"nextPC"' in raw:
            return "mips32"
        if b'"loadReservation"' in raw:
            return "riscv64c" if _RISCV64C_TAG.search(raw) else "riscv64"
        try:
            doc = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidState(f"state file {path} is not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise InvalidState(f"state file {path} does not hold a JSON object")
        raise InvalidState(
            f"state file {path}: neither a MIPS32 nor a RISC-V state (no nextPC/loadReservation)"
        )
    if not raw:
        raise InvalidState(f"state file {path} is empty")
    if raw[0] == MIPS_SINGLETHREADED_2:
        return "mips32"
    if raw[0] == 0:  # Asterisc's binary state has no version byte: it opens with a u64 page count
        return "riscv64"
    raise InvalidState(
        f"state file {path} starts with version byte {raw[0]}, which no VM here reads: binary "
        f"states are Cannon's version {MIPS_SINGLETHREADED_2} (singlethreaded-2, mips32) or "
        "Asterisc's riscv64 layout (which opens with a 64-bit page count); pass --type to force one"
    )
