"""The game tree as a picture: depth as rows, attacks and defends drawn differently, the honest
path highlighted, the split depth marked, and the final step with its instruction.

The layout is computed once into a list of shapes (:class:`Scene`), which two small back ends
draw: SVG as text (each claim carries a hover title with every field) and PNG with Pillow, so
the PNG needs nothing beyond a PyPI wheel. Placement: each subtree gets as many columns as it
has leaves, a claim sits over the middle of its subtree, nudged left when it attacks and right
when it defends, so a bisection reads as a zigzag down the page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from faultproof.fileio import write_atomic
from faultproof.game.types import GameStatus
from faultproof.monitor.text import duration, ether, short
from faultproof.monitor.view import OUTPUT, ClaimView, GameView

if TYPE_CHECKING:
    from faultproof.agents.proposer import OutputSource
    from faultproof.agents.service import TraceSource
    from faultproof.contracts import Contract

COLUMN = 260
ROW = 64
BOX_W = 164
BOX_H = 40
NUDGE = 0.15
"""Attacks sit this many columns left of their subtree's middle, defends right; neighbouring
columns then stay (1 - 2 * NUDGE) * COLUMN = 182 px apart, more than a box is wide."""
LEFT = 200
TOP = 96
LEGEND_W = 270

INK = "#1f2328"
MUTED = "#57606a"
ATTACK = "#c4490c"
DEFEND = "#0969da"
HONEST = "#1a7f37"
SPLIT = "#8250df"
FILLS = {  # (fill, stroke) by verdict
    "honest": ("#dafbe1", HONEST),
    "agree": ("#eef9f0", "#4ac26b"),
    "disagree": ("#ffebe9", "#cf222e"),
    "unknown": ("#f6f8fa", "#8c959f"),
}


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str
    width: float = 1.5
    radius: float = 6
    title: str = ""


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 2
    dash: tuple[int, int] | None = None
    opacity: float = 1.0


@dataclass
class Label:
    x: float
    y: float
    text: str
    size: int = 12
    color: str = INK
    anchor: str = "start"
    """``start``, ``middle`` or ``end`` (SVG's text-anchor)."""
    bold: bool = False


@dataclass
class Scene:
    width: int
    height: int
    shapes: list[Rect | Line | Label] = field(default_factory=list)


def _verdict(claim: ClaimView) -> str:
    if claim.honest:
        return "honest"
    if claim.agrees is None:
        return "unknown"
    return "agree" if claim.agrees else "disagree"


def _columns(view: GameView) -> dict[int, float]:
    """x of each claim in column units: subtrees side by side, parents over their children."""
    width: dict[int, int] = {}
    order = {
        c.index: sorted(c.children, key=lambda i: (view.claims[i].gindex, i)) for c in view.claims
    }
    for claim in reversed(view.claims):
        width[claim.index] = max(1, sum(width[c] for c in order[claim.index]))
    xs: dict[int, float] = {}

    def place(index: int, left: float) -> None:
        claim = view.claims[index]
        nudge = 0.0 if claim.is_attack is None else (-NUDGE if claim.is_attack else NUDGE)
        xs[index] = left + width[index] / 2 + nudge
        for child in order[index]:
            place(child, left)
            left += width[child]

    place(0, 0.0)
    return xs


def _title(view: GameView, claim: ClaimView) -> str:
    parts = [
        f"claim #{claim.index} ({claim.move})",
        f"depth {claim.depth}, position (gindex) {claim.gindex}",
        f"{'output root of block ' + str(claim.l2_block) if claim.kind == OUTPUT else 'VM state'}"
        f", trace index {claim.trace_index}",
        f"value 0x{claim.value.hex()}",
        f"claimant {claim.claimant}",
        f"bond {ether(claim.bond)}",
        f"parent {'-' if claim.parent is None else '#' + str(claim.parent)}",
        f"countered by {claim.countered_by or '-'}",
        f"clock left {duration(claim.clock_left)}",
        f"our node: {'?' if claim.agrees is None else ('agrees' if claim.agrees else 'disagrees')}",
    ]
    return "\n".join(parts)


def layout(view: GameView) -> Scene:
    """Place every claim, edge, row label, the split marker, the step and the legend."""
    xs = _columns(view)
    columns = max(1.0, max(xs.values()) + 0.5 + NUDGE)
    deepest = max(c.depth for c in view.claims)
    step_row = deepest + 1 if view.steps else deepest
    tree_w = int(columns * COLUMN)
    width = max(LEFT + tree_w + LEGEND_W + 40, 900)
    height = TOP + (step_row + 1) * ROW + 60
    scene = Scene(width, height)
    add = scene.shapes.append

    def cx(index: int) -> float:
        return LEFT + xs[index] * COLUMN

    def cy(depth: int) -> float:
        return TOP + depth * ROW + BOX_H / 2

    # Title.
    agree = view.root_agrees
    verdict = "unknown" if agree is None else ("agrees" if agree else "DISAGREES")
    add(Label(20, 30, f"Dispute game {view.address}", 18, bold=True))
    sub = (
        f"type {view.game_type} · {view.status.name} · claims L2 block {view.params.l2_block_number}"
        f" · root {short(view.root_claim, 10)} · our node {verdict}"
    )
    if view.status == GameStatus.IN_PROGRESS:
        sub += f" · forecast {view.forecast().name}"
    add(Label(20, 54, sub, 13, MUTED))

    # Rows: depth labels, zebra bands, the split depth.
    for depth in range(step_row + 1):
        y = TOP + depth * ROW - (ROW - BOX_H) / 2
        if depth % 2 == 0:
            add(Rect(0, y, width, ROW, "#f6f8fa", "#f6f8fa", 0, 0))
        kind = "step" if depth > deepest else ("output" if depth <= view.split_depth else "VM")
        add(Label(16, cy(depth) + 4, f"depth {depth}" if depth <= deepest else "step", 12, MUTED))
        if depth <= deepest:
            add(Label(LEFT - 48, cy(depth) + 4, kind, 11, SPLIT if kind == "VM" else MUTED, "end"))
    if deepest > view.split_depth:
        y = TOP + (view.split_depth + 1) * ROW - (ROW - BOX_H) / 2
        add(Line(0, y, width, y, SPLIT, 2, (8, 5)))
        add(
            Label(
                width - 16,
                y - 6,
                f"split depth {view.split_depth}: output roots above, VM states below",
                12,
                SPLIT,
                "end",
                True,
            )
        )

    # Edges first, so boxes sit on top.
    by_index = {c.index: c for c in view.claims}
    for claim in view.claims:
        if claim.parent is None:
            continue
        parent = by_index[claim.parent]
        x1, y1 = cx(parent.index), cy(parent.depth) + BOX_H / 2
        x2, y2 = cx(claim.index), cy(claim.depth) - BOX_H / 2
        if claim.honest and parent.honest is not None:
            add(Line(x1, y1, x2, y2, HONEST, 9, None, 0.3))
        if claim.is_attack:
            add(Line(x1, y1, x2, y2, ATTACK, 2.5))
        else:
            add(Line(x1, y1, x2, y2, DEFEND, 2.5, (6, 4)))
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        add(
            Label(
                mx + (-10 if claim.is_attack else 10),
                my + 4,
                "A" if claim.is_attack else "D",
                11,
                ATTACK if claim.is_attack else DEFEND,
                "end" if claim.is_attack else "start",
                True,
            )
        )

    # Claims.
    for claim in view.claims:
        fill, stroke = FILLS[_verdict(claim)]
        x, y = cx(claim.index) - BOX_W / 2, cy(claim.depth) - BOX_H / 2
        add(
            Rect(
                x, y, BOX_W, BOX_H, fill, stroke, 3 if claim.honest else 1.5, 6, _title(view, claim)
            )
        )
        where = (
            f"block {claim.l2_block}"
            if claim.kind == OUTPUT
            else f"after {claim.trace_index + 1:,}"
        )
        add(Label(x + 8, y + 16, f"#{claim.index} {claim.move}", 12, INK, "start", True))
        add(Label(x + BOX_W - 8, y + 16, where, 11, MUTED, "end"))
        tail = "  ✗ countered" if claim.countered_by else ""
        add(
            Label(
                x + 8, y + 32, f"{short(claim.value, 8)}{tail}", 11, INK if not tail else "#cf222e"
            )
        )

    # The final step(s).
    for step in view.steps:
        leaf = by_index[step.claim_index]
        x, y = cx(leaf.index), cy(step_row)
        add(Line(x, cy(leaf.depth) + BOX_H / 2, x, y - 12, MUTED, 2, (2, 3)))
        if step.leaf_honest:
            text = f"disputed instruction {step.step_index:,}"
            done = f"claim #{leaf.index} is right: no step can counter it"
        else:
            kind = {None: "step", True: "attack step", False: "defend step"}[step.is_attack]
            text = kind if step.step_index is None else f"{kind} of instruction {step.step_index:,}"
            done = (
                "countered by " + short(step.countered_by, 8)
                if step.countered_by
                else "not stepped yet"
            )
        add(Label(x, y + 2, text, 12, INK, "middle", True))
        if step.instruction is not None:
            ins = step.instruction
            add(
                Label(
                    x,
                    y + 18,
                    f"0x{ins.pc:x}: {ins.text}",
                    13,
                    ATTACK if step.is_attack else DEFEND,
                    "middle",
                    True,
                )
            )
        add(Label(x, y + 34, done, 11, MUTED, "middle"))

    # Legend.
    lx, ly = width - LEGEND_W, 80
    add(Rect(lx - 12, ly - 18, LEGEND_W - 8, 150, "#ffffff", "#d0d7de", 1, 6))
    add(Line(lx, ly, lx + 36, ly, ATTACK, 2.5))
    add(Label(lx + 46, ly + 4, "attack (disagrees with parent)", 12))
    add(Line(lx, ly + 22, lx + 36, ly + 22, DEFEND, 2.5, (6, 4)))
    add(Label(lx + 46, ly + 26, "defend (agrees, disputes below)", 12))
    for i, (key, text) in enumerate(
        (
            ("honest", "honest path"),
            ("agree", "our node agrees"),
            ("disagree", "our node disagrees"),
            ("unknown", "not judged"),
        )
    ):
        fill, stroke = FILLS[key]
        yy = ly + 40 + i * 22
        add(Rect(lx, yy, 36, 14, fill, stroke, 3 if key == "honest" else 1.5, 3))
        add(Label(lx + 46, yy + 12, text, 12))
    return scene


# -- back ends -------------------------------------------------------------------------------------


def to_svg(scene: Scene) -> str:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" height="{scene.height}" '
        f'viewBox="0 0 {scene.width} {scene.height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect width="{scene.width}" height="{scene.height}" fill="#ffffff"/>',
    ]
    for s in scene.shapes:
        if isinstance(s, Rect):
            title = f"<title>{html.escape(s.title)}</title>" if s.title else ""
            out.append(
                f'<g><rect x="{s.x:.1f}" y="{s.y:.1f}" width="{s.w:.1f}" height="{s.h:.1f}" '
                f'rx="{s.radius}" fill="{s.fill}" stroke="{s.stroke}" stroke-width="{s.width}"/>{title}</g>'
            )
        elif isinstance(s, Line):
            dash = f' stroke-dasharray="{s.dash[0]} {s.dash[1]}"' if s.dash else ""
            out.append(
                f'<line x1="{s.x1:.1f}" y1="{s.y1:.1f}" x2="{s.x2:.1f}" y2="{s.y2:.1f}" '
                f'stroke="{s.color}" stroke-width="{s.width}" stroke-opacity="{s.opacity}"'
                f' stroke-linecap="round"{dash}/>'
            )
        else:
            weight = ' font-weight="bold"' if s.bold else ""
            out.append(
                f'<text x="{s.x:.1f}" y="{s.y:.1f}" font-size="{s.size}" fill="{s.color}" '
                f'text-anchor="{s.anchor}"{weight}>{html.escape(s.text)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_png(scene: Scene, scale: float = 1.0) -> bytes:
    """The same scene drawn with Pillow (its bundled font; no system libraries needed)."""
    import io

    def z(v: float) -> float:
        return v * scale

    image = Image.new("RGB", (int(z(scene.width)), int(z(scene.height))), "#ffffff")
    draw = ImageDraw.Draw(image, "RGBA")
    fonts: dict[tuple[int, bool], ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}

    def font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        key = (size, bold)
        if key not in fonts:
            fonts[key] = _font(int(z(size)), bold)
        return fonts[key]

    for s in scene.shapes:
        if isinstance(s, Rect):
            box = (z(s.x), z(s.y), z(s.x + s.w), z(s.y + s.h))
            draw.rounded_rectangle(
                box,
                radius=z(s.radius),
                fill=s.fill,
                outline=s.stroke if s.width else None,
                width=max(0, round(z(s.width))),
            )
        elif isinstance(s, Line):
            color = _rgba(s.color, s.opacity)
            width = max(1, round(z(s.width)))
            if s.dash is None:
                draw.line((z(s.x1), z(s.y1), z(s.x2), z(s.y2)), fill=color, width=width)
            else:
                for seg in _dashes(z(s.x1), z(s.y1), z(s.x2), z(s.y2), z(s.dash[0]), z(s.dash[1])):
                    draw.line(seg, fill=color, width=width)
        else:
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
            draw.text(
                (z(s.x), z(s.y)), s.text, fill=s.color, font=font(s.size, s.bold), anchor=anchor
            )
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where the system has it, else the font Pillow bundles (any machine)."""
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _rgba(color: str, opacity: float) -> tuple[int, int, int, int]:
    c = color.lstrip("#")
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), round(255 * opacity))


def _dashes(
    x1: float, y1: float, x2: float, y2: float, on: float, off: float
) -> list[tuple[float, float, float, float]]:
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return []
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    out = []
    t = 0.0
    while t < length:
        end = min(t + on, length)
        out.append((x1 + ux * t, y1 + uy * t, x1 + ux * end, y1 + uy * end))
        t = end + off
    return out


def write_picture(view: GameView, path: Path | str) -> Path:
    """Write the tree as ``.svg`` or ``.png`` (by the file's suffix); returns the path."""
    path = Path(path)
    scene = layout(view)
    data = to_png(scene) if path.suffix.lower() == ".png" else to_svg(scene)
    write_atomic(path, data)  # a web view or a watcher never sees half a picture
    return path


def write_game_pictures(
    game: Contract,
    path: Path | str,
    outputs: OutputSource | None = None,
    traces: TraceSource | None = None,
) -> Path:
    """Read ``game`` from its chain, judge it with our sources, and write ``path`` (SVG) plus
    the same picture as PNG beside it. What ``faultproof demo`` calls for each game it plays."""
    from faultproof.agents.onchain import read_params
    from faultproof.monitor.judge import Judge
    from faultproof.monitor.view import read_game

    params = read_params(game)
    view = read_game(game, Judge.for_game(game, params, outputs, traces), params=params)
    svg = write_picture(view, Path(path).with_suffix(".svg"))
    write_picture(view, svg.with_suffix(".png"))
    return svg
