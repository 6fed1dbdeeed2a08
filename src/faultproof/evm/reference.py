"""The reference side of every EVM check: the Python execution specs (``ethereum.forks.cancun``).

Nobody on this project wrote the spec, which is why it is the referee: `run_reference` executes
transactions on a pre-state exactly as the spec's ``process_transaction`` does (the way
``ethereum-spec-evm statetest`` and the state-test mode of the C program do: no system calls, an
invalid transaction is skipped and leaves the state untouched) and reports the post-state root,
the logs hash and each transaction's gas, status and validity.

`build_block` turns the same inputs into everything the program reads through the oracle: a
parent header whose stateRoot is the pre-state root (and its ancestors, so BLOCKHASH works), a
claimed header carrying the transactions root, every node of the transaction, account and storage
tries, code by code hash, and the ecrecover results for sender recovery (type-6 keys, as the host
would compute them). `reference_host` wraps that store in a `LocalHost` whose router answers the
precompile hints (ecrecover, bn254 pairing, point evaluation) by running the spec's precompile.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import coincurve
from ethereum.crypto.hash import keccak256
from ethereum.exceptions import EthereumException
from ethereum.forks.cancun import fork as spec_fork
from ethereum.forks.cancun import vm as spec_vm
from ethereum.forks.cancun.blocks import Header, Log, Receipt, decode_receipt
from ethereum.forks.cancun.bloom import logs_bloom
from ethereum.forks.cancun.fork_types import Account
from ethereum.forks.cancun.state import (
    State,
    set_account,
    set_storage,
    state_root,
    storage_root,
)
from ethereum.forks.cancun.transactions import (
    Access,
    AccessListTransaction,
    BlobTransaction,
    FeeMarketTransaction,
    LegacyTransaction,
    Transaction,
    encode_transaction,
    signing_hash_155,
    signing_hash_1559,
    signing_hash_2930,
    signing_hash_4844,
    signing_hash_pre155,
)
from ethereum.forks.cancun.trie import (
    Trie,
    _prepare_trie,
    copy_trie,
    trie_get,
    trie_set,
)
from ethereum.forks.cancun.trie import root as trie_root
from ethereum.forks.cancun.vm.precompiled_contracts.mapping import PRE_COMPILED_CONTRACTS
from ethereum_rlp import rlp
from ethereum_types.bytes import Bytes, Bytes0, Bytes8, Bytes20, Bytes32, Bytes256
from ethereum_types.numeric import U64, U256, Uint

from faultproof.errors import FaultproofError
from faultproof.evm.mpt import build_trie, derivable_list_trie
from faultproof.evm.program import MODE_STATE_TEST, boot_info
from faultproof.preimage.hints import HintRouter, PrecompileHintHandler
from faultproof.preimage.host import LocalHost
from faultproof.preimage.store import BootInfo, MemoryStore, PreimageStore

ECRECOVER = b"\x00" * 19 + b"\x01"
GAS_ECRECOVER = 3000
EMPTY_TRIE_ROOT = keccak256(b"\x80")
EMPTY_OMMERS_HASH = keccak256(rlp.encode([]))
EMPTY_LOGS_HASH = keccak256(rlp.encode([]))
ANCESTORS = 8
"""How many headers below the claimed block `build_block` provides (BLOCKHASH reaches them)."""


# The spec recurses a few Python frames per EVM call frame: call depth 1024 needs more than
# Python's default 1000 (set once here, not per run, so test frameworks see no change mid-test).
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))


class ReferenceInputError(FaultproofError):
    """The inputs cannot be run through the spec (e.g. a balance above 2^256)."""


@dataclass(frozen=True)
class AccountState:
    """One pre- or post-state account, in plain Python types."""

    nonce: int = 0
    balance: int = 0
    code: bytes = b""
    storage: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BlockEnv:
    """The block a transaction list runs in (a state test's ``env``)."""

    coinbase: bytes = b"\x2a" * 20
    number: int = 1
    timestamp: int = 1000
    gas_limit: int = 30_000_000
    base_fee: int = 7
    prev_randao: bytes = b"\x00" * 32
    excess_blob_gas: int = 0
    chain_id: int = 1


@dataclass(frozen=True)
class UnsignedTx:
    """A transaction before signing; ``tx_type`` 0 (legacy), 1 (2930), 2 (1559) or 3 (4844).

    Legacy transactions are signed with EIP-155 (``protected``) or without it.
    """

    tx_type: int = 2
    nonce: int = 0
    gas_limit: int = 100_000
    to: bytes | None = None
    value: int = 0
    data: bytes = b""
    gas_price: int = 10
    max_fee_per_gas: int = 10
    max_priority_fee_per_gas: int = 1
    access_list: tuple[tuple[bytes, tuple[bytes, ...]], ...] = ()
    blob_hashes: tuple[bytes, ...] = ()
    max_fee_per_blob_gas: int = 1
    protected: bool = True


@dataclass(frozen=True)
class TxResult:
    """What the spec made of one transaction of the block."""

    index: int
    tx_type: int
    valid: bool
    error: str
    gas_used: int
    status: int
    logs: tuple[Log, ...]


@dataclass(frozen=True)
class ReferenceResult:
    """The spec's outcome for a pre-state, an env and a transaction list."""

    pre_state_root: bytes
    state_root: bytes
    logs_hash: bytes
    txs: tuple[TxResult, ...]
    gas_used: int
    blob_gas_used: int
    receipts_root: bytes
    transactions_root: bytes
    logs_bloom: bytes
    post: dict[bytes, AccountState]


def secret_address(secret_key: int) -> bytes:
    """The address of a secp256k1 secret key."""
    public = coincurve.PrivateKey.from_int(secret_key).public_key.format(compressed=False)
    return keccak256(public[1:])[12:]


def sign_tx(tx: UnsignedTx, secret_key: int, chain_id: int = 1) -> Transaction:
    """Sign ``tx`` with ``secret_key`` (RFC 6979, deterministic) into a spec transaction."""
    to: Bytes0 | Bytes20 = Bytes0(b"") if tx.to is None else Bytes20(tx.to)
    access = tuple(
        Access(Bytes20(a), tuple(Bytes32(s) for s in slots)) for a, slots in tx.access_list
    )
    zero = U256(0)
    unsigned: Transaction
    if tx.tx_type == 0:
        unsigned = LegacyTransaction(
            U256(tx.nonce),
            Uint(tx.gas_price),
            Uint(tx.gas_limit),
            to,
            U256(tx.value),
            Bytes(tx.data),
            zero,
            zero,
            zero,
        )
        digest = (
            signing_hash_155(unsigned, U64(chain_id))
            if tx.protected
            else signing_hash_pre155(unsigned)
        )
    elif tx.tx_type == 1:
        unsigned = AccessListTransaction(
            U64(chain_id),
            U256(tx.nonce),
            Uint(tx.gas_price),
            Uint(tx.gas_limit),
            to,
            U256(tx.value),
            Bytes(tx.data),
            access,
            zero,
            zero,
            zero,
        )
        digest = signing_hash_2930(unsigned)
    elif tx.tx_type == 2:
        unsigned = FeeMarketTransaction(
            U64(chain_id),
            U256(tx.nonce),
            Uint(tx.max_priority_fee_per_gas),
            Uint(tx.max_fee_per_gas),
            Uint(tx.gas_limit),
            to,
            U256(tx.value),
            Bytes(tx.data),
            access,
            zero,
            zero,
            zero,
        )
        digest = signing_hash_1559(unsigned)
    elif tx.tx_type == 3:
        if tx.to is None:
            raise ReferenceInputError("a blob transaction needs a recipient")
        unsigned = BlobTransaction(
            U64(chain_id),
            U256(tx.nonce),
            Uint(tx.max_priority_fee_per_gas),
            Uint(tx.max_fee_per_gas),
            Uint(tx.gas_limit),
            Bytes20(tx.to),
            U256(tx.value),
            Bytes(tx.data),
            access,
            U256(tx.max_fee_per_blob_gas),
            tuple(Bytes32(h) for h in tx.blob_hashes),
            zero,
            zero,
            zero,
        )
        digest = signing_hash_4844(unsigned)
    else:
        raise ReferenceInputError(f"unsupported transaction type {tx.tx_type}")
    signature = coincurve.PrivateKey.from_int(secret_key).sign_recoverable(digest, hasher=None)
    r = U256.from_be_bytes(signature[0:32])
    s = U256.from_be_bytes(signature[32:64])
    y = signature[64]
    if isinstance(unsigned, LegacyTransaction):
        v = U256(y + (35 + 2 * chain_id if tx.protected else 27))
        return _replace(unsigned, v=v, r=r, s=s)
    return _replace(unsigned, y_parity=U256(y), r=r, s=s)


def _replace(tx: Any, **changes: Any) -> Any:
    values = {name: getattr(tx, name) for name in tx.__dataclass_fields__}
    values.update(changes)
    return type(tx)(**values)


def tx_type_of(tx: Transaction) -> int:
    """The EIP-2718 type byte (0 for legacy)."""
    encoded = encode_transaction(tx)
    return 0 if isinstance(encoded, LegacyTransaction) else encoded[0]


def tx_bytes(tx: Transaction) -> bytes:
    """The transaction as it sits in a block: RLP for legacy, ``type ‖ RLP`` otherwise."""
    encoded = encode_transaction(tx)
    if isinstance(encoded, LegacyTransaction):
        return bytes(rlp.encode(encoded))
    return bytes(encoded)


def make_state(pre: Mapping[bytes, AccountState]) -> State:
    """The spec's `State` holding ``pre``."""
    state = State()
    for address, account in pre.items():
        if len(address) != 20:
            raise ReferenceInputError(f"address 0x{address.hex()} is not 20 bytes")
        if not 0 <= account.balance < 2**256 or not 0 <= account.nonce < 2**64:
            raise ReferenceInputError(f"account 0x{address.hex()}: balance or nonce out of range")
        set_account(
            state,
            Bytes20(address),
            Account(
                nonce=Uint(account.nonce), balance=U256(account.balance), code=Bytes(account.code)
            ),
        )
        for slot, value in account.storage.items():
            if value:
                set_storage(state, Bytes20(address), Bytes32(slot.to_bytes(32, "big")), U256(value))
    return state


def block_environment(env: BlockEnv, state: State, block_hashes: Sequence[bytes]) -> Any:
    """The spec's `BlockEnvironment` for ``env``."""
    return spec_vm.BlockEnvironment(
        chain_id=U64(env.chain_id),
        state=state,
        block_gas_limit=Uint(env.gas_limit),
        block_hashes=[Bytes32(h) for h in block_hashes],
        coinbase=Bytes20(env.coinbase),
        number=Uint(env.number),
        base_fee_per_gas=Uint(env.base_fee),
        time=U256(env.timestamp),
        prev_randao=Bytes32(env.prev_randao),
        excess_blob_gas=U64(env.excess_blob_gas),
        parent_beacon_block_root=Bytes32(b"\x00" * 32),
    )


def post_accounts(state: State) -> dict[bytes, AccountState]:
    """Every account of ``state`` in plain types."""
    out: dict[bytes, AccountState] = {}
    for address, account in state._main_trie._data.items():
        if account is None:
            continue
        storage_trie = state._storage_tries.get(address)
        storage = (
            {int.from_bytes(k, "big"): int(v) for k, v in storage_trie._data.items() if v}
            if storage_trie is not None
            else {}
        )
        out[bytes(address)] = AccountState(
            int(account.nonce), int(account.balance), bytes(account.code), storage
        )
    return out


def run_reference(
    pre: Mapping[bytes, AccountState],
    env: BlockEnv,
    txs: Sequence[Transaction],
    block_hashes: Sequence[bytes] | None = None,
) -> ReferenceResult:
    """Execute ``txs`` in order on ``pre`` with the spec, skipping invalid ones (state-test rules).

    ``block_hashes`` are the hashes BLOCKHASH sees, oldest first, ending with the parent's; by
    default those of the headers `build_block` makes.
    """
    state = make_state(pre)
    pre_root = bytes(state_root(state))
    if block_hashes is None:
        block_hashes = [header_hash(h) for h in ancestor_headers(env, pre_root)]
    block_env = block_environment(env, state, block_hashes)
    output = spec_vm.BlockOutput()
    results: list[TxResult] = []
    for index, tx in enumerate(txs):
        main, storages = (
            copy_trie(state._main_trie),
            {k: copy_trie(t) for k, t in state._storage_tries.items()},
        )
        gas_before, logs_before = int(output.block_gas_used), len(output.block_logs)
        try:
            spec_fork.process_transaction(block_env, output, tx, Uint(index))
        except EthereumException as exc:
            state._main_trie, state._storage_tries = main, storages
            state._snapshots.clear()
            state.created_accounts.clear()
            results.append(TxResult(index, tx_type_of(tx), False, _reason(exc), 0, 0, ()))
            continue
        encoded = trie_get(output.receipts_trie, rlp.encode(Uint(index)))
        assert encoded is not None
        receipt = decode_receipt(encoded)
        results.append(
            TxResult(
                index,
                tx_type_of(tx),
                True,
                "",
                int(output.block_gas_used) - gas_before,
                1 if receipt.succeeded else 0,
                tuple(output.block_logs[logs_before:]),
            )
        )
    return ReferenceResult(
        pre_state_root=pre_root,
        state_root=bytes(state_root(state)),
        logs_hash=bytes(keccak256(rlp.encode(output.block_logs))),
        txs=tuple(results),
        gas_used=int(output.block_gas_used),
        blob_gas_used=int(output.blob_gas_used),
        receipts_root=bytes(trie_root(output.receipts_trie)),
        transactions_root=transactions_root(txs),
        logs_bloom=bytes(logs_bloom(output.block_logs)),
        post=post_accounts(state),
    )


def with_beacon_root_call(
    pre: Mapping[bytes, AccountState], env: BlockEnv, beacon_root: bytes = b"\x00" * 32
) -> dict[bytes, AccountState]:
    """``pre`` after the EIP-4788 system call of a block with ``env`` (run by the spec).

    ethereum/tests' Cancun state tests are filled with this call made before the transaction
    (their pre-state holds the beacon-roots contract, and the expected roots include the slot
    it writes), as geth's state-test runner makes it; the program's state-test mode makes no
    system call, so the harness applies it to the pre-state instead. Without the contract in
    ``pre`` the call changes nothing and ``pre`` comes back as it was.
    """
    if not pre.get(bytes(spec_fork.BEACON_ROOTS_ADDRESS), AccountState()).code:
        return dict(pre)
    state = make_state(pre)
    block_env = block_environment(env, state, [])
    block_env.parent_beacon_block_root = Bytes32(beacon_root)
    spec_fork.process_unchecked_system_transaction(
        block_env=block_env, target_address=spec_fork.BEACON_ROOTS_ADDRESS, data=beacon_root
    )
    return post_accounts(state)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def receipt_of(result: TxResult, cumulative_gas: int) -> Receipt:
    """The spec receipt for a valid transaction result (for tests that compare receipts)."""
    return Receipt(
        succeeded=bool(result.status),
        cumulative_gas_used=Uint(cumulative_gas),
        bloom=logs_bloom(result.logs),
        logs=result.logs,
    )


# --- tries: every node, for the preimage store ------------------------------------------------


def trie_nodes(items: Mapping[bytes, bytes]) -> tuple[bytes, list[bytes]]:
    """(root, every node's RLP, root included) of the MPT holding ``items``, given as the spec's
    ``_prepare_trie`` returns them (key nibbles -> encoded value). Built by `faultproof.evm.mpt`;
    callers check the root against the spec's."""
    built = build_trie({_packed(key): value for key, value in items.items()})
    return built.root, list(built.nodes.values())


def _packed(key_nibbles: bytes) -> bytes:
    return bytes((key_nibbles[i] << 4) | key_nibbles[i + 1] for i in range(0, len(key_nibbles), 2))


def state_nodes(state: State) -> tuple[bytes, list[bytes]]:
    """(state root, every node of the account trie and of every storage trie)."""
    nodes: list[bytes] = []
    roots: dict[bytes, bytes] = {}
    for address, storage in state._storage_tries.items():
        root, storage_nodes = trie_nodes(_prepare_trie(storage))
        roots[bytes(address)] = root
        nodes.extend(storage_nodes)

    def storage_root_of(address: Bytes20) -> Bytes32:
        return Bytes32(roots.get(bytes(address), EMPTY_TRIE_ROOT))

    root, account_nodes = trie_nodes(_prepare_trie(state._main_trie, storage_root_of))
    if root != bytes(state_root(state)):
        raise AssertionError("trie_nodes disagrees with the spec's state root")
    for address in state._storage_tries:
        if roots[bytes(address)] != bytes(storage_root(state, address)):
            raise AssertionError("trie_nodes disagrees with the spec's storage root")
    nodes.extend(account_nodes)
    return root, nodes


# --- headers and the block the program reads -----------------------------------------------


def make_header(
    *,
    parent_hash: bytes,
    number: int,
    state_root_: bytes,
    env: BlockEnv,
    timestamp: int,
    transactions_root: bytes = EMPTY_TRIE_ROOT,
    receipts_root: bytes = EMPTY_TRIE_ROOT,
    bloom: bytes = b"\x00" * 256,
    gas_used: int = 0,
    blob_gas_used: int = 0,
    base_fee: int | None = None,
    excess_blob_gas: int | None = None,
) -> Header:
    """A Cancun header (the spec's dataclass; RLP-encodes as the chain does)."""
    return Header(
        parent_hash=Bytes32(parent_hash),
        ommers_hash=Bytes32(EMPTY_OMMERS_HASH),
        coinbase=Bytes20(env.coinbase),
        state_root=Bytes32(state_root_),
        transactions_root=Bytes32(transactions_root),
        receipt_root=Bytes32(receipts_root),
        bloom=Bytes256(bloom),
        difficulty=Uint(0),
        number=Uint(number),
        gas_limit=Uint(env.gas_limit),
        gas_used=Uint(gas_used),
        timestamp=U256(timestamp),
        extra_data=Bytes(b""),
        prev_randao=Bytes32(env.prev_randao),
        nonce=Bytes8(b"\x00" * 8),
        base_fee_per_gas=Uint(env.base_fee if base_fee is None else base_fee),
        withdrawals_root=Bytes32(EMPTY_TRIE_ROOT),
        blob_gas_used=U64(blob_gas_used),
        excess_blob_gas=U64(env.excess_blob_gas if excess_blob_gas is None else excess_blob_gas),
        parent_beacon_block_root=Bytes32(b"\x00" * 32),
    )


def header_rlp(header: Header) -> bytes:
    return bytes(rlp.encode(header))


def header_hash(header: Header) -> bytes:
    return bytes(keccak256(rlp.encode(header)))


def ancestor_headers(env: BlockEnv, pre_state_root: bytes) -> list[Header]:
    """The headers below the claimed block, oldest first, ending with the parent.

    Up to `ANCESTORS` of them (fewer near genesis); the parent carries the pre-state root, older
    ones the empty trie. Timestamps step down by 12 s from the claimed block's.
    """
    if env.number < 1:
        raise ReferenceInputError("the claimed block needs a parent: env number must be >= 1")
    first = max(0, env.number - ANCESTORS)
    headers: list[Header] = []
    parent_hash = b"\x00" * 32
    for number in range(first, env.number):
        root = pre_state_root if number == env.number - 1 else EMPTY_TRIE_ROOT
        header = make_header(
            parent_hash=parent_hash,
            number=number,
            state_root_=root,
            env=env,
            timestamp=max(0, env.timestamp - 12 * (env.number - number)),
        )
        headers.append(header)
        parent_hash = header_hash(header)
    return headers


@dataclass
class BlockInputs:
    """Everything one program run reads: its boot info and a store with every preimage."""

    store: PreimageStore
    boot_info: BootInfo
    parent_hash: bytes
    block_hash: bytes
    parent: Header
    claimed: Header
    reference: ReferenceResult | None


def build_block(
    pre: Mapping[bytes, AccountState],
    env: BlockEnv,
    txs: Sequence[Transaction],
    *,
    store: PreimageStore | None = None,
    mode: int | None = MODE_STATE_TEST,
    execute: bool = True,
) -> BlockInputs:
    """Store every preimage the program needs to run (pre, env, txs) as one block.

    With ``execute`` the spec runs the block first and the claimed header carries its results
    (state root, receipts root, bloom, gas), so when every transaction is valid it is the block
    a node would have produced (minus the beacon-root system call, which the state-test mode
    does not make). Without it (a state test only compares what the program computes) those
    fields repeat the parent's and the spec is not run.
    """
    store = store if store is not None else MemoryStore()
    state = make_state(pre)
    pre_root, nodes = state_nodes(state)
    ancestors = ancestor_headers(env, pre_root)
    reference = (
        run_reference(pre, env, txs, [header_hash(h) for h in ancestors]) if execute else None
    )
    for header in ancestors:
        store.put_keccak256(header_rlp(header))
    parent = ancestors[-1]
    parent_hash = header_hash(parent)
    tx_trie = derivable_list_trie([tx_bytes(tx) for tx in txs])
    if tx_trie.root != transactions_root(txs):
        raise AssertionError("faultproof.evm.mpt disagrees with the spec's transactions root")
    claimed = make_header(
        parent_hash=parent_hash,
        number=env.number,
        state_root_=pre_root if reference is None else reference.state_root,
        env=env,
        timestamp=env.timestamp,
        transactions_root=tx_trie.root,
        receipts_root=EMPTY_TRIE_ROOT if reference is None else reference.receipts_root,
        bloom=b"\x00" * 256 if reference is None else reference.logs_bloom,
        gas_used=0 if reference is None else reference.gas_used,
        blob_gas_used=0 if reference is None else reference.blob_gas_used,
    )
    store.put_keccak256(header_rlp(claimed))
    for node in [*nodes, *tx_trie.nodes.values(), b"\x80"]:
        store.put_keccak256(node)
    for account in pre.values():
        store.put_keccak256(account.code)
    for tx in txs:
        sender_input = sender_ecrecover_input(tx, env.chain_id)
        if sender_input is not None:
            store.put_precompile(
                ECRECOVER, GAS_ECRECOVER, sender_input, run_precompile(ECRECOVER, sender_input)
            )
    return BlockInputs(
        store=store,
        boot_info=boot_info(parent_hash, header_hash(claimed), env.chain_id, mode),
        parent_hash=parent_hash,
        block_hash=header_hash(claimed),
        parent=parent,
        claimed=claimed,
        reference=reference,
    )


def transactions_root(txs: Sequence[Transaction]) -> bytes:
    """The spec's transactions root of a block holding ``txs``."""
    transactions: Trie[Bytes, Any] = Trie(secured=False, default=None)
    for index, tx in enumerate(txs):
        trie_set(transactions, rlp.encode(Uint(index)), encode_transaction(tx))
    return bytes(trie_root(transactions))


def sender_ecrecover_input(tx: Transaction, chain_id: int) -> bytes | None:
    """The 128-byte ecrecover input (hash ‖ v ‖ r ‖ s) that recovers ``tx``'s sender, or None
    when the signature's v cannot be mapped (the program rejects such a transaction itself)."""
    if isinstance(tx, LegacyTransaction):
        v = int(tx.v)
        if v in (27, 28):
            digest, parity = signing_hash_pre155(tx), v - 27
        elif v in (35 + 2 * chain_id, 36 + 2 * chain_id):
            digest, parity = signing_hash_155(tx, U64(chain_id)), v - 35 - 2 * chain_id
        else:
            return None
    else:
        parity = int(tx.y_parity)
        if parity not in (0, 1):
            return None
        if isinstance(tx, AccessListTransaction):
            digest = signing_hash_2930(tx)
        elif isinstance(tx, FeeMarketTransaction):
            digest = signing_hash_1559(tx)
        else:
            digest = signing_hash_4844(tx)
    return (
        bytes(digest)
        + (27 + parity).to_bytes(32, "big")
        + int(tx.r).to_bytes(32, "big")
        + int(tx.s).to_bytes(32, "big")
    )


def run_precompile(address: bytes, input_data: bytes) -> bytes:
    """``status ‖ output`` of the spec's Cancun precompile at ``address`` on ``input_data``, as the
    host answers an ``l1-precompile-v2`` hint (gas is not the host's concern)."""
    contract = PRE_COMPILED_CONTRACTS.get(Bytes20(address))
    if contract is None:
        raise ReferenceInputError(f"no Cancun precompile at 0x{address.hex()}")
    frame = SimpleNamespace(
        message=SimpleNamespace(data=Bytes(input_data)),
        gas_left=Uint(2**63),
        output=Bytes(b""),
    )
    try:
        contract(frame)
    except EthereumException:
        return b"\x00"
    return b"\x01" + bytes(frame.output)


def reference_router(store: PreimageStore) -> HintRouter:
    """A hint router that answers ``l1-precompile-v2`` by running the spec's precompile.

    Every other preimage is already in the store (`build_block`), so other hints are ignored.
    """
    router = HintRouter(store)
    handler = PrecompileHintHandler(lambda address, _gas, data: run_precompile(address, data))
    router.register("l1-precompile-v2", handler)
    return router


def reference_host(inputs: BlockInputs) -> LocalHost:
    """A `LocalHost` serving ``inputs`` (boot keys, store, precompile hints)."""
    return LocalHost(
        store=inputs.store, boot_info=inputs.boot_info, router=reference_router(inputs.store)
    )
