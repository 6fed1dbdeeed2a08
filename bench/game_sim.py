"""Dispute-game simulation throughput, and the size of a full mainnet-shaped game.

Prints a table with:
  * random games per second (depth 10 / split 4, honest actor vs. a random mix of adversaries),
  * moves and steps of a full depth-73 / split-30 game with mainnet clock settings,
  * raw engine move throughput (moves per second, no solver).

Run: python bench/game_sim.py [--games N]
"""

from __future__ import annotations

import argparse
import random
import time

from rich.console import Console
from rich.table import Table

from faultproof.crypto import keccak256
from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.simulate import SimParams, build_world, liar, play, simulate_random_game
from faultproof.game.types import VMStatus, with_status


def bench_random_games(games: int) -> tuple[float, float, int, int, int]:
    """(wall seconds, CPU seconds, moves, claims, games the honest actor lost or lost bonds in)."""
    start, cpu = time.perf_counter(), time.process_time()
    moves = claims = lost = 0
    for seed in range(games):
        result = simulate_random_game(seed)
        moves += result.moves
        claims += result.claims
        lost += (not result.honest_won) or result.honest_credit < result.honest_deposit
    return time.perf_counter() - start, time.process_time() - cpu, moves, claims, lost


def bench_full_game(honest_is_proposer: bool) -> tuple[float, int, int, int]:
    params = SimParams.mainnet_shape(honest_is_proposer)
    start = time.perf_counter()
    world = build_world(params, seed=1)
    result = play(world, [liar], random.Random(1), adversary_budget=1000)
    return time.perf_counter() - start, result.moves, result.steps, result.end_time


def bench_engine_moves(count: int) -> float:
    """Moves per second of the bare engine: a wide game of root attacks, no solver."""
    config = GameConfig(73, 30, 10800, 302400, bytes(32), lambda s, p, c: bytes(32), 86400)
    game = FaultDisputeGame(config, keccak256(b"root"), 2, OutputRoot(bytes(32), 1), "a", 0, 0)
    bond = config.required_bond(Position(2))
    start = time.perf_counter()
    for i in range(count):
        claim = with_status(keccak256(i.to_bytes(8, "big")), VMStatus.INVALID)
        game.move(game.claims[0].claim, 0, claim, True, bond, "b", 1)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--games", type=int, default=200)
    args = parser.parse_args()

    seconds, cpu, moves, claims, lost = bench_random_games(args.games)
    table = Table(title="faultproof dispute game simulation")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("random games (depth 10 / split 4)", f"{args.games}")
    table.add_row("games per second (wall)", f"{args.games / seconds:,.1f}")
    table.add_row("games per CPU second", f"{args.games / cpu:,.1f}")
    table.add_row("moves per random game (mean)", f"{moves / args.games:,.1f}")
    table.add_row("claims per random game (mean)", f"{claims / args.games:,.1f}")
    table.add_row("games the honest actor lost", f"{lost}")
    for proposer in (True, False):
        role = "proposer" if proposer else "challenger"
        secs, full_moves, steps, end = bench_full_game(proposer)
        table.add_row(f"depth-73/split-30 game, honest {role}: moves", f"{full_moves}")
        table.add_row(f"depth-73/split-30 game, honest {role}: steps", f"{steps}")
        table.add_row(f"depth-73/split-30 game, honest {role}: wall time", f"{secs:.2f} s")
        table.add_row(f"depth-73/split-30 game, honest {role}: game time", f"{end / 86400:.2f} days")
    table.add_row("engine moves per second (no solver)", f"{bench_engine_moves(20000):,.0f}")
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
