"""The demo rollup as an agent sees it: the trace source a challenger (or a liar) plays with.

Above the split depth a game commits to output roots, which come from the rollup model. Below it,
each execution subgame runs the rollup's fault proof program in the FPVM with that subgame's
local inputs (starting output, disputed output, disputed block), as op-challenger runs op-program
in Cannon. Everything is derived from the game's own parameters, so one source serves every game
of its type, and a game it cannot judge (another absolute prestate, an anchor the rollup never
had) is refused with ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from faultproof.agents.onchain import GameParams
from faultproof.chain import Chain
from faultproof.contracts import Contract
from faultproof.demo.rollup import HashchainRollup
from faultproof.preimage.store import MemoryStore
from faultproof.trace.executor import ExecutorTraceProvider
from faultproof.trace.provider import OutputTraceProvider, TraceProvider
from faultproof.trace.split import OutputClaimRef, SplitTraceProvider
from faultproof.vm import FPVM, ISA

Wrap = Callable[[ExecutorTraceProvider], TraceProvider]


class RollupTraces:
    """Trace accessors for games about ``rollup``, with its program ``elf`` on ``isa``.

    ``program_data`` is the rollup whose batches the program reads through the preimage oracle
    (the real chain data: a liar cannot change it, only what it claims). ``wrap`` lets a
    dishonest player replace the real execution trace of each subgame.
    """

    def __init__(
        self,
        rollup: HashchainRollup,
        isa: ISA,
        elf: Path,
        store: MemoryStore,
        *,
        program_data: HashchainRollup | None = None,
        wrap: Wrap | None = None,
    ) -> None:
        self.rollup = rollup
        self.isa = isa
        self.elf = elf
        self.store = store
        self.program_data = program_data or rollup
        self.wrap = wrap
        self.absolute_prestate = isa.load_elf(elf).state_hash()

    def fresh(self) -> RollupTraces:
        """The same source with nothing computed yet (what a restarted process has)."""
        return RollupTraces(
            self.rollup,
            self.isa,
            self.elf,
            self.store,
            program_data=self.program_data,
            wrap=self.wrap,
        )

    def make_vm(self, starting_output: bytes, disputed_output: bytes, block: int) -> FPVM:
        """The program, ready to check ``disputed_output`` for ``block`` from ``starting_output``."""
        host = self.program_data.host(starting_output, disputed_output, block, store=self.store)
        return self.isa.load_elf(self.elf, host=host)

    def accessor(self, game: Contract, params: GameParams) -> SplitTraceProvider | None:
        anchor = params.starting_output
        if params.absolute_prestate != self.absolute_prestate:
            return None  # another program (or version): not ours to judge
        if anchor.l2_block_number > self.rollup.head:
            return None
        if anchor.root != self.rollup.output_root(anchor.l2_block_number):
            return None  # an anchor our rollup never had
        split = params.split_depth
        bottom_depth = params.max_game_depth - split - 1
        claimed_block = params.l2_block_number
        top = OutputTraceProvider(
            self.rollup.output_root, anchor.l2_block_number, claimed_block, split
        )

        def bottom(pre: OutputClaimRef | None, post: OutputClaimRef) -> TraceProvider:
            block = min(
                anchor.l2_block_number + post.position.trace_index(split) + 1, claimed_block
            )
            start = anchor.root if pre is None else pre.claim
            disputed = post.claim
            real = ExecutorTraceProvider(lambda: self.make_vm(start, disputed, block), bottom_depth)
            return real if self.wrap is None else self.wrap(real)

        return SplitTraceProvider(top, split, bottom)


def demo_rollup(chain: Chain | None = None, isa: str = "mips32", blocks: str = "8") -> RollupTraces:
    """The honest demo rollup of ``blocks`` blocks on ``isa``, as a ``faultproof challenger
    --traces`` source: ``--traces faultproof.demo.traces:demo_rollup --traces-arg blocks=8``.

    ``chain`` is unused here (the demo rollup is not on it); a real deployment writes the same
    kind of function for its own rollup (outputs from its node, its fault proof program and
    preimage source, the L1 from ``chain``) and names it in ``--traces``.
    """
    from faultproof.demo.rollup import demo_batches
    from faultproof.guests import guest_elf
    from faultproof.vm import get_isa

    vm = get_isa(isa)
    rollup = HashchainRollup(demo_batches(int(blocks)))
    return RollupTraces(rollup, vm, guest_elf("rollup", vm.name), rollup.store(MemoryStore()))


def demo_outputs(
    chain: Chain | None = None, blocks: str = "8", bad_block: str = "0"
) -> HashchainRollup:
    """The demo rollup as a ``faultproof proposer --outputs`` source; ``bad_block`` > 0 makes it
    the demo's dishonest chain, wrong from that block on."""
    from faultproof.demo.rollup import demo_batches

    batches = demo_batches(int(blocks))
    if int(bad_block) <= 0:
        return HashchainRollup(batches)
    from faultproof.demo.dispute import LyingRollup

    return LyingRollup(batches, int(bad_block))
