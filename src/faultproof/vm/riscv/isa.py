"""Registers ``riscv64`` (Asterisc, game type 2) and ``riscv64c`` (RV64IMAC, game type 0x52)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from faultproof.vm.interface import FPVM, ISA, register_isa
from faultproof.vm.riscv.constants import MEMORY_PROOF_SIZE, STATE_WITNESS_SIZE
from faultproof.vm.riscv.loader import load_elf
from faultproof.vm.riscv.statefile import load_state
from faultproof.vm.riscv.vm import RiscvVM

RISCV64_GAME_TYPE = 2
RISCV64C_GAME_TYPE = 0x52


def _load_elf_c(path: Path, **kw: Any) -> RiscvVM:
    return load_elf(path, compressed=True, **kw)


def _load_state_c(path: Path, **kw: Any) -> RiscvVM:
    return load_state(path, compressed=True, **kw)


def _fuzz_state(rng: random.Random) -> FPVM:
    """Conformance hook; imported lazily so that registering the ISA stays cheap."""
    from faultproof.vm.riscv.fuzz import fuzz_state

    return fuzz_state(rng)


def _fuzz_state_c(rng: random.Random) -> FPVM:
    from faultproof.vm.riscv.fuzz import fuzz_state

    return fuzz_state(rng, compressed=True)


RISCV64 = register_isa(
    ISA(
        name="riscv64",
        game_type=RISCV64_GAME_TYPE,
        address_bits=64,
        witness_size=STATE_WITNESS_SIZE,
        proof_size=MEMORY_PROOF_SIZE,
        load_elf=load_elf,
        load_state=load_state,
        step_contract="RISCV64",
        description="Asterisc-compatible RV64IMA (no C, F/D as no-ops)",
        fuzz_state=_fuzz_state,
    )
)

RISCV64C = register_isa(
    ISA(
        name="riscv64c",
        game_type=RISCV64C_GAME_TYPE,
        address_bits=64,
        witness_size=STATE_WITNESS_SIZE,
        proof_size=MEMORY_PROOF_SIZE,
        load_elf=_load_elf_c,
        load_state=_load_state_c,
        step_contract="RISCV64C",
        description="RV64IMAC: riscv64 plus compressed instructions (see vm/riscv/README.md)",
        fuzz_state=_fuzz_state_c,
    )
)
