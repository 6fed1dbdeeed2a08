"""Blob keys against ckzg: the fixed key's evaluation point really yields blob element i."""

from __future__ import annotations

import hashlib
import random
from typing import Any

import pytest

from faultproof.preimage.errors import InvalidHint, PreimageMismatch, UnverifiablePreimage
from faultproof.preimage.host import BlobHintHandler, LocalHost, format_hint
from faultproof.preimage.keys import (
    BLS_MODULUS,
    blob_field_element_key,
    blob_key,
    blob_root_of_unity,
    keccak256_key,
    sha256_key,
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


class FakeBeacon:
    """A `BlobFetcher` serving one sidecar, recording the request."""

    def __init__(self, commitment: bytes, blob: bytes) -> None:
        self.sidecar = (commitment, blob)
        self.requests: list[tuple[bytes, int | None, int]] = []

    def fetch_blob(
        self, versioned_hash: bytes, index: int | None, timestamp: int
    ) -> tuple[bytes, bytes] | None:
        self.requests.append((versioned_hash, index, timestamp))
        return self.sidecar


def _versioned_hash(commitment: bytes) -> bytes:
    return b"\x01" + hashlib.sha256(commitment).digest()[1:]


def test_l1_blob_hint_stores_what_the_client_reads(kzg: Any) -> None:
    verifier, _, blob, commitment = kzg
    beacon = FakeBeacon(commitment, blob)
    host = LocalHost(MemoryStore(blob_verifier=verifier))
    host.router.register("l1-blob", BlobHintHandler(beacon))
    vh = _versioned_hash(commitment)
    host.hint(format_hint("l1-blob", vh + (3).to_bytes(8, "big") + (1700).to_bytes(8, "big")))
    assert beacon.requests == [(vh, 3, 1700)]
    # the op-program client flow: commitment by sha256 key of the versioned hash, then elements
    assert host.get_preimage(sha256_key(digest=vh)) == commitment
    for i in (0, 1, 4095):
        z = blob_root_of_unity(i)
        assert host.get_preimage(keccak256_key(commitment + z)) == commitment + z
        assert (
            host.get_preimage(blob_field_element_key(commitment, i)) == blob[32 * i : 32 * i + 32]
        )
    assert len(host.store) == 1 + 2 * 4096


def test_l1_blob_hint_rejects_a_sidecar_that_does_not_match(kzg: Any) -> None:
    verifier, _, blob, commitment = kzg
    vh = _versioned_hash(commitment)
    tampered = blob[:64] + bytes(32) + blob[96:]
    store = MemoryStore(blob_verifier=verifier)
    with pytest.raises(PreimageMismatch, match="does not commit to the blob"):
        BlobHintHandler(FakeBeacon(commitment, tampered))(vh + bytes(8), store)
    with pytest.raises(PreimageMismatch, match="versioned hash"):
        BlobHintHandler(FakeBeacon(commitment, blob))(b"\x01" + bytes(31) + bytes(8), store)
    with pytest.raises(InvalidHint, match="expected 48 or 40"):
        BlobHintHandler(FakeBeacon(commitment, blob))(vh, store)
    assert len(store) == 0
    with pytest.raises(UnverifiablePreimage, match="no blob verifier"):
        MemoryStore().put_blob_sidecar(commitment, blob)
