"""Every loader once on each backend (embedded and anvil), with a printed gas table.

Run with ``-s`` to see gas per loader; the anvil numbers are exact (a real node), the embedded
ones may be lower for re-touched slots (see faultproof.chain.embedded).
"""

from __future__ import annotations

from kzg_helpers import commitment_and_proof, make_blob

from faultproof.chain import Chain
from faultproof.contracts.oracle import PreimageOracle, local_key_of
from faultproof.crypto import keccak256
from faultproof.preimage.keys import (
    blob_root_of_unity,
    keccak256_key,
    localize_ident,
    precompile_key,
    sha256_key,
)
from faultproof.preimage.parts import read_part

SHA256 = "0x0000000000000000000000000000000000000002"


def test_all_loaders_on_both_backends(chain: Chain) -> None:
    oracle = PreimageOracle.deploy(chain, 126_000, 86_400)
    caller = chain.accounts[0]
    gas: dict[str, int] = {}

    ctx = keccak256(b"ctx")
    word = keccak256(b"word")
    r = oracle.load_local_data(3, ctx, word, 32, 0)
    gas["loadLocalData (32 B, offset 0)"] = r.gas_used
    assert local_key_of(r) == localize_ident(3, ctx, caller)
    assert oracle.read_preimage(local_key_of(r), 0) == read_part(word, 0)

    for size in (32, 1000):
        preimage = bytes(i % 256 for i in range(size))
        r = oracle.load_keccak256_part(8, preimage)
        gas[f"loadKeccak256PreimagePart ({size} B)"] = r.gas_used
        assert oracle.read_preimage(keccak256_key(preimage), 8) == read_part(preimage, 8)
        r = oracle.load_sha256_part(8, preimage)
        gas[f"loadSha256PreimagePart ({size} B)"] = r.gas_used
        assert oracle.read_preimage(sha256_key(preimage), 8) == read_part(preimage, 8)

    z = blob_root_of_unity(3)
    commitment, proof, y = commitment_and_proof(make_blob(3), z)
    r = oracle.load_blob_part(int.from_bytes(z, "big"), int.from_bytes(y, "big"), commitment,
                              proof, 8)
    gas["loadBlobPreimagePart"] = r.gas_used
    from faultproof.preimage.keys import blob_key

    assert oracle.read_preimage(blob_key(commitment, z), 8) == read_part(y, 8)

    r = oracle.load_precompile_part(0, SHA256, 1000, b"abc")
    gas["loadPrecompilePreimagePart (sha256)"] = r.gas_used
    assert oracle.preimage_length(precompile_key(SHA256, 1000, b"abc")) == 33

    backend = type(chain).__name__
    print(f"\nPreimageOracle gas on {backend}:")
    for name, used in gas.items():
        print(f"  {name:<42} {used:>9}")
        # Sanity bounds: 21k intrinsic + at least one fresh SSTORE; no loader near a block.
        assert 40_000 < used < 1_000_000, name
