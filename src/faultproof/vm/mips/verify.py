"""Check one MIPS32 step from its witness alone, the way ``MIPS.sol`` does (cannon-mips32.md §2.2, §7).

Input: the 226-byte pre-state, the 1792 bytes of memory proofs and (for a preimage read) the oracle
data. Output: the status-tagged post-state hash. Nothing else is trusted.

How. The contract knows only two leaves of memory: the one holding the instruction (proof 0) and the
one holding the data word (proof 1). We rebuild exactly that: a tiny :class:`MipsVM` whose memory
holds those two leaves, and execute the step with the *same* numba code the VM runs (so there is no
second copy of the semantics to drift). The data address is not in the proof; like the contract, we
derive it from the instruction: a first execution, with only the instruction leaf in memory, logs
which word the step wants proven (its address depends only on registers, never on memory). Each
proof is folded against ``memRoot``; the written leaf is folded back up with proof 1's siblings to
get the post-state root (§2.2 "Write").
"""

from __future__ import annotations

import struct

from faultproof.errors import InvalidMemoryProof, InvalidWitness, PreimageNotFound
from faultproof.vm.interface import StepWitness, state_hash_from_witness
from faultproof.vm.memory import EV_PROOF, EV_WRITE, root_from_proof, verify_proof
from faultproof.vm.mips.constants import (
    CPU_EXIT_CODE,
    CPU_EXITED,
    CPU_HEAP,
    CPU_HI,
    CPU_LO,
    CPU_NEXT_PC,
    CPU_PC,
    CPU_PREIMAGE_OFFSET,
    CPU_STEP,
    PROOF_SIZE,
    TREE_DEPTH,
    WIT_EXITED,
    WITNESS_SIZE,
)
from faultproof.vm.mips.vm import MipsVM


class _WitnessOracle:
    """Serves only the preimage carried by the witness (the on-chain oracle's role)."""

    def __init__(self, key: bytes | None, value: bytes | None) -> None:
        self.key = key
        self.value = value

    def get_preimage(self, key: bytes) -> bytes:
        if self.value is None or key != self.key:
            raise InvalidWitness(
                f"the step reads preimage 0x{key.hex()} but the witness carries "
                + ("no preimage" if self.value is None else f"key 0x{(self.key or b'').hex()}")
            )
        if len(self.value) < 8 or int.from_bytes(self.value[:8], "big") != len(self.value) - 8:
            raise InvalidWitness("preimage value must be an 8-byte big-endian length + the data")
        return self.value[8:]

    def hint(self, hint: bytes) -> None:
        """Hints are no-ops on chain."""


def decode_state(state: bytes) -> MipsVM:
    """A VM with the registers and fields of a 226-byte witness and an empty memory."""
    if len(state) != WITNESS_SIZE:
        raise InvalidWitness(f"MIPS32 state is {len(state)} bytes, expected {WITNESS_SIZE}")
    if state[WIT_EXITED] > 1:
        raise InvalidWitness(
            f"exited byte is {state[WIT_EXITED]}, must be 0 or 1 (InvalidExitedValue)"
        )
    vm = MipsVM()
    vm.preimage_key_array[:] = list(state[32:64])
    offset, pc, next_pc, lo, hi, heap, exit_code, exited, step = struct.unpack_from(
        ">IIIIIIBBQ", state, 64
    )
    vm.cpu[CPU_PREIMAGE_OFFSET] = offset
    vm.cpu[CPU_PC] = pc
    vm.cpu[CPU_NEXT_PC] = next_pc
    vm.cpu[CPU_LO] = lo
    vm.cpu[CPU_HI] = hi
    vm.cpu[CPU_HEAP] = heap
    vm.cpu[CPU_EXIT_CODE] = exit_code
    vm.cpu[CPU_EXITED] = exited
    vm.cpu[CPU_STEP] = step
    vm.set_registers(list(struct.unpack_from(">32I", state, 98)))
    return vm


def _execute(
    state: bytes, leaves: dict[int, bytes], oracle: _WitnessOracle
) -> tuple[MipsVM, list[tuple[int, int, bytes, bytes]]]:
    vm = decode_state(state)
    vm.host = oracle
    for addr, leaf in leaves.items():
        vm.memory.write(addr, leaf)
    vm._log.start()
    try:
        vm._single_step()
    finally:
        vm._log.stop()
    return vm, vm._log.events()


def verify_step(witness: StepWitness) -> bytes:
    """Recompute the post-state hash of ``witness`` from the witness alone.

    Raises :class:`InvalidWitness` (or :class:`InvalidMemoryProof`) when the witness is malformed or a
    proof does not lead to ``memRoot``, and :class:`MipsException` when the step itself cannot be
    proven (the contract reverts).
    """
    state = witness.state
    vm = decode_state(state)
    if vm.exited:
        return state_hash_from_witness(state, True, vm.exit_code)
    if len(witness.proof) < PROOF_SIZE:
        raise InvalidWitness(f"proof is {len(witness.proof)} bytes, need at least {PROOF_SIZE}")
    root = state[:32]
    pc = vm.pc
    proof0 = witness.proof[:PROOF_SIZE]
    if pc & 3 == 0 and not verify_proof(root, pc, proof0, TREE_DEPTH):
        raise InvalidMemoryProof(f"instruction proof for pc 0x{pc:08x} does not match memRoot")
    leaves = {pc & ~31: proof0[:32]}
    oracle = _WitnessOracle(witness.preimage_key, witness.preimage_value)

    try:
        _, events = _execute(state, leaves, oracle)
    except PreimageNotFound as exc:  # pragma: no cover - the oracle never raises this
        raise InvalidWitness(str(exc)) from None
    proven = [addr for kind, addr, _, _ in events if kind == EV_PROOF]
    if len(proven) > 2:
        raise InvalidWitness(f"the step asked for {len(proven)} proofs; MIPS32 steps use at most 2")
    data_addr = proven[1] if len(proven) == 2 else None
    if data_addr is None:
        post_vm, events = _execute(state, leaves, oracle)
        post_root = root
    else:
        if len(witness.proof) < 2 * PROOF_SIZE:
            raise InvalidWitness(
                f"the step touches memory at 0x{data_addr:08x} but the proof is "
                f"{len(witness.proof)} bytes, expected {2 * PROOF_SIZE}"
            )
        proof1 = witness.proof[PROOF_SIZE : 2 * PROOF_SIZE]
        if not verify_proof(root, data_addr, proof1, TREE_DEPTH):
            raise InvalidMemoryProof(f"data proof for 0x{data_addr:08x} does not match memRoot")
        leaves[data_addr] = proof1[:32]
        post_vm, events = _execute(state, leaves, oracle)
        post_root = root
        for kind, addr, _old, new in events:
            if kind != EV_WRITE:
                continue
            if addr != data_addr:
                raise InvalidWitness(f"the step writes 0x{addr:08x}, not the proven word")
            post_root = root_from_proof(new, data_addr, proof1, TREE_DEPTH)
    post = post_vm.encode_witness(mem_root=post_root)
    return state_hash_from_witness(post, post_vm.exited, post_vm.exit_code)
