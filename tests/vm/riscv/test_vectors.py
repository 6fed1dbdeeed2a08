"""Golden step witnesses (tests/vectors/riscv/steps.json): still produced, and verify alone."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from faultproof.vm.interface import StepWitness
from faultproof.vm.riscv.verify import post_state_hash

VECTORS = Path(__file__).parents[2] / "vectors" / "riscv"


def _load() -> dict:  # type: ignore[type-arg]
    return json.loads((VECTORS / "steps.json").read_text())


def _witness(doc: dict) -> StepWitness:  # type: ignore[type-arg]
    def hx(k: str) -> bytes | None:
        return bytes.fromhex(doc[k][2:]) if k in doc else None

    return StepWitness(
        step=doc["step"],
        state=hx("state-data") or b"",
        state_hash=hx("pre") or b"",
        proof=hx("proof-data") or b"",
        preimage_key=hx("oracle-key"),
        preimage_value=hx("oracle-value"),
        preimage_offset=doc.get("oracle-offset"),
    )


@pytest.mark.parametrize("isa", ["riscv64", "riscv64c"])
def test_vectors_verify_from_the_witness_alone(isa: str) -> None:
    for doc in _load()[isa]:
        w = _witness(doc)
        assert "0x" + post_state_hash(w, isa == "riscv64c").hex() == doc["post"], doc["step"]


def test_vectors_are_reproduced() -> None:
    spec = importlib.util.spec_from_file_location("gen", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    fresh = gen.generate()
    stored = _load()
    assert fresh["riscv64"] == stored["riscv64"]
    assert fresh["riscv64c"] == stored["riscv64c"]
