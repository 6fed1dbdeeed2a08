"""The proposer loop against the demo's dispute system on the embedded chain."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from faultproof.agents.proposer import Proposer
from faultproof.demo.dispute import DemoSettings, DemoWorld, build_world
from faultproof.demo.rollup import HashchainRollup


@dataclass
class MovingHead:
    """The demo rollup with a safe head the test moves."""

    rollup: HashchainRollup
    head: int

    def safe_head(self) -> int:
        return self.head

    def output_root(self, block: int) -> bytes:
        return self.rollup.output_root(block)


@pytest.fixture
def world() -> DemoWorld:
    return build_world(DemoSettings(isa="mips32", blocks=4, bad_block=3))


def proposer_for(w: DemoWorld, outputs: MovingHead, who: str | None = None) -> Proposer:
    return Proposer(
        w.system.factory, who or w.proposer, outputs, w.config.game_type, proposal_interval=3600
    )


def test_proposes_the_safe_head_then_waits_for_the_interval_and_a_new_head(
    world: DemoWorld,
) -> None:
    w = world
    outputs = MovingHead(w.honest, 2)
    balance = w.chain.get_balance(w.proposer)
    game = proposer_for(w, outputs).poll()
    assert game is not None
    assert game.call("l2BlockNumber") == 2
    assert game.call("rootClaim") == w.honest.output_root(2)
    assert game.call("gameCreator").lower() == w.proposer.lower()
    bond = w.system.factory.call("initBonds", w.config.game_type)
    assert balance - w.chain.get_balance(w.proposer) == bond  # the embedded chain charges no gas

    assert proposer_for(w, outputs).poll() is None, "within the proposal interval"
    w.chain.warp(3601)
    assert proposer_for(w, outputs).poll() is None, "the safe head has not moved"
    outputs.head = 3
    second = proposer_for(w, outputs).poll()
    assert second is not None and second.call("l2BlockNumber") == 3
    last = proposer_for(w, outputs).last_proposal()
    assert last is not None and last.address.lower() == second.address.lower()


def test_other_proposers_games_do_not_count(world: DemoWorld) -> None:
    w = world
    theirs = proposer_for(w, MovingHead(w.honest, 2), who=w.challenger).poll()
    assert theirs is not None
    mine = proposer_for(w, MovingHead(w.honest, 3))
    assert mine.last_proposal() is None
    assert mine.poll() is not None


def test_a_proposal_already_on_chain_is_not_sent_again(world: DemoWorld) -> None:
    w = world
    assert proposer_for(w, MovingHead(w.honest, 4), who=w.challenger).poll() is not None
    count = w.system.factory.call("gameCount")
    mine = proposer_for(w, MovingHead(w.honest, 4))
    assert mine.poll() is None and "GameAlreadyExists" in mine.skipped
    assert w.system.factory.call("gameCount") == count


def test_a_safe_head_at_the_anchor_is_skipped_not_fatal(world: DemoWorld) -> None:
    w = world
    outputs = MovingHead(w.honest, 0)  # the anchor is block 0: nothing to propose yet
    proposer = proposer_for(w, outputs)
    assert proposer.poll() is None
    assert "would revert" in proposer.skipped
    assert w.system.factory.call("gameCount") == 0
    outputs.head = 1
    assert proposer.poll() is not None and proposer.skipped == ""
