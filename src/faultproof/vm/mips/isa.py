"""Registers the MIPS32 VM (single-threaded Cannon, ``singlethreaded-2``) with the ISA registry."""

import random

from faultproof.vm.interface import FPVM, ISA, register_isa
from faultproof.vm.mips.constants import PROOF_SIZE, WITNESS_SIZE
from faultproof.vm.mips.loader import load_elf
from faultproof.vm.mips.statefile import load_state


def _fuzz_state(rng: random.Random) -> FPVM:
    """Conformance hook; imported lazily so that registering the ISA stays cheap."""
    from faultproof.vm.mips.fuzz import fuzz_state

    return fuzz_state(rng)


MIPS32 = register_isa(
    ISA(
        name="mips32",
        game_type=0,
        address_bits=32,
        witness_size=WITNESS_SIZE,
        proof_size=PROOF_SIZE,
        load_elf=load_elf,
        load_state=load_state,
        step_contract="MIPS32",
        description="single-threaded Cannon MIPS32 (singlethreaded-2, MIPS.sol 1.2.1-beta.6)",
        fuzz_state=_fuzz_state,
    )
)
