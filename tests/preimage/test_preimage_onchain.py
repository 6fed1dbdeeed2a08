"""Our keys and `read_part` against the project's PreimageOracle contract (pyrevm).

The contract derives keys and parts itself; if our constructors or the window math drifted, a
challenger would load parts under keys the VM never asks for.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.preimage.errors import InvalidPreimageKey, PreimageNotFound
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import (
    BLS_MODULUS,
    blob_field_element_key,
    blob_root_of_unity,
    keccak256_key,
    local_key,
    localize_ident,
    precompile_key,
    sha256_key,
)
from faultproof.preimage.parts import (
    MAX_SINGLE_TX_PREIMAGE,
    PartOffsetOutOfBounds,
    PreimageTooLargeForOracle,
    oracle_key,
    oracle_load_call,
    read_part,
)
from faultproof.preimage.store import BootInfo, MemoryStore


@pytest.fixture(scope="module")
def oracle() -> Any:
    try:
        from faultproof.chain import EmbeddedChain
        from faultproof.contracts import load_contract
    except ImportError as exc:  # pragma: no cover - chain/contracts are other areas
        pytest.skip(f"chain or contracts package unavailable: {exc}")
    chain = EmbeddedChain()
    return chain.deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)


def _read(oracle: Any, key: bytes, offset: int) -> tuple[bytes, int]:
    dat, dat_len = oracle.call("readPreimage", key, offset)
    return bytes(dat), int(dat_len)


@settings(max_examples=15, deadline=None)
@given(value=st.binary(max_size=100), data=st.data())
def test_keccak_and_sha256_parts_match_the_contract(oracle: Any, value: bytes, data: Any) -> None:
    offset = data.draw(st.integers(0, len(value) + 7))
    oracle.transact("loadKeccak256PreimagePart", offset, value)
    oracle.transact("loadSha256PreimagePart", offset, value)
    assert _read(oracle, keccak256_key(value), offset) == read_part(value, offset)
    assert _read(oracle, sha256_key(value), offset) == read_part(value, offset)


@settings(max_examples=10, deadline=None)
@given(
    ident=st.integers(1, 5),
    context=st.binary(min_size=32, max_size=32),
    value=st.binary(max_size=32),
    data=st.data(),
)
def test_local_data_is_localized_with_the_caller(
    oracle: Any, ident: int, context: bytes, value: bytes, data: Any
) -> None:
    offset = data.draw(st.integers(0, len(value) + 7))
    word = value.ljust(32, b"\x00")
    oracle.transact("loadLocalData", ident, context, word, len(value), offset)
    caller = oracle.chain.default_sender
    key = localize_ident(ident, context, caller)
    assert _read(oracle, key, offset) == read_part(value, offset)


def test_precompile_key_and_result_match_the_contract(oracle: Any) -> None:
    sha256_precompile = "0x" + "00" * 19 + "02"
    payload = b"precompile input"
    oracle.transact("loadPrecompilePreimagePart", 0, sha256_precompile, 100_000, payload)
    result = b"\x01" + hashlib.sha256(payload).digest()
    assert _read(oracle, precompile_key(2, 100_000, payload), 0) == read_part(result, 0)


@pytest.mark.slow  # ~13 s: the EVM's point-evaluation precompile loads its own KZG setup
def test_blob_key_matches_the_contract() -> None:
    ckzg = pytest.importorskip("ckzg")
    from faultproof.chain import EmbeddedChain
    from faultproof.contracts import load_contract
    from faultproof.preimage.store import KzgBlobVerifier

    setup = KzgBlobVerifier()._loaded()
    rng = random.Random(7)
    blob = b"".join(rng.randrange(BLS_MODULUS).to_bytes(32, "big") for _ in range(4096))
    commitment = bytes(ckzg.blob_to_kzg_commitment(blob, setup))
    chain = EmbeddedChain()
    oracle = chain.deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)
    index = 42
    z = blob_root_of_unity(index)
    proof, y = ckzg.compute_kzg_proof(blob, z, setup)
    oracle.transact(
        "loadBlobPreimagePart",
        int.from_bytes(z, "big"),
        int.from_bytes(bytes(y), "big"),
        commitment,
        bytes(proof),
        8,
    )
    key = blob_field_element_key(commitment, index)
    assert key == b"\x05" + keccak256(commitment + z)[1:]
    assert _read(oracle, key, 8) == read_part(blob[32 * index : 32 * index + 32], 8)
    # the challenger's path: rebuild the load call from a stored sidecar and the proof
    host = LocalHost(MemoryStore(blob_verifier=KzgBlobVerifier()))
    host.store.put_blob_sidecar(commitment, blob)
    name, args = oracle_load_call(host, key, 20, bytes(32), blob_proof=bytes(proof))
    oracle.transact(name, *args)
    assert _read(oracle, key, 20) == read_part(blob[32 * index : 32 * index + 32], 20)


@pytest.mark.parametrize("kind", ["local", "keccak", "sha256", "precompile"])
def test_oracle_load_call_makes_the_part_readable_under_the_vm_key(oracle: Any, kind: str) -> None:
    context = b"\x33" * 32
    host = LocalHost(boot_info=BootInfo({4: (1234).to_bytes(8, "big")}))
    if kind == "local":
        key = local_key(4)
    elif kind == "keccak":
        key = host.store.put_keccak256(b"k" * 70)
    elif kind == "sha256":
        key = host.store.put_sha256(b"s" * 70)
    else:
        payload = b"sha256 me"
        key = host.store.put_precompile(
            2, 50_000, payload, b"\x01" + hashlib.sha256(payload).digest()
        )
    value = host.get_preimage(key)
    for offset in (0, 5, len(value) + 7):
        name, args = oracle_load_call(host, key, offset, context)
        oracle.transact(name, *args)
        vm_key = oracle_key(key, context, oracle.chain.default_sender)
        assert _read(oracle, vm_key, offset) == read_part(value, offset)


def test_oracle_load_call_explains_what_is_missing() -> None:
    host = LocalHost()
    bare = host.store.put_trusted(precompile_key(2, 1, b"x"), b"\x01")  # no call bytes stored
    with pytest.raises(PreimageNotFound, match="rebuild the on-chain load call"):
        oracle_load_call(host, bare, 0, bytes(32))
    big = LocalHost(boot_info=BootInfo({6: b"{}" * 40}))
    with pytest.raises(InvalidPreimageKey, match="at most 32"):
        oracle_load_call(big, local_key(6), 0, bytes(32))
    with pytest.raises(PartOffsetOutOfBounds):
        oracle_load_call(host, host.store.put_keccak256(b"ab"), 10, bytes(32))


def test_preimages_over_the_single_tx_limit_name_the_missing_lpp_route(oracle: Any) -> None:
    from faultproof.contracts.oracle import MAX_PREIMAGE_SIZE

    assert MAX_SINGLE_TX_PREIMAGE == MAX_PREIMAGE_SIZE
    host = LocalHost()
    at_limit = host.store.put_keccak256(bytes(MAX_SINGLE_TX_PREIMAGE))
    assert oracle_load_call(host, at_limit, 0, bytes(32))[0] == "loadKeccak256PreimagePart"
    over = host.store.put_keccak256(bytes(MAX_SINGLE_TX_PREIMAGE + 1))
    with pytest.raises(PreimageTooLargeForOracle, match="Large Preimage Proposal"):
        oracle_load_call(host, over, 0, bytes(32))
    sha_over = host.store.put_sha256(bytes(MAX_SINGLE_TX_PREIMAGE + 1))
    with pytest.raises(PreimageTooLargeForOracle, match="no large-preimage route for sha256"):
        oracle_load_call(host, sha_over, 0, bytes(32))
    from faultproof.chain import ContractReverted

    with pytest.raises(ContractReverted):  # what sending the call anyway would do
        oracle.transact("loadKeccak256PreimagePart", 0, bytes(MAX_SINGLE_TX_PREIMAGE + 1))
