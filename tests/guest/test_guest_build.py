"""The build is reproducible, cached, rebuilt when sources change, and fails with
actionable errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faultproof import guests
from faultproof.guests import GUEST_NAMES, GuestBuildError, build_all, guest_elf


@pytest.mark.parametrize(
    ("name", "target"), [("hello", "mips32"), ("compute", "riscv64"), ("preimage", "host")]
)
def test_rebuild_gives_identical_bytes(name: str, target: str, tmp_path: Path) -> None:
    fresh = guest_elf(name, target, out_dir=tmp_path)
    assert fresh != guest_elf(name, target)
    assert fresh.read_bytes() == guest_elf(name, target).read_bytes()


@pytest.mark.slow
def test_rebuild_with_cold_compiler_caches_is_bit_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Fresh zig and Go caches force real recompilation (including compiler-rt and the Go
    # standard library), so this checks the compilers' determinism, not a cache hit.
    monkeypatch.setenv("ZIG_GLOBAL_CACHE_DIR", str(tmp_path / "zig-global"))
    monkeypatch.setenv("ZIG_LOCAL_CACHE_DIR", str(tmp_path / "zig-local"))
    monkeypatch.setenv("GOCACHE", str(tmp_path / "go-cache"))
    targets = ("mips32", "riscv64")
    built = build_all(targets, tmp_path / "out", go=guests.find_go() is not None)
    assert len(built) >= len(targets) * len(GUEST_NAMES)
    monkeypatch.undo()  # references come from the normal, warm caches
    for path in built:
        reference = guest_elf(path.stem, path.parent.name).read_bytes()
        assert path.read_bytes() == reference, f"{path.parent.name}/{path.name} differs"


def test_cached_build_is_not_rebuilt() -> None:
    path = guest_elf("hello", "mips32")
    mtime = path.stat().st_mtime_ns
    assert guest_elf("hello", "mips32").stat().st_mtime_ns == mtime


def test_source_change_triggers_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "guest"
    shutil.copytree(guests.GUEST_DIR, src, ignore=shutil.ignore_patterns("build", "go"))
    original = guest_elf("hello", "host").read_bytes()
    monkeypatch.setattr(guests, "GUEST_DIR", src)
    first = guest_elf("hello", "host").read_bytes()
    assert first == original, "the checkout's location must not leak into the binary"
    hello = src / "programs" / "hello.c"
    hello.write_text(hello.read_text().replace("hello world", "hello again"))
    second = guest_elf("hello", "host").read_bytes()
    assert first != second
    assert b"hello again" in second and b"hello again" not in first


def test_compile_error_is_reported_with_compiler_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "guest"
    shutil.copytree(guests.GUEST_DIR, src, ignore=shutil.ignore_patterns("build", "go"))
    monkeypatch.setattr(guests, "GUEST_DIR", src)
    (src / "programs" / "hello.c").write_text("int main(void) { return missing; }\n")
    with pytest.raises(GuestBuildError, match="missing"):
        guest_elf("hello", "host")
    assert not (src / "build" / "host" / "hello.elf").exists()


def test_unknown_names_and_targets_are_rejected() -> None:
    with pytest.raises(GuestBuildError, match="unknown guest 'nope'"):
        guest_elf("nope", "mips32")
    with pytest.raises(GuestBuildError, match="unknown guest target 'arm'"):
        guest_elf("hello", "arm")
    with pytest.raises(GuestBuildError, match="builds for mips32, riscv64, riscv64c only"):
        guest_elf("go-hello", "host")


def test_every_program_has_a_source_file() -> None:
    for name in GUEST_NAMES:
        assert (guests.GUEST_DIR / "programs" / f"{name}.c").is_file()
