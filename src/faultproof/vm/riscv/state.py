"""The RISC-V VM state outside memory, and its 362-byte witness encoding (spec §2.1-2.2)."""

from __future__ import annotations

import numpy as np

from faultproof.errors import InvalidState, VMException
from faultproof.vm.interface import state_hash_from_witness
from faultproof.vm.riscv.constants import (
    OFF_EXIT_CODE,
    OFF_EXITED,
    OFF_HEAP,
    OFF_LOAD_RESERVATION,
    OFF_MEM_ROOT,
    OFF_PC,
    OFF_PREIMAGE_KEY,
    OFF_PREIMAGE_OFFSET,
    OFF_REGISTERS,
    OFF_STEP,
    REVERT_NAMES,
    S_EXIT_CODE,
    S_EXITED,
    S_HEAP,
    S_PC,
    S_PREIMAGE_OFFSET,
    S_RESERVATION,
    S_SIZE,
    S_STEP,
    STATE_WITNESS_SIZE,
)


class RiscvRevert(VMException):
    """The guest did something Asterisc's step reverts on; ``code`` is the on-chain revert code."""

    def __init__(self, code: int, pc: int, step: int) -> None:
        self.code = code
        self.pc = pc
        self.step = step
        reason = REVERT_NAMES.get(code, "revert")
        super().__init__(f"revert 0x{code:x} ({reason}) at pc 0x{pc:x}, step {step}")


def new_scalars() -> np.ndarray:
    return np.zeros(S_SIZE, dtype=np.uint64)


def encode_witness(mem_root: bytes, key: bytes, st: np.ndarray, regs: np.ndarray) -> bytes:
    """Pack the state into Asterisc's 362 big-endian bytes."""
    out = bytearray(STATE_WITNESS_SIZE)
    out[OFF_MEM_ROOT : OFF_MEM_ROOT + 32] = mem_root
    out[OFF_PREIMAGE_KEY : OFF_PREIMAGE_KEY + 32] = key
    out[OFF_PREIMAGE_OFFSET : OFF_PREIMAGE_OFFSET + 8] = int(st[S_PREIMAGE_OFFSET]).to_bytes(
        8, "big"
    )
    out[OFF_PC : OFF_PC + 8] = int(st[S_PC]).to_bytes(8, "big")
    out[OFF_EXIT_CODE] = int(st[S_EXIT_CODE]) & 0xFF
    out[OFF_EXITED] = 1 if st[S_EXITED] else 0
    out[OFF_STEP : OFF_STEP + 8] = int(st[S_STEP]).to_bytes(8, "big")
    out[OFF_HEAP : OFF_HEAP + 8] = int(st[S_HEAP]).to_bytes(8, "big")
    out[OFF_LOAD_RESERVATION : OFF_LOAD_RESERVATION + 8] = int(st[S_RESERVATION]).to_bytes(8, "big")
    out[OFF_REGISTERS : OFF_REGISTERS + 256] = regs.astype(">u8").tobytes()
    return bytes(out)


def decode_witness(witness: bytes) -> tuple[bytes, bytes, np.ndarray, np.ndarray]:
    """``(mem_root, key, scalars, registers)`` from a 362-byte witness."""
    if len(witness) != STATE_WITNESS_SIZE:
        raise InvalidState(
            f"RISC-V state witness is {len(witness)} bytes, expected {STATE_WITNESS_SIZE}"
        )
    st = new_scalars()

    def u64(off: int) -> int:
        return int.from_bytes(witness[off : off + 8], "big")

    st[S_PREIMAGE_OFFSET] = u64(OFF_PREIMAGE_OFFSET)
    st[S_PC] = u64(OFF_PC)
    st[S_EXIT_CODE] = witness[OFF_EXIT_CODE]
    st[S_EXITED] = witness[OFF_EXITED]
    st[S_STEP] = u64(OFF_STEP)
    st[S_HEAP] = u64(OFF_HEAP)
    st[S_RESERVATION] = u64(OFF_LOAD_RESERVATION)
    regs = np.frombuffer(witness[OFF_REGISTERS : OFF_REGISTERS + 256], dtype=">u8").astype(
        np.uint64
    )
    return witness[:32], witness[32:64], st, regs


def witness_state_hash(witness: bytes) -> bytes:
    """keccak256 of the witness with the VM status in its top byte (§2.2)."""
    return state_hash_from_witness(witness, witness[OFF_EXITED] != 0, witness[OFF_EXIT_CODE])
