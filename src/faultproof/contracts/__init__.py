"""Vyper contracts (sources under this folder), their compiler and a Python binding.

Compile + deploy in three lines:

    from faultproof.chain import EmbeddedChain
    from faultproof.contracts import load_contract
    oracle = EmbeddedChain().deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)
"""

from faultproof.contracts.binding import AbiMismatch, Contract
from faultproof.contracts.compiler import (
    CONTRACTS_ROOT,
    MAX_CODE_SIZE,
    Artifact,
    CompileError,
    ContractTooLarge,
    VyperVersionMismatch,
    compile_contract,
    compile_source,
    load_contract,
    size_report,
)

__all__ = [
    "CONTRACTS_ROOT",
    "MAX_CODE_SIZE",
    "AbiMismatch",
    "Artifact",
    "CompileError",
    "Contract",
    "ContractTooLarge",
    "VyperVersionMismatch",
    "compile_contract",
    "compile_source",
    "load_contract",
    "size_report",
]
