"""Golden vectors: the upstream step vector and the empty-state hash (tests/vectors/mips/)."""

from __future__ import annotations

import json
from pathlib import Path

from faultproof.vm.interface import StepWitness
from faultproof.vm.memory import zero_hash
from faultproof.vm.mips.verify import decode_state, verify_step
from faultproof.vm.mips.vm import MipsVM

VECTORS = Path(__file__).parents[2] / "vectors" / "mips"


def _load(name: str) -> dict[str, str]:
    return json.loads((VECTORS / name).read_text())


def test_upstream_step_vector_reproduces_post_hash() -> None:
    v = _load("step_debug_read_preimage.json")
    state = bytes.fromhex(v["state"][2:])
    preimage = bytes.fromhex(v["preimage"][2:])
    witness = StepWitness(
        step=0,
        state=state,
        state_hash=b"",
        proof=bytes.fromhex(v["proof"][2:]),
        preimage_key=bytes.fromhex(v["preimage_key"][2:]),
        preimage_value=len(preimage).to_bytes(8, "big") + preimage,
        preimage_offset=8,
    )
    assert verify_step(witness).hex() == v["expected_post_state_hash"][2:]


def test_upstream_vector_state_facts() -> None:
    """The decoded pre-state matches the facts the spec lists for this vector (§1.5)."""
    v = _load("step_debug_read_preimage.json")
    vm = decode_state(bytes.fromhex(v["state"][2:]))
    assert vm.pc == 0xF1F85FF4
    assert vm.preimage_offset == 8
    assert vm.preimage_key.hex() == v["preimage_key"][2:]
    assert [int(vm.regs[i]) for i in (2, 4, 5, 6)] == [4003, 5, 0xFF00, 1]


def test_empty_state_hash() -> None:
    vm = MipsVM()
    assert vm.memory.merkle_root() == zero_hash(27)
    assert vm.state_hash().hex() == _load("empty_state.json")["state_hash"][2:]
