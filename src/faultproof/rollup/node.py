"""The L2 node: the chain of executed blocks, their states and receipts, and the sequencer's
transaction pool.

It keeps every trie node of every state by hash and every code by code hash, as geth's
hash-scheme database does, so it can answer ``debug_dbGet`` for a node hash or ``"c" ‖ code
hash`` (what the fault proof program's host asks for ``l2-state-node`` and ``l2-code``) and
``eth_getProof`` for any block. The JSON-RPC face is `faultproof.rollup.rpc_server`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ethereum.crypto.hash import keccak256
from ethereum.forks.cancun import vm as spec_vm
from ethereum.forks.cancun.state import State, TransientStorage, get_account, get_storage
from ethereum.forks.cancun.vm import Message
from ethereum.forks.cancun.vm.interpreter import process_message
from ethereum_types.bytes import Bytes, Bytes20, Bytes32
from ethereum_types.numeric import U64, U256, Uint

from faultproof.errors import FaultproofError
from faultproof.evm import mpt
from faultproof.evm import rlp as xrlp
from faultproof.rollup.config import RollupConfig
from faultproof.rollup.execution import (
    L2Block,
    TxReceipt,
    copy_state,
    message_passer_root,
    output_root,
)
from faultproof.rollup.genesis import MESSAGE_PASSER


class UnknownBlock(FaultproofError):
    """The node has no such L2 block."""


@dataclass(frozen=True)
class TxLocation:
    block_hash: bytes
    index: int


class L2Node:
    """Blocks by number and hash, the state after each block, trie nodes and code by hash."""

    def __init__(
        self,
        config: RollupConfig,
        genesis: L2Block,
        genesis_state: State,
        ancestor_hashes: list[bytes] | None = None,
    ) -> None:
        """``genesis`` is the first block held: the L2 genesis, or any agreed block to derive
        on from (then ``ancestor_hashes``, oldest first, are what BLOCKHASH sees below it)."""
        self.config = config
        self.first = genesis.number
        self._ancestors = list(ancestor_hashes or [])[-255:]
        self.lock = threading.RLock()
        self.blocks: list[L2Block] = []
        self.by_hash: dict[bytes, L2Block] = {}
        self.states: dict[bytes, State] = {}
        self.nodes: dict[bytes, bytes] = {}
        self.code: dict[bytes, bytes] = {}
        self.tx_index: dict[bytes, TxLocation] = {}
        self.pool: list[bytes] = []
        self.safe_number = genesis.number
        self._storage_cache: dict[bytes, tuple[dict[Bytes32, U256], bytes]] = {}
        """The highest block known to derive from L1 data (posted by the batcher, or derived)."""
        self.add_block(genesis, genesis_state)

    # -- chain
    def add_block(self, block: L2Block, state: State) -> None:
        """Append ``block`` (its parent must be the head) with the state after it."""
        with self.lock:
            if self.blocks and block.header.parent_hash != self.head.hash:
                raise FaultproofError(
                    f"block {block.number} does not extend the head {self.head.number}"
                )
            root = self._store_state_nodes(state)
            if root != bytes(block.header.state_root):
                raise FaultproofError(f"block {block.number}: state root does not match")
            for account in state._main_trie._data.values():
                if account is not None and account.code:
                    self.code[keccak256(account.code)] = bytes(account.code)
            self.blocks.append(block)
            self.by_hash[block.hash] = block
            self.states[block.hash] = state
            for i, raw in enumerate(block.txs):
                self.tx_index[keccak256(raw)] = TxLocation(block.hash, i)

    def _store_state_nodes(self, state: State) -> bytes:
        """Store every node of ``state``'s tries; its state root. A storage trie whose
        contents equal the last one seen for that account is not rebuilt."""
        roots: dict[bytes, bytes] = {}
        for address, trie in state._storage_tries.items():
            key = bytes(address)
            data = dict(trie._data)
            cached = self._storage_cache.get(key)
            if cached is not None and cached[0] == data:
                roots[key] = cached[1]
                continue
            built = mpt.secure_trie(
                {bytes(k): xrlp.encode(int(v)) for k, v in data.items() if int(v)}
            )
            self.nodes.update(built.nodes)
            self._storage_cache[key] = (data, built.root)
            roots[key] = built.root
        accounts = {}
        for address, account in state._main_trie._data.items():
            if account is None:
                continue
            accounts[bytes(address)] = xrlp.encode([
                int(account.nonce), int(account.balance),
                roots.get(bytes(address), mpt.EMPTY_TRIE_ROOT), keccak256(account.code),
            ])  # fmt: skip
        built = mpt.secure_trie(accounts)
        self.nodes.update(built.nodes)
        return built.root

    def rewind(self, number: int) -> None:
        """Drop every block above ``number`` (an L1 reorg made them unsafe)."""
        with self.lock:
            self.safe_number = min(self.safe_number, number)
            while self.head.number > max(number, self.first):
                block = self.blocks.pop()
                del self.by_hash[block.hash]
                del self.states[block.hash]
                for raw in block.txs:
                    self.tx_index.pop(keccak256(raw), None)

    @property
    def head(self) -> L2Block:
        return self.blocks[-1]

    def block(self, number: int) -> L2Block:
        if not self.first <= number <= self.head.number:
            raise UnknownBlock(f"no L2 block {number} (this node holds {self.first}..."
                               f"{self.head.number})")
        return self.blocks[number - self.first]

    def block_by_hash(self, block_hash: bytes) -> L2Block:
        found = self.by_hash.get(block_hash)
        if found is None:
            raise UnknownBlock(f"no L2 block 0x{block_hash.hex()}")
        return found

    def state_at(self, number: int) -> State:
        return self.states[self.block(number).hash]

    def recent_hashes(self) -> list[bytes]:
        """The hashes BLOCKHASH sees in the next block, oldest first (up to 256)."""
        return (self._ancestors + [b.hash for b in self.blocks[-256:]])[-256:]

    def receipt(self, tx_hash: bytes) -> tuple[L2Block, int, TxReceipt] | None:
        loc = self.tx_index.get(tx_hash)
        if loc is None:
            return None
        block = self.by_hash[loc.block_hash]
        return block, loc.index, block.receipts[loc.index]

    # -- state reads
    def balance(self, address: bytes, number: int) -> int:
        return int(get_account(self.state_at(number), Bytes20(address)).balance)

    def nonce(self, address: bytes, number: int) -> int:
        return int(get_account(self.state_at(number), Bytes20(address)).nonce)

    def get_code(self, address: bytes, number: int) -> bytes:
        return bytes(get_account(self.state_at(number), Bytes20(address)).code)

    def storage(self, address: bytes, slot: bytes, number: int) -> int:
        return int(get_storage(self.state_at(number), Bytes20(address), Bytes32(slot)))

    def db_get(self, key: bytes) -> bytes | None:
        """geth's hash-scheme database: a trie node by hash, code by ``"c" ‖ code hash``."""
        with self.lock:
            if len(key) == 32:
                return self.nodes.get(key)
            if len(key) == 33 and key[:1] == b"c":
                return self.code.get(key[1:])
            return None

    def proof(self, address: bytes, slots: list[bytes], number: int) -> dict[str, object]:
        """``eth_getProof``: the account's path in the state trie and each slot's path in its
        storage trie, as node RLPs from the root down."""
        block = self.block(number)
        root = bytes(block.header.state_root)
        account_proof = trie_proof(root, keccak256(address), self.nodes.get)
        leaf = mpt.lookup(root, keccak256(address), self.nodes.get)
        nonce = balance = 0
        storage_root: bytes = mpt.EMPTY_TRIE_ROOT
        code_hash: bytes = keccak256(b"")
        if leaf is not None:
            items = xrlp.as_list(xrlp.decode(leaf))
            nonce, balance = xrlp.decode_uint(items[0]), xrlp.decode_uint(items[1])
            storage_root, code_hash = xrlp.as_bytes(items[2]), xrlp.as_bytes(items[3])
        storage = []
        for slot in slots:
            raw = mpt.lookup(storage_root, keccak256(slot), self.nodes.get)
            value = xrlp.decode_uint(xrlp.decode(raw)) if raw is not None else 0
            storage.append(
                {"key": slot, "value": value,
                 "proof": trie_proof(storage_root, keccak256(slot), self.nodes.get)}
            )
        return {
            "address": address, "accountProof": account_proof, "balance": balance,
            "nonce": nonce, "storageHash": storage_root, "codeHash": code_hash,
            "storageProof": storage,
        }

    def call(
        self, sender: bytes, to: bytes, data: bytes, value: int, gas: int, number: int
    ) -> tuple[bool, bytes]:
        """``eth_call``: run a message on a copy of block ``number``'s state (no fees, no nonce
        or balance checks beyond the value transfer); (success, return data)."""
        block = self.block(number)
        state = copy_state(self.states[block.hash])
        env = spec_vm.BlockEnvironment(
            chain_id=U64(self.config.l2_chain_id), state=state,
            block_gas_limit=Uint(self.config.gas_limit),
            block_hashes=[Bytes32(h) for h in self.recent_hashes()],
            coinbase=block.header.coinbase, number=Uint(block.number + 1),
            base_fee_per_gas=Uint(0), time=U256(block.timestamp + self.config.block_time),
            prev_randao=block.header.prev_randao, excess_blob_gas=U64(0),
            parent_beacon_block_root=block.header.parent_beacon_block_root,
        )
        tx_env = spec_vm.TransactionEnvironment(
            origin=Bytes20(sender), gas_price=Uint(0), gas=Uint(gas),
            access_list_addresses=set(), access_list_storage_keys=set(),
            transient_storage=TransientStorage(), blob_versioned_hashes=(),
            index_in_block=None, tx_hash=None,
        )
        message = Message(
            block_env=env, tx_env=tx_env, caller=Bytes20(sender), target=Bytes20(to),
            gas=Uint(gas), value=U256(value), data=Bytes(data),
            code=get_account(state, Bytes20(to)).code,
            depth=Uint(0), current_target=Bytes20(to), code_address=Bytes20(to),
            should_transfer_value=value > 0, is_static=False,
            accessed_addresses=set(), accessed_storage_keys=set(), parent_evm=None,
        )
        evm = process_message(message)
        return evm.error is None, bytes(evm.output)

    # -- outputs
    def output_at(self, number: int) -> dict[str, object]:
        """op-node's ``optimism_outputAtBlock`` fields for block ``number``."""
        block = self.block(number)
        state = self.states[block.hash]
        return {
            "outputRoot": output_root(block, state),
            "block": block,
            "withdrawalStorageRoot": message_passer_root(state),
            "stateRoot": bytes(block.header.state_root),
        }

    def message_passer_storage_proof(self, slot: bytes, number: int) -> list[bytes]:
        """The storage proof of one message-passer slot (what the portal's prover submits)."""
        proof = self.proof(MESSAGE_PASSER, [slot], number)["storageProof"]
        assert isinstance(proof, list)
        nodes = proof[0]["proof"]
        assert isinstance(nodes, list)
        return nodes

    # -- pool
    def submit(self, raw: bytes) -> bytes:
        """Queue a raw transaction for the sequencer; its hash."""
        with self.lock:
            self.pool.append(raw)
        return keccak256(raw)

    def take_pool(self) -> list[bytes]:
        with self.lock:
            txs, self.pool = self.pool, []
        return txs


def trie_proof(root: bytes, key: bytes, get: mpt.NodeGetter) -> list[bytes]:
    """The hash-referenced nodes on the path to ``key`` from ``root`` (geth's proof list)."""
    if root == mpt.EMPTY_TRIE_ROOT:
        return []
    want = mpt.nibbles(key)
    out: list[bytes] = []
    ref: xrlp.RLPItem = root
    depth = 0
    while True:
        if isinstance(ref, list):
            node = ref
        else:
            if ref == b"" or len(ref) != 32:
                return out
            encoded = get(ref)
            if encoded is None:
                raise mpt.MissingNode(ref, want[:depth])
            out.append(encoded)
            node = mpt.decode_node(encoded)
        if len(node) == 17:
            if depth == len(want):
                return out
            ref = node[want[depth]]
            depth += 1
            continue
        path, is_leaf = mpt.compact_decode(xrlp.as_bytes(node[0]))
        if is_leaf or want[depth : depth + len(path)] != path:
            return out
        depth += len(path)
        ref = node[1]


__all__ = ["L2Node", "TxLocation", "UnknownBlock", "trie_proof"]
