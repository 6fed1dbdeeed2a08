"""The anvil launcher and RpcChain failure modes (clear errors, never raw tracebacks)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faultproof.chain import RpcError
from faultproof.chain.anvil import AnvilNode, AnvilNotFound, find_anvil, free_port
from faultproof.chain.rpc import RpcChain
from faultproof.chain.testing import anvil_available


def test_missing_binary_is_a_named_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULTPROOF_ANVIL", str(tmp_path / "no-anvil"))
    assert find_anvil() is None
    with pytest.raises(AnvilNotFound, match=r"install-anvil\.sh"):
        AnvilNode()


def test_rpc_to_a_dead_port_is_an_rpc_error() -> None:
    with pytest.raises(RpcError, match="eth_chainId"):
        RpcChain(f"http://127.0.0.1:{free_port()}", timeout=2)


@pytest.mark.anvil
@pytest.mark.skipif(not anvil_available(), reason="anvil not installed")
def test_anvil_starts_on_a_free_port_and_stops_on_sigterm() -> None:
    node = AnvilNode()
    try:
        assert node.running
        chain = RpcChain(node.url)
        assert chain.chain_id == 31337
        assert len(chain.accounts) == 10
        pid = node.pid
    finally:
        node.stop()
    assert not node.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(RpcError):
        RpcChain(node.url, timeout=2)


@pytest.mark.anvil
@pytest.mark.skipif(not anvil_available(), reason="anvil not installed")
def test_rpc_errors_name_the_method(anvil_chain: RpcChain) -> None:
    with pytest.raises(RpcError, match="eth_getBalance"):
        anvil_chain._request("eth_getBalance", ["not-an-address", "latest"])


@pytest.mark.anvil
@pytest.mark.skipif(not anvil_available(), reason="anvil not installed")
def test_a_busy_port_is_refused(anvil_node: AnvilNode) -> None:
    from faultproof.chain.anvil import AnvilStartError

    with pytest.raises(AnvilStartError, match="already has a JSON-RPC node"):
        AnvilNode(port=anvil_node.port)
