"""Trace accessors: providers chosen per claim ancestry (spec digest §1.3, §6.3).

In a split game the same depth means different things in different sub-games: below the
split, a claim's meaning depends on which two output roots bound its execution sub-game. The
accessor therefore takes the game and the claim being responded to (`ref_index`) as context,
finds those bounding outputs the same way the contract does, and asks a provider built for
that sub-game (cached per sub-game, as op-challenger keys its cache by local context).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from weakref import WeakKeyDictionary

from faultproof.game.engine import FaultDisputeGame
from faultproof.game.position import Position
from faultproof.trace.provider import StepData, TraceError, TraceProvider


class TraceAccessor(Protocol):
    """What the solver asks: a value or step data at `pos`, in the context of claim `ref_index`."""

    def get(self, game: FaultDisputeGame, ref_index: int, pos: Position) -> bytes: ...

    def get_step_data(self, game: FaultDisputeGame, ref_index: int, pos: Position) -> StepData: ...


class ProviderAccessor:
    """An accessor for a provider whose answers do not depend on ancestry (one-level trees)."""

    def __init__(self, provider: TraceProvider) -> None:
        self.provider = provider

    def get(self, game: FaultDisputeGame, ref_index: int, pos: Position) -> bytes:
        return self.provider.get(pos)

    def get_step_data(self, game: FaultDisputeGame, ref_index: int, pos: Position) -> StepData:
        ref_pos = game.claims[ref_index].position
        return self.provider.get_step_data_at(leaf_step_index(ref_pos, pos, 0))


@dataclass(frozen=True)
class OutputClaimRef:
    """An output-root claim that bounds an execution sub-game: its value and position."""

    claim: bytes
    position: Position


BottomFactory = Callable[[OutputClaimRef | None, OutputClaimRef], TraceProvider]
"""Builds the execution provider for a sub-game from its (starting, disputed) outputs.

`None` as the starting output means the sub-game starts from the game's anchor state.
"""


class SplitTraceProvider:
    """Output roots above the split; a per-sub-game execution provider below it."""

    def __init__(
        self,
        top: TraceProvider,
        split_depth: int,
        bottom_factory: BottomFactory,
        cache_size: int = 100,
    ) -> None:
        self.top = top
        self.split_depth = split_depth
        self.bottom_factory = bottom_factory
        self._cache: dict[tuple[OutputClaimRef | None, OutputClaimRef], TraceProvider] = {}
        self._cache_size = cache_size
        self._bounds: WeakKeyDictionary[
            FaultDisputeGame, dict[tuple[int, bool], tuple[OutputClaimRef | None, OutputClaimRef]]
        ] = WeakKeyDictionary()

    # -- selection ---------------------------------------------------------------------

    def bounding_outputs(
        self, game: FaultDisputeGame, ref_index: int, pos: Position
    ) -> tuple[OutputClaimRef | None, OutputClaimRef]:
        """(pre, post) outputs of the sub-game `pos` lies in, seen from claim `ref_index`.

        If `pos` lies right of the top leaf (a defend of it), the leaf is the agreed start
        and the disputed output is the ancestor one trace index later; otherwise the leaf is
        disputed and the start is the ancestor one index earlier (or the anchor).
        """
        top_leaf = self._ancestor_at_depth(game, ref_index, self.split_depth)
        leaf_pos = game.claims[top_leaf].position
        defends_leaf = pos.trace_index(pos.depth) > leaf_pos.trace_index(pos.depth)
        # Claims never change value or ancestry once on chain, so the answer can be kept.
        memo = self._bounds.setdefault(game, {})
        key = (top_leaf, defends_leaf)
        if key not in memo:
            memo[key] = self._bounds_for_leaf(game, top_leaf, defends_leaf)
        return memo[key]

    def _bounds_for_leaf(
        self, game: FaultDisputeGame, top_leaf: int, defends_leaf: bool
    ) -> tuple[OutputClaimRef | None, OutputClaimRef]:
        leaf_pos = game.claims[top_leaf].position
        leaf_ref = OutputClaimRef(game.claims[top_leaf].claim, leaf_pos)
        leaf_index = leaf_pos.trace_index(self.split_depth)
        if defends_leaf:
            post = self._ancestor_with_trace_index(game, top_leaf, leaf_index + 1)
            return leaf_ref, post
        if leaf_pos.index_at_depth == 0:
            return None, leaf_ref
        return self._ancestor_with_trace_index(game, top_leaf, leaf_index - 1), leaf_ref

    def _ancestor_at_depth(self, game: FaultDisputeGame, index: int, depth: int) -> int:
        claim = game.claims[index]
        if claim.position.depth < depth:
            raise TraceError(f"claim {index} is above depth {depth}")
        while claim.position.depth > depth:
            index = claim.parent_index
            claim = game.claims[index]
        return index

    def _ancestor_with_trace_index(
        self, game: FaultDisputeGame, start: int, trace_index: int
    ) -> OutputClaimRef:
        index = start
        while True:
            claim = game.claims[index]
            if claim.position.trace_index(self.split_depth) == trace_index:
                return OutputClaimRef(claim.claim, claim.position)
            if claim.is_root:
                raise TraceError(f"no output ancestor of claim {start} at trace index {trace_index}")
            index = claim.parent_index

    def bottom_provider(
        self, pre: OutputClaimRef | None, post: OutputClaimRef
    ) -> TraceProvider:
        """The (cached) execution provider for the sub-game bounded by `pre` and `post`."""
        key = (pre, post)
        provider = self._cache.get(key)
        if provider is None:
            if len(self._cache) >= self._cache_size:
                self._cache.pop(next(iter(self._cache)))
            provider = self.bottom_factory(pre, post)
            self._cache[key] = provider
        return provider

    # -- accessor ------------------------------------------------------------------------

    def get(self, game: FaultDisputeGame, ref_index: int, pos: Position) -> bytes:
        if pos.depth <= self.split_depth:
            return self.top.get(pos)
        bottom = self.bottom_provider(*self.bounding_outputs(game, ref_index, pos))
        return bottom.get(pos.relative_to_ancestor_at_depth(self.split_depth + 1))

    def get_step_data(self, game: FaultDisputeGame, ref_index: int, pos: Position) -> StepData:
        """Step data at a leaf position, which may be one past a sub-game's last leaf.

        A defend step asks for the position right of the claim; for the right-most leaf of a
        sub-game that position belongs to the next sub-game, so the index is computed
        relative to the referenced claim's sub-game rather than by re-rooting `pos`.
        """
        ref_pos = game.claims[ref_index].position
        if ref_pos.depth <= self.split_depth:
            return self.top.get_step_data(pos)
        bottom = self.bottom_provider(*self.bounding_outputs(game, ref_index, ref_pos))
        return bottom.get_step_data_at(leaf_step_index(ref_pos, pos, self.split_depth + 1))


def leaf_step_index(ref_pos: Position, pos: Position, subtree_root_depth: int) -> int:
    """Index of leaf `pos` (at `ref_pos`'s depth, possibly one past the end) in `ref_pos`'s sub-tree.

    `pos` is `ref_pos` itself or the position right of it; the latter wraps to the next
    depth when `ref_pos` is the right-most node, which is why the index is computed from
    the gindex difference instead of from `pos`'s own depth.
    """
    leaf_depth = ref_pos.depth
    below = leaf_depth - subtree_root_depth
    subtree_root_index = (ref_pos.gindex >> below) - (1 << subtree_root_depth)
    first_leaf = subtree_root_index << below
    return (pos.gindex - (1 << leaf_depth)) - first_leaf
