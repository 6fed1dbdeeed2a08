"""The rollup demo story end to end on anvil (`faultproof.rollup.demo.run_rollup_demo`): the
honest output survives its game and its withdrawal finalizes; the dishonest output is defeated
down to one step and the attacker's withdrawal is refused; no honest bond or deposit is lost.
Also: the challenger restarted before every transaction still wins from its store and caches.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from faultproof.chain.testing import anvil_available
from faultproof.game.types import GameStatus
from faultproof.rollup.demo import RollupDemoResult, RollupDemoSettings, run_rollup_demo

pytestmark = pytest.mark.anvil


def _story(tmp_path: Path, isa: str, **kw: object) -> RollupDemoResult:
    if not anvil_available():
        pytest.skip("anvil not installed (run scripts/install-anvil.sh)")
    settings = RollupDemoSettings(isa=isa, tree_dir=tmp_path / "trees", **kw)  # type: ignore[arg-type]
    return run_rollup_demo(settings, Console(quiet=True))


def _check(result: RollupDemoResult) -> None:
    assert result.honest_status == GameStatus.DEFENDER_WINS
    assert result.dishonest_status == GameStatus.CHALLENGER_WINS
    assert result.withdrawal_finalized
    assert result.attacker_refused
    assert result.program_steps > 0
    assert result.challenger_seconds > 0
    # no honest bond lost: the proposer gets its bond back, the challenger wins the liar's
    assert result.bonds["honest proposer"] >= 0
    assert result.bonds["challenger"] > 0
    assert result.bonds["liar"] < 0
    assert result.ok
    assert result.pictures and all(p.exists() for p in result.pictures)


@pytest.mark.parametrize("isa", ["riscv64", "mips32", "riscv64c"])
def test_rollup_story(tmp_path: Path, isa: str) -> None:
    """The default-run end-to-end tests: 7-11 s each (the program is rebuilt for each run's
    rollup config, but only the generated config source is compiled anew)."""
    _check(_story(tmp_path, isa))


def test_rollup_story_with_a_challenger_killed_before_every_move(tmp_path: Path) -> None:
    """~7 s: every restart reads the store and the per-game caches again."""
    result = _story(tmp_path, "riscv64", crash_challenger=True, data_dir=tmp_path / "data")
    _check(result)
    assert result.restarts > 3
    assert any((tmp_path / "data" / "games").rglob("snap-*.bin.gz")) or any(
        (tmp_path / "data" / "games").rglob("meta.json")
    )
