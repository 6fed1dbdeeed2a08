"""Issue 13's edges of ``load-elf``/``run``/``witness``: every bad input is one line on stderr and
exit code 2, nothing is silently ignored, Cannon's spellings work, and the user's files survive
Ctrl-C and kills."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shlex
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof.cli import main
from faultproof.guests import guest_elf

PT_GNU_STACK = 0x6474E551


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    out = tmp_path / "state.json"
    code, _, err = invoke(
        "load-elf", "--type", "mips32", "--path", str(guest_elf("compute", "mips32")),
        "--out", str(out), "--meta", str(tmp_path / "meta.json"),
    )  # fmt: skip
    assert code == 0, err
    return out


def run(state: Path, *args: str) -> tuple[int, str, str]:
    return invoke("run", "--input", str(state), "--output", "", *args)


# -- Tracebacks -----------------------------------------------------------------------------------


def test_meta_that_is_not_json_is_one_line(state: Path) -> None:
    bad = state.parent / "bad-meta.json"
    bad.write_text("{not json")
    code, _, err = run(state, "--stop-at", "=10", "--meta", str(bad))
    assert "not valid JSON" in one_line_error(code, err)


# -- Silent wrong results -------------------------------------------------------------------------


def test_a_meta_file_the_user_names_must_exist(state: Path) -> None:
    code, _, err = run(state, "--stop-at", "=10", "--meta", str(state.parent / "nope.json"))
    assert "nope.json does not exist" in one_line_error(code, err)


def test_the_default_meta_is_optional(state: Path, tmp_path: Path) -> None:
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        code, _, err = run(state, "--stop-at", "=10")  # ./meta.json does not exist
    assert code == 0, err


def test_proof_name_without_step_for_many_proofs_is_refused(state: Path) -> None:
    proof = state.parent / "proof.json"
    code, _, err = run(state, "--stop-at", "=30", "--proof-at", "%10", "--proof-fmt", str(proof))
    line = one_line_error(code, err)
    assert "%d" in line and "--proof-fmt" in line
    assert not proof.exists()
    code, _, err = run(state, "--stop-at", "=30", "--proof-at", "=10", "--proof-fmt", str(proof))
    assert code == 0, err
    assert json.loads(proof.read_text())["step"] == 10


def test_snapshot_name_without_step_for_many_snapshots_is_refused(state: Path) -> None:
    code, _, err = run(state, "--snapshot-at", "always", "--snapshot-fmt", "snap.json")
    assert "--snapshot-fmt" in one_line_error(code, err)


@pytest.mark.parametrize("pattern", ["=-5", "%-5", "=+5", "%0", "=1.5"])
def test_step_numbers_that_cannot_match_are_refused(state: Path, pattern: str) -> None:
    code, _, err = run(state, "--stop-at", pattern)
    assert "bad step pattern" in one_line_error(code, err)


def test_step_numbers_in_hex_as_cannon_reads_them(state: Path) -> None:
    out = state.parent / "out.json"
    code, _, err = invoke("run", "--input", str(state), "--output", str(out), "--stop-at", "=0x10")
    assert code == 0, err
    assert json.loads(out.read_text())["step"] == 16


# -- Exit codes and messages ----------------------------------------------------------------------


def test_unknown_binary_state_version_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "state.bin"
    path.write_bytes(bytes([7]) + bytes(64))
    code, _, err = invoke("witness", "--input", str(path))
    line = one_line_error(code, err)
    assert "version byte 7" in line and "singlethreaded-2" in line
    assert "pages" not in line.split("(")[0]


def test_a_truncated_elf_says_truncated(tmp_path: Path) -> None:
    path = tmp_path / "short.elf"
    path.write_bytes(guest_elf("compute", "mips32").read_bytes()[:100])
    code, _, err = invoke("load-elf", "--type", "mips32", "--path", str(path), "--out", "")
    line = one_line_error(code, err)
    assert "truncated ELF" in line and "unpack" not in line


def test_output_below_a_file_names_the_file(state: Path) -> None:
    blocker = state.parent / "afile"
    blocker.write_text("x")
    code, _, err = invoke(
        "load-elf", "--type", "mips32", "--path", str(guest_elf("compute", "mips32")),
        "--out", str(blocker / "x.json"), "--meta", "",
    )  # fmt: skip
    line = one_line_error(code, err)
    assert "is a file, not a folder" in line and "File exists" not in line
    assert blocker.read_text() == "x"


# -- Compatibility edges and Cannon's habits ------------------------------------------------------


def with_stack_size(elf: bytes, size: int) -> bytes:
    """The ELF with its PT_GNU_STACK's p_memsz set to ``size`` (zig's default is 16 MiB)."""
    phoff = struct.unpack_from("<Q", elf, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    out = bytearray(elf)
    for i in range(phnum):
        off = phoff + i * phentsize
        if struct.unpack_from("<I", elf, off)[0] == PT_GNU_STACK:
            struct.pack_into("<Q", out, off + 40, size)
            return bytes(out)
    raise AssertionError("no PT_GNU_STACK header")


@pytest.mark.parametrize("isa", ["riscv64", "riscv64c"])
def test_riscv_refuses_a_sized_gnu_stack_like_asterisc(tmp_path: Path, isa: str) -> None:
    path = tmp_path / "stack.elf"
    path.write_bytes(with_stack_size(guest_elf("compute", isa).read_bytes(), 16 << 20))
    code, _, err = invoke("load-elf", "--type", isa, "--path", str(path), "--out", "", "--meta", "")
    line = one_line_error(code, err)
    assert "not PT_LOAD" in line and "0x6474e551" in line


def test_load_elf_writes_state_bin_gz_by_default(tmp_path: Path) -> None:
    with CliRunner().isolated_filesystem(temp_dir=tmp_path) as d:
        elf = str(guest_elf("compute", "mips32"))
        assert invoke("load-elf", "--type", "mips32", "--path", elf, "--meta", "")[0] == 0
        raw = gzip.decompress((Path(d) / "state.bin.gz").read_bytes())
        assert raw[0] == 2  # singlethreaded-2
        code, _, err = invoke("run", "--stop-at", "=5", "--meta", "")  # reads state.bin.gz
        assert code == 0, err
        assert (Path(d) / "out.bin.gz").exists()


def test_info_lines_in_cannons_logfmt(state: Path) -> None:
    code, _, err = run(
        state, "--stop-at", "=20", "--info-at", "%10", "--log.format", "text",
        "--meta", str(state.parent / "meta.json"),
    )  # fmt: skip
    assert code == 0, err
    lines = [line for line in err.splitlines() if "msg=processing" in line]
    assert len(lines) == 3  # steps 0, 10 and 20 (info comes before the stop, as in Cannon)
    fields = dict(part.split("=", 1) for part in shlex.split(lines[1]))
    assert fields["lvl"] == "info" and fields["step"] == "10" and fields["pc"].startswith("0x")
    assert "name" in fields and fields["t"].endswith("Z")
    assert "msg=done" in err


# -- Ctrl-C and kills leave the user's files ------------------------------------------------------


def test_ctrl_c_exits_130_and_leaves_the_state(tmp_path: Path) -> None:
    """SIGINT while the VM waits on its host: exit 130, 'interrupted', --input == --output kept."""
    state = tmp_path / "state.json"
    elf = str(guest_elf("preimage", "mips32"))
    assert invoke("load-elf", "--type", "mips32", "--path", elf, "--out", str(state), "--meta", "")[
        0
    ] == 0
    before = state.read_bytes()
    started = tmp_path / "started"
    host = f"import time; open({str(started)!r}, 'w').write('1'); time.sleep(600)"
    cli = subprocess.Popen(
        [sys.executable, "-m", "faultproof.cli", "run", "--input", str(state), "--output",
         str(state), "--meta", "", "--", sys.executable, "-c", host],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        cli.send_signal(signal.SIGINT)
        _, err = cli.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            cli.kill()
    text = err.decode()
    assert cli.returncode == 130, text
    assert "error: interrupted" in text.splitlines() and "Traceback" not in text, text
    assert state.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


WRITER = """
import sys
from faultproof.fileio import write_atomic
write_atomic(sys.argv[1], b"new" * (200 << 20))
"""


def test_a_writer_killed_mid_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "state.bin"
    target.write_bytes(b"old state")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)])
    try:
        deadline = time.monotonic() + 60
        temp: list[Path] = []
        while time.monotonic() < deadline and not temp:
            temp = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            temp = [p for p in temp if p.exists() and p.stat().st_size > 0]
        assert temp, "the writer never started writing"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"old state"
