"""Fixtures for the PreimageOracle tests: a deployed oracle on a fresh embedded chain."""

from __future__ import annotations

import pytest

from faultproof.chain import EmbeddedChain
from faultproof.chain.testing import anvil_chain, anvil_node, chain
from faultproof.contracts.oracle import PreimageOracle

__all__ = ["anvil_chain", "anvil_node", "chain"]


@pytest.fixture
def embedded() -> EmbeddedChain:
    return EmbeddedChain()


@pytest.fixture
def oracle(embedded: EmbeddedChain) -> PreimageOracle:
    return PreimageOracle.deploy(embedded)
