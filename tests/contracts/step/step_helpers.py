"""Re-export of `faultproof.contracts.step.witness` under the name the tests import."""

from faultproof.contracts.step.witness import *  # noqa: F403
from faultproof.contracts.step.witness import (  # noqa: F401
    ZERO_HASHES,
    MipsState,
    RiscvState,
    SparseMemory,
    i_type,
    j_type,
    localize,
    mips_proofs,
    preimage_key_keccak,
    r_type,
    revert_string,
    riscv_calldata,
    rv_b,
    rv_i,
    rv_j,
    rv_r,
    rv_s,
    rv_u,
    status_hash,
    step_calldata,
)
