"""Fixtures for the dispute contract tests: a fresh embedded chain with the system deployed."""

from __future__ import annotations

import pytest

from faultproof.chain import EmbeddedChain
from faultproof.contracts.dispute import DisputeConfig, DisputeSystem, deploy_dispute_system


@pytest.fixture
def chain() -> EmbeddedChain:
    return EmbeddedChain()


@pytest.fixture
def system(chain: EmbeddedChain) -> DisputeSystem:
    return deploy_dispute_system(chain, DisputeConfig())
