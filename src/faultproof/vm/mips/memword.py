"""Aligned big-endian 32-bit word access on the shared paged memory (cannon-mips32.md §2.1, §2.4).

Every proven MIPS access is one aligned word, so this is the only memory interface the step needs.
Writes go through :func:`write_bytes_in_leaf` when the access log is on (the witness replays them)
and straight into the page otherwise; both mark the page dirty for the Merkle cache.

Speed: a call that LLVM does not inline costs ~20 ns on the machines we measured (return-stack
mitigations), more than a whole instruction's budget. So the hot paths keep a one-entry page cache
(``cache`` = [page, slot], valid while ``slot >= 0``: a page's slot never moves once allocated) and
call into :mod:`faultproof.vm.memory` only on a cache miss.
"""

from __future__ import annotations

import numpy as np

from faultproof.vm.memory import lookup_slot, slot_for_write, write_bytes_in_leaf
from faultproof.vm.mips.jit import inline_kernel, word

CACHE_PAGE = 0
CACHE_SLOT = 1


@inline_kernel
def page_slot(mem: tuple, cache: np.ndarray, page: int) -> int:  # type: ignore[type-arg]
    """Slot of ``page`` or -1 if it was never written, through the one-entry cache."""
    if cache[CACHE_PAGE] == page:
        return cache[CACHE_SLOT]
    slot = lookup_slot(mem[1], mem[2], np.int64(page))
    if slot >= 0:
        cache[CACHE_PAGE] = page
        cache[CACHE_SLOT] = slot
    return slot


@inline_kernel
def read_word(mem: tuple, cache: np.ndarray, addr: int) -> int:  # type: ignore[type-arg]
    """The word at the 4-aligned ``addr``; memory never written reads as zero."""
    slot = page_slot(mem, cache, addr >> 12)
    if slot < 0:
        return 0
    pages = mem[0]
    off = addr & 0xFFF
    return (
        (word(pages[slot, off]) << 24)
        | (word(pages[slot, off + 1]) << 16)
        | (word(pages[slot, off + 2]) << 8)
        | word(pages[slot, off + 3])
    )


@inline_kernel
def write_word(mem: tuple, log: tuple, cache: np.ndarray, addr: int, value: int) -> None:  # type: ignore[type-arg]
    """Store the word at the 4-aligned ``addr`` (the caller guaranteed page headroom)."""
    if log[0][1] != 0:
        write_bytes_in_leaf(mem, log, np.uint64(addr), np.uint64(value), np.int64(4), True)
        return
    page = addr >> 12
    if cache[CACHE_PAGE] == page:
        slot = cache[CACHE_SLOT]
        mem[4][slot] = 1  # dirty
    else:
        slot = slot_for_write(mem[0], mem[1], mem[2], mem[3], mem[4], mem[5], np.int64(page))
        cache[CACHE_PAGE] = page
        cache[CACHE_SLOT] = slot
    pages = mem[0]
    off = addr & 0xFFF
    pages[slot, off] = (value >> 24) & 0xFF
    pages[slot, off + 1] = (value >> 16) & 0xFF
    pages[slot, off + 2] = (value >> 8) & 0xFF
    pages[slot, off + 3] = value & 0xFF
