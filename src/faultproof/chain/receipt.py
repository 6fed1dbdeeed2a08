"""Plain result types shared by both chain backends."""

from __future__ import annotations

from dataclasses import dataclass, field

from faultproof.chain.abi import Event, Log


@dataclass
class Receipt:
    """Outcome of a call or transaction, the same shape on every backend.

    `return_data` is the output of a successful execution, `revert_data` the raw revert payload of
    a failed one (decoded into `error_name`/`error_args` when the ABI knows it). `gas_used` is the
    transaction's total gas (intrinsic cost included), as a block explorer would report it.
    """

    success: bool
    gas_used: int
    logs: list[Log] = field(default_factory=list)
    return_data: bytes = b""
    revert_data: bytes = b""
    contract_address: str | None = None
    tx_hash: str | None = None
    halt_reason: str | None = None
    error_name: str | None = None
    error_args: tuple[object, ...] = ()
    events: list[Event] = field(default_factory=list)
