"""The portal's secure-trie verifier (`secure_trie.vy`) against the Python MPT
(`faultproof.evm.mpt`): every key of random tries, inline nodes, and hypothesis-mutated proofs,
which may only ever be refused (`InvalidMerkleProof`) or give the trie's true value."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from portal_helpers import Scene

from faultproof.chain import ContractReverted, EmbeddedChain
from faultproof.chain.receipt import Receipt
from faultproof.contracts.binding import Contract
from faultproof.contracts.rollup import (
    artifact,
    message_passer_storage,
    trie_proof,
    withdrawal_proof,
    withdrawal_slot,
)
from faultproof.crypto import keccak256
from faultproof.evm import mpt, rlp

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def harness() -> Contract:
    return EmbeddedChain().deploy_contract(artifact("TrieHarness"))


def query(harness: Contract, key: bytes, proof: list[bytes], root: bytes,
          fn: str = "get") -> Receipt:
    return harness.chain.call(harness.address, harness.encode(fn, key, proof, root))


def value_of(receipt: Receipt, harness: Contract) -> bytes:
    from eth_abi.abi import decode

    (value,) = decode(["bytes"], receipt.return_data)
    return bytes(value)


def truth(nodes: dict[bytes, bytes], root: bytes, key: bytes) -> bytes | None:
    try:
        return mpt.lookup(root, key, nodes.get)
    except mpt.TrieError:
        return None


def check(harness: Contract, nodes: dict[bytes, bytes], root: bytes, key: bytes,
          proof: list[bytes]) -> bytes | None:
    """Query the harness; a refusal must be `InvalidMerkleProof`, an answer must be the truth."""
    receipt = query(harness, key, proof, root)
    if not receipt.success:
        assert receipt.error_name == "InvalidMerkleProof", receipt
        return None
    got = value_of(receipt, harness)
    assert got == truth(nodes, root, key), (key.hex(), got.hex())
    return got


keys32 = st.binary(min_size=32, max_size=32)


@st.composite
def tries(draw: st.DrawFn) -> dict[bytes, bytes]:
    """Raw 32-byte keys, many sharing long prefixes (so nodes go deep and small ones inline)."""
    prefix = draw(st.binary(min_size=0, max_size=31))
    n = draw(st.integers(1, 24))
    items: dict[bytes, bytes] = {}
    for _ in range(n):
        cut = draw(st.integers(0, len(prefix)))
        key = prefix[:cut] + draw(st.binary(min_size=32 - cut, max_size=32 - cut))
        items[key] = draw(st.binary(min_size=1, max_size=40))
    return items


@SETTINGS
@given(items=tries(), other=keys32)
def test_every_key_verifies_and_absent_keys_do_not(harness: Contract,
                                                   items: dict[bytes, bytes],
                                                   other: bytes) -> None:
    built = mpt.build_trie(items)
    for key, value in items.items():
        proof = trie_proof(built, built.root, key)
        receipt = query(harness, key, proof, built.root)
        assert receipt.success, (receipt.error_name, key.hex())
        assert value_of(receipt, harness) == value
    if other not in items:
        proof = trie_proof(built, built.root, other)
        receipt = query(harness, other, proof, built.root)
        assert not receipt.success and receipt.error_name == "InvalidMerkleProof"


def test_inline_nodes_are_walked_inside_their_parent(harness: Contract) -> None:
    base = bytes(range(31))
    items = {base + bytes([i]): bytes([i + 1]) for i in (0x10, 0x11, 0x25, 0xF3)}
    built = mpt.build_trie(items)
    for key, value in items.items():
        proof = trie_proof(built, built.root, key)
        # Hashed: the root (an extension over 62 nibbles) and the branch under it; the leaves
        # (and the branch over 0x10/0x11) are inline in that branch.
        assert len(proof) == 2
        receipt = query(harness, key, proof, built.root)
        assert receipt.success and value_of(receipt, harness) == value
    # A different last nibble lands on an empty branch slot.
    miss = base + b"\x12"
    assert not query(harness, miss, trie_proof(built, built.root, miss), built.root).success


def test_secure_lookup_hashes_the_key(harness: Contract) -> None:
    hashes = [keccak256(bytes([i])) for i in range(30)]
    built = message_passer_storage(hashes)
    for h in hashes[:5]:
        receipt = query(harness, withdrawal_slot(h), withdrawal_proof(built, h), built.root,
                        "getSecure")
        assert receipt.success and value_of(receipt, harness) == b"\x01"


MUTATIONS = ("flip", "drop", "dup", "swap", "junk", "truncate", "foreign", "extend")


@SETTINGS
@given(items=tries(), pick=st.integers(0, 10**6), mutation=st.sampled_from(MUTATIONS),
       where=st.integers(0, 10**6), byte=st.integers(1, 255), junk=st.binary(max_size=120),
       requery=st.booleans())
def test_mutated_proofs_never_prove_a_wrong_value(
    harness: Contract, items: dict[bytes, bytes], pick: int, mutation: str, where: int,
    byte: int, junk: bytes, requery: bool,
) -> None:
    built = mpt.build_trie(items)
    keys = sorted(items)
    key = keys[pick % len(keys)]
    proof = trie_proof(built, built.root, key)
    i = where % len(proof)
    mutated = list(proof)
    if mutation == "flip":
        node = bytearray(mutated[i])
        node[where % len(node)] ^= byte
        mutated[i] = bytes(node)
    elif mutation == "drop":
        del mutated[i]
    elif mutation == "dup":
        mutated.insert(i, mutated[i])
    elif mutation == "swap" and len(mutated) > 1:
        j = (i + 1) % len(mutated)
        mutated[i], mutated[j] = mutated[j], mutated[i]
    elif mutation == "junk":
        mutated.insert(i, junk)
    elif mutation == "truncate":
        mutated[i] = mutated[i][: where % len(mutated[i])]
    elif mutation == "foreign":
        mutated[i] = rlp.encode([b"\x20" + key, junk or b"\x01"])
    elif mutation == "extend":
        mutated.append(junk or b"\x80")
    # Querying another key with the mutated proof must not succeed with a false answer either.
    target = keys[(pick + 1) % len(keys)] if requery else key
    check(harness, built.nodes, built.root, target, mutated)


def rlp_list(parts: list[bytes]) -> bytes:
    payload = b"".join(parts)
    if len(payload) < 56:
        return bytes([0xC0 + len(payload)]) + payload
    size = rlp.encode_uint(len(payload))
    return bytes([0xF7 + len(size)]) + size + payload


@st.composite
def odd_nodes(draw: st.DrawFn) -> tuple[bytes, bytes]:
    """A (key, single root node) pair: near-valid leaves with random flags, values and damage."""
    key = draw(keys32)
    depth_path = mpt.nibbles(key)
    flag = draw(st.sampled_from([2, 2, 2, 2, 2, 2, 0, 1, 3, 4, 15]))
    path = mpt.compact_encode(depth_path, True)
    path = bytes([(flag << 4) | (path[0] & 15)]) + path[1:]
    value = draw(st.binary(max_size=40))
    node = rlp.encode([path, value]) if draw(st.booleans()) else rlp_list(
        [rlp.encode(path), draw(st.binary(max_size=4)), rlp.encode(value)])
    if draw(st.integers(0, 2)) == 0:
        b = bytearray(node)
        b[draw(st.integers(0, len(b) - 1))] = draw(st.integers(0, 255))
        node = bytes(b)
    return key, node


@SETTINGS
@given(case=odd_nodes())
def test_root_parser_refuses_malformed_nodes_by_name(harness: Contract,
                                                     case: tuple[bytes, bytes]) -> None:
    key, node = case
    root = keccak256(node)
    check(harness, {root: node}, root, key, [node])


def _mutations(proof: list[bytes]) -> list[list[bytes]]:
    out: list[list[bytes]] = [proof[:-1], [*proof, proof[-1]], [proof[-1], *proof[:-1]]]
    for i, node in enumerate(proof):
        for pos in (0, len(node) // 2, len(node) - 1):
            b = bytearray(node)
            b[pos] ^= 0x01
            out.append([*proof[:i], bytes(b), *proof[i + 1:]])
    return out


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value_delta=st.integers(1, 10**20), nonce_delta=st.integers(1, 2**64))
def test_portal_refuses_mutated_withdrawal_proofs(scene: Scene, value_delta: int,
                                                  nonce_delta: int) -> None:
    wd = scene.withdrawal(scene.users[1], value=10**18)
    out = scene.post_output([wd], tag=value_delta.to_bytes(16, "big"))
    scene.chain.warp(1)
    proof = out.wd_proof(wd)
    forged: list[Callable[[], object]] = [
        functools.partial(scene.prove, out, wd, proof=bad) for bad in _mutations(proof)
    ]
    richer = wd.__class__(wd.nonce, wd.sender, wd.target, wd.value + value_delta, wd.gas_limit)
    other_nonce = wd.__class__(wd.nonce + nonce_delta, wd.sender, wd.target, wd.value,
                               wd.gas_limit)
    forged.append(lambda: scene.prove(out, richer, proof=proof))
    forged.append(lambda: scene.prove(out, other_nonce, proof=proof))
    for attempt in forged:
        with pytest.raises(ContractReverted) as info:
            attempt()
        assert info.value.error_name == "InvalidMerkleProof"
    assert scene.prove(out, wd).success
