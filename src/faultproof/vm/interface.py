"""The interface every fault proof VM implements, and what the rest of the framework sees of it.

Trace providers, the CLI, the conformance kit and the agents use only :class:`FPVM`, :class:`ISA`
and the registry; adding an instruction set is one executor package that registers an :class:`ISA`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from faultproof.crypto import keccak256


class VMStatus(IntEnum):
    """The status byte that replaces the top byte of every state hash (both VMs, spec §1.3 / §2.2)."""

    VALID = 0
    INVALID = 1
    PANIC = 2
    UNFINISHED = 3


def vm_status(exited: bool, exit_code: int) -> VMStatus:
    """Status of a state: unfinished until exit, then valid (0), invalid (1) or panic (anything else)."""
    if not exited:
        return VMStatus.UNFINISHED
    if exit_code == 0:
        return VMStatus.VALID
    if exit_code == 1:
        return VMStatus.INVALID
    return VMStatus.PANIC


def state_hash_from_witness(witness: bytes, exited: bool, exit_code: int) -> bytes:
    """keccak256(witness) with its most significant byte replaced by the VM status."""
    h = keccak256(witness)
    return bytes([vm_status(exited, exit_code)]) + h[1:]


@runtime_checkable
class PreimageHost(Protocol):
    """What a VM needs from the host: preimages by key and a sink for hints (kona's two traits)."""

    def get_preimage(self, key: bytes) -> bytes: ...

    def hint(self, hint: bytes) -> None: ...


@dataclass(frozen=True)
class StepWitness:
    """Everything needed to verify one step on chain (Cannon's proof JSON, minus the post hash)."""

    step: int
    state: bytes
    """The encoded pre-state (226 bytes for MIPS32, 362 for RISC-V 64)."""
    state_hash: bytes
    proof: bytes
    """Memory proofs, concatenated in the order the step contract reads them."""
    preimage_key: bytes | None = None
    """The raw (not localized) key the step read from, when it read preimage data."""
    preimage_value: bytes | None = None
    """The 8-byte big-endian length followed by the preimage, as Cannon's ``oracle-value``."""
    preimage_offset: int | None = None

    @property
    def has_preimage(self) -> bool:
        return self.preimage_key is not None


class FPVM(Protocol):
    """One running program: a state you can step, hash, witness and save."""

    @property
    def isa(self) -> ISA: ...

    @property
    def step_count(self) -> int: ...

    @property
    def pc(self) -> int: ...

    @property
    def exited(self) -> bool: ...

    @property
    def exit_code(self) -> int: ...

    def step(self, proof: bool = False) -> StepWitness | None:
        """Execute one instruction; with ``proof`` return the witness of the pre-state."""
        ...

    pause_on_fetch: bool
    """When set, ``run`` also returns right after fetching a preimage from the host, before the
    step that reads it (``run --stop-at-preimage*`` use it). Proof steps always complete."""

    num_preimage_requests: int
    """Preimages fetched from the host so far (``--debug-info``)."""

    @property
    def loaded_preimage_size(self) -> int:
        """Length of the preimage last fetched from the host (without the 8-byte prefix)."""
        ...

    @property
    def preimage_key(self) -> bytes: ...

    @property
    def preimage_offset(self) -> int: ...

    def last_step_proofs(self) -> list[bytes]:
        """The memory proofs the last ``step(proof=True)`` asked for, against its pre-state, in
        the order the step contract reads them, also when that step raised: the conformance kit
        shows the contract the witness of a step the VM refuses."""
        ...

    def run(self, max_steps: int | None = None) -> int:
        """Run until exit or ``max_steps`` more steps; return the number of steps executed."""
        ...

    def encode_witness(self) -> bytes:
        """The packed big-endian state that is hashed and sent to the step contract."""
        ...

    def state_hash(self) -> bytes: ...

    def snapshot(self) -> FPVM:
        """An independent copy of the whole state (memory included)."""
        ...

    def save(self, path: Path) -> None:
        """Write the state file (format from the suffix: .json[.gz] or .bin[.gz])."""
        ...


@dataclass(frozen=True)
class ISA:
    """A registered instruction set: how to build VMs for it and how it is played on chain."""

    name: str
    """CLI name (``--type``), e.g. ``mips32``, ``riscv64``, ``riscv64c``."""
    game_type: int
    """Dispute game type id used by the factory."""
    address_bits: int
    witness_size: int
    proof_size: int
    """Size of one memory proof in bytes."""
    load_elf: Callable[..., FPVM]
    """``load_elf(path, host=None, stdout=None, stderr=None) -> FPVM``"""
    load_state: Callable[..., FPVM]
    """``load_state(path, host=None, stdout=None, stderr=None, raw=None) -> FPVM``; ``raw`` is the
    file's content when the caller has read it already (see ``vm.statefile.read_state_bytes``)."""
    step_contract: str
    """Name of the on-chain step contract: ``contracts/step/<step_contract>.vy``."""
    description: str = ""
    fuzz_state: Callable[[random.Random], FPVM] | None = None
    """Optional conformance hook: a VM whose next step is one random instruction (random encoding,
    registers and nearby memory). With it the conformance kit fuzzes the step contract for free."""


_REGISTRY: dict[str, ISA] = {}


def register_isa(isa: ISA) -> ISA:
    if isa.name in _REGISTRY and _REGISTRY[isa.name] is not isa:
        raise ValueError(f"ISA {isa.name!r} is already registered")
    _REGISTRY[isa.name] = isa
    return isa


def get_isa(name: str) -> ISA:
    from faultproof.errors import UnknownISA
    from faultproof.vm import registry

    if name not in _REGISTRY:
        registry.load_isa(name)
    if name not in _REGISTRY:
        registry.load_builtin_isas()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise UnknownISA(f"unknown VM type {name!r}; registered: {known}") from None


def all_isas() -> list[ISA]:
    from faultproof.vm import registry

    registry.load_builtin_isas()
    return sorted(_REGISTRY.values(), key=lambda i: i.name)


OutputSink = BinaryIO
