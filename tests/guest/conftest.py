"""Build every C guest once per session, so individual tests only pay for running them."""

from __future__ import annotations

import pytest

from faultproof.guests import GUEST_NAMES, TARGETS, guest_elf


@pytest.fixture(scope="session", autouse=True)
def built_guests() -> None:
    """Warm the build cache (about 40 s per target on a cold zig cache, ~0.1 s when warm)."""
    for target in TARGETS:
        for name in GUEST_NAMES:
            guest_elf(name, target)
