"""Trace providers: array traces, output traces, split selection, the toy VM (§1.3, §6.3)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultproof.crypto import keccak256
from faultproof.errors import InvalidState, PreimageNotFound
from faultproof.game.position import Position
from faultproof.game.simulate import ALL_STRATEGIES, build_world, play, random_params
from faultproof.trace.provider import (
    ArrayTraceProvider,
    OutputTraceProvider,
    StepUnsupported,
    TraceError,
    TraceProvider,
)
from faultproof.trace.split import OutputClaimRef, ProviderAccessor, leaf_step_index
from faultproof.trace.toyvm import (
    LocalInputs,
    ToyVM,
    make_output_root,
    output_block,
    state_hash,
)

STATES = [f"state {i}".encode() for i in range(5)]
PRESTATE = b"prestate"


def test_array_provider_commits_to_states_and_repeats_the_last() -> None:
    provider = ArrayTraceProvider(STATES, depth=3, absolute_prestate=PRESTATE)
    assert isinstance(provider, TraceProvider)
    for i in range(8):
        leaf = Position.from_depth_index(3, i)
        assert provider.get(leaf) == keccak256(STATES[min(i, 4)])
    assert provider.get(Position(1)) == keccak256(STATES[4])  # root: trace index 7, clamped
    assert provider.absolute_prestate_commitment() == keccak256(PRESTATE)


def test_array_provider_step_data_is_the_previous_state() -> None:
    provider = ArrayTraceProvider(STATES, depth=3, absolute_prestate=PRESTATE)
    assert provider.get_step_data(Position.from_depth_index(3, 0)).prestate == PRESTATE
    assert provider.get_step_data(Position.from_depth_index(3, 3)).prestate == STATES[2]
    assert provider.get_step_data(Position.from_depth_index(3, 7)).prestate == STATES[4]
    assert provider.get_step_data_at(8).prestate == STATES[4]  # one past the last leaf
    with pytest.raises(TraceError):
        provider.get_step_data(Position(2))


def test_array_provider_over_a_callable() -> None:
    provider = ArrayTraceProvider(lambda i: bytes([i]) * 4, depth=4, absolute_prestate=b"", length=10)
    assert provider.get(Position.from_depth_index(4, 3)) == keccak256(bytes([3]) * 4)
    assert provider.get(Position.from_depth_index(4, 15)) == keccak256(bytes([9]) * 4)
    with pytest.raises(TraceError):
        ArrayTraceProvider(lambda i: b"", depth=2, absolute_prestate=b"")


def test_output_provider_clamps_to_the_claimed_block() -> None:
    provider = OutputTraceProvider(lambda b: b.to_bytes(32, "big"), 100, 105, depth=4)
    assert provider.get(Position.from_depth_index(4, 0)) == (101).to_bytes(32, "big")
    assert provider.get(Position.from_depth_index(4, 3)) == (104).to_bytes(32, "big")
    assert provider.get(Position.from_depth_index(4, 9)) == (105).to_bytes(32, "big")
    assert provider.get(Position(1)) == (105).to_bytes(32, "big")
    with pytest.raises(StepUnsupported):
        provider.get_step_data(Position.from_depth_index(4, 0))


def test_leaf_step_index_handles_the_position_past_the_last_leaf() -> None:
    # Sub-tree rooted at depth 2, leaves at depth 4: g=19 is leaf 3 of sub-tree g=4.
    assert leaf_step_index(Position(19), Position(19), 2) == 3
    assert leaf_step_index(Position(19), Position(20), 2) == 4
    # Right-most leaf of the whole tree: gindex + 1 wraps to the next depth.
    assert leaf_step_index(Position(31), Position(32), 0) == 16


# -- the toy VM ---------------------------------------------------------------------------


def make_inputs(vm: ToyVM, start_block: int = 7, blocks_ahead: int = 1) -> LocalInputs:
    start = make_output_root(start_block, keccak256(b"start"))
    block = start_block + blocks_ahead
    return LocalInputs(start, vm.final_value(start, block), block)


def test_toy_vm_step_reproduces_every_trace_state() -> None:
    vm = ToyVM(program_length=5)
    inputs = make_inputs(vm)
    context = keccak256(b"ctx")
    for ident, word in ((2, inputs.starting_output), (3, inputs.disputed_output), (4, inputs.disputed_block.to_bytes(8, "big") + bytes(24))):
        vm.oracle.load_local_data(ident, context, word, 32, 0)
    provider = vm.provider(inputs, depth=3)
    for index in range(8):
        pre = provider.get_step_data_at(index).prestate
        assert vm.step(pre, b"", context) == provider.get(Position.from_depth_index(3, index))
    final = provider.get(Position(1))
    assert final[0] == 0  # VALID: the disputed output is the true one


def test_toy_vm_reports_invalid_for_a_wrong_output_and_bypasses_clamped_blocks() -> None:
    vm = ToyVM(program_length=3)
    good = make_inputs(vm)
    bad = LocalInputs(good.starting_output, keccak256(b"wrong"), good.disputed_block)
    assert vm.provider(bad, 2).get(Position(1))[0] == 1
    clamped = LocalInputs(good.starting_output, good.starting_output, output_block(good.starting_output))
    assert vm.provider(clamped, 2).get(Position(1))[0] == 0
    assert vm.final_value(good.starting_output, 7) == good.starting_output


def test_toy_vm_needs_local_data_and_a_deep_enough_tree() -> None:
    vm = ToyVM(program_length=8)
    with pytest.raises(PreimageNotFound):
        vm.step(vm.absolute_prestate, b"", keccak256(b"unknown"))
    with pytest.raises(InvalidState):
        vm.provider(make_inputs(vm), depth=3)  # 9 states do not fit in 8 leaves
    assert state_hash(vm.absolute_prestate)[0] == 3  # the prestate is UNFINISHED


# -- split selection agrees with the contract -------------------------------------------


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_split_provider_bounds_match_the_contracts_local_context(seed: int) -> None:
    """For every claim below the split, the challenger's (pre, post) are the contract's."""
    rng = random.Random(seed)
    world = build_world(random_params(rng), seed)
    play(world, [ALL_STRATEGIES["liar"], ALL_STRATEGIES["random"]], rng)
    game = world.game
    split = world.params.split_depth
    for index, claim in enumerate(game.claims):
        if claim.position.depth <= split:
            continue
        pre, post = world.honest_accessor.bounding_outputs(game, index, claim.position)
        starting, starting_pos, disputed, disputed_pos = game.find_starting_and_disputed_outputs(index)
        assert post == OutputClaimRef(disputed, disputed_pos)
        if starting_pos is None:
            assert pre is None
        else:
            assert pre == OutputClaimRef(starting, starting_pos)


def test_provider_accessor_ignores_ancestry() -> None:
    provider = ArrayTraceProvider(STATES, depth=3, absolute_prestate=PRESTATE)
    accessor = ProviderAccessor(provider)
    world = build_world(random_params(random.Random(3)), 3)
    assert accessor.get(world.game, 0, Position(5)) == provider.get(Position(5))
