"""The game tree in a terminal: one row per claim with its branch drawn on the left, then the
final step.

Each row: the tree branch, index, attack/defend, depth, generalized index, output root (with its
L2 block) or VM state (with its step index), the value, claimant, bond, parent, countered-by, the
clock its challengers have left, and our verdict. Claims on the honest path are bold green;
claims we disagree with red; a marker row shows where the split depth turns output roots into
VM states.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from faultproof.agents.proposer import OutputSource
from faultproof.agents.service import TraceSource
from faultproof.contracts import Contract
from faultproof.game.types import GameStatus
from faultproof.monitor.view import OUTPUT, ClaimView, GameView

ETHER = 10**18


def short(value: bytes | str, n: int = 8) -> str:
    text = value if isinstance(value, str) else "0x" + value.hex()
    return text if len(text) <= n + 3 else text[: n + 2] + "…"


def duration(seconds: int) -> str:
    if seconds <= 0:
        return "expired"
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 3 * 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def ether(wei: int) -> str:
    return f"{wei / ETHER:.4g} ETH"


def verdict(claim: ClaimView) -> str:
    if claim.agrees is None:
        return "?"
    return "agree" if claim.agrees else "DISAGREE"


def where(claim: ClaimView) -> str:
    if claim.kind == OUTPUT:
        return f"output root, block {claim.l2_block}"
    return f"VM state after step {claim.trace_index + 1} (status {claim.value[0]})"


def tree_guides(view: GameView) -> dict[int, str]:
    """Per claim, in depth-first order, its branch of the tree drawn with one character per level
    (a game can be 73 levels deep, so the usual four-character indent would not fit a
    terminal)."""
    out: dict[int, str] = {}

    def walk(index: int, prefix: str, last: bool) -> None:
        claim = view.claims[index]
        out[index] = "" if claim.parent is None else prefix + ("└" if last else "├")
        below = "" if claim.parent is None else prefix + (" " if last else "│")
        kids = sorted(claim.children, key=lambda i: (view.claims[i].gindex, i))
        for n, child in enumerate(kids):
            walk(child, below, n == len(kids) - 1)

    walk(0, "", True)
    return out


def render_tree(view: GameView, names: dict[str, str] | None = None) -> RenderableType:
    """The whole game as a rich renderable (print it with a :class:`rich.console.Console`)."""
    names = {k.lower(): v for k, v in (names or {}).items()}

    def who(address: str | None) -> str:
        return "-" if not address else names.get(address.lower(), short(address, 6))

    head = Text()
    head.append(f"game {view.address}", style="bold")
    head.append(
        f"  type {view.game_type}  {view.status.name}  L2 block {view.params.l2_block_number}"
        f"  max depth {view.max_depth}  split depth {view.split_depth}"
    )
    if view.status == GameStatus.IN_PROGRESS:
        head.append(f"  forecast {view.forecast().name}")
    correct = view.correct_status()
    if correct is not None:
        good = correct == view.forecast()
        head.append(f"  should end {correct.name}", style="green" if good else "bold red")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name, justify in (
        ("tree", "left"),
        ("#", "right"),
        ("move", "left"),
        ("d", "right"),
        ("gindex", "right"),
        ("what", "left"),
        ("trace", "right"),
        ("claim", "left"),
        ("claimant", "left"),
        ("bond", "right"),
        ("parent", "right"),
        ("countered by", "left"),
        ("clock", "right"),
        ("ours", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=name in ("tree", "claim"))  # type: ignore[arg-type]
    guides = tree_guides(view)
    live = view.status == GameStatus.IN_PROGRESS
    for index in guides:  # depth-first, so each branch's rows sit under their parent
        claim = view.claims[index]
        style = "bold green" if claim.honest else ("red" if claim.agrees is False else "")
        move_style = (
            "dark_orange" if claim.is_attack else ("blue" if claim.is_attack is False else "")
        )
        if claim.depth == view.split_depth + 1 and (
            claim.parent is None or view.claims[claim.parent].depth == view.split_depth
        ):
            rule = Text("─" * len(guides[claim.index]), style="magenta")
            split = Text(f"split d{view.split_depth}", style="magenta")
            table.add_row(rule, "", "", "", "", split, "", Text("VM states ↓", style="magenta"))
        table.add_row(
            guides[claim.index],
            str(claim.index),
            Text(claim.move, style=move_style),
            str(claim.depth),
            str(claim.gindex),
            "output" if claim.kind == OUTPUT else "VM",
            f"blk {claim.l2_block}" if claim.kind == OUTPUT else f"{claim.trace_index:,}",
            Text(short(claim.value, 10), style=style),
            who(claim.claimant),
            ether(claim.bond),
            "-" if claim.parent is None else str(claim.parent),
            who(claim.countered_by),
            duration(claim.clock_left) if live and not claim.resolved else "-",
            Text(verdict(claim) + (" honest" if claim.honest else ""), style=style),
        )
    parts: list[RenderableType] = [head, table]
    for step in view.steps:
        parts.append(Text(step.describe(), style="cyan"))
    if view.credits:
        owed = ", ".join(f"{who(a)} {ether(v)}" for a, v in view.credits.items())
        parts.append(Text(f"unclaimed credit: {owed}", style="yellow"))
    return Group(*parts)


def print_tree(
    view: GameView, console: Console | None = None, names: dict[str, str] | None = None
) -> None:
    (console or Console()).print(render_tree(view, names))


def show_game(
    game: Contract,
    outputs: OutputSource | None = None,
    traces: TraceSource | None = None,
    console: Console | None = None,
    names: dict[str, str] | None = None,
) -> GameView:
    """``faultproof game show`` from Python, on any chain (the embedded one included): read and
    judge ``game``, print its tree, return the snapshot (for ``picture.write_picture``)."""
    from faultproof.agents.onchain import read_params
    from faultproof.monitor.judge import Judge
    from faultproof.monitor.view import read_game

    params = read_params(game)
    view = read_game(game, Judge.for_game(game, params, outputs, traces), params=params)
    print_tree(view, console, names)
    return view
