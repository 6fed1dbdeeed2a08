"""``RiscvVM``: the FPVM object the rest of faultproof uses, around the numba machine.

Python only does what needs the outside world: fetching preimages from the host, forwarding hints and
stdout/stderr, growing memory, turning the access log into memory proofs, and state files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from faultproof.errors import FaultproofError, PreimageNotFound
from faultproof.vm.interface import ISA, StepWitness
from faultproof.vm.memory import AccessLog, Memory
from faultproof.vm.riscv import machine
from faultproof.vm.riscv.constants import (
    FD_HINT_WRITE,
    FD_STDERR,
    RUN_BUDGET,
    RUN_EXITED,
    RUN_GROW,
    RUN_NEED_PREIMAGE,
    RUN_OUTPUT,
    RUN_REVERT,
    S_COMPRESSED,
    S_EXIT_CODE,
    S_EXITED,
    S_HEAP,
    S_IO_ADDR,
    S_IO_FD,
    S_IO_LEN,
    S_PC,
    S_PREIMAGE_LEN,
    S_PREIMAGE_LOADED,
    S_PREIMAGE_OFFSET,
    S_PREIMAGE_READ,
    S_RESERVATION,
    S_REVERT,
    S_STEP,
)
from faultproof.vm.riscv.state import RiscvRevert, encode_witness, new_scalars, witness_state_hash

MAX_CHUNK = 1 << 62


#: Guest writes reach their sink in pieces of this size (a write may name gigabytes).
WRITE_CHUNK = 1 << 20
#: At most this much of one guest write reaches the sink (see ``_output``).
MAX_WRITE_DELIVERED = 1 << 32

class NoPreimageHost(FaultproofError):
    """The guest read a preimage but the VM was started without a host to serve it."""


class RiscvVM:
    """An Asterisc-compatible RV64IMA machine (``riscv64``) or its RV64IMAC variant (``riscv64c``)."""

    def __init__(
        self,
        compressed: bool = False,
        host: Any = None,
        stdout: BinaryIO | None = None,
        stderr: BinaryIO | None = None,
    ) -> None:
        self.memory = Memory(address_bits=64)
        self.regs = np.zeros(32, dtype=np.uint64)
        self.st = new_scalars()
        self.st[S_COMPRESSED] = 1 if compressed else 0
        self.key = np.zeros(32, dtype=np.uint8)
        self.pre = np.zeros(8, dtype=np.uint8)
        self.preimage_stream = b""
        self.last_hint = bytearray()
        self.num_preimage_requests = 0
        self.total_preimage_size = 0
        self.pause_on_fetch = False
        self.host = host
        self.stdout = stdout
        self.stderr = stderr
        self._log = AccessLog.create(False)

    # -- FPVM properties ---------------------------------------------------------------------------

    @property
    def compressed(self) -> bool:
        return bool(self.st[S_COMPRESSED])

    @property
    def isa(self) -> ISA:
        from faultproof.vm.interface import get_isa

        return get_isa("riscv64c" if self.compressed else "riscv64")

    @property
    def step_count(self) -> int:
        return int(self.st[S_STEP])

    @property
    def pc(self) -> int:
        return int(self.st[S_PC])

    @property
    def exited(self) -> bool:
        return bool(self.st[S_EXITED])

    @property
    def exit_code(self) -> int:
        return int(self.st[S_EXIT_CODE])

    @property
    def heap(self) -> int:
        return int(self.st[S_HEAP])

    @property
    def load_reservation(self) -> int:
        return int(self.st[S_RESERVATION])

    @property
    def preimage_offset(self) -> int:
        return int(self.st[S_PREIMAGE_OFFSET])

    @property
    def preimage_key(self) -> bytes:
        return self.key.tobytes()

    @property
    def page_count(self) -> int:
        return self.memory.page_count

    def register(self, i: int) -> int:
        return int(self.regs[i])

    def set_register(self, i: int, value: int) -> None:
        if i != 0:
            self.regs[i] = value & (2**64 - 1)

    # -- execution ---------------------------------------------------------------------------------

    def run(self, max_steps: int | None = None) -> int:
        """Run until exit or ``max_steps`` more steps; returns the number of steps executed."""
        start = self.step_count
        budget = MAX_CHUNK if max_steps is None else max_steps
        self._execute(budget, self.pause_on_fetch)
        return self.step_count - start

    @property
    def loaded_preimage_size(self) -> int:
        """See :attr:`faultproof.vm.interface.FPVM.loaded_preimage_size`."""
        return max(0, len(self.preimage_stream) - 8)

    def _execute(self, budget: int, pause_on_fetch: bool = False) -> None:
        """Up to ``budget`` steps; with ``pause_on_fetch``, return right after a preimage fetch
        (before the step that reads it; ``run`` only, a proof step always completes)."""
        while budget > 0 and not self.exited:
            before = self.step_count
            status = int(
                machine.run(
                    self.regs,
                    self.st,
                    self.key,
                    self.pre,
                    self.memory.arrays,
                    self._log.arrays(),
                    np.int64(budget),
                )
            )
            budget -= self.step_count - before
            if status in (RUN_BUDGET, RUN_EXITED):
                break
            if status == RUN_GROW:
                self.memory.grow()
            elif status == RUN_NEED_PREIMAGE:
                self._load_preimage()
                if self._log.meta[1]:
                    self._log.start()  # forget the fetch proof of the attempt that stopped
                if pause_on_fetch:
                    break
            elif status == RUN_OUTPUT:
                self._output()
            elif status == RUN_REVERT:
                self.memory.invalidate()
                raise RiscvRevert(int(self.st[S_REVERT]), self.pc, self.step_count)
        self.memory.invalidate()

    def _load_preimage(self) -> None:
        if self.host is None:
            raise NoPreimageHost(
                f"the guest reads preimage 0x{self.preimage_key.hex()} but no preimage host was given"
            )
        data = self.host.get_preimage(self.preimage_key)
        if data is None:
            raise PreimageNotFound(f"host has no preimage for key 0x{self.preimage_key.hex()}")
        self.num_preimage_requests += 1
        self.total_preimage_size += len(data)
        self._set_preimage(bytes(data))

    def _set_preimage(self, data: bytes) -> None:
        stream = len(data).to_bytes(8, "big") + data
        self.preimage_stream = stream
        self.pre = np.frombuffer(stream, dtype=np.uint8).copy()
        self.st[S_PREIMAGE_LEN] = len(stream)
        self.st[S_PREIMAGE_LOADED] = 1

    def _output(self) -> None:
        fd, addr, n = int(self.st[S_IO_FD]), int(self.st[S_IO_ADDR]), int(self.st[S_IO_LEN])
        if n == 0:
            return
        # Streamed in chunks: a write may name gigabytes (a cheap no-op on chain), so off chain it
        # must not build one huge buffer, and costs nothing when nobody listens. Output never
        # touches the state, so delivering at most 4 GiB of one write (MIPS32's whole address
        # space) changes no state hash; it only bounds what a hostile guest can make us copy.
        end = min(addr + n, 2**64, addr + MAX_WRITE_DELIVERED)
        sink = self.stderr if fd == FD_STDERR else self.stdout
        if fd != FD_HINT_WRITE and sink is None:
            return
        for start in range(addr, end, WRITE_CHUNK):
            data = self.memory.read(start, min(WRITE_CHUNK, end - start))
            if fd == FD_HINT_WRITE:
                self._hint(data)
            elif sink is not None:
                sink.write(data)

    def _hint(self, data: bytes) -> None:
        """Buffer hint bytes; forward every complete ``u32 length || payload`` hint to the host."""
        self.last_hint += data
        while len(self.last_hint) >= 4:
            n = int.from_bytes(self.last_hint[:4], "big")
            if len(self.last_hint) < 4 + n:
                break
            hint = bytes(self.last_hint[4 : 4 + n])
            del self.last_hint[: 4 + n]
            if self.host is not None:
                self.host.hint(hint)

    def step(self, proof: bool = False) -> StepWitness | None:
        """Execute one instruction; with ``proof`` return the witness of the pre-state."""
        if not proof:
            self._execute(1)
            return None
        pre_state = self.encode_witness()
        pre_hash = witness_state_hash(pre_state)
        pre_key = self.preimage_key
        pre_offset = self.preimage_offset
        step = self.step_count
        self.st[S_PREIMAGE_READ] = 0
        self._log.start()
        try:
            self._execute(1)
        finally:
            self._log.stop()
        proofs = self.memory.replay_proofs(self._log)  # an exited state logs nothing: no proofs
        self.memory.invalidate()
        read = bool(self.st[S_PREIMAGE_READ])
        return StepWitness(
            step=step,
            state=pre_state,
            state_hash=pre_hash,
            proof=b"".join(proofs),
            preimage_key=pre_key if read else None,
            preimage_value=self.preimage_stream if read else None,
            preimage_offset=pre_offset if read else None,
        )

    def last_step_proofs(self) -> list[bytes]:
        """See :meth:`faultproof.vm.interface.FPVM.last_step_proofs`."""
        return self.memory.replay_proofs(self._log)

    # -- commitments -------------------------------------------------------------------------------

    def encode_witness(self) -> bytes:
        return encode_witness(self.memory.merkle_root(), self.key.tobytes(), self.st, self.regs)

    def state_hash(self) -> bytes:
        return witness_state_hash(self.encode_witness())

    def snapshot(self) -> RiscvVM:
        other = RiscvVM(self.compressed, self.host, self.stdout, self.stderr)
        other.memory = self.memory.copy()
        other.regs = self.regs.copy()
        other.st = self.st.copy()
        other.key = self.key.copy()
        other.pre = self.pre.copy()
        other.preimage_stream = self.preimage_stream
        other.last_hint = bytearray(self.last_hint)
        return other

    def save(self, path: Path) -> None:
        from faultproof.vm.riscv.statefile import save_state

        save_state(self, Path(path))

    def debug_info(self) -> dict[str, Any]:
        """Cannon's ``--debug-info`` fields (plus heap and step)."""
        return {
            "pages": self.page_count,
            "memory_used": self.page_count * 4096,
            "num_preimage_requests": self.num_preimage_requests,
            "total_preimage_size": self.total_preimage_size,
            "heap": self.heap,
            "step": self.step_count,
        }
