"""Blob keys against ckzg: the fixed key's evaluation point really yields blob element i."""

from __future__ import annotations

import random
from typing import Any

import pytest

from faultproof.preimage.errors import PreimageMismatch
from faultproof.preimage.keys import (
    BLS_MODULUS,
    blob_field_element_key,
    blob_key,
    blob_root_of_unity,
)
from faultproof.preimage.store import KzgBlobVerifier, MemoryStore

ckzg = pytest.importorskip("ckzg")


@pytest.fixture(scope="module")
def kzg() -> tuple[KzgBlobVerifier, Any, bytes, bytes]:
    verifier = KzgBlobVerifier()
    rng = random.Random(4844)
    blob = b"".join(rng.randrange(BLS_MODULUS).to_bytes(32, "big") for _ in range(4096))
    setup = verifier._loaded()
    commitment = bytes(ckzg.blob_to_kzg_commitment(blob, setup))
    return verifier, setup, blob, commitment


@pytest.mark.parametrize("index", [0, 1, 2, 3, 1234, 4095])
def test_element_i_is_the_value_at_the_bit_reversed_root(kzg: Any, index: int) -> None:
    _, setup, blob, _ = kzg
    _, y = ckzg.compute_kzg_proof(blob, blob_root_of_unity(index), setup)
    assert bytes(y) == blob[32 * index : 32 * index + 32]


def test_put_blob_verifies_the_kzg_opening(kzg: Any) -> None:
    verifier, setup, blob, commitment = kzg
    store = MemoryStore(blob_verifier=verifier)
    z = blob_root_of_unity(7)
    proof, y = ckzg.compute_kzg_proof(blob, z, setup)
    key = store.put_blob(commitment, z, bytes(y), bytes(proof))
    assert key == blob_field_element_key(commitment, 7) == blob_key(commitment, z)
    assert store.get(key) == blob[32 * 7 : 32 * 8]
    wrong_y = ((int.from_bytes(bytes(y), "big") + 1) % BLS_MODULUS).to_bytes(32, "big")
    with pytest.raises(PreimageMismatch, match="KZG proof does not open"):
        store.put_blob(commitment, blob_root_of_unity(8), wrong_y, bytes(proof))
    with pytest.raises(PreimageMismatch):  # garbage proof bytes are a mismatch, not a crash
        store.put_blob(commitment, z, bytes(y), b"\xff" * 48)
