"""Prometheus metrics of the challenger, the proposer and the monitor (names: README.md here).

Each service owns its own :class:`~prometheus_client.CollectorRegistry` (not the process-wide
default), so several services, or several tests, live in one process without clashing.
:func:`serve_metrics` exposes one registry over HTTP at ``/metrics`` on a background thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, TypeVar

import click
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from faultproof.errors import FaultproofError

if TYPE_CHECKING:
    from faultproof.agents.service import Challenger, PollReport

CHALLENGER = "faultproof_challenger"
PROPOSER = "faultproof_proposer"
MONITOR = "faultproof_monitor"


class ChallengerMetrics:
    """What the challenger service did, per poll; the monitor reads its health from here."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.polls = Counter(f"{CHALLENGER}_polls", "Polls completed", registry=r)
        self.last_poll = Gauge(
            f"{CHALLENGER}_last_poll_timestamp_seconds", "Unix time of the last poll", registry=r
        )
        self.last_poll_errors = Gauge(
            f"{CHALLENGER}_last_poll_errors", "Errors reported by the last poll", registry=r
        )
        self.errors = Counter(f"{CHALLENGER}_errors", "Errors reported by polls", registry=r)
        self.actions = Counter(
            f"{CHALLENGER}_actions",
            "Transactions sent, by kind",
            ["kind"],  # move, step, resolve_claim, resolve, claim_credit
            registry=r,
        )
        self.games = Gauge(
            f"{CHALLENGER}_games",
            "Games in the store, by phase",
            ["phase"],  # play, collect, done, ignored
            registry=r,
        )
        self.new_games = Counter(f"{CHALLENGER}_new_games", "Games it started playing", registry=r)

    def record(self, report: PollReport, service: Challenger) -> None:
        """Called by :meth:`Challenger.poll` at the end of every poll."""
        self.polls.inc()
        self.last_poll.set(time.time())
        self.last_poll_errors.set(len(report.errors))
        self.errors.inc(len(report.errors))
        self.new_games.inc(report.new_games)
        for kind, n in (
            ("move", report.moves),
            ("step", report.steps),
            ("resolve_claim", report.resolved_claims),
            ("resolve", len(report.resolved_games)),
            ("claim_credit", report.credit_claims),
        ):
            self.actions.labels(kind).inc(n)
        phases = {"play": 0, "collect": 0, "done": 0, "ignored": 0}
        for entry in service.store.games.values():
            phase = str(entry.get("phase"))
            phases[phase] = phases.get(phase, 0) + 1
        for phase, n in phases.items():
            self.games.labels(phase).set(n)


class ProposerMetrics:
    """What the proposer loop did, per poll."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.polls = Counter(f"{PROPOSER}_polls", "Polls completed", registry=r)
        self.last_poll = Gauge(
            f"{PROPOSER}_last_poll_timestamp_seconds", "Unix time of the last poll", registry=r
        )
        self.proposals = Counter(f"{PROPOSER}_proposals", "Games created", registry=r)
        self.last_block = Gauge(
            f"{PROPOSER}_last_proposal_l2_block", "L2 block of the last game created", registry=r
        )
        self.skipped = Counter(
            f"{PROPOSER}_skipped",
            "Polls that proposed nothing, by reason",
            ["reason"],  # interval, no_new_block, would_revert
            registry=r,
        )

    def record(self, l2_block: int | None, skipped: str) -> None:
        """Called by :meth:`Proposer.poll`: the block proposed, or why nothing was."""
        self.polls.inc()
        self.last_poll.set(time.time())
        if l2_block is not None:
            self.proposals.inc()
            self.last_block.set(l2_block)
            return
        reason = "interval" if "interval" in skipped else "no_new_block"
        if "revert" in skipped:
            reason = "would_revert"
        self.skipped.labels(reason).inc()


Route = Callable[[str], tuple[int, str, bytes] | None]
"""Answers a GET path with (status, content type, body), or None for "not mine"."""


def metrics_route(registry: CollectorRegistry) -> Route:
    def route(path: str) -> tuple[int, str, bytes] | None:
        if path.split("?")[0] != "/metrics":
            return None
        return 200, CONTENT_TYPE_LATEST, generate_latest(registry)

    return route


class HttpService:
    """A small read-only HTTP server on a daemon thread (``/metrics`` and whatever routes)."""

    def __init__(self, addr: str, port: int, routes: list[Route]) -> None:
        routes = list(routes)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                for route in routes:
                    answer = route(self.path)
                    if answer is not None:
                        break
                else:
                    answer = (404, "text/plain; charset=utf-8", b"not found\n")
                status, ctype, body = answer
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the service's own output clean

        self.server = ThreadingHTTPServer((addr, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.server.server_address[0])
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_metrics(
    registry: CollectorRegistry, addr: str = "127.0.0.1", port: int = 0
) -> HttpService:
    """Expose ``registry`` at ``http://addr:port/metrics`` (port 0: any free port)."""
    return HttpService(addr, port, [metrics_route(registry)])


F = TypeVar("F", bound=Callable[..., Any])


def metrics_options(command: F) -> F:
    """``--metrics.addr`` / ``--metrics.port`` (op-challenger's names): where a service serves
    ``/metrics``; without a port it serves none. The command receives ``metrics_addr`` and
    ``metrics_port``."""
    command = click.option(
        "--metrics.port",
        "metrics_port",
        type=click.IntRange(0, 65535),
        default=None,
        help="serve Prometheus metrics at http://ADDR:PORT/metrics (default: no metrics)",
    )(command)
    command = click.option(
        "--metrics.addr",
        "metrics_addr",
        default="127.0.0.1",
        show_default=True,
        help="address the metrics server listens on",
    )(command)
    return command


def start_metrics(registry: CollectorRegistry, addr: str, port: int | None) -> HttpService | None:
    """Start the metrics server a command's flags ask for (None: no ``--metrics.port``)."""
    if port is None:
        return None
    try:
        service = serve_metrics(registry, addr, port)
    except OSError as exc:
        raise MetricsError(f"--metrics.port {port}: cannot listen on {addr}: {exc}") from None
    click.echo(f"metrics: {service.url}/metrics", err=True)
    RUNNING.append(service)
    return service


RUNNING: list[HttpService] = []
"""Servers started for commands; they serve until the process ends (tests stop them)."""


class MetricsError(FaultproofError):
    """The metrics server cannot start (address in use, bad address)."""
