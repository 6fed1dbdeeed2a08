"""The challenger service against Optimism's October-2024 games (FDG 1.3.1-beta.5 as mocked in
tests/agents/old_generation): it plays, resolves and collects its bonds there, where the bond is
credited and unlocked at ``resolveClaim`` and one ``claimCredit`` pays it after DelayedWETH's
delay, without the ``bondDistributionMode`` our games have (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from old_generation_system import (
    INIT_BOND,
    MAX_CLOCK_DURATION,
    PRESTATE,
    SPLIT_DEPTH,
    WITHDRAWAL_DELAY,
    OldSystem,
    deploy_old_system,
)

from faultproof.agents.onchain import GameParams
from faultproof.agents.service import (
    BOND_MODES,
    COLLECT,
    CREDIT_AT_RESOLVE,
    DONE,
    Challenger,
    ChallengerStore,
    PollReport,
    game_generation,
)
from faultproof.chain import ContractReverted, EmbeddedChain
from faultproof.contracts import Contract
from faultproof.contracts.dispute import DisputeConfig, artifact, deploy_dispute_system
from faultproof.crypto import keccak256
from faultproof.game.types import GameStatus
from faultproof.trace.provider import ArrayTraceProvider
from faultproof.trace.split import ProviderAccessor, TraceAccessor

L2_BLOCK = 4


class HonestOutputs:
    """The challenger's view: output roots ``keccak("output i")`` over the top game only."""

    def __init__(self) -> None:
        self.provider = ArrayTraceProvider(lambda i: b"output %d" % i, SPLIT_DEPTH, PRESTATE,
                                           length=2**SPLIT_DEPTH)

    def accessor(self, game: Contract, params: GameParams) -> TraceAccessor | None:
        return ProviderAccessor(self.provider) if params.absolute_prestate == PRESTATE else None


TRUE_ROOT = keccak256(b"output %d" % (2**SPLIT_DEPTH - 1))


@pytest.fixture
def chain() -> EmbeddedChain:
    return EmbeddedChain()


@pytest.fixture
def old(chain: EmbeddedChain) -> OldSystem:
    owner = chain.accounts[0]
    return deploy_old_system(chain, owner, chain.accounts[5])


def service(old: OldSystem, store: Path) -> Challenger:
    oracle = old.chain.deploy_contract(artifact("MockOracle"), 0)
    return Challenger(old.factory, oracle, old.chain.accounts[2], HonestOutputs(),
                      ChallengerStore.open(store), [0])


def test_mocks_are_the_old_generation(old: OldSystem, chain: EmbeddedChain) -> None:
    game = old.create_game(TRUE_ROOT, L2_BLOCK, chain.accounts[1])
    assert game.call("version") == "1.3.1-beta.5"
    as_new = chain.at(game.address, artifact("FaultDisputeGame"))
    for missing in ("bondDistributionMode", "closeGame"):
        with pytest.raises(ContractReverted) as info:
            as_new.call(missing)
        assert info.value.data == b"", "a selector-less revert, like Solidity without fallback"
    assert game_generation(as_new) == CREDIT_AT_RESOLVE
    assert game.call("startingOutputRoot")[1] == 0 and game.call("l2BlockNumber") == L2_BLOCK
    assert game.call("gameCreator").lower() == chain.accounts[1].lower()


def test_our_games_are_bond_modes() -> None:
    chain = EmbeddedChain()
    system = deploy_dispute_system(chain, DisputeConfig())
    game = system.create_game(keccak256(b"root"), l2_block_number=10)
    assert game_generation(game) == BOND_MODES


def run(old: OldSystem, store: Path, crash: bool) -> list[PollReport]:
    """Poll (a fresh service each time with ``crash``) until a poll sends nothing."""
    reports = []
    challenger = service(old, store)
    for _ in range(50):
        if crash:
            challenger = service(old, store)
        report = challenger.poll(max_transactions=1 if crash else None)
        reports.append(report)
        if not report.transactions:
            return reports
    raise AssertionError("the service never settled")


@pytest.mark.parametrize("crash", [False, True], ids=["steady", "killed-after-every-tx"])
def test_plays_resolves_and_collects_on_an_old_game(
    old: OldSystem, chain: EmbeddedChain, tmp_path: Path, crash: bool
) -> None:
    proposer, challenger = chain.accounts[1], chain.accounts[2]
    wrong = old.create_game(keccak256(b"a wrong output"), L2_BLOCK, proposer)
    right = old.create_game(TRUE_ROOT, L2_BLOCK - 1, proposer)
    store = tmp_path / "challenger.json"
    before = chain.get_balance(challenger)

    moves = sum(r.moves for r in run(old, store, crash))
    assert moves == 1 and wrong.call("claimDataLen") == 2, "the wrong root is attacked"
    assert right.call("claimDataLen") == 1
    _p, _c, _who, my_bond, *_ = wrong.call("claimData", 1)

    chain.warp(MAX_CLOCK_DURATION + 1)
    reports = run(old, store, crash)
    assert sum(r.resolved_claims for r in reports) == 3
    assert GameStatus(wrong.call("status")) == GameStatus.CHALLENGER_WINS
    assert GameStatus(right.call("status")) == GameStatus.DEFENDER_WINS
    # resolveClaim credited and unlocked: the old generation's only ledger.
    assert wrong.call("credit", challenger) == INIT_BOND + my_bond
    assert right.call("credit", proposer) == INIT_BOND

    # DelayedWETH's delay is running: the claimer waits quietly, poll after poll.
    saved = ChallengerStore.open(store)
    assert saved.phase(wrong.address) == COLLECT
    for _ in range(3):
        chain.warp(3600)
        report = service(old, store).poll()
        assert (report.errors, report.transactions) == ([], 0)
    assert ChallengerStore.open(store).generation(wrong.address) == CREDIT_AT_RESOLVE

    chain.warp(WITHDRAWAL_DELAY)
    reports = run(old, store, crash)
    assert sum(r.credit_claims for r in reports) == 1, "one claimCredit pays it all"
    assert all(not r.errors for r in reports)
    assert wrong.call("credit", challenger) == 0
    assert chain.get_balance(challenger) - before == INIT_BOND, "own bond back, the root's won"
    assert right.call("credit", proposer) == INIT_BOND, "the proposer's credit is its own"
    saved = ChallengerStore.open(store)
    assert {saved.phase(wrong.address), saved.phase(right.address)} == {DONE}
    assert service(old, store).active_games() == []


def test_restart_in_the_middle_of_collecting(
    old: OldSystem, chain: EmbeddedChain, tmp_path: Path
) -> None:
    """A store left in the collect phase (the generation not yet probed, as a store written by an
    older release) is picked up by a new process and paid once the delay is over."""
    wrong = old.create_game(keccak256(b"a wrong output"), L2_BLOCK, chain.accounts[1])
    store = tmp_path / "challenger.json"
    run(old, store, crash=False)
    chain.warp(MAX_CLOCK_DURATION + 1)
    run(old, store, crash=False)
    saved = ChallengerStore.open(store)
    del saved.games[wrong.address]["generation"]
    saved.save()
    chain.warp(WITHDRAWAL_DELAY + 1)
    report = service(old, store).poll()
    assert (report.credit_claims, report.errors) == (1, [])
    assert ChallengerStore.open(store).phase(wrong.address) == DONE
    assert wrong.call("credit", chain.accounts[2]) == 0
