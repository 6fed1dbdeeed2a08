"""Fixtures for the step-contract tests: one chain, an oracle, the deployed step contracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultproof.chain.embedded import EmbeddedChain
from faultproof.contracts.compiler import CONTRACTS_ROOT, compile_contract
from faultproof.contracts.step import deploy_mips32, deploy_riscv64, deploy_riscv64c

HERE = Path(__file__).resolve().parent
REAL_ORACLE = CONTRACTS_ROOT / "oracle" / "PreimageOracle.vy"


def deploy_oracle(chain: EmbeddedChain) -> str:
    """The project's PreimageOracle (min LPP size 0, challenge period 0, like RISCV.sol's tests)."""
    return chain.deploy(compile_contract(REAL_ORACLE), 0, 0)


@pytest.fixture(scope="module")
def chain() -> EmbeddedChain:
    return EmbeddedChain()


@pytest.fixture(scope="module")
def oracle(chain: EmbeddedChain) -> str:
    return deploy_oracle(chain)


@pytest.fixture(scope="module")
def mips(chain: EmbeddedChain, oracle: str) -> str:
    return deploy_mips32(chain, oracle)


@pytest.fixture(scope="module")
def riscv(chain: EmbeddedChain, oracle: str) -> str:
    return deploy_riscv64(chain, oracle)


@pytest.fixture(scope="module")
def riscv_c(chain: EmbeddedChain, oracle: str) -> str:
    return deploy_riscv64c(chain, oracle)
