"""The backend-independent chain API.

`Chain` is what the rest of faultproof programs against: deploy contracts, call and transact,
move time, snapshot and revert. `EmbeddedChain` (pyrevm, in process, ~60 us per call) and
`RpcChain` (JSON-RPC, e.g. anvil) implement the primitive operations; everything that can be
written once — constructor encoding, ABI bookkeeping, revert and event decoding, gas reporting —
lives here so both backends behave identically.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from eth_abi.abi import encode as abi_encode

from faultproof.chain.abi import AbiEntry, Event, decode_log, decode_revert, input_types
from faultproof.chain.errors import CodeSizeLimitExceeded, ContractReverted, DeployFailed
from faultproof.chain.receipt import Receipt
from faultproof.contracts.compiler import MAX_CODE_SIZE, Artifact

if TYPE_CHECKING:
    from faultproof.contracts.binding import Contract

#: Gas limit used for transactions when the caller gives none (a typical L1 block's limit).
DEFAULT_TX_GAS = 30_000_000


class Chain(ABC):
    """One EVM chain, whatever runs it. Addresses are checksummed ``0x`` strings."""

    def __init__(self) -> None:
        self._abis: dict[str, list[AbiEntry]] = {}
        self._names: dict[str, str] = {}
        self._gas: dict[tuple[str, str], list[int]] = defaultdict(list)
        #: Receipt of the latest successful `deploy` (constructor events decoded).
        self.last_deploy_receipt: Receipt | None = None

    # ---- primitives each backend implements -------------------------------------------------

    @property
    @abstractmethod
    def accounts(self) -> list[str]:
        """Funded accounts that can send transactions (the first one is the default sender)."""

    @property
    @abstractmethod
    def chain_id(self) -> int: ...

    @abstractmethod
    def call(self, to: str, data: bytes, *, sender: str | None = None, value: int = 0,
             gas: int | None = None) -> Receipt:
        """Execute without changing state (``eth_call``); reverts come back as a failed receipt."""

    @abstractmethod
    def transact(self, to: str, data: bytes, *, value: int = 0, sender: str | None = None,
                 gas: int | None = None) -> Receipt:
        """Send a transaction and mine it; a revert is a failed receipt, not an exception."""

    @abstractmethod
    def _create(self, initcode: bytes, *, value: int, sender: str, gas: int | None) -> Receipt:
        """Contract-creation transaction; `contract_address` set on success."""

    @property
    @abstractmethod
    def timestamp(self) -> int:
        """The block timestamp the next transaction executes at (embedded) / latest block (rpc)."""

    @property
    @abstractmethod
    def block_number(self) -> int: ...

    @abstractmethod
    def set_timestamp(self, timestamp: int) -> None:
        """Make the next block's timestamp `timestamp` (must not go backwards on anvil)."""

    @abstractmethod
    def warp(self, seconds: int) -> None:
        """Advance time by `seconds`."""

    @abstractmethod
    def mine(self, blocks: int = 1) -> None: ...

    @abstractmethod
    def snapshot(self) -> int:
        """Remember the whole state (accounts, storage, block env); see `revert`."""

    @abstractmethod
    def revert(self, snapshot_id: int) -> None:
        """Return to `snapshot_id`. Like anvil, the snapshot and later ones are used up."""

    @abstractmethod
    def get_balance(self, address: str) -> int: ...

    @abstractmethod
    def set_balance(self, address: str, wei: int) -> None: ...

    @abstractmethod
    def get_code(self, address: str) -> bytes: ...

    @abstractmethod
    def get_storage(self, address: str, slot: int) -> int: ...

    # ---- shared behaviour ------------------------------------------------------------------

    @property
    def default_sender(self) -> str:
        return self.accounts[0]

    def register_abi(self, address: str, abi: Sequence[AbiEntry], name: str = "") -> None:
        """Remember an ABI so logs and reverts from `address` decode by name."""
        key = address.lower()
        self._abis[key] = list(abi)
        if name:
            self._names[key] = name

    def contract_name(self, address: str) -> str:
        return self._names.get(address.lower(), address)

    def known_abis(self, first: str | None = None) -> list[list[AbiEntry]]:
        """All registered ABIs, the one of `first` (the called contract) first."""
        abis = list(self._abis.values())
        if first is not None and first.lower() in self._abis:
            mine = self._abis[first.lower()]
            abis = [mine, *[a for a in abis if a is not mine]]
        return abis

    def _decorate(self, receipt: Receipt, to: str | None) -> Receipt:
        """Fill the decoded error and events of a raw receipt from the registered ABIs."""
        abis = self.known_abis(to)
        if not receipt.success and receipt.revert_data:
            err = decode_revert(receipt.revert_data, abis)
            receipt.error_name, receipt.error_args = err.name, err.args
        events: list[Event] = []
        for log in receipt.logs:
            ev = decode_log(log, self.known_abis(log.address))
            if ev is not None:
                events.append(ev)
        receipt.events = events
        return receipt

    def deploy(self, artifact: Artifact, *args: Any, value: int = 0, sender: str | None = None,
               gas: int | None = None) -> str:
        """Deploy `artifact` with constructor `args`; return the new contract's address.

        Raises `ContractReverted` if the constructor reverts, `CodeSizeLimitExceeded` if the
        runtime code is over EIP-170 (the chain itself refuses it), `DeployFailed` otherwise.
        """
        ctor = artifact.constructor_abi()
        types = input_types(ctor) if ctor else []
        if len(types) != len(args):
            raise DeployFailed(
                f"{artifact.name}: constructor takes {len(types)} arguments {types}, got {len(args)}"
            )
        initcode = artifact.bytecode + (abi_encode(types, list(args)) if types else b"")
        receipt = self._create(initcode, value=value, sender=sender or self.default_sender,
                               gas=gas)
        self._record_gas(artifact.name, "<deploy>", receipt.gas_used)
        if receipt.success and receipt.contract_address:
            self.register_abi(receipt.contract_address, artifact.abi, artifact.name)
            self.last_deploy_receipt = self._decorate(receipt, receipt.contract_address)
            return receipt.contract_address
        if receipt.revert_data:
            err = decode_revert(receipt.revert_data, [artifact.abi, *self.known_abis()])
            raise ContractReverted(receipt.revert_data, err.name, err.args,
                                   f"{artifact.name} constructor", receipt.gas_used)
        if artifact.runtime_size > MAX_CODE_SIZE or receipt.halt_reason == "CreateContractSizeLimit":
            raise CodeSizeLimitExceeded(
                f"{artifact.name}: runtime code is {artifact.runtime_size} bytes, over the EIP-170 "
                f"limit of {MAX_CODE_SIZE}; the chain refused the deployment"
            )
        raise DeployFailed(
            f"{artifact.name}: deployment failed ({receipt.halt_reason or 'no revert data'}); "
            "check constructor arguments and the gas limit"
        )

    def deploy_blueprint(self, artifact: Artifact, *, sender: str | None = None) -> str:
        """Deploy `artifact` as an ERC-5202 blueprint for ``create_from_blueprint``."""
        if not artifact.blueprint_bytecode:
            raise DeployFailed(f"{artifact.name}: artifact has no blueprint bytecode")
        receipt = self._create(artifact.blueprint_bytecode, value=0,
                               sender=sender or self.default_sender, gas=None)
        self._record_gas(artifact.name, "<blueprint>", receipt.gas_used)
        if not (receipt.success and receipt.contract_address):
            raise DeployFailed(f"{artifact.name}: blueprint deployment failed "
                               f"({receipt.halt_reason or 'reverted'})")
        return receipt.contract_address

    def deploy_contract(self, artifact: Artifact, *args: Any, value: int = 0,
                        sender: str | None = None, gas: int | None = None) -> Contract:
        """`deploy` and return a `Contract` binding for the new address."""
        from faultproof.contracts.binding import Contract

        address = self.deploy(artifact, *args, value=value, sender=sender, gas=gas)
        return Contract(self, address, artifact.abi, name=artifact.name)

    def at(self, address: str, artifact_or_abi: Artifact | Sequence[AbiEntry]) -> Contract:
        """A binding for an already deployed contract (e.g. created by a factory)."""
        from faultproof.contracts.binding import Contract

        if isinstance(artifact_or_abi, Artifact):
            return Contract(self, address, artifact_or_abi.abi, name=artifact_or_abi.name)
        return Contract(self, address, list(artifact_or_abi))

    # ---- gas reporting ---------------------------------------------------------------------

    def _record_gas(self, contract: str, function: str, gas: int) -> None:
        self._gas[(contract, function)].append(gas)

    def gas_samples(self) -> dict[tuple[str, str], list[int]]:
        """Gas used per (contract, function) for every transaction sent through bindings."""
        return {k: list(v) for k, v in self._gas.items()}

    def gas_report(self) -> str:
        """A min/avg/max table of recorded gas, like a test framework's gas reporter."""
        rows = [f"{'contract.function':<48} {'calls':>5} {'min':>9} {'avg':>9} {'max':>9}"]
        for (contract, fn), values in sorted(self._gas.items()):
            avg = sum(values) // len(values)
            rows.append(f"{contract + '.' + fn:<48} {len(values):>5} {min(values):>9} "
                        f"{avg:>9} {max(values):>9}")
        return "\n".join(rows)
