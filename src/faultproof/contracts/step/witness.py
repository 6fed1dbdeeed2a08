"""Hand-built step witnesses: a tiny sparse Merkle memory, packed states, instruction encoders.

Used by the step-contract tests and `bench/step_gas.py`. Deliberately independent of
`faultproof.vm` (the off-chain VMs are a separate implementation, compared with the contracts by
the differential tests), so a bug shared by both sides cannot hide itself.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace

from faultproof.crypto import keccak256
from faultproof.vm.mips.encode import i_type as i_type
from faultproof.vm.mips.encode import j_type as j_type
from faultproof.vm.mips.encode import r_type as r_type
from faultproof.vm.riscv.encode import enc_b, enc_i, enc_j, enc_r, enc_s, enc_u

ZERO_HASHES: list[bytes] = [b"\x00" * 32]
for _ in range(64):
    ZERO_HASHES.append(keccak256(ZERO_HASHES[-1] + ZERO_HASHES[-1]))

STEP_SELECTOR = bytes.fromhex("e14ced32")


class SparseMemory:
    """Byte memory with 32-byte leaves over a binary Merkle tree of `depth` levels."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.leaves: dict[int, bytearray] = {}

    def copy(self) -> SparseMemory:
        m = SparseMemory(self.depth)
        m.leaves = {k: bytearray(v) for k, v in self.leaves.items()}
        return m

    def write(self, addr: int, data: bytes) -> None:
        for i, b in enumerate(data):
            a = (addr + i) % (1 << (self.depth + 5))
            leaf = self.leaves.setdefault(a >> 5, bytearray(32))
            leaf[a & 31] = b

    def read(self, addr: int, n: int) -> bytes:
        out = bytearray()
        for i in range(n):
            a = (addr + i) % (1 << (self.depth + 5))
            out.append(self.leaves.get(a >> 5, bytes(32))[a & 31])
        return bytes(out)

    def write_u32_be(self, addr: int, val: int) -> None:
        self.write(addr, (val & 0xFFFFFFFF).to_bytes(4, "big"))

    def _node(self, keys: list[int], height: int, index: int,
              cache: dict[tuple[int, int], bytes]) -> bytes:
        lo, hi = index << height, (index + 1) << height
        i = bisect.bisect_left(keys, lo)
        if i == len(keys) or keys[i] >= hi:
            return ZERO_HASHES[height]
        if height == 0:
            return bytes(self.leaves[index])
        hit = cache.get((height, index))
        if hit is None:
            hit = keccak256(self._node(keys, height - 1, 2 * index, cache)
                            + self._node(keys, height - 1, 2 * index + 1, cache))
            cache[(height, index)] = hit
        return hit

    def root(self) -> bytes:
        return self._node(sorted(self.leaves), self.depth, 0, {})

    def proof(self, addr: int) -> bytes:
        """leaf ‖ siblings bottom-up: (depth + 1) * 32 bytes."""
        keys = sorted(self.leaves)
        cache: dict[tuple[int, int], bytes] = {}
        path = addr >> 5
        out = bytes(self.leaves.get(path, bytes(32)))
        for level in range(self.depth):
            out += self._node(keys, level, (path >> level) ^ 1, cache)
        return out


def status_hash(witness: bytes, exited: int, exit_code: int) -> bytes:
    h = bytearray(keccak256(witness))
    if not exited:
        h[0] = 3
    else:
        h[0] = 0 if exit_code == 0 else 1 if exit_code == 1 else 2
    return bytes(h)


@dataclass
class MipsState:
    """Single-threaded Cannon state (spec §1.1); registers as a 32-list."""

    mem_root: bytes = ZERO_HASHES[27]
    preimage_key: bytes = b"\x00" * 32
    preimage_offset: int = 0
    pc: int = 0
    next_pc: int = 4
    lo: int = 0
    hi: int = 0
    heap: int = 0
    exit_code: int = 0
    exited: int = 0
    step: int = 0
    registers: list[int] = field(default_factory=lambda: [0] * 32)

    def pack(self) -> bytes:
        out = self.mem_root + self.preimage_key
        for v in (self.preimage_offset, self.pc, self.next_pc, self.lo, self.hi, self.heap):
            out += v.to_bytes(4, "big")
        out += bytes([self.exit_code, self.exited]) + self.step.to_bytes(8, "big")
        out += b"".join(r.to_bytes(4, "big") for r in self.registers)
        return out

    def hash(self) -> bytes:
        return status_hash(self.pack(), self.exited, self.exit_code)

    def clone(self, **kw: object) -> MipsState:
        return replace(self, registers=list(self.registers), **kw)  # type: ignore[arg-type]


@dataclass
class RiscvState:
    """Asterisc state (spec §2.1)."""

    mem_root: bytes = ZERO_HASHES[59]
    preimage_key: bytes = b"\x00" * 32
    preimage_offset: int = 0
    pc: int = 0
    exit_code: int = 0
    exited: int = 0
    step: int = 0
    heap: int = 0
    load_reservation: int = 0
    registers: list[int] = field(default_factory=lambda: [0] * 32)

    def pack(self) -> bytes:
        out = self.mem_root + self.preimage_key
        out += self.preimage_offset.to_bytes(8, "big") + self.pc.to_bytes(8, "big")
        out += bytes([self.exit_code, self.exited])
        out += self.step.to_bytes(8, "big") + self.heap.to_bytes(8, "big")
        out += self.load_reservation.to_bytes(8, "big")
        out += b"".join((r % (1 << 64)).to_bytes(8, "big") for r in self.registers)
        return out

    def hash(self) -> bytes:
        return status_hash(self.pack(), self.exited, self.exit_code)

    def clone(self, **kw: object) -> RiscvState:
        return replace(self, registers=list(self.registers), **kw)  # type: ignore[arg-type]


def _pad32(b: bytes) -> bytes:
    return b + b"\x00" * (-len(b) % 32)


def step_calldata(state: bytes, proof: bytes, local_context: bytes = b"\x00" * 32) -> bytes:
    """Canonical ABI encoding of step(bytes,bytes,bytes32), built by hand so tests can bend it."""
    head_state = 0x60
    head_proof = 0x60 + 32 + len(_pad32(state))
    return (
        STEP_SELECTOR
        + head_state.to_bytes(32, "big")
        + head_proof.to_bytes(32, "big")
        + local_context
        + len(state).to_bytes(32, "big")
        + _pad32(state)
        + len(proof).to_bytes(32, "big")
        + _pad32(proof)
    )


def preimage_key_keccak(data: bytes) -> bytes:
    return b"\x02" + keccak256(data)[1:]


def localize(key: bytes, caller: str, local_context: bytes) -> bytes:
    h = keccak256(key + bytes(12) + bytes.fromhex(caller[2:]) + local_context)
    return b"\x01" + h[1:]


def revert_string(data: bytes) -> str | None:
    """The reason of a Solidity-style ``Error(string)`` revert, else None."""
    from eth_abi.abi import decode

    if data[:4] != bytes.fromhex("08c379a0"):
        return None
    return str(decode(["string"], data[4:])[0])


def mips_proofs(mem: SparseMemory, pc: int, data_addr: int | None) -> bytes:
    """Instruction proof plus the data-word proof (or 896 zero bytes, as Go emits)."""
    second = mem.proof(data_addr & ~3) if data_addr is not None else bytes(896)
    return mem.proof(pc) + second


# --- encoders: the bit layouts live in faultproof.vm.{mips,riscv}.encode -----------------------
# The MIPS ones are re-exported as they are; the rv_* helpers keep the argument order these
# tests and benchmarks were written in (opcode first, fields in source order).


def rv_r(opcode: int, rd: int, funct3: int, rs1: int, rs2: int, funct7: int) -> int:
    return enc_r(opcode, funct3, funct7, rd, rs1, rs2)


def rv_i(opcode: int, rd: int, funct3: int, rs1: int, imm: int) -> int:
    return enc_i(opcode, funct3, rd, rs1, imm)


def rv_s(opcode: int, funct3: int, rs1: int, rs2: int, imm: int) -> int:
    return enc_s(funct3, rs1, rs2, imm, op=opcode)


def rv_b(funct3: int, rs1: int, rs2: int, off: int) -> int:
    return enc_b(funct3, rs1, rs2, off)


def rv_u(opcode: int, rd: int, imm20: int) -> int:
    return enc_u(opcode, rd, imm20)


def rv_j(rd: int, off: int) -> int:
    return enc_j(rd, off)


def riscv_calldata(state: bytes, proofs: list[bytes], local_context: bytes = b"\x00" * 32) -> bytes:
    return step_calldata(state, b"".join(proofs), local_context)
