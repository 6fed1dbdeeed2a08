"""Positions in the dispute game tree (spec digest §1.1, `LibPosition.sol`).

A position is a generalized index `g = 2^depth + index_at_depth`; the root is 1. The game
never stores depth or index separately because both follow from the bit pattern, and the
on-chain library works the same way, so keeping the same representation lets us compare our
positions bit for bit with `Position` values read from the contract (uint128).
"""

from __future__ import annotations

from dataclasses import dataclass

from faultproof.errors import FaultproofError
from faultproof.game.errors import GameError

MAX_POSITION_BITLEN = 126
"""Positions are uint128 on chain; depth 125 is the deepest a game may go (§1.1)."""


class ClaimAboveSplit(GameError):
    """`trace_ancestor_bounded` was asked about a position at or above the split depth
    (on chain: `ClaimAboveSplit()` from `step`/`addLocalData` below the split only)."""


class InvalidPosition(FaultproofError):
    """A generalized index must be a positive integer below 2^MAX_POSITION_BITLEN."""


def _msb(x: int) -> int:
    """Index of the most significant set bit; the depth of a gindex."""
    return x.bit_length() - 1


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """A node of the game tree, identified by its generalized index."""

    gindex: int

    def __post_init__(self) -> None:
        if self.gindex <= 0 or self.gindex.bit_length() > MAX_POSITION_BITLEN:
            raise InvalidPosition(
                f"gindex {self.gindex} is outside 1..2^{MAX_POSITION_BITLEN}-1"
            )

    @classmethod
    def root(cls) -> Position:
        """The root claim's position (g = 1)."""
        return cls(1)

    @classmethod
    def from_depth_index(cls, depth: int, index_at_depth: int) -> Position:
        """Build `2^depth + index_at_depth`, checking the index fits in that depth."""
        if not 0 <= index_at_depth < (1 << depth):
            raise InvalidPosition(f"index {index_at_depth} does not fit at depth {depth}")
        return cls((1 << depth) | index_at_depth)

    # -- shape ---------------------------------------------------------------------------

    @property
    def depth(self) -> int:
        """Depth of the node: the root is depth 0."""
        return self.gindex.bit_length() - 1

    @property
    def index_at_depth(self) -> int:
        """Left-to-right index of the node among all nodes at its depth."""
        return self.gindex - (1 << (self.gindex.bit_length() - 1))

    @property
    def parent(self) -> Position:
        """The node this one hangs under (g >> 1)."""
        return Position(self.gindex >> 1)

    def left(self) -> Position:
        return Position(self.gindex << 1)

    def right(self) -> Position:
        return Position((self.gindex << 1) | 1)

    # -- moves ---------------------------------------------------------------------------

    def move(self, is_attack: bool) -> Position:
        """Where a counter-claim lands: `(attack ? g : g | 1) << 1`.

        An attack disagrees with the claim and bisects to the left half below it; a defend
        agrees with the claim but not with its parent, so it bisects the right half, which is
        the left child of the right sibling. Both results are even.
        """
        return Position((self.gindex if is_attack else self.gindex | 1) << 1)

    def attack(self) -> Position:
        return self.move(True)

    def defend(self) -> Position:
        return self.move(False)

    # -- trace indices -------------------------------------------------------------------

    def right_index(self, max_depth: int) -> Position:
        """The deepest right-most descendant at `max_depth`: `(g << r) | (2^r - 1)`."""
        remaining = max_depth - self.depth
        return Position((self.gindex << remaining) | ((1 << remaining) - 1))

    def trace_index(self, max_depth: int) -> int:
        """The trace index this claim commits to: its right-most leaf's index at `max_depth`.

        A claim about a sub-tree commits to the state at the end of that sub-tree, which is
        why several positions (e.g. gindex 2 and 5 at max depth 4) share a trace index.
        """
        g = self.gindex
        depth = g.bit_length() - 1
        return ((g - (1 << depth) + 1) << (max_depth - depth)) - 1

    def trace_ancestor(self) -> Position:
        """The highest ancestor that commits to the same trace index as this node.

        Walking up through parents for which this node is a right child keeps the trace
        index; the first left-child edge changes it. Shifting away the trailing one bits
        (plus the zero above them) finds that ancestor in one step.
        """
        g = self.gindex
        k = _msb((~g) & (g + 1))
        return Position((g >> k) or 1)

    def trace_ancestor_bounded(self, upper_bound_depth: int) -> Position:
        """`trace_ancestor`, but never leaving the execution sub-tree below `upper_bound_depth`.

        If the ancestor would be at or above the split, the right-most position at depth
        `upper_bound_depth + 1` under it is used instead: the execution sub-game root that
        commits to the same trace index.
        """
        if self.depth <= upper_bound_depth:
            raise ClaimAboveSplit(
                f"position {self.gindex} (depth {self.depth}) is not below split depth "
                f"{upper_bound_depth}"
            )
        ancestor = self.trace_ancestor()
        if ancestor.depth <= upper_bound_depth:
            ancestor = ancestor.right_index(upper_bound_depth + 1)
        return ancestor

    def relative_to_ancestor_at_depth(self, ancestor_depth: int) -> Position:
        """Re-root this position into the sub-tree whose root sits at `ancestor_depth`.

        The execution sub-games are ordinary bisection games of their own; a provider for
        one of them sees positions with depth measured from the sub-game root.
        """
        rel_depth = self.depth - ancestor_depth
        if rel_depth < 0:
            raise InvalidPosition(
                f"position {self.gindex} is above ancestor depth {ancestor_depth}"
            )
        return Position.from_depth_index(
            rel_depth, self.index_at_depth % (1 << rel_depth)
        )

    def to_uint128(self) -> int:
        """The on-chain `Position` value."""
        return self.gindex

    def __repr__(self) -> str:
        return f"Position(g={self.gindex}, d={self.depth}, i={self.index_at_depth})"
