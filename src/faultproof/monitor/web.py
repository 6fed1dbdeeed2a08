"""The monitor's read-only web view: the games of the last poll, and each game's tree.

Routes (all GET): ``/`` the list (status, forecast, agreement, alerts), ``/game/ADDRESS`` one
game (its picture, alerts and claims), ``/game/ADDRESS.svg`` and ``.png`` the picture,
``/metrics`` Prometheus. Pages are built from the last poll's snapshot only: a request never
touches the chain, so the page cannot slow the monitor down or race it.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from faultproof.game.types import GameStatus
from faultproof.monitor.metrics import HttpService, Route, metrics_route
from faultproof.monitor.picture import layout, to_png, to_svg
from faultproof.monitor.text import duration, ether, short
from faultproof.monitor.view import OUTPUT
from faultproof.monitor.watch import GameReport, Monitor, MonitorReport

HTML = "text/html; charset=utf-8"
STYLE = """
body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 22px; margin: 0 0 4px 0; }
.sub { color: #57606a; margin-bottom: 16px; }
table { border-collapse: collapse; font-size: 14px; }
th, td { padding: 6px 12px; border-bottom: 1px solid #d0d7de; text-align: left; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 13px; }
.agree { color: #1a7f37; font-weight: bold; }
.disagree { color: #cf222e; font-weight: bold; }
.unknown { color: #57606a; }
.alert { background: #fff8c5; border-left: 4px solid #d4a72c; padding: 6px 10px; margin: 4px 0; }
.ok { color: #1a7f37; }
a { color: #0969da; text-decoration: none; }
img.tree { border: 1px solid #d0d7de; border-radius: 6px; max-width: 100%; }
"""


def _page(title: str, body: str, refresh: int = 0) -> bytes:
    meta = f"<meta http-equiv='refresh' content='{refresh}'>" if refresh else ""
    doc = (
        f"<!doctype html><html><head><meta charset='utf-8'>{meta}<title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )
    return doc.encode()


def _agreement(value: str) -> str:
    text = {"agree": "agrees", "disagree": "DISAGREES", "unknown": "unknown"}[value]
    return f"<span class='{value}'>{text}</span>"


def index_page(report: MonitorReport, title: str = "faultproof monitor") -> bytes:
    rows = []
    for g in reversed(report.games):
        v = g.view
        forecast = v.forecast().name if v.status == GameStatus.IN_PROGRESS else "-"
        alerts = "<br>".join(html.escape(f"{a.kind}: {a.message}") for a in g.alerts)
        rows.append(
            "<tr>"
            f"<td class='num'>{g.index}</td>"
            f"<td><a href='/game/{v.address}'><code>{v.address}</code></a></td>"
            f"<td class='num'>{v.game_type}</td>"
            f"<td class='num'>{v.params.l2_block_number}</td>"
            f"<td><code>{short(v.root_claim, 10)}</code></td>"
            f"<td>{v.status.name}</td><td>{forecast}</td>"
            f"<td>{_agreement(g.agreement)}</td>"
            f"<td class='num'>{len(v.claims)}</td>"
            f"<td>{alerts or '<span class=ok>ok</span>'}</td>"
            "</tr>"
        )
    health = ""
    if report.challenger:
        c = report.challenger
        up = "up" if c.get("up") else "DOWN"
        health = (
            f" · challenger {up}, last poll {c.get('age', -1):.0f}s ago, "
            f"{c.get('errors', 0):.0f} error(s)"
        )
    banner = "".join(
        f"<div class='alert'>{html.escape(a.kind)}: {html.escape(a.message)}</div>"
        for a in report.alerts
        if not a.game
    )
    body = (
        f"<h1>{html.escape(title)}</h1>"
        f"<div class='sub'>{len(report.games)} games in the window · {len(report.alerts)} alerts"
        f"{health}</div>{banner}"
        "<table id='games'><tr><th>#</th><th>game</th><th>type</th><th>L2 block</th>"
        "<th>root claim</th><th>status</th><th>forecast</th><th>our node</th><th>claims</th>"
        f"<th>alerts</th></tr>{''.join(rows)}</table>"
        "<p class='sub'><a href='/metrics'>metrics</a> · refreshes every 30 s</p>"
    )
    return _page(title, body, refresh=30)


def game_page(game: GameReport) -> bytes:
    v = game.view
    alerts = "".join(
        f"<div class='alert'>{html.escape(a.kind)}: {html.escape(a.message)}</div>"
        for a in game.alerts
    )
    rows = []
    live = v.status == GameStatus.IN_PROGRESS
    for c in v.claims:
        verdict = "unknown" if c.agrees is None else ("agree" if c.agrees else "disagree")
        what = (
            f"output, block {c.l2_block}"
            if c.kind == OUTPUT
            else f"VM, after {c.trace_index + 1:,} steps"
        )
        rows.append(
            "<tr>"
            f"<td class='num'>{c.index}</td><td>{c.move}</td><td class='num'>{c.depth}</td>"
            f"<td class='num'>{c.gindex}</td><td>{what}</td>"
            f"<td><code>{short(c.value, 10)}</code></td><td><code>{short(c.claimant, 8)}</code></td>"
            f"<td class='num'>{ether(c.bond)}</td>"
            f"<td class='num'>{'-' if c.parent is None else c.parent}</td>"
            f"<td><code>{short(c.countered_by, 8) if c.countered_by else '-'}</code></td>"
            f"<td class='num'>{duration(c.clock_left) if live and not c.resolved else '-'}</td>"
            f"<td>{_agreement(verdict)}{' (honest path)' if c.honest else ''}</td>"
            "</tr>"
        )
    steps = "".join(f"<p><b>final step</b>: {html.escape(s.describe())}</p>" for s in v.steps)
    body = (
        f"<p><a href='/'>&larr; all games</a></p><h1>game {v.address}</h1>"
        f"<div class='sub'>{v.status.name} · root {_agreement(game.agreement)} · "
        f"<a href='/game/{v.address}.svg'>SVG</a> · <a href='/game/{v.address}.png'>PNG</a></div>"
        f"{alerts}<img class='tree' id='tree' src='/game/{v.address}.svg' alt='game tree' "
        "onload=\"this.dataset.loaded='yes'\">"
        f"{steps}"
        "<table><tr><th>#</th><th>move</th><th>depth</th><th>gindex</th><th>what</th>"
        "<th>claim</th><th>claimant</th><th>bond</th><th>parent</th><th>countered by</th>"
        f"<th>clock left</th><th>our node</th></tr>{''.join(rows)}</table>"
    )
    return _page(f"game {v.address}", body)


def monitor_routes(current: Callable[[], MonitorReport]) -> Route:
    """Routes over whatever report ``current()`` returns (the monitor's last poll)."""

    def route(path: str) -> tuple[int, str, bytes] | None:
        path = path.split("?")[0]
        report = current()
        if path in ("/", "/index.html"):
            return 200, HTML, index_page(report)
        if not path.startswith("/game/"):
            return None
        name = path[len("/game/") :]
        address, _, ext = name.partition(".")
        game = next((g for g in report.games if g.view.address.lower() == address.lower()), None)
        if game is None:
            return (
                404,
                HTML,
                _page("not found", f"<p>no game {html.escape(address)} in the window</p>"),
            )
        if ext == "svg":
            return 200, "image/svg+xml", to_svg(layout(game.view)).encode()
        if ext == "png":
            return 200, "image/png", to_png(layout(game.view))
        return 200, HTML, game_page(game)

    return route


def serve_monitor(monitor: Monitor, addr: str = "127.0.0.1", port: int = 0) -> HttpService:
    """The web view and ``/metrics`` of ``monitor``, on a background thread."""
    return HttpService(
        addr, port, [metrics_route(monitor.metrics.registry), monitor_routes(lambda: monitor.last)]
    )
