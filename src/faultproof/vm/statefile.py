"""Which ISA wrote a state file, so ``run``/``witness`` work without ``--type`` (like Cannon's
version byte dispatch). RV64 and RV64C share one state layout; RV64C JSON files carry
``"isa": "riscv64c"``, RV64C binary files need ``--type riscv64c``.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

from faultproof.errors import InvalidState

MIPS_SINGLETHREADED_2 = 2


def read_state_bytes(path: Path) -> bytes:
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


def detect_state_type(path: Path) -> str:
    """``mips32`` or ``riscv64`` from the file's contents."""
    raw = read_state_bytes(path)
    name = path.name.removesuffix(".gz")
    if name.endswith(".json") or raw[:1] == b"{":
        try:
            doc = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidState(f"state file {path} is not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise InvalidState(f"state file {path} does not hold a JSON object")
        if "nextPC" in doc:
            return "mips32"
        if "loadReservation" in doc:
            return "riscv64c" if doc.get("isa") == "riscv64c" else "riscv64"
        raise InvalidState(
            f"state file {path}: neither a MIPS32 nor a RISC-V state (no nextPC/loadReservation)"
        )
    if not raw:
        raise InvalidState(f"state file {path} is empty")
    if raw[0] == MIPS_SINGLETHREADED_2:
        return "mips32"
    return "riscv64"
