"""Paged, Merkle-ized memory shared by every ISA.

The address space (2^32 or 2^64 bytes) is committed to by a binary Merkle tree whose leaves are 32 raw
bytes of memory (Cannon and Asterisc agree on this): a 32-bit space has 2^27 leaves and 27 levels,
a 64-bit space 2^59 leaves and 59 levels. An inner node is ``keccak256(left || right)`` and an
all-zero subtree of height h hashes to ``Z[h]``.

Storage is sparse in 4 KiB pages (128 leaves, a height-7 subtree). The hot loops of the executors
are numba functions, so the page store is a handful of numpy arrays bundled in a tuple (``arrays``):

* ``pages``   uint8[capacity, 4096]: page contents, one row per allocated slot.
* ``tkeys``   int64[T]: open-addressing hash table of page index -> slot (-1 = empty), T a power of 2.
* ``tvals``   int64[T]: the slot for each key.
* ``meta``    int64[4]: [number of slots in use, capacity, table entries, unused].
* ``dirty``   uint8[capacity]: 1 when the page changed since its subtree root was last computed.
* ``index``   int64[capacity]: page index held by each slot.

Executors read with :func:`lookup_slot` (a missing page reads as zeros) and write through
:func:`slot_for_write`, which allocates a page in place while there is room; a loop checks
:func:`has_headroom` before each instruction and hands control back to Python to grow the arrays.

Witnesses. A proof is always taken against the memory as it is at that moment of the step (Asterisc
proves the second leaf of a straddling store against the root after the first write). Executors in
proof mode append events to an :class:`AccessLog`: ``PROOF(leaf address)`` where the ISA wants a
proof, and ``WRITE(leaf address, old leaf, new leaf)`` for every leaf write. After the step
:meth:`Memory.replay_proofs` undoes the writes, then replays the events in order, producing each
proof from the memory as it stood. The same numba code runs with and without the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit, prange

from faultproof.vm.keccak import hash_pair, keccak_pair, lanes_to_bytes
from faultproof.vm.keccak_batch import BATCH, kernel_address, new_batch, run_kernel

PAGE_ADDR_BITS = 12
PAGE_SIZE = 1 << PAGE_ADDR_BITS
PAGE_MASK = PAGE_SIZE - 1
LEAF_SIZE = 32
PAGE_TREE_HEIGHT = PAGE_ADDR_BITS - 5  # 7 levels inside a page: 128 leaves
HEADROOM_PAGES = 4  # one instruction never touches more new pages than this

NO_NRT: dict[str, Any] = {"_nrt": False}
"""numba flag for kernels that never allocate: no reference counting on array arguments.

It matters for the VM loops, which pass page arrays around on every instruction: with NRT on
(this flag emptied, 2026-11-23, `bench/vm_speed.py --only speed`) mips32 ran 52.6 instead of 58.4 M
steps/s and riscv64 3.4 instead of 68.4 M. The batch keccak is the exception: there the flag
stopped LLVM from vectorizing it (180 against 131 ns per hash, `bench/README.md`)."""

MemArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]

# Access-log event kinds.
EV_PROOF = 1
EV_WRITE = 2
LOG_CAPACITY = 64


def _zero_hashes(levels: int) -> np.ndarray:
    """Z[0..levels] as uint64[levels+1, 4] lanes: the root of an all-zero subtree of each height."""
    z = np.zeros((levels + 1, 4), dtype=np.uint64)
    st = np.zeros(25, dtype=np.uint64)
    for h in range(1, levels + 1):
        hash_pair(z[h - 1], z[h - 1], z[h], st)
    return z


ZERO_HASHES = _zero_hashes(64)


def zero_hash(height: int) -> bytes:
    """Root of an all-zero subtree of the given height (Z[h] in the specs)."""
    return lanes_to_bytes(ZERO_HASHES[height])


# --------------------------------------------------------------------------------------------------
# numba primitives used by executors
#
# `_nrt=False`: these never allocate, and without it every call from an executor loop costs atomic
# reference-count updates on each array argument (measured ~40-120 ns per call), which also stops
# LLVM from inlining them.
# --------------------------------------------------------------------------------------------------


@njit(cache=True, **NO_NRT)
def _table_pos(key: np.int64, mask: np.int64) -> np.int64:
    h = np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
    return np.int64(h >> np.uint64(20)) & mask


@njit(cache=True, **NO_NRT)
def lookup_slot(tkeys: np.ndarray, tvals: np.ndarray, page_index: np.int64) -> np.int64:
    """Slot that holds ``page_index``, or -1 if the page was never written (it reads as zeros)."""
    mask = np.int64(tkeys.shape[0] - 1)
    pos = _table_pos(page_index, mask)
    while True:
        k = tkeys[pos]
        if k == page_index:
            return tvals[pos]
        if k == -1:
            return np.int64(-1)
        pos = (pos + 1) & mask


@njit(cache=True, **NO_NRT)
def has_headroom(meta: np.ndarray, tkeys: np.ndarray) -> bool:
    """True when the next instruction can allocate every page it may touch without a resize."""
    # `&`, not `and`: numba compiles a value-producing `and` into a slow generic path (~30 ns/call)
    return (meta[0] + 4 <= meta[1]) & ((meta[2] + 4) * 2 <= tkeys.shape[0])


@njit(cache=True, **NO_NRT)
def slot_for_write(
    pages: np.ndarray,
    tkeys: np.ndarray,
    tvals: np.ndarray,
    meta: np.ndarray,
    dirty: np.ndarray,
    index: np.ndarray,
    page_index: np.int64,
) -> np.int64:
    """Slot of ``page_index``, allocating a zero page if needed, and mark it dirty.

    Callers guarantee headroom (see :func:`has_headroom`), so allocation never fails here.
    """
    mask = np.int64(tkeys.shape[0] - 1)
    pos = _table_pos(page_index, mask)
    while True:
        k = tkeys[pos]
        if k == page_index:
            slot = tvals[pos]
            dirty[slot] = 1
            return slot
        if k == -1:
            break
        pos = (pos + 1) & mask
    slot = meta[0]
    meta[0] += 1
    meta[2] += 1
    tkeys[pos] = page_index
    tvals[pos] = slot
    index[slot] = page_index
    for i in range(PAGE_SIZE):
        pages[slot, i] = 0
    dirty[slot] = 1
    return slot


@njit(cache=True, **NO_NRT)
def read_byte(
    pages: np.ndarray, tkeys: np.ndarray, tvals: np.ndarray, addr: np.uint64
) -> np.uint64:
    """One byte of memory (missing pages read as zero)."""
    slot = lookup_slot(tkeys, tvals, np.int64(addr >> np.uint64(PAGE_ADDR_BITS)))
    if slot < 0:
        return np.uint64(0)
    return np.uint64(pages[slot, np.int64(addr & np.uint64(PAGE_MASK))])


@njit(cache=True, **NO_NRT)
def read_leaf(
    pages: np.ndarray, tkeys: np.ndarray, tvals: np.ndarray, leaf_addr: np.uint64, out: np.ndarray
) -> None:
    """Copy the 32-byte leaf starting at ``leaf_addr`` (32-aligned) into ``out`` (uint8[32])."""
    slot = lookup_slot(tkeys, tvals, np.int64(leaf_addr >> np.uint64(PAGE_ADDR_BITS)))
    if slot < 0:
        out[:] = 0
        return
    off = np.int64(leaf_addr & np.uint64(PAGE_MASK))
    for i in range(32):
        out[i] = pages[slot, off + i]


@njit(cache=True, **NO_NRT)
def log_proof(
    log_meta: np.ndarray, log_kind: np.ndarray, log_addr: np.ndarray, addr: np.uint64
) -> None:
    """Record that the ISA wants a memory proof of the leaf holding ``addr`` at this point."""
    if log_meta[1] == 0:
        return
    n = log_meta[0]
    log_kind[n] = EV_PROOF
    log_addr[n] = np.int64(addr & ~np.uint64(31))
    log_meta[0] = n + 1


@njit(cache=True, **NO_NRT)
def write_byte(
    mem: MemArrays,
    log: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    addr: np.uint64,
    value: np.uint64,
) -> None:
    """Store one byte, logging the leaf's old and new contents when the log is enabled."""
    pages, tkeys, tvals, meta, dirty, index = mem
    slot = slot_for_write(
        pages, tkeys, tvals, meta, dirty, index, np.int64(addr >> np.uint64(PAGE_ADDR_BITS))
    )
    off = np.int64(addr & np.uint64(PAGE_MASK))
    log_meta, log_kind, log_addr, log_old, log_new = log
    if log_meta[1] != 0:
        leaf_off = off & ~np.int64(31)
        n = log_meta[0]
        log_kind[n] = EV_WRITE
        log_addr[n] = np.int64(addr & ~np.uint64(31))
        for i in range(32):  # element loops: slice copies need the NRT (see above)
            log_old[n, i] = pages[slot, leaf_off + i]
        pages[slot, off] = np.uint8(value & np.uint64(0xFF))
        for i in range(32):
            log_new[n, i] = pages[slot, leaf_off + i]
        log_meta[0] = n + 1
    else:
        pages[slot, off] = np.uint8(value & np.uint64(0xFF))


@njit(cache=True, **NO_NRT)
def write_bytes_in_leaf(
    mem: MemArrays,
    log: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    addr: np.uint64,
    value: np.uint64,
    size: np.int64,
    big_endian: bool,
) -> None:
    """Store ``size`` (1..8) bytes of ``value`` that lie inside one leaf, as one logged leaf write."""
    pages, tkeys, tvals, meta, dirty, index = mem
    slot = slot_for_write(
        pages, tkeys, tvals, meta, dirty, index, np.int64(addr >> np.uint64(PAGE_ADDR_BITS))
    )
    off = np.int64(addr & np.uint64(PAGE_MASK))
    log_meta, log_kind, log_addr, log_old, log_new = log
    leaf_off = off & ~np.int64(31)
    logging = log_meta[1] != 0
    n = log_meta[0]
    if logging:
        for i in range(32):  # element loops: slice copies need the NRT (see above)
            log_old[n, i] = pages[slot, leaf_off + i]
    for i in range(size):
        shift = (size - 1 - i) * 8 if big_endian else i * 8
        pages[slot, off + i] = np.uint8((value >> np.uint64(shift)) & np.uint64(0xFF))
    if logging:
        log_kind[n] = EV_WRITE
        log_addr[n] = np.int64(addr & ~np.uint64(31))
        for i in range(32):
            log_new[n, i] = pages[slot, leaf_off + i]
        log_meta[0] = n + 1


@njit(cache=True, **NO_NRT)
def read_bytes_in_leaf(
    pages: np.ndarray,
    tkeys: np.ndarray,
    tvals: np.ndarray,
    addr: np.uint64,
    size: np.int64,
    big_endian: bool,
) -> np.uint64:
    """Load ``size`` (1..8) bytes that lie inside one page as an unsigned integer."""
    slot = lookup_slot(tkeys, tvals, np.int64(addr >> np.uint64(PAGE_ADDR_BITS)))
    if slot < 0:
        return np.uint64(0)
    off = np.int64(addr & np.uint64(PAGE_MASK))
    v = np.uint64(0)
    for i in range(size):
        b = np.uint64(pages[slot, off + i])
        if big_endian:
            v = (v << np.uint64(8)) | b
        else:
            v |= b << np.uint64(8 * i)
    return v


# --------------------------------------------------------------------------------------------------
# Merkle computation
# --------------------------------------------------------------------------------------------------


@njit(cache=True)
def _flush(kernel: int, st: np.ndarray, dst: np.ndarray, count: int, nodes: np.ndarray) -> None:
    """Hash the first ``count`` queued pairs and store each digest at row ``dst[k]`` of ``nodes``.

    Columns past ``count`` hold stale lanes from an earlier batch: hashed, never stored.
    """
    run_kernel(kernel, st)
    for k in range(count):
        r = dst[k]
        for q in range(4):
            nodes[r, q] = st[q * BATCH + k]


PAGE_GROUP = 16
"""Pages hashed together by one parallel task: the narrow top of a page tree (8, 4, 2, 1 pairs)
fills whole batches only when several pages share them."""
SERIAL_HASH_PAGES = 2 * PAGE_GROUP
"""Up to this many dirty pages are rehashed on the calling thread (see _hash_pages_serial)."""


@njit(cache=True, inline="always")
def _zero_pairs(lanes: np.ndarray, first: int, n: int, zero: np.ndarray, h: int) -> bool:
    """Are pairs first..first+n of ``lanes`` all (Z[h], Z[h])? Stops at the first other lane."""
    for p in range(first, first + n):
        for q in range(8):
            if lanes[8 * p + q] != zero[h, q & 3]:
                return False
    return True


@njit(cache=True)
def _hash_pairs(
    kernel: int,
    lanes: np.ndarray,
    pairs: int,
    zero: np.ndarray,
    h: int,
    st: np.ndarray,
    out: np.ndarray,
    row: int,
) -> None:
    """Node ``row + p`` of ``out`` = keccak256(pair p) for p < ``pairs``; nodes are 4 lanes, flat.

    Pair p is ``lanes[8p : 8p + 8]``: two height-h nodes side by side, or 64 bytes of a page for
    h = 0. Pairs go through :func:`keccak_batch` sixteen at a time; a block of sixteen that is all
    zero subtrees takes Z[h + 1] without hashing (fresh heap and stack pages are mostly zeros). A
    short last block hashes stale columns too and stores only its own.

    Fixed blocks replace a queue that skipped zero pairs one by one and flushed whenever it
    filled: less code and no per-pair branch, measured the same speed for dense memory; the price
    is coarser zero skipping (1 KiB instead of 64 bytes). ``kernel`` is
    :func:`~faultproof.vm.keccak_batch.kernel_address` (why a pointer: that module's docstring).
    """
    for first in range(0, pairs, BATCH):
        n = min(BATCH, pairs - first)
        if _zero_pairs(lanes, first, n, zero, h):
            for k in range(n):
                for q in range(4):
                    out[4 * (row + first + k) + q] = zero[h + 1, q]
            continue
        for k in range(n):
            for q in range(8):
                st[q * BATCH + k] = lanes[8 * (first + k) + q]
        run_kernel(kernel, st)
        for k in range(n):
            for q in range(4):
                out[4 * (row + first + k) + q] = st[q * BATCH + k]


@njit(cache=True)
def _hash_page_group(
    kernel: int,
    pages: np.ndarray,
    slots: np.ndarray,
    first: int,
    roots: np.ndarray,
    zero: np.ndarray,
) -> None:
    """roots[s] = root of page ``s``'s height-7 subtree, for slots[first : first + PAGE_GROUP].

    Level by level across the group. A level's nodes are stored page after page (node i of page g
    at node ``g * width + i``), so the pairs of all the group's pages form one run for
    :func:`_hash_pairs`, whose output is already laid out as the next level.
    """
    count = min(PAGE_GROUP, slots.shape[0] - first)
    odd = np.empty(PAGE_GROUP * 64 * 4, dtype=np.uint64)  # nodes of height 1, 3, 5, 7
    even = np.empty(PAGE_GROUP * 32 * 4, dtype=np.uint64)  # nodes of height 2, 4, 6
    st = new_batch()
    for g in range(count):  # leaves -> height 1
        _hash_pairs(kernel, pages[slots[first + g]].view(np.uint64), 64, zero, 0, st, odd, 64 * g)
    for h in range(1, PAGE_TREE_HEIGHT):  # height h -> h + 1
        pairs = count * (64 >> h)
        if h & 1:
            _hash_pairs(kernel, odd, pairs, zero, h, st, even, 0)
        else:
            _hash_pairs(kernel, even, pairs, zero, h, st, odd, 0)
    for g in range(count):  # the page roots: height 7, so in ``odd``
        s = slots[first + g]
        for q in range(4):
            roots[s, q] = odd[4 * g + q]


@njit(cache=True, parallel=True)
def _hash_pages(
    kernel: int, pages: np.ndarray, slots: np.ndarray, roots: np.ndarray, zero: np.ndarray
) -> None:
    """Rehash the pages ``slots`` on all cores, one group of pages per task."""
    for grp in prange((slots.shape[0] + PAGE_GROUP - 1) // PAGE_GROUP):
        _hash_page_group(kernel, pages, slots, grp * PAGE_GROUP, roots, zero)


@njit(cache=True)
def _hash_pages_serial(
    kernel: int, pages: np.ndarray, slots: np.ndarray, roots: np.ndarray, zero: np.ndarray
) -> None:
    """:func:`_hash_pages` on this thread: for a few pages, waking the thread pool costs more
    than the hashing (milliseconds on a busy machine, against ~0.03 ms per page)."""
    for first in range(0, slots.shape[0], PAGE_GROUP):
        _hash_page_group(kernel, pages, slots, first, roots, zero)


# The tree above the pages is sparse: level L (L = 0 is the page roots, height 7) is a sorted array of
# the node indices that have a non-zero-subtree below them, with their hashes. All levels live in two
# flat arrays, level L at rows offsets[L]:offsets[L+1], so numba code can walk them in one call.


@njit(cache=True)
def _level_sizes(page_idx: np.ndarray, levels: int) -> np.ndarray:
    """offsets[0..levels] of the flat level arrays for sorted, distinct page indices."""
    offsets = np.zeros(levels + 1, dtype=np.int64)
    cur = page_idx.copy()
    offsets[1] = cur.shape[0]
    for lvl in range(1, levels):
        m = 0
        for i in range(cur.shape[0]):
            parent = cur[i] >> 1
            if m == 0 or cur[m - 1] != parent:
                cur[m] = parent
                m += 1
        cur = cur[:m]
        offsets[lvl + 1] = offsets[lvl] + m
    return offsets


@njit(cache=True)
def _build_levels(
    kernel: int, page_idx: np.ndarray, page_hash: np.ndarray, offsets: np.ndarray, zero: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All sparse levels from the sorted page roots up to the root (batched hashing)."""
    levels = offsets.shape[0] - 1
    total = offsets[levels]
    idx = np.empty(total, dtype=np.int64)
    hashes = np.empty((total, 4), dtype=np.uint64)
    idx[: page_idx.shape[0]] = page_idx
    hashes[: page_idx.shape[0]] = page_hash
    st = new_batch()
    dst = np.empty(BATCH, dtype=np.int64)
    for lvl in range(levels - 1):
        h = PAGE_TREE_HEIGHT + lvl
        i = offsets[lvl]
        end = offsets[lvl + 1]
        m = offsets[lvl + 1]
        queued = 0
        while i < end:
            k = idx[i]
            if (k & 1) == 0 and i + 1 < end and idx[i + 1] == k + 1:
                left, right = i, i + 1
                i += 2
            elif (k & 1) == 0:
                left, right = i, -1
                i += 1
            else:
                left, right = -1, i
                i += 1
            for q in range(4):
                st[q * BATCH + queued] = zero[h, q] if left < 0 else hashes[left, q]
                st[(4 + q) * BATCH + queued] = zero[h, q] if right < 0 else hashes[right, q]
            idx[m] = k >> 1
            dst[queued] = m
            m += 1
            queued += 1
            if queued == BATCH:
                _flush(kernel, st, dst, queued, hashes)
                queued = 0
        if queued:
            _flush(kernel, st, dst, queued, hashes)
    return idx, hashes


@njit(cache=True)
def _find_in(idx: np.ndarray, lo: np.int64, hi: np.int64, key: np.int64) -> np.int64:
    """Row of ``key`` in the sorted rows idx[lo:hi], or -1 (never a row past ``hi``)."""
    end = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if idx[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < end and idx[lo] == key:
        return np.int64(lo)
    return np.int64(-1)


@njit(cache=True)
def _update_paths(
    idx: np.ndarray,
    hashes: np.ndarray,
    offsets: np.ndarray,
    rows: np.ndarray,
    page_roots: np.ndarray,
    slots: np.ndarray,
    zero: np.ndarray,
) -> None:
    """Refresh the level-0 rows of the rehashed pages ``slots`` (at ``rows``) and their ancestors.

    Only for an unchanged set of pages: every ancestor row already exists, so each level is a
    binary search per changed node plus one hash.
    """
    todo = np.sort(rows)
    for j in range(slots.shape[0]):
        r = rows[j]
        s = slots[j]
        hashes[r, 0], hashes[r, 1], hashes[r, 2], hashes[r, 3] = (
            page_roots[s, 0], page_roots[s, 1], page_roots[s, 2], page_roots[s, 3]
        )  # fmt: skip
    for lvl in range(offsets.shape[0] - 2):
        h = PAGE_TREE_HEIGHT + lvl
        lo, hi = offsets[lvl], offsets[lvl + 1]
        plo, phi = offsets[lvl + 1], offsets[lvl + 2]
        m = 0
        for j in range(todo.shape[0]):
            parent_key = idx[todo[j]] >> 1
            p = _find_in(idx, plo, phi, parent_key)
            if m > 0 and todo[m - 1] == p:
                continue  # sibling of the previous node: same parent
            left = _find_in(idx, lo, hi, parent_key << 1)
            right = _find_in(idx, lo, hi, (parent_key << 1) | 1)
            lz = zero[h] if left < 0 else hashes[left]
            rz = zero[h] if right < 0 else hashes[right]
            hashes[p, 0], hashes[p, 1], hashes[p, 2], hashes[p, 3] = keccak_pair(
                lz[0], lz[1], lz[2], lz[3], rz[0], rz[1], rz[2], rz[3]
            )
            todo[m] = p
            m += 1
        todo = todo[:m]


@njit(cache=True)
def _find(idx: np.ndarray, key: np.int64) -> np.int64:
    """Row of ``key`` in the sorted rows of ``idx``, or -1."""
    return _find_in(idx, np.int64(0), np.int64(idx.shape[0]), key)


@njit(cache=True)
def _page_nodes(page: np.ndarray, nodes: np.ndarray, st: np.ndarray) -> None:
    """All 255 nodes of a page subtree in heap order (1 = page root, 128..255 = leaves)."""
    lanes = page.view(np.uint64)
    for i in range(128):
        nodes[128 + i, :] = lanes[4 * i : 4 * i + 4]
    for i in range(127, 0, -1):
        hash_pair(nodes[2 * i], nodes[2 * i + 1], nodes[i], st)


ADDRESS_MASK_64 = (1 << 64) - 1


@dataclass
class AccessLog:
    """Numpy buffers for the PROOF/WRITE events of one step (see the module docstring)."""

    meta: np.ndarray  # [count, enabled]
    kind: np.ndarray
    addr: np.ndarray
    old: np.ndarray
    new: np.ndarray

    @classmethod
    def create(cls, enabled: bool = False) -> AccessLog:
        return cls(
            meta=np.array([0, 1 if enabled else 0], dtype=np.int64),
            kind=np.zeros(LOG_CAPACITY, dtype=np.int64),
            addr=np.zeros(LOG_CAPACITY, dtype=np.int64),
            old=np.zeros((LOG_CAPACITY, 32), dtype=np.uint8),
            new=np.zeros((LOG_CAPACITY, 32), dtype=np.uint8),
        )

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (self.meta, self.kind, self.addr, self.old, self.new)

    def start(self) -> None:
        self.meta[0] = 0
        self.meta[1] = 1

    def stop(self) -> None:
        self.meta[1] = 0

    def events(self) -> list[tuple[int, int, bytes, bytes]]:
        """The logged events; addresses come back unsigned (the buffer is int64, and a 64-bit
        guest may touch memory at or above 2^63)."""
        return [
            (
                int(self.kind[i]),
                int(self.addr[i]) & ADDRESS_MASK_64,
                self.old[i].tobytes(),
                self.new[i].tobytes(),
            )
            for i in range(int(self.meta[0]))
        ]


class Memory:
    """Sparse paged memory with a Merkle commitment, for a 32- or 64-bit address space."""

    def __init__(self, address_bits: int = 32, capacity: int = 64) -> None:
        if address_bits not in (32, 64):
            raise ValueError(f"address_bits must be 32 or 64, got {address_bits}")
        self.address_bits = address_bits
        self.tree_depth = address_bits - 5
        self.proof_size = (self.tree_depth + 1) * 32
        self._addr_mask = (1 << address_bits) - 1
        capacity = max(8, capacity)
        self.pages = np.zeros((capacity, PAGE_SIZE), dtype=np.uint8)
        self.tkeys = np.full(_pow2_at_least(capacity * 4), -1, dtype=np.int64)
        self.tvals = np.zeros(self.tkeys.shape[0], dtype=np.int64)
        self.meta = np.array([0, capacity, 0, 0], dtype=np.int64)
        self.dirty = np.zeros(capacity, dtype=np.uint8)
        self.index = np.zeros(capacity, dtype=np.int64)
        self.page_roots = np.zeros((capacity, 4), dtype=np.uint64)
        # The sparse upper tree as of the last refresh (see _build_levels): flat node indices and
        # hashes, level offsets, per-level views of both, the level-0 row of each slot, and how many
        # pages existed then. Dirty flags say what changed since; new pages force a full rebuild.
        self._tree: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._levels: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._rows = np.zeros(0, dtype=np.int64)
        self._tree_pages = 0

    # -- array plumbing -----------------------------------------------------------------------------

    @property
    def arrays(self) -> MemArrays:
        """The tuple executors pass into numba code (re-read it after :meth:`grow`)."""
        return (self.pages, self.tkeys, self.tvals, self.meta, self.dirty, self.index)

    @property
    def page_count(self) -> int:
        return int(self.meta[0])

    def grow(self) -> None:
        """Make room for at least :data:`HEADROOM_PAGES` more pages (called between instructions).

        Slots keep their numbers, so the cached tree stays valid.
        """
        used, cap = int(self.meta[0]), int(self.meta[1])
        if used + HEADROOM_PAGES > cap:
            new_cap = cap * 2
            self.pages = _resized(self.pages, new_cap)
            self.dirty = _resized(self.dirty, new_cap)
            self.index = _resized(self.index, new_cap)
            self.page_roots = _resized(self.page_roots, new_cap)
            self.meta[1] = new_cap
        if (int(self.meta[2]) + HEADROOM_PAGES) * 2 > self.tkeys.shape[0]:
            self._rehash(self.tkeys.shape[0] * 2)

    def _rehash(self, size: int) -> None:
        self.tkeys = np.full(size, -1, dtype=np.int64)
        self.tvals = np.zeros(size, dtype=np.int64)
        _rebuild_table(self.tkeys, self.tvals, self.index, self.meta[0])

    def ensure_headroom(self) -> None:
        if not has_headroom(self.meta, self.tkeys):
            self.grow()

    def invalidate(self) -> None:
        """Executors call this after they write. Nothing to do: every write goes through
        :func:`slot_for_write`, whose dirty flag is what the next root or proof looks at."""

    # -- byte access (Python side: ELF loading, syscalls, tests) ----------------------------------------

    def _check_range(self, addr: int, length: int) -> None:
        if addr < 0 or length < 0 or addr + length - 1 > self._addr_mask:
            raise ValueError(
                f"range 0x{addr:x}+{length} is outside the {self.address_bits}-bit space"
            )

    def read(self, addr: int, length: int) -> bytes:
        """Read bytes; memory that was never written reads as zeros."""
        self._check_range(addr, length)
        out = bytearray()
        while length > 0:
            off = addr & PAGE_MASK
            n = min(length, PAGE_SIZE - off)
            slot = int(lookup_slot(self.tkeys, self.tvals, np.int64(addr >> PAGE_ADDR_BITS)))
            out += bytes(n) if slot < 0 else self.pages[slot, off : off + n].tobytes()
            addr += n
            length -= n
        return bytes(out)

    def write(self, addr: int, data: bytes) -> None:
        """Write bytes, allocating pages as needed."""
        self._check_range(addr, len(data))
        pos = 0
        while pos < len(data):
            off = addr & PAGE_MASK
            n = min(len(data) - pos, PAGE_SIZE - off)
            self.ensure_headroom()
            slot = int(slot_for_write(*self.arrays, np.int64(addr >> PAGE_ADDR_BITS)))
            self.pages[slot, off : off + n] = np.frombuffer(
                data, dtype=np.uint8, count=n, offset=pos
            )
            addr += n
            pos += n

    def read_u32_be(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 4), "big")

    def write_u32_be(self, addr: int, value: int) -> None:
        self.write(addr, (value & 0xFFFFFFFF).to_bytes(4, "big"))

    def iter_pages(self) -> Iterator[tuple[int, bytes]]:
        """(page index, 4096 bytes) for every allocated page, sorted by index."""
        n = self.page_count
        order = np.argsort(self.index[:n], kind="stable")
        for slot in order:
            yield int(self.index[slot]), self.pages[slot].tobytes()

    def set_page(self, page_index: int, data: bytes) -> None:
        if len(data) != PAGE_SIZE:
            raise ValueError(f"a page is {PAGE_SIZE} bytes, got {len(data)}")
        self.write(page_index << PAGE_ADDR_BITS, data)

    def copy(self) -> Memory:
        other = Memory.__new__(Memory)
        other.__dict__.update(self.__dict__)
        for name in ("pages", "tkeys", "tvals", "meta", "dirty", "index", "page_roots", "_rows"):
            setattr(other, name, getattr(self, name).copy())
        if self._tree is not None:
            other._set_tree(*(a.copy() for a in self._tree))
        return other

    # -- Merkle ------------------------------------------------------------------------------------

    def _set_tree(self, idx: np.ndarray, hashes: np.ndarray, offsets: np.ndarray) -> None:
        self._tree = (idx, hashes, offsets)
        self._levels = [
            (idx[offsets[lvl] : offsets[lvl + 1]], hashes[offsets[lvl] : offsets[lvl + 1]])
            for lvl in range(offsets.shape[0] - 1)
        ]

    def _upper_levels(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Sparse tree levels from the pages up to the root, rehashing only dirty pages.

        Dirty pages are rehashed on all cores; if no page was added since the last call only their
        paths to the root are recomputed, otherwise the levels above the pages are rebuilt (about
        one hash per page).
        """
        n = self.page_count
        changed = np.flatnonzero(self.dirty[:n]).astype(np.int64)
        if self._levels is not None and changed.shape[0] == 0:
            return self._levels
        if changed.shape[0] > SERIAL_HASH_PAGES:
            _hash_pages(kernel_address(), self.pages, changed, self.page_roots, ZERO_HASHES)
        else:
            _hash_pages_serial(kernel_address(), self.pages, changed, self.page_roots, ZERO_HASHES)
        self.dirty[changed] = 0
        if self._tree is not None and n == self._tree_pages and changed.shape[0] * 8 < n:
            idx, hashes, offsets = self._tree
            _update_paths(
                idx, hashes, offsets, self._rows[changed], self.page_roots, changed, ZERO_HASHES
            )
        else:
            order = np.argsort(self.index[:n], kind="stable")
            page_idx = np.ascontiguousarray(self.index[:n][order])
            offsets = _level_sizes(page_idx, self.tree_depth - PAGE_TREE_HEIGHT + 1)
            idx, hashes = _build_levels(
                kernel_address(),
                page_idx,
                np.ascontiguousarray(self.page_roots[:n][order]),
                offsets,
                ZERO_HASHES,
            )
            self._set_tree(idx, hashes, offsets)
            self._rows = np.empty(n, dtype=np.int64)
            self._rows[order] = np.arange(n, dtype=np.int64)
            self._tree_pages = n
        assert self._levels is not None
        return self._levels

    def merkle_root(self) -> bytes:
        """The 32-byte root committing to the whole address space."""
        if self.page_count == 0:
            return zero_hash(self.tree_depth)
        _, hashes = self._upper_levels()[-1]
        return lanes_to_bytes(hashes[0])

    def merkle_proof(self, addr: int) -> bytes:
        """``leaf || sibling_0 || ... || sibling_{depth-1}`` for the leaf holding ``addr``, bottom up."""
        self._check_range(addr, 1)
        levels = self._upper_levels()
        leaf_addr = addr & ~31
        parts = [self.read(leaf_addr, 32)]
        page_index = addr >> PAGE_ADDR_BITS
        slot = int(lookup_slot(self.tkeys, self.tvals, np.int64(page_index)))
        leaf_in_page = (addr & PAGE_MASK) >> 5
        if slot < 0:
            parts += [zero_hash(h) for h in range(PAGE_TREE_HEIGHT)]
        else:
            nodes = np.zeros((256, 4), dtype=np.uint64)
            _page_nodes(self.pages[slot], nodes, np.zeros(25, dtype=np.uint64))
            node = 128 + leaf_in_page
            for _ in range(PAGE_TREE_HEIGHT):
                parts.append(lanes_to_bytes(nodes[node ^ 1]))
                node >>= 1
        node_index = page_index
        for level, h in zip(levels[:-1], range(PAGE_TREE_HEIGHT, self.tree_depth), strict=True):
            idx, hashes = level
            pos = int(_find(idx, np.int64(node_index ^ 1)))
            parts.append(zero_hash(h) if pos < 0 else lanes_to_bytes(hashes[pos]))
            node_index >>= 1
        return b"".join(parts)

    # -- witness replay ----------------------------------------------------------------------------

    def replay_proofs(self, log: AccessLog) -> list[bytes]:
        """Undo the step's logged writes, then replay PROOF/WRITE events to produce each proof.

        Leaves memory exactly in the post-step state. Returns the proofs in the order requested.
        """
        events = log.events()
        for kind, addr, old, _new in reversed(events):
            if kind == EV_WRITE:
                self.write(addr, old)
        proofs: list[bytes] = []
        for kind, addr, _old, new in events:
            if kind == EV_PROOF:
                proofs.append(self.merkle_proof(addr))
            elif kind == EV_WRITE:
                self.write(addr, new)
        return proofs


def verify_proof(root: bytes, addr: int, proof: bytes, depth: int) -> bool:
    """Fold a memory proof from its leaf up and compare with ``root`` (what the contracts do)."""
    from faultproof.crypto import keccak256

    if len(proof) != (depth + 1) * 32:
        return False
    node = proof[:32]
    path = addr >> 5
    for i in range(depth):
        sib = proof[32 * (i + 1) : 32 * (i + 2)]
        node = keccak256(node + sib) if (path >> i) & 1 == 0 else keccak256(sib + node)
    return node == root


def root_from_proof(leaf: bytes, addr: int, proof: bytes, depth: int) -> bytes:
    """Root implied by putting ``leaf`` at ``addr`` with the siblings of ``proof`` (a write)."""
    return _fold(leaf, addr, proof, depth)


def _fold(leaf: bytes, addr: int, proof: bytes, depth: int) -> bytes:
    from faultproof.crypto import keccak256

    node = leaf
    path = addr >> 5
    for i in range(depth):
        sib = proof[32 * (i + 1) : 32 * (i + 2)]
        node = keccak256(node + sib) if (path >> i) & 1 == 0 else keccak256(sib + node)
    return node


@njit(cache=True)
def _rebuild_table(tkeys: np.ndarray, tvals: np.ndarray, index: np.ndarray, n: np.int64) -> None:
    mask = np.int64(tkeys.shape[0] - 1)
    for slot in range(n):
        key = index[slot]
        pos = _table_pos(key, mask)
        while tkeys[pos] != -1:
            pos = (pos + 1) & mask
        tkeys[pos] = key
        tvals[pos] = slot


def _resized(a: np.ndarray, rows: int) -> np.ndarray:
    out = np.zeros((rows, *a.shape[1:]), dtype=a.dtype)
    out[: a.shape[0]] = a
    return out


def _pow2_at_least(n: int) -> int:
    p = 1
    while p < n:
        p <<= 1
    return p
