"""Whole guest programs: output, exit codes, preimage I/O, witnesses, qemu-riscv64 agreement."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from faultproof.crypto import keccak256
from faultproof.guests import guest_elf
from faultproof.vm.riscv.loader import load_elf
from faultproof.vm.riscv.verify import post_state_hash

ISAS = ["riscv64", "riscv64c"]


class DictHost:
    def __init__(self, preimages: dict[bytes, bytes]) -> None:
        self.preimages = preimages
        self.hints: list[bytes] = []

    def get_preimage(self, key: bytes) -> bytes:
        return self.preimages[key]

    def hint(self, hint: bytes) -> None:
        self.hints.append(hint)


def preimage_host(data: bytes = b"faultproof preimage data " * 7) -> DictHost:
    h = keccak256(data)
    local1 = bytes([1]) + (1).to_bytes(31, "big")
    return DictHost({local1: h, bytes([2]) + h[1:]: data})


def load(name: str, isa: str, **kw):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    vm = load_elf(guest_elf(name, isa), stdout=out, stderr=out, compressed=isa == "riscv64c", **kw)
    return vm, out


@pytest.mark.parametrize("isa", ISAS)
def test_hello(isa: str) -> None:
    vm, out = load("hello", isa)
    vm.run()
    assert vm.exited and vm.exit_code == 0
    assert out.getvalue() == b"hello world\n"


@pytest.mark.parametrize("isa", ISAS)
def test_preimage_guest_reads_local_and_keccak_preimages(isa: str) -> None:
    host = preimage_host()
    vm, out = load("preimage", isa, host=host)
    vm.run()
    assert vm.exit_code == 0, out.getvalue()
    assert b"keccak ok" in out.getvalue()
    digest = keccak256(b"faultproof preimage data " * 7).hex().encode()
    assert len(host.hints) == 1 and host.hints[0].startswith(b"keccak ")
    assert host.hints[0].endswith(digest)


def test_riscv64c_program_contains_compressed_code_and_runs_like_riscv64() -> None:
    """The +c build is smaller (so it really uses 16-bit encodings) yet prints the same."""
    assert (
        guest_elf("hello", "riscv64c").stat().st_size
        != guest_elf("hello", "riscv64").stat().st_size
    )
    outs = []
    for isa in ISAS:
        vm, out = load("hello", isa)
        vm.run()
        outs.append(out.getvalue())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("isa", ISAS)
def test_witnesses_of_a_real_program_verify(isa: str) -> None:
    """Every step of hello: the witness alone (proofs + state) gives the VM's post-state hash."""
    vm, _ = load("hello", isa)
    steps = 0
    while not vm.exited and steps < 60:
        w = vm.step(proof=True)
        assert w is not None
        assert post_state_hash(w, vm.compressed) == vm.state_hash(), f"step {w.step}"
        steps += 1
    vm.run()
    w = vm.step(proof=True)  # exited: unchanged, no proofs
    assert w is not None and w.proof == b"" and post_state_hash(w) == vm.state_hash()


@pytest.mark.slow
@pytest.mark.parametrize("isa", ISAS)
def test_witnesses_of_every_syscall_in_preimage_guest(isa: str) -> None:
    """Witness every ECALL (key writes, preimage reads with the oracle fields, hints, exit)."""
    vm, _ = load("preimage", isa, host=preimage_host())
    checked = reads = 0
    while not vm.exited:
        if int.from_bytes(vm.memory.read(vm.pc, 4), "little") == 0x73:
            w = vm.step(proof=True)
            assert w is not None
            assert post_state_hash(w, vm.compressed) == vm.state_hash()
            checked += 1
            reads += w.has_preimage
        else:
            vm.step()
    assert checked > 10 and reads > 2


@pytest.mark.qemu
@pytest.mark.skipif(shutil.which("qemu-riscv64") is None, reason="needs Debian qemu-user")
@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("name", ["hello", "compute", "exitcode", "heap"])
def test_matches_qemu(name: str, isa: str) -> None:
    """Same stdout and exit code as the program under qemu-riscv64 (Linux user mode)."""
    elf = guest_elf(name, isa)
    ref = subprocess.run(["qemu-riscv64", str(elf)], capture_output=True, timeout=300)
    vm, out = load(name, isa)
    vm.run()
    assert vm.exited
    assert out.getvalue() == ref.stdout + ref.stderr or out.getvalue() == ref.stdout
    assert vm.exit_code == ref.returncode


@pytest.mark.parametrize("name", ["hello", "exitcode"])
def test_riscv64c_gives_riscv64_states_on_uncompressed_programs(name: str) -> None:
    """The same uncompressed ELF in both ISAs: identical state hashes all along, identical
    witnesses (state and proofs), identical output."""
    elf = guest_elf(name, "riscv64")
    outs = [io.BytesIO(), io.BytesIO()]
    plain = load_elf(elf, stdout=outs[0])
    rvc = load_elf(elf, stdout=outs[1], compressed=True)
    assert plain.state_hash() == rvc.state_hash()
    while not plain.exited:
        wa, wb = plain.step(proof=True), rvc.step(proof=True)
        assert wa is not None and wb is not None
        assert (wa.state, wa.proof) == (wb.state, wb.proof)
        plain.run(37)
        rvc.run(37)
        assert plain.state_hash() == rvc.state_hash()
    assert rvc.exited and outs[0].getvalue() == outs[1].getvalue()
