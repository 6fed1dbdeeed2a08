"""The full honest-vs-dishonest game on every chain backend (embedded pyrevm and anvil)."""

from __future__ import annotations

from dispute_helpers import output_root

from faultproof.chain import Chain
from faultproof.contracts.dispute import (
    DisputeConfig,
    alphabet_claim,
    alphabet_state,
    deploy_dispute_system,
)
from faultproof.game.bonds import required_bond_at_depth


def test_full_game_pays_the_honest_challenger(any_chain: Chain) -> None:
    chain = any_chain
    cfg = DisputeConfig()
    system = deploy_dispute_system(chain, cfg)
    proposer, challenger = chain.accounts[1], chain.accounts[2]
    root = output_root(4, honest=False)
    game = system.create_game(root, 4, sender=proposer)

    def bond(d: int) -> int:
        return required_bond_at_depth(d, cfg.max_game_depth)

    exec_root = alphabet_claim(2, status=1)
    game.transact("attack", root, 0, output_root(2), value=bond(1), sender=challenger)
    game.transact("attack", output_root(2), 1, output_root(1, False), value=bond(2),
                  sender=proposer)
    game.transact("attack", output_root(1, False), 2, exec_root, value=bond(3), sender=challenger)
    game.transact("attack", exec_root, 3, alphabet_claim(99), value=bond(4), sender=proposer)
    game.transact("step", 4, True, alphabet_state(0), b"", sender=challenger)

    chain.warp(cfg.max_clock_duration + 1)
    for i in reversed(range(5)):
        game.transact("resolveClaim", i, 0)
    assert game.transact("resolve").events[0].args["status"] == 1  # CHALLENGER_WINS

    total = cfg.init_bond + sum(bond(d) for d in range(1, 5))
    assert system.weth.call("balanceOf", game.address) == total
    chain.warp(cfg.finality_delay + 1)
    game.transact("claimCredit", challenger)
    chain.warp(cfg.withdrawal_delay)
    before = chain.get_balance(challenger)
    game.transact("claimCredit", challenger, sender=proposer)  # anyone may trigger the payout
    assert chain.get_balance(challenger) == before + total
    assert system.weth.call("balanceOf", game.address) == 0
