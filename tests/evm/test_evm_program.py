"""The EVM block program end to end: real Cancun blocks made by the Python execution specs.

A parent state with EOAs and contracts (storage, logs, refunds, transient storage, BLOCKHASH and
the other block-environment opcodes, CREATE with EIP-6780 self-destruct, a revert, out of gas,
the EIP-4788 beacon-roots contract) and a block with transactions of every type (legacy with and
without EIP-155, 2930, 1559, 4844) and withdrawals go through the spec's ``apply_body``; the
resulting header is checked by the spec's ``state_transition``. Everything the program reads is
put in a `MemoryStore` (headers, every node of the pre-state tries, code, transaction and
withdrawal trie nodes, sender ecrecover results), and the host-native build runs against it:

- the true block is valid (exit 0) and every computed field equals the header's;
- each tampered header field (the tampered header served under its own hash) is invalid (exit 1);
- a block with an invalid transaction is invalid;
- a preimage that does not match its key, or a missing one, is exit 2.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from ethereum.crypto.hash import keccak256
from ethereum.exceptions import EthereumException
from ethereum.forks.cancun import vm as spec_vm
from ethereum.forks.cancun.blocks import Block, Header, Withdrawal, decode_receipt
from ethereum.forks.cancun.bloom import logs_bloom
from ethereum.forks.cancun.fork import (
    BlockChain,
    apply_body,
    calculate_base_fee_per_gas,
    get_last_256_block_hashes,
    state_transition,
)
from ethereum.forks.cancun.state import State, state_root
from ethereum.forks.cancun.transactions import Transaction, encode_transaction
from ethereum.forks.cancun.trie import root as trie_root
from ethereum.forks.cancun.trie import trie_get
from ethereum.forks.cancun.vm.gas import calculate_excess_blob_gas
from ethereum_rlp import rlp
from ethereum_types.bytes import Bytes, Bytes8, Bytes20, Bytes32, Bytes256
from ethereum_types.numeric import U64, U256, Uint

from faultproof import guests
from faultproof.evm.mpt import derivable_list_trie
from faultproof.evm.program import (
    MODE_STATE_TEST,
    ProgramResult,
    boot_info,
    parse_output,
    run_program,
)
from faultproof.evm.reference import (
    ECRECOVER,
    GAS_ECRECOVER,
    AccountState,
    BlockEnv,
    BlockInputs,
    UnsignedTx,
    build_block,
    make_state,
    reference_host,
    reference_router,
    run_precompile,
    secret_address,
    sender_ecrecover_input,
    sign_tx,
    state_nodes,
    tx_bytes,
)
from faultproof.preimage.host import LocalHost
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.native import run_native
from faultproof.preimage.store import BootInfo, MemoryStore

CHAIN_ID = 901
NUMBER = 100
EMPTY_TRIE_ROOT = bytes(keccak256(b"\x80"))
EMPTY_OMMERS_HASH = bytes(keccak256(rlp.encode([])))

# --- a tiny assembler -----------------------------------------------------------------------

OPCODES = {
    "STOP": 0x00, "ADD": 0x01, "SUB": 0x03, "CALLER": 0x33, "CALLVALUE": 0x34,
    "CALLDATALOAD": 0x35, "ORIGIN": 0x32, "GASPRICE": 0x3A, "BLOCKHASH": 0x40,
    "COINBASE": 0x41, "TIMESTAMP": 0x42, "NUMBER": 0x43, "PREVRANDAO": 0x44,
    "GASLIMIT": 0x45, "CHAINID": 0x46, "SELFBALANCE": 0x47, "BASEFEE": 0x48,
    "BLOBHASH": 0x49, "BLOBBASEFEE": 0x4A, "MSTORE": 0x52, "SLOAD": 0x54, "SSTORE": 0x55,
    "TLOAD": 0x5C, "MLOAD": 0x51, "TSTORE": 0x5D, "PUSH0": 0x5F, "SWAP1": 0x90, "LOG2": 0xA2,
    "CREATE": 0xF0, "CALL": 0xF1, "RETURN": 0xF3, "STATICCALL": 0xFA, "REVERT": 0xFD,
    "SELFDESTRUCT": 0xFF, "POP": 0x50, "GAS": 0x5A,
}  # fmt: skip


def asm(*parts: str | int | bytes) -> bytes:
    """Opcodes by name; an int is pushed with the shortest PUSH, bytes with PUSH<len>."""
    out = bytearray()
    for part in parts:
        if isinstance(part, str):
            out.append(OPCODES[part])
        elif isinstance(part, int):
            if part == 0:
                out.append(OPCODES["PUSH0"])
            else:
                raw = part.to_bytes((part.bit_length() + 7) // 8, "big")
                out += bytes([0x5F + len(raw)]) + raw
        else:
            out += bytes([0x5F + len(part)]) + part
    return bytes(out)


def store_at(slot: int, *value: str | int | bytes) -> tuple[str | int | bytes, ...]:
    return (*value, slot, "SSTORE")


# The EIP-4788 beacon-roots contract's runtime code (as deployed on mainnet).
BEACON_ROOTS_CODE = bytes.fromhex(
    "3373fffffffffffffffffffffffffffffffffffffffe14604d57602036146024575f5ffd5b5f35801560495762"
    "001fff810690815414603c575f5ffd5b62001fff01545f5260205ff35b5f5ffd5b62001fff42064281555f3590"
    "62001fff015500"
)
BEACON_ROOTS_ADDRESS = bytes.fromhex("000F3df6D732807Ef1319fB7B8bB8522d0Beac02")

# Reads every block/transaction environment value into storage, clears a preset slot
# (refund), uses transient storage, calls two native precompiles, and logs the calldata.
ENV_CONTRACT = asm(
    *store_at(0, 0, "CALLDATALOAD"),
    *store_at(1, 0),
    *store_at(2, 1, "NUMBER", "SUB", "BLOCKHASH"),
    *store_at(3, 2, "NUMBER", "SUB", "BLOCKHASH"),
    *store_at(4, 3, "NUMBER", "SUB", "BLOCKHASH"),
    *store_at(5, "PREVRANDAO"),
    *store_at(6, "BASEFEE"),
    *store_at(7, "COINBASE"),
    *store_at(8, "TIMESTAMP"),
    *store_at(9, "CHAINID"),
    *store_at(10, "BLOBBASEFEE"),
    *store_at(11, 0, "BLOBHASH"),
    *store_at(12, "GASPRICE"),
    *store_at(13, "ORIGIN"),
    *store_at(14, "SELFBALANCE"),
    *store_at(15, "GASLIMIT"),
    42, 0, "TSTORE",
    *store_at(16, 0, "TLOAD"),
    # sha256 (0x02) and identity (0x04) of 32 bytes of calldata, results in storage
    0, "CALLDATALOAD", 0, "MSTORE",
    32, 32, 32, 0, 2, "GAS", "STATICCALL", "POP",
    *store_at(17, 32, "MLOAD"),
    32, 64, 32, 0, 4, "GAS", "STATICCALL", "POP",
    *store_at(18, 64, "MLOAD"),
    0x1234, "CALLER", 32, 0, "LOG2",
    "STOP",
)  # fmt: skip
REVERTER = asm(0, 0, "REVERT")
# CREATE(init code `CALLER SELFDESTRUCT`): the child is created and destroyed in the same
# transaction (EIP-6780: deleted, with accounts_to_delete).
FACTORY = asm(0x33FF, 0, "MSTORE", 2, 30, 0, "CREATE", 0, "SSTORE", "STOP")
# An old contract that self-destructs: Cancun only moves its balance.
BENEFICIARY = bytes.fromhex("be" * 20)
DESTRUCTIBLE = asm(BENEFICIARY, "SELFDESTRUCT")
# Init code returning a one-byte runtime (STOP).
DEPLOYER_INIT = bytes.fromhex("600060005360016000f3")

ENV_ADDR = bytes.fromhex("c0" * 19 + "01")
REVERT_ADDR = bytes.fromhex("c0" * 19 + "02")
FACTORY_ADDR = bytes.fromhex("c0" * 19 + "03")
DESTRUCT_ADDR = bytes.fromhex("c0" * 19 + "04")
COINBASE = bytes.fromhex("ca" * 20)
KEYS = [0x1000 + i for i in range(4)]
SENDERS = [secret_address(k) for k in KEYS]
ETHER = 10**18


def pre_state() -> dict[bytes, AccountState]:
    pre = {addr: AccountState(nonce=0, balance=100 * ETHER) for addr in SENDERS}
    pre[ENV_ADDR] = AccountState(nonce=1, balance=5, code=ENV_CONTRACT, storage={1: 7, 20: 9})
    pre[REVERT_ADDR] = AccountState(nonce=1, code=REVERTER)
    pre[FACTORY_ADDR] = AccountState(nonce=1, code=FACTORY)
    pre[DESTRUCT_ADDR] = AccountState(nonce=1, balance=3 * ETHER, code=DESTRUCTIBLE)
    pre[BEACON_ROOTS_ADDRESS] = AccountState(nonce=1, code=BEACON_ROOTS_CODE)
    return pre


def block_transactions() -> list[Transaction]:
    word = (0xAB).to_bytes(32, "big")
    blob_hash = b"\x01" + bytes(range(31))
    k = KEYS
    return [
        sign_tx(UnsignedTx(0, nonce=0, gas_limit=21_000, to=b"\x77" * 20, value=12345,
                           gas_price=2000, protected=False), k[0], CHAIN_ID),
        sign_tx(UnsignedTx(0, nonce=1, gas_limit=600_000, to=ENV_ADDR, data=word,
                           gas_price=2000), k[0], CHAIN_ID),
        sign_tx(UnsignedTx(1, nonce=0, gas_limit=600_000, to=ENV_ADDR, data=word[::-1],
                           gas_price=3000,
                           access_list=((ENV_ADDR, ((0).to_bytes(32, "big"),)),)),
                k[1], CHAIN_ID),
        sign_tx(UnsignedTx(2, nonce=1, gas_limit=200_000, to=None, data=DEPLOYER_INIT,
                           max_fee_per_gas=5000, max_priority_fee_per_gas=100), k[1], CHAIN_ID),
        sign_tx(UnsignedTx(2, nonce=0, gas_limit=100_000, to=REVERT_ADDR,
                           max_fee_per_gas=5000, max_priority_fee_per_gas=5000), k[2], CHAIN_ID),
        sign_tx(UnsignedTx(2, nonce=1, gas_limit=200_000, to=FACTORY_ADDR, value=10,
                           max_fee_per_gas=5000, max_priority_fee_per_gas=7), k[2], CHAIN_ID),
        sign_tx(UnsignedTx(3, nonce=0, gas_limit=600_000, to=ENV_ADDR, data=word,
                           max_fee_per_gas=5000, max_priority_fee_per_gas=3,
                           blob_hashes=(blob_hash,), max_fee_per_blob_gas=10), k[3], CHAIN_ID),
        sign_tx(UnsignedTx(2, nonce=1, gas_limit=100_000, to=DESTRUCT_ADDR,
                           max_fee_per_gas=5000, max_priority_fee_per_gas=1), k[3], CHAIN_ID),
        sign_tx(UnsignedTx(2, nonce=2, gas_limit=30_000, to=ENV_ADDR, data=word,
                           max_fee_per_gas=5000, max_priority_fee_per_gas=1), k[3], CHAIN_ID),
    ]  # fmt: skip


def block_withdrawals() -> list[Withdrawal]:
    return [
        Withdrawal(U64(7), U64(70), Bytes20(SENDERS[0]), U256(5)),
        Withdrawal(U64(8), U64(71), Bytes20(b"\x55" * 20), U256(1_000_000)),
        Withdrawal(U64(9), U64(72), Bytes20(b"\x56" * 20), U256(0)),
    ]


# --- building the block with the spec ---------------------------------------------------------


def header_hash(header: Header) -> bytes:
    return bytes(keccak256(rlp.encode(header)))


def replace(obj: Any, **changes: Any) -> Any:
    return dataclasses.replace(obj, **changes)


def ancestor(number: int, parent_hash: bytes, state_root_: bytes, **fields: Any) -> Header:
    values: dict[str, Any] = dict(
        parent_hash=Bytes32(parent_hash),
        ommers_hash=Bytes32(EMPTY_OMMERS_HASH),
        coinbase=Bytes20(COINBASE),
        state_root=Bytes32(state_root_),
        transactions_root=Bytes32(EMPTY_TRIE_ROOT),
        receipt_root=Bytes32(EMPTY_TRIE_ROOT),
        bloom=Bytes256(b"\x00" * 256),
        difficulty=Uint(0),
        number=Uint(number),
        gas_limit=Uint(30_000_000),
        gas_used=Uint(0),
        timestamp=U256(1_700_000_000 + 12 * number),
        extra_data=Bytes(b""),
        prev_randao=Bytes32(bytes([number % 256]) * 32),
        nonce=Bytes8(b"\x00" * 8),
        base_fee_per_gas=Uint(1000),
        withdrawals_root=Bytes32(EMPTY_TRIE_ROOT),
        blob_gas_used=U64(0),
        excess_blob_gas=U64(0),
        parent_beacon_block_root=Bytes32(b"\x00" * 32),
    )
    values.update(fields)
    return Header(**values)


@dataclass
class Scenario:
    """One block and everything needed to serve it."""

    ancestors: list[Header]  # oldest first, ending with the parent
    claimed: Header
    txs: list[Transaction]
    withdrawals: list[Withdrawal]
    pre: dict[bytes, AccountState]
    preimages: list[bytes] = field(default_factory=list)
    precompiles: list[tuple[bytes, int, bytes, bytes]] = field(default_factory=list)

    @property
    def parent(self) -> Header:
        return self.ancestors[-1]

    @property
    def parent_hash(self) -> bytes:
        return header_hash(self.parent)

    def store(self, *, without: Iterable[bytes] = ()) -> MemoryStore:
        skip = {bytes(k) for k in without}
        store = MemoryStore()
        for data in self.preimages:
            if keccak256_key(data) not in skip:
                store.put_keccak256(data)
        for address, gas, data, result in self.precompiles:
            store.put_precompile(address, gas, data, result)
        return store


def chain_of(ancestors: list[Header], state: State) -> BlockChain:
    blocks = [Block(h, (), (), ()) for h in ancestors]
    return BlockChain(blocks=blocks, state=state, chain_id=U64(CHAIN_ID))


def build_scenario(
    txs: list[Transaction] | None = None,
    withdrawals: list[Withdrawal] | None = None,
    *,
    pre: dict[bytes, AccountState] | None = None,
    number: int = NUMBER,
    depth: int = 3,
) -> Scenario:
    """The block ``number`` the spec builds on ``pre`` (default `pre_state()`), with ``depth``
    ancestor headers below it (checked with state_transition)."""
    txs = block_transactions() if txs is None else txs
    withdrawals = block_withdrawals() if withdrawals is None else withdrawals
    pre = pre_state() if pre is None else pre
    pre_root, nodes = state_nodes(make_state(pre))
    ancestors: list[Header] = []
    parent_hash = b"\x11" * 32
    for n in range(number - depth, number - 1):
        ancestors.append(ancestor(n, parent_hash, EMPTY_TRIE_ROOT))
        parent_hash = header_hash(ancestors[-1])
    parent = ancestor(
        number - 1,
        parent_hash,
        pre_root,
        gas_used=Uint(20_000_000),
        blob_gas_used=U64(786432),
        excess_blob_gas=U64(0),
    )
    ancestors.append(parent)

    state = make_state(pre)
    chain = chain_of(ancestors, state)
    timestamp = int(parent.timestamp) + 12
    base_fee = calculate_base_fee_per_gas(
        parent.gas_limit, parent.gas_limit, parent.gas_used, parent.base_fee_per_gas
    )
    beacon_root = Bytes32(b"\xbe" * 32)
    block_env = spec_vm.BlockEnvironment(
        chain_id=U64(CHAIN_ID),
        state=state,
        block_gas_limit=parent.gas_limit,
        block_hashes=get_last_256_block_hashes(chain),
        coinbase=Bytes20(COINBASE),
        number=Uint(number),
        base_fee_per_gas=base_fee,
        time=U256(timestamp),
        prev_randao=Bytes32(b"\x42" * 32),
        excess_blob_gas=calculate_excess_blob_gas(parent),
        parent_beacon_block_root=beacon_root,
    )
    encoded = tuple(encode_transaction(tx) for tx in txs)
    output = apply_body(block_env, encoded, tuple(withdrawals))
    claimed = ancestor(
        number,
        header_hash(parent),
        bytes(state_root(state)),
        transactions_root=trie_root(output.transactions_trie),
        receipt_root=trie_root(output.receipts_trie),
        bloom=logs_bloom(output.block_logs),
        gas_used=output.block_gas_used,
        timestamp=U256(timestamp),
        prev_randao=Bytes32(b"\x42" * 32),
        base_fee_per_gas=base_fee,
        withdrawals_root=trie_root(output.withdrawals_trie),
        blob_gas_used=output.blob_gas_used,
        excess_blob_gas=calculate_excess_blob_gas(parent),
        parent_beacon_block_root=beacon_root,
        extra_data=Bytes(b"faultproof"),
    )
    # the spec itself must accept the block
    state_transition(
        chain_of(ancestors, make_state(pre)), Block(claimed, encoded, (), tuple(withdrawals))
    )

    scenario = Scenario(ancestors, claimed, txs, withdrawals, pre)
    scenario.preimages += [rlp.encode(h) for h in (*ancestors, claimed)]
    scenario.preimages += nodes
    scenario.preimages += [account.code for account in pre.values()]
    scenario.preimages += body_nodes(txs, withdrawals)
    for tx in txs:
        data = sender_ecrecover_input(tx, CHAIN_ID)
        if data is not None:
            scenario.precompiles.append(
                (ECRECOVER, GAS_ECRECOVER, data, run_precompile(ECRECOVER, data))
            )
    return scenario


def body_nodes(txs: list[Transaction], withdrawals: list[Withdrawal]) -> list[bytes]:
    tx_trie = derivable_list_trie([tx_bytes(tx) for tx in txs])
    wd_trie = derivable_list_trie([bytes(rlp.encode(w)) for w in withdrawals])
    return [*tx_trie.nodes.values(), *wd_trie.nodes.values()]


# --- running the program ----------------------------------------------------------------------


def evm_elf() -> str:
    try:
        return str(guests.guest_elf("evm", "host"))
    except guests.GuestBuildError as exc:
        pytest.fail(f"the evm program does not build for the host: {exc}")


def run(
    scenario: Scenario,
    claimed: Header | None = None,
    *,
    store: MemoryStore | None = None,
    host_class: Callable[..., LocalHost] = LocalHost,
    mode: int | None = None,
) -> ProgramResult:
    """Run the host build on ``scenario`` (``claimed`` replaces the claimed header: it is served
    under its own hash)."""
    claimed = scenario.claimed if claimed is None else claimed
    store = scenario.store() if store is None else store
    store.put_keccak256(rlp.encode(claimed))
    boot = boot_info(scenario.parent_hash, header_hash(claimed), CHAIN_ID, mode)
    host = host_class(store=store, boot_info=boot, router=reference_router(store))
    code, stdout = run_native([evm_elf()], host, timeout=120, raise_host_errors=False)
    return parse_output(code, stdout)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build_scenario()


@pytest.fixture(scope="module")
def honest(scenario: Scenario) -> ProgramResult:
    return run(scenario)


def hex32(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def test_true_block_is_valid(scenario: Scenario, honest: ProgramResult) -> None:
    out = "\n".join(honest.lines)
    assert honest.exit_code == 0, out
    assert honest.verdict == "valid", out
    assert honest.mismatches == [], out
    h = scenario.claimed
    assert honest.fields["block"] == f"{NUMBER} {hex32(header_hash(h))}"
    assert honest.fields["stateRoot"] == hex32(h.state_root)
    assert honest.fields["transactionsRoot"] == hex32(h.transactions_root)
    assert honest.fields["receiptsRoot"] == hex32(h.receipt_root)
    assert honest.fields["withdrawalsRoot"] == hex32(h.withdrawals_root)
    assert honest.fields["logsBloom"] == hex32(h.bloom)
    assert honest.fields["gasUsed"] == str(int(h.gas_used))
    assert honest.fields["baseFeePerGas"] == str(int(h.base_fee_per_gas))
    assert honest.fields["blobGasUsed"] == str(int(h.blob_gas_used))
    assert honest.fields["excessBlobGas"] == str(int(h.excess_blob_gas))
    assert honest.stats["txs"] == len(scenario.txs)


def test_transactions_match_the_spec_receipts(scenario: Scenario, honest: ProgramResult) -> None:
    """Every transaction line (type, gas used, status) equals the spec's receipts."""
    pre = make_state(scenario.pre)
    chain = chain_of(scenario.ancestors, pre)
    block_env = spec_vm.BlockEnvironment(
        chain_id=U64(CHAIN_ID),
        state=pre,
        block_gas_limit=scenario.claimed.gas_limit,
        block_hashes=get_last_256_block_hashes(chain),
        coinbase=scenario.claimed.coinbase,
        number=scenario.claimed.number,
        base_fee_per_gas=scenario.claimed.base_fee_per_gas,
        time=scenario.claimed.timestamp,
        prev_randao=scenario.claimed.prev_randao,
        excess_blob_gas=scenario.claimed.excess_blob_gas,
        parent_beacon_block_root=scenario.claimed.parent_beacon_block_root,
    )
    output = apply_body(
        block_env,
        tuple(encode_transaction(tx) for tx in scenario.txs),
        tuple(scenario.withdrawals),
    )
    expected = []
    previous = 0
    for index, tx in enumerate(scenario.txs):
        encoded_receipt = trie_get(output.receipts_trie, rlp.encode(Uint(index)))
        assert encoded_receipt is not None
        receipt = decode_receipt(encoded_receipt)
        cumulative = int(receipt.cumulative_gas_used)
        type_ = 0 if not isinstance(encode_transaction(tx), bytes) else tx_bytes(tx)[0]
        expected.append((index, True, str(type_), str(cumulative - previous),
                         "1" if receipt.succeeded else "0"))  # fmt: skip
        previous = cumulative
    got = [(t.index, t.ok, t.attrs.get("type"), t.attrs.get("gas_used"), t.attrs.get("status"))
           for t in honest.txs]  # fmt: skip
    assert got == expected
    statuses = [e[4] for e in expected]
    assert "0" in statuses and "1" in statuses  # the block has both outcomes
    logs_hash = hex32(keccak256(rlp.encode(output.block_logs)))
    assert honest.fields["logsHash"] == logs_hash


# Header fields changed one at a time; each must make the verdict invalid.
TAMPERS: dict[str, Callable[[Header], Header]] = {
    "parentHash": lambda h: replace(h, parent_hash=Bytes32(b"\x01" * 32)),
    "stateRoot": lambda h: replace(h, state_root=Bytes32(b"\x02" * 32)),
    "receiptsRoot": lambda h: replace(h, receipt_root=Bytes32(b"\x03" * 32)),
    "logsBloom": lambda h: replace(h, bloom=Bytes256(b"\x00" * 255 + b"\x01")),
    "gasUsed": lambda h: replace(h, gas_used=h.gas_used + Uint(1)),
    "blobGasUsed": lambda h: replace(h, blob_gas_used=U64(0)),
    "excessBlobGas": lambda h: replace(h, excess_blob_gas=h.excess_blob_gas + U64(1)),
    "baseFeePerGas": lambda h: replace(h, base_fee_per_gas=h.base_fee_per_gas - Uint(1)),
    "gasLimit": lambda h: replace(h, gas_limit=h.gas_limit + h.gas_limit // Uint(1024)),
    "timestamp": lambda h: replace(h, timestamp=h.timestamp - U256(12)),
    "number": lambda h: replace(h, number=h.number + Uint(1)),
    "difficulty": lambda h: replace(h, difficulty=Uint(1)),
    "nonce": lambda h: replace(h, nonce=Bytes8(b"\x00" * 7 + b"\x01")),
    "ommersHash": lambda h: replace(h, ommers_hash=Bytes32(b"\x04" * 32)),
    # fields the block's execution depends on: the state root no longer matches
    "coinbase": lambda h: replace(h, coinbase=Bytes20(b"\xcb" * 20)),
    "prevRandao": lambda h: replace(h, prev_randao=Bytes32(b"\x43" * 32)),
    "parentBeaconBlockRoot": lambda h: replace(h, parent_beacon_block_root=Bytes32(b"\x05" * 32)),
}
EXPECTED_MISMATCH = {
    "coinbase": "stateRoot",
    "prevRandao": "stateRoot",
    "parentBeaconBlockRoot": "stateRoot",
}


@pytest.mark.parametrize("field_name", sorted(TAMPERS))
def test_tampered_header_field_is_invalid(scenario: Scenario, field_name: str) -> None:
    tampered = TAMPERS[field_name](scenario.claimed)
    result = run(scenario, tampered)
    out = "\n".join(result.lines)
    assert result.exit_code == 1, out
    assert result.verdict == "invalid", out
    names = [m[0] for m in result.mismatches]
    assert EXPECTED_MISMATCH.get(field_name, field_name) in names, out


def test_tampered_body_roots_are_invalid(scenario: Scenario) -> None:
    """A transactions or withdrawals root of a different (served) list: execution differs."""
    fewer_txs = scenario.txs[:-1]
    fewer_wds = scenario.withdrawals[:1]  # the last one credits 0: dropping only it is valid
    store = scenario.store()
    for node in body_nodes(fewer_txs, fewer_wds):
        store.put_keccak256(node)
    tx_root = derivable_list_trie([tx_bytes(tx) for tx in fewer_txs]).root
    wd_root = derivable_list_trie([bytes(rlp.encode(w)) for w in fewer_wds]).root
    for changes, expected in (
        ({"transactions_root": Bytes32(tx_root)}, {"stateRoot", "gasUsed", "receiptsRoot"}),
        ({"withdrawals_root": Bytes32(wd_root)}, {"stateRoot"}),
    ):
        result = run(scenario, replace(scenario.claimed, **changes), store=store)
        out = "\n".join(result.lines)
        assert result.exit_code == 1, out
        assert expected <= {m[0] for m in result.mismatches}, out


def test_block_with_an_invalid_transaction_is_invalid(scenario: Scenario) -> None:
    """An extra transaction whose nonce is too high: reported, verdict invalid (exit 1)."""
    bad = sign_tx(
        UnsignedTx(2, nonce=9, gas_limit=21_000, to=b"\x77" * 20, max_fee_per_gas=5000),
        KEYS[0],
        CHAIN_ID,
    )
    txs = [*scenario.txs, bad]
    store = scenario.store()
    for node in body_nodes(txs, scenario.withdrawals):
        store.put_keccak256(node)
    data = sender_ecrecover_input(bad, CHAIN_ID)
    assert data is not None
    store.put_precompile(ECRECOVER, GAS_ECRECOVER, data, run_precompile(ECRECOVER, data))
    root = derivable_list_trie([tx_bytes(tx) for tx in txs]).root
    result = run(scenario, replace(scenario.claimed, transactions_root=Bytes32(root)), store=store)
    out = "\n".join(result.lines)
    assert result.exit_code == 1, out
    assert result.txs[-1].index == len(txs) - 1 and not result.txs[-1].ok, out
    assert "nonce" in result.txs[-1].reason, out


class LyingHost(LocalHost):
    """Serves one preimage with a byte flipped (the program must notice: exit 2)."""

    target: bytes = b""

    def get_preimage(self, key: bytes) -> bytes:
        value = super().get_preimage(key)
        if key == self.target:
            return bytes([value[0] ^ 1]) + value[1:]
        return value


@pytest.mark.parametrize("what", ["parent header", "state root node", "code"])
def test_preimage_that_does_not_match_its_hash_is_exit_2(scenario: Scenario, what: str) -> None:
    targets = {
        "parent header": rlp.encode(scenario.parent),
        "state root node": next(n for n in scenario.preimages
                                if keccak256(n) == scenario.parent.state_root),
        "code": ENV_CONTRACT,
    }  # fmt: skip

    class Liar(LyingHost):
        target = keccak256_key(targets[what])

    result = run(scenario, host_class=Liar)
    assert result.exit_code == 2, "\n".join(result.lines)


@pytest.mark.parametrize("what", ["parent header", "transaction trie", "code"])
def test_missing_preimage_is_exit_2(scenario: Scenario, what: str) -> None:
    missing = {
        "parent header": rlp.encode(scenario.parent),
        "transaction trie": next(n for n in scenario.preimages
                                 if keccak256(n) == scenario.claimed.transactions_root),
        "code": ENV_CONTRACT,
    }[what]  # fmt: skip
    result = run(scenario, store=scenario.store(without=[keccak256_key(missing)]))
    assert result.exit_code == 2, "\n".join(result.lines)


def test_state_test_mode_skips_an_invalid_transaction(scenario: Scenario) -> None:
    """Mode 1: no system call, the invalid transaction is reported and skipped, exit 0."""
    bad = sign_tx(
        UnsignedTx(2, nonce=0, gas_limit=21_000, to=b"\x77" * 20, max_fee_per_gas=5000),
        KEYS[0],
        CHAIN_ID,
    )
    txs = [scenario.txs[0], bad, scenario.txs[1]]
    store = scenario.store()
    for node in body_nodes(txs, []):
        store.put_keccak256(node)
    data = sender_ecrecover_input(bad, CHAIN_ID)
    assert data is not None
    store.put_precompile(ECRECOVER, GAS_ECRECOVER, data, run_precompile(ECRECOVER, data))
    root = derivable_list_trie([tx_bytes(tx) for tx in txs]).root
    claimed = replace(
        scenario.claimed,
        transactions_root=Bytes32(root),
        withdrawals_root=Bytes32(EMPTY_TRIE_ROOT),
    )
    result = run(scenario, claimed, store=store, mode=1)
    out = "\n".join(result.lines)
    assert result.exit_code == 0, out
    assert [(t.index, t.ok) for t in result.txs] == [(0, True), (1, False), (2, True)], out


def run_in_vm(scenario: Scenario, vm: str) -> ProgramResult:
    store = scenario.store()
    boot = boot_info(scenario.parent_hash, header_hash(scenario.claimed), CHAIN_ID, None)
    host = LocalHost(store=store, boot_info=boot, router=reference_router(store))
    try:
        guests.guest_elf("evm", vm)
    except guests.GuestBuildError as exc:
        pytest.fail(f"the evm program does not build for {vm}: {exc}")
    return run_program(host, vm, progress=False, max_steps=100_000_000)


def test_empty_block_in_mips32_prints_what_native_prints() -> None:
    """A block with no transactions or withdrawals (the beacon-roots call and the state root
    only; ~1.0 M MIPS steps): the VM run prints exactly the native run's lines."""
    empty = build_scenario(txs=[], withdrawals=[])
    native = run(empty)
    in_vm = run_in_vm(empty, "mips32")
    assert native.exit_code == in_vm.exit_code == 0, "\n".join(in_vm.lines)
    assert in_vm.lines == native.lines


@pytest.mark.parametrize("vm", ["mips32", "riscv64", "riscv64c"])
def test_block_in_vm_prints_what_native_prints(
    scenario: Scenario, honest: ProgramResult, vm: str
) -> None:
    """The whole block in each VM (mips32 ~10 M steps, riscv64 ~5.4 M; under 3 s once the VMs
    are compiled): same lines, exit 0."""
    in_vm = run_in_vm(scenario, vm)
    assert in_vm.exit_code == 0, "\n".join(in_vm.lines)
    assert in_vm.lines == honest.lines


# --- random blocks against the spec (state-test rules: invalid transactions are skipped) -----

STORE_WORD = asm(*store_at(0, 0, "CALLDATALOAD"), "STOP")  # SSTORE(0, calldata[0:32])
TOGGLE_ADDR = bytes.fromhex("c0" * 19 + "05")
CODE_SENDER_KEY = 0x2000  # an "EOA" whose address has code: its transactions are invalid
POOR_KEY = 0x2001


def random_pre() -> dict[bytes, AccountState]:
    pre = pre_state()
    pre[TOGGLE_ADDR] = AccountState(nonce=1, code=STORE_WORD, storage={0: 1})
    pre[secret_address(CODE_SENDER_KEY)] = AccountState(balance=ETHER, code=b"\x00")
    pre[secret_address(POOR_KEY)] = AccountState(balance=100_000)
    return pre


def random_tx(rng: random.Random, nonces: dict[int, int]) -> Transaction:
    """A transaction that is usually valid, and otherwise wrong in one of many ways."""
    key = rng.choice([*KEYS, *KEYS, *KEYS, CODE_SENDER_KEY, POOR_KEY])
    tx_type = rng.choice([0, 0, 1, 2, 2, 3])
    shift = rng.choice([0] * 30 + [-1, 1, 2**64 - 1])
    nonce = max(0, nonces.get(key, 0) + shift) if shift != 2**64 - 1 else shift
    if shift == 0:
        nonces[key] = nonce + 1
    targets: list[bytes | None] = [ENV_ADDR, REVERT_ADDR, FACTORY_ADDR, TOGGLE_ADDR,
                                   SENDERS[1], b"\x99" * 20, ECRECOVER]  # fmt: skip
    if tx_type != 3:
        targets += [None, None]
    to = rng.choice(targets)
    data = rng.choice([b"", (rng.getrandbits(8)).to_bytes(32, "big"), bytes(32),
                       DEPLOYER_INIT, rng.randbytes(rng.randrange(200))])  # fmt: skip
    if to is None and rng.random() < 0.05:
        data = b"\x00" * (49152 + 1)  # init code too large
    intrinsic = 21_000 + sum(4 if b == 0 else 16 for b in data) + (53_000 if to is None else 0)
    gas_limit = rng.choice([intrinsic, 100_000, 400_000, 400_000] * 5 + [intrinsic - 1, 31_000_000])
    value = rng.choice([0, 0, 0, 1, 1, 10**15, 10**15, 10**30])
    fee = rng.choice([7, 7, 7, 20, 20, 20, 6, 0])
    prio = rng.choice([0, 1, 2, 2, 2, 50])
    blobs: tuple[bytes, ...] = ()
    if tx_type == 3:
        count = rng.choice([1, 1, 1, 2, 2, 0, 7])
        version = rng.choice([1] * 19 + [2])
        blobs = tuple(bytes([version]) + rng.randbytes(31) for _ in range(count))
    access: tuple[tuple[bytes, tuple[bytes, ...]], ...] = ()
    if tx_type and rng.random() < 0.5:
        access = ((ENV_ADDR, (bytes(32),)), (TOGGLE_ADDR, ()))
    unsigned = UnsignedTx(
        tx_type,
        nonce=nonce,
        gas_limit=gas_limit,
        to=to,
        value=value,
        data=data,
        gas_price=fee,
        max_fee_per_gas=fee + rng.choice([0, 60, 60]),
        max_priority_fee_per_gas=prio,
        access_list=access,
        blob_hashes=blobs,
        max_fee_per_blob_gas=rng.choice([0, 19, 100, 100, 100]),
        protected=rng.random() < 0.7,
    )
    return sign_tx(unsigned, key, STATE_TEST_CHAIN_ID)


STATE_TEST_CHAIN_ID = 1


@pytest.mark.parametrize("seed", range(10))
def test_random_block_matches_the_spec(seed: int) -> None:
    """Random transactions (every type, many invalid) in state-test mode: the same transactions
    are accepted, with the same gas and status, and the state root, receipts root, logs hash
    and gas totals equal the spec's."""
    inputs = random_inputs(seed)
    ref = inputs.reference
    assert ref is not None
    result = run_program(reference_host(inputs), "native")
    out = "\n".join(result.lines)
    assert result.exit_code == 0, out
    got = [(t.index, t.ok, t.attrs.get("gas_used"), t.attrs.get("status")) for t in result.txs]
    want = [(t.index, t.valid, str(t.gas_used) if t.valid else None,
             str(t.status) if t.valid else None) for t in ref.txs]  # fmt: skip
    assert got == want, out + "\n" + "\n".join(t.error for t in ref.txs)
    assert result.fields["stateRoot"] == hex32(ref.state_root), out
    assert result.fields["receiptsRoot"] == hex32(ref.receipts_root), out
    assert result.fields["logsHash"] == hex32(ref.logs_hash), out
    assert result.fields["gasUsed"] == str(ref.gas_used), out
    assert result.fields["blobGasUsed"] == str(ref.blob_gas_used), out


def test_typed_transaction_for_another_chain_is_invalid() -> None:
    """A 1559 transaction signed for chain 5 in a chain-1 block: the program refuses it (as
    geth and every client do) although the executable spec, which never compares a typed
    transaction's chain_id, would recover its signer and run it."""
    other_chain = sign_tx(
        UnsignedTx(2, nonce=0, gas_limit=21_000, to=b"\x77" * 20, max_fee_per_gas=50),
        KEYS[0],
        5,
    )
    env = BlockEnv(coinbase=COINBASE, number=50, timestamp=5000, base_fee=7, chain_id=1)
    inputs = build_block(random_pre(), env, [other_chain])
    assert inputs.reference is not None and inputs.reference.txs[0].valid  # the spec runs it
    result = run_program(reference_host(inputs), "native")
    assert [(t.ok, t.reason) for t in result.txs] == [(False, "wrong chain id")]


@pytest.mark.parametrize("target", ["mips32", "riscv64", "riscv64c"])
def test_program_has_only_instructions_the_vms_execute(target: str) -> None:
    """guest_elf('evm', t) builds, and the scan finds nothing Cannon/Asterisc lacks (no FPU,
    traps, madd, or compressed code outside riscv64c)."""
    elf = guests.guest_elf("evm", target).read_bytes()
    assert [str(b) for b in guests.bad_instructions(elf)] == []


@pytest.mark.parametrize("what", ["extra data of 33 bytes", "a London header", "not RLP"])
def test_claimed_header_that_does_not_decode_is_invalid(scenario: Scenario, what: str) -> None:
    """Bytes under the claimed hash that are no Cancun header make the claim invalid (exit 1):
    the claim is what is disputed, so a malformed one must be answerable, not a panic."""
    fields: list[Any] = list(rlp.decode(rlp.encode(scenario.claimed)))
    if what == "extra data of 33 bytes":
        fields[12] = b"x" * 33
        claimed_rlp = bytes(rlp.encode(fields))
    elif what == "a London header":
        claimed_rlp = bytes(rlp.encode(fields[:16]))
    else:
        claimed_rlp = b"\xff not a header"
    store = scenario.store()
    store.put_keccak256(claimed_rlp)
    boot = boot_info(scenario.parent_hash, bytes(keccak256(claimed_rlp)), CHAIN_ID, None)
    host = LocalHost(store=store, boot_info=boot, router=reference_router(store))
    code, stdout = run_native([evm_elf()], host, timeout=120, raise_host_errors=False)
    result = parse_output(code, stdout)
    assert result.exit_code == 1, "\n".join(result.lines)
    assert [m[0] for m in result.mismatches] == ["header"]


def random_inputs(seed: int) -> BlockInputs:
    rng = random.Random(seed)
    nonces: dict[int, int] = {}
    txs = [random_tx(rng, nonces) for _ in range(16)]
    env = BlockEnv(coinbase=COINBASE, number=50, timestamp=5000, base_fee=7,
                   excess_blob_gas=10_000_000, chain_id=STATE_TEST_CHAIN_ID)  # fmt: skip
    return build_block(random_pre(), env, txs)


@pytest.mark.parametrize("vm", ["mips32", "riscv64c"])
def test_random_block_in_vm_prints_what_native_prints(vm: str) -> None:
    """A random block (valid and invalid transactions, state-test mode) in a 32-bit big-endian
    and a 64-bit little-endian VM: byte-for-byte the native output (~8 M MIPS steps)."""
    inputs = random_inputs(0)
    native = run_program(reference_host(inputs), "native")
    in_vm = run_program(reference_host(inputs), vm, progress=False, max_steps=100_000_000)
    assert in_vm.exit_code == native.exit_code == 0
    assert in_vm.lines == native.lines


# BLOCKHASH at the edges of the 256-block window: n-1, n-2, n-255, n-256 (the oldest visible),
# n-257 (too old: 0) and n (the current block: 0), each into its own slot.
BLOCKHASH_PROBE = asm(
    *(op for slot, back in enumerate((1, 2, 255, 256, 257, 0))
      for op in store_at(slot, back, "NUMBER", "SUB", "BLOCKHASH")),
    "STOP",
)  # fmt: skip
PROBE_ADDR = bytes.fromhex("c0" * 19 + "06")


def test_blockhash_reaches_256_ancestors_and_no_further() -> None:
    """The program walks 255 parent headers back (lazily, one hint each) and agrees with the
    spec on every edge of the window."""
    pre = {**pre_state(), PROBE_ADDR: AccountState(nonce=1, code=BLOCKHASH_PROBE)}
    probe = sign_tx(
        UnsignedTx(2, nonce=0, gas_limit=300_000, to=PROBE_ADDR, max_fee_per_gas=5000),
        KEYS[0],
        CHAIN_ID,
    )
    scenario = build_scenario([probe], [], pre=pre, number=400, depth=300)
    result = run(scenario)
    out = "\n".join(result.lines)
    assert result.exit_code == 0, out
    assert result.fields["stateRoot"] == hex32(scenario.claimed.state_root), out
    assert result.stats["hints"] >= 255  # one l2-block-header hint per ancestor walked


# --- transaction bytes the spec would refuse to decode or to accept ---------------------------

SECP256K1N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def typed_fields(tx: Transaction) -> tuple[int, list[Any]]:
    raw = tx_bytes(tx)
    return raw[0], list(rlp.decode(raw[1:]))


def malformed_transactions() -> dict[str, tuple[bytes, str]]:
    """name -> (raw transaction as stored in the trie, expected reason words)."""
    call = sign_tx(
        UnsignedTx(2, nonce=1, gas_limit=50_000, to=ENV_ADDR, max_fee_per_gas=5000), KEYS[0], 1
    )
    blob = sign_tx(
        UnsignedTx(3, nonce=1, gas_limit=50_000, to=ENV_ADDR, max_fee_per_gas=5000,
                   blob_hashes=(b"\x01" * 32,), max_fee_per_blob_gas=100), KEYS[0], 1
    )  # fmt: skip
    legacy = sign_tx(UnsignedTx(0, nonce=1, gas_limit=50_000, to=ENV_ADDR), KEYS[0], 1)
    t2, f2 = typed_fields(call)
    t3, f3 = typed_fields(blob)
    legacy_fields: list[Any] = list(rlp.decode(tx_bytes(legacy)))

    def typed(type_byte: int, fields: list[Any]) -> bytes:
        return bytes([type_byte]) + bytes(rlp.encode(fields))

    def with_field(fields: list[Any], index: int, value: Any) -> list[Any]:
        out = list(fields)
        out[index] = value
        return out

    def word(v: int) -> bytes:
        return v.to_bytes((v.bit_length() + 7) // 8, "big")

    high_s = word(SECP256K1N - int.from_bytes(f2[11], "big"))
    return {
        "unknown type 4": (typed(4, f2), "undecodable"),
        "typed legacy (type 0)": (typed(0, legacy_fields), "undecodable"),
        "1559 with 11 fields": (typed(t2, f2[:11]), "undecodable"),
        "trailing byte": (typed(t2, f2) + b"\x00", "undecodable"),
        "nonce with a leading zero": (typed(t2, with_field(f2, 1, b"\x00\x01")), "undecodable"),
        "data as a list": (typed(t2, with_field(f2, 7, [b"\x01"])), "undecodable"),
        "19-byte to": (typed(t2, with_field(f2, 5, b"\x01" * 19)), "undecodable"),
        "blob without to": (typed(t3, with_field(f3, 5, b"")), "undecodable"),
        "blob hash version 2": (typed(t3, with_field(f3, 10, [b"\x02" * 32])), "versioned hash"),
        "blob with no hashes": (typed(t3, with_field(f3, 10, [])), "no blob data"),
        "y_parity 2": (typed(t2, with_field(f2, 9, b"\x02")), "y_parity"),
        "r = 0": (typed(t2, with_field(f2, 10, b"")), "signature r"),
        "r = n": (typed(t2, with_field(f2, 10, word(SECP256K1N))), "signature r"),
        "high s": (typed(t2, with_field(f2, 11, high_s)), "signature s"),
        "legacy v for another chain": (
            bytes(rlp.encode(with_field(legacy_fields, 6, word(37 + 2 * 5)))),
            "signature v",
        ),
    }


def test_malformed_transactions_are_invalid_and_skipped() -> None:
    """Each malformed transaction, between two good ones, is reported invalid with its reason
    (state-test mode keeps going), and the good ones still run."""
    first = sign_tx(UnsignedTx(2, nonce=0, gas_limit=21_000, to=b"\x77" * 20, value=1,
                               max_fee_per_gas=5000), KEYS[0], 1)  # fmt: skip
    env = BlockEnv(coinbase=COINBASE, number=50, timestamp=5000, base_fee=7, chain_id=1)
    inputs = build_block(random_pre(), env, [first])
    cases = malformed_transactions()
    raws = [tx_bytes(first), *(raw for raw, _ in cases.values())]
    trie = derivable_list_trie(raws)
    for node in trie.nodes.values():
        inputs.store.put_keccak256(node)
    claimed = replace(inputs.claimed, transactions_root=Bytes32(trie.root))
    inputs.store.put_keccak256(rlp.encode(claimed))
    boot = boot_info(inputs.parent_hash, header_hash(claimed), 1, MODE_STATE_TEST)
    host = LocalHost(store=inputs.store, boot_info=boot, router=reference_router(inputs.store))
    result = run_program(host, "native")
    out = "\n".join(result.lines)
    assert result.exit_code == 0, out
    assert result.txs[0].ok, out
    for (name, (_, reason)), line in zip(cases.items(), result.txs[1:], strict=True):
        assert not line.ok and reason in line.reason, f"{name}: {line}"


def test_boot_keys_decide_the_chain_and_a_missing_one_is_exit_2(scenario: Scenario) -> None:
    """Ident 5 is the chain the signatures must be for (another chain ID makes the block's
    first EIP-155 transaction invalid: exit 1); without ident 5 the run proves nothing (2)."""
    claimed = header_hash(scenario.claimed)
    store = scenario.store()
    for locals_, code in (
        ({2: scenario.parent_hash, 3: claimed, 5: (CHAIN_ID + 1).to_bytes(8, "big")}, 1),
        ({2: scenario.parent_hash, 3: claimed}, 2),
        ({2: scenario.parent_hash, 3: claimed, 5: b"\xff" * 8}, 2),  # sentinel without ident 6
    ):
        host = LocalHost(store=store, boot_info=BootInfo(locals_), router=reference_router(store))
        exit_code, stdout = run_native([evm_elf()], host, timeout=120, raise_host_errors=False)
        assert exit_code == code, stdout.decode()
        if code == 1:
            assert "evm: tx 1 invalid bad signature v" in stdout.decode()


def random_valid_block(seed: int) -> Scenario:
    """Up to ten random transactions the spec accepts in the verify-mode block (every type,
    calls to every test contract and to ecrecover, creations, access lists, blobs) plus up to
    three withdrawals; a candidate the spec refuses is dropped."""
    rng = random.Random(seed)
    nonces: dict[int, int] = {}
    withdrawals = [
        Withdrawal(U64(i), U64(i), Bytes20(rng.choice([SENDERS[0], b"\x55" * 20, ENV_ADDR])),
                   U256(rng.choice([0, 1, 10**9])))
        for i in range(rng.randrange(4))
    ]  # fmt: skip
    txs: list[Transaction] = []
    for _ in range(10):
        key = rng.choice(KEYS)
        tx_type = rng.choice([0, 0, 1, 2, 2, 3])
        targets: list[bytes | None] = [ENV_ADDR, REVERT_ADDR, FACTORY_ADDR, TOGGLE_ADDR,
                                       DESTRUCT_ADDR, SENDERS[1], b"\x99" * 20, ECRECOVER]  # fmt: skip
        fee = rng.choice([2000, 3000, 10**6])
        unsigned = UnsignedTx(
            tx_type,
            nonce=nonces.get(key, 0),
            gas_limit=rng.choice([60_000, 100_000, 400_000]),
            to=rng.choice(targets + ([None] if tx_type != 3 else [])),
            value=rng.choice([0, 1, 10**15]),
            data=rng.choice([b"", rng.randbytes(32), bytes(32), DEPLOYER_INIT]),
            gas_price=fee,
            max_fee_per_gas=fee,
            max_priority_fee_per_gas=rng.choice([0, 1, 500]),
            access_list=((ENV_ADDR, (bytes(32),)),) if tx_type and rng.random() < 0.5 else (),
            blob_hashes=tuple(b"\x01" + rng.randbytes(31) for _ in range(rng.randrange(1, 4)))
            if tx_type == 3
            else (),
            max_fee_per_blob_gas=100,
            protected=rng.random() < 0.7,
        )
        tx = sign_tx(unsigned, key, CHAIN_ID)
        try:
            build_scenario([*txs, tx], withdrawals, pre=random_pre())
        except EthereumException:
            continue
        txs.append(tx)
        nonces[key] = nonces.get(key, 0) + 1
    return build_scenario(txs, withdrawals, pre=random_pre())


@pytest.mark.parametrize("seed", range(4))
def test_random_valid_block_is_valid(seed: int) -> None:
    """Verify mode on random blocks the spec's state_transition accepts: exit 0, no mismatch."""
    scenario = random_valid_block(seed)
    assert len(scenario.txs) >= 5
    result = run(scenario)
    assert (result.exit_code, result.mismatches) == (0, []), "\n".join(result.lines)
