"""``faultproof demo``: a wrong rollup output disputed end to end on the embedded chain.

1. The demo rollup runs for a few blocks; its fault proof program (``guest/programs/rollup.c``)
   is loaded into the chosen FPVM, whose initial state hash is the game's absolute prestate.
2. Contracts: the PreimageOracle, the ISA's step contract, and the dispute system (factory,
   anchor registry at genesis, DelayedWETH, FaultDisputeGame blueprint for the ISA's game type).
3. A dishonest proposer posts an output root whose state went wrong at some block and defends it
   as a consistent liar: it plays the honest algorithm on its own (wrong) outputs and, inside the
   execution subgame, on a VM trace that is forged from some instruction on.
4. The honest challenger plays the real trace: the top game bisects outputs to the first bad block,
   the bottom game bisects the VM trace to one instruction, and the step contract executes that
   instruction on chain. Clocks run out, the game resolves bottom-up, and bonds are paid.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import resolve_all
from faultproof.chain import EmbeddedChain
from faultproof.contracts import load_contract
from faultproof.contracts.dispute import DisputeConfig, deploy_dispute_system
from faultproof.crypto import keccak256
from faultproof.demo.rollup import HashchainRollup, demo_batches
from faultproof.game.position import Position
from faultproof.game.types import GameStatus
from faultproof.preimage.store import MemoryStore
from faultproof.trace.executor import ExecutorTraceProvider
from faultproof.trace.provider import OutputTraceProvider, StepData, TraceProvider
from faultproof.trace.split import OutputClaimRef, SplitTraceProvider
from faultproof.vm import VMStatus, get_isa

ETHER = 10**18
FUNDING = 10_000 * ETHER


class LyingRollup(HashchainRollup):
    """The same batches, but the state transition goes wrong at ``bad_block``."""

    def __init__(self, batches: list[bytes], bad_block: int) -> None:
        self.bad_block = bad_block
        super().__init__(batches)
        for n in range(bad_block, len(self._states)):
            prev = self._states[n - 1]
            self._states[n] = keccak256(
                prev + self.batches[n - 1] + (b"oops" if n == bad_block else b"")
            )


class ForgedTrace:
    """A VM trace that agrees with the real one before ``lie_from`` and is made up after it.

    Its states carry the opposite verdict of the real run (VALID where the program really found
    the disputed output wrong, INVALID where it found it right): that is what a liar has to claim,
    and the game's status-byte rule at the split depth makes it claim exactly that.
    """

    def __init__(self, real: ExecutorTraceProvider, lie_from: int) -> None:
        self.real = real
        self.depth = real.depth
        self.lie_from = lie_from
        real_status = real.state_hash_at(real.final_step())[0]
        self.status = VMStatus.INVALID if real_status == VMStatus.VALID else VMStatus.VALID

    def get(self, position: Position) -> bytes:
        i = position.trace_index(self.depth)
        if i < self.lie_from:
            return self.real.get(position)
        return bytes([self.status]) + keccak256(b"forged" + i.to_bytes(8, "big"))[1:]

    def get_step_data(self, position: Position) -> StepData:
        return self.real.get_step_data(position)

    def get_step_data_at(self, trace_index: int) -> StepData:
        return self.real.get_step_data_at(trace_index)

    def absolute_prestate(self) -> bytes:
        return self.real.absolute_prestate()

    def absolute_prestate_commitment(self) -> bytes:
        return self.real.absolute_prestate_commitment()


@dataclass
class DemoSettings:
    isa: str = "mips32"
    blocks: int = 8
    bad_block: int = 5
    lie_fraction: float = 0.5
    """Where in the execution trace of the bad block the liar starts forging (0..1)."""
    crash_challenger: bool = False
    """Kill the challenger after every transaction it sends and start a fresh one (new process
    state, empty trace caches): it must resume from the chain alone and still win."""


def _bottom_depth(steps: int) -> int:
    return max(2, (steps + 1).bit_length())


def run_demo(settings: DemoSettings | None = None, console: Console | None = None) -> GameStatus:
    s = settings or DemoSettings()
    console = console or Console()
    t0 = time.monotonic()
    from faultproof.guests import guest_elf

    isa = get_isa(s.isa)
    console.rule(
        f"[bold]faultproof demo[/bold]: a wrong rollup output, disputed on chain ({isa.name})"
    )
    with console.status("building the rollup's fault proof program"):
        elf = guest_elf("rollup", isa.name)
    honest = HashchainRollup(demo_batches(s.blocks))
    liar = LyingRollup(honest.batches, s.bad_block)
    store = honest.store(MemoryStore())
    liar.store(store)  # a real challenger fetches these through hints; the demo pre-fills them

    def make_vm(start: bytes, disputed: bytes, block: int) -> Any:
        host = honest.host(start, disputed, block, store=store)
        return isa.load_elf(elf, host=host)

    # How deep the execution game must be: the program's length for one block.
    probe = make_vm(honest.output_root(0), honest.output_root(1), 1)
    steps = probe.run(max_steps=100_000_000)
    bottom = _bottom_depth(steps)
    split = max(2, (s.blocks - 1).bit_length())
    prestate = isa.load_elf(elf).state_hash()
    console.print(
        f"program: {elf.name}, {steps:,} instructions per block -> execution depth {bottom}"
    )
    console.print(f"absolute prestate: 0x{prestate.hex()}")

    chain = EmbeddedChain()
    deployer, proposer_addr, challenger_addr = chain.accounts[:3]
    for who in (proposer_addr, challenger_addr):
        chain.set_balance(who, FUNDING)
    oracle = chain.deploy_contract(load_contract("oracle/PreimageOracle.vy"), 0, 0)
    vm_contract = chain.deploy_contract(
        load_contract(f"step/{isa.step_contract}.vy"), oracle.address
    )
    cfg = DisputeConfig(
        game_type=isa.game_type,
        absolute_prestate=prestate,
        max_game_depth=split + 1 + bottom,
        split_depth=split,
        anchor_root=honest.output_root(0),
        anchor_block=0,
        challenge_period=0,
    )
    system = deploy_dispute_system(chain, cfg, vm=vm_contract.address, owner=deployer)
    console.print(
        f"deployed: oracle {oracle.address}, {isa.step_contract} {vm_contract.address}, "
        f"factory {system.factory.address}"
    )

    claimed_block = 1 << split
    game = system.create_game(liar.output_root(claimed_block), claimed_block, sender=proposer_addr)
    console.print(
        f"proposer claims block {claimed_block} output 0x{liar.output_root(claimed_block).hex()[:16]}… "
        f"(true: 0x{honest.output_root(claimed_block).hex()[:16]}…); game {game.address}"
    )

    def accessor(rollup: HashchainRollup, forge: bool) -> SplitTraceProvider:
        def bottom_factory(pre: OutputClaimRef | None, post: OutputClaimRef) -> TraceProvider:
            block = min(post.position.trace_index(split) + 1, claimed_block)
            start = honest.output_root(0) if pre is None else pre.claim
            real = ExecutorTraceProvider(lambda: make_vm(start, post.claim, block), bottom)
            if not forge:
                return real
            return ForgedTrace(real, max(0, int(real.final_step() * s.lie_fraction)))

        top = OutputTraceProvider(rollup.output_root, 0, claimed_block, split)
        return SplitTraceProvider(top, split, bottom_factory)

    players = [
        Player("challenger", challenger_addr, accessor(honest, False), game, oracle),
        Player("proposer", proposer_addr, accessor(liar, True), game, oracle),
    ]
    restarts = 0
    rounds = 0
    with console.status("playing") as status:
        while True:
            rounds += 1
            sent = 0
            for i, p in enumerate(players):
                if s.crash_challenger and p.name == "challenger":
                    # A fresh process: nothing survives but the chain (and the action counts).
                    fresh = Player("challenger", challenger_addr, accessor(honest, False), game, oracle)
                    fresh.log = p.log
                    players[i] = p = fresh
                    acts = p.act(limit=1)  # ... and it dies right after its first transaction
                    restarts += 1
                else:
                    acts = p.act()
                sent += len(acts)
                for a in acts:
                    kind = "step" if a.__class__.__name__ == "StepAction" else "move"
                    status.update(f"round {rounds}: {p.name} {kind}")
            chain.warp(60)
            if not sent:
                break
    claims = game.call("claimDataLen")
    console.print(
        f"bisection finished after {rounds} rounds: {claims} claims, "
        f"challenger {players[0].log.moves} moves/{players[0].log.steps} steps, "
        f"proposer {players[1].log.moves} moves/{players[1].log.steps} steps"
    )
    if s.crash_challenger:
        console.print(
            f"the challenger was killed after every transaction and restarted {restarts} times "
            "from chain state alone"
        )

    chain.warp(cfg.max_clock_duration + 1)
    status_ = resolve_all(game, challenger_addr)
    chain.warp(cfg.finality_delay + 1)
    for p in players:
        game.transact("claimCredit", p.sender, sender=challenger_addr)
    chain.warp(cfg.withdrawal_delay + 1)
    for p in players:
        if game.call("credit", p.sender):
            game.transact("claimCredit", p.sender, sender=challenger_addr)
    table = Table(title="result")
    table.add_column("party")
    table.add_column("net result after bonds and payouts (ETH)", justify="right")
    for p in players:
        delta = chain.get_balance(p.sender) - FUNDING
        table.add_row(p.name, f"{delta / ETHER:+.4f}")
    console.print(table)
    verdict = {
        GameStatus.CHALLENGER_WINS: "[green]CHALLENGER_WINS[/green]: the wrong output was rejected",
        GameStatus.DEFENDER_WINS: "[red]DEFENDER_WINS[/red]: the wrong output stood",
    }.get(status_, str(status_))
    console.print(f"game status: {verdict}   ({time.monotonic() - t0:.1f}s)")
    return status_
