"""Cannon's proof JSON (``run --proof-at``), identical field names and omission rules (spec §6.5)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from faultproof.fileio import write_atomic
from faultproof.vm.interface import StepWitness
from faultproof.vm.statefile import GZIP_LEVEL


def proof_document(witness: StepWitness, post_hash: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "step": witness.step,
        "pre": "0x" + witness.state_hash.hex(),
        "post": "0x" + post_hash.hex(),
        "state-data": "0x" + witness.state.hex(),
        "proof-data": "0x" + witness.proof.hex(),
    }
    # Go's omitempty: the oracle fields appear only when the step read preimage data, and the offset
    # is dropped when it is zero.
    if witness.preimage_key is not None and any(witness.preimage_key):
        doc["oracle-key"] = "0x" + witness.preimage_key.hex()
        if witness.preimage_value:
            doc["oracle-value"] = "0x" + witness.preimage_value.hex()
        if witness.preimage_offset:
            doc["oracle-offset"] = witness.preimage_offset
    return doc


def write_json(path: str, doc: dict[str, Any]) -> None:
    """Write JSON to ``path`` atomically (``-`` = stdout; a ``.gz`` suffix gzips)."""
    text = json.dumps(doc)
    if path == "-":
        print(text)
        return
    p = Path(path)
    if p.suffix == ".gz":
        write_atomic(p, gzip.compress(text.encode(), compresslevel=GZIP_LEVEL, mtime=0))
    else:
        write_atomic(p, text)
