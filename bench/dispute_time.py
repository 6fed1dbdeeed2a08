"""How long a whole dispute takes with the real VMs: the demo's game, played by the agents.

For each VM type: the demo rollup's fault proof program, a dishonest proposer (the proposer loop on
a rollup that went wrong) defending its output as a consistent liar, and the challenger service
countering it, then resolving the game and collecting the bonds. Printed per run:

  * set-up: building the rollup, the guest, a probe run for the execution depth, and deploying;
  * bisection: wall time until nobody moves (moves, the step, the VM runs behind every claim);
  * settle: resolving every claim and the game, then the two claimCredit calls;
  * the challenger's transactions (gas per action is `game_gas.py`'s table).

Chains: the embedded EVM (pyrevm, in process) and, with ``--anvil``, a local anvil node over
JSON-RPC (started and stopped by this script). Nothing here is asserted; see bench/README.md.

    python bench/dispute_time.py [--isa mips32 ...] [--blocks 8] [--anvil] [--crash]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import read_params
from faultproof.agents.proposer import Proposer
from faultproof.chain import Chain, EmbeddedChain
from faultproof.demo.dispute import DemoSettings, build_world, play_out
from faultproof.game.types import GameStatus


@contextmanager
def chain_for(kind: str) -> Iterator[Chain]:
    if kind == "embedded":
        yield EmbeddedChain()
        return
    from faultproof.chain.anvil import AnvilNode
    from faultproof.chain.rpc import RpcChain

    node = AnvilNode()
    try:
        yield RpcChain(node.url)
    finally:
        node.stop()


def one_run(isa: str, blocks: int, kind: str, crash: bool) -> list[str]:
    t0 = time.perf_counter()
    with chain_for(kind) as chain:
        w = build_world(
            DemoSettings(isa=isa, blocks=blocks, bad_block=max(1, blocks // 2)), chain=chain
        )
        game = Proposer(w.system.factory, w.proposer, w.liar, w.config.game_type).poll()
        assert game is not None
        accessor = w.liar_traces.accessor(game, read_params(game))
        assert accessor is not None
        liar = Player("proposer", w.proposer, accessor, game, w.oracle)
        setup = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as d:
            stats = play_out(w, liar, Path(d) / "challenger.json", crash)
        status = GameStatus(game.call("status")).name
        claims = game.call("claimDataLen")
    txs = stats.moves + stats.steps + stats.resolves + stats.credit_claims
    return [
        isa,
        kind + (" (restart per tx)" if crash else ""),
        str(w.config.max_game_depth),
        str(claims),
        f"{setup:.2f}",
        f"{stats.bisection_seconds:.2f}",
        f"{stats.settle_seconds:.2f}",
        f"{stats.moves}/{stats.steps}/{stats.resolves}/{stats.credit_claims}",
        str(txs),
        status,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--isa", action="append", help="VM types (default: mips32 riscv64)")
    parser.add_argument("--blocks", type=int, default=8, help="rollup blocks in the proposal")
    parser.add_argument("--anvil", action="store_true", help="also on a local anvil node")
    parser.add_argument("--crash", action="store_true", help="also with a restart per transaction")
    args = parser.parse_args()
    console = Console(width=200)
    table = Table(
        title=f"A whole dispute with the agents ({args.blocks} blocks, liar from the middle)"
    )
    for col in ("VM", "chain", "max depth", "claims", "set-up s", "bisection s", "settle s",
                "challenger moves/steps/resolves/claims", "challenger txs", "result"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("VM", "chain", "result") else "right")
    kinds = ["embedded"] + (["anvil"] if args.anvil else [])
    for isa in args.isa or ["mips32", "riscv64"]:
        for kind in kinds:
            for crash in [False, True] if args.crash else [False]:
                with console.status(f"{isa} on {kind}"):
                    table.add_row(*one_run(isa, args.blocks, kind, crash))
    console.print(table)


if __name__ == "__main__":
    main()
