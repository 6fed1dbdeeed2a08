"""The off-chain dispute game: positions, the FaultDisputeGame rules, the honest solver.

`engine.FaultDisputeGame` is a pure-Python model of the contract, used to test agents and to
simulate games deterministically; `solver.GameSolver` is op-challenger's honest algorithm;
`simulate` plays it against adversaries; `bisection.settle` uses all of it to settle a dispute
over any array (lists or callables, with a transition as the leaf checker). (The solver is imported from `faultproof.game.solver`
directly: it depends on `faultproof.trace`, which depends on positions from this package.)
"""

from faultproof.game.engine import FaultDisputeGame, GameConfig, OutputRoot
from faultproof.game.position import Position
from faultproof.game.types import ClaimData, Clock, GameStatus, VMStatus

__all__ = [
    "ClaimData",
    "Clock",
    "FaultDisputeGame",
    "GameConfig",
    "GameStatus",
    "OutputRoot",
    "Position",
    "VMStatus",
]
