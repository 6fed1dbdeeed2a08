"""How every ``faultproof`` command reports bad input the user can fix: one line, exit code 2.

Its own module so that commands living next to their concern (``agents/cli.py``, ...) can use
it without importing ``faultproof.cli``, which imports them.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from faultproof.errors import FaultproofError

F = TypeVar("F", bound=Callable[..., Any])


def user_errors(fn: F) -> F:
    """Turn bad input the user can fix (FaultproofError, file errors) into one line and exit code 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FaultproofError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:  # a missing/unreadable/unwritable file the user named
            where = f" ({exc.filename})" if exc.filename else ""
            click.echo(f"error: {exc.strerror or exc}{where}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_duration(text: str) -> float:
    """Seconds from ``12``, ``1.5``, ``12s``, ``500ms``, ``1m``, ``2h`` or ``1h30m`` (Go's
    ``time.ParseDuration`` units, which op-challenger's duration flags use). Never negative."""
    s = text.strip()
    try:
        seconds = float(s)
    except ValueError:
        pos, seconds = 0, 0.0
        for m in _DURATION_PART.finditer(s):
            if m.start() != pos:
                break
            seconds += float(m.group(1)) * _UNITS[m.group(2)]
            pos = m.end()
        if pos != len(s) or not s:
            raise ValueError(f"{text!r} is not a duration: use seconds or e.g. 12s, 1m, 2h") from None
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"{text!r} is not a duration: it must not be negative")
    return seconds


class Duration(click.ParamType):  # type: ignore[type-arg]
    """A click parameter for durations (see `parse_duration`): seconds as a float, or as an int
    with ``whole=True`` (contract parameters and clocks count whole seconds)."""

    name = "duration"

    def __init__(self, whole: bool = False) -> None:
        self.whole = whole

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            seconds = float(value) if isinstance(value, int | float) else parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not self.whole:
            return seconds
        if seconds != int(seconds):
            self.fail(f"{value!r} is not a whole number of seconds", param, ctx)
        return int(seconds)


DURATION = Duration()
DURATION_SECONDS = Duration(whole=True)
