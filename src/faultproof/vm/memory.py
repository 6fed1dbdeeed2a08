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

PAGE_ADDR_BITS = 12
PAGE_SIZE = 1 << PAGE_ADDR_BITS
PAGE_MASK = PAGE_SIZE - 1
LEAF_SIZE = 32
PAGE_TREE_HEIGHT = PAGE_ADDR_BITS - 5  # 7 levels inside a page: 128 leaves
HEADROOM_PAGES = 4  # one instruction never touches more new pages than this

NO_NRT: dict[str, Any] = {"_nrt": False}
"""numba flag for kernels that never allocate: no reference counting on array arguments."""

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


@njit(cache=True, inline="always")
def _is_zero_pair(buf: np.ndarray, i: int, zero: np.ndarray, h: int) -> bool:
    return (
        buf[i, 0] == zero[h, 0] and buf[i, 1] == zero[h, 1] and buf[i, 2] == zero[h, 2] and buf[i, 3] == zero[h, 3]
        and buf[i + 1, 0] == zero[h, 0] and buf[i + 1, 1] == zero[h, 1]
        and buf[i + 1, 2] == zero[h, 2] and buf[i + 1, 3] == zero[h, 3]
    )  # fmt: skip


@njit(cache=True)
def _page_root_into(page: np.ndarray, zero: np.ndarray, out: np.ndarray) -> None:
    """Root of one page's height-7 subtree. All-zero pairs take Z[h] without hashing."""
    lanes = page.view(np.uint64)  # 512 little-endian lanes = 128 leaves of 4 lanes
    buf = np.empty((64, 4), dtype=np.uint64)
    for i in range(64):
        j = 8 * i
        if (lanes[j] | lanes[j + 1] | lanes[j + 2] | lanes[j + 3] | lanes[j + 4] | lanes[j + 5]
                | lanes[j + 6] | lanes[j + 7]) == 0:  # fmt: skip
            buf[i, 0], buf[i, 1], buf[i, 2], buf[i, 3] = (
                zero[1, 0],
                zero[1, 1],
                zero[1, 2],
                zero[1, 3],
            )
        else:
            buf[i, 0], buf[i, 1], buf[i, 2], buf[i, 3] = keccak_pair(
                lanes[j], lanes[j + 1], lanes[j + 2], lanes[j + 3],
                lanes[j + 4], lanes[j + 5], lanes[j + 6], lanes[j + 7],
            )  # fmt: skip
    n = 64
    h = 1
    while n > 1:
        n //= 2
        for i in range(n):
            k = 2 * i
            if _is_zero_pair(buf, k, zero, h):
                buf[i, 0], buf[i, 1], buf[i, 2], buf[i, 3] = (
                    zero[h + 1, 0],
                    zero[h + 1, 1],
                    zero[h + 1, 2],
                    zero[h + 1, 3],
                )
            else:
                buf[i, 0], buf[i, 1], buf[i, 2], buf[i, 3] = keccak_pair(
                    buf[k, 0], buf[k, 1], buf[k, 2], buf[k, 3],
                    buf[k + 1, 0], buf[k + 1, 1], buf[k + 1, 2], buf[k + 1, 3],
                )  # fmt: skip
        h += 1
    out[0], out[1], out[2], out[3] = buf[0, 0], buf[0, 1], buf[0, 2], buf[0, 3]


@njit(cache=True, parallel=True)
def _refresh_page_roots(
    pages: np.ndarray, dirty: np.ndarray, n: np.int64, roots: np.ndarray, zero: np.ndarray
) -> None:
    """Rehash every dirty page (pages are independent, so this runs on all cores)."""
    for slot in prange(n):
        if dirty[slot]:
            _page_root_into(pages[slot], zero, roots[slot])
            dirty[slot] = 0


@njit(cache=True)
def _reduce_level(
    idx: np.ndarray, hashes: np.ndarray, zero_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One level up a sparse tree: sorted node indices + hashes -> parent indices + hashes."""
    n = idx.shape[0]
    out_idx = np.empty(n, dtype=np.int64)
    out_h = np.empty((n, 4), dtype=np.uint64)
    st = np.empty(25, dtype=np.uint64)
    i = 0
    m = 0
    while i < n:
        k = idx[i]
        parent = k >> 1
        if (k & 1) == 0:
            if i + 1 < n and idx[i + 1] == k + 1:
                hash_pair(hashes[i], hashes[i + 1], out_h[m], st)
                i += 2
            else:
                hash_pair(hashes[i], zero_h, out_h[m], st)
                i += 1
        else:
            hash_pair(zero_h, hashes[i], out_h[m], st)
            i += 1
        out_idx[m] = parent
        m += 1
    return out_idx[:m], out_h[:m]


@njit(cache=True)
def _find(idx: np.ndarray, key: np.int64) -> np.int64:
    lo = 0
    hi = idx.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if idx[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < idx.shape[0] and idx[lo] == key:
        return np.int64(lo)
    return np.int64(-1)


@njit(cache=True)
def _page_nodes(page: np.ndarray, nodes: np.ndarray, st: np.ndarray) -> None:
    """All 255 nodes of a page subtree in heap order (1 = page root, 128..255 = leaves)."""
    lanes = page.view(np.uint64)
    for i in range(128):
        nodes[128 + i, :] = lanes[4 * i : 4 * i + 4]
    for i in range(127, 0, -1):
        hash_pair(nodes[2 * i], nodes[2 * i + 1], nodes[i], st)


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
        return [
            (int(self.kind[i]), int(self.addr[i]), self.old[i].tobytes(), self.new[i].tobytes())
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
        self._levels: list[tuple[np.ndarray, np.ndarray]] | None = None

    # -- array plumbing -----------------------------------------------------------------------------

    @property
    def arrays(self) -> MemArrays:
        """The tuple executors pass into numba code (re-read it after :meth:`grow`)."""
        return (self.pages, self.tkeys, self.tvals, self.meta, self.dirty, self.index)

    @property
    def page_count(self) -> int:
        return int(self.meta[0])

    def grow(self) -> None:
        """Make room for at least :data:`HEADROOM_PAGES` more pages (called between instructions)."""
        self._levels = None
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
        """Forget cached upper-tree levels (executors call this after they write)."""
        self._levels = None

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
        self._levels = None
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
        for name in ("pages", "tkeys", "tvals", "meta", "dirty", "index", "page_roots"):
            setattr(other, name, getattr(self, name).copy())
        other._levels = None
        return other

    # -- Merkle ------------------------------------------------------------------------------------

    def _upper_levels(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Sparse tree levels from the pages up to the root, recomputing only dirty pages."""
        if self._levels is not None and not self.dirty[: self.page_count].any():
            return self._levels
        n = self.page_count
        _refresh_page_roots(self.pages, self.dirty, np.int64(n), self.page_roots, ZERO_HASHES)
        order = np.argsort(self.index[:n], kind="stable")
        idx = np.ascontiguousarray(self.index[:n][order])
        hashes = np.ascontiguousarray(self.page_roots[:n][order])
        levels = [(idx, hashes)]
        for h in range(PAGE_TREE_HEIGHT, self.tree_depth):
            idx, hashes = _reduce_level(idx, hashes, ZERO_HASHES[h])
            levels.append((idx, hashes))
        self._levels = levels
        return levels

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
