"""Fault proof VMs: the common interface, the Merkle memory and one package per ISA."""

from faultproof.vm.interface import (
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
