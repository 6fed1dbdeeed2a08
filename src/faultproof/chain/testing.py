"""Reusable pytest fixtures for anything that needs a chain.

Use from a conftest with ``pytest_plugins = ["faultproof.chain.testing"]`` or import the
fixtures by name. ``chain`` is parametrized over both backends: the anvil variant is marked
``anvil`` and skips cleanly when no anvil binary is installed, so one scenario test covers both.

Fixtures:
- ``anvil_node`` (session): a running `AnvilNode` (skips if anvil is missing).
- ``embedded_chain``: a fresh `EmbeddedChain` per test.
- ``anvil_chain``: an `RpcChain` on the session node, reverted to a clean snapshot after the test.
- ``chain``: both of the above, parametrized ``embedded`` / ``anvil``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faultproof.chain.anvil import AnvilNode, find_anvil
from faultproof.chain.base import Chain
from faultproof.chain.embedded import DEFAULT_GENESIS_TIMESTAMP, EmbeddedChain


def anvil_available() -> bool:
    return find_anvil() is not None


@pytest.fixture(scope="session")
def anvil_node() -> Iterator[AnvilNode]:
    if not anvil_available():
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    node = AnvilNode(timestamp=DEFAULT_GENESIS_TIMESTAMP)
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def embedded_chain() -> EmbeddedChain:
    return EmbeddedChain()


@pytest.fixture
def anvil_chain(anvil_node: AnvilNode) -> Iterator[Chain]:
    from faultproof.chain.rpc import RpcChain

    chain = RpcChain(anvil_node.url)
    snap = chain.snapshot()
    try:
        yield chain
    finally:
        chain.revert(snap)


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain(request: pytest.FixtureRequest) -> Chain:
    if request.param == "embedded":
        return EmbeddedChain()
    fixture: Chain = request.getfixturevalue("anvil_chain")
    return fixture
