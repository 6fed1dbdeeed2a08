"""Serve the EVM program's hints from an Ethereum JSON-RPC node into a verifying store.

Every handler fetches from the node, rebuilds what the program asks for (header RLP, trie
nodes, code, precompile results) and puts it into a `PreimageStore`, which checks each value
against its key: a node that lies can make the host fail, never make it serve a wrong preimage.
Which RPC methods each hint needs, and what anvil 1.7.1 offers, is in ``README.md`` next to
this file.

The one hint without a direct RPC is ``l2-state-node`` (a trie node by hash, e.g. the sibling
a deletion collapses into). Nodes with ``debug_dbGet`` (geth hash scheme) serve it directly;
for the others (anvil) the host looks for an existing account or slot whose hashed key lies
under the node's path and fetches that key's proof, which contains the node.
"""

from __future__ import annotations

import gzip
import json
import types
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from faultproof.chain.errors import RpcError
from faultproof.crypto import keccak256
from faultproof.evm import header as hdr
from faultproof.evm import mpt
from faultproof.preimage.errors import InvalidHint, PreimageMismatch
from faultproof.preimage.hints import HintRouter, PrecompileHintHandler
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.protocol import HintHandler, PreimageSink
from faultproof.preimage.store import PreimageStore

EMPTY_CODE_HASH = keccak256(b"")

HINT_TYPES = (
    "l2-block-header",
    "l2-transactions",
    "l2-withdrawals",
    "l2-code",
    "l2-account-proof",
    "l2-account-storage-proof",
    "l2-state-node",
    "l1-precompile-v2",
)


class JsonRpc:
    """A minimal JSON-RPC client over HTTP (urllib): one request per call, errors as `RpcError`
    naming the method, so the CLI prints one line."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url = url
        self.timeout = timeout
        self.calls: dict[str, int] = {}

    def call(self, method: str, params: list[Any]) -> Any:
        self.calls[method] = self.calls.get(method, 0) + 1
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        req = urllib.request.Request(self.url, body.encode(), {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                doc = json.loads(resp.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RpcError(f"{method} to {self.url} failed: {exc}") from exc
        if not isinstance(doc, dict):
            raise RpcError(f"{method} to {self.url}: answer is not a JSON-RPC object")
        if "error" in doc:
            err = doc["error"] if isinstance(doc["error"], dict) else {"message": doc["error"]}
            raise RpcError(
                f"{method} to {self.url} returned error {err.get('code')}: {err.get('message')}"
            )
        return doc.get("result")

    def optional(self, method: str, params: list[Any]) -> Any:
        """`call`, but None when the node refuses (method missing, bad params, any error)."""
        try:
            return self.call(method, params)
        except RpcError:
            return None


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _unhex(value: str) -> bytes:
    text = value[2:] if value.startswith("0x") else value
    return bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)


# ---- precompiles -----------------------------------------------------------------------------


def run_precompile(address: bytes, input_data: bytes) -> bytes:
    """``status ‖ output`` of a Cancun precompile call, computed with the execution specs'
    precompile code (the host runs it the way op-program's host runs geth's; gas is ignored)."""
    from ethereum.exceptions import EthereumException
    from ethereum.forks.cancun.vm.precompiled_contracts.mapping import (
        PRE_COMPILED_CONTRACTS,
    )
    from ethereum_types.bytes import Bytes
    from ethereum_types.numeric import Uint

    target = PRE_COMPILED_CONTRACTS.get(address)  # type: ignore[call-overload]
    if target is None:
        raise InvalidHint(f"0x{address.hex()} is not a Cancun precompile")
    frame = types.SimpleNamespace(
        message=types.SimpleNamespace(data=Bytes(input_data)),
        gas_left=Uint(2**62),
        output=Bytes(b""),
    )
    try:
        target(frame)
    except EthereumException:
        return b"\x00"
    return b"\x01" + bytes(frame.output)


# ---- the key index (hosts without debug_dbGet) ------------------------------------------------


@dataclass
class KeyIndex:
    """Accounts and storage slots known to exist (or to have existed) on the chain, with their
    hashed trie keys, for finding an existing key under a trie path."""

    accounts: dict[bytes, bytes] = field(default_factory=dict)  # keccak(address) -> address
    slots: dict[bytes, dict[bytes, bytes]] = field(
        default_factory=dict
    )  # addr -> {keccak(slot): slot}
    code: dict[bytes, bytes] = field(default_factory=dict)  # code hash -> code
    traced_to: int = -1  # prestate traces read for blocks <= this

    def add_account(self, address: bytes) -> None:
        self.accounts.setdefault(keccak256(address), address)

    def add_slot(self, address: bytes, slot: bytes) -> None:
        self.add_account(address)
        self.slots.setdefault(address, {}).setdefault(keccak256(slot), slot)

    def add_state(self, state: dict[str, Any]) -> None:
        """Accounts of a prestate-tracer / dump object: {address: {storage, code, ...}}."""
        for addr_hex, account in state.items():
            address = _unhex(addr_hex).rjust(20, b"\x00")
            self.add_account(address)
            if not isinstance(account, dict):
                continue
            for slot_hex in account.get("storage") or {}:
                self.add_slot(address, _unhex(slot_hex).rjust(32, b"\x00"))
            code = account.get("code")
            if isinstance(code, str) and len(code) > 2:
                raw = _unhex(code)
                self.code[keccak256(raw)] = raw

    def accounts_under(self, path: bytes) -> list[bytes]:
        return [a for h, a in self.accounts.items() if mpt.nibbles(h).startswith(path)]

    def slots_under(self, address: bytes, path: bytes) -> list[bytes]:
        known = self.slots.get(address, {})
        return [s for h, s in known.items() if mpt.nibbles(h).startswith(path)]


# ---- the handlers ------------------------------------------------------------------------------


@dataclass
class HostStats:
    """What the handlers did, for the CLI summary."""

    hints: dict[str, int] = field(default_factory=dict)
    nodes_stored: int = 0
    state_node_searches: int = 0


class RpcHost:
    """Hint handlers for the EVM program, backed by one JSON-RPC node.

    ``state_block`` is the block whose state ``l2-state-node`` searches use (the parent of the
    block being verified); without it the block of the last proof hint is used. ``claimed``
    maps a claimed (possibly tampered) block hash to (header RLP, the node's block hash whose
    transactions and withdrawals go with it).
    """

    def __init__(
        self, rpc: JsonRpc, store: PreimageStore, *, state_block: int | None = None
    ) -> None:
        self.rpc = rpc
        self.store = store
        self.state_block = state_block
        self.claimed: dict[bytes, tuple[bytes, bytes]] = {}
        self.stats = HostStats()
        self.notes: list[str] = []
        """Things about the node's data a user should know (e.g. non-canonical encodings)."""
        self.index = KeyIndex()
        self._blocks: dict[bytes, dict[str, Any]] = {}
        self._code_owner: dict[bytes, tuple[bytes, int]] = {}
        self._last_proof_block: int | None = None
        self._db_get_ok: bool | None = None  # debug_dbGet works (None: not tried yet)
        self._dumped = False

    # -- wiring
    def register(self, router: HintRouter) -> None:
        """Route every hint type of the program (`HINT_TYPES`) to this host."""
        handlers: dict[str, HintHandler] = {
            "l2-block-header": self.block_header,
            "l2-transactions": self.transactions,
            "l2-withdrawals": self.withdrawals,
            "l2-code": self.code,
            "l2-account-proof": self.account_proof,
            "l2-account-storage-proof": self.account_storage_proof,
            "l2-state-node": self.state_node,
            "l1-precompile-v2": self._precompile,
        }
        for name, handler in handlers.items():
            router.register(name, self._counted(name, handler))

    def _counted(self, name: str, handler: HintHandler) -> HintHandler:
        def run(payload: bytes, sink: PreimageSink) -> None:
            self.stats.hints[name] = self.stats.hints.get(name, 0) + 1
            handler(payload, sink)

        return run

    _precompile = PrecompileHintHandler(lambda address, gas, data: run_precompile(address, data))

    def claim_header(self, encoded: bytes, real_block_hash: bytes) -> bytes:
        """Serve ``encoded`` as a claimed header (its transactions and withdrawals are those of
        the node's block ``real_block_hash``); returns its hash."""
        digest = keccak256(encoded)
        self.claimed[digest] = (encoded, real_block_hash)
        return digest

    # -- helpers
    def _put_nodes(self, nodes: Iterable[bytes]) -> None:
        items = [(keccak256_key(n), n) for n in nodes]
        fresh = [(k, v) for k, v in items if k not in self.store]
        if fresh:
            self.store.put_many(fresh)
            self.stats.nodes_stored += len(fresh)

    def block(self, block_hash: bytes, full: bool = False) -> dict[str, Any]:
        """The node's block by hash (cached); `RpcError` if it does not know it."""
        cached = self._blocks.get(block_hash)
        if cached is not None and (not full or _has_full_txs(cached)):
            return cached
        found = self.rpc.call("eth_getBlockByHash", [_hex(block_hash), full])
        if not isinstance(found, dict):
            raise RpcError(f"the node has no block 0x{block_hash.hex()}")
        self._blocks[block_hash] = found
        return found

    def _real_hash(self, block_hash: bytes) -> bytes:
        claimed = self.claimed.get(block_hash)
        return claimed[1] if claimed is not None else block_hash

    @staticmethod
    def _hash_payload(payload: bytes, name: str) -> bytes:
        if len(payload) != 32:
            raise InvalidHint(f"{name} payload is {len(payload)} bytes, expected a 32-byte hash")
        return payload

    # -- l2-block-header <hash>
    def block_header(self, payload: bytes, sink: PreimageSink) -> None:
        block_hash = self._hash_payload(payload, "l2-block-header")
        claimed = self.claimed.get(block_hash)
        encoded = claimed[0] if claimed else self._header_rlp(block_hash)
        self.store.put(keccak256_key(encoded), encoded)

    def _header_rlp(self, block_hash: bytes) -> bytes:
        """The header rebuilt from JSON; if that does not hash to the block hash (a field this
        host does not know), the node's own ``debug_getRawHeader`` when it has it."""
        try:
            return hdr.checked_header_rlp(self.block(block_hash))
        except hdr.HeaderError:
            raw = self.rpc.optional("debug_getRawHeader", [_hex(block_hash)])
            if isinstance(raw, str) and keccak256(_unhex(raw)) == block_hash:
                return _unhex(raw)
            raise

    # -- l2-transactions <hash>
    def transactions(self, payload: bytes, sink: PreimageSink) -> None:
        """Every node of the trie of canonical (EIP-2718) encodings. When the node's header
        commits to other bytes (anvil 1.7.1 hashes blob transactions in their network form,
        blobs included), the trie of the node's raw encodings is stored too, so the program
        reads what the header commits to and judges it."""
        block = self.block(self._real_hash(self._hash_payload(payload, "l2-transactions")), True)
        txs = block.get("transactions") or []
        built = mpt.derivable_list_trie([self._raw_tx(tx) for tx in txs])
        self._put_nodes(built.nodes.values())
        want = _unhex(str(block.get("transactionsRoot")))
        if built.root == want:
            return
        raws = [self.rpc.optional("debug_getRawTransaction", [tx.get("hash")]) for tx in txs]
        if all(isinstance(r, str) for r in raws):
            committed = mpt.derivable_list_trie([_unhex(str(r)) for r in raws])
            if committed.root == want:
                self._put_nodes(committed.nodes.values())
                self.notes.append(
                    f"block {hdr.hex_int(block.get('number'))}: the header's transactionsRoot "
                    "commits to non-canonical transaction encodings (debug_getRawTransaction), "
                    f"not to the canonical ones (root 0x{built.root.hex()})"
                )
                return
        self._check_root(built.root, block, "transactionsRoot")

    def _raw_tx(self, tx: Any) -> bytes:
        if not isinstance(tx, dict):
            raise RpcError("eth_getBlockByHash returned transaction hashes, not objects")
        return hdr.checked_raw_transaction(tx)

    # -- l2-withdrawals <hash>
    def withdrawals(self, payload: bytes, sink: PreimageSink) -> None:
        block = self.block(self._real_hash(self._hash_payload(payload, "l2-withdrawals")))
        built = mpt.derivable_list_trie(
            [hdr.withdrawal_rlp(w) for w in block.get("withdrawals") or []]
        )
        if block.get("withdrawalsRoot") is not None:
            self._check_root(built.root, block, "withdrawalsRoot")
        self._put_nodes(built.nodes.values())

    @staticmethod
    def _check_root(root: bytes, block: dict[str, Any], name: str) -> None:
        want = _unhex(str(block.get(name)))
        if root != want:
            raise PreimageMismatch(
                f"block {block.get('number')}: {name} rebuilt from the node's JSON is "
                f"0x{root.hex()}, the header says 0x{want.hex()}"
            )

    # -- l2-account-proof <u64 number ‖ address>
    def account_proof(self, payload: bytes, sink: PreimageSink) -> None:
        if len(payload) != 28:
            raise InvalidHint(f"l2-account-proof payload is {len(payload)} bytes, expected 28")
        number, address = int.from_bytes(payload[:8], "big"), payload[8:28]
        self._proof(number, address, [])

    # -- l2-account-storage-proof <u64 number ‖ address ‖ slot>
    def account_storage_proof(self, payload: bytes, sink: PreimageSink) -> None:
        if len(payload) != 60:
            raise InvalidHint(
                f"l2-account-storage-proof payload is {len(payload)} bytes, expected 60"
            )
        number, address, slot = int.from_bytes(payload[:8], "big"), payload[8:28], payload[28:60]
        self._proof(number, address, [slot])

    def _proof(self, number: int, address: bytes, slots: list[bytes]) -> dict[str, Any]:
        """eth_getProof at ``number``: store every node; remember who owns the code hash."""
        self._last_proof_block = number
        result = self.rpc.call(
            "eth_getProof", [_hex(address), [_hex(s) for s in slots], hex(number)]
        )
        if not isinstance(result, dict):
            raise RpcError(f"eth_getProof for 0x{address.hex()} at {number} returned nothing")
        nodes = [_unhex(n) for n in result.get("accountProof") or []]
        for entry in result.get("storageProof") or []:
            nodes += [_unhex(n) for n in entry.get("proof") or []]
        self._put_nodes(nodes)
        code_hash = _unhex(str(result.get("codeHash", _hex(EMPTY_CODE_HASH))))
        if code_hash != EMPTY_CODE_HASH:
            self._code_owner.setdefault(code_hash, (address, number))
        self.index.add_account(address)
        for s in slots:
            self.index.add_slot(address, s)
        return result

    # -- l2-code <code hash>
    def code(self, payload: bytes, sink: PreimageSink) -> None:
        code_hash = self._hash_payload(payload, "l2-code")
        key = keccak256_key(digest=code_hash)
        if key in self.store:
            return
        code = self._find_code(code_hash)
        if code is not None:
            self.store.put(key, code)

    def _find_code(self, code_hash: bytes) -> bytes | None:
        if code_hash == EMPTY_CODE_HASH:
            return b""
        owner = self._code_owner.get(code_hash)
        if owner is not None:
            code = _unhex(str(self.rpc.call("eth_getCode", [_hex(owner[0]), hex(owner[1])])))
            if keccak256(code) == code_hash:
                return code
        for key in (b"c" + code_hash, code_hash):
            found = self._db_get(key)
            if found is not None and keccak256(found) == code_hash:
                return found
        if code_hash not in self.index.code:
            self._build_index()
        return self.index.code.get(code_hash)

    def _db_get(self, key: bytes) -> bytes | None:
        """geth's debug_dbGet (hash-scheme database read), remembered as missing after a
        failure so nodes without it (anvil) are asked once."""
        if self._db_get_ok is False:
            return None
        raw = self.rpc.optional("debug_dbGet", [_hex(key)])
        if not isinstance(raw, str):
            if self._db_get_ok is None:
                self._db_get_ok = False
            return None
        self._db_get_ok = True
        return _unhex(raw)

    # -- l2-state-node <node hash ‖ context ‖ path>
    def state_node(self, payload: bytes, sink: PreimageSink) -> None:
        node_hash, address, path = self._parse_state_node(payload)
        key = keccak256_key(digest=node_hash)
        if key in self.store:
            return
        found = self._db_get(node_hash)
        if found is not None and keccak256(found) == node_hash:
            self.store.put(key, found)
            return
        self.stats.state_node_searches += 1
        self._search_node(node_hash, address, path)

    @staticmethod
    def _parse_state_node(payload: bytes) -> tuple[bytes, bytes | None, bytes]:
        if len(payload) < 33:
            raise InvalidHint(f"l2-state-node payload is {len(payload)} bytes, need >= 33")
        context = payload[32]
        if context == 0:
            address, path = None, payload[33:]
        elif context == 1 and len(payload) >= 53:
            address, path = payload[33:53], payload[53:]
        else:
            raise InvalidHint(f"l2-state-node context 0x{context:02x} is not 0x00 or 0x01‖address")
        if any(n > 15 for n in path) or len(path) > 64:
            raise InvalidHint("l2-state-node path must be nibbles (0-15), at most 64")
        return payload[:32], address, path

    def _search_node(self, node_hash: bytes, address: bytes | None, path: bytes) -> None:
        """Fetch proofs of known keys under ``path`` until one of them carries the node."""
        number = self.state_block if self.state_block is not None else self._last_proof_block
        if number is None:
            return
        key = keccak256_key(digest=node_hash)
        for attempt in range(2):
            if attempt:
                self._build_index()
            candidates: list[tuple[bytes, list[bytes]]]
            if address is None:
                candidates = [(a, []) for a in self.index.accounts_under(path)]
            else:
                candidates = [(address, [s]) for s in self.index.slots_under(address, path)]
            for who, slots in candidates[:32]:
                self._proof(number, who, slots)
                if key in self.store:
                    return
            if attempt == 0 and self.index.traced_to >= number + 1:
                return

    def _build_index(self) -> None:
        """Learn existing keys: eth_accounts, the node's state dump (anvil_dumpState) and the
        prestate traces of every block up to the one after ``state_block``."""
        if not self._dumped:
            self._dumped = True
            for acct in self.rpc.optional("eth_accounts", []) or []:
                self.index.add_account(_unhex(acct))
            dump = self.rpc.optional("anvil_dumpState", [])
            if isinstance(dump, str):
                try:
                    doc = json.loads(gzip.decompress(_unhex(dump)))
                    self.index.add_state(doc.get("accounts") or {})
                except (OSError, ValueError, AttributeError):
                    pass
        top = self.state_block if self.state_block is not None else self._last_proof_block
        if top is None:
            return
        for number in range(self.index.traced_to + 1, top + 2):
            traces = self.rpc.optional(
                "debug_traceBlockByNumber", [hex(number), {"tracer": "prestateTracer"}]
            )
            for item in traces or []:
                result = item.get("result") if isinstance(item, dict) else None
                if isinstance(result, dict):
                    self.index.add_state(result)
            self.index.traced_to = number


def _has_full_txs(block: dict[str, Any]) -> bool:
    txs = block.get("transactions") or []
    return not txs or isinstance(txs[0], dict)


def connect(url: str) -> JsonRpc:
    """A client for ``url`` after one ``eth_chainId`` call, so a wrong URL fails early."""
    rpc = JsonRpc(url)
    rpc.call("eth_chainId", [])
    return rpc


__all__ = [
    "HINT_TYPES",
    "JsonRpc",
    "KeyIndex",
    "RpcHost",
    "connect",
    "run_precompile",
]
