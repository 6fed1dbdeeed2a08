"""The game tree of a played dispute: every claim's meaning, the honest path, the disputed
instruction, and the same game in the terminal, as SVG and as PNG (and from the command line)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from monitor_scene import SETTINGS, player
from rich.console import Console

from faultproof.chain import Chain
from faultproof.chain.testing import anvil_chain, anvil_node
from faultproof.cli import main
from faultproof.contracts.dispute import artifact
from faultproof.demo.dispute import DemoSettings, DemoWorld, build_world, play_out, run_demo
from faultproof.game.types import GameStatus
from faultproof.monitor.disasm import instruction_of_step
from faultproof.monitor.judge import Judge
from faultproof.monitor.picture import Rect, layout, to_png, to_svg, write_game_pictures
from faultproof.monitor.text import render_tree, show_game
from faultproof.monitor.view import OUTPUT, VM, GameView, read_game


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoWorld, GameView]:
    w = build_world(SETTINGS)
    game = w.system.create_game(
        w.liar.output_root(w.claimed_block), w.claimed_block, sender=w.proposer
    )
    play_out(w, player(w, game, honest=False), tmp_path_factory.mktemp("c") / "challenger.json")
    assert GameStatus(game.call("status")) == GameStatus.CHALLENGER_WINS
    from faultproof.agents.onchain import read_params

    params = read_params(game)
    judge = Judge.for_game(game, params, w.honest, w.honest_traces)
    return w, read_game(game, judge, params=params)


def test_every_claim_says_what_it_is_and_who_is_right(played: tuple[DemoWorld, GameView]) -> None:
    w, view = played
    assert view.root_agrees is False and view.correct_status() == GameStatus.CHALLENGER_WINS
    assert len(view.claims) == view.max_depth + 1, "one claim per level down to the bottom"
    for claim in view.claims:
        assert claim.depth == claim.gindex.bit_length() - 1
        assert claim.kind == (OUTPUT if claim.depth <= view.split_depth else VM)
        assert claim.parent == (None if claim.index == 0 else claim.index - 1)
        mine = claim.claimant.lower() == w.challenger.lower()
        assert claim.honest is mine, (
            f"claim {claim.index}: the challenger's claims are the honest path"
        )
        if claim.kind == OUTPUT:
            assert claim.l2_block == claim.trace_index + 1
        if mine:
            assert claim.agrees is True
    assert view.claims[0].l2_block == w.claimed_block
    assert {c.move for c in view.claims[1:]} == {"attack", "defend"}
    # The liar's wrong claims were countered when the game resolved.
    assert all(c.countered_by for c in view.claims if c.agrees is False)


def test_the_final_step_names_the_disputed_instruction(played: tuple[DemoWorld, GameView]) -> None:
    _, view = played
    (step,) = view.steps
    leaf = view.claims[step.claim_index]
    assert leaf.depth == view.max_depth
    assert step.instruction is not None and step.instruction.machine == "mips32"
    assert step.instruction.text and step.instruction.text != "(undecodable)"
    assert step.step_index is not None and step.step_index >= leaf.trace_index
    assert str(step.instruction.pc) and "instruction" in step.describe()


def test_terminal_svg_and_png_show_the_same_tree(
    played: tuple[DemoWorld, GameView], tmp_path: Path
) -> None:
    w, view = played
    out = io.StringIO()
    Console(file=out, width=220).print(render_tree(view, {w.challenger: "challenger"}))
    text = out.getvalue()
    assert "split depth" in text and "DISAGREE" in text and "honest" in text
    assert "challenger" in text and view.steps[0].instruction is not None
    assert view.steps[0].instruction.text in text
    contract = w.chain.at(view.address, artifact("FaultDisputeGame"))
    out = io.StringIO()
    again = show_game(contract, w.honest, w.honest_traces, Console(file=out, width=220))
    assert again.claims == view.claims and "DISAGREE" in out.getvalue()
    scene = layout(view)
    svg = to_svg(scene)
    assert svg.startswith("<svg") and svg.count("<rect") > len(view.claims)
    assert "split depth" in svg and "stroke-dasharray" in svg, "defends are dashed"
    assert f"claim #{len(view.claims) - 1} (" in svg, "every claim has a hover title"
    png = to_png(scene)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    svg_path = write_game_pictures(contract, tmp_path / "tree.svg", w.honest, w.honest_traces)
    assert svg_path.read_text().startswith("<svg")
    assert svg_path.with_suffix(".png").read_bytes()[:4] == b"\x89PNG"


def test_disassembles_mips32_and_riscv64_witnesses() -> None:
    mips = bytearray(226)
    mips[68:72] = (0x1004).to_bytes(4, "big")
    leaf = bytearray(32)
    leaf[4:8] = bytes.fromhex("27bdffe0")  # addiu sp, sp, -32
    ins = instruction_of_step(bytes(mips), bytes(leaf) + bytes(32 * 27))
    assert ins is not None and ins.text == "addiu $sp, $sp, -0x20" and ins.pc == 0x1004
    rv = bytearray(362)
    rv[72:80] = (0x2008).to_bytes(8, "big")
    leaf = bytearray(32)
    leaf[8:12] = (0x00A50533).to_bytes(4, "little")  # add a0, a0, a0
    ins = instruction_of_step(bytes(rv), bytes(leaf))
    assert ins is not None and ins.machine == "riscv64" and ins.text == "add a0, a0, a0"
    rv[72:80] = (0x200A).to_bytes(8, "big")
    leaf[10:12] = bytes.fromhex("0145")  # c.li a0, 0
    ins = instruction_of_step(bytes(rv), bytes(leaf))
    assert ins is not None and ins.raw == bytes.fromhex("0145") and "li" in ins.text
    assert instruction_of_step(b"\x00" * 100, b"") is None


@pytest.mark.anvil
def test_game_show_over_json_rpc(anvil_chain: Chain, tmp_path: Path) -> None:
    w = build_world(SETTINGS, chain=anvil_chain)
    game = w.system.create_game(
        w.liar.output_root(w.claimed_block), w.claimed_block, sender=w.proposer
    )
    assert player(w, game, honest=True).act()
    assert player(w, game, honest=False).act()
    url = anvil_chain.url  # type: ignore[attr-defined]
    sources = ["--outputs", "faultproof.demo.traces:demo_outputs", "--outputs-arg", "blocks=4"]
    svg, png = tmp_path / "g.svg", tmp_path / "g.png"
    result = CliRunner().invoke(
        main,
        ["game", "show", "--rpc-url", url, game.address, *sources, "--svg", str(svg),
         "--png", str(png)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "DISAGREE" in result.output and "agree honest" in result.output
    assert f"game tree: {svg}" in result.output
    assert svg.read_text().startswith("<svg") and png.read_bytes()[:4] == b"\x89PNG"

    result = CliRunner().invoke(main, ["game", "show", "--rpc-url", url, game.address, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert len(doc["claims"]) == 3 and doc["forecast"] == "DEFENDER_WINS"
    assert doc["claims"][1]["kind"] == "output" and doc["claims"][1]["agrees"] is None

    result = CliRunner().invoke(main, ["game", "show", "--rpc-url", url, w.proposer])
    assert result.exit_code == 2 and "does not answer like a FaultDisputeGame" in result.output
    result = CliRunner().invoke(main, ["game", "show", "--rpc-url", url, "0x1234"])
    assert result.exit_code == 2


def test_the_demo_writes_the_picture_of_its_game(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = DemoSettings(isa="mips32", blocks=4, bad_block=3, tree_dir=tmp_path)
    run_demo(settings, Console(file=out, width=300))
    line = next(x for x in out.getvalue().splitlines() if x.startswith("game tree: "))
    path = Path(line.removeprefix("game tree: ").strip())
    assert path.parent == tmp_path and path.suffix == ".svg"
    assert path.read_text().startswith("<svg") and path.with_suffix(".png").exists()


__all__ = ["anvil_chain", "anvil_node"]


def test_a_branching_game_keeps_its_boxes_apart_and_its_rows_under_their_parents() -> None:
    """A third party attacks the wrong root beside the challenger: two subtrees side by side."""
    w = build_world(SETTINGS)
    game = w.system.create_game(w.liar.output_root(4), 4, sender=w.proposer)
    honest, liar = player(w, game, True), player(w, game, False)
    honest.act()
    other = w.chain.accounts[5]
    w.chain.set_balance(other, 10**22)
    bond = game.call("getRequiredBond", 2)
    game.transact("move", w.liar.output_root(4), 0, b"\x11" * 32, True, value=bond, sender=other)
    for _ in range(3):
        honest.act()
        liar.act()
    out = io.StringIO()
    view = show_game(game, w.honest, w.honest_traces, Console(file=out, width=220))
    assert len(view.claims[0].children) == 2
    boxes = [s for s in layout(view).shapes if isinstance(s, Rect) and s.title]
    assert len(boxes) == len(view.claims)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
            assert apart, f"{a.title.splitlines()[0]} overlaps {b.title.splitlines()[0]}"
    rows = [line.split()[1] for line in out.getvalue().splitlines()[3:] if line[:1] in "│├└ "]
    order = [int(r) for r in rows if r.isdigit()]
    second = view.claims[0].children[1]
    assert order.index(second) > max(order.index(c) for c in view.claims[0].children[:1]), (
        "the second branch is listed after the whole first one"
    )
    assert order[-1] in view.claims[second].children, "the second branch's child closes the table"
