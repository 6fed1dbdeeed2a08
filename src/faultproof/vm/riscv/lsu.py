"""Loads and stores (spec §3.3-3.4, §4.2): little-endian, any alignment, split over at most two leaves.

Proof order (what the step contract reads): the caller has already requested proof 0 for the fetch;
a load asks for the leaf of its first byte, then the leaf of its last byte if that is another leaf.
A store asks for the first leaf, writes it, then asks for the second leaf (so that proof is taken
against the root after the first write) and writes it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from faultproof.vm.memory import (
    NO_NRT,
    PAGE_ADDR_BITS,
    log_proof,
    read_byte,
    read_bytes_in_leaf,
    write_bytes_in_leaf,
)
from faultproof.vm.riscv.bits import ZERO, U, sext

LEAF_MASK = U(31)
PAGE_MASK = U((1 << PAGE_ADDR_BITS) - 1)


@njit(cache=True, **NO_NRT, inline="always")
def straddles(addr: np.uint64, size: np.uint64) -> bool:
    """True when ``size`` bytes at ``addr`` touch two 32-byte leaves."""
    return bool((addr & LEAF_MASK) + size > U(32))


@njit(cache=True, **NO_NRT, inline="always")
def read_le(mem, addr: np.uint64, size: np.int64) -> np.uint64:  # type: ignore[no-untyped-def]
    """Little-endian unsigned value of ``size`` (1..8) bytes, crossing pages if needed."""
    pages, tkeys, tvals = mem[0], mem[1], mem[2]
    if (addr & PAGE_MASK) + U(size) <= U(1 << PAGE_ADDR_BITS):
        return read_bytes_in_leaf(pages, tkeys, tvals, addr, size, False)
    v = ZERO
    for i in range(size):
        v |= read_byte(pages, tkeys, tvals, addr + U(i)) << U(8 * i)
    return v


@njit(cache=True, **NO_NRT, inline="always")
def load_mem(mem, log, addr: np.uint64, size: np.int64, signed: bool) -> np.uint64:  # type: ignore[no-untyped-def]
    """The value a load of ``size`` bytes at ``addr`` sees, requesting proofs 1 (and 2)."""
    log_meta, log_kind, log_addr = log[0], log[1], log[2]
    log_proof(log_meta, log_kind, log_addr, addr)
    if straddles(addr, U(size)):
        log_proof(log_meta, log_kind, log_addr, addr + U(size - 1))
    v = read_le(mem, addr, size)
    if signed and size < 8:
        v = sext(v, 8 * size - 1)
    return v


@njit(cache=True, **NO_NRT, inline="always")
def store_mem(mem, log, addr: np.uint64, value: np.uint64, size: np.int64) -> None:  # type: ignore[no-untyped-def]
    """Store the low ``size`` (1..8) bytes of ``value``: first leaf, then (proof after write) the second."""
    log_meta, log_kind, log_addr = log[0], log[1], log[2]
    log_proof(log_meta, log_kind, log_addr, addr)
    first = np.int64(U(32) - (addr & LEAF_MASK))
    if first >= size:
        write_bytes_in_leaf(mem, log, addr, value, size, False)
        return
    write_bytes_in_leaf(mem, log, addr, value, first, False)
    right = addr + U(first)
    log_proof(log_meta, log_kind, log_addr, right)
    write_bytes_in_leaf(mem, log, right, value >> U(8 * first), size - first, False)


@njit(cache=True, **NO_NRT)
def store_two_words(mem, log, addr: np.uint64, lo: np.uint64, hi: np.uint64) -> None:  # type: ignore[no-untyped-def]
    """A 16-byte unaligned store (``lo`` then ``hi``, little-endian), as one or two leaf proofs.

    Used by clock_gettime and getrlimit, which Asterisc writes with one 16-byte store (§3.3).
    """
    log_meta, log_kind, log_addr = log[0], log[1], log[2]
    log_proof(log_meta, log_kind, log_addr, addr)
    first = np.int64(U(32) - (addr & LEAF_MASK))
    if first > 16:
        first = np.int64(16)
    for i in range(first):
        b = lo >> U(8 * i) if i < 8 else hi >> U(8 * (i - 8))
        write_bytes_in_leaf(mem, log, addr + U(i), b, 1, False)
    if first == 16:
        return
    log_proof(log_meta, log_kind, log_addr, addr + U(first))
    for i in range(first, 16):
        b = lo >> U(8 * i) if i < 8 else hi >> U(8 * (i - 8))
        write_bytes_in_leaf(mem, log, addr + U(i), b, 1, False)
