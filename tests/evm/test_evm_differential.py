"""Differential: random pre-states, contracts and transactions through the program and the spec.

Hypothesis draws contracts from an opcode alphabet with sensible operands (every statement
computes one word and stores it in the next slot, so every result reaches the state root):
arithmetic, comparison and bitwise ops on edge and random words, environment and block reads,
memory, keccak, storage and transient storage, logs, calls of every kind to the other contracts
and to the precompiles, CREATE/CREATE2, and an ending of STOP, RETURN, REVERT, INVALID or
SELFDESTRUCT. Blocks of one to four transactions of every type (some with wrong nonces, too
little gas or too poor a sender) run natively in the program's state-test mode and in the
execution specs (`faultproof.evm.reference`); both must agree on the post-state root, the logs
hash, which transactions are invalid, and each valid one's gas used and status (and, when all are
valid, the receipts root, bloom and gas used).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faultproof.evm.fixtures import (
    DEFAULT_ENV,
    SECRET_KEY,
    Item,
    assemble,
    contract,
    initcode_for,
    memory_word_code,
    precompile_inputs,
    word,
)
from faultproof.evm.program import run_program
from faultproof.evm.reference import (
    AccountState,
    BlockEnv,
    UnsignedTx,
    build_block,
    reference_host,
    secret_address,
    sign_tx,
)

SECOND_KEY = 0x1D2C3B4A
KEYS = (SECRET_KEY, SECOND_KEY)
CONTRACTS = tuple(contract(i) for i in range(1, 5))
ADDRESS_WORDS = (
    *(word(c) for c in CONTRACTS),
    word(secret_address(SECRET_KEY)),
    word(secret_address(SECOND_KEY)),
    0xDEAD,
    *range(1, 11),
)
PRECOMPILE_INPUTS = precompile_inputs()
N = 2**256 - 1
EDGE_WORDS = (0, 1, 2, 3, 31, 32, 255, 256, 2**64, 2**128 - 1, 2**255, 2**255 - 1, N, N - 1)


def program_or_skip() -> None:
    from faultproof.guests import GuestBuildError, guest_elf

    try:
        guest_elf("evm", "host")
    except GuestBuildError as exc:
        pytest.skip(f"the evm program does not build for the host: {str(exc).strip()[:200]}")


# --- strategies --------------------------------------------------------------------------------

words = st.one_of(st.sampled_from(EDGE_WORDS), st.integers(0, N), st.integers(0, 300))
small = st.integers(0, 96)
offsets = st.integers(0, 256)
addresses = st.sampled_from(ADDRESS_WORDS)

BINARY = ("ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "EXP", "SIGNEXTEND", "LT", "GT",
          "SLT", "SGT", "EQ", "AND", "OR", "XOR", "BYTE", "SHL", "SHR", "SAR")  # fmt: skip
NULLARY = ("ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE", "GASPRICE",
           "SELFBALANCE", "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID",
           "BASEFEE", "BLOBBASEFEE", "GAS", "MSIZE", "PC", "RETURNDATASIZE")  # fmt: skip


@st.composite
def statement(draw: Any) -> list[Item]:
    """Items that leave exactly one word on the stack."""
    kind = draw(st.integers(0, 14))
    if kind == 0:
        op = draw(st.sampled_from(BINARY))
        return [draw(words), draw(words), op]
    if kind == 1:
        return [draw(words), draw(words), draw(words), draw(st.sampled_from(("ADDMOD", "MULMOD")))]
    if kind == 2:
        return [draw(words), draw(st.sampled_from(("ISZERO", "NOT")))]
    if kind == 3:
        return [draw(st.sampled_from(NULLARY))]
    if kind == 4:
        op = draw(st.sampled_from(("BALANCE", "EXTCODESIZE", "EXTCODEHASH")))
        return [draw(addresses), op]
    if kind == 5:
        choice = draw(st.integers(0, 2))
        if choice == 0:
            return [draw(small), "CALLDATALOAD"]
        if choice == 1:
            return [draw(st.sampled_from((0, 1, 2, 3, 4, 5, 2**64))), "BLOCKHASH"]
        return [draw(st.integers(0, 3)), "BLOBHASH"]
    if kind == 6:
        return [draw(words), draw(offsets), "MSTORE", draw(offsets), "MLOAD"]
    if kind == 7:
        return [draw(words), draw(offsets), "MSTORE8", draw(small), draw(offsets), "KECCAK256"]
    if kind == 8:
        return [draw(small), draw(offsets), draw(offsets), "MCOPY", draw(offsets), "MLOAD"]
    if kind == 9:
        slot = draw(st.integers(0, 5))
        if draw(st.booleans()):
            return [draw(words), slot, "SSTORE", slot, "SLOAD"]
        return [draw(words), slot, "TSTORE", draw(st.integers(0, 5)), "TLOAD"]
    if kind == 10:
        n = draw(st.integers(0, 4))
        topics = [draw(words) for _ in range(n)]
        return [*topics, draw(small), draw(offsets), f"LOG{n}", "PC"]
    if kind == 11:
        op = draw(st.sampled_from(("CALL", "CALLCODE", "DELEGATECALL", "STATICCALL")))
        target = draw(st.one_of(st.sampled_from([word(c) for c in CONTRACTS]), st.integers(1, 10)))
        gas: Item = draw(st.one_of(st.just("GAS"), st.integers(0, 200_000)))
        value = [draw(st.sampled_from((0, 0, 1, 7)))] if op in ("CALL", "CALLCODE") else []
        args = [draw(small), draw(offsets)]
        return [32, 0, *args, *value, target, gas, op]
    if kind == 12:
        runtime = assemble(draw(words), 0, "SSTORE", draw(st.sampled_from(("STOP", "INVALID"))))
        init = initcode_for(runtime) if draw(st.booleans()) else runtime
        value = draw(st.sampled_from((0, 0, 3)))
        items: list[Item] = [int.from_bytes(init.ljust(32, b"\x00")[:32], "big"), 0, "MSTORE"]
        if len(init) > 32:
            items += [int.from_bytes(init[32:64].ljust(32, b"\x00"), "big"), 32, "MSTORE"]
        if draw(st.booleans()):
            return [*items, len(init), 0, value, "CREATE"]
        return [*items, draw(st.integers(0, 3)), len(init), 0, value, "CREATE2"]
    if kind == 13:
        # a precompile on a meaningful input (valid or broken), then the output's hash
        address = draw(st.integers(1, 10))
        data = draw(st.sampled_from(PRECOMPILE_INPUTS[address]))
        items = list(memory_word_code(data))
        gas = draw(st.sampled_from((500_000, 3_000, 60)))
        items += [0, 0, len(data), 0, 0, address, gas, "CALL", "POP"]
        return [*items, "RETURNDATASIZE", 0, 0, "RETURNDATACOPY", "RETURNDATASIZE", 0, "KECCAK256"]
    return [draw(words), draw(words), draw(words), "ADDMOD", "RETURNDATASIZE", "ADD"]


@st.composite
def contract_code(draw: Any, index: int) -> bytes:
    items: list[Item] = []
    for i, snippet in enumerate(draw(st.lists(statement(), min_size=1, max_size=10))):
        items += [*snippet, 0x100 * index + i, "SSTORE"]
    ending = draw(st.integers(0, 6))
    if ending == 1:
        items += [32, 0, "RETURN"]
    elif ending == 2:
        items += [32, 0, "REVERT"]
    elif ending == 3:
        items += ["INVALID"]
    elif ending == 4:
        items += [draw(addresses), "SELFDESTRUCT"]
    else:
        items += ["STOP"]
    return assemble(*items)


@dataclass
class Scenario:
    pre: dict[bytes, AccountState]
    env: BlockEnv
    txs: list[Any]


@st.composite
def scenarios(draw: Any) -> Scenario:
    pre: dict[bytes, AccountState] = {}
    for i, address in enumerate(CONTRACTS[: draw(st.integers(1, 4))]):
        storage = draw(st.dictionaries(st.integers(0, 5), st.integers(1, N), max_size=3))
        pre[address] = AccountState(
            nonce=draw(st.sampled_from((0, 1))),
            balance=draw(st.sampled_from((0, 10, 10**18))),
            code=draw(contract_code(i + 1)),
            storage={0x100 * (i + 1) + k: v for k, v in storage.items()},
        )
    pre[secret_address(SECRET_KEY)] = AccountState(balance=10**21)
    pre[secret_address(SECOND_KEY)] = AccountState(balance=draw(st.sampled_from((10**6, 10**20, 10**20))))  # fmt: skip
    env = BlockEnv(
        coinbase=DEFAULT_ENV.coinbase,
        number=draw(st.integers(1, 5)),
        timestamp=1000,
        gas_limit=draw(st.sampled_from((3_000_000, 30_000_000))),
        base_fee=draw(st.sampled_from((1, 7, 1000))),
        prev_randao=DEFAULT_ENV.prev_randao,
        excess_blob_gas=draw(st.sampled_from((0, 10_000_000))),
        chain_id=draw(st.sampled_from((1, 901))),
    )
    nonces = [0, 0]
    txs = []
    for _ in range(draw(st.integers(1, 4))):
        who = draw(st.integers(0, 1))
        nonce = nonces[who] + draw(st.sampled_from((0,) * 12 + (1, -1)))
        tx_type = draw(st.integers(0, 3))
        to = None if tx_type != 3 and draw(st.integers(0, 5)) == 0 else draw(st.sampled_from((*CONTRACTS, b"\x77" * 20)))  # fmt: skip
        data = draw(st.binary(max_size=40))
        if to is None:
            data = initcode_for(draw(contract_code(9)))
        fee = draw(
            st.sampled_from((env.base_fee, env.base_fee + 5, 2000) * 4 + (env.base_fee - 1,))
        )
        access: tuple[tuple[bytes, tuple[bytes, ...]], ...] = ()
        if tx_type and draw(st.booleans()):
            access = ((draw(st.sampled_from(CONTRACTS)), (b"\x00" * 31 + b"\x01",)),)
        tx = UnsignedTx(
            tx_type=tx_type,
            nonce=max(nonce, 0),
            gas_limit=draw(
                st.sampled_from((21_000, 60_000, 300_000, 1_000_000, 1_000_000, 2_000_000))
            ),
            to=to,
            value=draw(st.sampled_from((0, 1, 10**18))),
            data=data,
            gas_price=fee,
            max_fee_per_gas=fee,
            max_priority_fee_per_gas=draw(st.sampled_from((0, 1, 3, fee, fee + 1))),
            access_list=access,
            blob_hashes=tuple(b"\x01" + bytes([i]) * 31 for i in range(draw(st.integers(1, 2)))),
            max_fee_per_blob_gas=draw(st.sampled_from((1, 19, 100))),
            protected=draw(st.booleans()),
        )
        txs.append(sign_tx(tx, KEYS[who], env.chain_id))
        if nonce == nonces[who]:
            nonces[who] += 1
    return Scenario(pre, env, txs)


# --- the comparison ---------------------------------------------------------------------------


def check_agreement(scenario: Scenario, vm: str = "native") -> None:
    inputs = build_block(scenario.pre, scenario.env, scenario.txs)
    reference = inputs.reference
    assert reference is not None
    program = run_program(reference_host(inputs), vm, timeout=120)
    assert program.exit_code == 0, program.lines
    assert not program.errors, program.errors
    lines = {t.index: t for t in program.txs}
    assert sorted(lines) == list(range(len(scenario.txs))), program.lines
    for expected in reference.txs:
        got = lines[expected.index]
        assert got.ok == expected.valid, (expected, got)
        if expected.valid:
            assert int(got.attrs["gas_used"]) == expected.gas_used, (expected, got)
            assert int(got.attrs["status"]) == expected.status, (expected, got)
            assert int(got.attrs["type"]) == expected.tx_type
    assert program.fields["stateRoot"] == "0x" + reference.state_root.hex(), program.lines
    assert program.fields["logsHash"] == "0x" + reference.logs_hash.hex(), program.lines
    if all(t.valid for t in reference.txs):
        assert program.fields["receiptsRoot"] == "0x" + reference.receipts_root.hex()
        assert program.fields["logsBloom"] == "0x" + reference.logs_bloom.hex()
        assert int(program.fields["gasUsed"]) == reference.gas_used
        assert int(program.fields["blobGasUsed"]) == reference.blob_gas_used


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@settings(max_examples=30, **SETTINGS)  # type: ignore[arg-type]
@given(scenarios())
def test_program_agrees_with_the_spec(scenario: Scenario) -> None:
    program_or_skip()
    check_agreement(scenario)


@pytest.mark.slow
@settings(max_examples=600, **SETTINGS)  # type: ignore[arg-type]
@given(scenarios())
def test_program_agrees_with_the_spec_many(scenario: Scenario) -> None:
    program_or_skip()
    check_agreement(scenario)


@pytest.mark.slow
@settings(max_examples=15, **SETTINGS)  # type: ignore[arg-type]
@given(scenarios())
def test_program_agrees_with_the_spec_in_mips32(scenario: Scenario) -> None:
    program_or_skip()
    check_agreement(scenario, "mips32")
