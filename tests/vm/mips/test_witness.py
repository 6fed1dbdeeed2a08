"""Witness self-check: every witness verifies from itself alone (as the step contract would).

For each proof step: both proofs fold to the pre-state's memRoot, and re-executing the step from the
witness alone (:func:`verify_step`) gives the VM's own post-state hash.
"""

from __future__ import annotations

import io
import random

import pytest

from faultproof.crypto import keccak256
from faultproof.errors import InvalidMemoryProof, InvalidWitness
from faultproof.vm.interface import StepWitness, state_hash_from_witness
from faultproof.vm.memory import verify_proof
from faultproof.vm.mips.loader import load_elf
from faultproof.vm.mips.verify import verify_step
from faultproof.vm.mips.vm import MipsVM

from .asm import SYSCALL, i_type, li, make_vm, r_type

guests = pytest.importorskip("faultproof.guests")

DATA = b"witness self-check " * 30
DATA_HASH = keccak256(DATA)


class Host:
    """Local key 1 -> keccak256(DATA); the type-2 key of that hash -> DATA (the preimage guest)."""

    def get_preimage(self, key: bytes) -> bytes:
        if key[0] == 1:
            return DATA_HASH
        assert key == b"\x02" + DATA_HASH[1:]
        return DATA

    def hint(self, hint: bytes) -> None:
        pass


def check(vm: MipsVM) -> StepWitness:
    """Take a proof step and check the witness against the VM."""
    pre_root = vm.memory.merkle_root()
    w = vm.step(proof=True)
    assert w is not None
    assert len(w.state) == 226 and len(w.proof) == 1792
    assert w.state[:32] == pre_root
    assert w.state_hash == state_hash_from_witness(w.state, w.state[89] == 1, w.state[88])
    pc = int.from_bytes(w.state[68:72], "big")
    assert verify_proof(pre_root, pc, w.proof[:896], 27)
    assert verify_step(w) == vm.state_hash()
    return w


def test_hello_every_step() -> None:
    vm = load_elf(guests.guest_elf("hello", "mips32"), stdout=io.BytesIO())
    n = 0
    while not vm.exited:
        check(vm)
        n += 1
    assert n > 50 and vm.exit_code == 0
    check(vm)  # the exited state steps to itself


def test_preimage_guest_every_syscall_and_sampled_memory_steps() -> None:
    out = io.BytesIO()
    vm = load_elf(guests.guest_elf("preimage", "mips32"), host=Host(), stdout=out)
    rnd = random.Random(5)
    reads = 0
    memory_ops = 0
    while not vm.exited:
        insn = vm.memory.read_u32_be(vm.pc)
        opcode = insn >> 26
        if insn == SYSCALL:
            w = check(vm)
            reads += w.has_preimage
        elif opcode >= 0x20 and rnd.random() < 0.02:
            w = check(vm)
            assert w.proof[896:] != bytes(896)
            memory_ops += 1
        else:
            vm.step()
    assert vm.exit_code == 0, out.getvalue()
    assert reads > 100 and memory_ops > 100


def test_compute_guest_late_steps() -> None:
    vm = load_elf(guests.guest_elf("compute", "mips32"), stdout=io.BytesIO())
    for _ in range(40):
        vm.run(250_000)
        if vm.exited:
            break
        for _ in range(5):
            check(vm)


def test_hand_program_touching_many_pages() -> None:
    """Stores to fresh pages, sub-word stores and loads; every step checked."""
    prog = [
        *li(8, 0x10000000),
        i_type(0x2B, 9, 8, 0),  # sw t1, 0(t0)
        i_type(0x28, 9, 8, 0x1001),  # sb t1, 0x1001(t0): a new page
        i_type(0x2A, 9, 8, 0x2002),  # swl
        i_type(0x2E, 9, 8, 0x2005),  # swr
        i_type(0x22, 10, 8, 0x2003),  # lwl
        i_type(0x38, 9, 8, 0x3000),  # sc
        r_type(0x21, rd=8, rs=8, rt=11),  # t0 += t3
        i_type(0x05, 12, 8, 0xFFF8),  # bne t0, t4, back to the sw (-8 words from the delay slot)
        0,
        *li(2, 4246),
        SYSCALL,
    ]
    vm = make_vm(prog, {9: 0xDEADBEEF, 11: 0x12340, 12: 0x10000000 + 8 * 0x12340})
    steps = 0
    while not vm.exited:
        check(vm)
        steps += 1
        assert steps < 1000, "the loop must end after 8 rounds"
    assert steps > 60 and vm.memory.page_count > 20


def test_tampered_witness_is_rejected() -> None:
    vm = make_vm([i_type(0x23, 3, 1, 0), 0], {1: 0x8000})
    vm.memory.write(0x8000, b"\x01\x02\x03\x04")
    w = vm.snapshot().step(proof=True)
    assert w is not None
    bad_data = bytearray(w.proof)
    bad_data[896 + 2] ^= 1  # the data leaf
    with pytest.raises(InvalidMemoryProof):
        verify_step(StepWitness(w.step, w.state, w.state_hash, bytes(bad_data)))
    bad_insn = bytearray(w.proof)
    bad_insn[100] ^= 1  # a sibling of the instruction proof
    with pytest.raises(InvalidMemoryProof):
        verify_step(StepWitness(w.step, w.state, w.state_hash, bytes(bad_insn)))
    with pytest.raises(InvalidWitness):
        verify_step(StepWitness(w.step, w.state, w.state_hash, w.proof[:896]))
    bad_exited = bytearray(w.state)
    bad_exited[89] = 2
    with pytest.raises(InvalidWitness, match="exited"):
        verify_step(StepWitness(w.step, bytes(bad_exited), w.state_hash, w.proof))
    with pytest.raises(InvalidWitness):
        verify_step(StepWitness(w.step, w.state[:225], w.state_hash, w.proof))


def test_non_memory_step_has_zero_second_proof() -> None:
    vm = make_vm([r_type(0x21, rd=3, rs=1, rt=2), 0])
    w = vm.step(proof=True)
    assert w is not None and w.proof[896:] == bytes(896) and not w.has_preimage
