"""The paged Merkle memory against a slow, obviously-correct sparse Merkle tree."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.vm.keccak import bytes_to_lanes, hash_pair, lanes_to_bytes
from faultproof.vm.memory import (
    EV_PROOF,
    EV_WRITE,
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
