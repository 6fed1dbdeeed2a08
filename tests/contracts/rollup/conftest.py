"""Fixtures for the rollup Portal tests: an embedded chain with the dispute system and a portal."""

from __future__ import annotations

import pytest
from portal_helpers import Scene, make_scene

from faultproof.chain import EmbeddedChain
from faultproof.chain.testing import anvil_chain, anvil_node


@pytest.fixture
def chain() -> EmbeddedChain:
    return EmbeddedChain()


@pytest.fixture
def scene(chain: EmbeddedChain) -> Scene:
    return make_scene(chain)


__all__ = ["anvil_chain", "anvil_node", "chain", "scene"]
