"""The paged Merkle memory against a slow, obviously-correct sparse Merkle tree."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba.core.errors import TypingError

from faultproof.crypto import keccak256
from faultproof.vm.keccak import bytes_to_lanes, hash_pair, lanes_to_bytes
from faultproof.vm.keccak_batch import BATCH, STATE_LANES, keccak_batch
from faultproof.vm.memory import (
    EV_PROOF,
    EV_WRITE,
    PAGE_GROUP,
    AccessLog,
    Memory,
    log_proof,
    root_from_proof,
    verify_proof,
    write_bytes_in_leaf,
    zero_hash,
)

# Spec facts: cannon-mips32.md §2.1 (Z values) and asterisc-riscv64.md §3.1.
Z1 = "ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"
Z7 = "ffd70157e48063fc33c97a050f7f640233bf646cc98d9524c6b92bcf3ab56f83"
Z27 = "838c5655cb21c6cb83313b5a631175dff4963772cce9108188b34ac87c81c41e"
Z59 = "14af5385bcbb1e4738bbae8106046e6e2fca42875aa5c000c582587742bcc748"


def reference_root(mem: Memory) -> bytes:
    """Fold the tree level by level with Python keccak, from the raw pages."""
    level: dict[int, bytes] = {}
    for page_index, data in mem.iter_pages():
        for j in range(128):
            level[(page_index << 7) + j] = data[32 * j : 32 * j + 32]
    for h in range(mem.tree_depth):
        z = zero_hash(h)
        level = {
            k: keccak256(level.get(2 * k, z) + level.get(2 * k + 1, z))
            for k in {i >> 1 for i in level}
        }
    return level.get(0, zero_hash(mem.tree_depth))


def test_zero_hashes_match_spec() -> None:
    assert zero_hash(1).hex() == Z1
    assert zero_hash(7).hex() == Z7
    assert zero_hash(27).hex() == Z27
    assert zero_hash(59).hex() == Z59


def test_keccak_pair_matches_reference() -> None:
    rnd = random.Random(7)
    out = np.zeros(4, np.uint64)
    st_ = np.zeros(25, np.uint64)
    for _ in range(50):
        left, right = rnd.randbytes(32), rnd.randbytes(32)
        hash_pair(bytes_to_lanes(left), bytes_to_lanes(right), out, st_)
        assert lanes_to_bytes(out) == keccak256(left + right)


@pytest.mark.parametrize("bits", [32, 64])
def test_empty_memory_root_is_zero_hash(bits: int) -> None:
    mem = Memory(bits)
    assert mem.merkle_root() == zero_hash(bits - 5)
    proof = mem.merkle_proof(0x1234)
    assert len(proof) == mem.proof_size == (bits - 4) * 32
    assert verify_proof(mem.merkle_root(), 0x1234, proof, bits - 5)


@pytest.mark.parametrize("bits", [32, 64])
def test_all_zero_page_hashes_like_absent_page(bits: int) -> None:
    mem = Memory(bits)
    mem.write(0x5000, bytes(100))
    assert mem.page_count == 1
    assert mem.merkle_root() == zero_hash(bits - 5)


@settings(max_examples=40, deadline=None)
@given(
    bits=st.sampled_from([32, 64]),
    writes=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=(1 << 32) - 64), st.binary(min_size=1, max_size=48)
        ),
        min_size=1,
        max_size=12,
    ),
    high=st.booleans(),
)
def test_root_and_proofs_match_reference(
    bits: int, writes: list[tuple[int, bytes]], high: bool
) -> None:
    mem = Memory(bits)
    for addr, data in writes:
        if high and bits == 64:
            addr |= 0xFFFF_0000_0000_0000 & ~((1 << 12) - 1) if addr & 1 else 0
        mem.write(addr, data)
    root = mem.merkle_root()
    assert root == reference_root(mem)
    for addr, _ in writes:
        proof = mem.merkle_proof(addr)
        assert verify_proof(root, addr, proof, bits - 5)
        assert proof[:32] == mem.read(addr & ~31, 32)


@pytest.mark.parametrize("bits", [32, 64])
def test_read_back_and_unwritten_reads_zero(bits: int) -> None:
    mem = Memory(bits)
    mem.write(0xFFE, b"\x01\x02\x03\x04\x05")  # crosses a page boundary
    assert mem.read(0xFFE, 5) == b"\x01\x02\x03\x04\x05"
    assert mem.read(0x10_0000, 8) == bytes(8)
    assert mem.page_count == 2


def test_write_outside_address_space_is_rejected() -> None:
    with pytest.raises(ValueError, match="outside the 32-bit space"):
        Memory(32).write(0xFFFF_FFFE, b"abcd")


def test_growth_keeps_contents_and_root() -> None:
    mem = Memory(32, capacity=8)
    rnd = random.Random(3)
    data = {}
    for _ in range(300):
        addr = rnd.randrange(0, 1 << 32) & ~0xFFF
        data[addr] = rnd.randbytes(16)
        mem.write(addr, data[addr])
    for addr, d in data.items():
        assert mem.read(addr, 16) == d
    assert mem.merkle_root() == reference_root(mem)


def test_root_updates_incrementally_after_write() -> None:
    mem = Memory(32)
    mem.write(0x1000, b"a" * 64)
    r1 = mem.merkle_root()
    proof = mem.merkle_proof(0x1020)
    mem.write(0x1020, b"b")
    new_leaf = mem.read(0x1020, 32)
    assert mem.merkle_root() == root_from_proof(new_leaf, 0x1020, proof, 27)
    assert mem.merkle_root() != r1


def test_replay_proofs_takes_each_proof_at_its_moment() -> None:
    """A proof after a write in the same step is against the root after that write (Asterisc §3.3)."""
    mem = Memory(64)
    mem.write(0x2000, bytes(range(64)))
    pre_root = mem.merkle_root()
    log = AccessLog.create(enabled=True)
    la = log.arrays()
    log_proof(la[0], la[1], la[2], np.uint64(0x201C))
    mem.ensure_headroom()
    write_bytes_in_leaf(mem.arrays, la, np.uint64(0x201C), np.uint64(0xAABBCCDD), 4, False)
    log_proof(la[0], la[1], la[2], np.uint64(0x2020))
    write_bytes_in_leaf(mem.arrays, la, np.uint64(0x2020), np.uint64(0x11), 1, False)
    mem.invalidate()
    post_root = mem.merkle_root()
    assert [e[0] for e in log.events()] == [EV_PROOF, EV_WRITE, EV_PROOF, EV_WRITE]

    proofs = mem.replay_proofs(log)
    assert mem.merkle_root() == post_root
    assert verify_proof(pre_root, 0x201C, proofs[0], 59)
    mid_root = root_from_proof(mem.read(0x2000, 32), 0x201C, proofs[0], 59)
    assert verify_proof(mid_root, 0x2020, proofs[1], 59)
    assert root_from_proof(mem.read(0x2020, 32), 0x2020, proofs[1], 59) == post_root


# -- the batched Merkle path (vectorized keccak, page groups, incremental upper tree) ---------------


def test_keccak_batch_matches_reference_in_every_column() -> None:
    rnd = random.Random(11)
    # Garbage everywhere first: lanes past the message and the scratch half are never read as input.
    st_ = np.frombuffer(rnd.randbytes(8 * STATE_LANES), dtype="<u8").astype(np.uint64)
    messages = [rnd.randbytes(64) for _ in range(BATCH)]
    for k, msg in enumerate(messages):
        st_[np.arange(8) * BATCH + k] = np.frombuffer(msg, dtype="<u8")
    keccak_batch(st_)
    for k, msg in enumerate(messages):
        assert lanes_to_bytes(st_[np.arange(4) * BATCH + k]) == keccak256(msg)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(min_size=64, max_size=64), min_size=BATCH, max_size=BATCH))
def test_keccak_batch_agrees_with_scalar_keccak(messages: list[bytes]) -> None:
    st_ = np.zeros(STATE_LANES, dtype=np.uint64)
    for k, msg in enumerate(messages):
        st_[np.arange(8) * BATCH + k] = np.frombuffer(msg, dtype="<u8")
    keccak_batch(st_)
    out = np.zeros(4, dtype=np.uint64)
    for k, msg in enumerate(messages):
        left, right = bytes_to_lanes(msg[:32]), bytes_to_lanes(msg[32:])
        hash_pair(left, right, out, np.zeros(25, dtype=np.uint64))
        assert np.array_equal(st_[np.arange(4) * BATCH + k], out)


def _sparse_page(rnd: random.Random) -> bytes:
    """A page mixing zero and non-zero leaves, so zero pairs and hashed pairs share batches."""
    out = bytearray(4096)
    for leaf in rnd.sample(range(128), rnd.randrange(0, 129)):
        out[32 * leaf : 32 * leaf + 32] = rnd.randbytes(32)
    return bytes(out)


@pytest.mark.parametrize("bits", [32, 64])
def test_many_pages_across_groups_match_reference(bits: int) -> None:
    """More dirty pages than one parallel group holds, with partial batches at every level."""
    rnd = random.Random(bits)
    mem = Memory(bits)
    top = (1 << (bits - 12)) - 1
    for _ in range(PAGE_GROUP * 3 + 5):
        mem.set_page(rnd.randrange(0, top), _sparse_page(rnd))
    assert mem.merkle_root() == reference_root(mem)


@settings(max_examples=15, deadline=None)
@given(
    bits=st.sampled_from([32, 64]),
    seed=st.integers(min_value=0, max_value=2**32),
    rounds=st.lists(
        st.tuples(st.integers(min_value=1, max_value=3), st.booleans()), min_size=1, max_size=4
    ),
)
def test_root_after_each_round_of_writes_matches_reference(
    bits: int, seed: int, rounds: list[tuple[int, bool]]
) -> None:
    """Roots taken between rounds of writes: rounds that only touch existing pages update the
    cached upper tree along the dirty paths; rounds that add pages rebuild it. Both must agree
    with a from-scratch fold, and proofs must verify against the new root."""
    rnd = random.Random(seed)
    mem = Memory(bits)
    pages = [rnd.randrange(0, 1 << 20) << (bits - 32) for _ in range(24)]
    for p in pages:
        mem.set_page(p, _sparse_page(rnd))
    assert mem.merkle_root() == reference_root(mem)
    for count, new_pages in rounds:
        touched = []
        for _ in range(count):
            page = rnd.randrange(0, 1 << 20) if new_pages else rnd.choice(pages)
            addr = (page << 12) + rnd.randrange(0, 4096 - 40)
            mem.write(addr, rnd.choice([bytes(40), rnd.randbytes(rnd.randrange(1, 40))]))
            touched.append(addr)
        root = mem.merkle_root()
        assert root == reference_root(mem)
        for addr in touched:
            assert verify_proof(root, addr, mem.merkle_proof(addr), bits - 5)


def test_small_change_updates_the_cached_tree_in_place() -> None:
    """A few dirty pages among many: only their paths are rehashed, the level arrays are kept."""
    rnd = random.Random(5)
    mem = Memory(32)
    for _ in range(64):
        mem.set_page(rnd.randrange(0, 1 << 20), _sparse_page(rnd))
    mem.merkle_root()
    assert not mem.dirty[: mem.page_count].any()
    tree = mem._tree
    page, _ = next(mem.iter_pages())
    mem.write((page << 12) + 100, b"new bytes")
    mem.invalidate()
    assert mem.merkle_root() == reference_root(mem)
    assert mem._tree is tree
    assert not mem.dirty[: mem.page_count].any()
    mem.write(0xFFFF_F000, b"a new page")
    assert mem.merkle_root() == reference_root(mem)
    assert mem._tree is not tree


def test_copy_keeps_its_own_tree() -> None:
    mem = Memory(32)
    for i in range(20):
        mem.set_page(3 * i, bytes([i + 1]) * 4096)
    root = mem.merkle_root()
    other = mem.copy()
    other.write(0x3000, b"changed")
    assert mem.merkle_root() == root
    assert other.merkle_root() == reference_root(other) != root
    mem.write(0x6000, b"also changed")
    assert mem.merkle_root() == reference_root(mem)
    assert other.merkle_root() == reference_root(other)


def test_keccak_batch_refuses_a_work_array_it_would_overrun() -> None:
    # The kernel is called through a raw pointer, so the length check is all that stands between
    # a short array and memory past its end.
    with pytest.raises(ValueError, match="STATE_LANES"):
        keccak_batch(np.zeros(STATE_LANES - 1, dtype=np.uint64))


def test_keccak_batch_refuses_a_strided_work_array() -> None:
    # A view with a stride would be read as if contiguous: rejected when numba types the call.
    with pytest.raises(TypingError):
        keccak_batch(np.zeros(2 * STATE_LANES, dtype=np.uint64)[::2])
