"""The L2 node's JSON-RPC server: geth/op-node shapes, and the EVM program's host
(faultproof.evm.rpc_host) reading headers, proofs, trie nodes and code from it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ethereum.crypto.hash import keccak256

from faultproof.evm import header as hdr
from faultproof.evm import mpt
from faultproof.evm import rlp as xrlp
from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc, RpcHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.store import MemoryStore
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.execution import Attributes, L1Info, build_block, genesis_block
from faultproof.rollup.genesis import L1_BLOCK, MESSAGE_PASSER, genesis_alloc
from faultproof.rollup.node import L2Node
from faultproof.rollup.rpc_server import RpcServer

KEY = 0xB0B
USER = secret_address(KEY)
CONFIG = RollupConfig(
    genesis=Genesis(BlockId(0, b"\x01" * 32), BlockId(0, b"\x00" * 32), 1000),
    batcher_address=b"\xba" * 20,
    deposit_contract_address=b"\xdc" * 20,
)
ORIGIN = L1Info(0, b"\x01" * 32, 1000, 7, 1, b"\x03" * 32, b"\x04" * 32)


@pytest.fixture
def served() -> Iterator[tuple[L2Node, JsonRpc]]:
    genesis, state = genesis_block(CONFIG, genesis_alloc({USER: 10**20}))
    node = L2Node(CONFIG, genesis, state)
    with RpcServer(node) as server:
        rpc = JsonRpc(server.url)
        rpc.call("eth_sendRawTransaction", ["0x" + tx_bytes(sign_tx(
            UnsignedTx(nonce=0, to=b"\x33" * 20, value=5, gas_limit=21_000,
                       max_fee_per_gas=10**10, max_priority_fee_per_gas=1), KEY, 901)).hex()])
        built = build_block(CONFIG, node.head, node.state_at(0),
                            Attributes(1002, ORIGIN, 0, (), tuple(node.take_pool())),
                            node.recent_hashes())
        node.add_block(built.block, built.state)
        yield node, rpc


def test_blocks_receipts_and_state_in_geths_shapes(served: tuple[L2Node, JsonRpc]) -> None:
    node, rpc = served
    assert rpc.call("eth_chainId", []) == hex(901)
    assert rpc.call("eth_blockNumber", []) == "0x1"
    block = rpc.call("eth_getBlockByNumber", ["0x1", True])
    assert hdr.checked_header_rlp(block) == node.head.header_rlp
    assert block["transactions"][0]["type"] == "0x7e"
    user_tx = block["transactions"][1]
    assert hdr.checked_raw_transaction(user_tx) == node.head.txs[1]
    by_hash = rpc.call("eth_getBlockByHash", [block["hash"], False])
    assert by_hash["transactions"][1] == user_tx["hash"]
    deposit = rpc.call("eth_getTransactionReceipt", [block["transactions"][0]["hash"]])
    assert (deposit["status"], deposit["depositNonce"], deposit["depositReceiptVersion"]) == (
        "0x1", "0x0", "0x1")
    receipt = rpc.call("eth_getTransactionReceipt", [user_tx["hash"]])
    assert receipt["status"] == "0x1" and receipt["gasUsed"] == hex(21_000)
    assert rpc.call("eth_getBalance", ["0x" + "33" * 20, "latest"]) == "0x5"
    assert rpc.call("eth_getTransactionCount", ["0x" + USER.hex(), "0x1"]) == "0x1"
    assert rpc.call("eth_getCode", ["0x" + L1_BLOCK.hex(), "latest"]).startswith("0x")
    slot2 = rpc.call("eth_getStorageAt", ["0x" + L1_BLOCK.hex(), "0x2", "latest"])
    assert slot2 == "0x" + ORIGIN.hash.hex()
    out = rpc.call("optimism_outputAtBlock", ["0x1"])
    assert out["blockRef"]["l1origin"] == {"hash": "0x" + ORIGIN.hash.hex(), "number": 0}
    assert out["stateRoot"] == block["stateRoot"]
    preimage = (b"\x00" * 32 + bytes.fromhex(out["stateRoot"][2:])
                + bytes.fromhex(out["withdrawalStorageRoot"][2:]) + node.head.hash)
    assert out["outputRoot"] == "0x" + keccak256(preimage).hex()
    code_hash = keccak256(node.get_code(MESSAGE_PASSER, 1))
    assert rpc.call("debug_dbGet", ["0x63" + code_hash.hex()]) == "0x" + node.get_code(
        MESSAGE_PASSER, 1).hex()


def test_program_host_reads_the_node(served: tuple[L2Node, JsonRpc]) -> None:
    node, rpc = served
    store = MemoryStore()
    host = RpcHost(rpc, store, state_block=1)
    sink = store.put
    host.block_header(node.head.hash, sink)  # type: ignore[arg-type]
    assert store.get(keccak256_key(node.head.header_rlp)) == node.head.header_rlp
    host.account_proof((1).to_bytes(8, "big") + L1_BLOCK, sink)  # type: ignore[arg-type]
    host.account_storage_proof((1).to_bytes(8, "big") + L1_BLOCK + (2).to_bytes(32, "big"),
                               sink)  # type: ignore[arg-type]
    root = bytes(node.head.header.state_root)
    assert keccak256_key(digest=root) in store
    # a node nobody proved: served by debug_dbGet
    some = next(h for h in node.nodes if keccak256_key(digest=h) not in store)
    host.state_node(some + b"\x00", sink)  # type: ignore[arg-type]
    assert keccak256_key(digest=some) in store
    code_hash = keccak256(node.get_code(MESSAGE_PASSER, 1))
    host.code(code_hash, sink)  # type: ignore[arg-type]
    assert store.get(keccak256_key(digest=code_hash)) == node.get_code(MESSAGE_PASSER, 1)


def test_eth_call_and_sync_status(served: tuple[L2Node, JsonRpc]) -> None:
    _, rpc = served
    sel = "0x" + keccak256(b"timestamp()")[:4].hex()
    got = rpc.call("eth_call", [{"to": "0x" + L1_BLOCK.hex(), "data": sel}, "latest"])
    assert int(got, 16) == ORIGIN.timestamp
    sel = "0x" + keccak256(b"messageNonce()")[:4].hex()
    got = rpc.call("eth_call", [{"to": "0x" + MESSAGE_PASSER.hex(), "data": sel}, "latest"])
    assert int(got, 16) == 1 << 240
    status = rpc.call("optimism_syncStatus", [])
    assert status["unsafe_l2"]["number"] == 1 and status["safe_l2"]["number"] == 0
    assert rpc.call("eth_getBlockByNumber", ["safe", False])["number"] == "0x0"
    assert rpc.call("eth_getBlockByNumber", ["0x9", False]) is None


def test_node_holds_every_trie_node_of_every_block(served: tuple[L2Node, JsonRpc]) -> None:
    node, _ = served
    for block in node.blocks:
        accounts = mpt.leaves(bytes(block.header.state_root), node.nodes.get)
        assert len(accounts) >= 4
        for leaf in accounts.values():
            storage_root = xrlp.as_bytes(xrlp.as_list(xrlp.decode(leaf))[2])
            assert list(mpt.iter_nodes(storage_root, node.nodes.get)) or (
                storage_root == mpt.EMPTY_TRIE_ROOT)
