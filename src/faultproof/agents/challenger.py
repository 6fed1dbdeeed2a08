"""An agent that plays a game honestly with respect to its own trace.

Run with the true trace it is the honest challenger (op-challenger); run with a wrong trace it is
the strongest dishonest player, a consistent liar, which is what the demo pits against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from faultproof.agents.onchain import GameParams, mirror, read_params, send_action
from faultproof.chain import ContractReverted
from faultproof.contracts import Contract
from faultproof.game.solver import Action, GameSolver, MoveAction
from faultproof.trace.split import TraceAccessor


@dataclass
class ActionLog:
    moves: int = 0
    steps: int = 0
    failed: list[str] = field(default_factory=list)


class Player:
    """Reads the game from chain, asks the solver what to do, sends it."""

    def __init__(
        self, name: str, sender: str, accessor: TraceAccessor, game: Contract, oracle: Contract
    ) -> None:
        self.name = name
        self.sender = sender
        self.game = game
        self.oracle = oracle
        self.params: GameParams = read_params(game)
        self.solver = GameSolver(accessor, self.params.max_game_depth, self.params.split_depth)
        self.log = ActionLog()

    def next_actions(self) -> list[Action]:
        model = mirror(self.game, self.params)
        return self.solver.calculate_next_actions(model).actions

    def act(self, limit: int | None = None) -> list[Action]:
        """Send the actions the solver wants now (at most ``limit``); return what was sent.

        The player keeps no game state of its own: every call re-reads the game from chain. A
        process that dies between (or in the middle of) its transactions therefore resumes by
        simply starting again; the chain is its store.
        """
        sent: list[Action] = []
        for action in self.next_actions()[:limit]:
            try:
                send_action(self.game, self.oracle, action, self.sender)
            except ContractReverted as exc:
                # Someone else may have made the same move first; the next pass re-reads the game.
                self.log.failed.append(f"{type(action).__name__}: {exc}")
                continue
            sent.append(action)
            if isinstance(action, MoveAction):
                self.log.moves += 1
            else:
                self.log.steps += 1
        return sent
