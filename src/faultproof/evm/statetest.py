"""Ethereum GeneralStateTests (the JSON geth's ``evm statetest`` reads) through the EVM program.

A file maps test names to ``{env, pre, transaction, post}``. ``transaction`` lists ``data``,
``gasLimit`` and ``value`` variants; each ``post[fork][i]`` picks one of each by ``indexes`` and
gives the expected post-state root (``hash``), the keccak of the RLP of the logs (``logs``) and,
for a transaction that must be rejected, ``expectException``. Every such entry is one case.

A case runs as a one-transaction block in the program's state-test mode (boot ident 6, mode 1):
`faultproof.evm.reference.build_block` stores the pre-state trie, the parent header whose state
root it is and a claimed header from ``env``; the program executes the transaction without
system calls and prints the state root and logs hash it computed. A case passes when both
match and the program accepted or rejected the transaction as the fixture expects.

When the pre-state holds the EIP-4788 beacon-roots contract, the block's system call is applied
to it first (with the spec, `faultproof.evm.reference.with_beacon_root_call`): ethereum/tests'
Cancun fixtures are filled that way, as geth's runner does; the program's state-test mode itself
makes no system call.

As in ``ethereum-spec-evm statetest``, an unsigned transaction is signed with its ``secretKey``
(EIP-155 unless ``"protected": false``) for chain ID 1. BLOCKHASH sees the program's real parent
(the header `build_block` makes), not the fixture's ``previousHash``: fixtures that read block
hashes only agree when ``previousHash`` is that header's hash (ours are made that way).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ethereum.forks.cancun.fork import calculate_base_fee_per_gas
from ethereum.forks.cancun.transactions import Transaction, decode_transaction
from ethereum.forks.cancun.vm.gas import TARGET_BLOB_GAS_PER_BLOCK
from ethereum_rlp import rlp
from ethereum_types.numeric import Uint

from faultproof.errors import FaultproofError
from faultproof.evm.reference import (
    AccountState,
    BlockEnv,
    ReferenceInputError,
    UnsignedTx,
    build_block,
    reference_host,
    run_reference,
    sign_tx,
    with_beacon_root_call,
)

SUPPORTED_FORKS = ("Cancun",)
STATE_TEST_CHAIN_ID = 1
VMS = ("native", "mips32", "riscv64", "riscv64c", "spec")
"""Where a case runs: the program natively or in a VM, or ``spec`` (the execution specs alone,
to check a fixture file without the program)."""


class StateTestError(FaultproofError):
    """A state-test file that cannot be read (bad JSON, missing or malformed fields)."""


@dataclass(frozen=True)
class StateTestCase:
    """One (test, fork, post index) of a state-test file."""

    path: str
    test: str
    fork: str
    post_index: int
    indexes: tuple[int, int, int]  # data, gas, value
    pre: dict[bytes, AccountState]
    env: BlockEnv
    tx: Transaction | None  # None: the fixture's transaction cannot be encoded at all
    tx_error: str
    expected_hash: bytes
    expected_logs: bytes
    expect_exception: str | None
    beacon_root: bytes = b"\x00" * 32

    @property
    def name(self) -> str:
        d, g, v = self.indexes
        return f"{self.test}[{self.fork} d{d} g{g} v{v}]"


@dataclass(frozen=True)
class CaseOutcome:
    """The verdict on one case and, when it failed, why."""

    case: StateTestCase
    passed: bool
    skipped: bool
    detail: str
    seconds: float
    steps: int | None = None


# --- reading -----------------------------------------------------------------------------------


def _int(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if text.lower().startswith("0x"):
                return int(text[2:], 16) if len(text) > 2 else 0
            return int(text, 10)
        except ValueError:
            pass
    raise StateTestError(f"{where}: {value!r} is not a number")


def _hex(value: Any, where: str, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise StateTestError(f"{where}: {value!r} is not a hex string")
    text = value[2:] if value.lower().startswith("0x") else value
    if len(text) % 2:
        text = "0" + text
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise StateTestError(f"{where}: {value!r} is not hex") from None
    if size is not None:
        if len(data) > size:
            raise StateTestError(f"{where}: {value!r} is longer than {size} bytes")
        data = data.rjust(size, b"\x00")
    return data


def _field(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise StateTestError(f"{where}: missing {key!r}")
    return obj[key]


def parse_pre(pre: Any, where: str) -> dict[bytes, AccountState]:
    if not isinstance(pre, dict):
        raise StateTestError(f"{where}: 'pre' is not an object")
    out: dict[bytes, AccountState] = {}
    for address_hex, account in pre.items():
        at = f"{where}: pre {address_hex}"
        if not isinstance(account, dict):
            raise StateTestError(f"{at} is not an object")
        storage_json = account.get("storage", {})
        if not isinstance(storage_json, dict):
            raise StateTestError(f"{at}: storage is not an object")
        storage = {_int(k, at): _int(v, at) for k, v in storage_json.items() if _int(v, at) != 0}
        out[_hex(address_hex, at, 20)] = AccountState(
            nonce=_int(account.get("nonce", 0), at),
            balance=_int(account.get("balance", 0), at),
            code=_hex(account.get("code", "0x"), at),
            storage=storage,
        )
    return out


def parse_env(env: Any, where: str) -> BlockEnv:
    if not isinstance(env, dict):
        raise StateTestError(f"{where}: 'env' is not an object")
    at = f"{where}: env"
    randao = env.get("currentRandom", env.get("currentPrevRandao", "0x00"))
    gas_limit = _int(_field(env, "currentGasLimit", at), at)
    if "currentBaseFee" in env:
        base_fee = _int(env["currentBaseFee"], at)
    elif {"parentBaseFee", "parentGasUsed", "parentGasLimit"} <= env.keys():
        base_fee = int(
            calculate_base_fee_per_gas(
                Uint(gas_limit),
                Uint(_int(env["parentGasLimit"], at)),
                Uint(_int(env["parentGasUsed"], at)),
                Uint(_int(env["parentBaseFee"], at)),
            )
        )
    else:
        raise StateTestError(f"{at}: missing 'currentBaseFee' (or the parent's base fee and gas)")
    if "currentExcessBlobGas" in env:
        excess_blob_gas = _int(env["currentExcessBlobGas"], at)
    else:  # from the parent, as the spec's t8n does (both default to 0)
        parent_excess = _int(env.get("parentExcessBlobGas", 0), at)
        parent_used = _int(env.get("parentBlobGasUsed", 0), at)
        excess_blob_gas = max(0, parent_excess + parent_used - int(TARGET_BLOB_GAS_PER_BLOCK))
    return BlockEnv(
        coinbase=_hex(_field(env, "currentCoinbase", at), at, 20),
        number=_int(_field(env, "currentNumber", at), at),
        timestamp=_int(_field(env, "currentTimestamp", at), at),
        gas_limit=gas_limit,
        base_fee=base_fee,
        prev_randao=_hex(randao, at, 32),
        excess_blob_gas=excess_blob_gas,
        chain_id=STATE_TEST_CHAIN_ID,
    )


def _pick(values: Any, index: int, what: str, where: str) -> Any:
    if not isinstance(values, list) or not 0 <= index < len(values):
        raise StateTestError(f"{where}: transaction {what} has no entry {index}")
    return values[index]


def unsigned_tx(tx: Mapping[str, Any], indexes: tuple[int, int, int], where: str) -> UnsignedTx:
    """The fixture's transaction for one (data, gas, value) choice, unsigned; the type follows
    the fields present, as the spec's loader decides it."""
    d, g, v = indexes
    at = f"{where}: transaction"
    access_json = None
    if "accessLists" in tx:
        access_json = _pick(tx["accessLists"], d, "accessLists", where)
    elif "accessList" in tx:
        access_json = tx["accessList"]
    access: tuple[tuple[bytes, tuple[bytes, ...]], ...] = ()
    if access_json is not None:
        if not isinstance(access_json, list):
            raise StateTestError(f"{at}: access list is not a list")
        access = tuple(
            (
                _hex(_field(entry, "address", at), at, 20),
                tuple(_hex(s, at, 32) for s in _field(entry, "storageKeys", at)),
            )
            for entry in access_json
        )
    if "type" in tx:
        tx_type = _int(tx["type"], at)
    elif "maxFeePerBlobGas" in tx:
        tx_type = 3
    elif "maxFeePerGas" in tx:
        tx_type = 2
    elif access_json is not None:
        tx_type = 1
    else:
        tx_type = 0
    to_text = tx.get("to") or ""
    gas_price = _int(tx.get("gasPrice", 0), at)
    return UnsignedTx(
        tx_type=tx_type,
        nonce=_int(tx.get("nonce", 0), at),
        gas_limit=_int(_pick(tx.get("gasLimit"), g, "gasLimit", where), at),
        to=_hex(to_text, at, 20) if to_text else None,
        value=_int(_pick(tx.get("value"), v, "value", where), at),
        data=_hex(_pick(tx.get("data"), d, "data", where), at),
        gas_price=gas_price,
        max_fee_per_gas=_int(tx.get("maxFeePerGas", gas_price), at),
        max_priority_fee_per_gas=_int(tx.get("maxPriorityFeePerGas", 0), at),
        access_list=access,
        blob_hashes=tuple(_hex(h, at, 32) for h in tx.get("blobVersionedHashes", [])),
        max_fee_per_blob_gas=_int(tx.get("maxFeePerBlobGas", 0), at),
        protected=bool(tx.get("protected", True)),
    )


def _signed(
    tx_json: Mapping[str, Any], post: Mapping[str, Any], indexes: tuple[int, int, int], where: str
) -> tuple[Transaction | None, str]:
    """(the transaction, "") or (None, why it cannot be encoded)."""
    if "secretKey" in tx_json:
        key = _int(tx_json["secretKey"], f"{where}: secretKey")
        try:
            return sign_tx(unsigned_tx(tx_json, indexes, where), key, STATE_TEST_CHAIN_ID), ""
        except (ReferenceInputError, ValueError, OverflowError) as exc:
            return None, f"transaction cannot be encoded: {exc}"
    if "txbytes" in post:
        raw = _hex(post["txbytes"], f"{where}: txbytes")
        try:
            item = raw if raw and raw[0] < 0x80 else rlp.decode(raw)
            return decode_transaction(_legacy(item)), ""
        except Exception as exc:  # any decoding failure of fixture bytes
            return None, f"txbytes do not decode: {exc}"
    raise StateTestError(f"{where}: transaction has neither secretKey nor txbytes")


def _legacy(item: Any) -> Any:
    from ethereum.forks.cancun.transactions import LegacyTransaction

    if isinstance(item, bytes):
        return item
    return rlp.decode_to(LegacyTransaction, rlp.encode(item))


def read_cases(path: str | Path, fork: str = "Cancun") -> list[StateTestCase]:
    """Every case of ``fork`` in the state-test file at ``path``."""
    if fork not in SUPPORTED_FORKS:
        raise StateTestError(f"fork {fork!r} is not supported; the program runs {SUPPORTED_FORKS}")
    where_file = str(path)
    try:
        with open(path) as f:
            tests = json.load(f)
    except json.JSONDecodeError as exc:
        raise StateTestError(f"{where_file}: not JSON ({exc})") from None
    if not isinstance(tests, dict):
        raise StateTestError(f"{where_file}: top level is not an object of tests")
    cases: list[StateTestCase] = []
    for test_name, test in tests.items():
        where = f"{where_file}: {test_name}"
        if not isinstance(test, dict):
            raise StateTestError(f"{where} is not an object")
        posts = _field(test, "post", where)
        if not isinstance(posts, dict):
            raise StateTestError(f"{where}: 'post' is not an object")
        entries = posts.get(fork, [])
        if not entries:
            continue
        pre = parse_pre(_field(test, "pre", where), where)
        env = parse_env(_field(test, "env", where), where)
        tx_json = _field(test, "transaction", where)
        if not isinstance(tx_json, dict):
            raise StateTestError(f"{where}: 'transaction' is not an object")
        for i, post in enumerate(entries):
            at = f"{where}: post {fork}[{i}]"
            idx = _field(post, "indexes", at)
            indexes = (
                _int(_field(idx, "data", at), at),
                _int(_field(idx, "gas", at), at),
                _int(_field(idx, "value", at), at),
            )
            tx, tx_error = _signed(tx_json, post, indexes, at)
            cases.append(
                StateTestCase(
                    path=where_file,
                    test=test_name,
                    fork=fork,
                    post_index=i,
                    indexes=indexes,
                    pre=pre,
                    env=env,
                    tx=tx,
                    tx_error=tx_error,
                    expected_hash=_hex(_field(post, "hash", at), at, 32),
                    expected_logs=_hex(_field(post, "logs", at), at, 32),
                    expect_exception=post.get("expectException") or None,
                    beacon_root=_hex(test["env"].get("parentBeaconBlockRoot") or "0x00", where, 32),
                )
            )
    return cases


# --- running -----------------------------------------------------------------------------------


def _hex_field(value: str | None) -> bytes | None:
    if not value:
        return None
    try:
        return bytes.fromhex(value.split()[0].removeprefix("0x"))
    except ValueError:
        return None


def _compare(
    case: StateTestCase, state_root: bytes | None, logs_hash: bytes | None, invalid: bool | None
) -> str:
    """Empty when the outcome matches the fixture, else what differs."""
    problems = []
    if state_root != case.expected_hash:
        got = "none" if state_root is None else "0x" + state_root.hex()
        problems.append(f"stateRoot {got} want 0x{case.expected_hash.hex()}")
    if logs_hash != case.expected_logs:
        got = "none" if logs_hash is None else "0x" + logs_hash.hex()
        problems.append(f"logsHash {got} want 0x{case.expected_logs.hex()}")
    expected_invalid = case.expect_exception is not None
    if invalid is None:
        problems.append("no tx line")
    elif invalid != expected_invalid:
        want = f"invalid ({case.expect_exception})" if expected_invalid else "valid"
        problems.append(f"tx {'invalid' if invalid else 'valid'} want {want}")
    return "; ".join(problems)


def run_case(
    case: StateTestCase, vm: str = "native", *, timeout: float | None = 120.0
) -> CaseOutcome:
    """Run one case through the program (or the spec alone for ``vm="spec"``) and judge it."""
    start = time.monotonic()
    if case.tx is None:
        if case.expect_exception is not None:
            return CaseOutcome(case, True, True, case.tx_error, time.monotonic() - start)
        return CaseOutcome(case, False, False, case.tx_error, time.monotonic() - start)
    try:
        pre = with_beacon_root_call(case.pre, case.env, case.beacon_root)
        result = run_reference(pre, case.env, [case.tx]) if vm == "spec" else None
    except FaultproofError as exc:  # this case's inputs cannot run: the others may
        detail = f"{type(exc).__name__}: {exc}"
        return CaseOutcome(case, False, False, detail, time.monotonic() - start)
    if result is not None:
        detail = _compare(case, result.state_root, result.logs_hash, not result.txs[0].valid)
        return CaseOutcome(case, not detail, False, detail, time.monotonic() - start)
    from faultproof.evm.program import ProgramError, run_program

    try:
        inputs = build_block(pre, case.env, [case.tx], execute=False)
        program = run_program(reference_host(inputs), vm, timeout=timeout)
    except ProgramError:
        raise  # the program itself cannot run: no case can pass
    except FaultproofError as exc:  # this case's inputs or its host failed: the others may run
        detail = f"{type(exc).__name__}: {exc}"
        return CaseOutcome(case, False, False, detail, time.monotonic() - start)
    problems = []
    if program.exit_code != 0:
        problems.append(f"exit code {program.exit_code}")
    tx_lines = [t for t in program.txs if t.index == 0]
    invalid = None if not tx_lines else not tx_lines[0].ok
    detail = _compare(
        case,
        _hex_field(program.fields.get("stateRoot")),
        _hex_field(program.fields.get("logsHash")),
        invalid,
    )
    if detail:
        problems.append(detail)
    if program.errors:
        problems.append("error: " + " | ".join(program.errors))
    text = "; ".join(problems)
    return CaseOutcome(case, not text, False, text, time.monotonic() - start, program.steps)


def run_files(
    paths: list[str],
    fork: str = "Cancun",
    vm: str = "native",
    *,
    report: Callable[[CaseOutcome], None] | None = None,
) -> list[CaseOutcome]:
    """Read every file first (bad input fails before anything runs), then run every case."""
    cases = [case for path in paths for case in read_cases(path, fork)]
    if not cases:
        raise StateTestError(f"no {fork} cases in {', '.join(paths)}")
    outcomes = []
    for case in cases:
        outcome = run_case(case, vm)
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes


def outcome_line(outcome: CaseOutcome) -> str:
    """One line per case: PASS / FAIL / SKIP, the case name, time (and steps), and the reason."""
    word = "SKIP" if outcome.skipped else "PASS" if outcome.passed else "FAIL"
    took = f"{outcome.seconds:.2f}s"
    if outcome.steps is not None:
        took += f" {outcome.steps:,} steps"
    tail = f": {outcome.detail}" if outcome.detail else ""
    return f"{word} {outcome.case.name} ({took}){tail}"


def summary_line(outcomes: list[CaseOutcome]) -> str:
    passed = sum(1 for o in outcomes if o.passed and not o.skipped)
    skipped = sum(1 for o in outcomes if o.skipped)
    failed = sum(1 for o in outcomes if not o.passed)
    return f"{passed} passed, {failed} failed, {skipped} skipped, {len(outcomes)} total"
