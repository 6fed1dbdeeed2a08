"""RLP and trie building against the execution specs (`ethereum_rlp`, cancun `trie.root`).

The host's tries must give exactly the roots the guest and every client compute, and every
node a walk needs must be among the nodes the host stores.
"""

from __future__ import annotations

from typing import Any

import pytest
from ethereum.forks.cancun import trie as spec_trie
from ethereum_rlp import rlp as ethereum_rlp
from ethereum_types.bytes import Bytes
from ethereum_types.numeric import U256, Uint
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.evm import mpt, rlp

Nested = Any

items_strategy = st.recursive(
    st.binary(max_size=80),
    lambda children: st.lists(children, max_size=6),
    max_leaves=20,
)


def to_spec(item: Nested) -> Any:
    if isinstance(item, bytes):
        return Bytes(item)
    return [to_spec(x) for x in item]


@given(items_strategy)
def test_rlp_encode_matches_ethereum_rlp_and_round_trips(item: Nested) -> None:
    encoded = rlp.encode(item)
    assert encoded == ethereum_rlp.encode(to_spec(item))
    assert rlp.decode(encoded) == item


@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_rlp_integers_are_minimal_big_endian(value: int) -> None:
    assert rlp.encode(value) == ethereum_rlp.encode(U256(value))
    assert rlp.decode_uint(rlp.decode(rlp.encode(value))) == value


@pytest.mark.parametrize(
    "bad",
    [
        b"\x81\x05",  # single byte below 0x80 with a prefix
        b"\xb8\x05hello",  # long form for a short string
        b"\xb9\x00\x40" + b"a" * 64,  # length with a leading zero
        b"\x83ab",  # truncated
        b"\xc3\x01\x02",  # list truncated
        b"\x01\x02",  # trailing bytes
        b"",
    ],
)
def test_rlp_decode_refuses_non_canonical_input(bad: bytes) -> None:
    with pytest.raises(rlp.RLPError):
        rlp.decode(bad)


def spec_root(items: dict[bytes, bytes], secured: bool) -> bytes:
    t: spec_trie.Trie[Bytes, Bytes] = spec_trie.Trie(secured=secured, default=Bytes(b""))
    for k, v in items.items():
        spec_trie.trie_set(t, Bytes(k), Bytes(v))
    return bytes(spec_trie.root(t))


keys = st.one_of(st.binary(min_size=0, max_size=3), st.binary(min_size=32, max_size=32))
trie_items = st.dictionaries(keys, st.binary(min_size=0, max_size=70), max_size=40)


@settings(max_examples=200)
@given(trie_items)
def test_built_trie_root_matches_the_execution_specs(items: dict[bytes, bytes]) -> None:
    built = mpt.build_trie(items)
    assert built.root == spec_root(items, secured=False)
    assert mpt.secure_trie(items).root == spec_root(items, secured=True)


@settings(max_examples=100)
@given(trie_items)
def test_every_value_is_found_from_the_stored_nodes_alone(items: dict[bytes, bytes]) -> None:
    built = mpt.build_trie(items)
    for digest, node in built.nodes.items():
        assert keccak256(node) == digest
    for k, v in items.items():
        assert mpt.lookup(built.root, k, built.get) == (v or None)
    assert mpt.lookup(built.root, b"\xff" * 33, built.get) is None
    present = {k: v for k, v in items.items() if v}
    # leaves() drops keys whose nibble path is odd; ours are whole bytes
    assert mpt.leaves(built.root, built.get) == present
    walked = {digest for _, digest, _ in mpt.iter_nodes(built.root, built.get)}
    assert walked == set(built.nodes) or (not present and built.root == mpt.EMPTY_TRIE_ROOT)
    for path, digest, _ in mpt.iter_nodes(built.root, built.get):
        assert mpt.walk_path(built.root, path, built.get) == digest


@given(st.lists(st.binary(min_size=1, max_size=120), max_size=300))
def test_derivable_list_trie_matches_the_specs(values: list[bytes]) -> None:
    items = {ethereum_rlp.encode(Uint(i)): v for i, v in enumerate(values)}
    assert mpt.derivable_list_trie(values).root == spec_root(items, secured=False)


def test_empty_trie_root_and_missing_node_is_named() -> None:
    assert mpt.EMPTY_TRIE_ROOT.hex().startswith("56e81f171bcc55a6")
    built = mpt.secure_trie({bytes([i]) * 20: b"x" * 40 for i in range(40)})
    first_child = next(d for d in built.nodes if d != built.root)
    partial = {d: n for d, n in built.nodes.items() if d != first_child}
    with pytest.raises(mpt.MissingNode) as err:
        mpt.leaves(built.root, partial.get)
    assert err.value.node_hash == first_child


def test_hex_prefix_round_trip() -> None:
    for path in (b"", b"\x01", b"\x01\x02", b"\x0f\x00\x0a"):
        for leaf in (False, True):
            assert mpt.compact_decode(mpt.compact_encode(path, leaf)) == (path, leaf)
            spec = spec_trie.nibble_list_to_compact(Bytes(path), leaf)
            assert mpt.compact_encode(path, leaf) == bytes(spec)
