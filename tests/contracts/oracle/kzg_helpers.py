"""Real EIP-4844 KZG data made with ckzg and the mainnet trusted setup.

ckzg ships no setup file; eth-account (a web3 dependency) ships the mainnet ceremony output as
``kzg_trusted_setup.txt``, which is what we load.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from faultproof.crypto import keccak256
from faultproof.preimage.keys import BLS_MODULUS, FIELD_ELEMENTS_PER_BLOB


def trusted_setup_path() -> str:
    base = resources.files("eth_account") / "typed_transactions" / "blob_transactions"
    return str(base / "kzg_trusted_setup.txt")


@functools.cache
def trusted_setup() -> Any:
    import ckzg

    return ckzg.load_trusted_setup(trusted_setup_path(), 0)


def make_blob(seed: int) -> bytes:
    """A valid blob: 4096 field elements, each reduced mod the BLS12-381 scalar field."""
    # Hash-derived elements: blobs of different seeds are unrelated polynomials (blobs that
    # differ by a constant would share every KZG proof).
    out = bytearray()
    for i in range(FIELD_ELEMENTS_PER_BLOB):
        digest = keccak256(seed.to_bytes(8, "big") + i.to_bytes(8, "big"))
        out += (int.from_bytes(digest, "big") % BLS_MODULUS).to_bytes(32, "big")
    return bytes(out)


def commitment_and_proof(blob: bytes, z: bytes) -> tuple[bytes, bytes, bytes]:
    """(commitment48, proof48, y32) for evaluating the blob polynomial at `z`."""
    import ckzg

    ts = trusted_setup()
    commitment = bytes(ckzg.blob_to_kzg_commitment(blob, ts))
    proof, y = ckzg.compute_kzg_proof(blob, z, ts)
    assert ckzg.verify_kzg_proof(commitment, z, y, proof, ts)
    return commitment, bytes(proof), bytes(y)
