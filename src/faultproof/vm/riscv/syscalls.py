"""ECALL (spec §5): Asterisc's syscall table, -1 / error-in-a1 convention, and oracle I/O on fds 3-6.

``execute_syscall`` returns ``(revert code, signal)``. Signals hand control to Python without a
revert: ``SIG_NEED_PREIMAGE`` (nothing was changed; fetch the current key's preimage and retry) and
``SIG_OUTPUT`` (the write finished; Python copies the bytes to stdout/stderr or the hint buffer).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from faultproof.vm.memory import NO_NRT, log_proof, write_bytes_in_leaf
from faultproof.vm.riscv.bits import ALL_ONES, ZERO, U
from faultproof.vm.riscv.constants import (
    BRK_VALUE,
    CLOCK_NSEC,
    CLOCK_SEC,
    EACCES,
    EBADF,
    EINVAL,
    ERR_GETRLIMIT_RESOURCE,
    ERR_PREIMAGE,
    ERR_UNSUPPORTED_SYSCALL,
    FD_HINT_READ,
    FD_HINT_WRITE,
    FD_PREIMAGE_READ,
    FD_PREIMAGE_WRITE,
    FD_STDERR,
    FD_STDIN,
    FD_STDOUT,
    MAP_ANONYMOUS,
    NOFILE_LIMIT,
    PAGE_SIZE,
    REG_A0,
    REG_A1,
    REG_A2,
    REG_A3,
    REG_A4,
    REG_A7,
    RLIMIT_NOFILE,
    S_EXIT_CODE,
    S_EXITED,
    S_HEAP,
    S_IO_ADDR,
    S_IO_FD,
    S_IO_LEN,
    S_PREIMAGE_LEN,
    S_PREIMAGE_LOADED,
    S_PREIMAGE_OFFSET,
    S_PREIMAGE_READ,
    SYS_BRK,
    SYS_CLOCK_GETTIME,
    SYS_CLONE,
    SYS_EXIT,
    SYS_EXIT_GROUP,
    SYS_FCNTL,
    SYS_FUTEX_422,
    SYS_GETRLIMIT,
    SYS_MMAP,
    SYS_NANOSLEEP,
    SYS_OPENAT,
    SYS_PRLIMIT64,
    SYS_READ,
    SYS_WRITE,
)
from faultproof.vm.riscv.lsu import read_le, store_two_words

SIG_NONE = np.int64(0)
SIG_NEED_PREIMAGE = np.int64(1)
SIG_OUTPUT = np.int64(2)
OK = np.int64(0)


@njit(cache=True, **NO_NRT)
def set_result(regs: np.ndarray, a0: np.uint64, a1: np.uint64) -> None:
    regs[REG_A0] = a0
    regs[REG_A1] = a1


@njit(cache=True, **NO_NRT)
def sys_mmap(regs: np.ndarray, st: np.ndarray) -> None:
    """Anonymous mappings only; hint 0 bumps the heap by the page-rounded length (§5.2)."""
    hint, length, flags, fd = regs[REG_A0], regs[REG_A1], regs[REG_A3], regs[REG_A4]
    if (flags & U(MAP_ANONYMOUS)) == ZERO or fd != ALL_ONES:
        set_result(regs, ALL_ONES, U(EBADF))
        return
    if hint != ZERO:
        set_result(regs, hint, ZERO)
        return
    rem = length & U(PAGE_SIZE - 1)
    if rem != ZERO:
        length += U(PAGE_SIZE) - rem
    addr = st[S_HEAP]
    st[S_HEAP] = addr + length
    set_result(regs, addr, ZERO)


@njit(cache=True, **NO_NRT)
def sys_fcntl(regs: np.ndarray) -> None:
    """F_GETFD (1) and F_GETFL (3) on the seven known fds."""
    fd, cmd = regs[REG_A0], regs[REG_A1]
    if cmd == U(1):
        if fd <= U(6):
            set_result(regs, ZERO, ZERO)
        else:
            set_result(regs, ALL_ONES, U(EBADF))
    elif cmd == U(3):
        if fd == U(0) or fd == U(3) or fd == U(5):
            set_result(regs, ZERO, ZERO)
        elif fd == U(1) or fd == U(2) or fd == U(4) or fd == U(6):
            set_result(regs, U(1), ZERO)
        else:
            set_result(regs, ALL_ONES, U(EBADF))
    else:
        set_result(regs, ALL_ONES, U(EINVAL))


@njit(cache=True, **NO_NRT)
def read_preimage(
    regs: np.ndarray, st: np.ndarray, pre: np.ndarray, mem: Any, log: Any
) -> tuple[np.int64, np.int64]:
    """``read(5, addr, count)``: copy at most one leaf's worth of the length-prefixed preimage."""
    if st[S_PREIMAGE_LOADED] == ZERO:
        return OK, SIG_NEED_PREIMAGE
    st[S_PREIMAGE_READ] = U(1)
    addr, count = regs[REG_A1], regs[REG_A2]
    offset, total = st[S_PREIMAGE_OFFSET], st[S_PREIMAGE_LEN]
    if offset >= total:  # the Go VM panics: "Preimage offset out-of-bounds"
        return np.int64(ERR_PREIMAGE), SIG_NONE
    dat_len = total - offset
    if dat_len > U(32):
        dat_len = U(32)
    room = U(32) - (addr & U(31))
    if count > room:
        count = room
    if count > dat_len:
        count = dat_len
    log_meta, log_kind, log_addr = log[0], log[1], log[2]
    log_proof(log_meta, log_kind, log_addr, addr)
    for i in range(np.int64(count)):
        b = U(pre[np.int64(offset) + i])
        write_bytes_in_leaf(mem, log, addr + U(i), b, 1, False)
    st[S_PREIMAGE_OFFSET] = offset + count
    set_result(regs, count, ZERO)
    return OK, SIG_NONE


@njit(cache=True, **NO_NRT)
def write_preimage_key(regs: np.ndarray, st: np.ndarray, key: np.ndarray, mem, log) -> None:  # type: ignore[no-untyped-def]
    """``write(6, addr, count)``: shift up to one leaf's bytes into the 32-byte key window."""
    addr, count = regs[REG_A1], regs[REG_A2]
    room = U(32) - (addr & U(31))
    if count > room:
        count = room
    log_meta, log_kind, log_addr = log[0], log[1], log[2]
    log_proof(log_meta, log_kind, log_addr, addr)
    n = np.int64(count)
    if n > 0:
        for i in range(32 - n):
            key[i] = key[i + n]
        for i in range(n):
            key[32 - n + i] = np.uint8(read_le(mem, addr + U(i), 1))
    st[S_PREIMAGE_OFFSET] = ZERO
    st[S_PREIMAGE_LOADED] = ZERO
    set_result(regs, count, ZERO)


@njit(cache=True, **NO_NRT)
def sys_read(
    regs: np.ndarray, st: np.ndarray, pre: np.ndarray, mem: Any, log: Any
) -> tuple[np.int64, np.int64]:
    fd = regs[REG_A0]
    if fd == U(FD_STDIN):
        set_result(regs, ZERO, ZERO)
    elif fd == U(FD_HINT_READ):  # fake the host's ack: count bytes "read", memory untouched
        set_result(regs, regs[REG_A2], ZERO)
    elif fd == U(FD_PREIMAGE_READ):
        return read_preimage(regs, st, pre, mem, log)
    else:
        set_result(regs, ALL_ONES, U(EBADF))
    return OK, SIG_NONE


@njit(cache=True, **NO_NRT)
def sys_write(
    regs: np.ndarray, st: np.ndarray, key: np.ndarray, mem: Any, log: Any
) -> tuple[np.int64, np.int64]:
    fd = regs[REG_A0]
    if fd == U(FD_STDOUT) or fd == U(FD_STDERR) or fd == U(FD_HINT_WRITE):
        st[S_IO_FD] = fd
        st[S_IO_ADDR] = regs[REG_A1]
        st[S_IO_LEN] = regs[REG_A2]
        set_result(regs, regs[REG_A2], ZERO)
        return OK, SIG_OUTPUT
    if fd == U(FD_PREIMAGE_WRITE):
        write_preimage_key(regs, st, key, mem, log)
        return OK, SIG_NONE
    set_result(regs, ALL_ONES, U(EBADF))
    return OK, SIG_NONE


@njit(cache=True, **NO_NRT)
def execute_syscall(
    regs: np.ndarray, st: np.ndarray, key: np.ndarray, pre: np.ndarray, mem: Any, log: Any
) -> tuple[np.int64, np.int64]:
    """Dispatch on a7; the caller advances pc afterwards (even for exit)."""
    num = regs[REG_A7]
    if num == U(SYS_EXIT) or num == U(SYS_EXIT_GROUP):
        st[S_EXIT_CODE] = regs[REG_A0] & U(0xFF)
        st[S_EXITED] = U(1)
    elif num == U(SYS_BRK):
        set_result(regs, U(BRK_VALUE), ZERO)
    elif num == U(SYS_MMAP):
        sys_mmap(regs, st)
    elif num == U(SYS_READ):
        return sys_read(regs, st, pre, mem, log)
    elif num == U(SYS_WRITE):
        return sys_write(regs, st, key, mem, log)
    elif num == U(SYS_FCNTL):
        sys_fcntl(regs)
    elif num == U(SYS_OPENAT):
        set_result(regs, ALL_ONES, U(EACCES))
    elif num == U(SYS_CLOCK_GETTIME):
        store_two_words(mem, log, regs[REG_A1], U(CLOCK_SEC), U(CLOCK_NSEC))
        set_result(regs, ZERO, ZERO)
    elif num == U(SYS_CLONE):
        set_result(regs, U(1), ZERO)
    elif num == U(SYS_GETRLIMIT):
        if regs[REG_A0] != U(RLIMIT_NOFILE):
            return np.int64(ERR_GETRLIMIT_RESOURCE), SIG_NONE
        store_two_words(mem, log, regs[REG_A1], U(NOFILE_LIMIT), U(NOFILE_LIMIT))
        set_result(regs, ZERO, ZERO)
    elif num == U(SYS_PRLIMIT64) or num == U(SYS_FUTEX_422) or num == U(SYS_NANOSLEEP):
        return np.int64(ERR_UNSUPPORTED_SYSCALL), SIG_NONE
    else:  # everything else is a silent success
        set_result(regs, ZERO, ZERO)
    return OK, SIG_NONE
