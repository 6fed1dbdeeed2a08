"""Gas of each loader (first write of a part: three fresh storage slots, intrinsic gas included).

Budgets are the measured figures plus ~10%, so a change that makes a loader markedly more
expensive for a challenger shows up here. Measured (Vyper 0.4.3, cancun, non-zero parts):
loadLocalData 90.1k, keccak/sha256 32 B 135.0k/135.1k, 1000 B 150.8k/151.2k, blob (real KZG
proof) 142.9k, precompile ecrecover 109.5k. The ~45k of memory expansion in the keccak/sha256
loaders is explained in the contract's header comment.
"""

from __future__ import annotations

from kzg_helpers import commitment_and_proof, make_blob

from faultproof.contracts.oracle import PreimageOracle
from faultproof.crypto import keccak256
from faultproof.preimage.keys import blob_root_of_unity

BUDGETS = {
    "loadLocalData": 100_000,
    "loadKeccak256PreimagePart 32 B": 149_000,
    "loadSha256PreimagePart 32 B": 149_000,
    "loadKeccak256PreimagePart 1000 B": 166_000,
    "loadSha256PreimagePart 1000 B": 166_000,
    "loadBlobPreimagePart": 158_000,
    "loadPrecompilePreimagePart ecrecover": 121_000,
}


def test_each_loader_stays_within_its_gas_budget(oracle: PreimageOracle) -> None:
    from test_oracle_blob_precompile import ECRECOVER, ecrecover_input

    small, large = bytes(range(32)), bytes(i % 251 for i in range(1000))
    blob = make_blob(3)
    z = blob_root_of_unity(9)
    commitment, proof, y = commitment_and_proof(blob, z)
    data, _ = ecrecover_input()
    used = {
        "loadLocalData": oracle.load_local_data(1, keccak256(b"ctx"), keccak256(b"w"), 32, 0),
        "loadKeccak256PreimagePart 32 B": oracle.load_keccak256_part(8, small),
        "loadSha256PreimagePart 32 B": oracle.load_sha256_part(8, small),
        "loadKeccak256PreimagePart 1000 B": oracle.load_keccak256_part(8, large),
        "loadSha256PreimagePart 1000 B": oracle.load_sha256_part(8, large),
        "loadBlobPreimagePart": oracle.load_blob_part(
            int.from_bytes(z, "big"), int.from_bytes(y, "big"), commitment, proof, 8
        ),
        "loadPrecompilePreimagePart ecrecover": oracle.load_precompile_part(
            0, ECRECOVER, 3000, data
        ),
    }
    gas = {name: receipt.gas_used for name, receipt in used.items()}
    print("\n".join(f"{name:40s} {g:>8d}" for name, g in gas.items()))
    over = {name: (g, BUDGETS[name]) for name, g in gas.items() if g > BUDGETS[name]}
    assert not over, f"loaders over their gas budget (used, budget): {over}"
    assert all(g > 21_000 + 3 * 20_000 for g in gas.values())  # really wrote 3 fresh slots
