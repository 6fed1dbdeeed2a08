"""Merkle Patricia Trie (Yellow Paper appendix D) for the host: build, store and walk.

The guest reads tries lazily, one node per preimage: every node it may ask for must sit in the
store under ``keccak(node RLP)``. So the host needs the *nodes* of a trie, not only its root:

- `build_trie` builds every node of a trie from its items (the execution specs' `patricialize`,
  but keeping each node that is referenced by hash); `derivable_list_trie` and `secure_trie`
  are the two key schemes (transactions/receipts/withdrawals; state/storage).
- `lookup`, `walk_path` and `node_children` read a trie from its nodes (proof nodes fetched from
  a node, or a built trie), for tests and for the host's search for a node under a path.

Nodes are handled as RLP bytes. A node whose RLP is shorter than 32 bytes is inlined into its
parent instead of being hashed; the root is always hashed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.evm import rlp
from faultproof.evm.rlp import RLPItem

EMPTY_TRIE_ROOT = keccak256(rlp.encode(b""))
"""Root of the empty trie: keccak256(rlp(b"")) = 0x56e81f...b421."""

NodeGetter = Callable[[bytes], "bytes | None"]
"""Returns the node RLP whose keccak256 is the argument, or None when it is unknown."""


class TrieError(FaultproofError):
    """A malformed trie node."""


class MissingNode(TrieError):
    """A walk needed a node that is not available; `node_hash` and `path` say which."""

    def __init__(self, node_hash: bytes, path: bytes) -> None:
        super().__init__(
            f"trie node 0x{node_hash.hex()} at path {path.hex() or '(root)'} is not available"
        )
        self.node_hash = node_hash
        self.path = path


def nibbles(key: bytes) -> bytes:
    """``key`` as one nibble per byte, high nibble first."""
    out = bytearray()
    for b in key:
        out += bytes((b >> 4, b & 0x0F))
    return bytes(out)


def compact_encode(path: bytes, is_leaf: bool) -> bytes:
    """Hex-prefix encoding of a nibble path (flag 2 for leaves, 1 for odd length)."""
    flag = (2 if is_leaf else 0) + (len(path) & 1)
    if len(path) & 1:
        packed = [flag << 4 | path[0]]
        rest = path[1:]
    else:
        packed = [flag << 4]
        rest = path
    packed += [rest[i] << 4 | rest[i + 1] for i in range(0, len(rest), 2)]
    return bytes(packed)


def compact_decode(encoded: bytes) -> tuple[bytes, bool]:
    """(nibble path, is_leaf) of a hex-prefix encoded path."""
    if not encoded:
        raise TrieError("empty hex-prefix path")
    flag = encoded[0] >> 4
    if flag > 3:
        raise TrieError(f"hex-prefix flag {flag} is not 0-3")
    if not flag & 1 and encoded[0] & 0x0F:
        raise TrieError("hex-prefix padding nibble is not zero")
    path = nibbles(encoded[1:])
    if flag & 1:
        path = bytes([encoded[0] & 0x0F]) + path
    return path, bool(flag & 2)


@dataclass
class BuiltTrie:
    """A trie's root and every node referenced by hash (root included): hash -> node RLP."""

    root: bytes
    nodes: dict[bytes, bytes] = field(default_factory=dict)

    def get(self, node_hash: bytes) -> bytes | None:
        return self.nodes.get(node_hash)


def build_trie(items: Mapping[bytes, bytes]) -> BuiltTrie:
    """Every node of the trie holding ``items`` (raw keys; empty values are left out)."""
    present = {nibbles(k): v for k, v in items.items() if v}
    built = BuiltTrie(EMPTY_TRIE_ROOT)
    if not present:
        built.nodes[EMPTY_TRIE_ROOT] = rlp.encode(b"")
        return built
    encoded = _node(present, 0, built.nodes)
    built.root = keccak256(encoded)
    built.nodes[built.root] = encoded
    return built


def secure_trie(items: Mapping[bytes, bytes]) -> BuiltTrie:
    """The state / storage scheme: each key is replaced by its keccak256."""
    return build_trie({keccak256(k): v for k, v in items.items()})


def derivable_list_trie(values: Sequence[bytes]) -> BuiltTrie:
    """The transactions / receipts / withdrawals scheme: item i under key rlp(i)."""
    return build_trie({rlp.encode(i): v for i, v in enumerate(values)})


def _node(items: dict[bytes, bytes], level: int, nodes: dict[bytes, bytes]) -> bytes:
    """RLP of the node holding ``items`` (nibble keys, all sharing their first ``level``)."""
    if len(items) == 1:
        ((key, value),) = items.items()
        return rlp.encode([compact_encode(key[level:], True), value])
    keys = list(items)
    first = keys[0]
    prefix = len(first) - level
    for k in keys[1:]:
        n = 0
        limit = min(prefix, len(k) - level)
        while n < limit and k[level + n] == first[level + n]:
            n += 1
        prefix = n
        if prefix == 0:
            break
    if prefix:
        child = _node(items, level + prefix, nodes)
        path = first[level : level + prefix]
        return _encode_raw_list([rlp.encode(compact_encode(path, False)), _ref_rlp(child, nodes)])
    buckets: list[dict[bytes, bytes]] = [{} for _ in range(16)]
    value = b""
    for k, v in items.items():
        if len(k) == level:
            value = v
        else:
            buckets[k[level]][k] = v
    parts = [_ref_rlp(_node(b, level + 1, nodes), nodes) if b else b"\x80" for b in buckets]
    return _encode_raw_list([*parts, rlp.encode(value)])


def _ref_rlp(child: bytes, nodes: dict[bytes, bytes]) -> bytes:
    """The RLP of a child reference: the child's own RLP if inline, else the encoded hash."""
    if len(child) < 32:
        return child
    digest = keccak256(child)
    nodes[digest] = child
    return rlp.encode(digest)


def _encode_raw_list(encoded_items: list[bytes]) -> bytes:
    payload = b"".join(encoded_items)
    if len(payload) < 56:
        return bytes([0xC0 + len(payload)]) + payload
    size = rlp.encode_uint(len(payload))
    return bytes([0xF7 + len(size)]) + size + payload


# ---- reading ---------------------------------------------------------------------------


def decode_node(encoded: bytes) -> list[RLPItem]:
    """A node's items: 17 for a branch, 2 for a leaf or extension."""
    try:
        node = rlp.decode(encoded)
    except rlp.RLPError as exc:
        raise TrieError(f"trie node is not RLP: {exc}") from None
    if not isinstance(node, list) or len(node) not in (2, 17):
        raise TrieError("trie node is not a 2- or 17-item list")
    return node


def _resolve(ref: RLPItem, path: bytes, get: NodeGetter) -> list[RLPItem] | None:
    """The node a reference points to (None for an empty reference)."""
    if isinstance(ref, list):
        if len(ref) not in (2, 17):
            raise TrieError("inline trie node is not a 2- or 17-item list")
        return ref
    if ref == b"":
        return None
    if len(ref) != 32:
        raise TrieError(f"trie reference of {len(ref)} bytes (expected a 32-byte hash)")
    encoded = get(ref)
    if encoded is None:
        raise MissingNode(ref, path)
    if keccak256(encoded) != ref:
        raise TrieError(f"node served for 0x{ref.hex()} does not hash to it")
    return decode_node(encoded)


def lookup(root: bytes, key: bytes, get: NodeGetter) -> bytes | None:
    """The value under raw ``key`` in the trie at ``root``, or None; `MissingNode` if a node on
    the way is unavailable."""
    if root == EMPTY_TRIE_ROOT:
        return None
    want = nibbles(key)
    node = _resolve(root, b"", get)
    depth = 0
    while node is not None:
        if len(node) == 17:
            if depth == len(want):
                value = rlp.as_bytes(node[16])
                return value or None
            node = _resolve(node[want[depth]], want[: depth + 1], get)
            depth += 1
            continue
        path, is_leaf = compact_decode(rlp.as_bytes(node[0]))
        if want[depth : depth + len(path)] != path:
            return None
        depth += len(path)
        if is_leaf:
            return rlp.as_bytes(node[1]) if depth == len(want) else None
        node = _resolve(node[1], want[:depth], get)
    return None


def node_children(encoded: bytes) -> list[tuple[bytes, RLPItem]]:
    """(nibble path from this node, reference) for each non-empty child of a node.

    A leaf has none; an extension has one (its path); a branch one per occupied slot.
    """
    node = decode_node(encoded)
    if len(node) == 17:
        return [(bytes([i]), node[i]) for i in range(16) if node[i] != b""]
    path, is_leaf = compact_decode(rlp.as_bytes(node[0]))
    return [] if is_leaf else [(path, node[1])]


def iter_nodes(root: bytes, get: NodeGetter) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(path, hash, RLP) of every hash-referenced node reachable from ``root``, depth first."""
    if root == EMPTY_TRIE_ROOT:
        return
    stack: list[tuple[bytes, bytes]] = [(b"", root)]
    while stack:
        path, digest = stack.pop()
        encoded = get(digest)
        if encoded is None:
            raise MissingNode(digest, path)
        yield path, digest, encoded
        pending = [(path, encoded)]
        while pending:
            at, node_rlp = pending.pop()
            for sub, ref in node_children(node_rlp):
                if isinstance(ref, list):
                    pending.append((at + sub, rlp.encode(ref)))
                else:
                    stack.append((at + sub, rlp.as_bytes(ref)))


def leaves(root: bytes, get: NodeGetter) -> dict[bytes, bytes]:
    """Every (raw key, value) of the trie at ``root`` (keys of odd nibble length are dropped)."""
    out: dict[bytes, bytes] = {}
    if root == EMPTY_TRIE_ROOT:
        return out

    def visit(node: list[RLPItem], path: bytes) -> None:
        if len(node) == 17:
            value = rlp.as_bytes(node[16])
            if value:
                _put(path, value)
            for i in range(16):
                child = _resolve(node[i], path + bytes([i]), get)
                if child is not None:
                    visit(child, path + bytes([i]))
            return
        sub, is_leaf = compact_decode(rlp.as_bytes(node[0]))
        if is_leaf:
            _put(path + sub, rlp.as_bytes(node[1]))
            return
        child = _resolve(node[1], path + sub, get)
        if child is not None:
            visit(child, path + sub)

    def _put(path: bytes, value: bytes) -> None:
        if len(path) % 2 == 0:
            out[bytes(path[i] << 4 | path[i + 1] for i in range(0, len(path), 2))] = value

    top = _resolve(root, b"", get)
    if top is not None:
        visit(top, b"")
    return out


def walk_path(root: bytes, path: bytes, get: NodeGetter) -> bytes | None:
    """The hash of the hash-referenced node that sits exactly at nibble ``path``, or None when
    the trie has no such node (or the node there is inline). Raises `MissingNode` when a node
    on the way is unavailable."""
    if root == EMPTY_TRIE_ROOT:
        return None
    digest: bytes = root
    depth = 0
    ref: RLPItem = root
    while True:
        if depth == len(path):
            return digest if isinstance(ref, bytes) and len(ref) == 32 else None
        node = _resolve(ref, path[:depth], get)
        if node is None:
            return None
        if len(node) == 17:
            ref = node[path[depth]]
            depth += 1
        else:
            sub, is_leaf = compact_decode(rlp.as_bytes(node[0]))
            if is_leaf or path[depth : depth + len(sub)] != sub:
                return None
            ref = node[1]
            depth += len(sub)
        if isinstance(ref, bytes):
            if len(ref) != 32:
                return None
            digest = ref
