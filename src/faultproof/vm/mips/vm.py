"""The MIPS32 VM object: state, host I/O, witnesses (the :class:`FPVM` the framework sees).

Python does only what the numba step cannot: grow memory, fetch preimages from the host, deliver
stdout/stderr/hint bytes, turn exception codes into :class:`MipsException`, and produce witnesses
(Merkle proofs are replayed from the step's access log, cannon-mips32.md §2.3).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from faultproof.errors import PreimageNotFound, VMException
from faultproof.vm.interface import (
    ISA,
    PreimageHost,
    StepWitness,
    state_hash_from_witness,
)
from faultproof.vm.memory import AccessLog, Memory
from faultproof.vm.mips.constants import (
    CPU_EXIT_CODE,
    CPU_EXITED,
    CPU_FIELDS,
    CPU_HEAP,
    CPU_HI,
    CPU_LO,
    CPU_NEXT_PC,
    CPU_PC,
    CPU_PREIMAGE_OFFSET,
    CPU_STEP,
    EXC_BRANCH_IN_DELAY_SLOT,
    EXC_DIVISION_BY_ZERO,
    EXC_INVALID_INSTRUCTION,
    EXC_JUMP_IN_DELAY_SLOT,
    EXC_PREIMAGE_OUT_OF_BOUNDS,
    EXC_UNALIGNED_PC,
    FD_HINT_WRITE,
    FD_STDERR,
    FD_STDOUT,
    IO_ADDR,
    IO_CODE,
    IO_FD,
    IO_FIELDS,
    IO_INSN,
    IO_LEN,
    IO_PC,
    IO_READ_KEY_OFFSET,
    PROOF_SIZE,
    RUN_BUDGET_DONE,
    RUN_EXCEPTION,
    RUN_EXITED,
    RUN_HOST_WRITE,
    RUN_NEED_GROW,
    RUN_NEED_PREIMAGE,
)
from faultproof.vm.mips.step import run as run_steps

#: Guest writes reach their sink in pieces of this size (a write may name up to 4 GiB).
WRITE_CHUNK = 1 << 20

class MipsException(VMException):
    """The guest did something single-threaded Cannon cannot prove (§3.5). The state is unchanged."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class PreimageOutOfBounds(MipsException):
    """A read from fd 5 at or past the end of ``len8 || preimage``."""


_EXCEPTION_TEXT = {
    EXC_INVALID_INSTRUCTION: "invalid instruction",
    EXC_BRANCH_IN_DELAY_SLOT: "branch in delay slot",
    EXC_JUMP_IN_DELAY_SLOT: "jump in delay slot",
    EXC_DIVISION_BY_ZERO: "division by zero",
    EXC_UNALIGNED_PC: "unaligned pc",
    EXC_PREIMAGE_OUT_OF_BOUNDS: "preimage offset out of bounds",
}

_NO_PREIMAGE = np.zeros(0, dtype=np.uint8)


class MipsVM:
    """A single-threaded Cannon (``singlethreaded-2``) MIPS32 machine."""

    def __init__(
        self,
        memory: Memory | None = None,
        host: PreimageHost | None = None,
        stdout: BinaryIO | None = None,
        stderr: BinaryIO | None = None,
    ) -> None:
        self.memory = memory if memory is not None else Memory(32)
        self.regs = np.zeros(32, dtype=np.uint32)
        self.cpu = np.zeros(CPU_FIELDS, dtype=np.int64)
        self.cpu[CPU_NEXT_PC] = 4
        self.preimage_key_array = np.zeros(32, dtype=np.uint8)
        self.last_hint = b""
        self.host = host
        self.stdout = stdout
        self.stderr = stderr
        self._log = AccessLog.create(False)
        self._io = np.zeros(IO_FIELDS, dtype=np.int64)
        self._cache = np.full(2, -1, dtype=np.int64)
        self._pre_data = _NO_PREIMAGE
        self._pre_key = np.zeros(32, dtype=np.uint8)
        self._pre_meta = np.zeros(1, dtype=np.int64)
        self.num_preimage_requests = 0
        self.pause_on_fetch = False
        self.total_preimage_size = 0

    # -- FPVM properties ---------------------------------------------------------------------------

    @property
    def isa(self) -> ISA:
        from faultproof.vm.mips.isa import MIPS32

        return MIPS32

    @property
    def step_count(self) -> int:
        return int(self.cpu[CPU_STEP])

    @property
    def pc(self) -> int:
        return int(self.cpu[CPU_PC])

    @property
    def next_pc(self) -> int:
        return int(self.cpu[CPU_NEXT_PC])

    @property
    def exited(self) -> bool:
        return bool(self.cpu[CPU_EXITED])

    @property
    def exit_code(self) -> int:
        return int(self.cpu[CPU_EXIT_CODE])

    @property
    def heap(self) -> int:
        return int(self.cpu[CPU_HEAP])

    @property
    def lo(self) -> int:
        return int(self.cpu[CPU_LO])

    @property
    def hi(self) -> int:
        return int(self.cpu[CPU_HI])

    @property
    def preimage_key(self) -> bytes:
        return self.preimage_key_array.tobytes()

    @property
    def preimage_offset(self) -> int:
        return int(self.cpu[CPU_PREIMAGE_OFFSET])

    @property
    def page_count(self) -> int:
        return self.memory.page_count

    def debug_info(self) -> dict[str, int]:
        return {
            "pages": self.memory.page_count,
            "memory_used": self.memory.page_count * 4096,
            "num_preimage_requests": self.num_preimage_requests,
            "total_preimage_size": self.total_preimage_size,
        }

    # -- witness -----------------------------------------------------------------------------------

    def encode_witness(self, mem_root: bytes | None = None) -> bytes:
        """The 226-byte packed big-endian state (§1.2); ``mem_root`` overrides the memory's root."""
        c = self.cpu
        return b"".join(
            [
                self.memory.merkle_root() if mem_root is None else mem_root,
                self.preimage_key,
                struct.pack(
                    ">IIIIIIBBQ",
                    int(c[CPU_PREIMAGE_OFFSET]),
                    int(c[CPU_PC]),
                    int(c[CPU_NEXT_PC]),
                    int(c[CPU_LO]),
                    int(c[CPU_HI]),
                    int(c[CPU_HEAP]),
                    int(c[CPU_EXIT_CODE]),
                    int(c[CPU_EXITED]),
                    int(c[CPU_STEP]),
                ),
                self.regs.astype(">u4").tobytes(),
            ]
        )

    def state_hash(self) -> bytes:
        """keccak256(witness) with the VM status in the top byte (§1.3)."""
        return state_hash_from_witness(self.encode_witness(), self.exited, self.exit_code)

    # -- execution ---------------------------------------------------------------------------------

    def run(self, max_steps: int | None = None) -> int:
        """Run until exit or ``max_steps`` more steps; returns the steps executed.

        With ``pause_on_fetch`` it also returns right after fetching a preimage from the host,
        before the step that reads it.
        """
        budget = (1 << 62) if max_steps is None else max_steps
        done = 0
        fetches = self.num_preimage_requests
        while done < budget and not self.exited:
            done += self._run_chunk(budget - done)
            if self.pause_on_fetch and self.num_preimage_requests != fetches:
                break
        return done

    @property
    def loaded_preimage_size(self) -> int:
        """See :attr:`faultproof.vm.interface.FPVM.loaded_preimage_size`."""
        return max(0, len(self._pre_data) - 8)

    def _run_chunk(self, budget: int) -> int:
        """One call into the numba loop plus the host service it asked for."""
        mem = self.memory.arrays
        status, n = run_steps(
            self.regs,
            self.cpu,
            self.preimage_key_array,
            mem,
            self._log.arrays(),
            self._cache,
            (self._pre_data, self._pre_key, self._pre_meta),
            self._io,
            budget,
        )
        n = int(n)
        if n:
            self.memory.invalidate()
        if status in (RUN_BUDGET_DONE, RUN_EXITED):
            return n
        if status == RUN_NEED_GROW:
            self.memory.grow()
        elif status == RUN_NEED_PREIMAGE:
            self._fetch_preimage()
        elif status == RUN_HOST_WRITE:
            self._deliver_write(int(self._io[IO_FD]), int(self._io[IO_ADDR]), int(self._io[IO_LEN]))
        elif status == RUN_EXCEPTION:
            self._raise_exception()
        return n

    def _raise_exception(self) -> None:
        code = int(self._io[IO_CODE])
        text = _EXCEPTION_TEXT.get(code, f"exception {code}")
        where = f"at step {self.step_count}, pc 0x{int(self._io[IO_PC]):08x}"
        if code == EXC_UNALIGNED_PC:
            raise MipsException(code, f"{text} {where}: instructions must be 4-byte aligned")
        insn = int(self._io[IO_INSN])
        if code == EXC_PREIMAGE_OUT_OF_BOUNDS:
            raise PreimageOutOfBounds(
                code,
                f"{text} {where}: offset {self.preimage_offset} >= {len(self._pre_data)} "
                f"(8-byte length prefix + preimage) for key 0x{self.preimage_key.hex()}; "
                "a guest must stop reading fd 5 after exactly 8 + len bytes",
            )
        raise MipsException(
            code, f"{text} {where} (instruction 0x{insn:08x}); the step cannot be proven on chain"
        )

    def _fetch_preimage(self) -> None:
        key = self.preimage_key
        if self.host is None:
            raise PreimageNotFound(
                f"the guest reads preimage 0x{key.hex()} at step {self.step_count} but no host "
                "was given (pass a preimage host, e.g. `run -- <host command>`)"
            )
        data = self.host.get_preimage(key)
        self.num_preimage_requests += 1
        self.total_preimage_size += len(data)
        self._pre_data = np.frombuffer(len(data).to_bytes(8, "big") + bytes(data), dtype=np.uint8)
        self._pre_key = self.preimage_key_array.copy()
        self._pre_meta[0] = 1

    def _deliver_write(self, fd: int, addr: int, length: int) -> None:
        """Pass a guest's write on to its sink, streamed in chunks.

        A write may name up to 4 GiB; on chain it is a cheap no-op, so off chain it must not build
        one huge buffer either (and costs nothing when nobody listens).
        """
        length = min(length, (1 << 32) - addr)
        if length <= 0:
            return
        sink = {FD_STDOUT: self.stdout, FD_STDERR: self.stderr}.get(fd)
        for start in range(addr, addr + length, WRITE_CHUNK):
            if fd == FD_HINT_WRITE:
                self._hint_bytes(self.memory.read(start, min(WRITE_CHUNK, addr + length - start)))
            elif sink is not None:
                sink.write(self.memory.read(start, min(WRITE_CHUNK, addr + length - start)))

    def _hint_bytes(self, data: bytes) -> None:
        """Buffer hint bytes; pass each complete ``len32 || hint`` to the host (§5.3)."""
        buf = self.last_hint + data
        while len(buf) >= 4:
            n = int.from_bytes(buf[:4], "big")
            if n > len(buf) - 4:
                break
            hint = buf[4 : 4 + n]
            buf = buf[4 + n :]
            if self.host is not None:
                self.host.hint(hint)
        self.last_hint = buf

    def step(self, proof: bool = False) -> StepWitness | None:
        """Execute one instruction; with ``proof`` return the pre-state's witness (§2.3, §6.5)."""
        if not proof:
            self._single_step()
            return None
        state = self.encode_witness()
        state_hash = state_hash_from_witness(state, self.exited, self.exit_code)
        step = self.step_count
        if self.exited:
            return StepWitness(
                step, state, state_hash, self.memory.merkle_proof(self.pc) + bytes(PROOF_SIZE)
            )
        self._io[IO_READ_KEY_OFFSET] = -1
        key_before = self.preimage_key
        self._log.start()
        try:
            self._single_step()
        finally:
            self._log.stop()
        proofs = self.memory.replay_proofs(self._log)
        self.memory.invalidate()
        if len(proofs) == 1:
            proofs.append(bytes(PROOF_SIZE))
        read_offset = int(self._io[IO_READ_KEY_OFFSET])
        if read_offset >= 0:
            return StepWitness(
                step,
                state,
                state_hash,
                b"".join(proofs),
                preimage_key=key_before,
                preimage_value=self._pre_data.tobytes(),
                preimage_offset=read_offset,
            )
        return StepWitness(step, state, state_hash, b"".join(proofs))

    def last_step_proofs(self) -> list[bytes]:
        """See :meth:`faultproof.vm.interface.FPVM.last_step_proofs`."""
        return self.memory.replay_proofs(self._log)

    def _single_step(self) -> None:
        if self.exited:
            return
        start = self.step_count
        while self.step_count == start and not self.exited:
            self._log.meta[0] = 0  # a retried step (after a grow or fetch) logs from scratch
            self._run_chunk(1)

    # -- copies and files ----------------------------------------------------------------------------

    def snapshot(self) -> MipsVM:
        other = MipsVM(self.memory.copy(), self.host, self.stdout, self.stderr)
        other.regs[:] = self.regs
        other.cpu[:] = self.cpu
        other.preimage_key_array[:] = self.preimage_key_array
        other.last_hint = self.last_hint
        return other

    def save(self, path: Path) -> None:
        from faultproof.vm.mips.statefile import save_state

        save_state(self, path)

    def set_registers(self, values: list[int]) -> None:
        for i, v in enumerate(values):
            self.regs[i] = v & 0xFFFFFFFF
