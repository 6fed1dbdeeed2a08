"""Pieces every ISA's ``fuzz_state`` hook shares: random preimages, a host, word pickers, rejects.

A fuzz hook returns the ISA's ordinary VM. What the kit needs beyond the VM travels as one
attribute, :data:`FUZZ_CASE_ATTR`, holding a :class:`FuzzCase`: the instruction family (for the
coverage table) and how to build the witness of a step the VM refuses. A refused step has no
witness from ``FPVM.step``, yet the contract must be shown the same pre-state and proofs and must
revert too; otherwise a contract that accepts what the VM rejects would go unnoticed.

This module stays free of chain imports so that registering an ISA stays cheap.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from faultproof.crypto import keccak256, sha256
from faultproof.errors import PreimageNotFound, VMException
from faultproof.vm.interface import FPVM, StepWitness

FUZZ_CASE_ATTR = "conformance_case"
"""Name of the attribute a fuzz hook sets on the VM it returns."""

MASK32 = (1 << 32) - 1
MASK64 = (1 << 64) - 1


@dataclass(frozen=True)
class FuzzPreimage:
    """A preimage the fuzzed state's key points at; the kit loads it into the oracle first."""

    key: bytes
    data: bytes

    @property
    def stream(self) -> bytes:
        """``len8 || data``: what fd 5 reads, and what :class:`StepWitness` carries."""
        return len(self.data).to_bytes(8, "big") + self.data


def random_preimage(rng: random.Random) -> FuzzPreimage:
    """A local (<= 32 bytes), keccak256 or sha256 preimage of random length and content."""
    kind = rng.choice(("local", "keccak256", "keccak256", "sha256"))
    if kind == "local":
        data = rng.randbytes(rng.randrange(0, 33))
        return FuzzPreimage(b"\x01" + rng.randrange(1, 1 << 16).to_bytes(31, "big"), data)
    size = rng.choice((0, 1, 7, 8, 31, 32, 33, rng.randrange(0, 200), rng.randrange(0, 600)))
    data = rng.randbytes(size)
    if kind == "keccak256":
        return FuzzPreimage(b"\x02" + keccak256(data)[1:], data)
    return FuzzPreimage(b"\x04" + sha256(data)[1:], data)


def preimage_offset(rng: random.Random, pre: FuzzPreimage) -> int:
    """A stream offset: mostly inside ``len8 || data``, sometimes exactly at or past its end."""
    end = len(pre.stream)
    roll = rng.random()
    if roll < 0.08:
        return end
    if roll < 0.12:
        return end + rng.randrange(1, 64)
    if roll < 0.3:
        return rng.randrange(0, min(end, 9))
    return rng.randrange(0, end)


class OnePreimageHost:
    """Serves the one preimage of a fuzz case; any other key is a bug in the hook."""

    def __init__(self, pre: FuzzPreimage) -> None:
        self.pre = pre

    def get_preimage(self, key: bytes) -> bytes:
        if key != self.pre.key:
            raise PreimageNotFound(f"fuzz host has no preimage for 0x{key.hex()}")
        return self.pre.data

    def hint(self, hint: bytes) -> None:
        """Hints change nothing on chain; the fuzzer ignores them."""


def interesting_word(rng: random.Random, bits: int) -> int:
    """Edge values (0, 1, -1, sign bit, ...) half the time, else uniform over ``bits`` bits."""
    mask = (1 << bits) - 1
    if rng.random() < 0.5:
        edges = (0, 1, 2, mask, mask - 1, 1 << (bits - 1), (1 << (bits - 1)) - 1, 1 << 31, MASK32)
        return rng.choice(edges) & mask
    return rng.getrandbits(bits)


def random_regs(rng: random.Random, bits: int) -> list[int]:
    regs = [interesting_word(rng, bits) for _ in range(32)]
    regs[0] = 0
    return regs


def random_address(rng: random.Random, bits: int, near: int) -> int:
    """A data address: at a page or leaf edge (straddling), next to ``near``, at the ends, anywhere."""
    limit = 1 << bits
    roll = rng.random()
    if roll < 0.3:
        edge = rng.randrange(1, limit >> 12) << 12
        return (edge + rng.randrange(-8, 8)) % limit
    if roll < 0.45:
        return ((rng.getrandbits(bits - 5) << 5) + rng.randrange(-8, 8)) % limit
    if roll < 0.55:
        return (near + rng.randrange(-64, 64)) % limit
    if roll < 0.62:
        return rng.choice((rng.randrange(0, 64), limit - 1 - rng.randrange(0, 64)))
    if roll < 0.8:
        return rng.getrandbits(min(bits, 32))
    return rng.getrandbits(bits)


def scatter(rng: random.Random, write: Callable[[int, bytes], None], addr: int, limit: int) -> None:
    """Random bytes around ``addr`` (the leaves it and an unaligned access may touch)."""
    start = max(0, (addr & ~31) - 32)
    end = min(limit, (addr & ~31) + 96)
    if end > start:
        write(start, rng.randbytes(end - start))


@dataclass(frozen=True)
class FuzzCase:
    """What the kit learns about one fuzzed VM besides the VM itself."""

    family: str
    """Instruction family (``alu``, ``load``, ``syscall-read-preimage``, ``invalid``, ...)."""
    rejected_witness: Callable[[], StepWitness]
    """Witness of the pre-state for a step the VM refuses (call only after the VM raised)."""
    preimage: FuzzPreimage | None = None


def attach_case(vm: Any, family: str, preimage: FuzzPreimage | None) -> None:
    """Record the family and a pre-state copy from which a refused step's witness is rebuilt."""
    pre_state = vm.snapshot()
    setattr(
        vm,
        FUZZ_CASE_ATTR,
        FuzzCase(family, lambda: refused_step_witness(pre_state, preimage), preimage),
    )


def fuzz_case(vm: FPVM) -> FuzzCase | None:
    case = getattr(vm, FUZZ_CASE_ATTR, None)
    return case if isinstance(case, FuzzCase) else None


def refused_step_witness(vm: Any, preimage: FuzzPreimage | None) -> StepWitness:
    """Replay the refused step on a copy with proofs on and keep the proofs it asked for.

    Both VMs log every memory proof the step requests until it raises, in the contract's order
    (fetch, then data), and ``last_step_proofs`` rebuilds them against the pre-state. The
    witness carries the case's preimage so the oracle holds what an honest challenger would load.
    """
    state = vm.encode_witness()
    state_hash = vm.state_hash()
    step = vm.step_count
    key = bytes(vm.preimage_key)
    offset = vm.preimage_offset
    try:
        accepted = vm.step(proof=True)
    except VMException:
        accepted = None
    if accepted is not None:
        return accepted  # the copy ran the step: a VM that refuses only sometimes is a bug too
    proofs = vm.last_step_proofs()
    if not proofs and not vm.exited:
        # Refused before the fetch (an unaligned pc): show the contract the leaf holding pc, so
        # it has to refuse the address itself rather than a short calldata.
        proofs = [vm.memory.merkle_proof(vm.pc & ~31)]
    with_preimage = preimage is not None and key == preimage.key
    return StepWitness(
        step,
        state,
        state_hash,
        b"".join(proofs),
        preimage_key=key if with_preimage else None,
        preimage_value=preimage.stream if with_preimage and preimage else None,
        preimage_offset=offset if with_preimage else None,
    )
