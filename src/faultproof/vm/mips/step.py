"""One MIPS32 step and the run loop (cannon-mips32.md §3.1), numba-compiled, written once.

The same code runs the fast path (log disabled) and the proof path (log enabled: the fetch and the
data word are recorded with ``log_proof`` in the spec's order, writes are logged for the replay in
:meth:`Memory.replay_proofs`).

State lives in numpy arrays: ``regs`` uint32[32]; ``cpu`` int64 (pc, nextPC, lo, hi, heap, exitCode,
exited, step, preimageOffset; see ``CPU_*``); ``pkey`` uint8[32]; ``mem`` the memory array tuple;
``pre`` the loaded preimage stream (``len8 || data``, its key, a loaded flag). A step that raises a
§3.5 exception changes nothing (the state stays the pre-state) and reports the code in ``io``.

Comparisons are spelled ``a == X or a == Y`` rather than ``a in (X, Y)`` (ruff SIM109 is silenced
for them): numba compiles the chain into plain integer compares, the tuple form into a generic
containment call in the hot loop.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

from faultproof.vm.memory import has_headroom, log_proof, lookup_slot
from faultproof.vm.mips.constants import (
    CPU_EXITED,
    CPU_HI,
    CPU_LO,
    CPU_NEXT_PC,
    CPU_PC,
    CPU_STEP,
    EXC_BRANCH_IN_DELAY_SLOT,
    EXC_DIVISION_BY_ZERO,
    EXC_INVALID_INSTRUCTION,
    EXC_JUMP_IN_DELAY_SLOT,
    EXC_UNALIGNED_PC,
    IO_CODE,
    IO_INSN,
    IO_PC,
    OP_LL,
    OP_SC,
    RUN_BUDGET_DONE,
    RUN_EXCEPTION,
    RUN_EXITED,
    RUN_HOST_WRITE,
    RUN_NEED_GROW,
)
from faultproof.vm.mips.instructions import (
    branch_taken,
    divide_signed,
    divide_unsigned,
    execute_alu,
    multiply_signed,
    multiply_unsigned,
    sign_extend,
)
from faultproof.vm.mips.jit import inline_kernel, loop_kernel, word
from faultproof.vm.mips.memword import read_word, write_word
from faultproof.vm.mips.syscalls import syscall

M32 = 0xFFFFFFFF
OK = RUN_BUDGET_DONE


@inline_kernel
def advance(cpu: np.ndarray) -> None:
    """pc <- nextPC, nextPC += 4: the common tail of every non-jumping instruction."""
    cpu[CPU_PC] = cpu[CPU_NEXT_PC]
    cpu[CPU_NEXT_PC] = (cpu[CPU_NEXT_PC] + 4) & M32


@inline_kernel
def write_rd(regs: np.ndarray, cpu: np.ndarray, rd: int, value: int, condition: bool) -> None:
    """Cannon's ``HandleRd``: write unless r0 or the condition is false, then advance."""
    if rd != 0 and condition:
        regs[rd] = value & M32
    advance(cpu)


@inline_kernel
def jump(regs: np.ndarray, cpu: np.ndarray, link: int, target: int, io: np.ndarray) -> int:
    """j/jal/jr/jalr (§3.4): the delay slot runs next, then ``target``; link = pc + 8."""
    pc = cpu[CPU_PC]
    if cpu[CPU_NEXT_PC] != ((pc + 4) & M32):
        io[IO_CODE] = EXC_JUMP_IN_DELAY_SLOT
        return RUN_EXCEPTION
    cpu[CPU_PC] = cpu[CPU_NEXT_PC]
    cpu[CPU_NEXT_PC] = target & M32
    if link != 0:
        regs[link] = (pc + 8) & M32
    return OK


@inline_kernel
def branch(
    regs: np.ndarray, cpu: np.ndarray, opcode: int, insn: int, rs: int, io: np.ndarray
) -> int:
    """beq/bne/blez/bgtz/REGIMM (§3.4): bgezal links whether or not it is taken."""
    pc = cpu[CPU_PC]
    if cpu[CPU_NEXT_PC] != ((pc + 4) & M32):
        io[IO_CODE] = EXC_BRANCH_IN_DELAY_SLOT
        return RUN_EXCEPTION
    rt = word(regs[(insn >> 16) & 31])
    taken = branch_taken(opcode, insn, rs, rt)
    if opcode == 0x01 and ((insn >> 16) & 31) == 0x11:
        regs[31] = (pc + 8) & M32
    cpu[CPU_PC] = cpu[CPU_NEXT_PC]
    if taken:
        cpu[CPU_NEXT_PC] = (pc + 4 + (sign_extend(insn & 0xFFFF, 16) << 2)) & M32
    else:
        cpu[CPU_NEXT_PC] = (cpu[CPU_NEXT_PC] + 4) & M32
    return OK


@inline_kernel
def hi_lo(
    regs: np.ndarray, cpu: np.ndarray, funct: int, rs: int, rt: int, rd: int, io: np.ndarray
) -> int:
    """mfhi/mthi/mflo/mtlo/mult/multu/div/divu (§3.3). rd receives 0 for the non-move functs."""
    value = 0
    if funct == 0x10:
        value = cpu[CPU_HI]
    elif funct == 0x11:
        cpu[CPU_HI] = rs
    elif funct == 0x12:
        value = cpu[CPU_LO]
    elif funct == 0x13:
        cpu[CPU_LO] = rs
    elif funct == 0x18:
        cpu[CPU_HI], cpu[CPU_LO] = multiply_signed(rs, rt)
    elif funct == 0x19:
        cpu[CPU_HI], cpu[CPU_LO] = multiply_unsigned(rs, rt)
    elif funct == 0x1A or funct == 0x1B:
        if rt == 0:
            io[IO_CODE] = EXC_DIVISION_BY_ZERO
            return RUN_EXCEPTION
        if funct == 0x1A:
            cpu[CPU_HI], cpu[CPU_LO] = divide_signed(rs, rt)
        else:
            cpu[CPU_HI], cpu[CPU_LO] = divide_unsigned(rs, rt)
    write_rd(regs, cpu, rd, value, True)
    return OK


@inline_kernel
def load_linked_store_conditional(
    regs: np.ndarray,
    cpu: np.ndarray,
    mem: tuple,  # type: ignore[type-arg]
    log: tuple,  # type: ignore[type-arg]
    cache: np.ndarray,
    opcode: int,
    insn: int,
) -> int:
    """ll loads the word; sc stores R[rt] and always succeeds with rt = 1 (single-threaded, §3.3)."""
    rt_reg = (insn >> 16) & 31
    base = word(regs[(insn >> 21) & 31])
    addr = (base + sign_extend(insn & 0xFFFF, 16)) & 0xFFFFFFFC
    if log[0][1] != 0:
        log_proof(log[0], log[1], log[2], np.uint64(addr))
    loaded = read_word(mem, cache, addr)
    if opcode == OP_LL:
        value = loaded
    else:
        write_word(mem, log, cache, addr, word(regs[rt_reg]))
        value = 1
    write_rd(regs, cpu, rt_reg, value, True)
    return OK


@inline_kernel
def execute(
    insn: int,
    regs: np.ndarray,
    cpu: np.ndarray,
    pkey: np.ndarray,
    mem: tuple,  # type: ignore[type-arg]
    log: tuple,  # type: ignore[type-arg]
    cache: np.ndarray,
    pre: tuple,  # type: ignore[type-arg]
    io: np.ndarray,
) -> int:
    """Execute the fetched ``insn`` (§3.1 steps 4-6). Returns a RUN_* status; OK when done."""
    opcode = insn >> 26
    funct = insn & 0x3F

    if opcode == 0 and funct == 0x0C:
        status, advance_pc = syscall(regs, cpu, pkey, mem, log, cache, pre, io)
        if advance_pc and (status == OK or status == RUN_HOST_WRITE):  # noqa: SIM109
            advance(cpu)
        return status

    if opcode == OP_LL or opcode == OP_SC:  # noqa: SIM109
        return load_linked_store_conditional(regs, cpu, mem, log, cache, opcode, insn)

    if opcode == 0x02 or opcode == 0x03:
        target = (cpu[CPU_NEXT_PC] & 0xF0000000) | ((insn & 0x03FFFFFF) << 2)
        return jump(regs, cpu, 31 if opcode == 0x03 else 0, target, io)

    # Register fetch.
    rs = word(regs[(insn >> 21) & 31])
    rt_reg = (insn >> 16) & 31
    rd = rt_reg
    rt = 0
    if opcode == 0 or opcode == 0x1C:
        rt = word(regs[rt_reg])
        rd = (insn >> 11) & 31
    elif opcode < 0x20:
        if opcode == 0x0C or opcode == 0x0D or opcode == 0x0E:
            rt = insn & 0xFFFF
        else:
            rt = sign_extend(insn & 0xFFFF, 16)
    elif opcode >= 0x28 or opcode == 0x22 or opcode == 0x26:
        rt = word(regs[rt_reg])

    if opcode == 0x01 or (0x04 <= opcode < 0x08):
        return branch(regs, cpu, opcode, insn, rs, io)

    # Memory fetch: loads and stores read the word first (proof 1).
    store_addr = -1
    mem_word = 0
    if opcode >= 0x20:
        rs = (rs + sign_extend(insn & 0xFFFF, 16)) & M32
        addr = rs & 0xFFFFFFFC
        if log[0][1] != 0:
            log_proof(log[0], log[1], log[2], np.uint64(addr))
        mem_word = read_word(mem, cache, addr)
        if opcode >= 0x28:
            store_addr = addr
            rd = 0

    value, ok = execute_alu(insn, opcode, funct, rs, rt, mem_word)
    if not ok:
        io[IO_CODE] = EXC_INVALID_INSTRUCTION
        return RUN_EXCEPTION

    if opcode == 0 and 0x08 <= funct < 0x1C:
        if funct == 0x08 or funct == 0x09:
            return jump(regs, cpu, rd if funct == 0x09 else 0, rs, io)
        if funct == 0x0A:
            write_rd(regs, cpu, rd, rs, rt == 0)
            return OK
        if funct == 0x0B:
            write_rd(regs, cpu, rd, rs, rt != 0)
            return OK
        if funct >= 0x10:
            return hi_lo(regs, cpu, funct, rs, rt, rd, io)

    if store_addr >= 0:
        write_word(mem, log, cache, store_addr, value)
    write_rd(regs, cpu, rd, value, True)
    return OK


@loop_kernel
def run(
    regs: np.ndarray,
    cpu: np.ndarray,
    pkey: np.ndarray,
    mem: tuple,  # type: ignore[type-arg]
    log: tuple,  # type: ignore[type-arg]
    cache: np.ndarray,
    pre: tuple,  # type: ignore[type-arg]
    io: np.ndarray,
    budget: int,
) -> tuple[int, int]:
    """Execute up to ``budget`` steps. Returns (status, steps executed).

    Stops early when the guest exited, memory needs to grow, a preimage must be fetched, a host
    write was executed (counted), or an exception occurred (not counted, state unchanged).

    Hot-loop care (see :mod:`memword`): compiled without NRT reference counting (``_nrt=False``:
    every array is owned by the caller and nothing is allocated here; with counting, each array
    taken out of a tuple costs an out-of-line incref/decref, which dominated the step time); the pc's page slot is cached (a page's slot never moves once
    allocated), the data page has its own one-entry cache, the access log is only called when it is
    on, and the page-headroom check reruns only after an instruction allocated a page.
    """
    pages = mem[0]
    tkeys = mem[1]
    tvals = mem[2]
    meta = mem[3]
    cache[0] = -1  # the data-page cache (see memword); reset: memory may have changed in Python
    cache[1] = -1
    logging = log[0][1] != 0
    pc_page = np.int64(-1)
    pc_slot = np.int64(-1)
    pages_used = np.int64(-1)
    done = 0
    while done < budget:
        if cpu[CPU_EXITED] != 0:
            return RUN_EXITED, done
        if meta[0] != pages_used:
            if not has_headroom(meta, tkeys):
                return RUN_NEED_GROW, done
            pages_used = meta[0]
        pc = cpu[CPU_PC]
        if pc & 3:
            io[IO_CODE] = EXC_UNALIGNED_PC
            io[IO_PC] = pc
            return RUN_EXCEPTION, done
        if logging:
            log_proof(log[0], log[1], log[2], np.uint64(pc))
        page = pc >> 12
        if page != pc_page:
            pc_slot = lookup_slot(tkeys, tvals, page)
            pc_page = page if pc_slot >= 0 else np.int64(-1)
        insn = 0
        if pc_slot >= 0:
            off = pc & 0xFFF
            insn = (
                (word(pages[pc_slot, off]) << 24)
                | (word(pages[pc_slot, off + 1]) << 16)
                | (word(pages[pc_slot, off + 2]) << 8)
                | word(pages[pc_slot, off + 3])
            )
        status = execute(insn, regs, cpu, pkey, mem, log, cache, pre, io)
        if status == OK or status == RUN_HOST_WRITE:  # noqa: SIM109
            cpu[CPU_STEP] += 1
            done += 1
            if status == RUN_HOST_WRITE:
                return status, done
        else:
            io[IO_INSN] = insn
            io[IO_PC] = pc
            return status, done
    return RUN_BUDGET_DONE, done


# --- compiled-code cache --------------------------------------------------------------------------

_INLINED_MODULES = (
    "faultproof.vm.memory",
    "faultproof.vm.mips.constants",
    "faultproof.vm.mips.instructions",
    "faultproof.vm.mips.jit",
    "faultproof.vm.mips.memword",
    "faultproof.vm.mips.syscalls",
)
"""Modules whose code is compiled into :func:`run` (inlined kernels and global constants)."""


def _drop_stale_compiled_run() -> None:
    """Forget the on-disk compiled :func:`run` when a module inlined into it has changed.

    numba's cache (``cache=True``) checks only the timestamp of the file that defines the cached
    function. ``run`` inlines the instruction, syscall and memory kernels from other files, so an edit
    there would silently keep executing the old machine code. A digest of those sources, stored next
    to numba's index, catches that and makes numba recompile (once, ~20 s).
    """
    cache = getattr(run, "_cache", None)
    cache_dir = getattr(cache, "cache_path", None)
    if cache is None or cache_dir is None:
        return
    digest = hashlib.sha256()
    for name in _INLINED_MODULES:
        source = getattr(sys.modules.get(name), "__file__", None)
        if source is None:
            return
        digest.update(name.encode() + b"\0" + Path(source).read_bytes())
    stamp = Path(cache_dir) / "step.run.inlined-sources.sha256"
    try:
        if stamp.read_text() == digest.hexdigest():
            return
    except OSError:
        pass
    try:
        cache.flush()
        stamp.write_text(digest.hexdigest())
    except OSError:
        pass  # a read-only cache directory: numba will not write there either


_drop_stale_compiled_run()
