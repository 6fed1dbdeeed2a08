"""The monitor's web page in a real headless Chromium: it loads, lists the games of a scripted
dispute with their status and agreement, and shows a game's tree picture (screenshots kept in
the test's temporary directory; skipped where Debian's ``chromium`` is not installed)."""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from monitor_scene import THRESHOLDS, build_scene, player
from PIL import Image

from faultproof.monitor.watch import Monitor, MonitorReport
from faultproof.monitor.web import serve_monitor

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


def chromium(tmp: Path, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def watched() -> tuple[Monitor, MonitorReport, str]:
    scene = build_scene()
    w = scene.world
    # Play one wrong game down to the last instruction (no clocks run out meanwhile).
    honest, liar = player(w, scene.unchallenged, True), player(w, scene.unchallenged, False)
    while honest.act() + liar.act():
        pass
    monitor = Monitor(w.system.factory, w.honest, w.honest_traces, thresholds=THRESHOLDS)
    return monitor, monitor.poll(), scene.unchallenged.address


def test_the_page_lists_the_games_and_shows_a_tree(
    watched: tuple[Monitor, MonitorReport, str], tmp_path: Path
) -> None:
    monitor, report, played = watched
    server = serve_monitor(monitor)
    try:
        dom = chromium(tmp_path, "--dump-dom", f"{server.url}/")
        assert "faultproof monitor" in dom
        for game in report.games:
            assert game.view.address in dom
        assert dom.count("<tr>") == len(report.games) + 1
        assert "DISAGREES" in dom and "agrees" in dom
        assert "unclaimed_bonds" in dom and "unresolved_expired" in dom
        index = tmp_path / "index.png"
        chromium(tmp_path, f"--screenshot={index}", "--window-size=1500,700", f"{server.url}/")
        assert index.read_bytes()[:4] == b"\x89PNG" and index.stat().st_size > 10_000
        with Image.open(index) as picture:  # the window asked for, not an empty or cut shot
            assert picture.size == (1500, 700)
            assert len(picture.convert("L").getcolors(maxcolors=1 << 16) or ()) > 8, "not blank"

        page = f"{server.url}/game/{played}"
        dom = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", page)
        assert 'id="tree"' in dom and 'data-loaded="yes"' in dom, "the tree picture loaded"
        assert "final step" in dom and "honest path" in dom
        with urllib.request.urlopen(f"{page}.svg", timeout=10) as resp:
            assert resp.headers["Content-Type"] == "image/svg+xml"
            assert b"split depth" in resp.read()
        shot = tmp_path / "game.png"
        chromium(tmp_path, f"--screenshot={shot}", "--window-size=1300,1900", page)
        assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{server.url}/game/0x{'00' * 20}", timeout=10)
        assert missing.value.code == 404
    finally:
        server.stop()
