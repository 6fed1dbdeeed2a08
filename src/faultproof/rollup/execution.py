"""L2 block execution: Cancun (the Python execution specs) plus OP's deposit rules.

docs/ROLLUP.md §3 is the rule book. The EVM, the user-transaction checks and fee rules are the
spec's own functions (`process_transaction`, `process_message_call`, `validate_transaction`,
`check_transaction`, the trie roots); this module adds only what OP changes:

* deposit transactions (type 0x7E): mint first and kept on failure, no signature, nonce or fee
  checks, the sender's nonce always increments, real gas used (Regolith), receipts with
  ``depositNonce`` and ``depositReceiptVersion = 1`` (Canyon);
* the base fee of user transactions credited to the BaseFeeVault instead of burned;
* OP's EIP-1559 parameters and header fields (coinbase, mixHash, parentBeaconBlockRoot).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ethereum.crypto.hash import keccak256
from ethereum.exceptions import EthereumException
from ethereum.forks.cancun import fork as spec_fork
from ethereum.forks.cancun import vm as spec_vm
from ethereum.forks.cancun.blocks import Header, Log
from ethereum.forks.cancun.bloom import logs_bloom
from ethereum.forks.cancun.state import (
    State,
    TransientStorage,
    begin_transaction,
    commit_transaction,
    destroy_account,
    get_account,
    increment_nonce,
    rollback_transaction,
    set_account_balance,
    state_root,
    storage_root,
)
from ethereum.forks.cancun.transactions import (
    BlobTransaction,
    FeeMarketTransaction,
    LegacyTransaction,
    Transaction,
    decode_transaction,
    recover_sender,
    validate_transaction,
)
from ethereum.forks.cancun.trie import copy_trie, trie_get, trie_set
from ethereum.forks.cancun.trie import root as trie_root
from ethereum.forks.cancun.utils.address import compute_contract_address
from ethereum.forks.cancun.utils.message import prepare_message
from ethereum.forks.cancun.vm.interpreter import process_message_call
from ethereum_rlp import rlp
from ethereum_types.bytes import Bytes, Bytes0, Bytes8, Bytes20, Bytes32, Bytes256
from ethereum_types.numeric import U64, U256, Uint

from faultproof.errors import FaultproofError
from faultproof.evm.reference import AccountState, make_state
from faultproof.rollup.config import BlockId, RollupConfig
from faultproof.rollup.genesis import (
    BASE_FEE_VAULT,
    INITIAL_BASE_FEE,
    L1_BLOCK,
    L1_INFO_DEPOSITOR,
    MESSAGE_PASSER,
    SEQUENCER_FEE_VAULT,
)

DEPOSIT_TX_TYPE = 0x7E
L1_INFO_GAS = 1_000_000
EMPTY_ROOT = keccak256(b"\x80")
EMPTY_OMMERS = keccak256(rlp.encode([]))
L1_INFO_SELECTOR = bytes.fromhex("440a5e20")
TRANSACTION_DEPOSITED = keccak256(b"TransactionDeposited(address,address,uint256,bytes)")
BLOB_BASE_FEE_UPDATE_FRACTION = 3338477
MIN_BLOB_BASE_FEE = 1


class InvalidBlock(FaultproofError):
    """A batch transaction fails validation (bad signature, nonce, balance, fee, gas limit)."""


class DepositLogError(FaultproofError):
    """A TransactionDeposited log does not decode (a critical derivation error)."""


# --- deposit transactions --------------------------------------------------------------------


@dataclass(frozen=True)
class DepositTx:
    """OP's deposit transaction (type 0x7E)."""

    source_hash: bytes
    from_: bytes
    to: bytes | None
    mint: int
    value: int
    gas: int
    is_system_tx: bool
    data: bytes

    def encode(self) -> bytes:
        """``0x7E ‖ rlp([sourceHash, from, to, mint, value, gas, isSystemTx, data])``."""
        return bytes([DEPOSIT_TX_TYPE]) + rlp.encode(
            [
                Bytes32(self.source_hash),
                Bytes20(self.from_),
                Bytes(self.to or b""),
                Uint(self.mint),
                Uint(self.value),
                Uint(self.gas),
                self.is_system_tx,
                Bytes(self.data),
            ]
        )

    @property
    def hash(self) -> bytes:
        return keccak256(self.encode())

    @classmethod
    def decode(cls, raw: bytes) -> DepositTx:
        if not raw or raw[0] != DEPOSIT_TX_TYPE:
            raise ValueError("not a deposit transaction")
        items = rlp.decode(raw[1:])
        if not isinstance(items, list) or len(items) != 8:
            raise ValueError("a deposit transaction is an RLP list of 8 items")
        src, frm, to, mint, value, gas, system, data = items
        assert isinstance(src, bytes) and isinstance(frm, bytes) and isinstance(to, bytes)
        assert isinstance(data, bytes) and isinstance(system, bytes)
        return cls(
            bytes(src), bytes(frm), bytes(to) or None, _uint(mint), _uint(value), _uint(gas),
            system == b"\x01", bytes(data),
        )


def _uint(item: object) -> int:
    assert isinstance(item, bytes)
    return int.from_bytes(item, "big")


def source_hash(domain: int, a: bytes, b: int) -> bytes:
    """``keccak256(u256(domain) ‖ keccak256(A ‖ u256(B)))`` (§6.9, domains 0 and 1)."""
    return keccak256(domain.to_bytes(32, "big") + keccak256(a + b.to_bytes(32, "big")))


@dataclass(frozen=True)
class L1Info:
    """What an L2 block takes from its L1 origin."""

    number: int
    hash: bytes
    timestamp: int
    base_fee: int
    blob_base_fee: int
    mix_hash: bytes
    parent_beacon_root: bytes
    parent_hash: bytes = b"\x00" * 32

    @property
    def id(self) -> BlockId:
        return BlockId(self.number, self.hash)


def blob_base_fee(excess_blob_gas: int | None) -> int:
    """EIP-4844's ``fake_exponential(1, excess, 3338477)``; 1 without an excess field."""
    if excess_blob_gas is None:
        return 1
    i, output, accum = 1, 0, MIN_BLOB_BASE_FEE * BLOB_BASE_FEE_UPDATE_FRACTION
    while accum > 0:
        output += accum
        accum = accum * excess_blob_gas // (BLOB_BASE_FEE_UPDATE_FRACTION * i)
        i += 1
    return output // BLOB_BASE_FEE_UPDATE_FRACTION


def l1_info_deposit(origin: L1Info, seq: int, batcher: bytes) -> DepositTx:
    """The L1 info deposit that opens every L2 block (§6.8, Ecotone form, scalars 0)."""
    data = (
        L1_INFO_SELECTOR
        + (0).to_bytes(4, "big")
        + (0).to_bytes(4, "big")
        + seq.to_bytes(8, "big")
        + origin.timestamp.to_bytes(8, "big")
        + origin.number.to_bytes(8, "big")
        + origin.base_fee.to_bytes(32, "big")
        + origin.blob_base_fee.to_bytes(32, "big")
        + origin.hash
        + b"\x00" * 12
        + batcher
    )
    return DepositTx(
        source_hash=source_hash(1, origin.hash, seq),
        from_=L1_INFO_DEPOSITOR,
        to=L1_BLOCK,
        mint=0,
        value=0,
        gas=L1_INFO_GAS,
        is_system_tx=False,
        data=data,
    )


def parse_l1_info(data: bytes) -> tuple[int, int, int, bytes]:
    """(sequence number, L1 timestamp, L1 number, L1 hash) from an L1 info deposit's data."""
    if len(data) != 164 or data[:4] != L1_INFO_SELECTOR:
        raise ValueError("not an Ecotone L1 info deposit (164 bytes, selector 440a5e20)")
    return (
        int.from_bytes(data[12:20], "big"),
        int.from_bytes(data[20:28], "big"),
        int.from_bytes(data[28:36], "big"),
        data[100:132],
    )


def deposit_from_log(
    topics: Sequence[bytes], data: bytes, l1_block_hash: bytes, log_index: int
) -> DepositTx:
    """A user deposit from a Portal ``TransactionDeposited`` log (§6.9's decoding rules)."""
    if len(topics) != 4 or topics[0] != TRANSACTION_DEPOSITED:
        raise DepositLogError("TransactionDeposited log: expected 4 topics")
    if int.from_bytes(topics[3], "big") != 0:
        raise DepositLogError("TransactionDeposited log: version is not 0")
    if len(data) < 64 or len(data) % 32:
        raise DepositLogError("TransactionDeposited log: data is not ABI-encoded bytes")
    if int.from_bytes(data[:32], "big") != 32:
        raise DepositLogError("TransactionDeposited log: bad bytes offset")
    size = int.from_bytes(data[32:64], "big")
    if size > len(data) - 64 or size + 32 <= len(data) - 64:
        raise DepositLogError("TransactionDeposited log: bad opaqueData length or padding")
    opaque = data[64 : 64 + size]
    if len(opaque) < 73:
        raise DepositLogError("TransactionDeposited log: opaqueData under 73 bytes")
    mint = int.from_bytes(opaque[0:32], "big")
    value = int.from_bytes(opaque[32:64], "big")
    gas = int.from_bytes(opaque[64:72], "big")
    is_creation = opaque[72] != 0
    return DepositTx(
        source_hash=source_hash(0, l1_block_hash, log_index),
        from_=topics[1][12:],
        to=None if is_creation else topics[2][12:],
        mint=mint,
        value=value,
        gas=gas,
        is_system_tx=False,
        data=opaque[73:],
    )


# --- blocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TxReceipt:
    """One executed transaction, with what the RPC and the receipts trie need."""

    tx_hash: bytes
    tx_type: int
    sender: bytes
    to: bytes | None
    status: int
    gas_used: int
    cumulative_gas_used: int
    logs: tuple[Log, ...]
    contract_address: bytes | None
    effective_gas_price: int
    deposit_nonce: int | None
    encoded: bytes


@dataclass(frozen=True)
class L2Block:
    """An executed L2 block and where derivation placed it."""

    header: Header
    txs: tuple[bytes, ...]
    receipts: tuple[TxReceipt, ...]
    l1_origin: BlockId
    seq: int

    @cached_property
    def hash(self) -> bytes:
        return keccak256(rlp.encode(self.header))

    @property
    def number(self) -> int:
        return int(self.header.number)

    @property
    def timestamp(self) -> int:
        return int(self.header.timestamp)

    @property
    def header_rlp(self) -> bytes:
        return bytes(rlp.encode(self.header))


@dataclass(frozen=True)
class Attributes:
    """What a block is built from (op-node's payload attributes)."""

    timestamp: int
    origin: L1Info
    seq: int
    deposits: tuple[DepositTx, ...]
    txs: tuple[bytes, ...] = ()


@dataclass
class BuildResult:
    block: L2Block
    state: State
    dropped: list[tuple[bytes, str]] = field(default_factory=list)
    """Batch transactions left out (sequencer mode only): (raw tx, reason)."""


def copy_state(state: State) -> State:
    """An independent copy of a spec `State` (the parent state stays untouched)."""
    out = State()
    out._main_trie = copy_trie(state._main_trie)
    out._storage_tries = {k: copy_trie(t) for k, t in state._storage_tries.items()}
    return out


def next_base_fee(config: RollupConfig, parent: Header) -> int:
    """EIP-1559 with the config's denominator and elasticity (OP's Canyon rule)."""
    base = int(parent.base_fee_per_gas)
    target = int(parent.gas_limit) // config.eip1559_elasticity
    used = int(parent.gas_used)
    if used == target:
        return base
    if used > target:
        delta = max(base * (used - target) // target // config.eip1559_denominator, 1)
        return base + delta
    return base - base * (target - used) // target // config.eip1559_denominator


def genesis_block(
    config: RollupConfig, alloc: dict[bytes, AccountState], l1_mix_hash: bytes = b"\x00" * 32
) -> tuple[L2Block, State]:
    """The L2 genesis block (number 0, no transactions) over ``alloc``; its L1 origin is
    ``config.genesis.l1`` with sequence number 0."""
    state = make_state(alloc)
    header = Header(
        parent_hash=Bytes32(b"\x00" * 32),
        ommers_hash=Bytes32(EMPTY_OMMERS),
        coinbase=Bytes20(SEQUENCER_FEE_VAULT),
        state_root=state_root(state),
        transactions_root=Bytes32(EMPTY_ROOT),
        receipt_root=Bytes32(EMPTY_ROOT),
        bloom=Bytes256(b"\x00" * 256),
        difficulty=Uint(0),
        number=Uint(0),
        gas_limit=Uint(config.gas_limit),
        gas_used=Uint(0),
        timestamp=U256(config.genesis.l2_time),
        extra_data=Bytes(b""),
        prev_randao=Bytes32(l1_mix_hash),
        nonce=Bytes8(b"\x00" * 8),
        base_fee_per_gas=Uint(INITIAL_BASE_FEE),
        withdrawals_root=Bytes32(EMPTY_ROOT),
        blob_gas_used=U64(0),
        excess_blob_gas=U64(0),
        parent_beacon_block_root=Bytes32(b"\x00" * 32),
    )
    return L2Block(header, (), (), config.genesis.l1, 0), state


def decode_raw_tx(raw: bytes) -> Transaction:
    """A batch transaction from its EIP-2718 bytes; `InvalidBlock` if it does not decode."""
    try:
        if not raw:
            raise ValueError("empty transaction")
        if raw[0] >= 0xC0:
            return rlp.decode_to(LegacyTransaction, raw)
        if raw[0] in (DEPOSIT_TX_TYPE, 3):
            raise ValueError(f"type 0x{raw[0]:02x} is not allowed in a batch")
        return decode_transaction(Bytes(raw))
    except Exception as exc:  # the RLP and spec decoders raise several unrelated types
        raise InvalidBlock(f"batch transaction does not decode: {exc}") from None


def build_block(
    config: RollupConfig,
    parent: L2Block,
    parent_state: State,
    attrs: Attributes,
    block_hashes: Sequence[bytes],
    *,
    skip_invalid: bool = False,
) -> BuildResult:
    """Execute ``attrs`` on ``parent_state`` into the next L2 block (§3).

    ``block_hashes`` are the hashes BLOCKHASH sees, oldest first, ending with the parent's.
    With ``skip_invalid`` (the sequencer) an invalid batch transaction is left out; without it
    (derivation) it raises `InvalidBlock`, and the caller builds the deposits-only block.
    """
    if attrs.timestamp <= parent.timestamp:
        raise InvalidBlock("block timestamp must be after the parent's")
    state = copy_state(parent_state)
    base_fee = next_base_fee(config, parent.header)
    env = spec_vm.BlockEnvironment(
        chain_id=U64(config.l2_chain_id),
        state=state,
        block_gas_limit=Uint(config.gas_limit),
        block_hashes=[Bytes32(h) for h in block_hashes[-256:]],
        coinbase=Bytes20(SEQUENCER_FEE_VAULT),
        number=Uint(parent.number + 1),
        base_fee_per_gas=Uint(base_fee),
        time=U256(attrs.timestamp),
        prev_randao=Bytes32(attrs.origin.mix_hash),
        excess_blob_gas=U64(0),
        parent_beacon_block_root=Bytes32(attrs.origin.parent_beacon_root),
    )
    output = spec_vm.BlockOutput()
    spec_fork.process_unchecked_system_transaction(
        block_env=env,
        target_address=spec_fork.BEACON_ROOTS_ADDRESS,
        data=env.parent_beacon_block_root,
    )
    receipts: list[TxReceipt] = []
    txs: list[bytes] = []
    dropped: list[tuple[bytes, str]] = []
    deposits = (l1_info_deposit(attrs.origin, attrs.seq, config.batcher_address), *attrs.deposits)
    for dep in deposits:
        receipts.append(apply_deposit(env, output, dep, len(txs)))
        txs.append(dep.encode())
    for raw in attrs.txs:
        try:
            tx = decode_raw_tx(raw)
            receipt = apply_user_tx(env, output, tx, raw, len(txs))
        except InvalidBlock as exc:
            if not skip_invalid:
                raise
            dropped.append((raw, str(exc)))
            continue
        receipts.append(receipt)
        txs.append(raw)
    header = Header(
        parent_hash=Bytes32(parent.hash),
        ommers_hash=Bytes32(EMPTY_OMMERS),
        coinbase=Bytes20(SEQUENCER_FEE_VAULT),
        state_root=state_root(state),
        transactions_root=trie_root(output.transactions_trie),
        receipt_root=trie_root(output.receipts_trie),
        bloom=logs_bloom(output.block_logs),
        difficulty=Uint(0),
        number=Uint(parent.number + 1),
        gas_limit=Uint(config.gas_limit),
        gas_used=output.block_gas_used,
        timestamp=U256(attrs.timestamp),
        extra_data=Bytes(b""),
        prev_randao=Bytes32(attrs.origin.mix_hash),
        nonce=Bytes8(b"\x00" * 8),
        base_fee_per_gas=Uint(base_fee),
        withdrawals_root=Bytes32(EMPTY_ROOT),
        blob_gas_used=U64(0),
        excess_blob_gas=U64(0),
        parent_beacon_block_root=Bytes32(attrs.origin.parent_beacon_root),
    )
    block = L2Block(header, tuple(txs), tuple(receipts), attrs.origin.id, attrs.seq)
    return BuildResult(block, state, dropped)


def _standin(dep: DepositTx) -> FeeMarketTransaction:
    """A type-2 transaction with the deposit's to/value/data/gas: what the spec's intrinsic-gas
    and message helpers read (no access list, no fees)."""
    zero = U256(0)
    to: Bytes0 | Bytes20 = Bytes0(b"") if dep.to is None else Bytes20(dep.to)
    return FeeMarketTransaction(
        U64(0), zero, Uint(0), Uint(0), Uint(dep.gas), to, U256(dep.value), Bytes(dep.data),
        (), zero, zero, zero,
    )


def apply_deposit(
    env: spec_vm.BlockEnvironment, output: spec_vm.BlockOutput, dep: DepositTx, index: int
) -> TxReceipt:
    """Execute one deposit (§6.9): mint, then the call, rolled back to just after the mint on a
    non-EVM failure; the nonce always increments; no fees."""
    state = env.state
    encoded = dep.encode()
    key = rlp.encode(Uint(index))
    trie_set(output.transactions_trie, key, Bytes(encoded))
    if int(output.block_gas_used) + dep.gas > int(env.block_gas_limit):
        raise InvalidBlock("deposits exceed the block gas limit")
    sender = Bytes20(dep.from_)
    if dep.mint:
        set_account_balance(state, sender, get_account(state, sender).balance + U256(dep.mint))
    nonce = int(get_account(state, sender).nonce)
    standin = _standin(dep)
    transient = TransientStorage()
    begin_transaction(state, transient)
    logs: tuple[Log, ...] = ()
    contract: bytes | None = None
    try:
        intrinsic = validate_transaction(standin)
        if int(get_account(state, sender).balance) < dep.value:
            raise ValueError("insufficient balance for the deposit's value")
    except (EthereumException, ValueError):
        rollback_transaction(state, transient)
        increment_nonce(state, sender)
        gas_used, ok = dep.gas, False
    else:
        increment_nonce(state, sender)
        tx_env = spec_vm.TransactionEnvironment(
            origin=sender,
            gas_price=Uint(0),
            gas=Uint(dep.gas) - intrinsic,
            access_list_addresses={env.coinbase},
            access_list_storage_keys=set(),
            transient_storage=transient,
            blob_versioned_hashes=(),
            index_in_block=Uint(index),
            tx_hash=Bytes32(keccak256(encoded)),
        )
        message = prepare_message(env, tx_env, standin)
        out = process_message_call(message)
        used = dep.gas - int(out.gas_left)
        gas_used = used - min(used // 5, int(out.refund_counter))
        for address in out.accounts_to_delete:
            destroy_account(state, address)
        commit_transaction(state, transient)
        ok = out.error is None
        logs = out.logs
        if dep.to is None and ok:
            contract = bytes(message.current_target)
    output.block_gas_used += Uint(gas_used)
    receipt = bytes([DEPOSIT_TX_TYPE]) + rlp.encode(
        [ok, output.block_gas_used, logs_bloom(logs), logs, Uint(nonce), Uint(1)]
    )
    trie_set(output.receipts_trie, key, Bytes(receipt))
    output.receipt_keys += (key,)
    output.block_logs += logs
    return TxReceipt(
        tx_hash=keccak256(encoded), tx_type=DEPOSIT_TX_TYPE, sender=dep.from_, to=dep.to,
        status=int(ok), gas_used=gas_used, cumulative_gas_used=int(output.block_gas_used),
        logs=logs, contract_address=contract, effective_gas_price=0, deposit_nonce=nonce,
        encoded=receipt,
    )


def apply_user_tx(
    env: spec_vm.BlockEnvironment,
    output: spec_vm.BlockOutput,
    tx: Transaction,
    raw: bytes,
    index: int,
) -> TxReceipt:
    """A batch transaction through the spec's `process_transaction`, after its checks (so an
    invalid one raises `InvalidBlock` before anything changes), then the base fee to the
    BaseFeeVault."""
    if isinstance(tx, BlobTransaction):
        raise InvalidBlock("blob transactions are not allowed on L2")
    if not isinstance(tx, LegacyTransaction) and int(tx.chain_id) != int(env.chain_id):
        # geth's signer refuses a typed transaction for another chain; the spec does not check
        raise InvalidBlock(f"transaction chain id {int(tx.chain_id)} is not {int(env.chain_id)}")
    try:
        validate_transaction(tx)
        sender, effective_gas_price, _, _ = spec_fork.check_transaction(env, output, tx)
    except EthereumException as exc:
        raise InvalidBlock(f"invalid transaction: {type(exc).__name__}: {exc}") from None
    state = env.state
    nonce = int(get_account(state, sender).nonce)
    gas_before, logs_before = int(output.block_gas_used), len(output.block_logs)
    spec_fork.process_transaction(env, output, tx, Uint(index))
    gas_used = int(output.block_gas_used) - gas_before
    fee = gas_used * int(env.base_fee_per_gas)
    if fee:
        vault = Bytes20(BASE_FEE_VAULT)
        set_account_balance(state, vault, get_account(state, vault).balance + U256(fee))
    encoded_receipt = trie_get(output.receipts_trie, rlp.encode(Uint(index)))
    assert encoded_receipt is not None
    receipt_bytes = (
        bytes(encoded_receipt)
        if isinstance(encoded_receipt, bytes)
        else bytes(rlp.encode(encoded_receipt))
    )
    logs = tuple(output.block_logs[logs_before:])
    status = _receipt_status(receipt_bytes)
    to = None if isinstance(tx.to, Bytes0) else bytes(tx.to)
    contract = None
    if to is None and status:
        contract = bytes(compute_contract_address(sender, Uint(nonce)))
    return TxReceipt(
        tx_hash=keccak256(raw),
        tx_type=0 if raw[0] >= 0xC0 else raw[0],
        sender=bytes(sender),
        to=to,
        status=status,
        gas_used=gas_used,
        cumulative_gas_used=int(output.block_gas_used),
        logs=logs,
        contract_address=contract,
        effective_gas_price=int(effective_gas_price),
        deposit_nonce=None,
        encoded=receipt_bytes,
    )


def _receipt_status(encoded: bytes) -> int:
    body = encoded[1:] if encoded[0] < 0xC0 else encoded
    items = rlp.decode(body)
    assert isinstance(items, list)
    return 1 if items[0] == b"\x01" else 0


def tx_sender(raw: bytes) -> bytes:
    """The sender of a batch transaction (deposits: their ``from``)."""
    if raw and raw[0] == DEPOSIT_TX_TYPE:
        return DepositTx.decode(raw).from_
    return bytes(recover_sender(U64(0), decode_raw_tx(raw)))


# --- output root -----------------------------------------------------------------------------


def output_root(block: L2Block, state: State) -> bytes:
    """Output root v0 (§4): keccak256(0^32 ‖ stateRoot ‖ passer storage root ‖ block hash)."""
    return keccak256(
        b"\x00" * 32
        + bytes(block.header.state_root)
        + message_passer_root(state)
        + block.hash
    )


def message_passer_root(state: State) -> bytes:
    return bytes(storage_root(state, Bytes20(MESSAGE_PASSER)))


__all__ = [
    "TRANSACTION_DEPOSITED",
    "Attributes",
    "BuildResult",
    "DepositLogError",
    "DepositTx",
    "InvalidBlock",
    "L1Info",
    "L2Block",
    "TxReceipt",
    "apply_deposit",
    "apply_user_tx",
    "blob_base_fee",
    "build_block",
    "copy_state",
    "decode_raw_tx",
    "deposit_from_log",
    "genesis_block",
    "l1_info_deposit",
    "message_passer_root",
    "next_base_fee",
    "output_root",
    "parse_l1_info",
    "source_hash",
    "tx_sender",
]
