"""`Contract`: a small typed binding from an ABI to a `Chain`.

Two spellings, both resolve overloads by argument count:

    oracle.call("readPreimage", key, 0)                 # -> decoded outputs
    oracle.transact("loadKeccak256PreimagePart", 0, data, sender=alice)  # -> Receipt
    oracle.fn.readPreimage(key, 0).call()               # web3-like form
    oracle.fn.loadKeccak256PreimagePart(0, data).transact(value=0)

A single output is returned bare, several as a tuple. Any revert raises `ContractReverted` with
the decoded error name and arguments (custom errors emulated in Vyper included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_abi.abi import encode as abi_encode

from faultproof.chain.abi import (
    AbiEntry,
    Event,
    decode_revert,
    decode_values,
    input_types,
    output_types,
    selector,
    signature,
)
from faultproof.chain.errors import ChainError, ContractReverted, ExecutionHalted
from faultproof.chain.receipt import Receipt

if TYPE_CHECKING:
    from faultproof.chain.base import Chain


class AbiMismatch(ChainError):
    """No function in the ABI matches the name and argument count given."""


class Contract:
    """A deployed contract on `chain` at `address` described by `abi`."""

    def __init__(self, chain: Chain, address: str, abi: Sequence[AbiEntry], name: str = "") -> None:
        self.chain = chain
        self.address = address
        self.abi = list(abi)
        self.name = name or chain.contract_name(address)
        chain.register_abi(address, self.abi, self.name)
        self.fn = _FunctionNamespace(self)

    def __repr__(self) -> str:
        return f"Contract({self.name} at {self.address})"

    # ---- lookup ------------------------------------------------------------------------------

    def function(self, name: str, nargs: int | None = None) -> AbiEntry:
        """The ABI entry for `name` (picking the overload with `nargs` inputs when given)."""
        cands = [e for e in self.abi if e.get("type") == "function" and e.get("name") == name]
        if nargs is not None:
            cands = [e for e in cands if len(e.get("inputs", [])) == nargs] or cands
        if not cands:
            known = sorted({str(e["name"]) for e in self.abi if e.get("type") == "function"})
            raise AbiMismatch(f"{self.name} has no function {name!r}; known: {', '.join(known)}")
        if len(cands) > 1:
            sigs = ", ".join(signature(c) for c in cands)
            raise AbiMismatch(f"{self.name}.{name} is overloaded ({sigs}); pass matching args")
        return cands[0]

    def encode(self, name: str, *args: Any) -> bytes:
        """Calldata for ``name(*args)``."""
        entry = self.function(name, len(args))
        types = input_types(entry)
        if len(types) != len(args):
            raise AbiMismatch(f"{self.name}.{signature(entry)} takes {len(types)} arguments, "
                              f"got {len(args)}")
        try:
            return selector(signature(entry)) + abi_encode(types, list(args))
        except Exception as exc:
            raise AbiMismatch(f"{self.name}.{signature(entry)}: cannot encode {args!r}: {exc}"
                              ) from exc

    def selector(self, name: str) -> bytes:
        return selector(signature(self.function(name)))

    # ---- execution ---------------------------------------------------------------------------

    def call(self, name: str, *args: Any, sender: str | None = None, value: int = 0) -> Any:
        """Run `name` without a transaction and return its decoded output(s)."""
        entry = self.function(name, len(args))
        receipt = self.chain.call(self.address, self.encode(name, *args), sender=sender,
                                  value=value)
        self._raise_on_failure(receipt, entry)
        outs = decode_values(output_types(entry), receipt.return_data)
        if len(outs) == 1:
            return outs[0]
        return outs if outs else None

    def transact(self, name: str, *args: Any, value: int = 0, sender: str | None = None,
                 gas: int | None = None) -> Receipt:
        """Send a transaction calling `name`; raises `ContractReverted` if it reverts."""
        entry = self.function(name, len(args))
        receipt = self.chain.transact(self.address, self.encode(name, *args), value=value,
                                      sender=sender, gas=gas)
        self.chain._record_gas(self.name, str(entry["name"]), receipt.gas_used)
        self._raise_on_failure(receipt, entry)
        return receipt

    def try_transact(self, name: str, *args: Any, value: int = 0, sender: str | None = None,
                     gas: int | None = None) -> Receipt:
        """Like `transact` but returns the failed receipt instead of raising."""
        receipt = self.chain.transact(self.address, self.encode(name, *args), value=value,
                                      sender=sender, gas=gas)
        self.chain._record_gas(self.name, name, receipt.gas_used)
        return receipt

    def events(self, receipt: Receipt, name: str | None = None) -> list[Event]:
        """Events this contract emitted in `receipt` (optionally only those called `name`)."""
        return [e for e in receipt.events
                if e.address.lower() == self.address.lower() and (name is None or e.name == name)]

    def _raise_on_failure(self, receipt: Receipt, entry: AbiEntry) -> None:
        if receipt.success:
            return
        context = f"{self.name}.{entry['name']}"
        if receipt.halt_reason and not receipt.revert_data:
            raise ExecutionHalted(f"{context} halted: {receipt.halt_reason} "
                                  f"(gas used {receipt.gas_used})")
        err = decode_revert(receipt.revert_data, self.chain.known_abis(self.address))
        raise ContractReverted(receipt.revert_data, err.name, err.args, context,
                               receipt.gas_used)


@dataclass
class _BoundCall:
    contract: Contract
    name: str
    args: tuple[Any, ...]

    def call(self, *, sender: str | None = None, value: int = 0) -> Any:
        return self.contract.call(self.name, *self.args, sender=sender, value=value)

    def transact(self, *, value: int = 0, sender: str | None = None,
                 gas: int | None = None) -> Receipt:
        return self.contract.transact(self.name, *self.args, value=value, sender=sender, gas=gas)

    def calldata(self) -> bytes:
        return self.contract.encode(self.name, *self.args)


class _FunctionNamespace:
    def __init__(self, contract: Contract) -> None:
        self._contract = contract

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if not any(e.get("name") == name for e in self._contract.abi
                   if e.get("type") == "function"):
            self._contract.function(name)  # raises AbiMismatch listing the known names

        def bind(*args: Any) -> _BoundCall:
            return _BoundCall(self._contract, name, args)

        return bind
