"""The EVM program on blocks anvil mined (--hardfork cancun), through the RPC host.

Each block must come out valid with anvil's own state root and receipts root; each header
field tampered with must come out invalid (fields a block producer may choose freely must
not); one block runs in the mips32 VM with the same verdict; and the command line reports all
of it with exit codes 0 / 1 / 2.

anvil quirks shape the scenario: block 0's header carries the empty-trie root instead of the
genesis state (so block 1 cannot be checked); its transactionsRoot commits to blob transactions
in their network form, blobs included (so its blob block is invalid as mined, and valid once
claimed with the canonical transactions root); and its state root keeps cleared storage slots
and touched empty accounts (those blocks are invalid, and the program's root is the execution
specs' root). Precompile accounts are funded with 1 wei before the block that calls every
precompile, so no call touches an empty account and that block must match anvil's roots.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from evm_anvil_blocks import QUIRKS, Rpc, Scenario, mine_quirk, mine_scenario, spec_block

from faultproof.chain.anvil import AnvilNode, find_anvil
from faultproof.evm import header as hdr
from faultproof.evm import mpt
from faultproof.evm.cli import evm_cli
from faultproof.evm.program import ProgramResult, boot_info
from faultproof.evm.rpc_host import JsonRpc
from faultproof.evm.verify import verify_block
from faultproof.guests import GuestBuildError, guest_elf
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.store import MemoryStore, SqliteStore

pytestmark = pytest.mark.anvil

CLI = [sys.executable, "-m", "faultproof.cli"]

VALID_BLOCKS = (
    "empty-2",
    "deploys",
    "transfers",
    "storage",
    "logs-revert-creates",
    "fund-precompiles",
    "precompiles",
)


@pytest.fixture(scope="module")
def program() -> str:
    try:
        return str(guest_elf("evm", "host"))
    except GuestBuildError as exc:
        pytest.skip(f"guest_elf('evm', 'host') does not build yet: {str(exc)[:300]}")


@pytest.fixture(scope="module")
def chain(program: str) -> Iterator[tuple[str, Scenario]]:
    if find_anvil() is None:
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    with AnvilNode(free_gas=False) as node:
        scenario = mine_scenario(node.url)
        Rpc(node.url)("evm_mine")  # one more empty block, with a real parent state root
        scenario.blocks[max(scenario.blocks) + 1] = "empty-2"
        yield node.url, scenario


def block_of(sc: Scenario, label: str) -> int:
    return next(n for n, name in sc.blocks.items() if name == label)


def node_block(url: str, number: int) -> dict[str, Any]:
    return dict(Rpc(url)("eth_getBlockByNumber", hex(number), True))


def check(url: str, number: int, **kwargs: Any) -> ProgramResult:
    return verify_block(JsonRpc(url), number, timeout=120, progress=False, **kwargs).result


@pytest.mark.parametrize("label", VALID_BLOCKS)
def test_anvil_block_is_valid_with_anvils_and_the_specs_roots(
    chain: tuple[str, Scenario], label: str
) -> None:
    url, sc = chain
    number = block_of(sc, label)
    result = check(url, number)
    block = node_block(url, number)
    assert result.fields.get("stateRoot") == block["stateRoot"], result.lines
    assert result.fields.get("receiptsRoot") == block["receiptsRoot"], result.lines
    assert result.fields.get("transactionsRoot") == block["transactionsRoot"]
    assert int(result.fields["gasUsed"]) == int(block["gasUsed"], 16)
    assert (result.exit_code, result.verdict, result.mismatches) == (0, "valid", [])
    assert len(result.txs) == len(block["transactions"])
    assert all(tx.ok for tx in result.txs)
    assert result.stats["txs"] == len(block["transactions"])
    assert result.preimages > 0 and result.steps is None
    reproduced, spec = spec_block(url, number)
    assert reproduced
    assert "0x" + spec.state_root.hex() == block["stateRoot"]
    assert [(t.gas_used, t.status) for t in spec.txs] == [
        (int(t.attrs["gas_used"]), int(t.attrs["status"])) for t in result.txs
    ]


@pytest.mark.parametrize("kind", QUIRKS)
def test_where_anvils_state_root_is_wrong_the_program_agrees_with_the_specs(
    chain: tuple[str, Scenario], kind: str
) -> None:
    """anvil 1.7.1 keeps storage slots cleared to zero (as zero-valued leaves) and touched empty
    accounts in its tries. The program computes the spec's root, so it rejects such a block
    (state root only: receipts, gas and logs agree with anvil)."""
    url, sc = chain
    rpc = Rpc(url)
    snapshot = rpc("evm_snapshot")
    try:
        number = mine_quirk(url, sc, kind)
        block = node_block(url, number)
        checked = verify_block(JsonRpc(url), number, timeout=120, progress=False)
        result = checked.result
        reproduced, spec = spec_block(url, number)
    finally:
        rpc("evm_revert", snapshot)
    assert reproduced
    assert result.fields["stateRoot"] == "0x" + spec.state_root.hex() != block["stateRoot"]
    assert result.fields["receiptsRoot"] == block["receiptsRoot"]
    assert int(result.fields["gasUsed"]) == int(block["gasUsed"], 16)
    assert all(tx.ok for tx in result.txs)
    assert (result.exit_code, result.verdict) == (1, "invalid")
    assert [m[0] for m in result.mismatches] == ["stateRoot"], result.lines
    if kind == "deletions":  # collapsed branches' siblings: found by path (no debug_dbGet)
        assert checked.host.stats.state_node_searches > 0


def test_blob_block_as_anvil_commits_it_is_invalid_and_valid_with_the_canonical_root(
    chain: tuple[str, Scenario],
) -> None:
    url, sc = chain
    number = block_of(sc, "blob")
    as_mined = check(url, number)
    assert as_mined.exit_code == 1 and as_mined.verdict == "invalid"
    assert not as_mined.txs[0].ok  # network-form encoding: not a Cancun transaction
    block = node_block(url, number)
    canonical = [hdr.checked_raw_transaction(tx) for tx in block["transactions"]]
    root = "0x" + mpt.derivable_list_trie(canonical).root.hex()
    fixed = check(url, number, tamper={"transactionsRoot": root})
    assert (fixed.exit_code, fixed.verdict) == (0, "valid"), fixed.lines
    assert fixed.txs[0].attrs["type"] == "3" and fixed.fields["blobGasUsed"] == "131072"
    assert fixed.fields["stateRoot"] == block["stateRoot"]


def withdrawal_store() -> tuple[MemoryStore, str]:
    """A store holding a one-withdrawal trie, and its root (a body the host can serve)."""
    store = MemoryStore()
    item = {"index": "0x0", "validatorIndex": "0x1", "address": "0x" + "42" * 20, "amount": "0x5"}
    built = mpt.derivable_list_trie([hdr.withdrawal_rlp(item)])
    store.put_many([(keccak256_key(n), n) for n in built.nodes.values()])
    return store, "0x" + built.root.hex()


def tampered_values(block: dict[str, Any], parent: dict[str, Any]) -> dict[str, str]:
    """A value for every Cancun header field that makes the claimed block invalid."""
    return {
        "parentHash": "0x" + "22" * 32,
        "sha3Uncles": "0x" + "00" * 32,
        "miner": "0x" + "77" * 20,  # another coinbase gets the priority fees
        "stateRoot": "0x" + "11" * 32,
        "transactionsRoot": "0x" + mpt.EMPTY_TRIE_ROOT.hex(),  # a body without transactions
        "receiptsRoot": "0x" + "33" * 32,
        "logsBloom": "0x" + "ff" * 256,
        "difficulty": "0x1",
        "number": hex(int(block["number"], 16) + 1),
        "gasLimit": hex(int(block["gasLimit"], 16) * 2),
        "gasUsed": hex(int(block["gasUsed"], 16) + 1),
        "timestamp": parent["timestamp"],
        "nonce": "0x0000000000000001",
        "baseFeePerGas": hex(int(block["baseFeePerGas"], 16) + 1),
        "withdrawalsRoot": "",  # filled in by the test: a root whose trie the store holds
        "blobGasUsed": hex(131072),
        "excessBlobGas": hex(131072),
    }


def test_every_tampered_header_field_is_invalid(chain: tuple[str, Scenario]) -> None:
    url, sc = chain
    number = block_of(sc, "transfers")
    block, parent = node_block(url, number), node_block(url, number - 1)
    values = tampered_values(block, parent)
    covered = {name for name, _ in hdr.HEADER_FIELDS[: hdr.CANCUN_FIELD_COUNT]}
    free = {"mixHash", "parentBeaconBlockRoot", "extraData"}
    assert set(values) == covered - free
    for field, value in values.items():
        store = None
        if field == "withdrawalsRoot":
            store, value = withdrawal_store()
        result = check(url, number, tamper={field: value}, store=store)
        assert (result.exit_code, result.verdict) == (1, "invalid"), (field, result.lines)
        assert result.mismatches, field


def test_fields_a_producer_chooses_freely_stay_valid(chain: tuple[str, Scenario]) -> None:
    """mixHash (prevRandao), the beacon root (anvil has no EIP-4788 contract), up to 32 bytes
    of extraData and a later timestamp do not change this block's execution."""
    url, sc = chain
    number = block_of(sc, "transfers")
    block = node_block(url, number)
    for field, value in {
        "mixHash": "0x" + "55" * 32,
        "parentBeaconBlockRoot": "0x" + "66" * 32,
        "extraData": "0x" + "aa" * 32,
        "timestamp": hex(int(block["timestamp"], 16) + 1),
    }.items():
        result = check(url, number, tamper={field: value})
        assert (result.exit_code, result.verdict) == (0, "valid"), (field, result.lines)


def test_extra_data_over_32_bytes_is_invalid_not_undecodable(chain: tuple[str, Scenario]) -> None:
    """The spec decodes such a header and then rejects it (validate_header: InvalidBlock)."""
    url, sc = chain
    result = check(url, block_of(sc, "transfers"), tamper={"extraData": "0x" + "aa" * 33})
    assert (result.exit_code, result.verdict) == (1, "invalid"), result.lines


@pytest.mark.parametrize("label", ["transfers", "precompiles"])
def test_a_block_in_the_mips32_vm_has_the_native_verdict(
    chain: tuple[str, Scenario], label: str
) -> None:
    """The precompiles block runs sha256, ripemd160, modexp, bn254 add/mul and blake2f in the
    VM (about 10 M steps); ecrecover, the pairing and KZG come from the oracle."""
    try:
        guest_elf("evm", "mips32")
    except GuestBuildError as exc:
        pytest.skip(f"guest_elf('evm', 'mips32') does not build: {str(exc)[:300]}")
    url, sc = chain
    number = block_of(sc, label)
    native = check(url, number)
    in_vm = check(url, number, vm="mips32")
    assert (in_vm.exit_code, in_vm.verdict, in_vm.fields) == (0, "valid", native.fields)
    assert in_vm.steps is not None and in_vm.steps > 0
    assert [line for line in in_vm.lines if line.startswith("evm:")] == [
        line for line in native.lines if line.startswith("evm:")
    ]
    tampered = check(url, number, vm="mips32", tamper={"stateRoot": "0x" + "11" * 32})
    assert (tampered.exit_code, tampered.verdict) == (1, "invalid")


# ---- the command line ---------------------------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(evm_cli, ["verify-block", *args])
    return result.exit_code, result.stdout, result.stderr


def test_verify_block_command_exit_codes(chain: tuple[str, Scenario]) -> None:
    url, sc = chain
    number = block_of(sc, "transfers")
    code, out, _ = run_cli("--rpc-url", url, "--block", str(number))
    assert code == 0, out
    assert "verdict: valid" in out and "preimages fetched" in out and "ran natively" in out
    code, out, _ = run_cli(
        "--rpc-url", url, "--block", str(number), "--tamper", "stateRoot=0x" + "11" * 32
    )
    assert code == 1, out
    assert "verdict: invalid" in out and "evm: mismatch stateRoot" in out and "tampered" in out
    code, _, err = run_cli("--rpc-url", url, "--block", str(number), "--tamper", "stateRoot")
    assert code == 2 and err.count("\n") == 1 and "FIELD=0xVALUE" in err
    code, _, err = run_cli("--rpc-url", url, "--block", "0")
    assert code == 2 and "no parent" in err
    code, _, err = run_cli("--rpc-url", url, "--block", "99999")
    assert code == 2 and "no block" in err
    code, _, err = run_cli("--rpc-url", url, "--block", str(number), "--tamper", "bogus=0x01")
    assert code == 2 and "unknown header field" in err
    # a claimed body nobody can serve is a missing input, not a verdict
    missing = "withdrawalsRoot=0x" + "44" * 32
    code, _, err = run_cli("--rpc-url", url, "--block", str(number), "--tamper", missing)
    assert code == 2 and err.count("\n") == 1 and "no preimage" in err and "l2-withdrawals" in err


def test_verify_block_command_fills_a_store(chain: tuple[str, Scenario], tmp_path: Path) -> None:
    url, sc = chain
    db = str(tmp_path / "pre.db")
    for _ in range(2):  # the second run finds everything already stored
        code, out, _ = run_cli(
            "--rpc-url", url, "--block", str(block_of(sc, "storage")), "--store", db
        )
        assert code == 0, out
    with SqliteStore(db, readonly=True) as store:
        assert len(store) > 10 and store.verify_all() == len(store)


def test_verify_block_command_in_a_vm_reports_steps(chain: tuple[str, Scenario]) -> None:
    url, sc = chain
    code, out, _ = run_cli(
        "--rpc-url", url, "--block", str(block_of(sc, "deploys")), "--vm", "mips32"
    )
    assert code == 0, out
    assert "in mips32" in out and " steps, " in out and "verdict: valid" in out


def test_verify_block_command_with_an_unreachable_node_is_one_line() -> None:
    code, _, err = run_cli("--rpc-url", "http://127.0.0.1:9", "--block", "1")
    assert code == 2 and err.startswith("error: eth_chainId") and err.count("\n") == 1


# ---- through `faultproof run` (a host subprocess on fds 3-6) --------------------------------------


def faultproof_run(state: Path, out: Path, host: list[str]) -> dict[str, Any]:
    """`faultproof run` to exit with ``host`` as the host command; its final "done" record."""
    proc = subprocess.run(
        [*CLI, "run", "--input", str(state), "--output", str(out), "--info-at", "never",
         "--no-progress", "--", *host],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    done = [
        json.loads(line) for line in proc.stderr.splitlines() if line.startswith('{"msg": "done"')
    ]
    assert done, proc.stderr[-2000:]
    record: dict[str, Any] = done[-1]
    record["stdout"] = proc.stdout
    return record


@pytest.mark.parametrize("vm", ["mips32", "riscv64", "riscv64c"])
def test_a_block_through_faultproof_run_online_then_offline(
    chain: tuple[str, Scenario], vm: str, tmp_path: Path
) -> None:
    """The host as a subprocess serving anvil (``python -m faultproof.evm.server``), then the
    same run replayed from the store it filled (op-program's offline mode): same verdict."""
    url, sc = chain
    number = block_of(sc, "transfers")
    try:
        elf = guest_elf("evm", vm)
    except GuestBuildError as exc:
        pytest.skip(f"guest_elf('evm', {vm!r}) does not build: {str(exc)[:300]}")
    state = tmp_path / "state.json"
    subprocess.run(
        [*CLI, "load-elf", "--type", vm, "--path", str(elf), "--out", str(state), "--meta", ""],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    db = tmp_path / "pre.db"
    server = [sys.executable, "-m", "faultproof.evm.server", "--rpc-url", url]
    online = faultproof_run(
        state, tmp_path / "a.json", [*server, "--block", str(number), "--store", str(db)]
    )
    assert (online["exited"], online["exit_code"]) == (True, 0)
    assert "evm: verdict valid" in online["stdout"]
    boot = subprocess.run(
        [*server, "--block", str(number), "--print-boot"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split()  # fmt: skip
    replay = [sys.executable, "-m", "faultproof.preimage.server", "--store", str(db)]
    replay += [arg for pair in boot for arg in ("--local", pair)]
    offline = faultproof_run(state, tmp_path / "b.json", replay)
    assert (offline["exit_code"], offline["step"]) == (0, online["step"])
    assert offline["stdout"] == online["stdout"]


@pytest.mark.parametrize("vm", ["mips32", "riscv64", "riscv64c"])
def test_sampled_steps_of_a_block_are_accepted_by_the_step_contract(
    chain: tuple[str, Scenario], vm: str
) -> None:
    """The conformance path: witnesses at sampled steps of a whole block check (first, last and
    a random spread) verified by the VM's on-chain step contract, preimages from the store a
    native run filled."""
    from faultproof.conformance.kit import check_program
    from faultproof.preimage.hints import HintRouter
    from faultproof.preimage.host import LocalHost
    from faultproof.vm import get_isa

    try:
        elf = guest_elf("evm", vm)
    except GuestBuildError as exc:
        pytest.skip(f"guest_elf('evm', {vm!r}) does not build: {str(exc)[:300]}")
    url, sc = chain
    store = MemoryStore()
    checked = verify_block(JsonRpc(url), block_of(sc, "transfers"), store=store, progress=False)
    assert checked.result.exit_code == 0
    boot = boot_info(checked.parent_hash, checked.claimed_hash, checked.chain_id)
    budget = 40 if vm == "mips32" else 20
    report = check_program(
        get_isa(vm),
        elf,
        host_factory=lambda: LocalHost(store, boot, router=HintRouter(store)),
        budget=budget,
    )
    assert report.ok, report.divergences[:1]
    assert report.steps_checked >= budget
    assert report.programs[0].total_steps > 500_000
