"""``--rollup-rpc``: the monitor asks a rollup node (op-node's optimism_ RPC) for output roots,
here a small stand-in node serving the demo rollup, and judges exactly as with a plugin."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from monitor_scene import THRESHOLDS, Scene, build_scene

from faultproof.demo.rollup import HashchainRollup
from faultproof.monitor.rollupnode import RollupNodeError, RollupNodeOutputs
from faultproof.monitor.watch import Monitor


@pytest.fixture
def node_url() -> Iterator[tuple[str, Scene]]:
    scene_rollup: dict[str, HashchainRollup] = {}

    class Node(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            rollup = scene_rollup["r"]
            result: Any
            if req["method"] == "optimism_syncStatus":
                result = {"safe_l2": {"number": rollup.safe_head(), "hash": "0x00"}}
            elif req["method"] == "optimism_outputAtBlock":
                block = int(req["params"][0], 16)
                result = {"outputRoot": "0x" + rollup.output_root(block).hex(), "version": "0x00"}
            else:
                result = None
            body = json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": result}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Node)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scene = build_scene()
    scene_rollup["r"] = scene.world.honest
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", scene
    finally:
        server.shutdown()
        server.server_close()


def test_outputs_from_a_rollup_node_judge_like_the_plugin(node_url: tuple[str, Scene]) -> None:
    url, scene = node_url
    rollup = scene.world.honest
    node = RollupNodeOutputs(url)
    assert node.safe_head() == rollup.safe_head()
    assert node.output_root(2) == rollup.output_root(2)
    factory = scene.world.system.factory
    with_plugin = Monitor(factory, rollup, thresholds=THRESHOLDS).poll()
    with_node = Monitor(factory, node, thresholds=THRESHOLDS).poll()
    assert not with_node.errors and len(with_node.alerts) >= 4
    assert [(a.kind, a.game) for a in with_plugin.alerts] == [
        (a.kind, a.game) for a in with_node.alerts
    ]
    assert [g.agreement for g in with_plugin.games] == [g.agreement for g in with_node.games]


def test_an_unreachable_node_is_an_error_per_game_not_a_crash() -> None:
    scene = build_scene()
    dead = RollupNodeOutputs("http://127.0.0.1:9/", timeout=1)
    with pytest.raises(RollupNodeError, match="optimism_syncStatus"):
        dead.safe_head()
    report = Monitor(scene.world.system.factory, dead, thresholds=THRESHOLDS).poll()
    assert len(report.errors) == 5 and "rollup node" in report.errors[0]
