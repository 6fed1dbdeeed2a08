"""Step contract artifacts: under EIP-170, rebuilt deterministically, ABI as upstream."""

from __future__ import annotations

import pytest

from faultproof.contracts.compiler import MAX_CODE_SIZE, compile_contract
from faultproof.contracts.step import (
    MIPS32_SOURCE,
    RISCV64_SOURCE,
    RISCV64C_SOURCE,
    STEP_SELECTOR,
    mips32_artifact,
    riscv64_artifact,
    riscv64c_artifact,
)
from faultproof.contracts.step.binding import STEP_CONTRACTS
from faultproof.crypto import keccak256

ARTIFACTS = {"MIPS32": mips32_artifact, "RISCV64": riscv64_artifact, "RISCV64C": riscv64c_artifact}
SOURCES = {"MIPS32": MIPS32_SOURCE, "RISCV64": RISCV64_SOURCE, "RISCV64C": RISCV64C_SOURCE}


@pytest.mark.parametrize("name", ARTIFACTS)
def test_runtime_code_fits_eip170(name: str) -> None:
    art = ARTIFACTS[name]()
    assert 0 < art.runtime_size < MAX_CODE_SIZE, art.runtime_size
    # keep a margin for fixes: a contract creeping to the limit should be noticed early
    assert art.size_margin > 2048, f"{name}: only {art.size_margin} bytes left under EIP-170"


@pytest.mark.parametrize("name", ARTIFACTS)
def test_step_abi(name: str) -> None:
    abi = ARTIFACTS[name]().abi
    step = next(e for e in abi if e.get("name") == "step")
    types = ",".join(i["type"] for i in step["inputs"])
    assert keccak256(f"step({types})".encode())[:4] == STEP_SELECTOR
    assert [o["type"] for o in step["outputs"]] == ["bytes32"]
    assert {e.get("name") for e in abi} >= {"step", "oracle", "version"}


def test_bindings_cover_every_step_contract() -> None:
    assert {cls.artifact().name for cls in STEP_CONTRACTS.values()} == set(ARTIFACTS)


@pytest.mark.slow
@pytest.mark.parametrize("name", SOURCES)
def test_compiling_twice_gives_identical_bytecode(name: str) -> None:
    """No cache involved: two fresh compilations, and the cached artifact, are byte-identical."""
    first = compile_contract(SOURCES[name], use_cache=False)
    second = compile_contract(SOURCES[name], use_cache=False)
    assert first.bytecode == second.bytecode
    assert first.deployed_bytecode == second.deployed_bytecode
    assert first.abi == second.abi
    assert ARTIFACTS[name]().deployed_bytecode == first.deployed_bytecode
