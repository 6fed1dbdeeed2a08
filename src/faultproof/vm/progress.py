"""A live progress line for long VM runs (steps, steps/s, pc and its symbol).

Cannon prints a JSON line every ``--info-at`` steps; that stays the machine-readable record. On a
terminal a person also wants to see that a billion-step run is moving without asking for JSON every
100k steps, so :class:`RunProgress` keeps one transient rich line up to date. It is off when stderr
is not a terminal (CI logs, pipes), so scripted output is unchanged.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, Protocol

#: Redraw at most this often; the run loop calls :meth:`RunProgress.update` after every chunk.
REFRESH_SECONDS = 0.25
#: While progress is shown, the VM runs at most this many steps between updates (~0.1 s of work).
PROGRESS_CHUNK = 1 << 22


class SymbolTable(Protocol):
    def lookup(self, addr: int) -> str: ...


class RunProgress:
    """Context manager around a run: ``update(vm)`` after each chunk, cleared on exit."""

    def __init__(self, enabled: bool | None = None, symbols: SymbolTable | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.symbols = symbols
        self._live: Any = None
        self._last_draw = 0.0
        self._window = (0.0, 0)  # (time, step) the steps/s figure is measured from; 0.0: not yet

    @property
    def chunk_limit(self) -> int | None:
        """How many steps the loop may run before the next update (None: no limit)."""
        return PROGRESS_CHUNK if self.enabled else None

    def __enter__(self) -> RunProgress:
        if self.enabled:
            from rich.console import Console
            from rich.live import Live

            self._live = Live("", console=Console(stderr=True), transient=True, auto_refresh=False)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def update(self, vm: Any, force: bool = False) -> None:
        if self._live is None:
            return
        now = time.monotonic()
        if not self._window[0]:
            self._window = (now, vm.step_count)
        if not force and now - self._last_draw < REFRESH_SECONDS:
            return
        self._live.update(self.describe(vm, now), refresh=True)
        self._last_draw = now
        self._window = (now, vm.step_count)

    def describe(self, vm: Any, now: float) -> str:
        """The line shown: step count, recent steps/s, pc (and its symbol), touched memory."""
        dt = max(now - self._window[0], 1e-9)
        ips = (vm.step_count - self._window[1]) / dt if now > self._window[0] else 0.0
        where = f"pc 0x{vm.pc:x}"
        if self.symbols is not None:
            where += f" ({self.symbols.lookup(vm.pc)})"
        line = f"step {vm.step_count:,}  {ips / 1e6:.1f} M steps/s  {where}"
        pages = getattr(vm, "page_count", None)
        if isinstance(pages, int):
            line += f"  {pages * 4096 / (1 << 20):.1f} MiB"
        return line
