"""The large simulation runs only when asked for (`-m slow`), even without `-m "not slow"`.

`python -m pytest tests/game` is the command contributors run before each commit; the default
part of this folder plays ~1,200 games, the `slow` part 10,000 more (minutes), so plain runs
skip it. Only items of this folder are touched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: select with -m slow")
    for item in items:
        if "slow" in item.keywords and HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)
