"""``faultproof demo --hashchain``: a wrong hashchain-rollup output disputed end to end on the
embedded chain (the small example; ``faultproof demo`` itself runs the EVM rollup story of
``faultproof.rollup.demo``).

1. The demo rollup runs for a few blocks; its fault proof program (``guest/programs/rollup.c``)
   is loaded into the chosen FPVM, whose initial state hash is the game's absolute prestate.
2. Contracts: the PreimageOracle, the ISA's step contract, and the dispute system (factory,
   anchor registry at genesis, DelayedWETH, the FaultDisputeGame implementation whose clones are the ISA's games).
3. A dishonest proposer (the proposer loop of ``faultproof.agents.proposer`` fed by a rollup
   that went wrong at some block) posts the output root of its safe head and defends it
   as a consistent liar: it plays the honest algorithm on its own (wrong) outputs and, inside the
   execution subgame, on a VM trace that is forged from some instruction on.
4. The honest challenger, the service of ``faultproof.agents.service`` watching the factory,
   finds the game and plays the real trace: the top game bisects outputs to the first bad block,
   the bottom game bisects the VM trace to one instruction, and the step contract executes that
   instruction on chain. When the clocks have run out the same service resolves the game bottom-up
   and, after the finality and withdrawal delays, collects the bonds.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from faultproof.agents.challenger import Player
from faultproof.agents.onchain import read_params
from faultproof.agents.proposer import Proposer
from faultproof.agents.service import Challenger, ChallengerStore, PollReport
from faultproof.chain import Chain, EmbeddedChain
from faultproof.contracts import Contract, load_contract
from faultproof.contracts.dispute import DisputeConfig, DisputeSystem, deploy_dispute_system
from faultproof.crypto import keccak256
from faultproof.demo.rollup import HashchainRollup, demo_batches
from faultproof.demo.traces import RollupTraces
from faultproof.game.position import Position
from faultproof.game.types import GameStatus
from faultproof.preimage.store import MemoryStore
from faultproof.trace.executor import ExecutorTraceProvider
from faultproof.trace.provider import StepData, TraceProvider
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
    state, empty trace caches): it must resume from its store and the chain and still win."""
    tree_dir: Path | None = None
    """Where the picture of each game goes (default: ``faultproof-demo`` in the temp dir)."""


def _bottom_depth(steps: int) -> int:
    return max(2, (steps + 1).bit_length())


@dataclass
class DemoWorld:
    """Everything the demo sets up before the first move: the rollup (and the liar's version of
    it), both sides' trace sources and the deployed contracts. The service tests build on it."""

    settings: DemoSettings
    chain: Chain
    config: DisputeConfig
    system: DisputeSystem
    oracle: Contract
    honest: HashchainRollup
    liar: LyingRollup
    honest_traces: RollupTraces
    liar_traces: RollupTraces
    proposer: str
    challenger: str

    @property
    def claimed_block(self) -> int:
        """The block a proposal covers: all 2^split_depth blocks of the output bisection."""
        return 1 << self.config.split_depth


def build_world(
    settings: DemoSettings | None = None,
    console: Console | None = None,
    chain: Chain | None = None,
) -> DemoWorld:
    """Build the rollup and deploy the contracts on ``chain`` (default: a new embedded chain)."""
    s = settings or DemoSettings()
    console = console or Console(quiet=True)
    from faultproof.guests import guest_elf

    isa = get_isa(s.isa)
    with console.status("building the rollup's fault proof program"):
        elf = guest_elf("rollup", isa.name)
    honest = HashchainRollup(demo_batches(s.blocks))
    liar = LyingRollup(honest.batches, s.bad_block)
    store = honest.store(MemoryStore())
    liar.store(store)  # a real challenger fetches these through hints; the demo pre-fills them
    honest_traces = RollupTraces(honest, isa, elf, store)

    def lie(real: ExecutorTraceProvider) -> TraceProvider:
        return ForgedTrace(real, max(0, int(real.final_step() * s.lie_fraction)))

    liar_traces = RollupTraces(liar, isa, elf, store, program_data=honest, wrap=lie)

    # How deep the execution game must be: the program's length for one block.
    probe = honest_traces.make_vm(honest.output_root(0), honest.output_root(1), 1)
    steps = probe.run(max_steps=100_000_000)
    bottom = _bottom_depth(steps)
    split = max(2, (s.blocks - 1).bit_length())
    prestate = honest_traces.absolute_prestate
    console.print(
        f"program: {elf.name}, {steps:,} instructions per block -> execution depth {bottom}"
    )
    console.print(f"absolute prestate: 0x{prestate.hex()}")

    chain = chain if chain is not None else EmbeddedChain()
    deployer, proposer, challenger = chain.accounts[:3]
    for who in (proposer, challenger):
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
    return DemoWorld(
        s, chain, cfg, system, oracle, honest, liar, honest_traces, liar_traces,
        proposer, challenger,
    )  # fmt: skip


def start_challenger(world: DemoWorld, store_path: Path, traces: RollupTraces) -> Challenger:
    """A fresh challenger process for the demo's factory: its store and the chain are all it has."""
    return Challenger(
        world.system.factory,
        world.oracle,
        world.challenger,
        traces,
        ChallengerStore.open(store_path),
        [world.config.game_type],
    )


@dataclass
class DisputeStats:
    """What :func:`play_out` saw the challenger service do."""

    rounds: int = 0
    moves: int = 0
    steps: int = 0
    resolves: int = 0
    credit_claims: int = 0
    restarts: int = 0
    still_tracked: int = 0
    bisection_seconds: float = 0.0
    settle_seconds: float = 0.0


def play_out(
    w: DemoWorld,
    liar: Player,
    store_path: Path,
    crash: bool = False,
    on_round: Callable[[str], object] | None = None,
) -> DisputeStats:
    """Run the challenger service against ``liar`` until nobody moves, then let the clocks, the
    finality delay and DelayedWETH's delay pass while the service resolves and collects.

    With ``crash`` every poll is a new service process (its store and the chain are all it has,
    its trace caches are empty) that may send one transaction.
    """
    chain, cfg = w.chain, w.config
    stats = DisputeStats()
    challenger = start_challenger(w, store_path, w.honest_traces)

    def poll() -> PollReport:
        nonlocal challenger
        if crash:
            challenger = start_challenger(w, store_path, w.honest_traces.fresh())
            stats.restarts += 1
        return challenger.poll(max_transactions=1 if crash else None)

    t0 = time.perf_counter()
    while True:
        stats.rounds += 1
        report = poll()
        stats.moves += report.moves
        stats.steps += report.steps
        acts = liar.act()
        if on_round is not None:
            on_round(
                f"round {stats.rounds}: challenger {report.moves} moves/{report.steps} steps, "
                f"proposer {len(acts)} actions"
            )
        chain.warp(60)
        if not report.moves + report.steps + len(acts):
            break
    t1 = time.perf_counter()
    for wait in (cfg.max_clock_duration, cfg.finality_delay, cfg.withdrawal_delay):
        chain.warp(wait + 1)
        while True:
            report = poll()
            stats.resolves += report.resolved_claims + len(report.resolved_games)
            stats.credit_claims += report.credit_claims
            if not report.transactions:
                break
    stats.bisection_seconds = t1 - t0
    stats.settle_seconds = time.perf_counter() - t1
    stats.still_tracked = len(challenger.active_games())
    return stats


def run_demo(
    settings: DemoSettings | None = None,
    console: Console | None = None,
    chain: Chain | None = None,
) -> GameStatus:
    """The whole demo on ``chain`` (default: a new embedded chain); returns the game's status."""
    s = settings or DemoSettings()
    console = console or Console()
    t0 = time.monotonic()
    console.rule(
        f"[bold]faultproof demo[/bold]: a wrong rollup output, disputed on chain ({s.isa})"
    )
    w = build_world(s, console, chain)
    chain, cfg = w.chain, w.config
    where = "the embedded chain" if isinstance(chain, EmbeddedChain) else getattr(chain, "url", "")
    console.print(f"chain: {where}")
    # The dishonest proposer runs the ordinary proposer loop, on its own version of the chain.
    game = Proposer(w.system.factory, w.proposer, w.liar, cfg.game_type).poll()
    assert game is not None, "a fresh factory: the first poll proposes"
    block = game.call("l2BlockNumber")
    console.print(
        f"proposer claims block {block} output 0x{w.liar.output_root(block).hex()[:16]}… "
        f"(true: 0x{w.honest.output_root(block).hex()[:16]}…); game {game.address}"
    )
    liar_accessor = w.liar_traces.accessor(game, read_params(game))
    assert liar_accessor is not None, "the liar plays its own game"
    liar = Player("proposer", w.proposer, liar_accessor, game, w.oracle)

    with (
        tempfile.TemporaryDirectory(prefix="faultproof-demo-") as data_dir,
        console.status("playing") as status,
    ):
        store = Path(data_dir) / "challenger.json"
        stats = play_out(w, liar, store, s.crash_challenger, status.update)
    console.print(
        f"bisection finished after {stats.rounds} rounds: {game.call('claimDataLen')} claims, "
        f"challenger {stats.moves} moves/{stats.steps} steps, "
        f"proposer {liar.log.moves} moves/{liar.log.steps} steps"
    )
    if s.crash_challenger:
        console.print(
            f"the challenger was killed after every transaction and restarted {stats.restarts} "
            "times from its store and the chain alone"
        )
    console.print(
        f"the challenger sent {stats.resolves} resolve and {stats.credit_claims} claimCredit "
        f"transactions; games it still tracks: {stats.still_tracked}"
    )
    status_ = GameStatus(game.call("status"))
    table = Table(title="result")
    table.add_column("party")
    table.add_column("net result after bonds and payouts (ETH)", justify="right")
    for name, who in (("challenger", w.challenger), ("proposer", w.proposer)):
        delta = chain.get_balance(who) - FUNDING
        table.add_row(name, f"{delta / ETHER:+.4f}")
    console.print(table)
    verdict = {
        GameStatus.CHALLENGER_WINS: "[green]CHALLENGER_WINS[/green]: the wrong output was rejected",
        GameStatus.DEFENDER_WINS: "[red]DEFENDER_WINS[/red]: the wrong output stood",
    }.get(status_, str(status_))
    console.print(f"game status: {verdict}   ({time.monotonic() - t0:.1f}s)")
    from faultproof.monitor.picture import write_game_pictures

    tree_dir = s.tree_dir or Path(tempfile.gettempdir()) / "faultproof-demo"
    picture = write_game_pictures(
        game, tree_dir / f"game-{game.address}.svg", w.honest, w.honest_traces
    )
    console.print(f"game tree: {picture}", soft_wrap=True)
    return status_
