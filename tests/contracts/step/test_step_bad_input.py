"""Bad input to every step contract (MIPS32, RISCV64, RISCV64C) reverts with a named error.

Each case starts from a real witness of the off-chain VM (a memory-accessing step of `hello`,
which the contract accepts and agrees with) and breaks one thing: truncated or oversized state
data or proof, a proof for another address, a wrong memory root, state data at a non-canonical
calldata offset. An exited state is not an error: it returns the unchanged state's hash without
any proof (and MIPS32 rejects an `exited` byte above 1 by name). Through the typed bindings.
"""

from __future__ import annotations

import pytest
from eth_abi.abi import encode

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.step import CALLDATA_ERRORS, MIPS_ERRORS, STEP_SELECTOR
from faultproof.contracts.step.binding import StepContract, StepResult, step_contract
from faultproof.contracts.step.witness import status_hash
from faultproof.crypto import keccak256
from faultproof.guests import guest_elf
from faultproof.vm import get_isa
from faultproof.vm.interface import StepWitness

ISAS = ["mips32", "riscv64", "riscv64c"]
BAD_PROOF = {  # how each ISA names "this proof does not fold to the memory root"
    "mips32": "InvalidMemoryProof",
    "riscv64": "0xbadf00d1: memory proof does not match the memory root",
    "riscv64c": "0xbadf00d1: memory proof does not match the memory root",
}
MISSING_PROOF = {  # a proof index past the end of the proof data
    "mips32": "check that there is enough calldata",
    "riscv64": BAD_PROOF["riscv64"],
    "riscv64c": BAD_PROOF["riscv64c"],
}
EXITED_OFFSET = {"mips32": 89, "riscv64": 81, "riscv64c": 81}
EXIT_CODE_OFFSET = {"mips32": 88, "riscv64": 80, "riscv64c": 80}


@pytest.fixture(scope="module")
def contracts(chain: EmbeddedChain, oracle: str) -> dict[str, StepContract]:
    return {isa: step_contract(isa).deploy(chain, oracle) for isa in ISAS}


def memory_step(isa: str) -> tuple[StepWitness, bytes]:
    """(witness, VM post-state hash) of the first `hello` step that proves a data leaf."""
    vm = get_isa(isa).load_elf(guest_elf("hello", isa))
    size = get_isa(isa).proof_size
    for _ in range(400):
        w = vm.step(proof=True)
        assert w is not None
        if len(w.proof) == 2 * size:
            return w, vm.state_hash()
    raise AssertionError("no memory-accessing step in the first 400")


WITNESSES: dict[str, tuple[StepWitness, bytes]] = {}


def witness(isa: str) -> tuple[StepWitness, bytes]:
    if isa not in WITNESSES:
        WITNESSES[isa] = memory_step(isa)
    return WITNESSES[isa]


def expect_error(result: StepResult, name: str) -> None:
    assert not result.success and result.post_state_hash is None
    assert result.error == name, (result.error, result.revert_data.hex())


@pytest.fixture(params=ISAS)
def case(request: pytest.FixtureRequest,
         contracts: dict[str, StepContract]) -> tuple[str, StepContract, StepWitness]:
    isa = request.param
    w, post = witness(isa)
    vm = contracts[isa]
    ok = vm.step(w.state, w.proof, transact=True)
    assert ok.success and ok.post_state_hash == post, ok.error  # the untouched witness is fine
    assert ok.post_state is not None and len(ok.post_state) == len(w.state)
    return isa, vm, w


def test_truncated_and_oversized_state_data(case: tuple[str, StepContract, StepWitness]) -> None:
    _, vm, w = case
    for state in (w.state[:-1], w.state[:32], b"", w.state + b"\x00", w.state + bytes(64)):
        expect_error(vm.step(state, w.proof), "InvalidStateDataLength")


def test_truncated_and_oversized_proof(case: tuple[str, StepContract, StepWitness]) -> None:
    isa, vm, w = case
    size = vm.proof_size
    for proof in (w.proof[:-1], w.proof[:-32], w.proof + b"\x01", w.proof + bytes(size - 1)):
        expect_error(vm.step(w.state, proof), "InvalidProofLength")
    expect_error(vm.step(w.state, w.proof[:size]), MISSING_PROOF[isa])  # data proof missing
    expect_error(vm.step(w.state, b""), MISSING_PROOF[isa])  # no fetch proof either
    # whole extra proofs are ignored, as upstream (both MIPS.sol and RISCV.sol allow them)
    assert vm.step(w.state, w.proof + w.proof[:size]).success


def test_proof_for_another_address(case: tuple[str, StepContract, StepWitness]) -> None:
    isa, vm, w = case
    size = vm.proof_size
    fetch, data = w.proof[:size], w.proof[size:]
    assert fetch[32:] != data[32:], "the data leaf must differ from the instruction leaf"
    # valid proofs against the same root, but each for the other leaf
    expect_error(vm.step(w.state, fetch + fetch), BAD_PROOF[isa])
    expect_error(vm.step(w.state, data + data), BAD_PROOF[isa])
    tampered = bytearray(w.proof)
    tampered[size + 32 * 7] ^= 0x40  # one sibling hash of the data proof
    expect_error(vm.step(w.state, bytes(tampered)), BAD_PROOF[isa])


def test_wrong_memory_root(case: tuple[str, StepContract, StepWitness]) -> None:
    isa, vm, w = case
    state = keccak256(b"some other memory") + w.state[32:]
    expect_error(vm.step(state, w.proof), BAD_PROOF[isa])


def test_exited_state_returns_unchanged_hash_without_proofs(
    case: tuple[str, StepContract, StepWitness],
) -> None:
    isa, vm, w = case
    raw = bytearray(w.state)
    raw[EXITED_OFFSET[isa]] = 1
    raw[EXIT_CODE_OFFSET[isa]] = 1
    state = bytes(raw)
    result = vm.step(state, b"", transact=True)
    assert result.success and result.post_state == state  # step counter not bumped
    assert result.post_state_hash == status_hash(state, 1, 1)  # status byte 1: invalid
    if isa == "mips32":
        raw[EXITED_OFFSET[isa]] = 2
        expect_error(vm.step(bytes(raw), w.proof), "InvalidExitedValue")


def test_non_canonical_offsets(case: tuple[str, StepContract, StepWitness]) -> None:
    _, vm, w = case
    chain = vm.chain
    good = STEP_SELECTOR + encode(["bytes", "bytes", "bytes32"], [w.state, w.proof, bytes(32)])
    assert chain.call(vm.address, good).success
    state_words = (len(w.state) + 31) // 32 * 32
    proof_head = int.from_bytes(good[36:68], "big")
    # state data 32 bytes later (still valid ABI: the decoder follows the offsets)
    bent = (STEP_SELECTOR + (0x80).to_bytes(32, "big") + (proof_head + 32).to_bytes(32, "big")
            + good[68:100] + bytes(32) + good[100:])  # fmt: skip
    result = chain.call(vm.address, bent)
    assert not result.success
    assert vm.name_error(result.revert_data)[0] == "InvalidStateDataOffset"
    # proof data 32 bytes later
    split = 4 + 96 + 32 + state_words
    bent = (good[:36] + (proof_head + 32).to_bytes(32, "big") + good[68:split] + bytes(32)
            + good[split:])  # fmt: skip
    result = chain.call(vm.address, bent)
    assert not result.success
    assert vm.name_error(result.revert_data)[0] == "InvalidProofOffset"


def test_error_selectors_are_in_every_abi(contracts: dict[str, StepContract]) -> None:
    for isa, vm in contracts.items():
        names = {e["name"] for e in vm.abi if e.get("type") == "error"}
        assert {n.removesuffix("()") for n in CALLDATA_ERRORS} <= names, isa
    mips_names = {e["name"] for e in contracts["mips32"].abi if e.get("type") == "error"}
    assert {n.removesuffix("()") for n in MIPS_ERRORS} <= mips_names
    for sig, sel in CALLDATA_ERRORS.items():
        assert keccak256(sig.encode())[:4] == sel


def test_binding_views(contracts: dict[str, StepContract], oracle: str) -> None:
    for isa, vm in contracts.items():
        assert vm.oracle().lower() == oracle.lower(), isa
        assert vm.version(), isa
        assert step_contract(isa) is type(vm)
