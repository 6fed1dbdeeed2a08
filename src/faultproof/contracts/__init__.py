"""Vyper contracts (sources under this folder), their compiler and a Python binding.

Compile + deploy in three lines:

    from faultproof.chain import EmbeddedChain
    from faultproof.contracts import load_contract
    oracle = EmbeddedChain().deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)

Names are loaded lazily so ``python -m faultproof.contracts.compiler`` (the build step) runs the
compiler module exactly once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_BINDING = {"AbiMismatch", "Contract"}
_COMPILER = {
    "CONTRACTS_ROOT",
    "MAX_CODE_SIZE",
    "Artifact",
    "CompileError",
    "ContractTooLarge",
    "VyperVersionMismatch",
    "compile_contract",
    "compile_source",
    "load_contract",
    "size_report",
}

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


def __getattr__(name: str) -> Any:
    if name in _COMPILER:
        from faultproof.contracts import compiler

        return getattr(compiler, name)
    if name in _BINDING:
        from faultproof.contracts import binding

        return getattr(binding, name)
    raise AttributeError(f"module 'faultproof.contracts' has no attribute {name!r}")
