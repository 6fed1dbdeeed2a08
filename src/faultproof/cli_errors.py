"""How every ``faultproof`` command reports bad input the user can fix: one line, exit code 2.

Its own module so that commands living next to their concern (``agents/cli.py``, ...) can use
it without importing ``faultproof.cli``, which imports them.
"""

from __future__ import annotations

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
