"""State tests: the fixture generator, the reader, the spec's own runner, and the EVM program.

The committed fixtures (tests/evm/fixtures/, made by ``python -m faultproof.evm.fixtures``) must
be exactly what the generator makes now, must pass the execution specs' own state-test runner
(``ethereum-spec-evm statetest``, run in process), and must pass through the program natively
(and, for a sample, in each VM) via ``faultproof evm statetest``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faultproof.evm import fixtures
from faultproof.evm.reference import AccountState, build_block, reference_host
from faultproof.evm.statetest import (
    StateTestError,
    read_cases,
    run_case,
    run_files,
    summary_line,
)
from faultproof.evm.statetest_cli import statetest_command

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(FIXTURES.glob("*.json"))


def _program_builds(target: str = "host") -> str | None:
    """None when the evm program builds for ``target``, else why not (the skip reason)."""
    from faultproof.guests import GuestBuildError, guest_elf

    try:
        guest_elf("evm", target)
    except GuestBuildError as exc:
        return f"the evm program does not build for {target}: {str(exc).strip()[:200]}"
    return None


def needs_program(target: str = "host") -> None:
    reason = _program_builds(target)
    if reason is not None:
        pytest.skip(reason)


# --- the fixtures themselves -----------------------------------------------------------------


def test_committed_fixtures_are_what_the_generator_makes() -> None:
    assert [p.stem for p in FILES] == sorted(fixtures.FAMILIES)
    for path in FILES:
        assert path.read_text() == fixtures.dumps(fixtures.family_json(path.stem)), (
            f"{path.name} is stale: run python -m faultproof.evm.fixtures tests/evm/fixtures"
        )


def test_fixtures_cover_what_the_issue_lists() -> None:
    cases = [case for path in FILES for case in read_cases(path)]
    assert len(cases) >= 60
    names = {case.test for case in cases}
    for family in ("arithmetic", "comparison_bitwise", "keccak", "environment", "block",
                   "memory", "stack_and_jumps", "storage", "logs", "calls", "creates",
                   "selfdestruct", "deep_calls", "sstore_refunds", "create2_collision",
                   "create_tx_collision", "call_stipend_and_63_64"):  # fmt: skip
        assert family in names
    assert {f"precompile_{a:02x}" for a in range(1, 11)} <= names
    assert {case.tx.__class__.__name__ for case in cases if case.tx is not None} == {
        "LegacyTransaction", "AccessListTransaction", "FeeMarketTransaction", "BlobTransaction"
    }  # fmt: skip
    legacy_v = {int(c.tx.v) for c in cases if c.tx is not None and hasattr(c.tx, "v")}
    assert legacy_v & {27, 28} and legacy_v & {37, 38}  # with and without EIP-155
    invalid = {c.test for c in cases if c.expect_exception}
    assert len(invalid) == 15
    assert any(c.test.startswith("oog_") and c.indexes[1] == 1 for c in cases)


def test_fixtures_pass_the_specs_own_state_test_runner() -> None:
    """``ethereum-spec-evm statetest`` (its functions, in process) agrees on every post entry,
    logs hash included, and rejects exactly the transactions marked expectException."""
    from ethereum_spec_tools.evm_tools.statetest import read_test_cases, run_test_case
    from ethereum_spec_tools.evm_tools.t8n import ForkCache

    count = 0
    with ForkCache() as cache:
        for path in FILES:
            for case in read_test_cases(str(path)):
                result = run_test_case(case, cache, t8n_extra=[], output_basedir=io.StringIO())
                where = f"{path.name} {case.key} #{case.index}"
                assert "0x" + result.state_root.hex() == case.post["hash"], where
                assert "0x" + result.logs_hash.hex() == case.post["logs"], where
                assert bool(result.rejected) == ("expectException" in case.post), where
                count += 1
    assert count == sum(len(read_cases(p)) for p in FILES)


def test_spec_vm_passes_every_fixture_and_executes_every_opcode() -> None:
    from ethereum import trace
    from ethereum.forks.cancun.vm.instructions import Ops

    executed: set[Any] = set()

    def record(evm: Any, event: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(event, trace.OpStart):
            executed.add(event.op)

    previous = trace.set_evm_trace(record)
    try:
        outcomes = run_files([str(p) for p in FILES], vm="spec")
    finally:
        trace.set_evm_trace(previous)
    assert all(o.passed for o in outcomes), [o.detail for o in outcomes if not o.passed]
    assert not {op.name for op in Ops} - {op.name for op in executed}


def test_generator_refuses_a_case_whose_intent_the_spec_contradicts() -> None:
    case = fixtures.Case(
        "wrong", "claims ok but runs out of gas", fixtures._one(b"\xfe"),
        fixtures._call_tx(fixtures.contract(1)),
    )  # fmt: skip
    with pytest.raises(fixtures.FixtureError, match="the spec says fail"):
        fixtures.case_json(case)


def test_generator_script_writes_families(tmp_path: Path) -> None:
    assert fixtures.main([str(tmp_path), "keccak", "block"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["block.json", "keccak.json"]
    assert fixtures.main([str(tmp_path), "nope"]) == 2
    assert fixtures.main([]) == 2


def test_assembler_labels_and_pushes() -> None:
    code = fixtures.assemble(0, 1, 256, "@end", "JUMP", ":end", "STOP")
    assert code.hex() == "5f6001610100" + "61000a" + "56" + "5b00"
    with pytest.raises(fixtures.FixtureError):
        fixtures.assemble("@missing")
    with pytest.raises(fixtures.FixtureError):
        fixtures.assemble("NOPE")


# --- the harness -----------------------------------------------------------------------------


def test_build_block_stores_everything_the_program_reads() -> None:
    """Without the program: every account, storage slot, code, header, transaction and sender
    recovery result can be read back from the store by hash, exactly as the program would."""
    from ethereum.crypto.hash import keccak256
    from ethereum.forks.cancun.blocks import Header
    from ethereum_rlp import rlp

    from faultproof.evm import mpt
    from faultproof.evm import rlp as fp_rlp
    from faultproof.evm.reference import (
        ECRECOVER,
        GAS_ECRECOVER,
        UnsignedTx,
        header_hash,
        sender_ecrecover_input,
        sign_tx,
        tx_bytes,
    )
    from faultproof.preimage.hints import format_hint
    from faultproof.preimage.keys import keccak256_key, local_key, precompile_key

    pre = {
        fixtures.SENDER: AccountState(balance=10**20),
        fixtures.contract(1): AccountState(code=b"\x60\x01", storage={1: 2, 2**255: 3}),
        fixtures.contract(2): AccountState(nonce=1, storage={i: i + 1 for i in range(40)}),
    }
    env = fixtures.DEFAULT_ENV
    txs = [sign_tx(UnsignedTx(tx_type=t, nonce=t, to=fixtures.contract(1), protected=t == 0, blob_hashes=(b"\x01" * 32,)), fixtures.SECRET_KEY) for t in range(4)]  # fmt: skip
    inputs = build_block(pre, env, txs)
    store = inputs.store

    def get(digest: bytes) -> bytes | None:
        return store.fetch(keccak256_key(digest=digest))

    claimed = rlp.decode_to(Header, store.get(keccak256_key(digest=inputs.block_hash)))
    parent = rlp.decode_to(Header, store.get(keccak256_key(digest=inputs.parent_hash)))
    assert header_hash(claimed) == inputs.block_hash and claimed.parent_hash == inputs.parent_hash
    assert (int(claimed.number), int(claimed.timestamp), int(claimed.gas_limit)) == (env.number, env.timestamp, env.gas_limit)  # fmt: skip
    assert int(claimed.base_fee_per_gas) == env.base_fee and claimed.coinbase == env.coinbase
    assert inputs.reference is not None and claimed.state_root == inputs.reference.state_root
    accounts = mpt.leaves(bytes(parent.state_root), get)
    assert len(accounts) == len(pre)
    for address, account in pre.items():
        nonce, balance, storage_root, code_hash = fp_rlp.as_list(fp_rlp.decode(accounts[bytes(keccak256(address))]))  # fmt: skip
        assert fp_rlp.decode_uint(nonce) == account.nonce
        assert fp_rlp.decode_uint(balance) == account.balance
        assert store.get(keccak256_key(digest=fp_rlp.as_bytes(code_hash))) == account.code
        slots = mpt.leaves(fp_rlp.as_bytes(storage_root), get)
        assert {k: fp_rlp.decode_uint(fp_rlp.decode(v)) for k, v in slots.items()} == {
            bytes(keccak256(k.to_bytes(32, "big"))): v for k, v in account.storage.items()
        }
    listed = mpt.leaves(bytes(claimed.transactions_root), get)
    assert [listed[fp_rlp.encode(i)] for i in range(len(txs))] == [tx_bytes(t) for t in txs]
    for tx in txs:
        data = sender_ecrecover_input(tx, env.chain_id)
        assert data is not None
        result = store.get(precompile_key(ECRECOVER, GAS_ECRECOVER, data))
        assert result == b"\x01" + b"\x00" * 12 + fixtures.SENDER
    assert inputs.boot_info.get(local_key(5)) == b"\xff" * 8
    assert inputs.boot_info.get(local_key(6)) == env.chain_id.to_bytes(8, "big") + b"\x01"
    # an ecrecover the transactions make is answered by the spec through the hint router
    host = reference_host(inputs)
    call = ECRECOVER + (3000).to_bytes(8, "big") + b"\x00" * 128
    host.hint(format_hint("l1-precompile-v2", call))
    assert host.get_preimage(precompile_key(ECRECOVER, 3000, b"\x00" * 128)) == b"\x01"


BEACON_ROOTS = bytes.fromhex("000f3df6d732807ef1319fb7b8bb8522d0beac02")


def test_beacon_root_call_is_applied_when_the_contract_is_in_the_pre_state(tmp_path: Path) -> None:
    """ethereum/tests' Cancun state tests expect the EIP-4788 call before the transaction; a
    stand-in contract at the beacon-roots address (storage[calldata word] = TIMESTAMP, only for
    the system address) shows the harness makes it, with the fixture's parentBeaconBlockRoot."""
    from faultproof.evm.reference import run_reference, with_beacon_root_call

    code = fixtures.assemble("CALLER", 2**160 - 2, "EQ", "@ok", "JUMPI", "INVALID", ":ok", "TIMESTAMP", 0, "CALLDATALOAD", "SSTORE")  # fmt: skip
    env = fixtures.DEFAULT_ENV
    pre = {BEACON_ROOTS: AccountState(nonce=1, code=code)}
    after = with_beacon_root_call(pre, env, b"\x00" * 31 + b"\x07")
    assert after[BEACON_ROOTS].storage == {7: env.timestamp}
    assert with_beacon_root_call({}, env) == {}

    tests = _one_test()
    test = next(iter(tests.values()))
    test["env"]["parentBeaconBlockRoot"] = "0x" + "00" * 31 + "07"
    test["pre"]["0x" + BEACON_ROOTS.hex()] = {"nonce": "0x1", "balance": "0x0", "code": "0x" + code.hex(), "storage": {}}  # fmt: skip
    (case,) = read_cases(_write(tmp_path, tests))
    assert case.tx is not None
    expected = run_reference(with_beacon_root_call(case.pre, env, case.beacon_root), case.env, [case.tx])  # fmt: skip
    test["post"]["Cancun"][0]["hash"] = "0x" + expected.state_root.hex()
    (case,) = read_cases(_write(tmp_path, tests))
    assert run_case(case, "spec").passed
    if _program_builds() is None:
        outcome = run_case(case, "native")
        assert outcome.passed, outcome.detail


# --- the reader --------------------------------------------------------------------------------


def _write(tmp_path: Path, tests: Any, name: str = "t.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tests) if not isinstance(tests, str) else tests)
    return path


def _one_test() -> dict[str, Any]:
    return json.loads((FIXTURES / "arithmetic.json").read_text())


def test_reader_indexes_and_names() -> None:
    cases = read_cases(FIXTURES / "oog_boundaries.json")
    sstore = [c for c in cases if c.test == "oog_sstore"]
    assert [c.name for c in sstore] == ["oog_sstore[Cancun d0 g0 v0]", "oog_sstore[Cancun d0 g1 v0]"]  # fmt: skip
    assert sstore[0].tx is not None and sstore[1].tx is not None
    assert int(sstore[0].tx.gas) == int(sstore[1].tx.gas) + 1


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.pop("env"), "missing 'env'"),
        (lambda t: t["env"].pop("currentCoinbase"), "currentCoinbase"),
        (lambda t: t["transaction"].pop("secretKey"), "neither secretKey nor txbytes"),
        (
            lambda t: t["post"]["Cancun"][0].update(indexes={"data": 5, "gas": 0, "value": 0}),
            "no entry 5",
        ),
        (lambda t: t["pre"].update({"0xzz": {}}), "not hex"),
        (lambda t: t["env"].update(currentNumber="ten"), "not a number"),
        (lambda t: t["env"].pop("currentBaseFee"), "missing 'currentBaseFee'"),
    ],
)
def test_reader_rejects_bad_input(tmp_path: Path, mutate: Any, message: str) -> None:
    tests = _one_test()
    test = next(iter(tests.values()))
    test["post"]["Cancun"][0].pop("txbytes", None)
    mutate(test)
    with pytest.raises(StateTestError, match=message):
        read_cases(_write(tmp_path, tests))


def test_reader_rejects_other_forks_and_non_json(tmp_path: Path) -> None:
    with pytest.raises(StateTestError, match="not supported"):
        read_cases(FIXTURES / "arithmetic.json", fork="Prague")
    with pytest.raises(StateTestError, match="not JSON"):
        read_cases(_write(tmp_path, "{nope"))


def test_reader_derives_base_fee_and_excess_blob_gas_from_the_parent(tmp_path: Path) -> None:
    tests = _one_test()
    env = next(iter(tests.values()))["env"]
    del env["currentBaseFee"], env["currentExcessBlobGas"]
    env.update(parentBaseFee="0x8", parentGasUsed="0x0", parentGasLimit=env["currentGasLimit"])
    env.update(parentExcessBlobGas="0x60000", parentBlobGasUsed="0x20000")
    (case,) = read_cases(_write(tmp_path, tests))
    assert case.env.base_fee == 7  # an empty parent: the base fee drops by 1/8
    assert case.env.excess_blob_gas == 0x60000 + 0x20000 - 393216


def test_reader_uses_txbytes_without_a_secret_key(tmp_path: Path) -> None:
    tests = _one_test()
    test = next(iter(tests.values()))
    test["transaction"].pop("secretKey")
    (case,) = read_cases(_write(tmp_path, tests))
    (signed,) = read_cases(FIXTURES / "arithmetic.json")
    assert case.tx == signed.tx
    assert run_case(case, "spec").passed


# --- the command -----------------------------------------------------------------------------


def test_command_spec_vm_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(statetest_command, [str(FIXTURES / "arithmetic.json"), "--vm", "spec"])
    assert ok.exit_code == 0, ok.output
    assert "PASS arithmetic[Cancun d0 g0 v0]" in ok.output
    assert "1 passed, 0 failed, 0 skipped, 1 total" in ok.output

    tests = _one_test()
    next(iter(tests.values()))["post"]["Cancun"][0]["hash"] = "0x" + "11" * 32
    bad = runner.invoke(statetest_command, [str(_write(tmp_path, tests)), "--vm", "spec"])
    assert bad.exit_code == 1
    assert "FAIL arithmetic" in bad.output and "stateRoot" in bad.output

    broken = runner.invoke(statetest_command, [str(_write(tmp_path, "[]", "b.json"))])
    assert broken.exit_code == 2
    assert "error:" in broken.output
    missing = runner.invoke(statetest_command, [str(tmp_path / "none.json")])
    assert missing.exit_code == 2
    fork = runner.invoke(statetest_command, [str(FIXTURES / "arithmetic.json"), "--fork", "Prague"])  # fmt: skip
    assert fork.exit_code == 2 and "not supported" in fork.output


@pytest.mark.parametrize("vm", ["spec", "native"])
def test_a_case_that_cannot_run_fails_alone(tmp_path: Path, vm: str) -> None:
    if vm == "native":
        needs_program()
    tests = _one_test()
    broken = json.loads(json.dumps(next(iter(tests.values()))))
    broken["pre"]["0x" + "ab" * 20] = {"balance": hex(2**256), "nonce": "0x0", "code": "0x"}
    tests["broken"] = broken
    result = CliRunner().invoke(statetest_command, [str(_write(tmp_path, tests)), "--vm", vm])
    assert result.exit_code == 1, result.output
    assert "PASS arithmetic" in result.output
    assert "FAIL broken" in result.output and "out of range" in result.output
    assert "1 passed, 1 failed" in result.output


# --- the program -----------------------------------------------------------------------------


def test_program_passes_every_fixture_natively() -> None:
    needs_program()
    outcomes = run_files([str(p) for p in FILES], vm="native")
    failed = [f"{o.case.name}: {o.detail}" for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)
    assert summary_line(outcomes).startswith(f"{len(outcomes)} passed")


def test_command_runs_the_program_and_reports_a_wrong_fixture(tmp_path: Path) -> None:
    needs_program()
    tests = json.loads((FIXTURES / "logs.json").read_text())
    next(iter(tests.values()))["post"]["Cancun"][0]["logs"] = "0x" + "22" * 32
    result = CliRunner().invoke(statetest_command, [str(_write(tmp_path, tests))])
    assert result.exit_code == 1
    assert "FAIL logs[Cancun d0 g0 v0]" in result.output and "logsHash" in result.output


def test_state_test_mode_skips_an_invalid_tx_and_runs_the_next() -> None:
    """Two transactions, the first invalid: the program prints it invalid, runs the second and
    still exits 0 (state-test mode), agreeing with the spec."""
    needs_program()
    from faultproof.evm.program import run_program
    from faultproof.evm.reference import UnsignedTx, sign_tx

    pre = {
        fixtures.SENDER: AccountState(balance=10**20),
        fixtures.contract(1): AccountState(code=fixtures.assemble(1, 0, "SSTORE")),
    }
    txs = [
        sign_tx(UnsignedTx(nonce=5, to=fixtures.contract(1)), fixtures.SECRET_KEY),
        sign_tx(UnsignedTx(nonce=0, to=fixtures.contract(1)), fixtures.SECRET_KEY),
    ]
    inputs = build_block(pre, fixtures.DEFAULT_ENV, txs)
    assert inputs.reference is not None
    result = run_program(reference_host(inputs), "native")
    assert result.exit_code == 0
    assert [t.ok for t in result.txs] == [False, True]
    assert result.fields["stateRoot"] == "0x" + inputs.reference.state_root.hex()
    assert int(result.txs[1].attrs["gas_used"]) == inputs.reference.txs[1].gas_used


@pytest.mark.parametrize("vm", ["mips32", "riscv64", "riscv64c"])
def test_program_passes_sample_fixtures_in_each_vm(vm: str) -> None:
    needs_program(vm)
    sample = [FIXTURES / "tx_types.json"]
    outcomes = [o for o in run_files([str(p) for p in sample], vm=vm)][:2]
    assert outcomes and all(o.passed for o in outcomes), [o.detail for o in outcomes]
    assert all(o.steps for o in outcomes)


@pytest.mark.slow
@pytest.mark.parametrize("vm", ["mips32", "riscv64"])
def test_program_passes_every_fixture_in_a_vm(vm: str) -> None:
    needs_program(vm)
    outcomes = run_files([str(p) for p in FILES], vm=vm)
    failed = [f"{o.case.name}: {o.detail}" for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)


def test_faultproof_evm_statetest_is_registered() -> None:
    from faultproof.cli import main

    result = CliRunner().invoke(
        main, ["evm", "statetest", str(FIXTURES / "keccak.json"), "--vm", "spec", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 passed, 0 failed, 0 skipped, 1 total"
