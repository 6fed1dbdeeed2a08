"""A dispute game read from chain into one plain snapshot: every claim with what it means.

:func:`read_game` is what ``faultproof game show``, the pictures, the monitor and its web page
all look at. Per claim it works out what the contract only implies: depth and trace index from
the generalized index, output root vs VM state from the split depth, attack vs defend from the
parent's position, the clock its challengers have left, whether our own node agrees (a
:class:`~faultproof.monitor.judge.Judge`), and whether the claim is on the honest path (what the
honest actor stands behind: the root if right, and each honest response, the same walk as the
solver). The final step's instruction is disassembled when a trace source can rebuild its witness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from faultproof.agents.onchain import GameParams, mirror, read_claims, read_params
from faultproof.contracts import Contract
from faultproof.game.engine import FaultDisputeGame
from faultproof.game.position import Position
from faultproof.game.solver import HonestClaims, claim_id
from faultproof.game.types import ROOT_PARENT_INDEX, ZERO_ADDRESS, ClaimData, GameStatus
from faultproof.monitor.disasm import Instruction, instruction_of_step
from faultproof.monitor.judge import Judge

OUTPUT = "output"
VM = "vm"


@dataclass(frozen=True)
class ClaimView:
    """One claim, as a person debugging the dispute wants to read it."""

    index: int
    parent: int | None
    depth: int
    gindex: int
    kind: str
    """``output`` (an output root, at or above the split depth) or ``vm`` (a VM state hash)."""
    trace_index: int
    """Output claims: the output's index (block - anchor - 1); VM claims: the step index within
    its execution subgame (the claim commits to the state after trace_index + 1 steps)."""
    l2_block: int | None
    value: bytes
    claimant: str
    bond: int
    countered_by: str | None
    clock_left: int
    """Seconds the claim's challengers still have to counter it (0: it can be resolved)."""
    expires_at: int
    """Chain time when that clock runs out."""
    is_attack: bool | None
    """None for the root."""
    agrees: bool | None
    """Does our node put the same value here? None: no source, or it cannot say."""
    honest: bool | None
    """On the honest path (the root if right, then every honest response)? None: unknown."""
    resolved: bool
    children: tuple[int, ...] = ()

    @property
    def move(self) -> str:
        return "root" if self.is_attack is None else ("attack" if self.is_attack else "defend")


@dataclass(frozen=True)
class StepView:
    """A leaf claim at the maximum depth: settled (or to be settled) by one on-chain step."""

    claim_index: int
    is_attack: bool | None
    """Attack step if the leaf is wrong (re-run the step that made it), defend step if it is right
    (run one step further); None when no trace source says which."""
    step_index: int | None
    """Index of the stepped instruction in the execution subgame (the pre-state's step count)."""
    countered_by: str | None
    instruction: Instruction | None
    leaf_honest: bool | None = None
    """The leaf is the honest actor's: it stands, and the instruction is the one its opponent
    would have to step and cannot."""

    def describe(self) -> str:
        """One line: which step, which instruction (0-based: instruction N turns the state after N
        steps into the state after N + 1), and what became of it."""
        ins = "" if self.instruction is None else f": {self.instruction}"
        if self.step_index is None:
            return (
                f"claim #{self.claim_index} is at the maximum depth"
                + ("; countered by a step" if self.countered_by else "; not stepped yet")
                + " (give --traces to see the disputed instruction)"
            )
        if self.leaf_honest:
            return (
                f"claim #{self.claim_index} is the honest leaf: it stands; the disputed "
                f"instruction is step {self.step_index}{ins}"
            )
        kind = "attack" if self.is_attack else "defend"
        done = f"; countered by {self.countered_by}" if self.countered_by else "; not stepped yet"
        return f"{kind} step on claim #{self.claim_index}, instruction {self.step_index}{ins}{done}"


@dataclass
class GameView:
    """A snapshot of one game at chain time ``now``."""

    address: str
    game_type: int
    status: GameStatus
    created_at: int
    resolved_at: int
    now: int
    params: GameParams
    root_claim: bytes
    claims: list[ClaimView]
    steps: list[StepView]
    credits: dict[str, int] = field(default_factory=dict)
    """What each claimant (and the creator) can still claim (wei)."""
    judged: bool = False
    """Whether any source of ours was there to agree or disagree."""

    @property
    def max_depth(self) -> int:
        return self.params.max_game_depth

    @property
    def split_depth(self) -> int:
        return self.params.split_depth

    @property
    def root(self) -> ClaimView:
        return self.claims[0]

    @property
    def root_agrees(self) -> bool | None:
        return self.claims[0].agrees

    def forecast(self) -> GameStatus:
        """How the game resolves if nobody moves again: the contract's bottom-up rule on the
        claims as they stand (a claim stands unless one of its children stands; a leaf falls
        only to a step)."""
        if self.status != GameStatus.IN_PROGRESS:
            return self.status
        stands = self._standing()
        return GameStatus.DEFENDER_WINS if stands[0] else GameStatus.CHALLENGER_WINS

    def _standing(self) -> list[bool]:
        stands = [True] * len(self.claims)
        for claim in reversed(self.claims):  # children always come after their parent
            if claim.children:
                stands[claim.index] = not any(stands[c] for c in claim.children)
            else:
                stands[claim.index] = claim.countered_by is None
        return stands

    def standing(self) -> list[bool]:
        """Per claim: would it stand (be uncountered) if the game were resolved now?"""
        return self._standing()

    def correct_status(self) -> GameStatus | None:
        """How the game should end by our node's outputs (None: we do not know the root)."""
        if self.root_agrees is None:
            return None
        return GameStatus.DEFENDER_WINS if self.root_agrees else GameStatus.CHALLENGER_WINS

    def resolvable_at(self) -> int:
        """Chain time from which every claim's clock has run out (the game can be resolved)."""
        return max(claim.expires_at for claim in self.claims)


def _expires_at(claims: list[ClaimData], i: int, max_clock: int) -> int:
    """Chain time at which claim ``i``'s challengers run out of time: from then on
    ``getChallengerDuration(i)`` is ``maxClockDuration`` and the claim can be resolved."""
    claim = claims[i]
    parent = claim.parent_index
    used = 0 if parent == ROOT_PARENT_INDEX else claims[parent].clock.duration
    return claim.clock.timestamp + max(0, max_clock - used)


def _honest_flags(
    model: FaultDisputeGame, judge: Judge, agrees: list[bool | None]
) -> list[bool | None]:
    """The honest actor's claims: the root if we agree with it, then each claim it would post in
    answer to a claim it must counter (the solver's walk: answer the root if wrong, every
    counter of an honest claim, and any sibling at or left of the honest answer)."""
    from faultproof.game.solver import GameSolver

    if agrees[0] is None:
        return [None] * len(model.claims)
    p = judge.params

    class _Expect:
        def get(self, game: FaultDisputeGame, ref: int, pos: Position) -> bytes:
            value = judge.expected(game, ref, pos)
            if value is None:
                raise LookupError(pos)
            return value

        def get_step_data(self, game: FaultDisputeGame, ref: int, pos: Position) -> object:
            raise LookupError(pos)

    solver = GameSolver(_Expect(), p.max_game_depth, p.split_depth)  # type: ignore[arg-type]
    honest = HonestClaims()
    if agrees[0]:
        honest.add(None, claim_id(model.claims[0]))
    unknown_below = False
    for i, claim in enumerate(model.claims):
        if claim.position.depth == p.max_game_depth:
            continue  # answered by a step, not a claim
        if solver.should_counter(model, i, honest) is not None:
            continue
        agree = agrees[i]
        if agree is None:
            unknown_below = True
            continue
        if agree and (i == 0 or claim.position.depth == p.split_depth + 1):
            continue  # the contract forbids defending the root or an execution subgame root
        pos = claim.position.move(not agree)
        value = judge.expected(model, i, pos)
        if value is None:
            unknown_below = True
            continue
        honest.add(i, (pos.gindex, value, i))
    flags: list[bool | None] = []
    for claim in model.claims:
        is_honest = honest.is_honest(claim)
        flags.append(True if is_honest else (None if unknown_below else False))
    return flags


def read_game(
    game: Contract,
    judge: Judge | None = None,
    *,
    now: int | None = None,
    params: GameParams | None = None,
) -> GameView:
    """Everything about ``game`` at chain time ``now`` (default: the chain's), judged by ``judge``."""
    params = params or read_params(game)
    now = game.chain.timestamp if now is None else now
    claims = read_claims(game)
    status = GameStatus(game.call("status"))
    model = mirror(game, params)
    model.claims = claims
    judge = judge or Judge(params)
    split, max_depth = params.split_depth, params.max_game_depth
    bottom_depth = max_depth - split - 1

    agrees: list[bool | None] = []
    for i, claim in enumerate(claims):
        expected = judge.expected(model, i, claim.position) if judge.knows_anything else None
        agrees.append(None if expected is None else expected == claim.claim)
    honest = _honest_flags(model, judge, agrees) if judge.knows_anything else [None] * len(claims)

    children: dict[int, list[int]] = {}
    for i, claim in enumerate(claims):
        if claim.parent_index != ROOT_PARENT_INDEX:
            children.setdefault(claim.parent_index, []).append(i)
    resolved = [bool(game.call("resolvedSubgames", i)) for i in range(len(claims))]

    expires = [_expires_at(claims, i, params.max_clock_duration) for i in range(len(claims))]
    views: list[ClaimView] = []
    for i, claim in enumerate(claims):
        pos = claim.position
        parent = None if claim.parent_index == ROOT_PARENT_INDEX else claim.parent_index
        is_attack = None if parent is None else pos.gindex == claims[parent].position.gindex << 1
        if pos.depth <= split:
            kind, block = OUTPUT, judge.block_of(pos)
            trace_index = block - params.starting_output.l2_block_number - 1
        else:
            kind, block = VM, None
            trace_index = pos.relative_to_ancestor_at_depth(split + 1).trace_index(bottom_depth)
        views.append(
            ClaimView(
                index=i,
                parent=parent,
                depth=pos.depth,
                gindex=pos.gindex,
                kind=kind,
                trace_index=trace_index,
                l2_block=block,
                value=claim.claim,
                claimant=claim.claimant,
                bond=claim.bond,
                countered_by=None if claim.countered_by == ZERO_ADDRESS else claim.countered_by,
                clock_left=max(0, expires[i] - now),
                expires_at=expires[i],
                is_attack=is_attack,
                agrees=agrees[i],
                honest=honest[i],
                resolved=resolved[i],
                children=tuple(children.get(i, ())),
            )
        )

    steps = [
        _step_view(model, judge, views[i], bottom_depth)
        for i, c in enumerate(claims)
        if c.position.depth == max_depth
    ]
    return GameView(
        address=game.address,
        game_type=game.call("gameType"),
        status=status,
        created_at=params.created_at,
        resolved_at=game.call("resolvedAt"),
        now=now,
        params=params,
        root_claim=claims[0].claim,
        claims=views,
        steps=steps,
        credits=_credits(game, claims) if status != GameStatus.IN_PROGRESS else {},
        judged=judge.knows_anything,
    )


def _step_view(
    model: FaultDisputeGame, judge: Judge, leaf: ClaimView, bottom_depth: int
) -> StepView:
    if leaf.agrees is None:
        return StepView(leaf.index, None, None, leaf.countered_by, None)
    pos = Position(leaf.gindex + 1) if leaf.agrees else Position(leaf.gindex)
    step_index = leaf.trace_index + (1 if leaf.agrees else 0)
    data = judge.step_data(model, leaf.index, pos)
    instruction = None if data is None else instruction_of_step(data.prestate, data.proof)
    return StepView(
        leaf.index, not leaf.agrees, step_index, leaf.countered_by, instruction, leaf.honest
    )


def _credits(game: Contract, claims: list[ClaimData]) -> dict[str, int]:
    """Unclaimed credit per claimant of a finished game, for either payout design: a 2.x game
    (either ledger while the distribution mode is undecided) or a 1.x game (``credit`` only),
    as the challenger service collects them."""
    from faultproof.agents.service import _owed, game_generation

    who = dict.fromkeys([c.claimant for c in claims] + [game.call("gameCreator")])
    generation = game_generation(game)
    out: dict[str, int] = {}
    for address in who:
        owed = _owed(game, address, generation)
        if owed:
            out[address] = owed
    return out
