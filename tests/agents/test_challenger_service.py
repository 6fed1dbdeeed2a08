"""The challenger service against the demo rollup on the embedded chain.

Each scene deploys the demo's dispute system, lets a proposer post games, runs the service (and a
lying player where a game is wrong) until nobody moves, then lets the clocks, the finality delay
and DelayedWETH's delay pass while the service keeps polling.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import read_params
from faultproof.agents.service import (
    DONE,
    IGNORED,
    Challenger,
    ChallengerStore,
    StoreError,
)
from faultproof.chain import Chain, RpcError
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.contracts import Contract
from faultproof.demo.dispute import (
    DemoSettings,
    DemoWorld,
    build_world,
    play_out,
    start_challenger,
)
from faultproof.demo.rollup import HashchainRollup, demo_batches
from faultproof.demo.traces import RollupTraces
from faultproof.game.types import GameStatus
from faultproof.preimage.errors import PreimageMismatch

SETTINGS = DemoSettings(isa="mips32", blocks=4, bad_block=3)


@pytest.fixture
def world() -> DemoWorld:
    return build_world(SETTINGS)


def propose(w: DemoWorld, honest: bool, block: int | None = None) -> Contract:
    rollup = w.honest if honest else w.liar
    block = w.claimed_block if block is None else block
    return w.system.create_game(rollup.output_root(block), block, sender=w.proposer)


def liar_for(w: DemoWorld, game: Contract) -> Player:
    accessor = w.liar_traces.accessor(game, read_params(game))
    assert accessor is not None
    return Player("proposer", w.proposer, accessor, game, w.oracle)


def bonds_of(game: Contract, who: str) -> int:
    total = 0
    for i in range(game.call("claimDataLen")):
        _parent, _countered, claimant, bond, *_ = game.call("claimData", i)
        if claimant.lower() == who.lower():
            total += bond
    return total


@pytest.mark.parametrize("crash", [False, True], ids=["steady", "killed-after-every-tx"])
def test_counters_the_wrong_proposal_leaves_the_right_one_and_collects(
    world: DemoWorld, tmp_path: Path, crash: bool
) -> None:
    w = world
    right = propose(w, honest=True)
    wrong = propose(w, honest=False)
    store = tmp_path / "challenger.json"
    before = w.chain.get_balance(w.challenger)
    stats = play_out(w, liar_for(w, wrong), store, crash)

    assert GameStatus(wrong.call("status")) == GameStatus.CHALLENGER_WINS
    assert GameStatus(right.call("status")) == GameStatus.DEFENDER_WINS
    assert right.call("claimDataLen") == 1, "an output it agrees with is not attacked"
    # Its own bonds back plus every bond the liar posted; nothing taken from the right proposal.
    assert w.chain.get_balance(w.challenger) - before == bonds_of(wrong, w.proposer)
    assert wrong.call("credit", w.challenger) == 0
    assert right.call("credit", w.proposer) > 0, "the proposer's credit is the proposer's to claim"
    assert stats.still_tracked == 0
    assert stats.credit_claims == 2, "unlock, then withdraw"
    assert (stats.restarts > stats.rounds) == crash
    saved = ChallengerStore.open(store)
    assert saved.scanned == 2
    assert {saved.phase(right.address), saved.phase(wrong.address)} == {DONE}


def test_defends_a_right_proposal_against_a_lying_challenger(
    world: DemoWorld, tmp_path: Path
) -> None:
    """A dishonest challenger attacks a correct output; the service defends it and wins."""
    w = world
    right = propose(w, honest=True)
    attacker = w.chain.accounts[4]
    w.chain.set_balance(attacker, 10_000 * 10**18)
    accessor = w.liar_traces.accessor(right, read_params(right))
    assert accessor is not None
    liar = Player("attacker", attacker, accessor, right, w.oracle)
    before = w.chain.get_balance(w.challenger)
    play_out(w, liar, tmp_path / "challenger.json")
    assert GameStatus(right.call("status")) == GameStatus.DEFENDER_WINS
    assert liar.log.moves > 0, "the attacker did attack"
    assert w.chain.get_balance(w.challenger) - before == bonds_of(right, attacker)
    assert right.call("credit", w.proposer) > 0, "the root bond is the proposer's"


@pytest.mark.anvil
def test_plays_and_collects_over_json_rpc_on_anvil(anvil_chain: Chain, tmp_path: Path) -> None:
    w = build_world(SETTINGS, chain=anvil_chain)
    wrong = propose(w, honest=False)
    before = w.chain.get_balance(w.challenger)
    store = tmp_path / "challenger.json"
    play_out(w, liar_for(w, wrong), store)
    assert GameStatus(wrong.call("status")) == GameStatus.CHALLENGER_WINS
    gas_price_paid = before + bonds_of(wrong, w.proposer) - w.chain.get_balance(w.challenger)
    assert 0 <= gas_price_paid < 10**17, "bonds back and won, less what the transactions cost"


def test_games_it_cannot_judge_or_too_old_are_ignored(world: DemoWorld, tmp_path: Path) -> None:
    w = world
    old = propose(w, honest=False)
    w.chain.warp(7200)
    foreign_anchor = HashchainRollup(demo_batches(4, seed=b"another chain"))
    other = RollupTraces(
        foreign_anchor, w.honest_traces.isa, w.honest_traces.elf, w.honest_traces.store
    )
    blind = Challenger(
        w.system.factory,
        w.oracle,
        w.challenger,
        other,
        ChallengerStore.open(tmp_path / "blind.json"),
        [w.config.game_type],
    )
    fresh = propose(w, honest=False, block=w.claimed_block - 1)
    report = blind.poll()
    assert (report.new_games, report.ignored, report.transactions) == (0, 2, 0)

    windowed = Challenger(
        w.system.factory,
        w.oracle,
        w.challenger,
        w.honest_traces,
        ChallengerStore.open(tmp_path / "window.json"),
        [w.config.game_type],
        game_window=3600,
    )
    report = windowed.poll()
    assert (report.new_games, report.ignored) == (1, 1)
    assert windowed.store.phase(old.address) == IGNORED
    assert report.moves == 1 and fresh.call("claimDataLen") == 2
    assert old.call("claimDataLen") == 1

    other_type = Challenger(
        w.system.factory,
        w.oracle,
        w.challenger,
        w.honest_traces,
        ChallengerStore.open(tmp_path / "type.json"),
        [w.config.game_type + 1],
    )
    report = other_type.poll()
    assert (report.new_games, report.ignored, report.transactions) == (0, 2, 0)


def test_a_restarted_service_does_not_read_old_games_again(
    world: DemoWorld, tmp_path: Path
) -> None:
    w = world
    propose(w, honest=True)
    store = tmp_path / "challenger.json"
    first = start_challenger(w, store, w.honest_traces).poll()
    assert first.new_games == 1
    again = start_challenger(w, store, w.honest_traces)
    calls: list[Any] = []
    original = again.factory.call

    def counting(name: str, *args: Any, **kw: Any) -> Any:
        calls.append(name)
        return original(name, *args, **kw)

    again.factory.call = counting  # type: ignore[method-assign]
    report = again.poll()
    assert (report.new_games, report.ignored) == (0, 0)
    assert "gameAtIndex" not in calls


def test_chain_errors_are_reported_and_the_next_poll_carries_on(
    world: DemoWorld, tmp_path: Path
) -> None:
    w = world
    wrong = propose(w, honest=False)
    store = tmp_path / "challenger.json"
    challenger = start_challenger(w, store, w.honest_traces)
    original = w.chain.transact
    failures = [1]

    def flaky(*args: Any, **kw: Any) -> Any:
        if failures:
            failures.pop()
            raise RpcError("connection reset by peer")
        return original(*args, **kw)

    w.chain.transact = flaky  # type: ignore[method-assign]
    report = challenger.poll()
    assert report.errors and "connection reset" in report.errors[0]
    assert wrong.call("claimDataLen") == 1
    play_out(w, liar_for(w, wrong), store)
    assert GameStatus(wrong.call("status")) == GameStatus.CHALLENGER_WINS


class _RefusedOnce:
    """A trace accessor whose node lies once: the preimage store refuses what it served, so
    the first question fails; the node answers honestly afterwards."""

    def __init__(self, inner: Any, lies: list[int]) -> None:
        self._inner = inner
        self._lies = lies

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def call(*args: Any, **kw: Any) -> Any:
            if self._lies:
                self._lies.pop()
                raise PreimageMismatch("value served for 0x02ab.. hashes to 0x77cd..")
            return value(*args, **kw)

        return call


def test_a_trace_its_node_lied_about_posts_nothing_and_is_retried(
    world: DemoWorld, tmp_path: Path
) -> None:
    """A refused preimage (the node lied to the host) is an error of that game for that poll:
    no claim is posted on a trace nobody verified, no bond is spent, the other games go on,
    and the game is won on a later poll once the node answers truthfully."""
    w = world
    wrong = propose(w, honest=False)
    other = propose(w, honest=False, block=w.claimed_block - 1)
    lies = [1]
    traces = w.honest_traces
    original = traces.accessor

    def lying_accessor(game: Contract, params: Any) -> Any:
        inner = original(game, params)
        return (
            None
            if inner is None
            else (_RefusedOnce(inner, lies) if game.address == wrong.address else inner)
        )

    traces.accessor = lying_accessor  # type: ignore[method-assign]
    store = tmp_path / "challenger.json"
    challenger = start_challenger(w, store, traces)
    before = w.chain.get_balance(w.challenger)
    report = challenger.poll()
    assert len(report.errors) == 1 and "hashes to" in report.errors[0]
    assert wrong.address in report.errors[0]
    assert wrong.call("claimDataLen") == 1, "nothing posted on a refused trace"
    assert other.call("claimDataLen") == 2, "the other game was countered in the same poll"
    assert w.chain.get_balance(w.challenger) == before - bonds_of(other, w.challenger)
    play_out(w, liar_for(w, wrong), store)
    assert GameStatus(wrong.call("status")) == GameStatus.CHALLENGER_WINS
    assert GameStatus(other.call("status")) == GameStatus.CHALLENGER_WINS


def test_a_factory_that_cannot_be_read_does_not_stop_the_known_games(
    world: DemoWorld, tmp_path: Path
) -> None:
    w = world
    wrong = propose(w, honest=False)
    challenger = start_challenger(w, tmp_path / "challenger.json", w.honest_traces)
    assert challenger.poll().moves == 1
    liar_for(w, wrong).act()
    original = challenger.factory.call

    def down(name: str, *args: Any, **kw: Any) -> Any:
        if name == "gameCount":
            raise RpcError("gameCount: 503 Service Unavailable")
        return original(name, *args, **kw)

    challenger.factory.call = down  # type: ignore[method-assign]
    report = challenger.poll()
    assert report.errors and "503" in report.errors[0]
    assert report.moves == 1, "the game it already knew was played on"


def test_an_unreadable_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "challenger.json"
    path.write_text('{"scanned": 3')
    with pytest.raises(StoreError, match="unreadable"):
        ChallengerStore.open(path)


def test_the_store_is_replaced_atomically(tmp_path: Path) -> None:
    store = ChallengerStore.open(tmp_path / "challenger.json")
    store.scanned = 5
    store.set_phase("0xabc", DONE, index=4)
    assert ChallengerStore.open(tmp_path / "challenger.json").phase("0xabc") == DONE
    assert [p.name for p in tmp_path.iterdir()] == ["challenger.json"], "no temporary file left"


__all__ = ["anvil_chain", "anvil_node"]
