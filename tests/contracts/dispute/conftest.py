"""Fixtures for the dispute contract tests: a fresh embedded chain with the system deployed."""

from __future__ import annotations

import pytest

from faultproof.chain import Chain, EmbeddedChain
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.contracts.dispute import DisputeConfig, DisputeSystem, deploy_dispute_system


@pytest.fixture
def chain() -> EmbeddedChain:
    return EmbeddedChain()


@pytest.fixture
def system(chain: EmbeddedChain) -> DisputeSystem:
    return deploy_dispute_system(chain, DisputeConfig())


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def any_chain(request: pytest.FixtureRequest) -> Chain:
    """The embedded chain and, when anvil is installed, a real node (same scenario on both)."""
    if request.param == "embedded":
        return EmbeddedChain()
    node_chain: Chain = request.getfixturevalue("anvil_chain")
    return node_chain


__all__ = ["anvil_chain", "anvil_node", "any_chain", "chain", "system"]
