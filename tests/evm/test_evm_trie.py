"""The guest's Merkle Patricia Trie (guest/evm/trie.c) against execution-specs' cancun trie.py.

Two properties matter for a fault proof: the root after any sequence of writes is exactly the
spec's (a single differing node flips a verdict), and a trie that starts from a bare root
fetches every node it needs through the oracle by hash, names the node's path in its hint (hosts
that look nodes up by path depend on it), and ends with exit 2 -- never a root -- when a node
is missing or wrong. The guest side is the stdin-driven test main guest/evm/tests/test_trie.c.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Sequence

import pytest
from ethereum.forks.cancun import trie as spec_trie
from ethereum_rlp import rlp as spec_rlp
from ethereum_types.bytes import Bytes
from evm_trie_nodes import RecordingHost, StoredTrie, check_node_requests, spec_root
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof import guests
from faultproof.crypto import keccak256
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.native import run_native
from faultproof.preimage.store import BootInfo, MemoryStore
from faultproof.vm import get_isa

Op = tuple[str, bytes, bytes]  # ("put" | "del", key, value)
SCRIPT_IDENT = 0x5C
"""The local input test_trie.c reads its commands from when stdin is empty (in a VM)."""


@pytest.fixture(scope="module")
def elf() -> str:
    try:
        return str(guests.guest_test_elf("evm", "test_trie"))
    except guests.GuestBuildError as exc:
        pytest.skip(f"the evm test_trie main cannot be built here: {exc}")


# ---- the reference ------------------------------------------------------------------------


def apply(mapping: dict[bytes, bytes], op: Op) -> None:
    kind, key, value = op
    if kind == "put" and value:
        mapping[key] = value
    else:
        mapping.pop(key, None)


def store_of(stored: StoredTrie) -> MemoryStore:
    return stored.put_into(MemoryStore())


# ---- driving the guest ----------------------------------------------------------------------


def hexarg(data: bytes) -> str:
    return data.hex() if data else "-"


def script(ops: Iterable[Op], *, root_every: int = 1) -> list[str]:
    lines = []
    for i, (kind, key, value) in enumerate(ops, 1):
        if kind == "put":
            lines.append(f"put {hexarg(key)} {hexarg(value)}")
        else:
            lines.append(f"del {hexarg(key)}")
        if i % root_every == 0:
            lines.append("root")
    return lines


def run(elf: str, lines: Sequence[str], host: LocalHost | None = None) -> tuple[int, list[str]]:
    code, out = run_native(
        [elf],
        host if host is not None else LocalHost(MemoryStore()),
        stdin=("\n".join(lines) + "\n").encode(),
        timeout=120,
        raise_host_errors=False,
    )
    return code, out.decode().splitlines()


def expected_roots(
    start: dict[bytes, bytes], ops: Sequence[Op], *, root_every: int = 1
) -> list[str]:
    mapping = dict(start)
    roots = []
    for i, op in enumerate(ops, 1):
        apply(mapping, op)
        if i % root_every == 0:
            roots.append("root " + spec_root(mapping).hex())
    return roots


# ---- strategies -----------------------------------------------------------------------------

PREFIXES = [b"", b"\x01", b"\x01\x23", b"\x10", b"\xab\xcd\xef", bytes(31)]


@st.composite
def keys(draw: st.DrawFn) -> bytes:
    """Short raw keys (prefixes of each other, derivable-list style) and 32-byte keys sharing
    long prefixes (branches deep down, extensions, inline and hashed nodes)."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=3).map(lambda b: bytes(x & 0x13 for x in b)))
    prefix = draw(st.sampled_from(PREFIXES))
    rest = draw(st.binary(min_size=32 - len(prefix), max_size=32 - len(prefix)))
    return prefix + bytes(x & 0x31 for x in rest[:2]) + rest[2:]


values = st.one_of(st.binary(min_size=1, max_size=3), st.binary(min_size=1, max_size=90))
ops_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("put"), keys(), values),
        st.tuples(st.just("del"), keys(), st.just(b"")),
        st.tuples(st.just("put"), keys(), st.just(b"")),  # an empty value deletes
    ),
    max_size=40,
)


# ---- differential: in-memory trie ----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(ops=ops_strategy)
def test_root_after_every_write_matches_the_spec(elf: str, ops: list[Op]) -> None:
    code, out = run(elf, script(ops))
    assert code == 0, out
    assert out == expected_roots({}, ops)


def test_thousands_of_random_writes_match_the_spec(elf: str) -> None:
    rng = random.Random(7)
    pool = [rng.randbytes(32) for _ in range(300)] + [
        rng.randbytes(rng.randint(0, 4)) for _ in range(60)
    ]
    ops: list[Op] = []
    for _ in range(4000):
        key = rng.choice(pool)
        if rng.random() < 0.3:
            ops.append(("del", key, b""))
        else:
            ops.append(("put", key, rng.randbytes(rng.choice([1, 2, 20, 40, 100]))))
    code, out = run(elf, script(ops, root_every=50))
    assert code == 0, out[-3:]
    assert out == expected_roots({}, ops, root_every=50)


def test_get_returns_what_was_put_and_none_after_delete(elf: str) -> None:
    lines = [
        "put 0102 aa",
        "put 01 bb",
        "put 010203 " + "cc" * 40,
        "get 01",
        "get 0102",
        "get 010203",
        "get 0103",
        "get -",
        "del 01",
        "get 01",
        "get 0102",
    ]
    code, out = run(elf, lines)
    assert code == 0
    assert out == ["value bb", "value aa", "value " + "cc" * 40, "none", "none", "none", "value aa"]


# ---- lazy loading through the oracle --------------------------------------------------------


def random_mapping(rng: random.Random, n: int) -> dict[bytes, bytes]:
    out = {}
    for _ in range(n):
        out[rng.randbytes(32)] = rng.randbytes(rng.choice([1, 5, 40, 70]))
    return out


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), ops=ops_strategy)
def test_lazy_trie_from_a_root_matches_the_spec(elf: str, seed: int, ops: list[Op]) -> None:
    rng = random.Random(seed)
    start = random_mapping(rng, rng.randint(0, 40))
    for key in rng.sample(sorted(start), min(5, len(start))):  # writes and deletes on old keys
        ops.append(("del", key, b"") if rng.random() < 0.6 else ("put", key, b"\x01"))
    rng.shuffle(ops)
    stored = StoredTrie(start)
    host = RecordingHost(store_of(stored))
    gets = [k for k in list(start)[:3]]
    lines = [f"open {stored.root.hex()}", "root"]
    lines += [f"get {k.hex()}" for k in gets]
    lines += script(ops)
    code, out = run(elf, lines, host)
    assert code == 0, out
    assert out[0] == "root " + stored.root.hex()
    assert out[1 : 1 + len(gets)] == [f"value {start[k].hex()}" for k in gets]
    assert out[1 + len(gets) :] == expected_roots(start, ops)
    check_node_requests(host, [stored])


def two_hashed_children() -> dict[bytes, bytes]:
    """A root branch whose children under nibbles 1 and 2 are subtrees referenced by hash."""
    long = b"\x77" * 60
    return {
        bytes.fromhex("10" + "00" * 31): long,
        bytes.fromhex("11" + "00" * 31): long,
        bytes.fromhex("20" + "00" * 31): long,
        bytes.fromhex("21" + "00" * 31): long,
    }


def test_delete_collapsing_onto_a_hashed_sibling_fetches_it_by_path(elf: str) -> None:
    start = two_hashed_children()
    stored = StoredTrie(start)
    host = RecordingHost(store_of(stored))
    gone = [bytes.fromhex("10" + "00" * 31), bytes.fromhex("11" + "00" * 31)]
    code, out = run(
        elf, [f"open {stored.root.hex()}", *(f"del {k.hex()}" for k in gone), "root"], host
    )
    assert code == 0, out
    after = {k: v for k, v in start.items() if k not in gone}
    assert out == ["root " + spec_root(after).hex()]
    fetched = check_node_requests(host, [stored])
    sibling = [h for h, paths in stored.paths.items() if b"\x02" in paths]
    assert len(sibling) == 1 and sibling[0] in fetched  # the untouched subtree under nibble 2


def test_reading_a_key_fetches_only_the_nodes_on_its_path(elf: str) -> None:
    rng = random.Random(3)
    start = random_mapping(rng, 200)
    stored = StoredTrie(start)
    host = RecordingHost(store_of(stored))
    key = sorted(start)[17]
    code, out = run(elf, [f"open {stored.root.hex()}", f"get {key.hex()}", "root"], host)
    assert code == 0 and out == [f"value {start[key].hex()}", "root " + stored.root.hex()]
    fetched = check_node_requests(host, [stored])
    nibbles = bytes(spec_trie.bytes_to_nibble_list(Bytes(key)))
    assert fetched and all(any(nibbles.startswith(p) for p in stored.paths[h]) for h in fetched)


def test_missing_node_is_exit_2_and_never_a_root(elf: str) -> None:
    start = two_hashed_children()
    stored = StoredTrie(start)
    store = MemoryStore()
    sibling = next(h for h, paths in stored.paths.items() if b"\x02" in paths)
    for digest, encoded in stored.nodes.items():
        if digest != sibling:
            store.put_keccak256(encoded)
    gone = [bytes.fromhex("10" + "00" * 31), bytes.fromhex("11" + "00" * 31)]
    code, out = run(
        elf,
        [f"open {stored.root.hex()}", *(f"del {k.hex()}" for k in gone), "root"],
        RecordingHost(store),
    )
    assert code == 2
    assert not any(line.startswith("root") for line in out), out


def test_a_node_that_does_not_match_its_hash_is_exit_2(elf: str) -> None:
    stored = StoredTrie(two_hashed_children())
    code, out = run(
        elf,
        [f"open {stored.root.hex()}", "get " + "20" + "00" * 31, "root"],
        RecordingHost(store_of(stored), corrupt=keccak256_key(digest=stored.root)),
    )
    assert code == 2
    assert not any(line.startswith(("root", "value")) for line in out), out


def test_unchanged_subtrees_are_not_hashed_again(elf: str) -> None:
    rng = random.Random(5)
    start = random_mapping(rng, 300)
    stored = StoredTrie(start)
    key = sorted(start)[100]
    lines = [
        f"open {stored.root.hex()}",
        f"put {key.hex()} 05",
        "root",
        "stats",
        f"put {key.hex()} 06",
        "root",
        "stats",
    ]
    code, out = run(elf, lines, RecordingHost(store_of(stored)))
    assert code == 0, out
    first, second = (int(line.split()[4]) for line in out if line.startswith("stats"))
    depth = len(check_nodes_on_path(stored, key))
    assert first <= depth and second - first <= depth, (first, second, depth)


def check_nodes_on_path(stored: StoredTrie, key: bytes) -> list[bytes]:
    nibbles = bytes(spec_trie.bytes_to_nibble_list(Bytes(key)))
    return [h for h, paths in stored.paths.items() if any(nibbles.startswith(p) for p in paths)]


@pytest.mark.parametrize("target", ["mips32", "riscv64"])
def test_same_roots_inside_the_vms(target: str) -> None:
    """Big-endian 32-bit MIPS and RV64 give the spec's roots too (the script is a local input:
    VMs have no stdin), including lazy loading through the VM's oracle syscalls."""
    try:
        elf = guests.guest_test_elf("evm", "test_trie", target)
    except guests.GuestBuildError as exc:
        pytest.skip(f"cannot build test_trie for {target}: {exc}")
    rng = random.Random(21)
    start = random_mapping(rng, 60)
    stored = StoredTrie(start)
    pool = [*start, *(rng.randbytes(32) for _ in range(40)), b"", b"\x01", b"\x01\x02"]
    ops: list[Op] = []
    for _ in range(600):
        key = rng.choice(pool)
        kind = "del" if rng.random() < 0.35 else "put"
        ops.append((kind, key, rng.randbytes(rng.choice([1, 30, 70])) if kind == "put" else b""))
    lines = [f"open {stored.root.hex()}", *script(ops, root_every=25)]
    host = RecordingHost(store_of(stored))
    host.boot_info = BootInfo({SCRIPT_IDENT: ("\n".join(lines) + "\n").encode()})
    out = io.BytesIO()
    vm = get_isa(target).load_elf(str(elf), host=host, stdout=out, stderr=io.BytesIO())
    vm.run(max_steps=400_000_000)
    assert vm.exited and vm.exit_code == 0, out.getvalue()[-200:]
    assert out.getvalue().decode().splitlines() == expected_roots(start, ops, root_every=25)
    check_node_requests(host, [stored])


MALFORMED = {
    "three items": spec_rlp.encode([b"a", b"b", b"c"]),
    "empty hex prefix": spec_rlp.encode([b"", b"x"]),
    "extension without a path": spec_rlp.encode([b"\x00", Bytes(b"\x11" * 32)]),
    "unknown hex-prefix flag": spec_rlp.encode([b"\x40", b"x"]),
    "even flag with a nibble": spec_rlp.encode([b"\x21\x23", b"x"]),
    "embedded node of 32+ bytes": spec_rlp.encode([[b"\x20", b"y" * 40], *([b""] * 16)]),
    "child neither hash nor node": spec_rlp.encode([b"12345", *([b""] * 16)]),
    "branch value that is a list": spec_rlp.encode([*([b""] * 16), [b"x"]]),
    "not a list": spec_rlp.encode(b"hello"),
    "not RLP": b"\xff\x00",
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_node_is_exit_2_or_the_callers_verdict(elf: str, name: str) -> None:
    node = MALFORMED[name]
    store = MemoryStore()
    store.put_keccak256(node)
    lines = [f"open {keccak256(node).hex()}", "get 00", "root"]
    code, out = run(elf, lines, RecordingHost(store))
    assert code == 2 and len(out) == 1 and out[0].startswith("evm: "), out
    code, out = run(elf, ["onmalformed", *lines], RecordingHost(store))
    assert (code, out) == (1, ["malformed trie: malformed node"])
