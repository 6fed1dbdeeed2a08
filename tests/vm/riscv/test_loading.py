"""Program loading (§6), state files (§2.4), ISA registration, and errors on bad input."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import pytest

from faultproof.errors import InvalidElf, InvalidState
from faultproof.guests import guest_elf
from faultproof.vm.interface import get_isa
from faultproof.vm.riscv import constants as c
from faultproof.vm.riscv.loader import load_elf, load_elf_bytes
from faultproof.vm.riscv.statefile import load_state
from faultproof.vm.riscv.verify import post_state_hash


def test_isas_are_registered() -> None:
    rv = get_isa("riscv64")
    assert (rv.game_type, rv.address_bits, rv.witness_size, rv.proof_size, rv.step_contract) == (
        2, 64, 362, 1920, "RISCV64")  # fmt: skip
    rvc = get_isa("riscv64c")
    assert (rvc.game_type, rvc.step_contract) == (0x52, "RISCV64C")


def test_load_sets_entry_heap_and_asterisc_stack() -> None:
    vm = load_elf(guest_elf("hello", "riscv64"))
    assert vm.heap == c.HEAP_START and vm.register(2) == 1 << 60 and vm.step_count == 0
    sp = 1 << 60
    assert vm.memory.read(sp + 72, 16) == b"rand protolambda"
    assert int.from_bytes(vm.memory.read(sp + 56, 8), "little") == sp + 72
    assert int.from_bytes(vm.memory.read(sp + 8, 8), "little") == 0x42
    witness = vm.encode_witness()
    assert len(witness) == 362 and vm.state_hash()[0] == 3


def test_go_symbols_are_patched() -> None:
    """A synthetic ELF with a `runtime.gcenable` symbol gets `ret` written over it."""
    data = bytearray(guest_elf("hello", "riscv64").read_bytes())
    vm = load_elf(guest_elf("hello", "riscv64"))
    from faultproof.vm.elf import parse_elf

    elf = parse_elf(bytes(data))
    sym = next(s for s in elf.symbols if s.name == "main")
    from faultproof.vm.riscv.loader import patch_go

    object.__setattr__(sym, "name", "runtime.gcenable")
    patch_go(vm, elf)
    assert vm.memory.read(sym.value, 4) == (0x8067).to_bytes(4, "little")


def _elf_header(ei_class: int, machine: int) -> bytes:
    ident = b"\x7fELF" + bytes([ei_class, 1, 1]) + bytes(9)
    if ei_class == 1:
        return ident + struct.pack(
            "<HHIIIIIHHHHHH", 2, machine, 1, 0x1000, 0, 0, 0, 52, 32, 0, 40, 0, 0
        )
    return ident + struct.pack(
        "<HHIQQQIHHHHHH", 2, machine, 1, 0x1000, 0, 0, 0, 64, 56, 0, 64, 0, 0
    )


def test_bad_elves() -> None:
    with pytest.raises(InvalidElf, match="not an ELF"):
        load_elf_bytes(b"#!/bin/sh\necho hi\n")
    with pytest.raises(InvalidElf, match="32-bit RISC-V"):
        load_elf_bytes(_elf_header(1, 243))
    with pytest.raises(InvalidElf, match="MIPS"):
        load_elf_bytes(_elf_header(1, 8))
    with pytest.raises(InvalidElf, match="x86-64"):
        load_elf_bytes(_elf_header(2, 62))
    with pytest.raises(InvalidElf):
        load_elf(Path("/nonexistent/program.elf"))


@pytest.mark.parametrize("suffix", [".json", ".json.gz", ".bin", ".bin.gz"])
def test_state_files_round_trip_mid_run(tmp_path: Path, suffix: str) -> None:
    vm = load_elf(guest_elf("hello", "riscv64"))
    vm.run(50)
    path = tmp_path / f"state{suffix}"
    vm.save(path)
    again = load_state(path)
    assert again.encode_witness() == vm.encode_witness()
    vm.run()
    again.run()
    assert again.state_hash() == vm.state_hash() and again.exited


def test_binary_layout_header() -> None:
    vm = load_elf(guest_elf("hello", "riscv64"))
    from faultproof.vm.riscv.statefile import to_binary

    raw = to_binary(vm)
    pages = int.from_bytes(raw[:8], "big")
    assert pages == vm.page_count
    tail = raw[8 + pages * (8 + 4096) :]
    assert tail[32 + 8 : 32 + 16] == vm.pc.to_bytes(8, "big")
    assert tail[-32:] == vm.state_hash()


def test_truncated_and_malformed_state_files(tmp_path: Path) -> None:
    vm = load_elf(guest_elf("hello", "riscv64"))
    good = tmp_path / "s.bin"
    vm.save(good)
    raw = good.read_bytes()
    for cut in (0, 7, 20, len(raw) - 1):
        bad = tmp_path / "cut.bin"
        bad.write_bytes(raw[:cut])
        with pytest.raises(InvalidState):
            load_state(bad)
    gz = tmp_path / "bad.bin.gz"
    gz.write_bytes(gzip.compress(raw)[:30])
    with pytest.raises(InvalidState):
        load_state(gz)
    for text in ("{", "[]", '{"pc": 1}', '{"memory": [], "preimageKey": "0x00", "preimageOffset": 0,'
                 ' "pc": 0, "exitCode": 0, "exited": false, "step": 0, "heap": 0,'
                 ' "loadReservation": 0, "registers": []}'):  # fmt: skip
        j = tmp_path / "bad.json"
        j.write_text(text)
        with pytest.raises(InvalidState):
            load_state(j)


def test_witness_rejects_bad_proof_data() -> None:
    from dataclasses import replace

    from faultproof.errors import InvalidMemoryProof, InvalidWitness

    vm = load_elf(guest_elf("hello", "riscv64"))
    w = vm.step(proof=True)
    assert w is not None
    with pytest.raises(InvalidWitness):
        post_state_hash(replace(w, proof=w.proof[:-1]))
    with pytest.raises(InvalidWitness):
        post_state_hash(replace(w, proof=b""))
    tampered = bytearray(w.proof)
    tampered[100] ^= 1  # a sibling hash
    with pytest.raises(InvalidMemoryProof):
        post_state_hash(replace(w, proof=bytes(tampered)))
