"""What our own node believes about a game: the value it would put at any position.

Two sources, the same plugins the agents take: an output source (``--outputs``, the proposer's
``safe_head()``/``output_root(block)``) answers every output-root position above the split depth;
a trace source (``--traces``, the challenger's ``accessor(game, params)``) answers every position,
VM states included. With both, output roots come from the output source (the node) and VM states
from the trace. A position neither can answer is ``None``: "we do not know", never "disagree".
"""

from __future__ import annotations

from faultproof.agents.onchain import GameParams
from faultproof.agents.proposer import OutputSource
from faultproof.agents.service import TraceSource
from faultproof.contracts import Contract
from faultproof.errors import FaultproofError
from faultproof.game.engine import FaultDisputeGame
from faultproof.game.position import Position
from faultproof.trace.provider import StepData
from faultproof.trace.split import TraceAccessor


class Judge:
    """Our expected value at a position of one game (``None`` where we cannot say)."""

    def __init__(
        self,
        params: GameParams,
        outputs: OutputSource | None = None,
        accessor: TraceAccessor | None = None,
    ) -> None:
        self.params = params
        self.outputs = outputs
        self.accessor = accessor
        self._safe_head: int | None = None

    @classmethod
    def for_game(
        cls,
        game: Contract,
        params: GameParams,
        outputs: OutputSource | None = None,
        traces: TraceSource | None = None,
    ) -> Judge:
        accessor = None
        if traces is not None:
            try:
                accessor = traces.accessor(game, params)
            except FaultproofError:
                accessor = None
        return cls(params, outputs, accessor)

    @property
    def knows_anything(self) -> bool:
        return self.outputs is not None or self.accessor is not None

    def block_of(self, position: Position) -> int:
        """The L2 block an output-root position commits to (clamped to the claimed block)."""
        p = self.params
        if position.depth == 0:
            return p.l2_block_number
        index = position.trace_index(p.split_depth)
        return min(p.starting_output.l2_block_number + index + 1, p.l2_block_number)

    def output_root(self, block: int) -> bytes | None:
        """The node's output root at ``block``; None past its safe head (not known to be final)."""
        if self.outputs is None:
            return None
        if self._safe_head is None:
            self._safe_head = self.outputs.safe_head()
        if block > self._safe_head:
            return None
        return self.outputs.output_root(block)

    def expected(self, model: FaultDisputeGame, ref_index: int, position: Position) -> bytes | None:
        """What we would claim at ``position``, seen from claim ``ref_index`` (its ancestry picks
        the execution subgame below the split)."""
        if position.depth <= self.params.split_depth and self.outputs is not None:
            return self.output_root(self.block_of(position))
        if self.accessor is None:
            return None
        try:
            return self.accessor.get(model, ref_index, position)
        except (FaultproofError, IndexError, ValueError):
            return None

    def step_data(
        self, model: FaultDisputeGame, ref_index: int, position: Position
    ) -> StepData | None:
        if self.accessor is None:
            return None
        try:
            return self.accessor.get_step_data(model, ref_index, position)
        except (FaultproofError, IndexError, ValueError):
            return None
