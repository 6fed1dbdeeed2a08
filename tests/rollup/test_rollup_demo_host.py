"""The rollup program's host against real nodes (anvil L1, the Python L2 node): the native
program derives and executes the L2 chain through `faultproof.rollup.host` and agrees with the
node's output root; a wrong claim is refused; an L2 node that lies gets its preimage refused
by the store."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode

from faultproof import guests
from faultproof.chain.anvil import AnvilNode
from faultproof.chain.testing import anvil_available
from faultproof.contracts.rollup import artifact as portal_artifact
from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc
from faultproof.preimage.errors import PreimageMismatch, PreimageNotFound
from faultproof.preimage.native import run_native
from faultproof.rollup.batcher import wait_receipt
from faultproof.rollup.host import boot_for, receipt_rlp, rollup_host
from faultproof.rollup.stack import L2Stack

pytestmark = pytest.mark.anvil

USER_KEY = 0xA11CE
USER = secret_address(USER_KEY)
BATCHER_KEY = 0xBA7C4E5


class LyingRpc(JsonRpc):
    """An L2 node whose output answers carry another state root (one that would credit an
    attacker): the host puts that preimage under the agreed output root's key."""

    def call(self, method: str, params: list[Any]) -> Any:
        result = super().call(method, params)
        if method == "optimism_outputAtBlock" and isinstance(result, dict):
            result = dict(result, stateRoot="0x" + "66" * 32)
        return result


@pytest.fixture(scope="module")
def chain() -> Iterator[tuple[AnvilNode, L2Stack]]:
    if not anvil_available():
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    with AnvilNode(hardfork="cancun") as l1:
        rpc = JsonRpc(l1.url)
        rpc.call("anvil_setBlockTimestampInterval", [6])
        funder = rpc.call("eth_accounts", [])[0]
        args = abi_encode(
            ["address", "address", "uint32", "uint256", "uint256", "address"],
            ["0x" + "00" * 19 + "01", "0x" + "00" * 20, 0, 60, 60, funder],
        )
        initcode = portal_artifact("Portal").bytecode + args
        tx = rpc.call(
            "eth_sendTransaction",
            [{"from": funder, "data": "0x" + initcode.hex(), "gas": hex(8_000_000)}],
        )
        portal = bytes.fromhex(wait_receipt(rpc, tx)["contractAddress"][2:])  # type: ignore[index]
        rpc.call("anvil_setBalance", ["0x" + secret_address(BATCHER_KEY).hex(), hex(10**20)])
        stack = L2Stack.start(l1.url, portal, BATCHER_KEY, {USER: 10**21})
        try:
            rpc.call(
                "eth_sendTransaction",
                [{"from": funder, "to": "0x" + portal.hex(), "value": hex(10**18)}],
            )
            rpc.call("evm_mine", [])
            stack.advance(post=False)
            raw = tx_bytes(
                sign_tx(
                    UnsignedTx(
                        nonce=0,
                        to=b"\x77" * 20,
                        value=5,
                        gas_limit=21_000,
                        max_fee_per_gas=10**10,
                        max_priority_fee_per_gas=10**8,
                    ),
                    USER_KEY,
                    901,
                )
            )
            stack.node.submit(raw)
            rpc.call("evm_mine", [])
            stack.advance()
            rpc.call("evm_mine", [])
            yield l1, stack
        finally:
            stack.stop()


def _run(stack: L2Stack, l2: JsonRpc, claimed: bytes | None = None) -> tuple[int, str]:
    elf = guests.rollup_program_elf(json.dumps(stack.config.to_json()).encode(), "host")
    head = stack.node.safe_number
    boot = boot_for(stack.l1, JsonRpc(stack.server.url), 0, head, claimed)
    code, out = run_native([str(elf)], rollup_host(stack.l1, l2, boot), timeout=120)
    return code, out.decode("utf-8", "replace")


def test_program_agrees_with_the_node_through_the_host(
    chain: tuple[AnvilNode, L2Stack],
) -> None:
    _, stack = chain
    assert stack.node.safe_number >= 2
    code, out = _run(stack, JsonRpc(stack.server.url))
    assert code == 0, out
    assert "rollup: verdict valid" in out
    code, out = _run(stack, JsonRpc(stack.server.url), b"\x42" * 32)
    assert code == 1, out


def test_l1_receipts_rebuild_the_header_root(chain: tuple[AnvilNode, L2Stack]) -> None:
    from faultproof.evm import mpt

    _, stack = chain
    block = stack.l1.call("eth_getBlockByNumber", ["latest", True])
    receipts = stack.l1.call("eth_getBlockReceipts", [block["hash"]])
    root = mpt.derivable_list_trie([receipt_rlp(r) for r in receipts]).root
    assert "0x" + root.hex() == block["receiptsRoot"]


def test_a_lying_l2_node_is_refused_by_the_store(chain: tuple[AnvilNode, L2Stack]) -> None:
    _, stack = chain
    # the store refuses the lie; the router keeps the refusal and the program's read fails
    with pytest.raises((PreimageMismatch, PreimageNotFound), match="hashes to"):
        _run(stack, LyingRpc(stack.server.url))


def test_the_host_as_a_subprocess_under_faultproof_run(
    chain: tuple[AnvilNode, L2Stack], tmp_path: Path
) -> None:
    """``faultproof run -- python -m faultproof.rollup.server ...`` runs the program in riscv64
    against both nodes: valid for the node's own output, invalid for another claim."""
    _, stack = chain
    elf = guests.rollup_program_elf(json.dumps(stack.config.to_json()).encode(), "riscv64")
    state = tmp_path / "state.json"
    cli = [sys.executable, "-m", "faultproof.cli"]
    subprocess.run(
        [*cli, "load-elf", "--type", "riscv64", "--path", str(elf), "--out", str(state),
         "--meta", ""],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    head = stack.node.safe_number
    server = [sys.executable, "-m", "faultproof.rollup.server", "--l1-rpc", stack.l1.url,
              "--l2-rpc", stack.server.url, "--agreed-block", str(head - 1),
              "--claimed-block", str(head)]  # fmt: skip
    for extra, verdict in (([], "valid"), (["--claimed-output", "0x" + "42" * 32], "invalid")):
        proc = subprocess.run(
            [*cli, "run", "--input", str(state), "--output", str(tmp_path / "out.json"),
             "--info-at", "never", "--no-progress", "--", *server, *extra],
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert f"rollup: verdict {verdict}" in proc.stdout, proc.stdout[-2000:]


def test_the_agents_cli_sources(chain: tuple[AnvilNode, L2Stack], tmp_path: Path) -> None:
    """What ``--outputs faultproof.rollup.traces:proposer_outputs`` and ``--traces
    faultproof.rollup.traces:challenger_traces`` build from the two nodes."""
    from faultproof.rollup.host import output_root
    from faultproof.rollup.traces import challenger_traces, proposer_outputs
    from faultproof.vm import get_isa

    _, stack = chain
    outputs = proposer_outputs(None, stack.server.url)
    head = outputs.safe_head()
    assert head == stack.node.safe_number
    assert outputs.output_root(head) == output_root(JsonRpc(stack.server.url), head)
    config = tmp_path / "rollup.json"
    config.write_text(json.dumps(stack.config.to_json()))
    traces = challenger_traces(
        None, stack.server.url, str(config), isa="riscv64", l1=stack.l1.url,
        cache=str(tmp_path / "cache"),
    )  # fmt: skip
    elf = guests.rollup_program_elf(json.dumps(stack.config.to_json()).encode(), "riscv64")
    assert traces.absolute_prestate == get_isa("riscv64").load_elf(elf).state_hash()


class LyingL1(JsonRpc):
    """An L1 node whose receipts carry a made-up log (a deposit that never happened)."""

    def call(self, method: str, params: list[Any]) -> Any:
        result = super().call(method, params)
        if method == "eth_getBlockReceipts" and isinstance(result, list) and result:
            fake = {"address": "0x" + "11" * 20, "topics": [], "data": "0x1234"}
            result[0] = dict(result[0], logs=[*result[0]["logs"], fake])
        if method == "debug_getRawReceipts":
            return None
        return result


def test_a_lying_l1_node_is_refused(chain: tuple[AnvilNode, L2Stack]) -> None:
    from faultproof.preimage.store import MemoryStore
    from faultproof.rollup.host import RollupHost

    _, stack = chain
    l2 = JsonRpc(stack.server.url)
    boot = boot_for(stack.l1, l2, 0, stack.node.safe_number)
    store = MemoryStore()
    host = RollupHost(LyingL1(stack.l1.url), l2, store, boot)
    number = int(stack.l1.call("eth_blockNumber", []), 16)
    block = stack.l1.call("eth_getBlockByNumber", [hex(number), False])
    while not block["transactions"]:  # a block with receipts to lie about
        number -= 1
        block = stack.l1.call("eth_getBlockByNumber", [hex(number), False])
    with pytest.raises(PreimageMismatch, match="receiptsRoot"):
        host.l1_receipts(bytes.fromhex(block["hash"][2:]), store)
    assert len(store) == 0
