"""Output roots straight from a rollup node (op-node's ``optimism_`` JSON-RPC namespace).

The other way to tell the monitor (or ``game show``) what is true, besides an ``--outputs``
plugin: ``--rollup-rpc URL`` asks the node itself, as op-dispute-mon does. ``safe_head()`` is the
node's safe L2 block (``optimism_syncStatus``), ``output_root(n)`` its output at block ``n``
(``optimism_outputAtBlock``). It is an :class:`~faultproof.agents.proposer.OutputSource`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from faultproof.errors import FaultproofError


class RollupNodeError(FaultproofError):
    """The rollup node did not answer, or answered something that is not an output."""


class RollupNodeOutputs:
    """An output source backed by a rollup node's JSON-RPC."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout
        self._id = 0
        self._outputs: dict[int, bytes] = {}

    def _call(self, method: str, *params: Any) -> Any:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params})
        req = urllib.request.Request(self.url, body.encode(), {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                doc = json.loads(resp.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RollupNodeError(f"rollup node {self.url}: {method}: {exc}") from None
        if "error" in doc:
            raise RollupNodeError(f"rollup node {self.url}: {method}: {doc['error']}")
        return doc.get("result")

    def safe_head(self) -> int:
        status = self._call("optimism_syncStatus")
        try:
            return _number(status["safe_l2"]["number"])
        except (KeyError, TypeError, ValueError):
            raise RollupNodeError(
                f"rollup node {self.url}: no safe_l2.number in sync status"
            ) from None

    def output_root(self, block: int) -> bytes:
        """The node's output root at ``block`` (kept: an output below the safe head is final)."""
        if block not in self._outputs:
            result = self._call("optimism_outputAtBlock", hex(block))
            try:
                root = bytes.fromhex(str(result["outputRoot"]).removeprefix("0x"))
            except (KeyError, TypeError, ValueError):
                raise RollupNodeError(
                    f"rollup node {self.url}: no outputRoot for block {block}"
                ) from None
            if len(root) != 32:
                raise RollupNodeError(f"rollup node {self.url}: outputRoot is {len(root)} bytes")
            self._outputs[block] = root
        return self._outputs[block]


def _number(value: Any) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text, 16) if text.startswith("0x") else int(text)
