"""Differential test: random action sequences on the Vyper game and on `faultproof.game`.

Both sides must accept or reject every action alike (same error name), pay the same amounts on
`claimCredit`, load the same local data (context, word, size) on `addLocalData`, and end with the same claim DAG (all seven `claimData` fields: bonds and clocks
included), challenger durations, resolution progress, subgame flags, status, bond distribution
mode and credit per account. Engine calls are atomic (tests/game/test_game_atomicity.py), so a
raised error is compared with a reverted transaction directly.
"""

from __future__ import annotations

import os
from typing import Any

from dispute_helpers import header_rlp, output_root, proof_for, root_for
from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from faultproof.chain import EmbeddedChain
from faultproof.contracts.dispute import (
    DisputeConfig,
    alphabet_claim,
    alphabet_state,
    deploy_dispute_system,
)
from faultproof.crypto import keccak256
from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.types import GameError

CFG = DisputeConfig()
DEEP = DisputeConfig(max_game_depth=7, split_depth=3)
CLAIMS = [alphabet_claim(t, s) for t in range(4) for s in (0, 1)] + [output_root(b) for b in (1, 2)]
WARPS = [0, 1, 600, CFG.clock_extension, CFG.max_clock_duration // 3, CFG.max_clock_duration]


def alphabet_step(state: bytes, proof: bytes, local_context: bytes) -> bytes:
    t, c = abi_decode(["uint256", "uint256"], state)
    return b"\x00" + keccak256(abi_encode(["uint256", "uint256"], [t + 1, c + 1]))[1:]


# Claim indices count back from the newest claim, so games tend to grow deep enough to step.
back = st.one_of(st.just(0), st.just(0), st.integers(0, 20))
action = st.one_of(
    st.tuples(st.just("move"), back, st.sampled_from(CLAIMS), st.sampled_from([True, True, False]),
              st.sampled_from([0, 0, 0, 0, 1]), st.integers(0, 2),
              st.sampled_from([True] * 9 + [False])),
    st.tuples(st.just("move"), back, st.sampled_from(CLAIMS), st.sampled_from([True, True, False]),
              st.just(0), st.integers(0, 2), st.just(True)),
    st.tuples(st.just("step"), back, st.booleans(), st.integers(0, 4), st.integers(0, 2)),
    st.tuples(st.just("step"), st.just(0), st.just(True), st.sampled_from([0, 0, 1, 2]),
              st.integers(0, 2)),
    st.tuples(st.just("warp"), st.sampled_from(WARPS)),
    st.tuples(st.just("warp"), st.just(CFG.max_clock_duration + 1)),
    st.tuples(st.just("dive"), st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)),
                                        min_size=2, max_size=4)),
    st.tuples(st.just("resolveClaim"), back, st.sampled_from([0, 1])),
    st.tuples(st.just("resolveAll"),),
    st.tuples(st.sampled_from(["resolve", "resolve", "resolve", "challengeRoot"]),
              st.integers(0, 2)),
    st.tuples(st.just("claimCredit"), st.integers(0, 2)),
    st.tuples(st.just("localData"), back, st.integers(0, 6)),
    st.tuples(st.just("endgame"), st.lists(st.integers(0, 2), max_size=6)),
)
# The root claim commits to a header for block 5 while claiming block 4, so the root's block
# number can be challenged.
HEADER = header_rlp(5)
PROOF = proof_for(HEADER)
EXAMPLES = int(os.environ.get("FAULTPROOF_DIFF_EXAMPLES", "100"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=1, max_size=25))
def test_contract_and_engine_agree(actions: list[tuple[Any, ...]]) -> None:
    check_agreement(CFG, actions)


@settings(max_examples=max(10, EXAMPLES // 3), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(action, min_size=1, max_size=30))
def test_contract_and_engine_agree_on_a_deeper_tree(actions: list[tuple[Any, ...]]) -> None:
    """Max depth 7 / split 3: the extension branches (split - 1, max - 1) sit elsewhere."""
    check_agreement(DEEP, actions)


def check_agreement(cfg: DisputeConfig, actions: list[tuple[Any, ...]]) -> None:
    chain = EmbeddedChain()
    system = deploy_dispute_system(chain, cfg)
    players = chain.accounts[1:4]
    root = root_for(PROOF)
    game = system.create_game(root, 4, sender=players[0])
    engine = FaultDisputeGame(
        GameConfig(cfg.max_game_depth, cfg.split_depth, cfg.clock_extension,
                   cfg.max_clock_duration, cfg.absolute_prestate, alphabet_step,
                   cfg.challenge_period, cfg.l2_chain_id),
        root, 4, OutputRoot(cfg.anchor_root, cfg.anchor_block), players[0].lower(),
        cfg.init_bond, game.call("createdAt"), l1_head=game.call("l1Head"),
    )
    def attempt(method: str, *args: Any) -> str | None:
        """Run one engine action; engine calls are atomic, so a raise is a reverted call."""
        try:
            getattr(engine, method)(*args)
        except GameError as exc:
            return type(exc).__name__
        return None

    queue = list(actions)  # grows: an endgame appends its credit claims
    for act in queue:
        kind, now = act[0], chain.timestamp
        n = engine.claim_data_len()
        if kind == "warp":
            chain.warp(act[1])
            continue
        err: str | None = None
        e: str | None = None
        if kind == "move":
            _, idx, claim, is_attack, extra, who, right_disputed = act
            idx = n - 1 - idx % n
            disputed = engine.claims[idx].claim if right_disputed else b"\xee" * 32
            depth = engine.claims[idx].position.move(is_attack).depth
            value = (engine.get_required_bond(Position(1 << min(depth, cfg.max_game_depth)))
                     + extra)
            receipt = game.try_transact("move", disputed, idx, claim, is_attack, value=value,
                                        sender=players[who])
            err = attempt("move", disputed, idx, claim, is_attack, value, players[who].lower(), now)
        elif kind == "step":
            _, idx, is_attack, t, who = act
            idx = n - 1 - idx % n
            receipt = game.try_transact("step", idx, is_attack, alphabet_state(t), b"",
                                        sender=players[who])
            err = attempt("step", idx, is_attack, alphabet_state(t), b"", players[who].lower())
        elif kind == "resolveClaim":
            _, idx, num = act
            idx = n - 1 - idx % n
            receipt = game.try_transact("resolveClaim", idx, num)
            err = attempt("resolve_claim", idx, num, now)
        elif kind == "dive":
            # Attack the newest claim repeatedly; an exec sub-game root gets an INVALID status so
            # the dive can reach max depth (and the step actions have something to counter).
            for t, who in act[1]:
                n = engine.claim_data_len()
                parent = engine.claims[n - 1]
                depth = parent.position.move(True).depth
                claim = alphabet_claim(t, 1 if depth == cfg.split_depth + 1 else 0)
                value = engine.get_required_bond(Position(1 << min(depth, cfg.max_game_depth)))
                r = game.try_transact("attack", parent.claim, n - 1, claim, value=value,
                                      sender=players[who])
                e = attempt("attack", parent.claim, n - 1, claim, value, players[who].lower(), now)
                assert r.error_name == e, (act, r.error_name, e)
                event(f"dive move: {e or 'ok'}")
            continue
        elif kind == "resolveAll":
            # Bottom-up: every subgame in reverse creation order, comparing each call.
            for i in reversed(range(n)):
                r = game.try_transact("resolveClaim", i, 0)
                e = attempt("resolve_claim", i, 0, now)
                assert r.error_name == e, (act, i, r.error_name, e)
                event(f"resolveAll claim: {e or 'ok'}")
            continue
        elif kind == "challengeRoot":
            who = players[act[1]]
            receipt = game.try_transact("challengeRootL2Block", PROOF, HEADER, sender=who)
            err = attempt("challenge_root_l2_block", 5, who.lower())
        elif kind == "localData":
            # addLocalData: same verdict, and the oracle gets the engine's (context, word, size).
            _, idx, ident = act
            below = [i for i, c in enumerate(engine.claims)
                     if c.position.depth > cfg.split_depth] or [n - 1 - idx % n]
            idx = below[idx % len(below)]  # mostly execution claims, where it can succeed
            receipt = game.try_transact("addLocalData", ident, idx, 0)
            err = attempt("local_data", ident, idx)
            if err is None:
                uuid, word, size = engine.local_data(ident, idx)
                oracle = system.oracle
                assert (oracle.call("lastLocalContext"), oracle.call("lastWord"),
                        oracle.call("lastSize")) == (uuid, word, size)
        elif kind == "endgame":
            # Let every clock run out, resolve bottom-up, then some credit claims.
            chain.warp(cfg.max_clock_duration + 1)
            now = chain.timestamp
            for i in reversed(range(n)):
                r = game.try_transact("resolveClaim", i, 0)
                assert r.error_name == attempt("resolve_claim", i, 0, now), (act, i)
            r = game.try_transact("resolve")
            e = attempt("resolve", now)
            assert r.error_name == e, (act, r.error_name, e)
            event(f"endgame resolve: {e or 'ok'}")
            queue.extend(("claimCredit", who) for who in act[1])
            continue
        elif kind == "claimCredit":
            # Once resolved, let the registry's finality delay and DelayedWETH's delay pass,
            # so both phases (unlock, then pay) can run; before that both sides must refuse.
            who = players[act[1]]
            if engine.resolved_at:
                chain.warp(cfg.finality_delay + cfg.withdrawal_delay + 1)
            before = chain.get_balance(who)
            receipt = game.try_transact("claimCredit", who, sender=players[0])
            try:
                paid = engine.claim_credit(who.lower())
                err = None
            except GameError as exc:
                paid, err = 0, type(exc).__name__
            assert chain.get_balance(who) - before == paid
        else:
            receipt = game.try_transact("resolve")
            err = attempt("resolve", now)
        assert receipt.error_name == err, (act, receipt.error_name, err)
        event(f"{kind}: {err or 'ok'}")

    assert game.call("claimDataLen") == engine.claim_data_len()
    for i, c in enumerate(engine.claims):
        onchain = game.call("claimData", i)
        mine = c.as_tuple()
        assert onchain[0] == mine[0] and onchain[3:] == mine[3:], i
        assert onchain[1].lower() == mine[1].lower() and onchain[2].lower() == mine[2].lower()
        assert game.call("resolvedSubgames", i) == engine.is_resolved(i)
    assert game.call("status") == int(engine.status)
    assert game.call("bondDistributionMode") == int(engine.bond_distribution_mode)
    if engine.status == 0:  # clocks as the contract reads them now (views revert once resolved)
        for i in range(engine.claim_data_len()):
            assert game.call("getChallengerDuration", i) == engine.get_challenger_duration(
                i, chain.timestamp)
            assert game.call("getNumToResolve", i) == engine.get_num_to_resolve(i)
    for p in players:
        assert game.call("normalModeCredit", p) == engine.normal_mode_credit.get(p.lower(), 0)
        assert game.call("refundModeCredit", p) == engine.refund_mode_credit.get(p.lower(), 0)
