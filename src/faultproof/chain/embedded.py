"""`EmbeddedChain`: the chain API on pyrevm, in process.

Fast (tens of microseconds per call) and deterministic: block time moves only when told to, so
clock-dependent dispute-game tests are exact. Each transaction "mines" one block (the block number
increases by one), like anvil's automine. pyrevm enforces EIP-170 itself (a too-large deployment
halts with ``CreateContractSizeLimit``).

Known deviation, gas: pyrevm never finalizes its journal between transactions, so storage slots
and accounts touched by an earlier transaction stay *warm* (EIP-2929) in later ones, and a slot
written earlier counts as already dirty for EIP-2200 SSTORE pricing. Such transactions cost up to
~4,800 gas per re-touched slot (and 2,500 per re-touched account) less than on a real node.
Deployments and first touches are exact. Use `RpcChain` on anvil when gas must be exact (the
gas tests compare both). Transient storage (EIP-1153) is cleared after every transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyrevm

from faultproof.chain.abi import Log
from faultproof.chain.base import DEFAULT_TX_GAS, Chain
from faultproof.chain.errors import ChainError, TransactionRejected
from faultproof.chain.receipt import Receipt
from faultproof.crypto import keccak256

#: Chain id anvil uses too, so signatures/domain separators match across backends.
DEFAULT_CHAIN_ID = 31337
#: Starting timestamp (2024-01-01); arbitrary but far from 0 so underflow bugs show.
DEFAULT_GENESIS_TIMESTAMP = 1_704_067_200
DEFAULT_BALANCE = 10_000 * 10**18
DEFAULT_BLOCK_GAS_LIMIT = 30_000_000

_REVERT = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}")
_HALT = re.compile(r"Halt \{ reason: ([A-Za-z]+)(?:\([^)]*\))?, gas_used: (\d+) \}")


def _checksum(address: str) -> str:
    addr = address.lower().removeprefix("0x")
    digest = keccak256(addr.encode()).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(addr))


def deterministic_accounts(count: int = 10) -> list[str]:
    """Test accounts derived from a fixed label, so addresses are stable across runs."""
    return [_checksum("0x" + keccak256(f"faultproof account {i}".encode())[12:].hex())
            for i in range(count)]


@dataclass
class _Snapshot:
    checkpoint: pyrevm.JournalCheckpoint
    number: int
    timestamp: int


class EmbeddedChain(Chain):
    """In-process EVM (pyrevm, Cancun rules). See the module docstring for the block model."""

    def __init__(
        self,
        *,
        accounts: int = 10,
        balance: int = DEFAULT_BALANCE,
        timestamp: int = DEFAULT_GENESIS_TIMESTAMP,
        chain_id: int = DEFAULT_CHAIN_ID,
        spec_id: str = "CANCUN",
    ) -> None:
        super().__init__()
        self._chain_id = chain_id
        # pyrevm uses its `gas_limit` as the block gas limit seen by GASLIMIT; match anvil's.
        self._evm = pyrevm.EVM(env=pyrevm.Env(cfg=pyrevm.CfgEnv(chain_id=chain_id)),
                               gas_limit=DEFAULT_BLOCK_GAS_LIMIT, spec_id=spec_id)
        self._number = 1
        self._timestamp = timestamp
        self._apply_block_env()
        self._accounts = deterministic_accounts(accounts)
        for a in self._accounts:
            self._evm.set_balance(a, balance)
        self._snapshots: dict[int, _Snapshot] = {}
        self._next_snapshot = 1

    @property
    def evm(self) -> pyrevm.EVM:
        """The underlying pyrevm instance, for what this API does not cover."""
        return self._evm

    @property
    def accounts(self) -> list[str]:
        return list(self._accounts)

    @property
    def chain_id(self) -> int:
        return self._chain_id

    # ---- block environment -------------------------------------------------------------------

    def _apply_block_env(self) -> None:
        self._evm.set_block_env(pyrevm.BlockEnv(
            number=self._number,
            timestamp=self._timestamp,
            gas_limit=DEFAULT_BLOCK_GAS_LIMIT,
            basefee=0,
            prevrandao=keccak256(self._number.to_bytes(32, "big")),
            excess_blob_gas=0,
        ))

    @property
    def timestamp(self) -> int:
        return self._timestamp

    @property
    def block_number(self) -> int:
        return self._number

    def set_timestamp(self, timestamp: int) -> None:
        """Mine one block at `timestamp`; later blocks keep it until time is moved again."""
        if timestamp < self._timestamp:
            raise ChainError(f"cannot move time back from {self._timestamp} to {timestamp}; "
                             "use snapshot/revert")
        self._timestamp = timestamp
        self.mine()

    def warp(self, seconds: int) -> None:
        if seconds < 0:
            raise ChainError(f"cannot warp backwards ({seconds} s); use snapshot/revert")
        self.set_timestamp(self._timestamp + seconds)

    def mine(self, blocks: int = 1) -> None:
        self._number += blocks
        self._apply_block_env()

    # ---- state -------------------------------------------------------------------------------

    def snapshot(self) -> int:
        sid = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[sid] = _Snapshot(self._evm.snapshot(), self._number, self._timestamp)
        return sid

    def revert(self, snapshot_id: int) -> None:
        snap = self._snapshots.get(snapshot_id)
        if snap is None:
            raise ChainError(f"unknown or already used snapshot id {snapshot_id}")
        self._evm.revert(snap.checkpoint)
        for sid in [s for s in self._snapshots if s >= snapshot_id]:
            del self._snapshots[sid]
        self._number, self._timestamp = snap.number, snap.timestamp
        self._apply_block_env()

    def get_balance(self, address: str) -> int:
        return int(self._evm.get_balance(address))

    def set_balance(self, address: str, wei: int) -> None:
        self._evm.set_balance(address, wei)

    def get_code(self, address: str) -> bytes:
        """Deployed code, without the zero padding revm adds to analysed bytecode."""
        info = self._evm.basic(address)
        code = bytes(info.code or b"")
        want = bytes(info.code_hash or b"")
        for cut in range(0, min(len(code), 66) + 1):
            if keccak256(code[: len(code) - cut]) == want:
                return code[: len(code) - cut]
        return code

    def get_storage(self, address: str, slot: int) -> int:
        return int(self._evm.storage(address, slot))

    # ---- execution ---------------------------------------------------------------------------

    def _execute(self, to: str, data: bytes, sender: str, value: int, gas: int | None) -> Receipt:
        try:
            out = self._evm.message_call(sender, to, data, value=value,
                                         gas=gas or DEFAULT_TX_GAS)
        except RuntimeError as exc:
            return self._failure(exc)
        res = self._evm.result
        return Receipt(True, res.gas_used if res else 0, self._logs(), return_data=bytes(out))

    def _failure(self, exc: RuntimeError) -> Receipt:
        text = str(exc)
        m = _REVERT.search(text)
        if m:
            return Receipt(False, int(m.group(1)), revert_data=bytes.fromhex(m.group(2)))
        m = _HALT.search(text)
        if m:
            gas = int(m.group(2))
            return Receipt(False, min(gas, 2**63), halt_reason=m.group(1))
        raise TransactionRejected(f"pyrevm refused the transaction: {text}") from exc

    def _logs(self) -> list[Log]:
        res = self._evm.result
        if res is None:
            return []
        logs = []
        for lg in res.logs:
            topics, data = lg.data
            logs.append(Log(_checksum(lg.address), tuple(bytes(t) for t in topics), bytes(data)))
        return logs

    def call(self, to: str, data: bytes, *, sender: str | None = None, value: int = 0,
             gas: int | None = None) -> Receipt:
        cp = self._evm.snapshot()
        try:
            receipt = self._execute(to, data, sender or self.default_sender, value, gas)
        finally:
            self._evm.revert(cp)
            self._evm.reset_transient_storage()
        return self._decorate(receipt, to)

    def transact(self, to: str, data: bytes, *, value: int = 0, sender: str | None = None,
                 gas: int | None = None) -> Receipt:
        receipt = self._execute(to, data, sender or self.default_sender, value, gas)
        self._evm.reset_transient_storage()
        self.mine()
        return self._decorate(receipt, to)

    def _create(self, initcode: bytes, *, value: int, sender: str, gas: int | None) -> Receipt:
        try:
            address = self._evm.deploy(sender, initcode, value=value, gas=gas or DEFAULT_TX_GAS)
        except RuntimeError as exc:
            receipt = self._failure(exc)
        else:
            res = self._evm.result
            receipt = Receipt(True, res.gas_used if res else 0, self._logs(),
                              contract_address=_checksum(address))
        self._evm.reset_transient_storage()
        self.mine()
        return self._decorate(receipt, receipt.contract_address)
