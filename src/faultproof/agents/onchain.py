"""Reading a FaultDisputeGame from chain into the off-chain model, and sending actions to it.

The honest solver (``faultproof.game.solver``) works on the engine's claim list. An agent rebuilds
that list from the contract's ``claimData`` on every pass, so it never trusts its own memory of the
game: a restarted agent (or a second one) sees exactly what is on chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from faultproof.contracts import Contract
from faultproof.errors import FaultproofError
from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.solver import Action, MoveAction, StepAction
from faultproof.game.types import ClaimData, Clock, GameStatus
from faultproof.preimage.keys import KeyType, key_type

UINT32_MAX = 2**32 - 1


class AgentError(FaultproofError):
    """An agent could not read or act on a game."""


def _no_local_step(pre: bytes, proof: bytes, ctx: bytes) -> bytes:
    raise AgentError("the on-chain mirror does not execute steps; the contract does")


@dataclass
class GameParams:
    max_game_depth: int
    split_depth: int
    clock_extension: int
    max_clock_duration: int
    absolute_prestate: bytes
    l2_block_number: int
    starting_output: OutputRoot
    created_at: int


def read_params(game: Contract) -> GameParams:
    root, block = game.call("startingOutputRoot")
    return GameParams(
        max_game_depth=game.call("maxGameDepth"),
        split_depth=game.call("splitDepth"),
        clock_extension=game.call("clockExtension"),
        max_clock_duration=game.call("maxClockDuration"),
        absolute_prestate=game.call("absolutePrestate"),
        l2_block_number=game.call("l2BlockNumber"),
        starting_output=OutputRoot(root, block),
        created_at=game.call("createdAt"),
    )


def read_claims(game: Contract) -> list[ClaimData]:
    out = []
    for i in range(game.call("claimDataLen")):
        parent, countered_by, claimant, bond, claim, position, clock = game.call("claimData", i)
        out.append(
            ClaimData(
                parent_index=parent,
                countered_by=countered_by,
                claimant=claimant,
                bond=bond,
                claim=claim,
                position=Position(position),
                clock=Clock.unpack(clock),
            )
        )
    return out


def mirror(game: Contract, params: GameParams | None = None) -> FaultDisputeGame:
    """An engine object holding the contract's current claims (for the solver to read)."""
    p = params or read_params(game)
    config = GameConfig(
        max_game_depth=p.max_game_depth,
        split_depth=p.split_depth,
        clock_extension=p.clock_extension,
        max_clock_duration=p.max_clock_duration,
        absolute_prestate=p.absolute_prestate,
        step_verifier=_no_local_step,
    )
    claims = read_claims(game)
    model = FaultDisputeGame(
        config,
        claims[0].claim,
        p.l2_block_number,
        p.starting_output,
        claims[0].claimant,
        claims[0].bond,
        p.created_at,
    )
    model.claims = claims
    model.status = GameStatus(game.call("status"))
    return model


def send_action(game: Contract, oracle: Contract, action: Action, sender: str) -> None:
    """Send a solver action: a bonded move, or a step (oracle data loaded first)."""
    if isinstance(action, MoveAction):
        bond = game.call("getRequiredBond", action.position.gindex)
        game.transact(
            "move",
            action.disputed,
            action.parent_index,
            action.value,
            action.is_attack,
            value=bond,
            sender=sender,
        )
        return
    assert isinstance(action, StepAction)
    data = action.step_data
    if data.oracle_data is not None:
        load_oracle_data(game, oracle, action, sender)
    game.transact(
        "step", action.claim_index, action.is_attack, data.prestate, data.proof, sender=sender
    )


def load_oracle_data(game: Contract, oracle: Contract, action: StepAction, sender: str) -> None:
    """Put the preimage part a step reads into the oracle (op-challenger's `UploadOracleData`)."""
    od = action.step_data.oracle_data
    assert od is not None
    if od.is_local:
        game.transact("addLocalData", od.ident, action.claim_index, od.oracle_offset, sender=sender)
        return
    value = od.oracle_data[8:]  # the witness carries the 8-byte length prefix
    kind = key_type(od.oracle_key)
    if kind == KeyType.KECCAK256:
        oracle.transact("loadKeccak256PreimagePart", od.oracle_offset, value, sender=sender)
    elif kind == KeyType.SHA256:
        oracle.transact("loadSha256PreimagePart", od.oracle_offset, value, sender=sender)
    else:
        raise AgentError(f"loading {kind.name} preimages for a step is not supported yet")
