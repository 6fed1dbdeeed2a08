"""Single-threaded Cannon syscalls (cannon-mips32.md §4), numba-compiled.

Only what is provable runs here: register results, the heap, the preimage key register, the preimage
read into memory. Side effects that need the host (bytes to stdout/stderr, hint bytes) are reported
back to Python through ``io`` after the step completed: they never change the state beyond v0/v1.
A read from fd 5 whose preimage is not loaded yet stops *before* the step so Python can fetch it.
"""

from __future__ import annotations

import numpy as np

from faultproof.vm.memory import log_proof
from faultproof.vm.mips.constants import (
    CPU_EXIT_CODE,
    CPU_EXITED,
    CPU_HEAP,
    CPU_PREIMAGE_OFFSET,
    EBADF,
    EINVAL,
    EXC_PREIMAGE_OUT_OF_BOUNDS,
    F_GETFD,
    F_GETFL,
    FD_HINT_READ,
    FD_HINT_WRITE,
    FD_PREIMAGE_READ,
    FD_PREIMAGE_WRITE,
    FD_STDERR,
    FD_STDIN,
    FD_STDOUT,
    HEAP_END,
    IO_ADDR,
    IO_CODE,
    IO_FD,
    IO_LEN,
    IO_READ_KEY_OFFSET,
    PAGE_SIZE,
    PREIMAGE_PART,
    PROGRAM_BREAK,
    RUN_BUDGET_DONE,
    RUN_EXCEPTION,
    RUN_HOST_WRITE,
    RUN_NEED_PREIMAGE,
    SYS_BRK,
    SYS_CLONE,
    SYS_ERROR,
    SYS_EXIT_GROUP,
    SYS_FCNTL,
    SYS_MMAP,
    SYS_READ,
    SYS_WRITE,
)
from faultproof.vm.mips.jit import inline_kernel, word
from faultproof.vm.mips.memword import read_word, write_word

M32 = 0xFFFFFFFF


@inline_kernel
def sys_mmap(a0: int, a1: int, heap: int) -> tuple[int, int, int]:
    """(v0, v1, new heap): a hint address is returned as is; otherwise bump the heap (§4.2)."""
    size = a1
    if size & (PAGE_SIZE - 1):
        size += PAGE_SIZE - (size & (PAGE_SIZE - 1))
    size &= M32
    if a0 != 0:
        return a0, 0, heap
    new_heap = (heap + size) & M32
    if new_heap > HEAP_END or new_heap < heap or size < a1:
        return SYS_ERROR, EINVAL, heap
    return heap, 0, new_heap


@inline_kernel
def sys_fcntl(fd: int, cmd: int) -> tuple[int, int]:
    """F_GETFD for fds 0-6 (singlethreaded-2), F_GETFL by direction, everything else EINVAL."""
    if cmd == F_GETFD:
        if fd <= FD_PREIMAGE_WRITE:
            return 0, 0
        return SYS_ERROR, EBADF
    if cmd == F_GETFL:
        if fd == FD_STDIN or fd == FD_PREIMAGE_READ or fd == FD_HINT_READ:  # noqa: SIM109
            return 0, 0
        if fd == FD_STDOUT or fd == FD_STDERR or fd == FD_PREIMAGE_WRITE or fd == FD_HINT_WRITE:  # noqa: SIM109
            return 1, 0
        return SYS_ERROR, EBADF
    return SYS_ERROR, EINVAL


@inline_kernel
def preimage_read(
    cpu: np.ndarray,
    pkey: np.ndarray,
    mem: tuple,  # type: ignore[type-arg]
    log: tuple,  # type: ignore[type-arg]
    cache: np.ndarray,
    pre: tuple,  # type: ignore[type-arg]
    io: np.ndarray,
    a1: int,
    a2: int,
) -> tuple[int, int]:
    """fd 5: splice up to 4 bytes of ``len8 || preimage`` at the offset into the word at a1 (§4.3).

    Returns (status, bytes read); status is RUN_NEED_PREIMAGE when the loaded preimage is not the
    one for the current key, RUN_EXCEPTION when the offset is past the end of the stream.
    """
    data, data_key, data_meta = pre
    if data_meta[0] == 0:
        return RUN_NEED_PREIMAGE, 0
    for i in range(32):
        if data_key[i] != pkey[i]:
            return RUN_NEED_PREIMAGE, 0
    addr = a1 & 0xFFFFFFFC
    if log[0][1] != 0:
        log_proof(log[0], log[1], log[2], np.uint64(addr))
    offset = cpu[CPU_PREIMAGE_OFFSET]
    length = data.shape[0]
    if offset >= length:
        io[IO_CODE] = EXC_PREIMAGE_OUT_OF_BOUNDS
        return RUN_EXCEPTION, 0
    n = min(length - offset, PREIMAGE_PART)
    alignment = a1 & 3
    n = min(n, 4 - alignment, a2)
    word = read_word(mem, cache, addr)
    for i in range(n):
        shift = (3 - alignment - i) * 8
        word = (word & (M32 ^ (0xFF << shift))) | (np.int64(data[offset + i]) << shift)
    write_word(mem, log, cache, addr, word)
    io[IO_READ_KEY_OFFSET] = offset
    cpu[CPU_PREIMAGE_OFFSET] = offset + n
    return RUN_BUDGET_DONE, n


@inline_kernel
def preimage_key_write(
    cpu: np.ndarray,
    pkey: np.ndarray,
    mem: tuple,  # type: ignore[type-arg]
    log: tuple,  # type: ignore[type-arg]
    cache: np.ndarray,
    a1: int,
    a2: int,
) -> int:
    """fd 6: shift up to 4 bytes of the word at a1 into the 32-byte key register; reset the offset."""
    addr = a1 & 0xFFFFFFFC
    if log[0][1] != 0:
        log_proof(log[0], log[1], log[2], np.uint64(addr))
    word = read_word(mem, cache, addr)
    alignment = a1 & 3
    n = min(a2, 4 - alignment)
    for i in range(32 - n):
        pkey[i] = pkey[i + n]
    for i in range(n):
        pkey[32 - n + i] = (word >> ((3 - alignment - i) * 8)) & 0xFF
    cpu[CPU_PREIMAGE_OFFSET] = 0
    return n


@inline_kernel
def syscall(
    regs: np.ndarray,
    cpu: np.ndarray,
    pkey: np.ndarray,
    mem: tuple,  # type: ignore[type-arg]
    log: tuple,  # type: ignore[type-arg]
    cache: np.ndarray,
    pre: tuple,  # type: ignore[type-arg]
    io: np.ndarray,
) -> tuple[int, bool]:
    """Dispatch on v0 (§4.2). Returns (status, advance): ``advance`` is False only for exit_group.

    Sets v0 (r2) and v1 (r7). Unknown syscalls return 0/0.
    """
    number = word(regs[2])
    a0 = word(regs[4])
    a1 = word(regs[5])
    a2 = word(regs[6])
    v0 = 0
    v1 = 0
    status = RUN_BUDGET_DONE
    if number == SYS_MMAP:
        v0, v1, heap = sys_mmap(a0, a1, cpu[CPU_HEAP])
        cpu[CPU_HEAP] = heap
    elif number == SYS_BRK:
        v0 = PROGRAM_BREAK
    elif number == SYS_CLONE:
        v0 = 1
    elif number == SYS_EXIT_GROUP:
        cpu[CPU_EXITED] = 1
        cpu[CPU_EXIT_CODE] = a0 & 0xFF
        return RUN_BUDGET_DONE, False
    elif number == SYS_READ:
        if a0 == FD_STDIN:
            pass
        elif a0 == FD_PREIMAGE_READ:
            status, v0 = preimage_read(cpu, pkey, mem, log, cache, pre, io, a1, a2)
            if status != RUN_BUDGET_DONE:
                return status, False
        elif a0 == FD_HINT_READ:
            v0 = a2  # the ack is not written to memory
        else:
            v0, v1 = SYS_ERROR, EBADF
    elif number == SYS_WRITE:
        if a0 == FD_STDOUT or a0 == FD_STDERR or a0 == FD_HINT_WRITE:  # noqa: SIM109
            v0 = a2
            io[IO_FD] = a0
            io[IO_ADDR] = a1
            io[IO_LEN] = a2
            status = RUN_HOST_WRITE
        elif a0 == FD_PREIMAGE_WRITE:
            v0 = preimage_key_write(cpu, pkey, mem, log, cache, a1, a2)
        else:
            v0, v1 = SYS_ERROR, EBADF
    elif number == SYS_FCNTL:
        v0, v1 = sys_fcntl(a0, a1)
    regs[2] = v0
    regs[7] = v1
    return status, True
