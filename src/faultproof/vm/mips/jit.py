"""The numba decorators of the MIPS step kernels, in one place and typed for mypy.

Every kernel is compiled with ``cache=True`` (compiled code is reused across processes) and without
NRT reference counting (``_nrt=False``: the kernels only touch arrays the caller owns, and with
counting every array taken out of a tuple costs an out-of-line incref/decref, which dominated the
step time). Helpers are inlined into the run loop. numba's own type stubs do not know ``_nrt``, so
the options are passed through here. The kernels take ``np.int64`` values in compiled code and
Python ints from tests, so the decorated dispatchers are typed ``Any`` rather than by signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, cast

import numpy as np
from numba import njit

Word: TypeAlias = int | np.int64
"""A 32-bit quantity held in an int64: a Python ``int`` when called from Python, ``np.int64``
inside compiled code."""

word = cast(Callable[[Any], int], np.int64)
"""``np.int64`` (what numba compiles: a register or byte widened to int64 before arithmetic), seen
by mypy as returning ``int`` so kernel code can keep ``int`` annotations."""

_KERNEL: dict[str, Any] = {"cache": True, "_nrt": False}


def inline_kernel(fn: Callable[..., Any]) -> Any:
    """A helper of the run loop, inlined into its caller at the numba IR level."""
    return njit(**_KERNEL, inline="always")(fn)


def loop_kernel(fn: Callable[..., Any]) -> Any:
    """The entry point called from Python (the run loop itself)."""
    return njit(**_KERNEL)(fn)
