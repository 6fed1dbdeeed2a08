"""Position math against the worked examples of spec digest §1.1, plus properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faultproof.game.position import ClaimAboveSplit, InvalidPosition, Position

MAX_DEPTH = 4


@pytest.mark.parametrize(("gindex", "trace_index"), [(1, 15), (2, 7), (5, 7), (6, 11), (16, 0), (22, 6)])
def test_trace_index_examples(gindex: int, trace_index: int) -> None:
    assert Position(gindex).trace_index(MAX_DEPTH) == trace_index


@pytest.mark.parametrize(("gindex", "ancestor"), [(5, 2), (13, 6), (21, 10), (31, 1)])
def test_trace_ancestor_examples(gindex: int, ancestor: int) -> None:
    assert Position(gindex).trace_ancestor() == Position(ancestor)


def test_move_examples() -> None:
    assert Position(2).move(True) == Position(4)
    assert Position(2).move(False) == Position(6)
    assert Position(6).move(False) == Position(14)
    assert Position(2).attack() == Position(4)
    assert Position(2).defend() == Position(6)


def test_trace_ancestor_bounded_example() -> None:
    assert Position(23).trace_ancestor_bounded(2) == Position(11)


def test_trace_ancestor_bounded_rejects_positions_at_or_above_split() -> None:
    with pytest.raises(ClaimAboveSplit):
        Position(4).trace_ancestor_bounded(2)


def test_depth_index_parent_right_index() -> None:
    pos = Position.from_depth_index(3, 5)
    assert pos.gindex == 13
    assert (pos.depth, pos.index_at_depth) == (3, 5)
    assert pos.parent == Position(6)
    assert Position(2).right_index(MAX_DEPTH) == Position(23)


def test_invalid_positions() -> None:
    with pytest.raises(InvalidPosition):
        Position(0)
    with pytest.raises(InvalidPosition):
        Position(1 << 126)
    with pytest.raises(InvalidPosition):
        Position.from_depth_index(2, 4)


def test_relative_to_ancestor_at_depth() -> None:
    # gindex 22 = depth 4, index 6; re-rooted at depth 2 it is depth 2, index 2.
    assert Position(22).relative_to_ancestor_at_depth(2) == Position.from_depth_index(2, 2)


gindices = st.integers(min_value=1, max_value=(1 << 40) - 1)


@given(gindices, st.booleans())
def test_moves_go_one_level_down_to_an_even_position(g: int, is_attack: bool) -> None:
    pos = Position(g)
    child = pos.move(is_attack)
    assert child.depth == pos.depth + 1
    assert child.gindex % 2 == 0


@given(gindices)
def test_attack_commits_to_an_earlier_index_and_defend_to_a_later_one(g: int) -> None:
    pos = Position(g)
    max_depth = pos.depth + 3
    assert pos.attack().trace_index(max_depth) < pos.trace_index(max_depth)
    if g != 1 and g % 2 == 0:
        # A defend agrees with the claim and disputes the parent's half to its right.
        assert pos.defend().trace_index(max_depth) > pos.trace_index(max_depth)


@given(gindices)
def test_trace_ancestor_commits_to_the_same_index_and_is_highest(g: int) -> None:
    pos = Position(g)
    max_depth = pos.depth + 2
    ancestor = pos.trace_ancestor()
    assert ancestor.trace_index(max_depth) == pos.trace_index(max_depth)
    if ancestor.gindex > 1:
        assert ancestor.parent.trace_index(max_depth) != pos.trace_index(max_depth)
    # It is an ancestor (or the node itself).
    assert pos.gindex >> (pos.depth - ancestor.depth) == ancestor.gindex


@given(gindices)
def test_trace_index_is_right_index_minus_leaf_offset(g: int) -> None:
    pos = Position(g)
    max_depth = pos.depth + 5
    assert pos.trace_index(max_depth) == pos.right_index(max_depth).gindex - (1 << max_depth)


@given(st.integers(min_value=2, max_value=8), st.data())
def test_trace_ancestor_bounded_stays_below_split(split: int, data: st.DataObject) -> None:
    depth = data.draw(st.integers(min_value=split + 1, max_value=split + 10))
    index = data.draw(st.integers(min_value=0, max_value=(1 << depth) - 1))
    pos = Position.from_depth_index(depth, index)
    bounded = pos.trace_ancestor_bounded(split)
    assert bounded.depth > split
    assert bounded.trace_index(depth) == pos.trace_index(depth)
