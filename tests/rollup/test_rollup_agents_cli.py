"""The agents as commands against the rollup on anvil: ``faultproof proposer --outputs
faultproof.rollup.traces:proposer_outputs`` posts the node's output root of its safe head, and
``faultproof challenger --traces faultproof.rollup.traces:challenger_traces``, run one poll per
invocation with the same --store and trace cache (a restart before every poll), leaves that game
alone and defeats a liar's output down to the step, then resolves both games and collects.

The set-up (Portal address, L2 stack, program, L1 contracts) is the demo's
(`faultproof.rollup.demo`); the liar is the demo's too (a lying `RollupOutputs`, a forged
execution trace).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import read_params
from faultproof.agents.proposer import Proposer
from faultproof.chain.anvil import AnvilNode
from faultproof.chain.rpc import RpcChain
from faultproof.chain.testing import anvil_available
from faultproof.cli import main
from faultproof.contracts import Contract
from faultproof.contracts.dispute import artifact
from faultproof.demo.dispute import ForgedTrace
from faultproof.evm.reference import UnsignedTx, secret_address, sign_tx, tx_bytes
from faultproof.evm.rpc_host import JsonRpc
from faultproof.game.types import GameStatus
from faultproof.guests import rollup_program_elf
from faultproof.rollup.config import save_config
from faultproof.rollup.demo import (
    BATCHER_KEY,
    ETHER,
    FUNDING,
    L1_BLOCK_TIME,
    USER_KEY,
    RollupL1,
    create_address,
    deploy_rollup_l1,
)
from faultproof.rollup.stack import L2Stack
from faultproof.rollup.traces import RollupOutputs, RollupTraceSource, program_config_json
from faultproof.trace.executor import ExecutorTraceProvider
from faultproof.trace.provider import TraceProvider
from faultproof.vm import get_isa

pytestmark = pytest.mark.anvil

ISA = "riscv64"


@dataclass
class Rollup:
    """A running rollup and its L1 contracts, as the agents' commands see them."""

    chain: RpcChain
    url: str
    l2_url: str
    config_path: Path
    elf: Path
    l1: RollupL1
    head: int
    proposer: str
    challenger: str
    liar: str


@pytest.fixture
def rollup(tmp_path: Path) -> Iterator[Rollup]:
    if not anvil_available():
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    isa = get_isa(ISA)
    with AnvilNode(hardfork="cancun") as anvil:
        chain = RpcChain(anvil.url)
        l1 = JsonRpc(anvil.url)
        deployer, proposer, challenger, liar, _, portal_deployer = chain.accounts[:6]
        for who in (proposer, challenger, liar):
            chain.set_balance(who, FUNDING)
        nonce = int(l1.call("eth_getTransactionCount", [portal_deployer, "latest"]), 16)
        portal = create_address(portal_deployer, nonce)
        l1.call("anvil_setBalance", ["0x" + secret_address(BATCHER_KEY).hex(), hex(FUNDING)])
        user = secret_address(USER_KEY)
        stack = L2Stack.start(anvil.url, bytes.fromhex(portal[2:]), BATCHER_KEY, {user: ETHER})
        try:
            config_path = tmp_path / "rollup.json"
            save_config(stack.config, config_path)  # sorted and indented: not the program's bytes
            elf = rollup_program_elf(program_config_json(stack.config), isa.name)
            l2_url = stack.server.url
            contracts = deploy_rollup_l1(
                chain,
                isa,
                isa.load_elf(elf).state_hash(),
                RollupOutputs(l2_url).output_root(0),
                stack.config.l2_chain_id,
                owner=deployer,
                portal_deployer=portal_deployer,
            )
            assert contracts.portal.address.lower() == portal.lower()
            l1.call("anvil_setBlockTimestampInterval", [L1_BLOCK_TIME])
            tx = UnsignedTx(nonce=0, to=b"\x77" * 20, value=1000, gas_limit=21_000,
                            max_fee_per_gas=10**10, max_priority_fee_per_gas=10**8)  # fmt: skip
            stack.node.submit(tx_bytes(sign_tx(tx, USER_KEY, stack.config.l2_chain_id)))
            for _ in range(3):
                chain.warp(L1_BLOCK_TIME)
                stack.advance(post=False)
            stack.batcher.post()
            chain.warp(L1_BLOCK_TIME)
            head = stack.node.safe_number
            assert head >= 2
            yield Rollup(
                chain, anvil.url, l2_url, config_path, elf, contracts, head,
                proposer, challenger, liar,
            )  # fmt: skip
        finally:
            stack.stop()


def _command(*args: str, exit_code: int = 0) -> list[dict[str, Any]]:
    """Run one agent command in-process; its JSON lines."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == exit_code, (result.output, result.exception)
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def _propose(r: Rollup) -> Contract:
    lines = _command(
        "proposer", "--rpc-url", r.url, "--sender", r.proposer,
        "--factory", r.l1.system.factory.address, "--game-type", str(r.l1.cfg.game_type),
        "--outputs", "faultproof.rollup.traces:proposer_outputs",
        "--outputs-arg", f"l2={r.l2_url}", "--polls", "1",
    )  # fmt: skip
    assert len(lines) == 1 and lines[0]["game"], lines
    assert lines[0]["l2_block_number"] == r.head
    assert bytes.fromhex(lines[0]["root_claim"][2:]) == RollupOutputs(r.l2_url).output_root(r.head)
    return r.chain.at(lines[0]["game"], artifact("FaultDisputeGame"))


def _challenge(r: Rollup, data: Path, isa: str = ISA, exit_code: int = 0) -> dict[str, Any]:
    """One poll of the challenger command (a fresh process each time, as after a restart)."""
    lines = _command(
        "challenger", "--rpc-url", r.url, "--sender", r.challenger,
        "--factory", r.l1.system.factory.address, "--game-type", str(r.l1.cfg.game_type),
        "--traces", "faultproof.rollup.traces:challenger_traces",
        "--traces-arg", f"l2={r.l2_url}", "--traces-arg", f"config={r.config_path}",
        "--traces-arg", f"isa={isa}", "--traces-arg", f"cache={data / 'games'}",
        "--store", str(data / "challenger.json"), "--claimant", r.proposer, "--polls", "1",
        exit_code=exit_code,
    )  # fmt: skip
    if exit_code:
        return {}
    assert len(lines) == 1, lines
    assert not lines[0].get("errors"), lines[0]
    return lines[0]


def _settle(r: Rollup, data: Path) -> None:
    """Let the clocks, the finality and the withdrawal delays pass, polling after each."""
    cfg = r.l1.cfg
    for wait in (cfg.max_clock_duration, cfg.finality_delay, cfg.withdrawal_delay):
        r.chain.warp(wait + 1)
        for _ in range(10):
            line = _challenge(r, data)
            if not (line["moves"] + line["steps"] + line["resolved_claims"]
                    + len(line["resolved_games"]) + line["credit_claims"]):  # fmt: skip
                break


def test_the_proposer_command_posts_the_honest_output_and_the_challenger_leaves_it(
    rollup: Rollup, tmp_path: Path
) -> None:
    """The default-run variant: both factories through the commands, no dispute. The config
    file is `save_config`'s (sorted keys): the challenger still builds the deployed program."""
    honest = _propose(rollup)
    _challenge(rollup, tmp_path / "data", isa="sparc", exit_code=2)  # one line, no traceback
    line = _challenge(rollup, tmp_path / "data")
    assert (line["new_games"], line["moves"], line["steps"]) == (1, 0, 0)
    _settle(rollup, tmp_path / "data")
    assert GameStatus(honest.call("status")) == GameStatus.DEFENDER_WINS


def test_the_challenger_command_defeats_a_lying_proposal_one_poll_at_a_time(
    rollup: Rollup, tmp_path: Path
) -> None:
    r, data = rollup, tmp_path / "data"
    honest = _propose(r)

    def lie(block: int, real: bytes) -> bytes:
        return b"\x66" * 32 if block >= r.head else real

    liar_outputs = RollupOutputs(r.l2_url, lie=lie)
    bad = Proposer(r.l1.system.factory, r.liar, liar_outputs, r.l1.cfg.game_type).poll()
    assert bad is not None

    def forge(real: ExecutorTraceProvider) -> TraceProvider:
        return ForgedTrace(real, real.final_step() // 2)

    isa = get_isa(ISA)
    liar_traces = RollupTraceSource(
        r.url, r.l2_url, isa, r.elf, None, outputs=liar_outputs.output_root, wrap=forge
    )
    accessor = liar_traces.accessor(bad, read_params(bad))
    assert accessor is not None
    liar = Player("liar", r.liar, accessor, bad, r.l1.oracle)
    before = r.chain.get_balance(r.challenger)
    moves = steps = 0
    for _ in range(60):
        line = _challenge(r, data)
        moves += line["moves"]
        steps += line["steps"]
        acts = liar.act()
        r.chain.warp(60)
        if not line["moves"] + line["steps"] + len(acts):
            break
    assert steps == 1 and moves > r.l1.cfg.split_depth
    assert int(bad.call("claimDataLen")) > r.l1.cfg.max_game_depth // 2
    assert any((data / "games").rglob("meta.json")), "the per-game trace cache was used"
    _settle(r, data)
    assert GameStatus(honest.call("status")) == GameStatus.DEFENDER_WINS
    assert GameStatus(bad.call("status")) == GameStatus.CHALLENGER_WINS
    assert r.chain.get_balance(r.challenger) > before, "the challenger collected the liar's bonds"
