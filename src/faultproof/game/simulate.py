"""Play an honest actor against adversaries until the clocks run out, then resolve.

The world is a split game over the toy VM (`faultproof.trace.toyvm`): honest output roots
are the toy program run block after block, and the honest actor's execution traces are the
toy VM run on each sub-game's local inputs. Adversaries are small strategies that read the
game (and, for front-running, the honest actor's pending actions) and send moves or steps;
any call the contract would revert is simply dropped, as a reverted transaction would be.
The honest actor's calls must never revert: that would be a bug, so it propagates.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.solver import Action, GameSolver, MoveAction, StepAction
from faultproof.game.types import Address, GameError, GameStatus, VMStatus, with_status
from faultproof.trace.provider import (
    ArrayTraceProvider,
    OutputTraceProvider,
    StepData,
    TraceProvider,
)
from faultproof.trace.split import OutputClaimRef, SplitTraceProvider
from faultproof.trace.toyvm import (
    LocalInputs,
    OutputChain,
    ToyState,
    ToyVM,
    make_output_root,
    state_hash,
)

HONEST: Address = "0x" + "11" * 20
ADVERSARY: Address = "0x" + "ad" * 20
LOCAL_IDS = (2, 3, 4)
"""The local data the toy VM reads: starting output, disputed output, disputed block."""


@dataclass(frozen=True)
class SimParams:
    """Game shape and timing of one simulated game."""

    max_game_depth: int = 10
    split_depth: int = 4
    clock_extension: int = 60
    max_clock_duration: int = 600
    challenge_period: int = 100
    program_length: int = 6
    anchor_block: int = 100
    blocks: int = 5
    """How many blocks past the anchor the root claims (clamped to the split capacity)."""
    first_bad_block: int = 1
    """Offset (1-based, from the anchor) of the first block whose output the liar gets wrong."""
    first_bad_step: int = 0
    """Execution trace index from which the liar's execution trace diverges."""
    honest_is_proposer: bool = True
    max_tick: int = 25
    """Largest time step between rounds; must stay below the clock extension."""

    @classmethod
    def mainnet_shape(cls, honest_is_proposer: bool = True) -> SimParams:
        """Depth 73 / split 30 with mainnet clocks (3 h extension, 3.5 d per side, 1 d oracle),
        300 blocks with the lie from block 201: both bisections run all the way down."""
        return cls(
            max_game_depth=73,
            split_depth=30,
            clock_extension=10800,
            max_clock_duration=302400,
            challenge_period=86400,
            program_length=50,
            blocks=300,
            first_bad_block=201,
            first_bad_step=17,
            honest_is_proposer=honest_is_proposer,
            max_tick=3600,
        )


@dataclass
class World:
    """Everything one game needs: the VM, both parties' accessors, and the game itself."""

    params: SimParams
    vm: ToyVM
    outputs: OutputChain
    honest_accessor: SplitTraceProvider
    liar_accessor: SplitTraceProvider
    game: FaultDisputeGame
    deposits: dict[Address, int] = field(default_factory=dict)
    moves: int = 0
    steps: int = 0
    adversary_actions: int = 0
    liar_settled_version: int = -1
    """Game version at which the liar last had nothing to do (skip re-solving until it changes)."""
    local_data_loaded: set[int] = field(default_factory=set)
    """Claims whose sub-game's local data is already in the oracle (it never changes)."""
    liar_solver: GameSolver | None = None
    """The liar's solver, kept across rounds so its trace values stay memoized."""


def _lie(tag: bytes, *parts: int) -> bytes:
    return keccak256(b"lie:" + tag + b"".join(p.to_bytes(8, "big") for p in parts))


class _LyingExecution:
    """A liar's execution trace: the true run up to `first_bad_step`, then made-up states.

    The made-up final state says the transition is VALID exactly when the disputed output
    is the liar's own output, which is the claim a consistent liar needs to make.
    """

    def __init__(
        self, vm: ToyVM, inputs: LocalInputs, first_bad_step: int, depth: int, liar_output: bytes
    ) -> None:
        honest = vm.trace(inputs)
        states: list[bytes] = []
        for i, encoded in enumerate(honest):
            state = ToyState.decode(encoded)
            if i >= first_bad_step and not state.exited:
                state = ToyState(
                    state.step, state.block, _lie(b"exec", i, state.block), False, 0, state.bypass
                )
            elif state.exited:
                verdict = 0 if inputs.disputed_output == liar_output else 1
                value = inputs.disputed_output if verdict == 0 else state.value
                state = ToyState(state.step, state.block, value, True, verdict, state.bypass)
            states.append(state.encode())
        self.provider: TraceProvider = ArrayTraceProvider(
            states, depth, vm.absolute_prestate, commit=state_hash
        )


def build_world(params: SimParams, seed: int = 0) -> World:
    """Create the VM, the honest and lying views of the chain, and the game."""
    vm = ToyVM(program_length=params.program_length)
    anchor_root = make_output_root(
        params.anchor_block, keccak256(b"anchor" + seed.to_bytes(8, "big"))
    )
    outputs = OutputChain(vm, anchor_root, params.anchor_block)
    capacity = 1 << params.split_depth
    l2_block = params.anchor_block + max(1, min(params.blocks, capacity))
    bottom_depth = params.max_game_depth - params.split_depth - 1
    first_bad = params.anchor_block + params.first_bad_block

    @cache
    def liar_output(block: int) -> bytes:
        return (
            outputs.output_at(block)
            if block < first_bad
            else make_output_root(block, _lie(b"out", block))
        )

    def local_inputs(pre: OutputClaimRef | None, post: OutputClaimRef) -> LocalInputs:
        block = min(
            params.anchor_block + post.position.trace_index(params.split_depth) + 1, l2_block
        )
        start = anchor_root if pre is None else pre.claim
        return LocalInputs(start, post.claim, block)

    def honest_bottom(pre: OutputClaimRef | None, post: OutputClaimRef) -> TraceProvider:
        return vm.provider(local_inputs(pre, post), bottom_depth)

    def liar_bottom(pre: OutputClaimRef | None, post: OutputClaimRef) -> TraceProvider:
        inputs = local_inputs(pre, post)
        return _LyingExecution(
            vm, inputs, params.first_bad_step, bottom_depth, liar_output(inputs.disputed_block)
        ).provider

    honest = SplitTraceProvider(
        OutputTraceProvider(outputs.output_at, params.anchor_block, l2_block, params.split_depth),
        params.split_depth,
        honest_bottom,
    )
    liar = SplitTraceProvider(
        OutputTraceProvider(liar_output, params.anchor_block, l2_block, params.split_depth),
        params.split_depth,
        liar_bottom,
    )
    config = GameConfig(
        max_game_depth=params.max_game_depth,
        split_depth=params.split_depth,
        clock_extension=params.clock_extension,
        max_clock_duration=params.max_clock_duration,
        absolute_prestate=state_hash(vm.absolute_prestate),
        step_verifier=vm.step,
        challenge_period=params.challenge_period,
    )
    proposer, root = (
        (HONEST, outputs.output_at(l2_block))
        if params.honest_is_proposer
        else (ADVERSARY, liar_output(l2_block))
    )
    root_bond = config.required_bond(Position.root())
    game = FaultDisputeGame(
        config, root, l2_block, OutputRoot(anchor_root, params.anchor_block), proposer, root_bond, 0
    )
    world = World(params, vm, outputs, honest, liar, game)
    world.deposits[proposer] = root_bond
    return world


# -- sending actions ---------------------------------------------------------------------


def send(world: World, action: Action, sender: Address, now: int) -> None:
    """Send one action as `sender`; raises the contract's error if it would revert."""
    game = world.game
    if isinstance(action, MoveAction):
        bond = game.get_required_bond(action.position)
        game.move(
            action.disputed, action.parent_index, action.value, action.is_attack, bond, sender, now
        )
        world.deposits[sender] = world.deposits.get(sender, 0) + bond
        world.moves += 1
    else:
        if action.claim_index not in world.local_data_loaded:
            for ident in LOCAL_IDS:
                game.add_local_data(ident, action.claim_index, 0, world.vm.oracle)
            world.local_data_loaded.add(action.claim_index)
        data = action.step_data
        game.step(action.claim_index, action.is_attack, data.prestate, data.proof, sender)
        world.steps += 1


def try_send(world: World, action: Action, sender: Address, now: int) -> bool:
    """Send an adversary's action; a revert just means the transaction failed."""
    try:
        send(world, action, sender, now)
    except GameError:
        return False
    world.adversary_actions += 1
    return True


# -- adversaries -------------------------------------------------------------------------

Strategy = Callable[[World, random.Random, int, list[Action]], None]
"""`strategy(world, rng, now, honest_pending)`: send zero or more adversarial actions."""


def liar(world: World, rng: random.Random, now: int, pending: list[Action]) -> None:
    """A consistent liar: the honest algorithm run on a trace that is wrong from some index."""
    if world.game.version == world.liar_settled_version:
        return
    if world.liar_solver is None:
        world.liar_solver = GameSolver(
            world.liar_accessor, world.params.max_game_depth, world.params.split_depth
        )
    solver = world.liar_solver
    sent_all = True
    for action in solver.calculate_next_actions(world.game).actions:
        if rng.random() < 0.8:
            try_send(world, action, ADVERSARY, now)
        else:
            sent_all = False
    if sent_all:
        # Failed sends stay failed until the game changes, so there is nothing left to try.
        world.liar_settled_version = world.game.version


def random_mover(world: World, rng: random.Random, now: int, pending: list[Action]) -> None:
    """Attack or defend a random claim with a random value (a valid status byte sometimes)."""
    game = world.game
    candidates = [
        i for i, c in enumerate(game.claims) if c.position.depth < world.params.max_game_depth
    ]
    if not candidates or rng.random() < 0.5:
        return
    index = rng.choice(candidates)
    claim = game.claims[index]
    is_attack = rng.random() < 0.6
    position = claim.position.move(is_attack)
    value = keccak256(rng.randbytes(32))
    if position.depth == world.params.split_depth + 1 or rng.random() < 0.3:
        value = with_status(value, rng.choice(list(VMStatus)))
    try_send(world, MoveAction(index, claim.claim, is_attack, value, position), ADVERSARY, now)


def random_stepper(world: World, rng: random.Random, now: int, pending: list[Action]) -> None:
    """Try to step on a random leaf with the liar's step data (fails unless it really counters)."""
    game = world.game
    leaves = [
        i for i, c in enumerate(game.claims) if c.position.depth == world.params.max_game_depth
    ]
    if not leaves:
        return
    index = rng.choice(leaves)
    pos = game.claims[index].position
    is_attack = rng.random() < 0.5
    target = pos if is_attack else Position(pos.gindex + 1)
    source = world.liar_accessor if rng.random() < 0.5 else world.honest_accessor
    try:
        data = source.get_step_data(game, index, target)
    except FaultproofError:
        data = StepData(world.vm.absolute_prestate, b"")
    try_send(world, StepAction(index, is_attack, data), ADVERSARY, now)


def copycat(world: World, rng: random.Random, now: int, pending: list[Action]) -> None:
    """Front-run some of the honest actor's pending moves and steps with identical calls."""
    for action in pending:
        if rng.random() < 0.5:
            try_send(world, action, ADVERSARY, now)


def freeloader(world: World, rng: random.Random, now: int, pending: list[Action]) -> None:
    """Post siblings next to the honest actor's pending responses, left and right of them.

    A freeloader hopes to be the leftmost uncountered child and take the parent's bond
    without doing the work; the honest actor must counter the ones at or left of its own.
    """
    for action in pending:
        if not isinstance(action, MoveAction) or rng.random() < 0.5:
            continue
        parent = world.game.claims[action.parent_index]
        is_attack = rng.random() < 0.5
        position = parent.position.move(is_attack)
        value = (
            action.value
            if rng.random() < 0.5
            else with_status(keccak256(rng.randbytes(32)), action.value[0])
        )
        try_send(
            world,
            MoveAction(action.parent_index, parent.claim, is_attack, value, position),
            ADVERSARY,
            now,
        )


def late_mover(world: World, rng: random.Random, now: int, pending: list[Action]) -> None:
    """Counter honest claims only in the last moments of the adversary's clock."""
    game = world.game
    margin = world.params.max_tick
    for index, claim in enumerate(game.claims):
        if claim.claimant != HONEST or claim.position.depth >= world.params.max_game_depth:
            continue
        left = world.params.max_clock_duration - game.get_challenger_duration(index, now)
        if 0 < left <= margin and rng.random() < 0.5:
            pos = claim.position.move(True)
            value = world.liar_accessor.get(game, index, pos)
            try_send(world, MoveAction(index, claim.claim, True, value, pos), ADVERSARY, now)


def clock_abuser(world: World, rng: random.Random, now: int, pending: list[Action]) -> None:
    """Games the clocks: resolves subgames (and the game) the moment the rules allow, a page
    at a time, and tries to counter claims whose challenger clock has already run out.

    Early resolution must not let anything resolve while a team still has time (the
    chess-clock bug of §8.1), and a move on an expired clock must be refused.
    """
    game = world.game
    if game.status != GameStatus.IN_PROGRESS:
        return
    for _ in range(2):
        with contextlib.suppress(GameError):
            game.resolve_claim(rng.randrange(len(game.claims)), rng.choice([0, 1]), now)
    try:
        game.resolve(now)
        return
    except GameError:
        pass
    limit = world.params.max_clock_duration
    expired = [
        i for i, c in enumerate(game.claims)
        if c.position.depth < world.params.max_game_depth
        and game.get_challenger_duration(i, now) >= limit
    ]
    if expired:
        index = rng.choice(expired)
        claim = game.claims[index]
        pos = claim.position.move(True)
        value = with_status(keccak256(rng.randbytes(32)), VMStatus.INVALID)
        if try_send(world, MoveAction(index, claim.claim, True, value, pos), ADVERSARY, now):
            raise AssertionError(f"a move against claim {index} was accepted after its clock ran out")


ALL_STRATEGIES: dict[str, Strategy] = {
    "clock": clock_abuser,
    "liar": liar,
    "random": random_mover,
    "stepper": random_stepper,
    "copycat": copycat,
    "freeloader": freeloader,
    "late": late_mover,
}


# -- the driver ----------------------------------------------------------------------------


@dataclass
class GameResult:
    status: GameStatus
    honest_won: bool
    honest_deposit: int
    honest_credit: int
    claims: int
    moves: int
    steps: int
    end_time: int


def all_clocks_expired(game: FaultDisputeGame, now: int) -> bool:
    if game.status != GameStatus.IN_PROGRESS:
        return True  # resolved (early, by an adversary): nothing can be countered any more
    limit = game.config.max_clock_duration
    return all(game.get_challenger_duration(i, now) >= limit for i in range(len(game.claims)))


def last_expiry(game: FaultDisputeGame) -> int:
    """The time at which the last chess clock in the game runs out."""
    limit = game.config.max_clock_duration
    latest = 0
    for claim in game.claims:
        parent_duration = 0 if claim.is_root else game.claims[claim.parent_index].clock.duration
        latest = max(latest, claim.clock.timestamp + limit - parent_duration)
    return latest


def resolve_all(game: FaultDisputeGame, now: int) -> GameStatus:
    """Resolve every subgame bottom-up (children always have larger indices), then the game.

    Subgames someone already resolved are skipped, and a subgame someone already started
    paging through is finished with an explicit count (after the first page 0 means "none").
    """
    if game.status != GameStatus.IN_PROGRESS:
        return game.status
    for index in reversed(range(len(game.claims))):
        if not game.is_resolved(index):
            game.resolve_claim(index, game.get_num_to_resolve(index), now)
    return game.resolve(now)


def play(
    world: World,
    strategies: list[Strategy],
    rng: random.Random,
    adversary_budget: int = 60,
) -> GameResult:
    """Run rounds (honest first, then adversaries, then time passes) until no one can move.

    Adversaries stop after `adversary_budget` successful actions, which bounds the game.
    """
    game = world.game
    solver = GameSolver(
        world.honest_accessor, world.params.max_game_depth, world.params.split_depth
    )
    now = 0
    settled_version = -1  # a game version at which the honest actor had nothing to do
    while True:
        pending = [] if game.version == settled_version else solver.calculate_next_actions(game).actions
        active = world.adversary_actions < adversary_budget
        if active and copycat in strategies and pending:
            copycat(world, rng, now, pending)
            pending = solver.calculate_next_actions(game).actions
        for action in pending:
            send(world, action, HONEST, now)
        if not pending:
            settled_version = game.version
        if active:
            for strategy in strategies:
                if strategy is not copycat:
                    strategy(world, rng, now, pending)
        if game.version == settled_version and not active:
            now = max(now, last_expiry(game))
        if game.version == settled_version and all_clocks_expired(game, now):
            break
        now += rng.randint(1, world.params.max_tick)
    status = resolve_all(game, now)
    honest_root = solver.agree_with(game, 0)
    honest_won = status == (GameStatus.DEFENDER_WINS if honest_root else GameStatus.CHALLENGER_WINS)
    return GameResult(
        status=status,
        honest_won=honest_won,
        honest_deposit=world.deposits.get(HONEST, 0),
        honest_credit=game.credit(HONEST),
        claims=len(game.claims),
        moves=world.moves,
        steps=world.steps,
        end_time=now,
    )


def random_params(rng: random.Random, max_game_depth: int = 10, split_depth: int = 4) -> SimParams:
    """A random game: random length, random first disagreement (top and bottom), random roles."""
    capacity = 1 << split_depth
    blocks = rng.randint(1, capacity)
    program_length = rng.randint(1, (1 << (max_game_depth - split_depth - 1)) - 1)
    return SimParams(
        max_game_depth=max_game_depth,
        split_depth=split_depth,
        program_length=program_length,
        blocks=blocks,
        first_bad_block=rng.randint(1, blocks),
        first_bad_step=rng.randint(0, program_length + 1),
        honest_is_proposer=rng.random() < 0.5,
    )


def simulate_random_game(seed: int, strategy_names: list[str] | None = None) -> GameResult:
    """One reproducible random game with a random subset of adversary strategies."""
    rng = random.Random(seed)
    params = random_params(rng)
    names = strategy_names or [n for n in ALL_STRATEGIES if rng.random() < 0.5] or ["liar"]
    if "liar" not in names:
        names = ["liar", *names]
    world = build_world(params, seed)
    return play(world, [ALL_STRATEGIES[n] for n in names], rng)
