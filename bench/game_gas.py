"""Gas used by the Vyper dispute contracts for each game action, as a rich table.

Runs one full game on the embedded chain (pyrevm, Cancun): the factory creates a game, both
sides bisect down to a step, the honest side steps, every subgame resolves, the game closes and
pays out through DelayedWETH. Two configurations: the small test tree (max depth 4, split 2)
and mainnet's (73 / 30), where only the first moves are played (the costs per move do not
depend on the depth except for the exec-root check and the bond math).

    python bench/game_gas.py
"""

from __future__ import annotations

from collections import defaultdict

from rich.console import Console
from rich.table import Table

from faultproof.chain import EmbeddedChain
from faultproof.contracts.dispute import (
    DisputeConfig,
    alphabet_claim,
    alphabet_state,
    artifact,
    deploy_dispute_system,
)
from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth


def out(block: int, honest: bool = True) -> bytes:
    return keccak256(f"{honest} output {block}".encode())


def small_game(samples: dict[str, list[int]]) -> None:
    chain = EmbeddedChain()
    system = deploy_dispute_system(chain, DisputeConfig())
    proposer, challenger = chain.accounts[1], chain.accounts[2]

    def bond(d: int) -> int:
        return required_bond_at_depth(d, 4)

    f = system.factory
    r = f.transact("create", 255, out(4, False), (4).to_bytes(32, "big"),
                   value=system.config.init_bond, sender=proposer)
    samples["factory.create (blueprint deploy + initialize)"].append(r.gas_used)
    game = chain.at(f.events(r, "DisputeGameCreated")[0].args["disputeProxy"],
                    artifact("FaultDisputeGame"))
    root = out(4, False)
    moves = [
        (root, 0, out(2), challenger, 1, "attack (output bisection)"),
        (out(2), 1, out(1, False), proposer, 2, "attack (output bisection)"),
        (out(1, False), 2, alphabet_claim(2, 1), challenger, 3, "attack (exec sub-game root)"),
        (alphabet_claim(2, 1), 3, alphabet_claim(99), proposer, 4, "attack (exec bisection)"),
    ]
    for disputed, idx, claim, who, depth, label in moves:
        r = game.transact("attack", disputed, idx, claim, value=bond(depth), sender=who)
        samples[f"move: {label}"].append(r.gas_used)
    r = game.transact("addLocalData", 2, 4, 0, sender=challenger)
    samples["addLocalData (mock oracle)"].append(r.gas_used)
    r = game.transact("step", 4, True, alphabet_state(0), b"", sender=challenger)
    samples["step (AlphabetVM)"].append(r.gas_used)
    chain.warp(system.config.max_clock_duration + 1)
    for i in reversed(range(5)):
        r = game.transact("resolveClaim", i, 0)
        samples["resolveClaim (leaf)" if i == 4 else "resolveClaim (1 child)"].append(r.gas_used)
    r = game.transact("resolve")
    samples["resolve"].append(r.gas_used)
    chain.warp(system.config.finality_delay + 1)
    r = game.transact("claimCredit", challenger)
    samples["claimCredit #1 (closeGame + unlock)"].append(r.gas_used)
    chain.warp(system.config.withdrawal_delay)
    r = game.transact("claimCredit", challenger)
    samples["claimCredit #2 (withdraw + send)"].append(r.gas_used)


def mainnet_depth_moves(samples: dict[str, list[int]]) -> None:
    chain = EmbeddedChain()
    system = deploy_dispute_system(chain, DisputeConfig(max_game_depth=73, split_depth=30))
    game = system.create_game(out(100), 100)
    claim, idx = out(100), 0
    for depth in range(1, 6):
        new = keccak256(bytes([depth]))
        r = game.transact("attack", claim, idx, new, value=required_bond_at_depth(depth, 73))
        samples["move at mainnet depths 1-5 (73/30 tree)"].append(r.gas_used)
        claim, idx = new, depth
    r = game.transact("getRequiredBond", 1 << 73)  # view run as a tx, for its cost
    samples["getRequiredBond(depth 73) as tx"].append(r.gas_used)


def main() -> None:
    samples: dict[str, list[int]] = defaultdict(list)
    small_game(samples)
    mainnet_depth_moves(samples)
    table = Table(title="Vyper dispute game gas (tx gas incl. 21k intrinsic, pyrevm Cancun)")
    for col in ("action", "calls", "min", "avg", "max"):
        table.add_column(col, justify="left" if col == "action" else "right")
    for name, values in samples.items():
        table.add_row(name, str(len(values)), f"{min(values):,}",
                      f"{sum(values) // len(values):,}", f"{max(values):,}")
    sizes = Table(title="Runtime code size (EIP-170 limit 24,576 bytes)")
    sizes.add_column("contract")
    sizes.add_column("runtime", justify="right")
    sizes.add_column("initcode", justify="right")
    for name in ("FaultDisputeGame", "DisputeGameFactory", "AnchorStateRegistry", "DelayedWETH"):
        a = artifact(name)
        sizes.add_row(name, f"{a.runtime_size:,}", f"{a.initcode_size:,}")
    console = Console()
    console.print(table)
    console.print(sizes)


if __name__ == "__main__":
    main()
