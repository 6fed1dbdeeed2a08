"""Check a step witness the way the step contract does, from the witness alone.

The contract knows only the 362-byte pre-state, the memory proofs and the preimage oracle. This
module does the same: it rebuilds just the proven leaves, runs the one shared implementation of
the semantics over them, checks that the leaves it touches are exactly the proven ones (in order,
each proof against the root as it stands at that point) and folds every leaf write into the root.
"""

from __future__ import annotations

from faultproof.errors import InvalidMemoryProof, InvalidWitness
from faultproof.vm.interface import StepWitness
from faultproof.vm.memory import EV_PROOF, EV_WRITE, root_from_proof, verify_proof
from faultproof.vm.riscv.constants import MEMORY_PROOF_SIZE, MEMORY_TREE_DEPTH, S_COMPRESSED
from faultproof.vm.riscv.state import (
    RiscvRevert,
    decode_witness,
    encode_witness,
    witness_state_hash,
)
from faultproof.vm.riscv.vm import RiscvVM

MAX_ROUNDS = 8


class _WitnessOracle:
    """The preimage oracle as the contract sees it: only the witnessed preimage exists."""

    def __init__(self, key: bytes | None, value: bytes | None) -> None:
        self.key, self.value = key, value

    def get_preimage(self, key: bytes) -> bytes:
        if self.value is None or key != self.key:
            raise InvalidWitness(
                f"the step reads preimage 0x{key.hex()} but the witness carries none"
            )
        return self.value[8:]

    def hint(self, hint: bytes) -> None:
        pass


def _vm_for(witness: StepWitness, leaves: dict[int, bytes], compressed: bool) -> RiscvVM:
    _root, key, st, regs = decode_witness(witness.state)
    vm = RiscvVM(
        compressed=compressed, host=_WitnessOracle(witness.preimage_key, witness.preimage_value)
    )
    vm.st[:] = st
    vm.st[S_COMPRESSED] = 1 if compressed else 0
    vm.regs[:] = regs
    vm.key[:] = list(key)
    for addr, leaf in leaves.items():
        vm.memory.write(addr, leaf)
    return vm


def post_state(witness: StepWitness, compressed: bool = False) -> bytes:
    """The 362-byte post-state, after verifying every memory proof; raises InvalidWitness."""
    if len(witness.state) != 362:
        raise InvalidWitness(f"state is {len(witness.state)} bytes, expected 362")
    if len(witness.proof) % MEMORY_PROOF_SIZE:
        raise InvalidWitness(
            f"proof data is {len(witness.proof)} bytes, not a multiple of {MEMORY_PROOF_SIZE}"
        )
    proofs = [
        witness.proof[i : i + MEMORY_PROOF_SIZE]
        for i in range(0, len(witness.proof), MEMORY_PROOF_SIZE)
    ]
    if witness.state[81]:  # exited: the state is returned unchanged, no proof is read
        return witness.state
    # Which leaves the step touches depends on what it reads; iterate until the requested
    # addresses stop changing, each time seeding memory with the proven leaf values.
    leaves: dict[int, bytes] = {}
    for _ in range(MAX_ROUNDS):
        vm = _vm_for(witness, leaves, compressed)
        vm._log.start()
        revert: RiscvRevert | None = None
        try:
            vm._execute(1)
        except RiscvRevert as exc:  # may only be the zero-filled guess of an earlier round
            revert = exc
        finally:
            vm._log.stop()
        events = vm._log.events()
        requested = [addr for kind, addr, _o, _n in events if kind == EV_PROOF]
        if len(requested) > len(proofs):
            raise InvalidWitness(
                f"the step needs {len(requested)} memory proofs, the witness has {len(proofs)}"
            )
        wanted: dict[int, bytes] = {}
        for k, addr in enumerate(requested):
            wanted.setdefault(addr, proofs[k][:32])
        if all(leaves.get(a) == v for a, v in wanted.items()):
            if revert is not None:
                raise revert  # the step contract reverts with the same code
            break
        leaves = wanted
    else:
        raise InvalidWitness("memory accesses did not settle; the proofs are inconsistent")
    root = witness.state[:32]
    proof_for: dict[int, bytes] = {}
    k = 0
    for kind, addr, _old, new in events:
        if kind == EV_PROOF:
            if not verify_proof(root, addr, proofs[k], MEMORY_TREE_DEPTH):
                raise InvalidMemoryProof(
                    f"memory proof {k} for 0x{addr:x} does not match the memory root"
                )
            proof_for[addr] = proofs[k]
            k += 1
        elif kind == EV_WRITE:
            if addr not in proof_for:
                raise InvalidWitness(f"write to 0x{addr:x} without a proof of its leaf")
            root = root_from_proof(new, addr, proof_for[addr], MEMORY_TREE_DEPTH)
    return encode_witness(root, vm.key.tobytes(), vm.st, vm.regs)


def post_state_hash(witness: StepWitness, compressed: bool = False) -> bytes:
    """What the step contract returns for this witness."""
    return witness_state_hash(post_state(witness, compressed))
