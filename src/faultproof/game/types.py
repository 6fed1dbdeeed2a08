"""Values and errors of the FaultDisputeGame (spec digest §2.1, §2.4-§2.11).

The names follow `dispute/lib/Types.sol` and `Errors.sol` so that a revert seen on chain and
an exception raised by the Python model read the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from faultproof.game.errors import GameError
from faultproof.game.position import ClaimAboveSplit, Position

Claim = bytes
"""A bytes32 claim value (an output root, or a status-tagged VM state hash)."""

Address = str
"""An account, as a 0x-prefixed hex string (any unique string works in simulations)."""

ZERO_ADDRESS: Address = "0x" + "00" * 20
ROOT_PARENT_INDEX = 2**32 - 1
"""`type(uint32).max`: the root claim's parent index."""
MAX_CLOCK_VALUE = 2**64 - 1


class GameStatus(IntEnum):
    """Outcome of a game; the contract enum in the same order."""

    IN_PROGRESS = 0
    CHALLENGER_WINS = 1
    DEFENDER_WINS = 2


class BondDistributionMode(IntEnum):
    """How credit is paid out once the game is closed ([v2] refund mode, §2.11)."""

    UNDECIDED = 0
    NORMAL = 1
    REFUND = 2


class VMStatus(IntEnum):
    """Status byte in the top byte of every VM state hash (§2.1)."""

    VALID = 0
    INVALID = 1
    PANIC = 2
    UNFINISHED = 3


@dataclass(frozen=True, slots=True)
class Clock:
    """A chess clock reading: time used by the claimant's team, and when the claim was made.

    On chain it is packed as `(duration << 64) | timestamp` in a uint128.
    """

    duration: int
    timestamp: int

    def pack(self) -> int:
        return (self.duration << 64) | self.timestamp

    @classmethod
    def unpack(cls, raw: int) -> Clock:
        return cls(duration=raw >> 64, timestamp=raw & MAX_CLOCK_VALUE)


@dataclass(slots=True)
class ClaimData:
    """One claim of the game, with the same seven fields as the contract's `claimData(i)`.

    `countered_by` changes when a step or a resolution counters the claim, so the record is
    mutable; the bond stays recorded here and payouts go through credit.
    """

    parent_index: int
    countered_by: Address
    claimant: Address
    bond: int
    claim: Claim
    position: Position
    clock: Clock

    @property
    def is_root(self) -> bool:
        return self.parent_index == ROOT_PARENT_INDEX

    @property
    def depth(self) -> int:
        return self.position.depth

    def as_tuple(self) -> tuple[int, Address, Address, int, Claim, int, int]:
        """The `claimData(uint256)` getter's return values, in ABI order."""
        return (
            self.parent_index,
            self.countered_by,
            self.claimant,
            self.bond,
            self.claim,
            self.position.gindex,
            self.clock.pack(),
        )


@dataclass(slots=True)
class ResolutionCheckpoint:
    """Progress of a paginated `resolveClaim` over one subgame's children (§2.9)."""

    initial_checkpoint_complete: bool = False
    subgame_index: int = 0
    leftmost_position: int = 2**128 - 1
    countered_by: Address = ZERO_ADDRESS


def status_byte(claim: Claim) -> int:
    """The VM status carried in byte 0 of a state-hash claim."""
    return claim[0]


def with_status(state_hash: bytes, status: VMStatus | int) -> Claim:
    """Replace byte 0 of a state hash with a VM status, as every FPVM does."""
    return bytes([int(status)]) + state_hash[1:]


# -- errors ------------------------------------------------------------------------------


class GameNotInProgress(GameError):
    """The game is already resolved."""


class InvalidDisputedClaimIndex(GameError):
    """The claim at the challenge index is not the claim the mover says it disputes."""


class CannotDefendRootClaim(GameError):
    """Defending the root, or an execution sub-game root, has no meaning."""


class L2BlockNumberChallenged(GameError):
    """The root's block number was already challenged; no more moves against the root."""


class GameDepthExceeded(GameError):
    """A move would go below MAX_GAME_DEPTH; the deepest claims can only be stepped."""


class UnexpectedRootClaim(GameError):
    """An exec sub-game root carries a VM status that contradicts the mover's side."""


class IncorrectBondAmount(GameError):
    """The bond sent does not equal getRequiredBond(position)."""


class ClockTimeExceeded(GameError):
    """The mover's team has no time left on its chess clock."""


class ClockNotExpired(GameError):
    """A claim cannot be resolved while its potential challengers still have time."""


class ClaimAlreadyExists(GameError):
    """The same claim at the same position under the same parent already exists."""


class InvalidParent(GameError):
    """A step must target a claim at MAX_GAME_DEPTH."""


class InvalidPrestate(GameError):
    """The state data given to step does not hash to the pre-state claim."""


class ValidStep(GameError):
    """The step agrees with the claim it tries to counter."""


class DuplicateStep(GameError):
    """The claim has already been countered by a step."""


class ClaimAlreadyResolved(GameError):
    """The subgame rooted at this claim is already resolved."""


class OutOfOrderResolution(GameError):
    """Children must be resolved before their parent, and the root before the game."""


class InvalidLocalIdent(GameError):
    """Local data ids are 1..5 only."""


class GameNotResolved(GameError):
    """Credit is paid only after the game is resolved and closed."""


class NoCreditToClaim(GameError):
    """The recipient has no credit in this game."""


class InvalidSplitDepth(GameError):
    """The split depth breaks `2 <= split_depth` and `split_depth + 1 < max_game_depth`."""


class MaxDepthTooLarge(GameError):
    """max_game_depth must be at most 125 (positions are uint128)."""


class InvalidClockExtension(GameError):
    """The largest clock extension must fit in max_clock_duration."""


class InvalidChallengeIndex(GameError):
    """The challenge index does not name an existing claim (an array out-of-bounds revert)."""


__all__ = [
    "ROOT_PARENT_INDEX",
    "ZERO_ADDRESS",
    "Address",
    "BondDistributionMode",
    "CannotDefendRootClaim",
    "Claim",
    "ClaimAboveSplit",
    "ClaimAlreadyExists",
    "ClaimAlreadyResolved",
    "ClaimData",
    "Clock",
    "ClockNotExpired",
    "ClockTimeExceeded",
    "DuplicateStep",
    "GameDepthExceeded",
    "GameError",
    "GameNotInProgress",
    "GameNotResolved",
    "GameStatus",
    "IncorrectBondAmount",
    "InvalidChallengeIndex",
    "InvalidClockExtension",
    "InvalidDisputedClaimIndex",
    "InvalidLocalIdent",
    "InvalidParent",
    "InvalidPrestate",
    "InvalidSplitDepth",
    "L2BlockNumberChallenged",
    "MaxDepthTooLarge",
    "NoCreditToClaim",
    "OutOfOrderResolution",
    "ResolutionCheckpoint",
    "UnexpectedRootClaim",
    "VMStatus",
    "ValidStep",
    "status_byte",
    "with_status",
]
