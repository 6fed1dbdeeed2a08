"""Deposit transactions (type 0x7E) of our L2 against an independent OP implementation.

anvil 1.7.1 in OP mode (``--network optimism --hardfork ecotone``: revm's op handler) mines a
raw deposit sent with ``eth_sendRawTransaction``. Each scenario sets the same pre-state in both
(anvil: ``anvil_set*``; ours: the genesis alloc), runs the same deposits in both (anvil: one
block each, automine; ours: one block after the L1 info deposit) and compares every receipt
(status, gas used, depositNonce, logs, contract address) and then balance, nonce, code and
storage of every involved account, over the union of the slots either side touched (ours: the
pre-state's and the final non-zero ones; anvil: its prestateTracer). The rules are
docs/ROLLUP.md §3 and the OP facts in /work/shared/specs/fault-proof-program.md §6.9; where a
rule pins a number by hand (a failed deposit's gas used = its gas limit, a refund), the
scenario asserts it for both sides.

Where anvil departs from OP, the test names the quirk and asserts anvil's exact behaviour, so a
changed anvil shows up instead of being tolerated silently:

* ANVIL_DEPOSIT_NONCE_IS_AFTER: anvil fills a mined deposit receipt's ``depositNonce`` from the
  sender's nonce in the state *after* the deposit (foundry's ``build_mined_deposit_receipt``
  reads ``state[sender].nonce``), i.e. the pre-deposit nonce + 1. OP (deposits.md, §6.9 item 7)
  and op-geth record the nonce *before*, as ours does.
* ANVIL_PRAGUE_CALLDATA_FLOOR: whatever OP ``--hardfork`` is given, anvil's OP mode executes
  Prague rules: EIP-7623's calldata floor (and EIP-2537's precompiles). OP has them from Isthmus
  on; Ecotone is Cancun, which is what ours runs. Scenarios with calldata keep their execution
  gas above the floor so both agree; `test_anvil_applies_the_prague_calldata_floor` pins it.
* ANVIL_REFUSES_NON_EVM_FAILURES: a deposit that must fail without running is refused by
  anvil's pool when its gas is under 21000, its value above the balance after the mint, or its
  init code over EIP-3860's limit, and left out of the block when the balance only falls short
  at execution; OP includes every deposit (status 0, mint kept, nonce + 1, gas used = limit).
  `test_non_evm_failures` checks ours against those numbers and anvil's refusal. Gas between
  21000 and the calldata's intrinsic gas passes the pool and op-revm fails it as OP says, so
  those scenarios are compared like the rest.
* CONTRACT_ADDRESS_OF_FAILED_CREATION: for a creation that fails, anvil (like geth and op-geth,
  whose receipts set ``contractAddress`` whenever ``to`` is nil) reports the would-be address;
  ours reports none. Receipts' consensus encoding has no such field, so only the RPC differs.

The base fee is left at anvil's 1 gwei (not the free-gas setup of other anvil tests), so a
deposit that paid a fee, burnt a base fee or saw a non-zero GASPRICE would show up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from ethereum.crypto.hash import keccak256
from ethereum.forks.cancun.state import State, get_account, get_storage
from ethereum_rlp import rlp
from ethereum_types.bytes import Bytes20, Bytes32
from ethereum_types.numeric import Uint
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from faultproof.chain.anvil import AnvilNode
from faultproof.chain.errors import ChainError
from faultproof.chain.testing import anvil_available
from faultproof.evm.reference import AccountState
from faultproof.evm.rpc_host import JsonRpc
from faultproof.rollup.config import BlockId, Genesis, RollupConfig
from faultproof.rollup.execution import (
    Attributes,
    DepositTx,
    L1Info,
    TxReceipt,
    build_block,
    genesis_block,
)
from faultproof.rollup.genesis import SEQUENCER_FEE_VAULT, genesis_alloc

pytestmark = pytest.mark.anvil

ANVIL_DEPOSIT_NONCE_IS_AFTER = 1
"""What anvil adds to OP's depositNonce (the sender's nonce before the deposit)."""
ANVIL_POOL_REFUSALS = ("intrinsic gas too low", "Insufficient funds", "max initcode size exceeded")
"""anvil's eth_sendRawTransaction errors for deposits OP would include as failed."""
DROPPED = "dropped when mined"

ETH = 10**18
CONFIG = RollupConfig(
    genesis=Genesis(BlockId(0, b"\x01" * 32), BlockId(0, b"\x00" * 32), 1000),
    batcher_address=b"\xba" * 20,
    deposit_contract_address=b"\xdc" * 20,
)
ORIGIN = L1Info(
    number=0, hash=b"\x01" * 32, timestamp=1000, base_fee=7, blob_base_fee=1,
    mix_hash=b"\x03" * 32, parent_beacon_root=b"\x04" * 32,
)
MAX_INITCODE = 2 * 24576  # EIP-3860


def _addr(tag: int) -> bytes:
    return bytes([0xA0]) + b"\x00" * 18 + bytes([tag])


SENDER = _addr(1)
RECIPIENT = _addr(2)
CONTRACT = _addr(3)
OTHER = _addr(4)


# --- a tiny assembler for the test contracts -------------------------------------------------

_OPS = {
    "STOP": 0x00, "MOD": 0x06, "BALANCE": 0x31, "CALLER": 0x33, "CALLVALUE": 0x34,
    "CALLDATALOAD": 0x35, "CALLDATASIZE": 0x36, "CALLDATACOPY": 0x37, "CODECOPY": 0x39,
    "GASPRICE": 0x3A, "COINBASE": 0x41, "SELFBALANCE": 0x47, "POP": 0x50, "MSTORE": 0x52,
    "SLOAD": 0x54, "SSTORE": 0x55, "JUMP": 0x56, "JUMPI": 0x57, "GAS": 0x5A, "JUMPDEST": 0x5B,
    "PUSH0": 0x5F, "LOG1": 0xA1, "LOG2": 0xA2, "CALL": 0xF1, "RETURN": 0xF3, "REVERT": 0xFD,
}


def asm(source: str) -> bytes:
    """Bytecode from ``OP OP PUSHn:hex ...`` (whitespace separated)."""
    out = bytearray()
    for word in source.split():
        if word.startswith("PUSH") and ":" in word:
            name, arg = word.split(":")
            size = int(name[4:])
            out.append(0x5F + size)
            out += int(arg, 16).to_bytes(size, "big")
        else:
            out.append(_OPS[word])
    return bytes(out)


def deploy_initcode(runtime: bytes, prologue: str = "") -> bytes:
    """Init code that runs ``prologue`` then returns ``runtime`` (appended after the code)."""
    size = len(runtime)
    head_len = len(asm(prologue)) + 10  # the copy-and-return tail below is 10 bytes
    tail = f"PUSH1:{size:x} PUSH1:{head_len:x} PUSH0 CODECOPY PUSH1:{size:x} PUSH0 RETURN"
    head = asm(prologue) + asm(tail)
    assert len(head) == head_len
    return head + runtime


LOGGER = asm("CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY CALLVALUE CALLER CALLDATASIZE PUSH0 LOG2 STOP")
REVERTER = asm("PUSH1:01 PUSH0 SSTORE CALLER PUSH0 PUSH0 LOG1 PUSH0 PUSH0 REVERT")
LOOPER = asm("JUMPDEST PUSH0 JUMP")
CLEAR_ONE = asm("PUSH0 PUSH0 SSTORE STOP")
CLEAR_TWO = asm("PUSH0 PUSH0 SSTORE PUSH0 PUSH1:01 SSTORE STOP")
# two fresh slots: 2 + 2 + 22100 + 2 + 3 + 3 + 22100 = 44212 gas, enough to lift a 2000-byte
# calldata deposit above EIP-7623's floor (see ANVIL_PRAGUE_CALLDATA_FLOOR)
STORE_TWO = asm("CALLDATASIZE PUSH0 SSTORE PUSH0 CALLDATALOAD PUSH1:01 SSTORE STOP")
STORE_TWO_GAS = 44212
# GASPRICE into slot 0 (pre-set to 7: a 0 clears it, with its refund), then BALANCE(COINBASE):
# 100 gas if the coinbase is warm (EIP-3651), 2600 if not. Only gas and slot 0 are compared:
# the two chains have different coinbases.
GAS_PROBE = asm("GASPRICE PUSH0 SSTORE COINBASE BALANCE POP STOP")
# sends its whole balance to RECIPIENT: lets a deposit empty SENDER inside a block
DRAIN = asm(f"PUSH0 PUSH0 PUSH0 PUSH0 SELFBALANCE PUSH20:{RECIPIENT.hex()} GAS CALL STOP")
RUNTIME = asm("PUSH0 SLOAD PUSH0 MSTORE PUSH1:20 PUSH0 RETURN")
INITCODE = deploy_initcode(RUNTIME, "PUSH1:2a PUSH0 SSTORE")
INITCODE_REVERTS = asm("PUSH1:2a PUSH0 SSTORE PUSH0 PUSH0 REVERT")
# init code at EIP-3860's limit that writes 12 fresh slots (12 * 22106 gas) before the zero
# padding (STOP): enough execution gas to stay above EIP-7623's floor for 49152 bytes
BIG_INITCODE = asm(" ".join(f"PUSH1:01 PUSH1:{k:x} SSTORE" for k in range(12)))
BIG_INITCODE += bytes(MAX_INITCODE - len(BIG_INITCODE))
BIG_INITCODE_GAS = 12 * 22106
# the randomized part's contract: slot 0 = callvalue, slot 1 = calldata size, a log of the
# calldata, and a REVERT when the calldata size is odd
SMALL = asm(
    "CALLVALUE PUSH0 SSTORE CALLDATASIZE PUSH1:01 SSTORE "
    "CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY CALLER CALLDATASIZE PUSH0 LOG1 "
    "PUSH1:02 CALLDATASIZE MOD PUSH1:17 JUMPI STOP JUMPDEST PUSH0 PUSH0 REVERT"
)
assert SMALL[0x17] == _OPS["JUMPDEST"]


def intrinsic_gas(data: bytes, create: bool = False) -> int:
    """Cancun's intrinsic gas (EIP-2028 calldata, EIP-3860 init code words)."""
    zeros = data.count(0)
    gas = 21000 + 4 * zeros + 16 * (len(data) - zeros)
    if create:
        gas += 32000 + 2 * ((len(data) + 31) // 32)
    return gas


def calldata_floor(data: bytes) -> int:
    """EIP-7623's floor (Prague; OP Isthmus): 21000 + 10 per token, 4 tokens a non-zero byte."""
    zeros = data.count(0)
    return 21000 + 10 * (zeros + 4 * (len(data) - zeros))


def _created(sender: bytes, nonce: int) -> bytes:
    return keccak256(rlp.encode([Bytes20(sender), Uint(nonce)]))[12:]


# --- scenarios -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dep:
    """A deposit of a scenario, with the numbers the rule book pins (checked on both sides)."""

    to: bytes | None
    mint: int = 0
    value: int = 0
    gas: int = 100_000
    data: bytes = b""
    sender: bytes = SENDER
    status: int | None = None
    gas_used: int | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    pre: Mapping[bytes, AccountState]
    deps: tuple[Dep, ...]
    post: Mapping[bytes, tuple[int, int]] | None = None
    """(balance, nonce) the rule book gives for some accounts afterwards."""
    anvil_says: tuple[str | None, ...] = ()
    """Per deposit, what anvil does instead of mining it (ANVIL_REFUSES_NON_EVM_FAILURES):
    a pool error or `DROPPED`; None or missing: anvil mines it."""

    def deposits(self) -> list[DepositTx]:
        return [
            DepositTx(
                source_hash=keccak256(f"{self.name}/{i}".encode()),
                from_=d.sender, to=d.to, mint=d.mint, value=d.value, gas=d.gas,
                is_system_tx=False, data=d.data,
            )
            for i, d in enumerate(self.deps)
        ]

    def pre_nonces(self) -> list[int]:
        """OP's depositNonce of each deposit: the sender's nonce before it (all bump it)."""
        nonce = {a: s.nonce for a, s in self.pre.items()}
        out = []
        for d in self.deps:
            out.append(nonce.get(d.sender, 0))
            nonce[d.sender] = out[-1] + 1
        return out

    def accounts(self) -> set[bytes]:
        """The pre-state's accounts, the senders, the targets and the creations."""
        accounts = set(self.pre)
        for d, nonce in zip(self.deps, self.pre_nonces(), strict=True):
            accounts.add(d.sender)
            accounts.add(_created(d.sender, nonce) if d.to is None else d.to)
        return accounts


HEAVY = bytes((i * 7) % 5 for i in range(2000))  # 400 zeros, 1600 non-zero bytes
HEAVY_GAS = intrinsic_gas(HEAVY) + STORE_TWO_GAS
assert calldata_floor(HEAVY) < HEAVY_GAS
BIG_INITCODE_USED = intrinsic_gas(BIG_INITCODE, create=True) + BIG_INITCODE_GAS
assert calldata_floor(BIG_INITCODE) < BIG_INITCODE_USED

FUNDED = {SENDER: AccountState(balance=ETH)}

SCENARIOS = [
    Scenario("transfer_with_mint", FUNDED, (
        Dep(RECIPIENT, mint=2 * ETH, value=ETH // 2, status=1, gas_used=21000),),
        post={SENDER: (ETH * 5 // 2, 1), RECIPIENT: (ETH // 2, 0)}),
    Scenario("mint_only_to_self_new_account", {}, (
        Dep(SENDER, mint=ETH, gas=21000, status=1, gas_used=21000),), post={SENDER: (ETH, 1)}),
    Scenario("value_equal_to_balance_after_mint", FUNDED, (
        Dep(RECIPIENT, mint=ETH, value=2 * ETH, status=1, gas_used=21000),),
        post={SENDER: (0, 1), RECIPIENT: (2 * ETH, 0)}),
    Scenario("call_that_reverts", {**FUNDED, CONTRACT: AccountState(code=REVERTER)}, (
        # 21000 + PUSH1 3 + PUSH0 2 + SSTORE 22100 + CALLER 2 + PUSH0s 4 + LOG1 375 + 375
        # + PUSH0s 4 + REVERT 0; a revert returns the unused gas (EIP-140)
        Dep(CONTRACT, mint=ETH, value=ETH // 10, status=0, gas_used=21000 + 22865),),
        post={SENDER: (2 * ETH, 1), CONTRACT: (0, 0)}),
    Scenario("out_of_gas", {**FUNDED, CONTRACT: AccountState(code=LOOPER)}, (
        Dep(CONTRACT, mint=ETH, value=ETH // 10, gas=60_000, status=0, gas_used=60_000),),
        post={SENDER: (2 * ETH, 1), CONTRACT: (0, 0)}),
    Scenario("call_that_logs", {**FUNDED, CONTRACT: AccountState(code=LOGGER)}, (
        Dep(CONTRACT, mint=3, value=2, data=b"\x00hello\x00deposit", status=1),),
        post={SENDER: (ETH + 1, 1), CONTRACT: (2, 0)}),
    Scenario("create_from_pre_deposit_nonce", {SENDER: AccountState(balance=ETH, nonce=3)}, (
        Dep(None, mint=ETH, value=10**15, gas=200_000, data=INITCODE, status=1),
        Dep(None, value=1, gas=200_000, data=INITCODE, status=1),),
        post={_created(SENDER, 3): (10**15, 1), _created(SENDER, 4): (1, 1),
              SENDER: (2 * ETH - 10**15 - 1, 5)}),
    Scenario("create_that_reverts", FUNDED, (
        Dep(None, mint=1, value=1, gas=200_000, data=INITCODE_REVERTS, status=0),),
        post={SENDER: (ETH + 1, 1), _created(SENDER, 0): (0, 0)}),
    Scenario("sstore_clear_refund", {**FUNDED, CONTRACT: AccountState(
        code=CLEAR_ONE, storage={0: 1})}, (
        # 21000 + 2 + 2 + (2100 cold + 2900) = 26004; refund min(4800, 26004 // 5)
        Dep(CONTRACT, status=1, gas_used=26004 - 4800),)),
    Scenario("sstore_clear_refund_capped", {**FUNDED, CONTRACT: AccountState(
        code=CLEAR_TWO, storage={0: 1, 1: 5})}, (
        # 21000 + 2 + 2 + 5000 + 2 + 3 + 5000 = 31009; refund 9600 capped at 31009 // 5
        Dep(CONTRACT, status=1, gas_used=31009 - 31009 // 5),)),
    Scenario("gasprice_zero_and_warm_coinbase", {**FUNDED, CONTRACT: AccountState(
        code=GAS_PROBE, storage={0: 7})}, (
        # GASPRICE 2, PUSH0 2, SSTORE 7->0 5000 (refund 4800), COINBASE 2, BALANCE warm 100,
        # POP 2: 21000 + 5108 = 26108, refund 4800 (under 26108 // 5)
        Dep(CONTRACT, status=1, gas_used=26108 - 4800),)),
    Scenario("sender_with_nonce_three_deposits",
             {SENDER: AccountState(nonce=7), CONTRACT: AccountState(code=LOOPER)}, (
        Dep(RECIPIENT, mint=10, value=3, status=1, gas_used=21000),
        Dep(CONTRACT, value=2, gas=30_000, status=0, gas_used=30_000),
        Dep(RECIPIENT, value=7, status=1, gas_used=21000),),
        post={SENDER: (0, 10), RECIPIENT: (10, 0), CONTRACT: (0, 0)}),
    Scenario("deposit_from_a_contract_address", {**FUNDED, OTHER: AccountState(code=LOGGER)}, (
        # no EOA check: the sender may have code (an aliased L1 contract's L2 twin can)
        Dep(RECIPIENT, sender=OTHER, mint=5, value=4, status=1, gas_used=21000),),
        post={OTHER: (1, 1), RECIPIENT: (4, 0)}),
    Scenario("initcode_at_eip3860_limit", FUNDED, (
        Dep(None, mint=1, gas=600_000, data=BIG_INITCODE, status=1,
            gas_used=BIG_INITCODE_USED),), post={_created(SENDER, 0): (0, 1)}),
    Scenario("data_heavy_call", {**FUNDED, CONTRACT: AccountState(code=STORE_TWO)}, (
        # one gas short first (its writes roll back), then exactly enough
        Dep(CONTRACT, mint=1, value=1, data=HEAVY, gas=HEAVY_GAS - 1, status=0,
            gas_used=HEAVY_GAS - 1),
        Dep(CONTRACT, mint=1, value=1, data=HEAVY, gas=HEAVY_GAS, status=1,
            gas_used=HEAVY_GAS),), post={SENDER: (ETH + 1, 2), CONTRACT: (1, 0)}),
    # non-EVM failures that anvil's pool lets through (it only refuses gas under 21000):
    # op-revm then fails them the way OP says, so they are compared like the rest
    Scenario("gas_below_calldata_intrinsic", FUNDED, (
        Dep(RECIPIENT, mint=1, value=1, data=HEAVY, gas=intrinsic_gas(HEAVY) - 1, status=0,
            gas_used=intrinsic_gas(HEAVY) - 1),),
        post={SENDER: (ETH + 1, 1), RECIPIENT: (0, 0)}),
    Scenario("creation_gas_below_intrinsic", FUNDED, (
        Dep(None, mint=1, value=1, data=INITCODE, gas=intrinsic_gas(INITCODE, create=True) - 1,
            status=0, gas_used=intrinsic_gas(INITCODE, create=True) - 1),),
        post={SENDER: (ETH + 1, 1), _created(SENDER, 0): (0, 0)}),
]

# Non-EVM failures (ROLLUP.md §3): rolled back to just after the mint, nonce + 1, status 0, gas
# used = the deposit's gas limit. anvil will not mine them (ANVIL_REFUSES_NON_EVM_FAILURES).
NON_EVM_FAILURES = [
    Scenario("value_above_balance_after_mint", FUNDED, (
        Dep(RECIPIENT, mint=ETH, value=3 * ETH, gas=50_000, status=0, gas_used=50_000),),
        post={SENDER: (2 * ETH, 1), RECIPIENT: (0, 0)}, anvil_says=("Insufficient funds",)),
    Scenario("gas_below_intrinsic", FUNDED, (
        Dep(RECIPIENT, mint=ETH, value=1, gas=20_999, status=0, gas_used=20_999),),
        post={SENDER: (2 * ETH, 1), RECIPIENT: (0, 0)}, anvil_says=("intrinsic gas too low",)),
    Scenario("zero_gas_new_account", {}, (
        Dep(RECIPIENT, mint=5, gas=0, status=0, gas_used=0),),
        post={SENDER: (5, 1), RECIPIENT: (0, 0)}, anvil_says=("intrinsic gas too low",)),
    Scenario("initcode_over_eip3860_limit", FUNDED, (
        Dep(None, mint=1, gas=600_000, data=bytes(MAX_INITCODE + 1), status=0,
            gas_used=600_000),),
        post={SENDER: (ETH + 1, 1), _created(SENDER, 0): (0, 0)},
        anvil_says=("max initcode size exceeded",)),
    # the balance is enough when anvil's pool looks, but the block's first deposit empties the
    # sender (a contract address) first: anvil leaves the second out of the block
    Scenario("value_above_balance_after_a_drain_in_the_block",
             {SENDER: AccountState(balance=ETH, code=DRAIN)}, (
        Dep(SENDER, sender=OTHER, status=1),
        Dep(RECIPIENT, mint=ETH, value=2 * ETH, gas=50_000, status=0, gas_used=50_000),),
        post={SENDER: (ETH, 1), RECIPIENT: (ETH, 0)}, anvil_says=(None, DROPPED)),
]


# --- our side --------------------------------------------------------------------------------

_GENESIS_ALLOC: dict[bytes, AccountState] = {}


def run_ours(sc: Scenario) -> tuple[list[TxReceipt], State]:
    if not _GENESIS_ALLOC:  # compiling the predeploys is the slow part: once per run
        _GENESIS_ALLOC.update(genesis_alloc({}))
    genesis, state = genesis_block(CONFIG, {**_GENESIS_ALLOC, **sc.pre})
    attrs = Attributes(
        timestamp=genesis.timestamp + 2, origin=ORIGIN, seq=1, deposits=tuple(sc.deposits())
    )
    built = build_block(CONFIG, genesis, state, attrs, [genesis.hash])
    return list(built.block.receipts[1:]), built.state  # [0] is the L1 info deposit


def _log_view(address: bytes, topics: Sequence[bytes], data: bytes) -> tuple[str, ...]:
    return ("0x" + address.hex(), *("0x" + bytes(t).hex() for t in topics), "0x" + data.hex())


def our_receipt(r: TxReceipt) -> dict[str, Any]:
    return {
        "status": r.status,
        "gasUsed": r.gas_used,
        "depositNonce": r.deposit_nonce,
        "logs": [_log_view(bytes(lg.address), lg.topics, bytes(lg.data)) for lg in r.logs],
        "contractAddress": r.contract_address,
    }


def our_slots(state: State, address: bytes) -> set[int]:
    trie = state._storage_tries.get(Bytes20(address))
    return set() if trie is None else {int.from_bytes(k, "big") for k in trie._data}


def our_account(state: State, address: bytes, slots: set[int]) -> dict[str, Any]:
    acct = get_account(state, Bytes20(address))
    return {
        "balance": int(acct.balance), "nonce": int(acct.nonce), "code": bytes(acct.code),
        "storage": {
            k: int(get_storage(state, Bytes20(address), Bytes32(k.to_bytes(32, "big"))))
            for k in sorted(slots)
        },
    }


# --- anvil's side ----------------------------------------------------------------------------


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def _unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:])


class OpAnvil:
    """anvil in OP mode, reset to a snapshot before every scenario."""

    def __init__(self, node: AnvilNode) -> None:
        self.rpc = JsonRpc(node.url, timeout=30)
        self.snap = self.rpc.call("evm_snapshot", [])
        self.coinbase = _unhex(self.rpc.call("eth_getBlockByNumber", ["latest", False])["miner"])

    def start(self, pre: Mapping[bytes, AccountState]) -> None:
        assert self.rpc.call("evm_revert", [self.snap]) is True
        self.snap = self.rpc.call("evm_snapshot", [])
        for address, acct in pre.items():
            a = _hex(address)
            self.rpc.call("anvil_setBalance", [a, hex(acct.balance)])
            self.rpc.call("anvil_setNonce", [a, hex(acct.nonce)])
            self.rpc.call("anvil_setCode", [a, _hex(acct.code)])
            for slot, value in acct.storage.items():
                self.rpc.call("anvil_setStorageAt", [a, _word(slot), _word(value)])

    def submit(self, dep: DepositTx) -> str:
        tx_hash = self.rpc.call("eth_sendRawTransaction", [_hex(dep.encode())])
        assert isinstance(tx_hash, str)
        return tx_hash

    def receipt(self, tx_hash: str, wait: float = 10.0) -> dict[str, Any] | None:
        deadline = time.monotonic() + wait
        # automine runs after the RPC answers, so the receipt can lag a moment
        while (receipt := self.rpc.call("eth_getTransactionReceipt", [tx_hash])) is None:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.005)
        assert isinstance(receipt, dict)
        assert receipt["type"].lower() == "0x7e" and receipt["depositReceiptVersion"] == "0x1"
        assert int(receipt["effectiveGasPrice"], 16) == 0
        return receipt

    def send(self, dep: DepositTx) -> tuple[dict[str, Any], dict[bytes, set[int]]]:
        """Mine one deposit: its receipt (depositNonce as OP counts it) and, from anvil's
        prestateTracer, the accounts and slots it touched."""
        tx_hash = self.submit(dep)
        r = self.receipt(tx_hash)
        assert r is not None, f"anvil mined no receipt for {tx_hash}"
        contract = r.get("contractAddress")
        view = {
            "status": int(r["status"], 16),
            "gasUsed": int(r["gasUsed"], 16),
            "depositNonce": int(r["depositNonce"], 16) - ANVIL_DEPOSIT_NONCE_IS_AFTER,
            "logs": [
                _log_view(_unhex(lg["address"]), [_unhex(t) for t in lg["topics"]],
                          _unhex(lg["data"]))
                for lg in r["logs"]
            ],
            "contractAddress": _unhex(contract) if contract else None,
        }
        trace = self.rpc.call("debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer"}])
        touched = {
            _unhex(a): {int(k, 16) for k in (info.get("storage") or {})}
            for a, info in trace.items()
        }
        return view, touched

    def account(self, address: bytes, slots: set[int]) -> dict[str, Any]:
        a = _hex(address)
        return {
            "balance": int(self.rpc.call("eth_getBalance", [a, "latest"]), 16),
            "nonce": int(self.rpc.call("eth_getTransactionCount", [a, "latest"]), 16),
            "code": _unhex(self.rpc.call("eth_getCode", [a, "latest"])),
            "storage": {
                k: int(self.rpc.call("eth_getStorageAt", [a, _word(k), "latest"]), 16)
                for k in sorted(slots)
            },
        }


@pytest.fixture(scope="module")
def op_anvil() -> Iterator[OpAnvil]:
    if not anvil_available():
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    with AnvilNode(
        hardfork="ecotone", chain_id=CONFIG.l2_chain_id, free_gas=False,
        extra_args=("--network", "optimism"),
    ) as node:
        yield OpAnvil(node)


# --- the comparison --------------------------------------------------------------------------


def check_scenario(sc: Scenario, anvil: OpAnvil) -> None:
    """Run ``sc`` on both sides; collect every difference (and every broken rule-book number)
    and fail with all of them."""
    receipts, state = run_ours(sc)
    ours = [our_receipt(r) for r in receipts]
    anvil.start(sc.pre)
    theirs: list[dict[str, Any]] = []
    touched: dict[bytes, set[int]] = {a: set() for a in sc.accounts()}
    for tx in sc.deposits():
        view, seen = anvil.send(tx)
        theirs.append(view)
        for address, slots in seen.items():
            touched.setdefault(address, set()).update(slots)
    problems: list[str] = []
    for i, (dep, mine, other) in enumerate(zip(sc.deps, ours, theirs, strict=True)):
        if dep.to is None and mine["status"] == 0:
            # CONTRACT_ADDRESS_OF_FAILED_CREATION
            if mine["contractAddress"] is not None:
                problems.append(f"deposit {i}: ours names a contract for a failed creation")
            want = _created(dep.sender, sc.pre_nonces()[i])
            if other["contractAddress"] != want:
                problems.append(f"deposit {i}: anvil's failed-creation address changed: "
                                f"{other['contractAddress']!r}, expected {want!r}")
            other = {**other, "contractAddress": None}
        if mine != other:
            problems.append(f"deposit {i}: ours {mine} != anvil {other}")
        if mine["depositNonce"] != sc.pre_nonces()[i]:
            problems.append(f"deposit {i}: our depositNonce {mine['depositNonce']}, "
                            f"OP's rule says {sc.pre_nonces()[i]}")
        for side, r in (("ours", mine), ("anvil", other)):
            if dep.status is not None and r["status"] != dep.status:
                problems.append(f"deposit {i}: {side} status {r['status']}, rule {dep.status}")
            if dep.gas_used is not None and r["gasUsed"] != dep.gas_used:
                problems.append(f"deposit {i}: {side} gasUsed {r['gasUsed']}, "
                                f"rule {dep.gas_used}")
    touched.pop(anvil.coinbase, None)  # the two chains' coinbases differ (GAS_PROBE's note)
    touched.pop(SEQUENCER_FEE_VAULT, None)
    for address, slots in sorted(touched.items()):
        slots = slots | our_slots(state, address) | set(sc.pre.get(address, AccountState()).storage)
        mine_acct = our_account(state, address, slots)
        other_acct = anvil.account(address, slots)
        if mine_acct != other_acct:
            problems.append(f"account 0x{address.hex()}: ours {mine_acct} != anvil {other_acct}")
        if sc.post and address in sc.post and (
            (mine_acct["balance"], mine_acct["nonce"]) != sc.post[address]
        ):
            problems.append(f"account 0x{address.hex()}: ours (balance, nonce) "
                            f"{(mine_acct['balance'], mine_acct['nonce'])}, "
                            f"rule {sc.post[address]}")
    assert not problems, f"{sc.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_deposit_matches_op_anvil(sc: Scenario, op_anvil: OpAnvil) -> None:
    check_scenario(sc, op_anvil)


def check_ours_against_rules(sc: Scenario) -> list[TxReceipt]:
    receipts, state = run_ours(sc)
    for i, (dep, r) in enumerate(zip(sc.deps, receipts, strict=True)):
        if dep.status is not None:
            assert r.status == dep.status, (sc.name, i)
        if dep.gas_used is not None:
            assert r.gas_used == dep.gas_used, (sc.name, i)
        assert r.deposit_nonce == sc.pre_nonces()[i] and not r.logs
        if dep.to is None:
            assert r.contract_address is None
    for address, (balance, nonce) in (sc.post or {}).items():
        acct = get_account(state, Bytes20(address))
        assert (int(acct.balance), int(acct.nonce)) == (balance, nonce), (sc.name, address)
        if address not in sc.pre:
            assert acct.code == b"" and not our_slots(state, address)
    return receipts


@pytest.mark.parametrize("sc", NON_EVM_FAILURES, ids=[s.name for s in NON_EVM_FAILURES])
def test_non_evm_failures(sc: Scenario, op_anvil: OpAnvil) -> None:
    """Ours: the rule book's numbers. anvil: ANVIL_REFUSES_NON_EVM_FAILURES, exactly as named."""
    check_ours_against_rules(sc)
    op_anvil.start(sc.pre)
    op_anvil.rpc.call("evm_setAutomine", [False])  # the deposits share one block, as in ours
    try:
        hashes: list[str | None] = []
        for tx, says in zip(sc.deposits(), sc.anvil_says, strict=True):
            if says is None or says == DROPPED:
                hashes.append(op_anvil.submit(tx))
                continue
            with pytest.raises(ChainError, match=says):
                op_anvil.submit(tx)
            hashes.append(None)
        op_anvil.rpc.call("evm_mine", [])
    finally:
        op_anvil.rpc.call("evm_setAutomine", [True])
    for tx_hash, says, dep in zip(hashes, sc.anvil_says, sc.deps, strict=True):
        if tx_hash is None:
            continue
        r = op_anvil.receipt(tx_hash, wait=0.5)
        if says == DROPPED:
            assert r is None, "anvil now mines a deposit it used to drop: compare it instead"
        else:
            assert r is not None and int(r["status"], 16) == dep.status


def test_anvil_applies_the_prague_calldata_floor(op_anvil: OpAnvil) -> None:
    """ANVIL_PRAGUE_CALLDATA_FLOOR. A 2000-byte deposit to an EOA: Cancun (OP Ecotone, ours)
    charges the intrinsic gas; anvil charges EIP-7623's floor, so with the intrinsic gas as
    the limit it fails the deposit. anvil's failure is OP's non-EVM failure all the same (mint
    kept, nonce + 1, value not sent, gas used = limit), which confirms that rule."""
    low, floor = intrinsic_gas(HEAVY), calldata_floor(HEAVY)
    sc = Scenario("floor", FUNDED, (
        Dep(RECIPIENT, mint=1, value=1, data=HEAVY, gas=low),
        Dep(RECIPIENT, mint=1, value=1, data=HEAVY, gas=floor),
    ))
    receipts, state = run_ours(sc)
    assert [(r.status, r.gas_used) for r in receipts] == [(1, low), (1, low)]
    assert int(get_account(state, Bytes20(RECIPIENT)).balance) == 2
    op_anvil.start(sc.pre)
    first, _ = op_anvil.send(sc.deposits()[0])
    assert (first["status"], first["gasUsed"], first["depositNonce"]) == (0, low, 0)
    assert op_anvil.account(SENDER, set())["balance"] == ETH + 1
    assert op_anvil.account(SENDER, set())["nonce"] == 1
    assert op_anvil.account(RECIPIENT, set())["balance"] == 0
    second, _ = op_anvil.send(sc.deposits()[1])
    assert (second["status"], second["gasUsed"], second["depositNonce"]) == (1, floor, 1)


# --- randomized: mint / value / gas / data against a small contract ---------------------------

RANDOM_PRE = {
    SENDER: AccountState(balance=ETH, nonce=2),
    CONTRACT: AccountState(code=SMALL, storage={0: 9, 1: 4}),
}


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    mint=st.sampled_from([0, 1, ETH // 2, ETH, 3 * ETH]),
    value=st.sampled_from([0, 0, 1, ETH // 3, ETH, 2 * ETH]),
    gas=st.integers(21_000, 150_000) | st.sampled_from([0, 20_999, 21_000, 53_000, 60_000]),
    data=st.binary(max_size=48),
    target=st.sampled_from(["contract", "eoa", "create"]),
)
def test_random_deposits_match_op_anvil(
    op_anvil: OpAnvil, mint: int, value: int, gas: int, data: bytes, target: str
) -> None:
    """Random deposits against SMALL, an EOA (no calldata: ANVIL_PRAGUE_CALLDATA_FLOOR would
    price it) or a creation. A non-EVM failure anvil refuses is checked against the rule book."""
    to = {"contract": CONTRACT, "eoa": RECIPIENT, "create": None}[target]
    if to is None:
        data = INITCODE
    elif to == RECIPIENT:
        data = b""
    dep = Dep(to, mint=mint, value=value, gas=gas, data=data)
    sc = Scenario("random", RANDOM_PRE, (dep,))
    try:
        check_scenario(sc, op_anvil)
        event("compared with anvil")
        return
    except ChainError as exc:  # ANVIL_REFUSES_NON_EVM_FAILURES
        assert any(msg in str(exc) for msg in ANVIL_POOL_REFUSALS), exc
    event("refused by anvil's pool")
    assert gas < intrinsic_gas(data, create=to is None) or value > ETH + mint
    failed = Scenario("random", RANDOM_PRE, (
        Dep(to, mint=mint, value=value, gas=gas, data=data, status=0, gas_used=gas),),
        post={SENDER: (ETH + mint, 3), CONTRACT: (0, 0)})
    check_ours_against_rules(failed)
