"""Trie nodes as a host stores them, for tests that start the guest's tries from a bare root.

`StoredTrie` lays out the trie over a key/value mapping exactly as execution-specs'
patricialize does and keeps every node a parent references by hash (and the root), with the
nibble paths where it sits: a test host serves them by keccak key, and `check_node_requests`
proves the guest asked for each one after an `l2-state-node` hint naming the node, its trie
(context) and its path. Shared by test_evm_trie.py and test_evm_state.py.
"""

from __future__ import annotations

from typing import Any

from ethereum.forks.cancun import trie as spec_trie
from ethereum_rlp import rlp as spec_rlp
from ethereum_types.bytes import Bytes

from faultproof.crypto import keccak256
from faultproof.preimage.hints import parse_hint
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.store import MemoryStore

ACCOUNT_TRIE = b"\x00"
"""The l2-state-node context of the account trie; a storage trie's is 0x01 ‖ address."""


def spec_root(mapping: dict[bytes, bytes]) -> bytes:
    """trie.py's root over raw (unhashed) keys."""
    t: spec_trie.Trie[Bytes, Bytes] = spec_trie.Trie(secured=False, default=Bytes(b""))
    for key, value in mapping.items():
        spec_trie.trie_set(t, Bytes(key), Bytes(value))
    return bytes(spec_trie.root(t))


class StoredTrie:
    """Every node of the trie over `mapping` (raw keys: hash them first for a secure trie)
    that is referenced by hash, plus the root, with the nibble paths where each sits."""

    def __init__(self, mapping: dict[bytes, bytes], context: bytes = ACCOUNT_TRIE) -> None:
        self.context = context
        self.nodes: dict[bytes, bytes] = {}  # hash -> node RLP
        self.paths: dict[bytes, set[bytes]] = {}  # hash -> nibble paths (one nibble per byte)
        obj = {bytes(spec_trie.bytes_to_nibble_list(Bytes(k))): v for k, v in mapping.items()}
        encoded = spec_rlp.encode(self._node(obj, 0, b""))
        self.root = keccak256(encoded)
        self._keep(self.root, encoded, b"")  # a short root too: it is fetched by its hash
        assert self.root == spec_root(mapping)

    def _keep(self, digest: bytes, encoded: bytes, path: bytes) -> None:
        self.nodes[digest] = encoded
        self.paths.setdefault(digest, set()).add(path)

    def _ref(self, unencoded: Any, path: bytes) -> Any:
        encoded = spec_rlp.encode(unencoded)
        if len(encoded) < 32:
            return unencoded
        digest = keccak256(encoded)
        self._keep(digest, encoded, path)
        return Bytes(digest)

    def _node(self, obj: dict[bytes, bytes], level: int, path: bytes) -> Any:
        if not obj:
            return Bytes(b"")
        first = next(iter(obj))
        if len(obj) == 1:
            compact = spec_trie.nibble_list_to_compact(Bytes(first[level:]), True)
            return (compact, Bytes(obj[first]))
        prefix = min(spec_trie.common_prefix_length(first[level:], k[level:]) for k in obj)
        if prefix:
            segment = first[level : level + prefix]
            below = self._node(obj, level + prefix, path + segment)
            compact = spec_trie.nibble_list_to_compact(Bytes(segment), False)
            return (compact, self._ref(below, path + segment))
        value = b""
        branches: list[dict[bytes, bytes]] = [{} for _ in range(16)]
        for key, v in obj.items():
            if len(key) == level:
                value = v
            else:
                branches[key[level]][key] = v
        kids = []
        for nib, sub in enumerate(branches):
            child_path = path + bytes([nib])
            kids.append(self._ref(self._node(sub, level + 1, child_path), child_path))
        return [*kids, Bytes(value)]

    def put_into(self, store: MemoryStore) -> MemoryStore:
        for encoded in self.nodes.values():
            store.put_keccak256(encoded)
        return store


class RecordingHost(LocalHost):
    """A LocalHost that keeps the order of hints and key requests (the channel threads hand
    them over one at a time: the guest waits for each hint's ack before its next request).
    With `corrupt`, the value of that key is answered with its last byte flipped (a lying
    host)."""

    def __init__(self, store: MemoryStore, corrupt: bytes | None = None) -> None:
        super().__init__(store)
        self.events: list[tuple[str, bytes]] = []
        self.corrupt = corrupt

    def hint(self, hint: bytes) -> None:
        self.events.append(("hint", hint))
        super().hint(hint)

    def get_preimage(self, key: bytes) -> bytes:
        self.events.append(("key", key))
        value = super().get_preimage(key)
        if key == self.corrupt:
            value = value[:-1] + bytes([value[-1] ^ 1])
        return value

    def hints(self, hint_type: str) -> list[bytes]:
        """The payloads of every hint of one type, in order."""
        out = []
        for kind, data in self.events:
            if kind == "hint":
                t, payload = parse_hint(data)
                if t == hint_type:
                    out.append(payload)
        return out


def check_node_requests(
    host: RecordingHost, tries: list[StoredTrie], codes: dict[bytes, bytes] | None = None
) -> set[bytes]:
    """Every key the guest asked for is a node of one of `tries` fetched right after an
    l2-state-node hint naming it, its trie's context and a path where it sits -- or a code
    (by code hash) right after its l2-code hint. Returns the node hashes fetched."""
    where: dict[bytes, set[tuple[bytes, bytes]]] = {}
    for t in tries:
        for digest, paths in t.paths.items():
            where.setdefault(digest, set()).update((t.context, p) for p in paths)
    by_key = {keccak256_key(digest=h): h for h in where}
    code_keys = {keccak256_key(digest=h): h for h in (codes or {})}
    fetched = set()
    last_hint: bytes | None = None
    for kind, data in host.events:
        if kind == "hint":
            last_hint = data
            continue
        if data[0] == 1:  # a local (boot) input needs no hint
            continue
        assert last_hint is not None, f"key {data.hex()} fetched without a hint"
        hint_type, payload = parse_hint(last_hint)
        last_hint = None
        if data in code_keys:
            assert (hint_type, payload) == ("l2-code", code_keys[data])
            continue
        assert data in by_key, f"guest asked for {data.hex()}, not a node of the tries"
        digest = by_key[data]
        assert hint_type == "l2-state-node", hint_type
        assert payload[:32] == digest
        rest = payload[32:]
        assert any(rest == context + path for context, path in where[digest]), (
            f"hint context/path {rest.hex()} is not where node {digest.hex()} sits"
        )
        fetched.add(digest)
    return fetched
