"""The base of every error the FaultDisputeGame contract reverts with (spec digest §2.13).

It lives in its own module so that `position` (the bottom of the package's import graph) can
raise `ClaimAboveSplit` as a game revert like every other one in `types`.
"""

from __future__ import annotations

from faultproof.errors import FaultproofError


class GameError(FaultproofError):
    """A call the FaultDisputeGame contract would revert."""
