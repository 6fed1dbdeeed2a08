"""Bad input through the CLI (`load-elf`, `run`, `witness`): one clear line on stderr, exit code 2
(what ``user_errors`` in ``faultproof.cli`` maps :class:`FaultproofError` to), no traceback.

Covered: a non-ELF file, ELFs for other machines (the riscv64 guest, a host x86-64 binary), a
64-bit and a little-endian MIPS ELF, segments reaching the heap start 0x05000000 (cannon-mips32.md
§6.1), a truncated ELF, and truncated or corrupted state files in every format the state file
supports (JSON, JSON.gz, binary, binary.gz).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from faultproof import guests
from faultproof.cli import main
from faultproof.vm.mips.constants import HEAP_START

from .elfwriter import Segment, exit_program, make_elf

STATE_FORMATS = ("state.json", "state.json.gz", "state.bin", "state.bin.gz")


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=True)


def assert_user_error(result: Result, *needles: str) -> str:
    """Exit code 2, exactly one non-empty stderr line starting with ``error:``, no traceback."""
    stderr = result.stderr
    assert result.exit_code == 2, (result.exit_code, stderr, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in stderr + result.stdout
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for needle in needles:
        assert needle.lower() in lines[0].lower(), (needle, lines[0])
    return lines[0]


def load_elf(path: Path, out: Path) -> Result:
    return cli("load-elf", "--type", "mips32", "--path", str(path), "--out", str(out), "--meta", "")


# --- ELF files ----------------------------------------------------------------------------------


def test_non_elf_file(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("just some text\n")
    assert_user_error(load_elf(bad, tmp_path / "s.json"), "not an ELF")
    assert not (tmp_path / "s.json").exists()


def test_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "empty"
    bad.write_bytes(b"")
    assert_user_error(load_elf(bad, tmp_path / "s.json"), "not an ELF")


def test_missing_file(tmp_path: Path) -> None:
    assert_user_error(load_elf(tmp_path / "nope.elf", tmp_path / "s.json"), "does not exist")


def test_riscv_guest_is_rejected(tmp_path: Path) -> None:
    elf = guests.guest_elf("hello", "riscv64")
    assert_user_error(load_elf(elf, tmp_path / "s.json"), "RISC-V", "MIPS")


def test_host_x86_64_binary_is_rejected(tmp_path: Path) -> None:
    host = Path("/bin/true")
    if not host.exists():
        pytest.skip("/bin/true not present")
    assert_user_error(load_elf(host, tmp_path / "s.json"), "x86-64", "MIPS")


def test_64_bit_mips_elf_is_rejected(tmp_path: Path) -> None:
    elf = tmp_path / "mips64.elf"
    elf.write_bytes(make_elf([Segment(0x10000, exit_program())], elf_class=2))
    assert_user_error(load_elf(elf, tmp_path / "s.json"), "64-bit")


def test_little_endian_mips_elf_is_rejected(tmp_path: Path) -> None:
    elf = tmp_path / "mipsel.elf"
    elf.write_bytes(make_elf([Segment(0x10000, exit_program())], big_endian=False))
    assert_user_error(load_elf(elf, tmp_path / "s.json"), "little-endian")


def test_crafted_elf_below_the_heap_loads_and_runs(tmp_path: Path) -> None:
    """Positive control for the ELF writer: the same shape of file, placed legally, works."""
    elf = tmp_path / "ok.elf"
    code = exit_program(7)
    vaddr = HEAP_START - 0x1000
    elf.write_bytes(make_elf([Segment(vaddr, code, memsz=0x1000 - 1)]))
    state = tmp_path / "s.json"
    result = load_elf(elf, state)
    assert result.exit_code == 0, result.stderr
    result = cli("run", "--input", str(state), "--output", str(tmp_path / "out.json"), "--meta", "")
    assert result.exit_code == 0, result.stderr
    result = cli("witness", "--input", str(tmp_path / "out.json"))
    assert result.exit_code == 0 and '"exitCode": 7' in result.stdout, result.output


@pytest.mark.parametrize(
    ("vaddr", "memsz"),
    [
        (HEAP_START - 0x1000, 0x2000),  # crosses the heap start
        (HEAP_START - 0x1000, 0x1000),  # ends exactly at it (Cannon: end >= HEAP_START)
        (HEAP_START, 0x100),  # starts on it
        (0x10000, HEAP_START),  # a huge bss reaching it
    ],
)
def test_segment_overlapping_the_heap_is_rejected(tmp_path: Path, vaddr: int, memsz: int) -> None:
    elf = tmp_path / "overlap.elf"
    code = exit_program()
    elf.write_bytes(
        make_elf([Segment(0x10000, code), Segment(vaddr, code, memsz=memsz)], entry=0x10000)
    )
    line = assert_user_error(load_elf(elf, tmp_path / "s.json"), "heap", "0x05000000")
    assert "segment 1" in line


def test_segment_past_the_address_space_is_rejected(tmp_path: Path) -> None:
    elf = tmp_path / "wrap.elf"
    elf.write_bytes(make_elf([Segment(0xFFFFF000, exit_program(), memsz=0x2000)]))
    assert_user_error(load_elf(elf, tmp_path / "s.json"))


def test_truncated_elf_is_rejected(tmp_path: Path) -> None:
    whole = guests.guest_elf("hello", "mips32").read_bytes()
    for cut in (20, 60, 200, len(whole) // 2):
        elf = tmp_path / f"cut{cut}.elf"
        elf.write_bytes(whole[:cut])
        assert_user_error(load_elf(elf, tmp_path / "s.json"))


def test_segment_data_past_end_of_file(tmp_path: Path) -> None:
    data = bytearray(make_elf([Segment(0x10000, exit_program())]))
    elf = tmp_path / "short.elf"
    elf.write_bytes(bytes(data[:-4]))  # the header still claims the full 12 bytes
    assert_user_error(load_elf(elf, tmp_path / "s.json"), "end of the file")


# --- state files --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """hello's initial state in every format, as raw (possibly compressed) file bytes."""
    d = tmp_path_factory.mktemp("states")
    elf = guests.guest_elf("hello", "mips32")
    out: dict[str, bytes] = {}
    for name in STATE_FORMATS:
        result = load_elf(elf, d / name)
        assert result.exit_code == 0, result.stderr
        out[name] = (d / name).read_bytes()
    return out


def truncations(raw: bytes, compressed: bool) -> list[bytes]:
    """Cuts of a state file: empty, one byte, mid-header, half, all but the last byte(s)."""
    if compressed:
        inner = gzip.decompress(raw)
        cut_inner = [
            gzip.compress(inner[:n], mtime=0) for n in (0, 1, 37, len(inner) // 2, len(inner) - 1)
        ]
        return [raw[:1], raw[: len(raw) // 2], raw[:-1], *cut_inner]
    return [b"", raw[:1], raw[:37], raw[: len(raw) // 2], raw[:-1]]


@pytest.mark.parametrize("fmt", STATE_FORMATS)
@pytest.mark.parametrize("command", ["run", "witness"])
def test_truncated_state_file(
    tmp_path: Path, good_states: dict[str, bytes], fmt: str, command: str
) -> None:
    raw = good_states[fmt]
    for i, cut in enumerate(truncations(raw, fmt.endswith(".gz"))):
        path = tmp_path / f"t{i}-{fmt}"
        path.write_bytes(cut)
        if command == "run":
            result = cli(
                "run", "--input", str(path), "--output", "", "--meta", "", "--stop-at", "=10"
            )
        else:
            result = cli("witness", "--input", str(path))
        assert_user_error(result, str(path))


@pytest.mark.parametrize("fmt", ["state.json", "state.bin"])
def test_corrupted_state_fields(tmp_path: Path, good_states: dict[str, bytes], fmt: str) -> None:
    raw = good_states[fmt]
    path = tmp_path / fmt
    if fmt == "state.json":
        bad = [
            raw.replace(b'"registers": [', b'"registers": [-1, '),
            raw.replace(b'"pc": ', b'"pc": "x", "_pc": '),
            raw.replace(b'"exited": false', b'"exited": 2'),
            b"[]",
            b'{"hello": 1}',
        ]
    else:
        bad = [bytes([9]) + raw[1:], raw + b"\x00"]
    for data in bad:
        path.write_bytes(data)
        assert_user_error(cli("witness", "--input", str(path)), str(path))


def test_good_states_are_accepted(tmp_path: Path, good_states: dict[str, bytes]) -> None:
    """Control: the untruncated files work, so the failures above come from the damage."""
    hashes = set()
    for fmt, raw in good_states.items():
        path = tmp_path / fmt
        path.write_bytes(raw)
        result = cli("witness", "--input", str(path))
        assert result.exit_code == 0, result.stderr
        hashes.add(result.stdout)
    assert len(hashes) == 1


def test_real_process_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    """The same contract holds for the installed entry point, not only under CliRunner."""
    bad = tmp_path / "bad.elf"
    bad.write_bytes(make_elf([Segment(HEAP_START - 8, exit_program())]))
    proc = subprocess.run(
        [sys.executable, "-m", "faultproof.cli", "load-elf", "--type", "mips32", "--path", str(bad),
         "--out", str(tmp_path / "s.json"), "--meta", ""],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "overlaps with the heap" in lines[0], proc.stderr


def corrupt_deflate(raw: bytes) -> bytes:
    """A gzip file whose deflate stream is damaged (zlib.error, not a short read)."""
    data = bytearray(raw)
    for i in range(20, 60):
        data[i] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize("fmt", ["state.json.gz", "state.bin.gz"])
def test_corrupted_gzip_with_explicit_type(
    tmp_path: Path, good_states: dict[str, bytes], fmt: str
) -> None:
    """With ``--type mips32`` the MIPS state reader reports a damaged gzip stream cleanly."""
    path = tmp_path / fmt
    path.write_bytes(corrupt_deflate(good_states[fmt]))
    assert_user_error(cli("witness", "--type", "mips32", "--input", str(path)), "gzip")


def test_corrupted_gzip_without_type(tmp_path: Path, good_states: dict[str, bytes]) -> None:
    path = tmp_path / "state.json.gz"
    path.write_bytes(corrupt_deflate(good_states["state.json.gz"]))
    assert_user_error(cli("witness", "--input", str(path)), "gzip")


@pytest.mark.parametrize("vm_type", [None, "mips32"])
def test_elf_given_as_state_file(tmp_path: Path, vm_type: str | None) -> None:
    """A common slip: passing the program instead of the state produced by load-elf."""
    path = tmp_path / "hello.elf"
    path.write_bytes(guests.guest_elf("hello", "mips32").read_bytes())
    args = ["witness", "--input", str(path)] + (["--type", vm_type] if vm_type else [])
    assert_user_error(cli(*args), str(path))


@pytest.mark.parametrize(
    ("segment", "needle"),
    [
        (Segment(0x10000, exit_program(), memsz=8), "file size 12 > memory size 8"),
        (Segment(0x20000, exit_program(), memsz=0x100, type=7), "only PT_LOAD"),  # PT_TLS + .tbss
    ],
)
def test_segment_sizes_cannon_rejects(tmp_path: Path, segment: Segment, needle: str) -> None:
    elf = tmp_path / "sizes.elf"
    elf.write_bytes(make_elf([Segment(0x10000, exit_program()), segment], entry=0x10000))
    assert_user_error(load_elf(elf, tmp_path / "s.json"), needle)


def test_unprovable_step_is_a_clean_error(tmp_path: Path) -> None:
    """A program that hits a Cannon exception (here: an unaligned entry point, §3.5) loads, but
    `run` stops with one error line and exit code 2 instead of a traceback."""
    elf = tmp_path / "odd-entry.elf"
    elf.write_bytes(make_elf([Segment(0x10000, exit_program())], entry=0x10002))
    state = tmp_path / "s.json"
    assert load_elf(elf, state).exit_code == 0
    result = cli("run", "--input", str(state), "--output", "", "--meta", "", "--info-at", "never")
    assert_user_error(result, "unaligned pc", "0x00010002")
