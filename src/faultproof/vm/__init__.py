"""Fault proof VMs: the common interface, the Merkle memory and one package per ISA."""

from faultproof.vm.jitcache import configure as _configure_jit_cache

_configure_jit_cache()  # before any numba kernel is defined: see jitcache's docstring

from faultproof.vm.interface import (  # noqa: E402
    FPVM,
    ISA,
    PreimageHost,
    StepWitness,
    VMStatus,
    all_isas,
    get_isa,
    register_isa,
    state_hash_from_witness,
    vm_status,
)

__all__ = [
    "FPVM",
    "ISA",
    "PreimageHost",
    "StepWitness",
    "VMStatus",
    "all_isas",
    "get_isa",
    "register_isa",
    "state_hash_from_witness",
    "vm_status",
]
