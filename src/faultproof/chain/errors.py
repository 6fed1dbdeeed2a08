"""Errors raised by the chain layer.

They subclass `faultproof.errors.FaultproofError` so the CLI prints them as one line; each names
the contract/function involved and what to do next.
"""

from __future__ import annotations

from typing import Any

from faultproof.errors import FaultproofError


class ChainError(FaultproofError):
    """Base class for chain-layer failures."""


class RpcError(ChainError):
    """The JSON-RPC node could not be reached or answered with an error."""


class InvalidPrivateKey(ChainError):
    """A signing chain was given something that is not a secp256k1 private key."""


class TransactionRejected(ChainError):
    """The node refused the transaction before executing it (funds, nonce, gas limit)."""


class ContractReverted(ChainError):
    """A call or transaction reverted; `error_name`/`error_args` hold the decoded reason.

    `error_name` is ``"Error"`` for ``assert ..., "msg"`` / ``require`` strings, ``"Panic"`` for
    Solidity panics, the custom error's name when the ABI declares it, ``None`` when unknown.
    """

    def __init__(
        self,
        data: bytes,
        error_name: str | None = None,
        error_args: tuple[Any, ...] = (),
        context: str = "",
        gas_used: int = 0,
    ) -> None:
        self.data = data
        self.error_name = error_name
        self.error_args = error_args
        self.context = context
        self.gas_used = gas_used
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"{self.context} reverted" if self.context else "execution reverted"
        if self.error_name is None:
            if not self.data:
                return f"{where} without reason data"
            return f"{where} with undecoded data 0x{self.data.hex()}"
        if self.error_name == "Error" and len(self.error_args) == 1:
            return f"{where}: {self.error_args[0]!r}"
        args = ", ".join(repr(a) for a in self.error_args)
        return f"{where} with {self.error_name}({args})"


class DeployFailed(ChainError):
    """Contract creation failed without a revert reason (halt, out of gas, code size)."""


class CodeSizeLimitExceeded(DeployFailed):
    """The deployed runtime code would exceed EIP-170 (24,576 bytes); the chain refused it."""


class ExecutionHalted(ChainError):
    """The EVM halted exceptionally (out of gas, invalid opcode, static-call violation)."""
