"""The numba cache directory follows the VM sources, so a changed kernel can never run stale."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faultproof.vm import jitcache


def test_digest_changes_with_any_vm_source(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "b.py").write_text("y = 2\n")
    first = jitcache.source_digest(tmp_path)
    assert jitcache.source_digest(tmp_path) == first
    (tmp_path / "pkg" / "b.py").write_text("y = 3\n")  # an inlined helper two folders down
    assert jitcache.source_digest(tmp_path) != first


def test_configure_points_numba_at_the_digest_dir_and_prunes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from numba.core import config

    monkeypatch.setenv("FAULTPROOF_JIT_CACHE", str(tmp_path))
    monkeypatch.setattr(config, "CACHE_DIR", getattr(config, "CACHE_DIR", ""))
    old_env = os.environ.get("NUMBA_CACHE_DIR")
    try:
        for i in range(6):
            stale = tmp_path / f"old{i}"
            stale.mkdir()
            os.utime(stale, (i, i))
        current = jitcache.configure()
        assert current.parent == tmp_path and current.name == jitcache.source_digest()
        assert os.environ["NUMBA_CACHE_DIR"] == str(current) == getattr(config, "CACHE_DIR")  # noqa: B009
        left = sorted(d.name for d in tmp_path.iterdir())
        assert len(left) == jitcache.KEEP and current.name in left and "old5" in left
    finally:
        if old_env is not None:
            os.environ["NUMBA_CACHE_DIR"] = old_env


def test_the_running_vm_uses_the_digest_dir() -> None:
    import faultproof.vm  # noqa: F401  (configures on import)

    assert Path(os.environ["NUMBA_CACHE_DIR"]).name == jitcache.source_digest()
