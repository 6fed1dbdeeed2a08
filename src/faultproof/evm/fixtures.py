"""State-test fixtures made with the execution specs: ``python -m faultproof.evm.fixtures OUT_DIR``.

Each family (`FAMILIES`) becomes ``OUT_DIR/<family>.json`` in the GeneralStateTests format
(`faultproof.evm.statetest` reads it, and so does ``ethereum-spec-evm statetest``). Every
case states what it is for (``expect``: each variant's transaction is ``ok``, ``fail`` (executed,
status 0) or ``invalid``); generation checks that the spec agrees, so a fixture cannot silently
stop testing what its name says. The expected post-state root and logs hash are the spec's
(`faultproof.evm.reference.run_reference`), computed from the transaction exactly as the reader
rebuilds it from the JSON. Output is deterministic (RFC 6979 signatures, fixed key order).

Families cover every opcode family, every precompile, every transaction type (legacy with and
without EIP-155, 2930, 1559, 4844), reverts and exceptional halts, out-of-gas boundaries found by
bisection, SELFDESTRUCT under EIP-6780, CREATE/CREATE2 collisions, call depth 1024, SSTORE
refunds, access lists, blob fees and invalid transactions.

The module also carries the small assembler the fixtures and the differential tests write
contracts with (`assemble`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import coincurve

from faultproof.errors import FaultproofError
from faultproof.evm.reference import (
    AccountState,
    BlockEnv,
    ancestor_headers,
    header_hash,
    make_state,
    run_reference,
    secret_address,
    sign_tx,
    state_nodes,
    tx_bytes,
)
from faultproof.evm.reference import UnsignedTx as Tx
from faultproof.evm.statetest import STATE_TEST_CHAIN_ID, unsigned_tx

# --- assembler -----------------------------------------------------------------------------------

_NAMED = {
    "STOP": 0x00, "ADD": 0x01, "MUL": 0x02, "SUB": 0x03, "DIV": 0x04, "SDIV": 0x05, "MOD": 0x06,
    "SMOD": 0x07, "ADDMOD": 0x08, "MULMOD": 0x09, "EXP": 0x0A, "SIGNEXTEND": 0x0B,
    "LT": 0x10, "GT": 0x11, "SLT": 0x12, "SGT": 0x13, "EQ": 0x14, "ISZERO": 0x15, "AND": 0x16,
    "OR": 0x17, "XOR": 0x18, "NOT": 0x19, "BYTE": 0x1A, "SHL": 0x1B, "SHR": 0x1C, "SAR": 0x1D,
    "KECCAK256": 0x20,
    "ADDRESS": 0x30, "BALANCE": 0x31, "ORIGIN": 0x32, "CALLER": 0x33, "CALLVALUE": 0x34,
    "CALLDATALOAD": 0x35, "CALLDATASIZE": 0x36, "CALLDATACOPY": 0x37, "CODESIZE": 0x38,
    "CODECOPY": 0x39, "GASPRICE": 0x3A, "EXTCODESIZE": 0x3B, "EXTCODECOPY": 0x3C,
    "RETURNDATASIZE": 0x3D, "RETURNDATACOPY": 0x3E, "EXTCODEHASH": 0x3F,
    "BLOCKHASH": 0x40, "COINBASE": 0x41, "TIMESTAMP": 0x42, "NUMBER": 0x43, "PREVRANDAO": 0x44,
    "GASLIMIT": 0x45, "CHAINID": 0x46, "SELFBALANCE": 0x47, "BASEFEE": 0x48, "BLOBHASH": 0x49,
    "BLOBBASEFEE": 0x4A,
    "POP": 0x50, "MLOAD": 0x51, "MSTORE": 0x52, "MSTORE8": 0x53, "SLOAD": 0x54, "SSTORE": 0x55,
    "JUMP": 0x56, "JUMPI": 0x57, "PC": 0x58, "MSIZE": 0x59, "GAS": 0x5A, "JUMPDEST": 0x5B,
    "TLOAD": 0x5C, "TSTORE": 0x5D, "MCOPY": 0x5E, "PUSH0": 0x5F,
    "CREATE": 0xF0, "CALL": 0xF1, "CALLCODE": 0xF2, "RETURN": 0xF3, "DELEGATECALL": 0xF4,
    "CREATE2": 0xF5, "STATICCALL": 0xFA, "REVERT": 0xFD, "INVALID": 0xFE, "SELFDESTRUCT": 0xFF,
}  # fmt: skip
OPCODES: dict[str, int] = dict(_NAMED)
OPCODES.update({f"PUSH{n}": 0x5F + n for n in range(1, 33)})
OPCODES.update({f"DUP{n}": 0x7F + n for n in range(1, 17)})
OPCODES.update({f"SWAP{n}": 0x8F + n for n in range(1, 17)})
OPCODES.update({f"LOG{n}": 0xA0 + n for n in range(5)})

Item = str | int | bytes


class FixtureError(FaultproofError):
    """A fixture that does not test what it says (the spec disagrees with its ``expect``)."""


def push(value: int) -> bytes:
    """The shortest push of ``value`` (PUSH0 for 0)."""
    if not 0 <= value < 2**256:
        raise FixtureError(f"push operand {value} is not a 256-bit word")
    if value == 0:
        return b"\x5f"
    size = (value.bit_length() + 7) // 8
    return bytes([0x5F + size]) + value.to_bytes(size, "big")


def assemble(*items: Item) -> bytes:
    """Bytecode: a name is an opcode, an int the shortest PUSH, ``bytes`` verbatim, ``":x"`` a
    JUMPDEST labelled x and ``"@x"`` a PUSH2 of label x's address."""
    labels: dict[str, int] = {}
    pos = 0
    for item in items:
        if isinstance(item, str) and item.startswith(":"):
            labels[item[1:]] = pos
        pos += 3 if isinstance(item, str) and item.startswith("@") else len(_emit(item))
    out = bytearray()
    for item in items:
        if isinstance(item, str) and item.startswith("@"):
            if item[1:] not in labels:
                raise FixtureError(f"unknown label {item[1:]!r}")
            out += b"\x61" + labels[item[1:]].to_bytes(2, "big")
        else:
            out += _emit(item)
    return bytes(out)


def _emit(item: Item) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, int):
        return push(item)
    if item.startswith(":"):
        return b"\x5b"
    name = item.upper()
    if name not in OPCODES:
        raise FixtureError(f"unknown opcode {item!r}")
    return bytes([OPCODES[name]])


def store_results(ops: Sequence[tuple[str, tuple[int, ...]]], first_slot: int = 0) -> bytes:
    """Code computing ``op(*args)`` for each entry (first argument on top of the stack) and
    storing it in consecutive slots."""
    items: list[Item] = []
    for i, (op, args) in enumerate(ops):
        items += [*reversed(args), op, first_slot + i, "SSTORE"]
    return assemble(*items, "STOP")


def store_values(codes: Sequence[Sequence[Item]], first_slot: int = 0) -> list[Item]:
    """Items that run each snippet (leaving one word) and store it in consecutive slots."""
    items: list[Item] = []
    for i, snippet in enumerate(codes):
        items += [*snippet, first_slot + i, "SSTORE"]
    return items


def call(target: Item, *, gas: Item = "GAS", value: int = 0, op: str = "CALL", args: tuple[int, int] = (0, 0), ret: tuple[int, int] = (0, 0)) -> list[Item]:  # fmt: skip
    """Items for a call (pushes success): ``op`` is CALL, CALLCODE, DELEGATECALL or STATICCALL."""
    with_value = [value] if op in ("CALL", "CALLCODE") else []
    if isinstance(target, bytes):
        target = word(target)
    return [ret[1], ret[0], args[1], args[0], *with_value, target, gas, op]


def word(address: bytes) -> int:
    """An address as the word that pushes it."""
    return int.from_bytes(address, "big")


def initcode_for(runtime: bytes) -> bytes:
    """Init code that returns ``runtime``, which it carries after its own 13 bytes."""
    size = b"\x61" + len(runtime).to_bytes(2, "big")
    # PUSH2 size, PUSH2 13, PUSH0, CODECOPY, PUSH2 size, PUSH0, RETURN
    return size + b"\x61\x00\x0d\x5f\x39" + size + b"\x5f\xf3" + runtime


def memory_word_code(data: bytes) -> list[Item]:
    """Items that write ``data`` to memory from offset 0, one 32-byte word at a time."""
    items: list[Item] = []
    padded = data + b"\x00" * (-len(data) % 32)
    for i in range(0, len(padded), 32):
        items += [int.from_bytes(padded[i : i + 32], "big"), i, "MSTORE"]
    return items


# --- the accounts every fixture shares ------------------------------------------------------

SECRET_KEY = 0x45A915E4D060149EB4365960E6A7A45F334393093061116B197E3240065FF2D8
"""The well-known ethereum/tests sender key (address 0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b)."""
SENDER = secret_address(SECRET_KEY)
COINBASE = bytes.fromhex("2adc25665018aa1fe0e6bc666dac8fc2697ff9ba")
RICH = 10**24


def contract(n: int) -> bytes:
    """Contract address n (``0xc0de…00nn``), clear of the precompiles."""
    return bytes.fromhex("c0de") + b"\x00" * 16 + n.to_bytes(2, "big")


def precompile(n: int) -> bytes:
    return b"\x00" * 19 + bytes([n])


DEFAULT_ENV = BlockEnv(
    coinbase=COINBASE,
    number=1,
    timestamp=1000,
    gas_limit=30_000_000,
    base_fee=7,
    prev_randao=hashlib.sha256(b"faultproof prevrandao").digest(),
    excess_blob_gas=0,
    chain_id=STATE_TEST_CHAIN_ID,
)


@dataclass
class Case:
    """One state test: a pre-state, a transaction template with indexed variants, and intent.

    ``data``, ``gas`` and ``value`` default to the template's single value; every combination
    becomes one post entry. ``expect`` gives each combination's outcome (one string for all).
    """

    name: str
    comment: str
    pre: dict[bytes, AccountState]
    tx: Tx
    expect: str | list[str] = "ok"
    data: list[bytes] | None = None
    gas: list[int] | None = None
    value: list[int] | None = None
    access_lists: list[tuple[tuple[bytes, tuple[bytes, ...]], ...] | None] | None = None
    env: BlockEnv = DEFAULT_ENV
    extra: dict[str, Any] = field(default_factory=dict)
    checks: dict[int, int] = field(default_factory=dict)
    """Storage of contract 1 after the first variant (slot -> value): what the case is about."""

    def with_sender(self) -> dict[bytes, AccountState]:
        pre = dict(self.pre)
        pre.setdefault(SENDER, AccountState(balance=RICH))
        return pre


def _h(value: int) -> str:
    return hex(value)


def _b(data: bytes) -> str:
    return "0x" + data.hex()


def _access_json(access: tuple[tuple[bytes, tuple[bytes, ...]], ...] | None) -> Any:
    if access is None:
        return None
    return [{"address": _b(a), "storageKeys": [_b(s) for s in slots]} for a, slots in access]


def case_json(case: Case) -> dict[str, Any]:
    """The filled state test for ``case`` (its post entries computed by the spec)."""
    pre = case.with_sender()
    env = case.env
    pre_root, _ = state_nodes(make_state(pre))
    previous = header_hash(ancestor_headers(env, pre_root)[-1])
    tx = case.tx
    tx_json: dict[str, Any] = {
        "nonce": _h(tx.nonce),
        "to": "" if tx.to is None else _b(tx.to),
        "secretKey": _b(SECRET_KEY.to_bytes(32, "big")),
        "sender": _b(SENDER),
        "data": [_b(d) for d in (case.data if case.data is not None else [tx.data])],
        "gasLimit": [_h(g) for g in (case.gas if case.gas is not None else [tx.gas_limit])],
        "value": [_h(v) for v in (case.value if case.value is not None else [tx.value])],
    }
    if tx.tx_type in (0, 1):
        tx_json["gasPrice"] = _h(tx.gas_price)
    else:
        tx_json["maxFeePerGas"] = _h(tx.max_fee_per_gas)
        tx_json["maxPriorityFeePerGas"] = _h(tx.max_priority_fee_per_gas)
    if tx.tx_type == 0 and not tx.protected:
        tx_json["protected"] = False
    if tx.tx_type >= 1:
        lists = case.access_lists if case.access_lists is not None else [tx.access_list]
        if len(lists) == 1 and len(tx_json["data"]) > 1:
            lists = lists * len(tx_json["data"])
        tx_json["accessLists"] = [_access_json(a) for a in lists]
    if tx.tx_type == 3:
        tx_json["maxFeePerBlobGas"] = _h(tx.max_fee_per_blob_gas)
        tx_json["blobVersionedHashes"] = [_b(h) for h in tx.blob_hashes]
    tx_json.update(case.extra)
    combos = list(
        itertools.product(
            range(len(tx_json["data"])),
            range(len(tx_json["gasLimit"])),
            range(len(tx_json["value"])),
        )
    )
    expects = case.expect if isinstance(case.expect, list) else [case.expect] * len(combos)
    if len(expects) != len(combos):
        raise FixtureError(f"{case.name}: {len(expects)} expectations for {len(combos)} variants")
    posts = []
    for combo, expected in zip(combos, expects, strict=True):
        signed = sign_tx(unsigned_tx(tx_json, combo, case.name), SECRET_KEY, env.chain_id)
        result = run_reference(pre, env, [signed])
        outcome = result.txs[0]
        got = "invalid" if not outcome.valid else "ok" if outcome.status else "fail"
        if got != expected:
            why = f" ({outcome.error})" if outcome.error else ""
            raise FixtureError(
                f"{case.name} {combo}: the spec says {got}{why}, expected {expected}"
            )
        post: dict[str, Any] = {
            "hash": _b(result.state_root),
            "logs": _b(result.logs_hash),
            "indexes": {"data": combo[0], "gas": combo[1], "value": combo[2]},
        }
        raw = tx_bytes(signed)
        if len(raw) <= TXBYTES_LIMIT:
            post["txbytes"] = _b(raw)
        if combo == combos[0]:
            _check_storage(case, result.post)
        if not outcome.valid:
            post["expectException"] = outcome.error.split(":")[0]
        posts.append(post)
    return {
        "_info": {"comment": case.comment, "filling-tool": "faultproof.evm.fixtures (ethereum-execution cancun)"},
        "env": {
            "currentCoinbase": _b(env.coinbase),
            "currentGasLimit": _h(env.gas_limit),
            "currentNumber": _h(env.number),
            "currentTimestamp": _h(env.timestamp),
            "currentRandom": _b(env.prev_randao),
            "currentDifficulty": "0x0",
            "currentBaseFee": _h(env.base_fee),
            "currentExcessBlobGas": _h(env.excess_blob_gas),
            "previousHash": _b(previous),
        },
        "pre": {
            _b(address): {
                "nonce": _h(account.nonce),
                "balance": _h(account.balance),
                "code": _b(account.code),
                "storage": {_h(k): _h(v) for k, v in sorted(account.storage.items())},
            }
            for address, account in sorted(pre.items())
        },
        "transaction": tx_json,
        "post": {"Cancun": posts},
    }  # fmt: skip


def _check_storage(case: Case, post: dict[bytes, AccountState]) -> None:
    storage = post.get(contract(1), AccountState()).storage
    for slot, want in case.checks.items():
        if storage.get(slot, 0) != want:
            raise FixtureError(
                f"{case.name}: slot {slot} of contract 1 is {storage.get(slot, 0):#x}, expected {want:#x}"
            )


def min_gas(case: Case, low: int = 21_000, high: int = 10_000_000) -> int:
    """The least gas limit at which ``case``'s transaction succeeds (status 1), by bisection."""
    pre = case.with_sender()

    def ok(gas: int) -> bool:
        signed = sign_tx(replace(case.tx, gas_limit=gas), SECRET_KEY, case.env.chain_id)
        result = run_reference(pre, case.env, [signed]).txs[0]
        return result.valid and result.status == 1

    if not ok(high):
        raise FixtureError(f"{case.name}: fails even with {high} gas")
    while low < high:
        mid = (low + high) // 2
        if ok(mid):
            high = mid
        else:
            low = mid + 1
    return low


# --- families ----------------------------------------------------------------------------------

N = 2**256 - 1
H = 2**255
TXBYTES_LIMIT = 4096
"""Larger signed transactions (the 49 KB init code) are not repeated as ``txbytes``: readers
sign from ``secretKey`` anyway, and the committed fixtures stay small."""


def neg(x: int) -> int:
    return (2**256 - x) % 2**256


def _call_tx(to: bytes, data: bytes = b"", gas: int = 1_000_000, value: int = 0, **kw: Any) -> Tx:
    return Tx(tx_type=2, to=to, data=data, gas_limit=gas, value=value, max_fee_per_gas=10, max_priority_fee_per_gas=2, **kw)  # fmt: skip


def _one(code: bytes, **account: Any) -> dict[bytes, AccountState]:
    return {contract(1): AccountState(code=code, **account)}


def arithmetic() -> list[Case]:
    ops = [
        ("ADD", (N, 1)), ("ADD", (5, 7)), ("MUL", (N, N)), ("MUL", (H, 2)), ("SUB", (0, 1)),
        ("SUB", (10, 3)), ("DIV", (10, 3)), ("DIV", (1, 0)), ("SDIV", (neg(10), 3)),
        ("SDIV", (H, N)), ("SDIV", (5, 0)), ("MOD", (10, 3)), ("MOD", (10, 0)),
        ("SMOD", (neg(10), 3)), ("SMOD", (10, neg(3))), ("SMOD", (7, 0)), ("ADDMOD", (N, N, 7)),
        ("ADDMOD", (1, 2, 0)), ("MULMOD", (N, N, 12)), ("MULMOD", (5, 5, 0)), ("EXP", (2, 255)),
        ("EXP", (3, 1000)), ("EXP", (0, 0)), ("EXP", (N, 2)), ("EXP", (7, 2**200)),
        ("SIGNEXTEND", (0, 0x80)), ("SIGNEXTEND", (0, 0x7F)), ("SIGNEXTEND", (31, H)),
        ("SIGNEXTEND", (40, 0xFF)), ("SIGNEXTEND", (1, 0x8000)), ("SIGNEXTEND", (N, 0x80)),
    ]  # fmt: skip
    return [Case("arithmetic", "ADD..SIGNEXTEND on edge operands, one slot each", _one(store_results(ops)), _call_tx(contract(1)))]  # fmt: skip


def comparison_bitwise() -> list[Case]:
    ops = [
        ("LT", (1, 2)), ("LT", (N, 0)), ("GT", (N, 0)), ("SLT", (N, 0)), ("SLT", (0, H)),
        ("SGT", (1, N)), ("EQ", (5, 5)), ("EQ", (5, 6)), ("ISZERO", (0,)), ("ISZERO", (H,)),
        ("AND", (0xF0F0, 0xFF00)), ("OR", (0xF0F0, 0x0F0F)), ("XOR", (N, 0xFF)), ("NOT", (0,)),
        ("BYTE", (0, H | 0x42)), ("BYTE", (31, 0x1234)), ("BYTE", (32, N)), ("SHL", (1, 1)),
        ("SHL", (255, 1)), ("SHL", (256, 1)), ("SHR", (4, 0xFF)), ("SHR", (256, N)),
        ("SHR", (255, H)), ("SAR", (4, H)), ("SAR", (256, H)), ("SAR", (256, 5)),
        ("SAR", (1, neg(16))), ("SAR", (0, neg(1))),
    ]  # fmt: skip
    return [Case("comparison_bitwise", "LT..SAR on edge operands", _one(store_results(ops)), _call_tx(contract(1)))]  # fmt: skip


def keccak() -> list[Case]:
    code = assemble(
        *memory_word_code(b"faultproof keccak test vector, two words long....!"),
        *store_values([[32, 0, "KECCAK256"], [0, 0, "KECCAK256"], [50, 3, "KECCAK256"],
                       [64, 1000, "KECCAK256"], ["MSIZE"]]),
        "STOP",
    )  # fmt: skip
    return [Case("keccak", "KECCAK256 of whole, empty, unaligned and memory-expanding ranges", _one(code), _call_tx(contract(1)))]  # fmt: skip


def environment() -> list[Case]:
    other = assemble(0xABCDEF, 0, "MSTORE", 32, 0, "RETURN")
    code = assemble(
        *store_values([
            ["ADDRESS"], ["ORIGIN"], ["CALLER"], ["CALLVALUE"], [0, "CALLDATALOAD"],
            [30, "CALLDATALOAD"], ["CALLDATASIZE"], ["CODESIZE"], ["GASPRICE"],
            ["ADDRESS", "BALANCE"], ["ORIGIN", "BALANCE"], [0xDEAD, "BALANCE"], ["SELFBALANCE"],
            [word(contract(2)), "EXTCODESIZE"], [0xDEAD, "EXTCODESIZE"], [word(contract(2)), "EXTCODEHASH"],
            [0xDEAD, "EXTCODEHASH"], [word(contract(3)), "EXTCODEHASH"], ["RETURNDATASIZE"],
        ]),
        "CALLDATASIZE", 0, 0, "CALLDATACOPY",
        *store_values([["CALLDATASIZE", 0, "KECCAK256"]], 40),
        "CODESIZE", 0, 0, "CODECOPY",
        *store_values([["CODESIZE", 0, "KECCAK256"]], 41),
        5, 2, 0, word(contract(2)), "EXTCODECOPY",
        *store_values([[0, "MLOAD"]], 42),
        *call(contract(2)), "POP",
        *store_values([["RETURNDATASIZE"]], 43),
        32, 0, 64, "RETURNDATACOPY",
        *store_values([[64, "MLOAD"]], 44),
        "STOP",
    )  # fmt: skip
    pre = {
        contract(1): AccountState(code=code, balance=1000),
        contract(2): AccountState(code=other),
        contract(3): AccountState(balance=1),
    }
    data = bytes(range(1, 41))
    return [Case("environment", "ADDRESS..EXTCODEHASH, RETURNDATA*, copies", pre, _call_tx(contract(1), data, value=77))]  # fmt: skip


def block() -> list[Case]:
    code = assemble(
        *store_values([
            ["COINBASE"], ["TIMESTAMP"], ["NUMBER"], ["PREVRANDAO"], ["GASLIMIT"], ["CHAINID"],
            ["BASEFEE"], ["BLOBBASEFEE"], [0, "BLOBHASH"], [0, "BLOCKHASH"], [1, "BLOCKHASH"],
            [2**64, "BLOCKHASH"], ["GAS"],
        ]),
        "STOP",
    )  # fmt: skip
    return [Case("block", "COINBASE..BLOBBASEFEE, BLOCKHASH of the parent, self and far", _one(code), _call_tx(contract(1)))]  # fmt: skip


def memory() -> list[Case]:
    code = assemble(
        0x1122334455667788, 0, "MSTORE", 0xAA, 40, "MSTORE8",
        *store_values([[0, "MLOAD"], [20, "MLOAD"], [33, "MLOAD"], ["MSIZE"]]),
        8, 24, 30, "MCOPY",
        *store_values([[0, "MLOAD"], [16, "MLOAD"]], 10),
        16, 30, 20, "MCOPY",
        *store_values([[0, "MLOAD"], [32, "MLOAD"], ["MSIZE"]], 20),
        0, 2**64, 2**64, "MCOPY",
        7, 0x10000, "MSTORE",
        *store_values([["MSIZE"], [0x10000, "MLOAD"]], 30),
        "STOP",
    )  # fmt: skip
    return [Case("memory", "MSTORE/MSTORE8/MLOAD unaligned, MCOPY overlapping both ways and empty, expansion", _one(code), _call_tx(contract(1)))]  # fmt: skip


def stack_and_jumps() -> list[Case]:
    items: list[Item] = []
    for n in range(1, 33):
        items += [f"PUSH{n}", bytes(range(1, n + 1)), n, "SSTORE"]
    for n in range(1, 17):
        items += [*range(1, n + 1), f"DUP{n}", 100 + n, "SSTORE", *["POP"] * n]
    for n in range(1, 17):
        items += [*range(1, n + 2), f"SWAP{n}", 200 + n, "SSTORE", *["POP"] * n]
    items += ["PC", 300, "SSTORE", "PUSH0", 301, "SSTORE"]
    # sum 1..10 in a loop; JUMPI both taken and not taken
    items += [0, 10, ":loop", "DUP1", "ISZERO", "@done", "JUMPI", "SWAP1", "DUP2", "ADD", "SWAP1", 1, "SWAP1", "SUB", "@loop", "JUMP", ":done", "POP", 302, "SSTORE", "STOP"]  # fmt: skip
    return [Case("stack_and_jumps", "PUSH0..PUSH32, DUP1..16, SWAP1..16, PC, a JUMP/JUMPI loop", _one(assemble(*items)), _call_tx(contract(1), gas=3_000_000))]  # fmt: skip


def exceptional_halts() -> list[Case]:
    targets = [
        assemble("ADD"),  # stack underflow
        assemble(3, "JUMP", "STOP"),  # jump to a non-JUMPDEST
        assemble(4, "JUMP", "PUSH1", b"\x5b", "STOP"),  # jump into push data
        assemble("INVALID"),
        b"\x0c",  # undefined opcode
        assemble(":l", "PUSH0", "@l", "JUMP"),  # stack overflow
        assemble(1, 0, 0, "RETURNDATACOPY"),  # returndata out of bounds
        assemble(1, 2**32, "MSTORE"),  # memory too large for the gas
        assemble(":spin", "@spin", "JUMP"),  # runs out of gas
        assemble(0, 0, "REVERT"),
        assemble(1, 0, "SSTORE"),  # reached through STATICCALL below
        assemble(0, 0, "LOG0"),  # static
        assemble(1, 0, "TSTORE"),  # static
        assemble(
            *call(0xDEAD, value=1), "ISZERO", "@bad", "JUMPI", "STOP", ":bad", "INVALID"
        ),  # static
        assemble(0xDEAD, "SELFDESTRUCT"),  # static
    ]
    pre = {contract(10 + i): AccountState(code=c, balance=5) for i, c in enumerate(targets)}
    items: list[Item] = []
    for i in range(len(targets)):
        op = "STATICCALL" if i >= 10 else "CALL"
        items += [*call(contract(10 + i), gas=100_000, op=op), i, "SSTORE"]
    items += [
        *call(contract(10), gas=100_000),
        "POP",
        *store_values([["RETURNDATASIZE"], ["GAS"]], 50),
    ]
    pre[contract(1)] = AccountState(code=assemble(*items, "STOP"))
    cases = [Case("exceptional_halts", "underflow, bad jumps, INVALID, undefined, overflow, returndata/memory bounds, OOG, REVERT, static violations, each in a 100k-gas call", pre, _call_tx(contract(1), gas=3_000_000), checks={i: 0 for i in range(len(targets))})]  # fmt: skip
    cases.append(Case("top_level_revert", "REVERT and INVALID in the called contract itself: status 0, state kept except fees and nonce", {contract(1): AccountState(code=assemble(1, 0, "SSTORE", 32, 0, "CALLDATALOAD", "@inv", "JUMPI", 0, 0, "REVERT", ":inv", "INVALID"))}, _call_tx(contract(1)), expect="fail", data=[b"", (1).to_bytes(32, "big")]))  # fmt: skip
    return cases


def storage() -> list[Case]:
    reenter = assemble(
        0, "CALLDATALOAD", "@inner", "JUMPI",
        11, 1, "TSTORE",
        *store_values([[1, "TLOAD"], [2, "TLOAD"]]),
        1, 0, "MSTORE",
        *call("ADDRESS", args=(0, 32), ret=(64, 32)), "POP",
        *store_values([[1, "TLOAD"], [5, 7, "SSTORE", 7, "SLOAD"], [64, "MLOAD"], [8, "SLOAD"]], 10),
        0, 8, "SSTORE",
        "STOP",
        ":inner",
        1, "TLOAD", 0, "MSTORE", 22, 1, "TSTORE", 32, 0, "REVERT",
    )  # fmt: skip
    pre = {contract(1): AccountState(code=reenter, storage={7: 3, 8: 4})}
    checks = {0: 11, 1: 0, 10: 11, 11: 5, 12: 11, 13: 4, 8: 0}
    return [Case("storage", "SSTORE/SLOAD, TSTORE/TLOAD across a reentrant call whose TSTORE reverts", pre, _call_tx(contract(1)), checks=checks)]  # fmt: skip


def logs() -> list[Case]:
    items: list[Item] = [*memory_word_code(b"log data: faultproof evm fixture")]
    for n in range(5):
        items += [*[0x1000 + t for t in range(n)], 7 + n, n, f"LOG{n}"]
    reverting = assemble(0, 0, 0xF00D, "LOG1", 0, 0, "REVERT")
    items += [*call(contract(2)), "POP", 0, 0, "LOG0", "STOP"]
    pre = {
        contract(1): AccountState(code=assemble(*items)),
        contract(2): AccountState(code=reverting),
    }
    return [Case("logs", "LOG0..LOG4 with data and topics; a log in a reverted call is dropped", pre, _call_tx(contract(1)))]  # fmt: skip


def calls() -> list[Case]:
    callee = assemble(
        *store_values([["CALLER"], ["CALLVALUE"], ["ADDRESS"], [0, "CALLDATALOAD"]], 0),
        0xBEEF, 0, "MSTORE", 32, 0, "RETURN",
    )  # fmt: skip
    reverter = assemble(0xBAD, 0, "MSTORE", 32, 0, "REVERT")
    reader = assemble(0, "SLOAD", 0, "MSTORE", 32, 0, "RETURN")
    items: list[Item] = [42, 0, "MSTORE"]
    items += [*call(contract(2), value=3, args=(0, 32), ret=(64, 32)), 100, "SSTORE", 64, "MLOAD", 101, "SSTORE"]  # fmt: skip
    items += [*call(contract(2), value=4, op="CALLCODE", args=(0, 32)), 102, "SSTORE"]
    items += [*call(contract(2), op="DELEGATECALL", args=(0, 32)), 103, "SSTORE"]
    items += [*call(contract(4), op="STATICCALL", ret=(64, 32)), 104, "SSTORE", 64, "MLOAD", 105, "SSTORE"]  # fmt: skip
    items += [*call(contract(3), ret=(64, 32)), 106, "SSTORE", 64, "MLOAD", 107, "SSTORE"]
    items += [*call(0xFEED, value=1), 108, "SSTORE", *call(0xFEEE), 109, "SSTORE"]
    items += [*call(contract(2), value=10**30), 110, "SSTORE", "RETURNDATASIZE", 111, "SSTORE"]
    items += [*call(contract(2), gas=2**255), 112, "SSTORE"]
    pre = {
        contract(1): AccountState(code=assemble(*items, "STOP"), balance=100),
        contract(2): AccountState(code=callee),
        contract(3): AccountState(code=reverter),
        contract(4): AccountState(code=reader, storage={0: 99}),
    }
    return [Case("calls", "CALL with value (to code and to new accounts), CALLCODE, DELEGATECALL, STATICCALL, REVERT data, value above balance, gas above available", pre, _call_tx(contract(1), gas=2_000_000))]  # fmt: skip


def creates() -> list[Case]:
    runtime = assemble(0x77, 0, "SSTORE", "STOP")
    init = initcode_for(runtime)
    reverting_init = assemble(0xDEAD, 0, "MSTORE", 32, 0, "REVERT")
    ef_init = assemble(0xEF, 0, "MSTORE8", 1, 0, "RETURN")
    huge_init = assemble(0x6001, 0, "RETURN")  # returns 24577 bytes: above the code size limit
    items: list[Item] = [*memory_word_code(init)]
    items += [len(init), 0, 5, "CREATE", "DUP1", 0, "SSTORE", "EXTCODESIZE", 1, "SSTORE"]
    items += [0x5A17, len(init), 0, 0, "CREATE2", "DUP1", 2, "SSTORE", "EXTCODEHASH", 3, "SSTORE"]
    items += [*memory_word_code(reverting_init), len(reverting_init), 0, 0, "CREATE", 4, "SSTORE", "RETURNDATASIZE", 5, "SSTORE"]  # fmt: skip
    # failing creations burn the gas they were given: each runs in a 200k-gas call to a creator
    creator = assemble("CALLDATASIZE", 0, 0, "CALLDATACOPY", "CALLDATASIZE", 0, 0, "CREATE", 0, "MSTORE", 32, 0, "RETURN")  # fmt: skip
    for slot, code in ((6, ef_init), (7, huge_init), (8, b"\x00" * 49153)):
        items += [*memory_word_code(code[:64]), 1, 0x10000, "MSTORE"]
        items += [*call(contract(2), gas=200_000, args=(0, len(code)), ret=(0x10000, 32)), slot, "SSTORE", 0x10000, "MLOAD", slot + 10, "SSTORE"]  # fmt: skip
    pre = {
        contract(1): AccountState(code=assemble(*items, "STOP"), balance=10),
        contract(2): AccountState(code=creator),
    }
    cases = [
        Case("creates", "CREATE with value, CREATE2, reverting init code, EF-prefixed code, code above 24576 bytes, init code above 49152 bytes (halts the creating frame)", pre, _call_tx(contract(1), gas=5_000_000), checks={1: 5, 4: 0, 5: 32, 6: 1, 16: 0, 7: 1, 17: 0, 8: 0, 18: 1}),
        Case("create_tx", "a contract-creation transaction running init code that stores and returns code", {}, Tx(tx_type=2, to=None, data=initcode_for(assemble(1, 1, "SSTORE", "STOP")), gas_limit=200_000, value=5, max_fee_per_gas=10, max_priority_fee_per_gas=1)),
    ]  # fmt: skip
    return cases


def create_collisions() -> list[Case]:
    init = initcode_for(b"\x00")
    # the factory: CREATE2 with the salt from calldata, returns the address (0 on collision)
    factory_code = assemble(
        0, "CALLDATALOAD", *memory_word_code(init), len(init), 0, 0, "CREATE2",
        0, "MSTORE", 32, 0, "RETURN",
    )  # fmt: skip
    factory = contract(2)
    items: list[Item] = []
    for i, salt in enumerate([1, 1, 2]):  # again with one salt; onto an account with a nonce
        items += [salt, 0, "MSTORE", 0, 32, "MSTORE"]
        items += [*call(factory, gas=200_000, args=(0, 32), ret=(32, 32)), i, "SSTORE", 32, "MLOAD", 10 + i, "SSTORE"]  # fmt: skip
    target = _create2_address(factory, 2, init)
    pre = {
        contract(1): AccountState(code=assemble(*items, "STOP")),
        factory: AccountState(code=factory_code),
        target: AccountState(nonce=1),
    }
    created = _create_address(SENDER, 0)
    create_tx = Tx(tx_type=2, to=None, data=initcode_for(b"\x00"), gas_limit=300_000, max_fee_per_gas=10, max_priority_fee_per_gas=1)  # fmt: skip
    return [
        Case("create2_collision", "CREATE2 twice with one salt, then onto an account with a nonce: the collisions return 0 and burn the gas they were given", pre, _call_tx(contract(1)), checks={0: 1, 1: 1, 2: 1, 11: 0, 12: 0}),
        Case("create_tx_collision", "a creation transaction whose address already has code: status 0, all gas used", {created: AccountState(code=b"\x00")}, create_tx, expect="fail"),
        Case("create_tx_collision_storage", "a creation transaction whose address has storage (and a balance, no code or nonce): collision too", {created: AccountState(balance=1, storage={1: 1})}, create_tx, expect="fail"),
    ]  # fmt: skip


def _create_address(sender: bytes, nonce: int) -> bytes:
    from ethereum.forks.cancun.utils.address import compute_contract_address
    from ethereum_types.bytes import Bytes20
    from ethereum_types.numeric import Uint

    return bytes(compute_contract_address(Bytes20(sender), Uint(nonce)))


def _create2_address(sender: bytes, salt: int, init: bytes) -> bytes:
    from ethereum.forks.cancun.utils.address import compute_create2_contract_address
    from ethereum_types.bytes import Bytes20, Bytes32

    return bytes(
        compute_create2_contract_address(Bytes20(sender), Bytes32(salt.to_bytes(32, "big")), init)
    )


def selfdestructs() -> list[Case]:
    beneficiary = contract(9)
    old = assemble(word(beneficiary), "SELFDESTRUCT")
    to_self = assemble("ADDRESS", "SELFDESTRUCT")
    new_runtime = assemble(word(beneficiary), "SELFDESTRUCT")
    new_init = assemble(
        word(beneficiary), "SELFDESTRUCT"
    )  # destroys itself during its own creation
    items: list[Item] = [*call(contract(2)), 0, "SSTORE", *call(contract(3)), 1, "SSTORE"]
    items += [*memory_word_code(new_init), len(new_init), 0, 7, "CREATE", "DUP1", 2, "SSTORE", "EXTCODESIZE", 3, "SSTORE"]  # fmt: skip
    deployed = initcode_for(new_runtime)
    items += [*memory_word_code(deployed), len(deployed), 0, 11, "CREATE", "DUP1", 4, "SSTORE"]
    items += [*call("DUP6"), 5, "SSTORE", "POP", *call(contract(2)), 6, "SSTORE", "STOP"]
    pre = {
        contract(1): AccountState(code=assemble(*items), balance=100),
        contract(2): AccountState(code=old, balance=1000, storage={1: 1}),
        contract(3): AccountState(code=to_self, balance=500),
    }
    return [Case("selfdestruct", "EIP-6780: an old contract only sends its balance (to another, to itself); contracts created in the same transaction are destroyed", pre, _call_tx(contract(1)), checks={0: 1, 1: 1, 3: 0, 5: 1, 6: 1})]  # fmt: skip


def deep_calls() -> list[Case]:
    code = assemble(0, "SLOAD", 1, "ADD", 0, "SSTORE", *call("ADDRESS"), "POP", "STOP")
    env = replace(DEFAULT_ENV, gas_limit=10**12, base_fee=1)
    tx = Tx(tx_type=2, to=contract(1), gas_limit=1_000_000, max_fee_per_gas=1, max_priority_fee_per_gas=0)  # fmt: skip
    return [Case("deep_calls", "self-recursion until the 63/64 rule stops it (1M, 30M gas) or the 1024 depth limit does (1e12 gas)", _one(code), tx, gas=[10**12, 1_000_000, 30_000_000], env=env, checks={0: 1025})]  # fmt: skip


def sstore_refunds() -> list[Case]:
    code = assemble(
        0, 1, "SSTORE",  # 5 -> 0: clear refund
        7, 2, "SSTORE", 5, 2, "SSTORE",  # 5 -> 7 -> 5: restored
        1, 4, "SSTORE", 0, 4, "SSTORE",  # 0 -> 1 -> 0: set then cleared
        5, 3, "SSTORE",  # no-op
        0, 6, "SSTORE", 5, 6, "SSTORE",  # 5 -> 0 -> 5: refund taken back
        "STOP",
    )  # fmt: skip
    pre = _one(code, storage={1: 5, 2: 5, 3: 5, 6: 5})
    many = assemble(*[i for s in range(1, 40) for i in (0, s, "SSTORE")], "STOP")
    pre_many = _one(many, storage={s: 1 for s in range(1, 40)})
    return [
        Case("sstore_refunds", "EIP-2200/3529 transitions: clear, restore, set-then-clear, no-op, clear-then-restore", pre, _call_tx(contract(1))),
        Case("sstore_refund_cap", "39 slots cleared: the refund is capped at a fifth of the gas used", pre_many, _call_tx(contract(1))),
    ]  # fmt: skip


def access_lists() -> list[Case]:
    code = assemble(
        *store_values([[1, "SLOAD"], [2, "SLOAD"], [word(contract(2)), "BALANCE"], ["GAS"]], 10),
        "STOP",
    )
    pre = {contract(1): AccountState(code=code, storage={1: 11, 2: 22}), contract(2): AccountState(balance=3)}  # fmt: skip
    one = b"\x00" * 31 + b"\x01"
    two = b"\x00" * 31 + b"\x02"
    lists: list[tuple[tuple[bytes, tuple[bytes, ...]], ...] | None] = [
        ((contract(1), (one, two)), (contract(2), ())),
        (),
        ((contract(1), (one, one)), (contract(1), ())),
    ]
    data = [b"", b"\x01", b"\x02"]
    tx1 = Tx(tx_type=1, to=contract(1), gas_limit=200_000, gas_price=10)
    return [
        Case("access_list_2930", "type 1: warm slots and accounts from the access list (full, empty, duplicated)", pre, tx1, data=data, access_lists=lists),
        Case("access_list_1559", "type 2 with an access list", pre, replace(_call_tx(contract(1)), access_list=lists[0] or ())),
    ]  # fmt: skip


def tx_types() -> list[Case]:
    code = assemble(*store_values([["ORIGIN"], ["GASPRICE"], ["CALLVALUE"], [0, "CALLDATALOAD"]]), "STOP")  # fmt: skip
    pre = _one(code)
    data = b"\x12\x34"
    return [
        Case("tx_legacy_pre155", "legacy transaction signed without a chain ID (v = 27/28)", pre, Tx(tx_type=0, to=contract(1), data=data, value=1, gas_limit=200_000, gas_price=12, protected=False)),
        Case("tx_legacy_eip155", "legacy transaction with an EIP-155 signature", pre, Tx(tx_type=0, to=contract(1), data=data, value=1, gas_limit=200_000, gas_price=12)),
        Case("tx_eip2930", "access-list transaction", pre, Tx(tx_type=1, to=contract(1), data=data, value=1, gas_limit=200_000, gas_price=12, access_list=((contract(1), ()),))),
        Case("tx_eip1559", "fee-market transaction: priority fee capped by max fee - base fee", pre, Tx(tx_type=2, to=contract(1), data=data, value=1, gas_limit=200_000, max_fee_per_gas=9, max_priority_fee_per_gas=5)),
        Case("tx_eip1559_transfer", "plain value transfer to a new account", {}, Tx(tx_type=2, to=b"\x99" * 20, value=10**18, gas_limit=21_000, max_fee_per_gas=20, max_priority_fee_per_gas=20)),
    ]  # fmt: skip


def _versioned(i: int) -> bytes:
    return b"\x01" + hashlib.sha256(bytes([i])).digest()[1:]


def blobs() -> list[Case]:
    code = assemble(*store_values([[0, "BLOBHASH"], [1, "BLOBHASH"], [2, "BLOBHASH"], ["BLOBBASEFEE"]]), "STOP")  # fmt: skip
    env = replace(DEFAULT_ENV, excess_blob_gas=10_000_000)
    tx = Tx(tx_type=3, to=contract(1), gas_limit=200_000, max_fee_per_gas=10, max_priority_fee_per_gas=1, blob_hashes=(_versioned(1), _versioned(2)), max_fee_per_blob_gas=19)  # fmt: skip
    return [
        Case("blob_tx", "4844: two blobs, blob gas price 19 from excess blob gas; BLOBHASH and BLOBBASEFEE", _one(code), tx, env=env),
        Case("blob_tx_cheap", "4844 at zero excess blob gas", _one(code), replace(tx, max_fee_per_blob_gas=1)),
    ]  # fmt: skip


def invalid_txs() -> list[Case]:
    pre = _one(assemble(1, 0, "SSTORE"))
    base = _call_tx(contract(1), gas=100_000)
    blob = Tx(tx_type=3, to=contract(1), gas_limit=100_000, max_fee_per_gas=10, max_priority_fee_per_gas=1, blob_hashes=(_versioned(1),), max_fee_per_blob_gas=1)  # fmt: skip
    poor = {SENDER: AccountState(balance=100_000 * 10 - 1)}
    cases = [
        ("invalid_nonce_too_high", "tx nonce above the sender's", pre, replace(base, nonce=1)),
        ("invalid_nonce_too_low", "tx nonce below the sender's", {**pre, SENDER: AccountState(nonce=3, balance=RICH)}, replace(base, nonce=2)),
        ("invalid_balance_for_value", "value above the balance", {**pre, SENDER: AccountState(balance=10**15)}, replace(base, value=10**15)),
        ("invalid_balance_for_gas", "balance one wei short of gas limit * max fee", {**pre, **poor}, base),
        ("invalid_fee_cap_below_base_fee", "max fee per gas below the base fee", pre, replace(base, max_fee_per_gas=6, max_priority_fee_per_gas=0)),
        ("invalid_legacy_price_below_base_fee", "legacy gas price below the base fee", pre, Tx(tx_type=0, to=contract(1), gas_limit=100_000, gas_price=6)),
        ("invalid_priority_above_max_fee", "priority fee above max fee", pre, replace(base, max_fee_per_gas=10, max_priority_fee_per_gas=11)),
        ("invalid_intrinsic_gas", "gas limit below the intrinsic cost (21000 + calldata)", pre, replace(base, data=b"\x01", gas_limit=21_000)),
        ("invalid_initcode_too_large", "creation with 49153 bytes of init code", pre, Tx(tx_type=2, to=None, data=b"\x00" * 49153, gas_limit=10_000_000, max_fee_per_gas=10, max_priority_fee_per_gas=1)),
        ("invalid_gas_above_block_limit", "gas limit above the block's", pre, replace(base, gas_limit=30_000_001)),
        ("invalid_sender_has_code", "EIP-3607: the sender has code", {**pre, SENDER: AccountState(balance=RICH, code=b"\x00")}, base),
        ("invalid_blob_fee_cap", "max fee per blob gas below the blob gas price", pre, replace(blob, max_fee_per_blob_gas=18)),
        ("invalid_blob_none", "a blob transaction without blobs", pre, replace(blob, blob_hashes=())),
        ("invalid_blob_version", "a blob versioned hash not starting with 0x01", pre, replace(blob, blob_hashes=(b"\x02" + _versioned(1)[1:],))),
        ("invalid_blob_too_many", "7 blobs: above the block's blob gas limit", pre, replace(blob, blob_hashes=tuple(_versioned(i) for i in range(7)))),
    ]  # fmt: skip
    out = []
    for name, comment, case_pre, tx in cases:
        env = replace(DEFAULT_ENV, excess_blob_gas=10_000_000) if name == "invalid_blob_fee_cap" else DEFAULT_ENV  # fmt: skip
        out.append(Case(name, comment, case_pre, tx, expect="invalid", env=env))
    return out


def oog_boundaries() -> list[Case]:
    """Transactions given exactly the gas they need, and one less."""
    shapes = [
        ("oog_sstore", "SSTORE of a new slot", _one(assemble(1, 0, "SSTORE", "STOP")), _call_tx(contract(1))),
        ("oog_memory", "memory expansion to 1 KB", _one(assemble(1, 1000, "MSTORE", "STOP")), _call_tx(contract(1))),
        ("oog_keccak", "KECCAK256 of 4 KB", _one(assemble(4096, 0, "KECCAK256", 0, "SSTORE", "STOP")), _call_tx(contract(1))),
        ("oog_code_deposit", "creation depositing 100 bytes of code (200 gas a byte)", {}, Tx(tx_type=2, to=None, data=initcode_for(b"\x5b" * 100), gas_limit=0, max_fee_per_gas=10, max_priority_fee_per_gas=1)),
        ("oog_cold_call", "a call to a cold account with value, creating it", _one(assemble(*call(0xABC, value=1), 0, "SSTORE", "STOP"), balance=1), _call_tx(contract(1))),
        ("oog_exp", "EXP with a 32-byte exponent", _one(assemble(N, 3, "EXP", 0, "SSTORE", "STOP")), _call_tx(contract(1))),
    ]  # fmt: skip
    cases = []
    for name, comment, pre, tx in shapes:
        probe = Case(name, comment, pre, tx)
        need = min_gas(probe)
        cases.append(Case(name, f"{comment}: exactly the gas needed ({need}), then one less", pre, tx, gas=[need, need - 1], expect=["ok", "fail"]))  # fmt: skip
    stipend_log = assemble(0, 0, "LOG0", "STOP")
    stipend_sstore = assemble(5, 0, "SSTORE", "STOP")  # no-op write; fails: gas left <= 2300
    items: list[Item] = [*call(contract(2), gas=0, value=1), 0, "SSTORE", *call(contract(3), gas=0, value=1), 1, "SSTORE"]  # fmt: skip
    items += [*call(contract(4), gas=10**9), 2, "SSTORE", "STOP"]
    pre = {
        contract(1): AccountState(code=assemble(*items), balance=10),
        contract(2): AccountState(code=stipend_log),
        contract(3): AccountState(code=stipend_sstore, storage={0: 5}),
        contract(4): AccountState(code=assemble("GAS", 0, "SSTORE", "STOP")),
    }
    cases.append(Case("call_stipend_and_63_64", "a value call's 2300 stipend runs LOG0 but not SSTORE (EIP-2200 sentry); a huge gas request gets 63/64 of what is left", pre, _call_tx(contract(1)), checks={0: 1, 1: 0, 2: 1}))  # fmt: skip
    return cases


def _g1_generator() -> bytes:
    return (1).to_bytes(32, "big") + (2).to_bytes(32, "big")


BN_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583
"""The bn254 base field modulus (EIP-196)."""
G2 = (
    11559732032986387107991004021392285783925812861821192530917403151452391805634,
    10857046999023057135944570762232829481370756359578518086990519993285655852781,
    4082367875863433681332203403145435568316851327593401208105741076214120093531,
    8495653923123431417604973247489272438418190587263600148770280649306958101930,
)


def _g2() -> bytes:
    return b"".join(x.to_bytes(32, "big") for x in G2)


def precompile_inputs() -> dict[int, list[bytes]]:
    """Per precompile address: valid inputs first, then invalid ones."""
    digest = hashlib.sha256(b"faultproof").digest()
    sig = coincurve.PrivateKey.from_int(SECRET_KEY).sign_recoverable(digest, hasher=None)
    ecrec = digest + (27 + sig[64]).to_bytes(32, "big") + sig[:64]
    ecrec_bad_v = digest + (29).to_bytes(32, "big") + sig[:64]

    def modexp(b: bytes, e: bytes, m: bytes) -> bytes:
        sizes = b"".join(len(x).to_bytes(32, "big") for x in (b, e, m))
        return sizes + b + e + m

    neg_g1 = (1).to_bytes(32, "big") + (BN_P - 2).to_bytes(32, "big")
    blake_h = bytes.fromhex(
        "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
        "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b"
    )
    blake = (12).to_bytes(4, "big") + blake_h + b"abc".ljust(128, b"\x00") + (3).to_bytes(8, "little") + b"\x00" * 8  # fmt: skip
    infinity = b"\xc0" + b"\x00" * 47
    versioned = b"\x01" + hashlib.sha256(infinity).digest()[1:]
    point = versioned + (5).to_bytes(32, "big") + b"\x00" * 32 + infinity + infinity
    return {
        1: [ecrec, ecrec_bad_v, ecrec[:100]],
        2: [b"abc", b""],
        3: [b"abc", b"\x00" * 100],
        4: [bytes(range(100)), b""],
        5: [
            modexp(b"\x03", b"\xff\xff", (2**255 - 19).to_bytes(32, "big")),
            modexp(b"\x02", b"\x10", b""),
            modexp(bytes(range(1, 65)), b"\x01\x00\x01", bytes(range(2, 66))),
        ],
        6: [
            _g1_generator() * 2,
            _g1_generator() + (1).to_bytes(32, "big") + (3).to_bytes(32, "big"),
        ],
        7: [
            _g1_generator() + (7).to_bytes(32, "big"),
            (1).to_bytes(32, "big") + (3).to_bytes(32, "big") + (2).to_bytes(32, "big"),
        ],
        8: [b"", _g1_generator() + _g2() + neg_g1 + _g2(), _g1_generator() + _g2(), b"\x00" * 100],
        9: [blake + b"\x01", blake + b"\x02"],
        10: [point, point[:64] + (1).to_bytes(32, "big") + point[96:]],
    }


def precompiles() -> list[Case]:
    cases = []
    for address, inputs in precompile_inputs().items():
        # copy the calldata to memory and pass all of it, with 500k gas
        items: list[Item] = ["CALLDATASIZE", 0, 0, "CALLDATACOPY", 0, 0, "CALLDATASIZE", 0, 0, address, 500_000, "CALL"]  # fmt: skip
        items += [0, "SSTORE", "RETURNDATASIZE", 1, "SSTORE", "RETURNDATASIZE", 0, 0, "RETURNDATACOPY", "RETURNDATASIZE", 0, "KECCAK256", 2, "SSTORE", "GAS", 3, "SSTORE", "STOP"]  # fmt: skip
        pre = _one(assemble(*items))
        cases.append(Case(f"precompile_{address:02x}", f"precompile 0x{address:02x}: valid and invalid inputs; stores success, output size and hash, gas left", pre, _call_tx(contract(1), gas=3_000_000), data=inputs))  # fmt: skip
    return cases


FAMILIES: dict[str, Callable[[], list[Case]]] = {
    "arithmetic": arithmetic,
    "comparison_bitwise": comparison_bitwise,
    "keccak": keccak,
    "environment": environment,
    "block": block,
    "memory": memory,
    "stack_and_jumps": stack_and_jumps,
    "exceptional_halts": exceptional_halts,
    "storage": storage,
    "logs": logs,
    "calls": calls,
    "creates": creates,
    "create_collisions": create_collisions,
    "selfdestruct": selfdestructs,
    "deep_calls": deep_calls,
    "sstore_refunds": sstore_refunds,
    "access_lists": access_lists,
    "tx_types": tx_types,
    "blobs": blobs,
    "invalid_txs": invalid_txs,
    "oog_boundaries": oog_boundaries,
    "precompiles": precompiles,
}


def family_json(family: str) -> dict[str, Any]:
    """The filled state tests of one family, by test name."""
    return {case.name: case_json(case) for case in FAMILIES[family]()}


def dumps(tests: dict[str, Any]) -> str:
    return json.dumps(tests, indent=1) + "\n"


def write_fixtures(out_dir: str | Path, families: Sequence[str] | None = None) -> list[Path]:
    """Write ``<family>.json`` for each family into ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for family in families or list(FAMILIES):
        path = out / f"{family}.json"
        path.write_text(dumps(family_json(family)))
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 1 or args[0].startswith("-"):
        print("usage: python -m faultproof.evm.fixtures OUT_DIR [FAMILY...]", file=sys.stderr)
        print(f"families: {' '.join(FAMILIES)}", file=sys.stderr)
        return 2
    unknown = [f for f in args[1:] if f not in FAMILIES]
    if unknown:
        print(f"error: unknown families {unknown}; known: {' '.join(FAMILIES)}", file=sys.stderr)
        return 2
    for path in write_fixtures(args[0], args[1:] or None):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
