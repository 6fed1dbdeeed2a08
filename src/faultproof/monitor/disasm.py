"""The instruction a step executes, read from its witness and disassembled with capstone.

A step's pre-state witness carries the program counter; its first memory proof starts with the
32-byte leaf that holds the instruction there (Cannon and Asterisc put the instruction fetch
first). The witness length tells the machine apart: 226 bytes is MIPS32 (big-endian, pc at byte
68), 362 bytes is RISC-V 64 (pc at byte 72, instructions little-endian, compressed ones allowed).
"""

from __future__ import annotations

from dataclasses import dataclass

import capstone

MIPS32_WITNESS = 226
MIPS32_PC_OFFSET = 68
RISCV64_WITNESS = 362
RISCV64_PC_OFFSET = 72
LEAF = 32


@dataclass(frozen=True)
class Instruction:
    """One disassembled instruction."""

    machine: str
    """``mips32`` or ``riscv64``."""
    pc: int
    raw: bytes
    text: str
    """``mnemonic operands``, or ``(undecodable)``."""

    def __str__(self) -> str:
        return f"0x{self.pc:x}: {self.raw.hex()}  {self.text}"


def disassemble(machine: str, pc: int, raw: bytes) -> Instruction:
    """Disassemble one instruction of ``machine`` (``mips32`` big-endian, or ``riscv64`` with C)."""
    if machine == "mips32":
        md = capstone.Cs(
            capstone.CS_ARCH_MIPS, capstone.CS_MODE_MIPS32 | capstone.CS_MODE_BIG_ENDIAN
        )
    else:
        md = capstone.Cs(capstone.CS_ARCH_RISCV, capstone.CS_MODE_RISCV64 | capstone.CS_MODE_RISCVC)
    for insn in md.disasm(raw, pc, 1):
        return Instruction(machine, pc, raw[: insn.size], f"{insn.mnemonic} {insn.op_str}".strip())
    return Instruction(machine, pc, raw, "(undecodable)")


def instruction_of_step(prestate: bytes, proof: bytes) -> Instruction | None:
    """The instruction a step with this witness executes, or None for a witness we cannot read
    (an exited state has no proof: it steps to itself)."""
    if len(prestate) == MIPS32_WITNESS:
        pc = int.from_bytes(prestate[MIPS32_PC_OFFSET : MIPS32_PC_OFFSET + 4], "big")
        if len(proof) < LEAF or pc & 3:
            return None
        off = pc & (LEAF - 1)
        return disassemble("mips32", pc, proof[off : off + 4])
    if len(prestate) == RISCV64_WITNESS:
        pc = int.from_bytes(prestate[RISCV64_PC_OFFSET : RISCV64_PC_OFFSET + 8], "big")
        if len(proof) < LEAF:
            return None
        off = pc & (LEAF - 1)
        raw = proof[off : min(off + 4, LEAF)]
        if len(raw) < 4 and raw[0] & 3 == 3:  # a 32-bit instruction across two leaves
            proof_size = _riscv_proof_size(len(proof))
            raw += proof[proof_size : proof_size + 2]
        return disassemble("riscv64", pc, raw)
    return None


def _riscv_proof_size(total: int) -> int:
    """RISC-V 64 memory proofs are the leaf plus 59 siblings (60 words)."""
    return 60 * 32 if total >= 2 * 60 * 32 else total
