"""The EVM host's RPC hint handlers against blocks anvil mined (no guest needed).

Each hint is routed as the program would send it; then a Python walk over the stored
preimages alone (header by hash, tries from the header's roots) must find what the node says
is there. So the program, which reads exactly these preimages, sees the node's chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from evm_anvil_blocks import (
    Rpc,
    Scenario,
    ecrecover_input,
    mine_scenario,
    point_evaluation_input,
    word,
)

from faultproof.chain.anvil import AnvilNode, find_anvil
from faultproof.crypto import keccak256
from faultproof.evm import header as hdr
from faultproof.evm import mpt, rlp
from faultproof.evm.rpc_host import JsonRpc, RpcHost, run_precompile
from faultproof.preimage.hints import HintRouter, format_hint
from faultproof.preimage.keys import keccak256_key, precompile_key
from faultproof.preimage.store import MemoryStore

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[str, Scenario]]:
    if find_anvil() is None:
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    with AnvilNode(free_gas=False) as node:
        yield node.url, mine_scenario(node.url)


def make_host(url: str, state_block: int | None) -> tuple[RpcHost, HintRouter, MemoryStore]:
    store = MemoryStore()
    host = RpcHost(JsonRpc(url), store, state_block=state_block)
    router = HintRouter(store, strict=True)
    host.register(router)
    return host, router, store


def getter(store: MemoryStore) -> mpt.NodeGetter:
    return lambda digest: store.fetch(keccak256_key(digest=digest))


def block_json(url: str, number: int, full: bool = True) -> dict[str, Any]:
    return dict(Rpc(url)("eth_getBlockByNumber", hex(number), full))


def test_every_header_rebuilds_to_the_node_hash(chain: tuple[str, Scenario]) -> None:
    url, sc = chain
    for number in range(0, max(sc.blocks) + 1):
        block = block_json(url, number, False)
        encoded = hdr.checked_header_rlp(block)
        assert len(rlp.as_list(rlp.decode(encoded))) == hdr.CANCUN_FIELD_COUNT
        assert hdr.decode_header(encoded)["stateRoot"].hex() == block["stateRoot"][2:]


def test_headers_and_transaction_tries_are_served_by_hash(chain: tuple[str, Scenario]) -> None:
    url, sc = chain
    host, router, store = make_host(url, None)
    kinds = set()
    for number in sc.blocks:
        block = block_json(url, number)
        block_hash = bytes.fromhex(block["hash"][2:])
        for hint in ("l2-block-header", "l2-transactions", "l2-withdrawals"):
            router.route(format_hint(hint, block_hash))
        header = hdr.decode_header(store.get(keccak256_key(digest=block_hash)))
        txs = mpt.leaves(header["transactionsRoot"], getter(store))
        assert len(txs) == len(block["transactions"])
        canonical = [hdr.checked_raw_transaction(tx) for tx in block["transactions"]]
        for i, tx in enumerate(block["transactions"]):
            kinds.add(int(tx["type"], 16))
            if int(tx["type"], 16) != 3:
                assert txs[rlp.encode(i)] == canonical[i]
        assert mpt.leaves(header["withdrawalsRoot"], getter(store)) == {}
        # the canonical trie is always there (what a correct header commits to)
        root = mpt.derivable_list_trie(canonical).root
        assert mpt.leaves(root, getter(store)) == {
            rlp.encode(i): c for i, c in enumerate(canonical)
        }
    assert {0, 1, 2} <= kinds, kinds
    assert "blob" in sc.blocks.values(), "anvil refused the blob transaction"
    # anvil 1.7.1 commits to blob transactions in their network form (blobs included)
    assert 3 in kinds
    assert any("non-canonical" in note for note in host.notes), host.notes


def prestate(url: str, number: int) -> dict[bytes, set[bytes]]:
    """Accounts (and their slots) block ``number`` touched, from anvil's prestate tracer."""
    touched: dict[bytes, set[bytes]] = {}
    for item in Rpc(url)("debug_traceBlockByNumber", hex(number), {"tracer": "prestateTracer"}):
        for addr, acct in item["result"].items():
            slots = touched.setdefault(bytes.fromhex(addr[2:]), set())
            slots.update(bytes.fromhex(s[2:]) for s in (acct.get("storage") or {}))
    return touched


def test_account_and_storage_proofs_walk_from_the_parent_state_root(
    chain: tuple[str, Scenario],
) -> None:
    url, sc = chain
    rpc = Rpc(url)
    for number, label in sc.blocks.items():
        parent = number - 1
        if parent < 1:
            continue  # anvil's block 0 header carries the empty root, not its genesis state
        _host, router, store = make_host(url, parent)
        state_root = bytes.fromhex(block_json(url, parent, False)["stateRoot"][2:])
        for address, slots in prestate(url, number).items():
            router.route(format_hint("l2-account-proof", parent.to_bytes(8, "big") + address))
            leaf = mpt.lookup(state_root, keccak256(address), getter(store))
            balance = int(rpc("eth_getBalance", "0x" + address.hex(), hex(parent)), 16)
            if leaf is None:
                assert balance == 0, (label, address.hex())
                continue
            _nonce, bal, storage_root, code_hash = (
                rlp.as_bytes(x) for x in rlp.as_list(rlp.decode(leaf))
            )
            assert int.from_bytes(bal, "big") == balance
            router.route(format_hint("l2-code", code_hash))
            code = store.get(keccak256_key(digest=code_hash))
            assert code.hex() == rpc("eth_getCode", "0x" + address.hex(), hex(parent))[2:]
            for slot in slots:
                payload = parent.to_bytes(8, "big") + address + slot
                router.route(format_hint("l2-account-storage-proof", payload))
                value = mpt.lookup(storage_root, keccak256(slot), getter(store))
                want = int(
                    rpc("eth_getStorageAt", "0x" + address.hex(), "0x" + slot.hex(), hex(parent)),
                    16,
                )
                got = int.from_bytes(rlp.as_bytes(rlp.decode(value)), "big") if value else 0
                assert got == want, (label, address.hex(), slot.hex())


def proof_paths(proof: list[str], key: bytes) -> list[tuple[bytes, bytes]]:
    """(path, node RLP) of each hash-referenced node of a proof for ``key``."""
    want = mpt.nibbles(keccak256(key))
    out: list[tuple[bytes, bytes]] = []
    depth = 0
    for node_hex in proof:
        node = bytes.fromhex(node_hex[2:])
        out.append((want[:depth], node))
        items = mpt.decode_node(node)
        if len(items) == 17:
            depth += 1
        else:
            path, _ = mpt.compact_decode(rlp.as_bytes(items[0]))
            depth += len(path)
    return out


def test_state_nodes_are_found_by_path_without_debug_dbget(chain: tuple[str, Scenario]) -> None:
    """anvil has no debug_dbGet: the host finds a known key under the node's path and fetches
    its proof (the case of a sibling a deletion collapses into)."""
    url, sc = chain
    parent = next(n for n, label in sc.blocks.items() if label == "storage")
    rpc = Rpc(url)
    worker = bytes.fromhex(sc.worker[2:])
    slot = word(1013)  # a slot of the big range
    got = rpc("eth_getProof", sc.worker, ["0x" + slot.hex()], hex(parent))
    storage = proof_paths(got["storageProof"][0]["proof"], slot)
    accounts = proof_paths(got["accountProof"], worker)
    host, router, store = make_host(url, parent)
    for path, node in storage[1:]:
        # a sibling: same path length, another nibble, under the same parent
        payload = keccak256(node) + b"\x01" + worker + path
        router.route(format_hint("l2-state-node", payload))
        assert keccak256_key(node) in store
    for path, node in accounts[1:]:
        router.route(format_hint("l2-state-node", keccak256(node) + b"\x00" + path))
        assert keccak256_key(node) in store
    assert host.stats.state_node_searches >= 2


def test_a_collapse_sibling_of_a_cleared_slot_is_served(chain: tuple[str, Scenario]) -> None:
    """Clearing slots may collapse any branch of the storage trie on their paths; every node
    of the trie (the worker's 190 slots) must be servable by its path."""
    url, sc = chain
    parent = next(n for n, label in sc.blocks.items() if label == "storage")
    rpc = Rpc(url)
    worker = bytes.fromhex(sc.worker[2:])
    # every node of the worker's storage trie at the parent, from proofs of all its slots
    full: dict[bytes, bytes] = {}
    slots = [word(i) for i in range(40)] + [word(1000 + i) for i in range(150)]
    got = rpc("eth_getProof", sc.worker, ["0x" + s.hex() for s in slots], hex(parent))
    for entry in got["storageProof"]:
        for node_hex in entry["proof"]:
            node = bytes.fromhex(node_hex[2:])
            full[keccak256(node)] = node
    root = bytes.fromhex(got["storageHash"][2:])
    all_nodes = list(mpt.iter_nodes(root, full.get))
    host, router, store = make_host(url, parent)
    host.index.traced_to = -1
    for path, digest, _ in all_nodes[1:40]:
        router.route(format_hint("l2-state-node", digest + b"\x01" + worker + path))
        assert keccak256_key(digest=digest) in store, path.hex()


def test_precompile_results_are_stored_under_the_call_key(chain: tuple[str, Scenario]) -> None:
    url, _ = chain
    _host, router, store = make_host(url, None)
    cases: list[tuple[int, int, bytes, bytes]] = [
        (
            1,
            3000,
            ecrecover_input(),
            b"\x01" + bytes(12) + bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
        ),
        (1, 3000, b"\x00" * 128, b"\x01"),  # no address recovered: success, empty output
        (8, 45000, b"", b"\x01" + word(1)),
        (8, 45000 + 34000, b"\x00" * 100, b"\x00"),  # not a multiple of 192: failure
        (
            10,
            50000,
            point_evaluation_input(),
            b"\x01"
            + word(4096)
            + word(0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001),
        ),
        (10, 50000, b"\x00" * 192, b"\x00"),
    ]
    for address, gas, data, want in cases:
        addr = address.to_bytes(20, "big")
        router.route(format_hint("l1-precompile-v2", addr + gas.to_bytes(8, "big") + data))
        assert store.get(precompile_key(addr, gas, data)) == want, address
        assert run_precompile(addr, data) == want


def test_a_tampered_header_is_served_under_its_new_hash_with_the_real_body(
    chain: tuple[str, Scenario],
) -> None:
    url, sc = chain
    number = next(n for n, label in sc.blocks.items() if label == "transfers")
    block = block_json(url, number)
    host, router, store = make_host(url, number - 1)
    encoded, new_hash = hdr.tamper_header(block, {"stateRoot": "0x" + "11" * 32})
    assert host.claim_header(encoded, bytes.fromhex(block["hash"][2:])) == new_hash
    router.route(format_hint("l2-block-header", new_hash))
    router.route(format_hint("l2-transactions", new_hash))
    header = hdr.decode_header(store.get(keccak256_key(digest=new_hash)))
    assert header["stateRoot"] == b"\x11" * 32
    assert len(mpt.leaves(header["transactionsRoot"], getter(store))) == len(block["transactions"])
    with pytest.raises(hdr.HeaderError, match="unknown header field"):
        hdr.tamper_header(block, {"stateroot": "0x00"})
