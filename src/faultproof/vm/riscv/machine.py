"""One step of the machine and the run loop (spec §2.3, §4): fetch, decode, execute, advance pc.

This is the only copy of the semantics. Without an access log it is the fast path; with the log
enabled (one step at a time) the same code requests the memory proofs of the witness.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from faultproof.vm.memory import NO_NRT, has_headroom, log_proof
from faultproof.vm.riscv import alu, control
from faultproof.vm.riscv.atomics import execute_amo
from faultproof.vm.riscv.bits import ZERO, U, funct3, funct7, imm_b, imm_i, imm_j, imm_s, imm_u
from faultproof.vm.riscv.compressed import expand
from faultproof.vm.riscv.constants import (
    ERR_FETCH_STRADDLE,
    ERR_ILLEGAL,
    ERR_MISALIGNED,
    ERR_STORE_SIZE,
    ERR_UNKNOWN_OPCODE,
    OP_AMO,
    OP_AUIPC,
    OP_BRANCH,
    OP_FP,
    OP_IMM,
    OP_IMM_32,
    OP_JAL,
    OP_JALR,
    OP_LOAD,
    OP_LOAD_FP,
    OP_LUI,
    OP_MISC_MEM,
    OP_OP,
    OP_OP_32,
    OP_STORE,
    OP_STORE_FP,
    OP_SYSTEM,
    RUN_BUDGET,
    RUN_EXITED,
    RUN_GROW,
    RUN_NEED_PREIMAGE,
    RUN_OUTPUT,
    RUN_REVERT,
    S_COMPRESSED,
    S_EXITED,
    S_PC,
    S_REVERT,
    S_STEP,
)
from faultproof.vm.riscv.lsu import load_mem, read_le, store_mem
from faultproof.vm.riscv.syscalls import SIG_NEED_PREIMAGE, SIG_OUTPUT, execute_syscall

CONTINUE = np.int64(-1)


@njit(cache=True, **NO_NRT, inline="always")
def fetch(mem, log, pc: np.uint64, compressed: bool) -> tuple[np.uint64, np.uint64, np.int64]:  # type: ignore[no-untyped-def]
    """``(instruction, length, error)``. Proof 0 is the leaf of pc; riscv64c adds the next leaf
    as the second fetch proof when a 32-bit instruction starts at the last halfword of a leaf."""
    log_meta, log_kind, log_addr = log[0], log[1], log[2]
    log_proof(log_meta, log_kind, log_addr, pc)
    if not compressed:
        if (pc & U(31)) > U(28):
            return ZERO, U(4), np.int64(ERR_FETCH_STRADDLE)
        return read_le(mem, pc, 4), U(4), np.int64(0)
    if (pc & U(1)) != ZERO:
        return ZERO, U(2), np.int64(ERR_MISALIGNED)
    lo = read_le(mem, pc, 2)
    if (lo & U(3)) != U(3):
        instr = expand(lo)
        if instr == ZERO:
            return ZERO, U(2), np.int64(ERR_ILLEGAL)
        return instr, U(2), np.int64(0)
    if (pc & U(31)) == U(30):
        log_proof(log_meta, log_kind, log_addr, pc + U(2))
    return lo | (read_le(mem, pc + U(2), 2) << U(16)), U(4), np.int64(0)


@njit(cache=True, **NO_NRT, inline="always")
def set_reg(regs: np.ndarray, rd: np.int64, v: np.uint64) -> None:
    if rd != 0:
        regs[rd] = v


@njit(cache=True, **NO_NRT, inline="always")
def execute(
    instr: np.uint64,
    ilen: np.uint64,
    regs: np.ndarray,
    st: np.ndarray,
    key: np.ndarray,
    pre: np.ndarray,
    mem: Any,
    log: Any,
) -> tuple[np.int64, np.int64]:
    """Execute one decoded instruction: ``(revert code or 0, syscall signal)``; sets pc."""
    pc = st[S_PC]
    next_pc = pc + ilen
    opc = instr & U(0x7F)
    rd = np.int64((instr >> U(7)) & U(0x1F))
    rs1 = np.int64((instr >> U(15)) & U(0x1F))
    rs2 = np.int64((instr >> U(20)) & U(0x1F))
    f3 = funct3(instr)
    align = U(1) if st[S_COMPRESSED] != ZERO else U(3)
    if opc == U(OP_IMM):
        v, err = alu.op_imm(instr, f3, regs[rs1], imm_i(instr))
        if err != 0:
            return err, np.int64(0)
        set_reg(regs, rd, v)
    elif opc == U(OP_OP):
        v, err = alu.op_reg(f3, funct7(instr), regs[rs1], regs[rs2])
        if err != 0:
            return err, np.int64(0)
        set_reg(regs, rd, v)
    elif opc == U(OP_LOAD):
        if f3 == U(7):
            return np.int64(ERR_ILLEGAL), np.int64(0)
        size = np.int64(1) << np.int64(f3 & U(3))
        v = load_mem(mem, log, regs[rs1] + imm_i(instr), size, (f3 & U(4)) == ZERO)
        set_reg(regs, rd, v)
    elif opc == U(OP_STORE):
        if f3 >= U(4):
            return np.int64(ERR_STORE_SIZE), np.int64(0)
        store_mem(mem, log, regs[rs1] + imm_s(instr), regs[rs2], np.int64(1) << np.int64(f3))
    elif opc == U(OP_BRANCH):
        if control.branch_taken(f3, regs[rs1], regs[rs2]):
            target = pc + imm_b(instr)
            if control.target_misaligned(target, align):
                return np.int64(ERR_MISALIGNED), np.int64(0)
            next_pc = target
    elif opc == U(OP_IMM_32):
        v, err = alu.op_imm_32(instr, f3, regs[rs1], imm_i(instr))
        if err != 0:
            return err, np.int64(0)
        set_reg(regs, rd, v)
    elif opc == U(OP_OP_32):
        v, err = alu.op_reg_32(f3, funct7(instr), regs[rs1], regs[rs2])
        if err != 0:
            return err, np.int64(0)
        set_reg(regs, rd, v)
    elif opc == U(OP_LUI):
        set_reg(regs, rd, imm_u(instr) << U(12))
    elif opc == U(OP_AUIPC):
        set_reg(regs, rd, pc + (imm_u(instr) << U(12)))
    elif opc == U(OP_JAL):
        target = pc + imm_j(instr)
        if control.target_misaligned(target, align):
            return np.int64(ERR_MISALIGNED), np.int64(0)
        set_reg(regs, rd, next_pc)
        next_pc = target
    elif opc == U(OP_JALR):
        target = control.jalr_target(regs[rs1], imm_i(instr))  # rs1 read before rd is written
        if control.target_misaligned(target, align):
            return np.int64(ERR_MISALIGNED), np.int64(0)
        set_reg(regs, rd, next_pc)
        next_pc = target
    elif opc == U(OP_SYSTEM):
        if f3 == ZERO:
            if (instr >> U(20)) == ZERO:  # ECALL; EBREAK, MRET, WFI... are no-ops
                err, sig = execute_syscall(regs, st, key, pre, mem, log)
                if err != 0 or sig == SIG_NEED_PREIMAGE:
                    return err, sig
                st[S_PC] = next_pc
                return np.int64(0), sig
        else:  # Zicsr: every CSR reads as 0 and nothing is written
            set_reg(regs, rd, ZERO)
    elif opc == U(OP_AMO):
        err = execute_amo(instr, regs, st, mem, log)
        if err != 0:
            return err, np.int64(0)
    elif opc == U(OP_MISC_MEM) or opc == U(OP_LOAD_FP) or opc == U(OP_STORE_FP) or opc == U(OP_FP):
        pass  # FENCE*, and F/D loads, stores and arithmetic: no-ops as in Asterisc
    else:
        return np.int64(ERR_UNKNOWN_OPCODE), np.int64(0)
    st[S_PC] = next_pc
    return np.int64(0), np.int64(0)


@njit(cache=True, **NO_NRT, inline="always")
def step_once(
    regs: np.ndarray, st: np.ndarray, key: np.ndarray, pre: np.ndarray, mem: Any, log: Any
) -> np.int64:
    """One state transition (the caller has checked ``exited`` and memory headroom)."""
    st[S_STEP] += U(1)
    instr, ilen, err = fetch(mem, log, st[S_PC], st[S_COMPRESSED] != ZERO)
    if err == 0:
        err, sig = execute(instr, ilen, regs, st, key, pre, mem, log)
    else:
        sig = np.int64(0)
    if err != 0:
        st[S_REVERT] = U(err)
        return np.int64(RUN_REVERT)
    if sig == SIG_NEED_PREIMAGE:
        st[S_STEP] -= U(1)  # not executed: Python fetches the preimage and runs it again
        return np.int64(RUN_NEED_PREIMAGE)
    if sig == SIG_OUTPUT:
        return np.int64(RUN_OUTPUT)
    if st[S_EXITED] != ZERO:
        return np.int64(RUN_EXITED)
    return CONTINUE


@njit(cache=True, **NO_NRT)
def run(
    regs: np.ndarray,
    st: np.ndarray,
    key: np.ndarray,
    pre: np.ndarray,
    mem: Any,
    log: Any,
    max_steps: np.int64,
) -> np.int64:
    """Execute up to ``max_steps`` instructions; stop early for exit, host I/O, growth or revert."""
    meta, tkeys = mem[3], mem[1]
    n = np.int64(0)
    while n < max_steps:
        if st[S_EXITED] != ZERO:
            return np.int64(RUN_EXITED)
        if not has_headroom(meta, tkeys):
            return np.int64(RUN_GROW)
        status = step_once(regs, st, key, pre, mem, log)
        if status == np.int64(RUN_NEED_PREIMAGE):
            return status
        n += 1
        if status != CONTINUE:
            return status
    return np.int64(RUN_BUDGET)
