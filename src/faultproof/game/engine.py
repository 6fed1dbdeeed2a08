"""A pure-Python FaultDisputeGame with the on-chain rules (spec digest §2).

Every check the contract makes is made here in the same order, and every revert is raised as
the exception class named like the contract error (`faultproof.game.types`). Time is an
explicit `now` argument so that games are deterministic and clocks can be driven by tests.
ETH is plain integers (wei); a claim's bond goes into the game on `move` and comes back out as
credit on `resolve_claim`, so summing credit against deposits checks bond conservation.

Every method is atomic like a transaction: it validates everything first and mutates only once
nothing can fail, so a raised error leaves the game exactly as it was (a reverted call).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from faultproof.crypto import keccak256
from faultproof.game.bonds import required_bond_at_depth
from faultproof.game.position import Position
from faultproof.game.types import (
    ROOT_PARENT_INDEX,
    ZERO_ADDRESS,
    Address,
    BondDistributionMode,
    CannotDefendRootClaim,
    Claim,
    ClaimAboveSplit,
    ClaimAlreadyExists,
    ClaimAlreadyResolved,
    ClaimData,
    Clock,
    ClockNotExpired,
    ClockTimeExceeded,
    DuplicateStep,
    GameDepthExceeded,
    GameError,
    GameNotInProgress,
    GameNotResolved,
    GameStatus,
    IncorrectBondAmount,
    InvalidChallengeIndex,
    InvalidClockExtension,
    InvalidDisputedClaimIndex,
    InvalidLocalIdent,
    InvalidParent,
    InvalidPrestate,
    InvalidSplitDepth,
    L2BlockNumberChallenged,
    MaxDepthTooLarge,
    NoCreditToClaim,
    OutOfOrderResolution,
    ResolutionCheckpoint,
    UnexpectedRootClaim,
    ValidStep,
    VMStatus,
)

StepVerifier = Callable[[bytes, bytes, bytes], bytes]
"""`IBigStepper.step(stateData, proof, localContext) -> postStateHash` (§4.1)."""

MAX_GAME_DEPTH_LIMIT = 125


class LocalDataSink(Protocol):
    """Where `add_local_data` loads bootstrap words: the PreimageOracle's `loadLocalData`."""

    def load_local_data(
        self, ident: int, local_context: bytes, word: bytes, size: int, part_offset: int
    ) -> bytes: ...


class TimeWentBackwards(GameError):
    """`now` is earlier than a timestamp the game already recorded; the model needs monotone time."""


class BlockNumberMatches(GameError):
    """The root's L2 block number challenge proved the block number the root already claims."""


@dataclass(frozen=True)
class GameConfig:
    """The immutable parameters of one game implementation (§2.2)."""

    max_game_depth: int
    split_depth: int
    clock_extension: int
    max_clock_duration: int
    absolute_prestate: Claim
    step_verifier: StepVerifier
    challenge_period: int = 0
    """The PreimageOracle's challenge period; it lengthens the extension above a step."""
    l2_chain_id: int = 10

    def __post_init__(self) -> None:
        """Constructor checks of the contract: depth bounds and the clock-extension bound."""
        if self.max_game_depth > MAX_GAME_DEPTH_LIMIT:
            raise MaxDepthTooLarge(
                f"max_game_depth {self.max_game_depth} > {MAX_GAME_DEPTH_LIMIT}"
            )
        if not (self.split_depth >= 2 and self.split_depth + 1 < self.max_game_depth):
            raise InvalidSplitDepth(
                f"split_depth {self.split_depth} must satisfy 2 <= split_depth and "
                f"split_depth + 1 < max_game_depth ({self.max_game_depth})"
            )
        max_extension = max(2 * self.clock_extension, self.clock_extension + self.challenge_period)
        if max_extension >= 2**64 or max_extension > self.max_clock_duration:
            raise InvalidClockExtension(
                f"largest extension {max_extension} exceeds max_clock_duration "
                f"{self.max_clock_duration}"
            )

    def required_bond(self, position: Position) -> int:
        """`getRequiredBond(position)`: the exact wei a move to `position` must carry."""
        if position.depth > self.max_game_depth:
            raise GameDepthExceeded(
                f"position depth {position.depth} > max_game_depth {self.max_game_depth}"
            )
        return required_bond_at_depth(position.depth, self.max_game_depth)


@dataclass
class OutputRoot:
    """The anchor the game starts from: an output root and its L2 block number."""

    root: bytes
    l2_block_number: int


@dataclass
class _Resolution:
    """Per-claim resolution bookkeeping: subgame children, checkpoint, resolved flag."""

    children: list[int] = field(default_factory=list)
    checkpoint: ResolutionCheckpoint = field(default_factory=ResolutionCheckpoint)
    resolved: bool = False


class FaultDisputeGame:
    """One game: the claim DAG, chess clocks, step, resolution and credit."""

    def __init__(
        self,
        config: GameConfig,
        root_claim: Claim,
        l2_block_number: int,
        starting_output_root: OutputRoot,
        creator: Address,
        root_bond: int,
        now: int,
        l1_head: bytes = bytes(32),
    ) -> None:
        """`initialize()`: check the proposal is past the anchor and push the root claim.

        The root bond is whatever the factory charged (`initBonds`), not getRequiredBond.
        """
        if l2_block_number <= starting_output_root.l2_block_number:
            raise UnexpectedRootClaim(
                f"root claims block {l2_block_number}, not after the anchor block "
                f"{starting_output_root.l2_block_number}"
            )
        self.config = config
        self.l2_block_number = l2_block_number
        self.starting_output_root = starting_output_root
        self.l1_head = l1_head
        self.created_at = now
        self.resolved_at = 0
        self.status = GameStatus.IN_PROGRESS
        self.claims: list[ClaimData] = []
        self._resolution: list[_Resolution] = []
        self._claim_hashes: set[tuple[bytes, int, int]] = set()
        self.normal_mode_credit: dict[Address, int] = {}
        self.refund_mode_credit: dict[Address, int] = {}
        self.bond_distribution_mode = BondDistributionMode.UNDECIDED
        self.has_unlocked_credit: set[Address] = set()
        self.l2_block_number_challenger: Address = ZERO_ADDRESS
        self.l2_block_number_challenged = False
        self.balance = 0
        self._latest_time = now
        self.version = 0
        """Bumped on every state change, so off-chain agents can skip re-reading an unchanged game."""
        self._push(ROOT_PARENT_INDEX, creator, root_bond, root_claim, Position.root(), Clock(0, now))

    # -- small helpers -------------------------------------------------------------------

    @property
    def root_claim(self) -> Claim:
        return self.claims[0].claim

    @property
    def max_game_depth(self) -> int:
        return self.config.max_game_depth

    @property
    def split_depth(self) -> int:
        return self.config.split_depth

    def _check_time(self, now: int) -> None:
        """Validate `now` without recording it (methods record it only once nothing can fail)."""
        if now < self._latest_time:
            raise TimeWentBackwards(f"now={now} is before the last recorded time {self._latest_time}")

    def _require_in_progress(self) -> None:
        if self.status != GameStatus.IN_PROGRESS:
            raise GameNotInProgress(f"game already resolved: {self.status.name}")

    def _claim_at(self, index: int) -> ClaimData:
        if not 0 <= index < len(self.claims):
            raise InvalidChallengeIndex(f"claim index {index} out of range (0..{len(self.claims) - 1})")
        return self.claims[index]

    def _push(
        self, parent_index: int, claimant: Address, bond: int, claim: Claim, pos: Position, clock: Clock
    ) -> int:
        if len(claim) != 32:
            raise GameError(f"claim must be 32 bytes, got {len(claim)}")
        index = len(self.claims)
        self.version += 1
        self.claims.append(ClaimData(parent_index, ZERO_ADDRESS, claimant, bond, claim, pos, clock))
        self._resolution.append(_Resolution())
        self._claim_hashes.add((claim, pos.gindex, parent_index))
        if parent_index != ROOT_PARENT_INDEX:
            self._resolution[parent_index].children.append(index)
        self.balance += bond
        self.refund_mode_credit[claimant] = self.refund_mode_credit.get(claimant, 0) + bond
        return index

    def claim_data_len(self) -> int:
        return len(self.claims)

    def subgames(self, index: int) -> list[int]:
        """Indices of the claims that directly counter claim `index`, in move order."""
        return list(self._resolution[index].children)

    def is_resolved(self, index: int) -> bool:
        return self._resolution[index].resolved

    def get_required_bond(self, position: Position) -> int:
        return self.config.required_bond(position)

    # -- clocks (§2.5) -------------------------------------------------------------------

    def get_challenger_duration(self, index: int, now: int) -> int:
        """Time used by the team that would counter claim `index`, capped at the maximum.

        That team's clock is the one the claim's parent made; it has been running since the
        claim was posted, because it is their turn.
        """
        self._require_in_progress()
        claim = self._claim_at(index)
        parent_duration = 0 if claim.is_root else self.claims[claim.parent_index].clock.duration
        if now < claim.clock.timestamp:
            raise TimeWentBackwards(f"now={now} is before claim {index} was made")
        elapsed = parent_duration + (now - claim.clock.timestamp)
        return min(elapsed, self.config.max_clock_duration)

    def _clock_extension_for(self, depth: int) -> int:
        """Minimum time left to the *grandchild* of a claim at `depth`.

        Above the split leaf the grandchild is an exec sub-game root that needs an off-chain
        FPVM run; above a step, the step may need a large-preimage proposal to clear the
        oracle's challenge period.
        """
        c = self.config
        if depth == c.max_game_depth - 1:
            return c.clock_extension + c.challenge_period
        if depth == c.split_depth - 1:
            return 2 * c.clock_extension
        return c.clock_extension

    # -- moves (§2.4) --------------------------------------------------------------------

    def move(
        self,
        disputed: Claim,
        challenge_index: int,
        claim: Claim,
        is_attack: bool,
        value: int,
        sender: Address,
        now: int,
    ) -> int:
        """Counter claim `challenge_index` with `claim`; returns the new claim's index."""
        self._require_in_progress()
        parent = self._claim_at(challenge_index)
        if parent.claim != disputed:
            raise InvalidDisputedClaimIndex(
                f"claim {challenge_index} is {parent.claim.hex()}, not {disputed.hex()}"
            )
        next_pos = parent.position.move(is_attack)
        next_depth = next_pos.depth
        if not is_attack and (challenge_index == 0 or next_depth == self.split_depth + 2):
            raise CannotDefendRootClaim(
                "cannot defend the root claim or an execution sub-game root; attack instead"
            )
        if challenge_index == 0 and self.l2_block_number_challenged:
            raise L2BlockNumberChallenged("the root's L2 block number was already challenged")
        if next_depth > self.max_game_depth:
            raise GameDepthExceeded(
                f"move to depth {next_depth} > max_game_depth {self.max_game_depth}; use step"
            )
        if next_depth == self.split_depth + 1:
            self._verify_exec_bisection_root(claim, challenge_index, parent.position, is_attack)
        required = self.get_required_bond(next_pos)
        if value != required:
            raise IncorrectBondAmount(f"move to depth {next_depth} needs {required} wei, got {value}")
        self._check_time(now)
        next_duration = self.get_challenger_duration(challenge_index, now)
        if next_duration == self.config.max_clock_duration:
            raise ClockTimeExceeded(
                f"the challenger clock of claim {challenge_index} has run out"
            )
        extension = self._clock_extension_for(next_depth)
        next_duration = min(next_duration, self.config.max_clock_duration - extension)
        if (claim, next_pos.gindex, challenge_index) in self._claim_hashes:
            raise ClaimAlreadyExists(
                f"claim {claim.hex()} already exists at {next_pos} under claim {challenge_index}"
            )
        if len(claim) != 32:
            raise GameError(f"claim must be 32 bytes, got {len(claim)}")
        # Every check passed: from here on the move only mutates (a transaction that commits).
        self._latest_time = now
        return self._push(challenge_index, sender, value, claim, next_pos, Clock(next_duration, now))

    def attack(
        self, disputed: Claim, parent_index: int, claim: Claim, value: int, sender: Address, now: int
    ) -> int:
        return self.move(disputed, parent_index, claim, True, value, sender, now)

    def defend(
        self, disputed: Claim, parent_index: int, claim: Claim, value: int, sender: Address, now: int
    ) -> int:
        return self.move(disputed, parent_index, claim, False, value, sender, now)

    def _verify_exec_bisection_root(
        self, root_claim: Claim, parent_index: int, parent_pos: Position, is_attack: bool
    ) -> None:
        """The first execution claim must say which side of the disputed output it is on.

        The disputed output is the claim at the global trace ancestor of `parent_pos + 1`. If
        the mover attacks, or that output was made by the other team (same depth parity as
        the split leaf the mover counters), the mover claims the block transition is invalid
        (INVALID or PANIC). Otherwise the disputed output is the mover's team's own, and the
        mover must claim a VALID transition.
        """
        status = root_claim[0]
        disputed = self._find_trace_ancestor(Position(parent_pos.gindex + 1), parent_index, True)
        if is_attack or disputed.position.depth % 2 == self.split_depth % 2:
            if status not in (VMStatus.INVALID, VMStatus.PANIC):
                raise UnexpectedRootClaim(
                    f"exec root {root_claim.hex()} must have status INVALID or PANIC, got {status}"
                )
        elif status != VMStatus.VALID:
            raise UnexpectedRootClaim(
                f"exec root {root_claim.hex()} must have status VALID, got {status}"
            )

    def _find_trace_ancestor(self, pos: Position, start: int, is_global: bool) -> ClaimData:
        """Walk up from claim `start` to the claim at `pos`'s (global or bounded) trace ancestor."""
        target = pos.trace_ancestor() if is_global else pos.trace_ancestor_bounded(self.split_depth)
        ancestor = self.claims[start]
        while ancestor.position != target:
            if ancestor.is_root:
                raise InvalidParent(f"no claim at trace ancestor {target} above claim {start}")
            ancestor = self.claims[ancestor.parent_index]
        return ancestor

    # -- step (§2.6) ---------------------------------------------------------------------

    def step(
        self, claim_index: int, is_attack: bool, state_data: bytes, proof: bytes, sender: Address
    ) -> None:
        """Counter a MAX_GAME_DEPTH claim by executing one VM instruction on chain."""
        self._require_in_progress()
        parent = self._claim_at(claim_index)
        step_pos = parent.position.move(is_attack)
        if step_pos.depth != self.max_game_depth + 1:
            raise InvalidParent(
                f"step needs a claim at depth {self.max_game_depth}, claim {claim_index} is at "
                f"depth {parent.position.depth}"
            )
        if is_attack:
            pre_state_claim = self._attack_step_prestate(parent, step_pos)
            post_state = parent
        else:
            pre_state_claim = parent.claim
            post_state = self._find_trace_ancestor(
                Position(parent.position.gindex + 1), parent.parent_index, False
            )
        if keccak256(state_data)[1:] != pre_state_claim[1:]:
            raise InvalidPrestate(
                f"state data hashes to {keccak256(state_data).hex()}, pre-state claim is "
                f"{pre_state_claim.hex()} (status byte ignored)"
            )
        local_context = self.local_context(claim_index)
        valid_step = self.config.step_verifier(state_data, proof, local_context) == post_state.claim
        parent_post_agree = (parent.position.depth - post_state.position.depth) % 2 == 0
        if parent_post_agree == valid_step:
            raise ValidStep(f"step against claim {claim_index} does not counter it")
        if parent.countered_by != ZERO_ADDRESS:
            raise DuplicateStep(f"claim {claim_index} was already countered by a step")
        parent.countered_by = sender
        self.version += 1

    def _attack_step_prestate(self, parent: ClaimData, step_pos: Position) -> Claim:
        """An attack step's pre-state: the absolute prestate at a sub-game's first instruction."""
        exec_leaves = 1 << (self.max_game_depth - self.split_depth)
        if step_pos.index_at_depth % exec_leaves == 0:
            return self.config.absolute_prestate
        return self._find_trace_ancestor(
            Position(parent.position.gindex - 1), parent.parent_index, False
        ).claim

    # -- local context and local data (§1.3, §1.4, §2.7) ---------------------------------

    def find_starting_and_disputed_outputs(
        self, start: int
    ) -> tuple[Claim, Position | None, Claim, Position]:
        """The output claims that bound the execution sub-game containing claim `start`.

        Returns `(starting_claim, starting_pos, disputed_claim, disputed_pos)`; the starting
        position is None when the sub-game starts from the anchor (on chain: position 0).
        """
        claim = self._claim_at(start)
        if claim.position.depth <= self.split_depth:
            raise ClaimAboveSplit(f"claim {start} is not below the split depth")
        output_index = claim.parent_index
        prev_index = start
        while self.claims[output_index].position.depth > self.split_depth:
            prev_index = output_index
            output_index = self.claims[output_index].parent_index
        exec_root = self.claims[prev_index]
        output = self.claims[output_index]
        if exec_root.position.parent == output.position:
            disputed_claim, disputed_pos = output.claim, output.position
            if output.position.index_at_depth > 0:
                starting = self._find_trace_ancestor(
                    Position(output.position.gindex - 1), output_index, True
                )
                return starting.claim, starting.position, disputed_claim, disputed_pos
            return self.starting_output_root.root, None, disputed_claim, disputed_pos
        disputed = self._find_trace_ancestor(Position(output.position.gindex + 1), output_index, True)
        return output.claim, output.position, disputed.claim, disputed.position

    def local_context(self, claim_index: int) -> bytes:
        """The per-sub-game uuid that localizes preimage keys (§1.4)."""
        return self._context_of(*self.find_starting_and_disputed_outputs(claim_index))

    @staticmethod
    def _context_of(
        starting: Claim, starting_pos: Position | None, disputed: Claim, disputed_pos: Position
    ) -> bytes:
        """`keccak256(abi.encode(...))` of the bounding outputs; the start is left out at the anchor."""
        disputed_words = disputed + disputed_pos.gindex.to_bytes(32, "big")
        if starting_pos is None:
            return keccak256(disputed_words)
        return keccak256(starting + starting_pos.gindex.to_bytes(32, "big") + disputed_words)

    def local_data(self, ident: int, exec_leaf_index: int) -> tuple[bytes, bytes, int]:
        """`(local_context, word, size)` that `addLocalData(ident, exec_leaf_index)` loads."""
        self._require_in_progress()
        bounds = self.find_starting_and_disputed_outputs(exec_leaf_index)
        starting, _, disputed, disputed_pos = bounds
        uuid = self._context_of(*bounds)
        if ident == 1:
            return uuid, self.l1_head, 32
        if ident == 2:
            return uuid, starting, 32
        if ident == 3:
            return uuid, disputed, 32
        if ident == 4:
            block = min(
                self.starting_output_root.l2_block_number
                + disputed_pos.trace_index(self.split_depth)
                + 1,
                self.l2_block_number,
            )
            return uuid, (block << 192).to_bytes(32, "big"), 8
        if ident == 5:
            return uuid, (self.config.l2_chain_id << 192).to_bytes(32, "big"), 8
        raise InvalidLocalIdent(f"local data id {ident} is not one of 1..5")

    def add_local_data(
        self, ident: int, exec_leaf_index: int, part_offset: int, oracle: LocalDataSink
    ) -> bytes:
        """Load one bootstrap word into the oracle under this sub-game's local context."""
        uuid, word, size = self.local_data(ident, exec_leaf_index)
        return oracle.load_local_data(ident, uuid, word, size, part_offset)

    # -- root block-number challenge (§2.8), proof checking left to the caller ----------

    def challenge_root_l2_block(self, proven_block_number: int, sender: Address) -> None:
        """Record a successful challenge of the root's L2 block number.

        The caller must already have checked the output-root proof and header RLP against
        the root claim (that belongs to the chain-facing layer); this model keeps only the
        game-state effects.
        """
        self._require_in_progress()
        if self.l2_block_number_challenged:
            raise L2BlockNumberChallenged("the root's L2 block number was already challenged")
        if proven_block_number == self.l2_block_number:
            raise BlockNumberMatches(f"block {proven_block_number} is the claimed block number")
        self.l2_block_number_challenger = sender
        self.l2_block_number_challenged = True

    # -- resolution (§2.9) ---------------------------------------------------------------

    def get_num_to_resolve(self, index: int) -> int:
        res = self._resolution[index]
        return len(res.children) - res.checkpoint.subgame_index

    def resolve_claim(self, claim_index: int, num_to_resolve: int, now: int) -> None:
        """Resolve the subgame rooted at `claim_index`, paying its bond (§2.9).

        A claim stands iff none of its children stands; its bond goes to the claimant of the
        leftmost standing child (the first to counter it correctly), or back to the claimant
        if no child stands. Children must be resolved first, so resolution runs bottom-up.

        Like a reverted transaction, a call that raises leaves the game untouched: the page
        is scanned into a copy of the checkpoint, which is stored only once the scan passed.
        """
        self._require_in_progress()
        self._check_time(now)
        subgame_root = self._claim_at(claim_index)
        if self.get_challenger_duration(claim_index, now) < self.config.max_clock_duration:
            raise ClockNotExpired(f"claim {claim_index} can still be countered")
        res = self._resolution[claim_index]
        if res.resolved:
            raise ClaimAlreadyResolved(f"subgame {claim_index} is already resolved")
        children = res.children
        if not children and claim_index != 0:
            countered_by = subgame_root.countered_by
            recipient = subgame_root.claimant if countered_by == ZERO_ADDRESS else countered_by
            self._latest_time = now
            self._distribute_bond(recipient, subgame_root)
            res.resolved = True
            self.version += 1
            return
        checkpoint = replace(res.checkpoint)
        if not checkpoint.initial_checkpoint_complete:
            checkpoint.leftmost_position = 2**128 - 1
            checkpoint.initial_checkpoint_complete = True
            if num_to_resolve == 0:
                num_to_resolve = len(children)
        final_cursor = min(checkpoint.subgame_index + num_to_resolve, len(children))
        for i in range(checkpoint.subgame_index, final_cursor):
            child_index = children[i]
            if not self._resolution[child_index].resolved:
                raise OutOfOrderResolution(
                    f"resolve child claim {child_index} before claim {claim_index}"
                )
            child = self.claims[child_index]
            if child.countered_by == ZERO_ADDRESS and checkpoint.leftmost_position > child.position.gindex:
                checkpoint.countered_by = child.claimant
                checkpoint.leftmost_position = child.position.gindex
        checkpoint.subgame_index = final_cursor
        # The page passed: commit it.
        self._latest_time = now
        res.checkpoint = checkpoint
        self.version += 1
        if checkpoint.subgame_index == len(children):
            if claim_index == 0 and self.l2_block_number_challenged:
                countered = self.l2_block_number_challenger
                self._distribute_bond(countered, subgame_root)
            else:
                countered = checkpoint.countered_by
                recipient = subgame_root.claimant if countered == ZERO_ADDRESS else countered
                self._distribute_bond(recipient, subgame_root)
            res.resolved = True
            subgame_root.countered_by = countered

    def resolve(self, now: int) -> GameStatus:
        """Decide the game from the root subgame: the root stands iff it is uncountered."""
        self._require_in_progress()
        if not self._resolution[0].resolved:
            raise OutOfOrderResolution("resolve the root subgame (claim 0) before the game")
        self._check_time(now)
        self._latest_time = now
        self.status = (
            GameStatus.DEFENDER_WINS
            if self.claims[0].countered_by == ZERO_ADDRESS
            else GameStatus.CHALLENGER_WINS
        )
        self.resolved_at = now
        self.version += 1
        return self.status

    # -- credit (§2.11) ------------------------------------------------------------------

    def _distribute_bond(self, recipient: Address, claim: ClaimData) -> None:
        self.normal_mode_credit[recipient] = self.normal_mode_credit.get(recipient, 0) + claim.bond

    def _closing_mode(self, game_is_proper: bool) -> BondDistributionMode:
        """The mode `close_game` would settle on, without settling it."""
        if self.bond_distribution_mode != BondDistributionMode.UNDECIDED:
            return self.bond_distribution_mode
        if self.resolved_at == 0 and self.status == GameStatus.IN_PROGRESS:
            raise GameNotResolved("the game must be resolved before it can be closed")
        return BondDistributionMode.NORMAL if game_is_proper else BondDistributionMode.REFUND

    def close_game(self, game_is_proper: bool = True) -> BondDistributionMode:
        """Pick NORMAL or REFUND payout once resolved ([v2]); the ASR's verdict is an input.

        `game_is_proper` stands for `AnchorStateRegistry.isGameProper(game)`; the registry's
        pause and finality checks belong to the chain-facing layer.
        """
        self.bond_distribution_mode = self._closing_mode(game_is_proper)
        return self.bond_distribution_mode

    def credit(self, recipient: Address) -> int:
        """Credit owed to `recipient`: refund credit in REFUND mode, otherwise normal credit."""
        if self.bond_distribution_mode == BondDistributionMode.REFUND:
            return self.refund_mode_credit.get(recipient, 0)
        return self.normal_mode_credit.get(recipient, 0)

    def claim_credit(self, recipient: Address, game_is_proper: bool = True) -> int:
        """`claimCredit(recipient)` in two phases, as [v2] does with DelayedWETH (§2.11).

        The first call closes the game and unlocks the credit (returns 0, never raises
        `NoCreditToClaim`); a later call, once DelayedWETH's delay has passed (out of scope
        here), zeroes both credit maps and returns the amount paid.
        """
        mode = self._closing_mode(game_is_proper)
        if recipient not in self.has_unlocked_credit:
            self.bond_distribution_mode = mode
            self.has_unlocked_credit.add(recipient)
            self.version += 1
            return 0
        credits = self.refund_mode_credit if mode == BondDistributionMode.REFUND else self.normal_mode_credit
        amount = credits.get(recipient, 0)
        if amount == 0:
            raise NoCreditToClaim(f"{recipient} has no credit in this game")
        self.bond_distribution_mode = mode
        self.normal_mode_credit[recipient] = 0
        self.refund_mode_credit[recipient] = 0
        self.balance -= amount
        self.version += 1
        return amount
