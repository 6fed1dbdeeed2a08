"""Issue 13 for the preimage commands and the host process: every bad input is one line on stderr
with exit code 2, a busy store is called busy (not damaged), and a host writing garbage on its
preimage fds is reported as broken instead of being trusted to allocate gigabytes."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof.cli import main
from faultproof.preimage.errors import HostProcessError
from faultproof.preimage.host import HostProcess
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.process import MAX_PREIMAGE_LENGTH


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def one_line_error(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


def test_store_put_into_an_impossible_folder_is_one_line() -> None:
    code, _, err = invoke("preimage", "store-put", "--store", "/proc/nope/x.db", "--hex", "00")
    assert "/proc/nope/x.db" in one_line_error(code, err)


def test_store_get_missing_key_exits_2(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    assert invoke("preimage", "store-put", "--store", store, "--hex", "00")[0] == 0
    missing = "0x" + keccak256_key(b"nope").hex()
    code, _, err = invoke("preimage", "store-get", "--store", store, missing)
    assert "no preimage for key" in one_line_error(code, err)


def test_store_get_refuses_a_key_that_is_not_32_bytes(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    assert invoke("preimage", "store-put", "--store", store, "--hex", "00")[0] == 0
    code, _, err = invoke("preimage", "store-get", "--store", store, "0x1234")
    line = one_line_error(code, err)
    assert "2 bytes" in line and "32 bytes" in line
    assert "unknown" not in line


def test_a_locked_store_is_reported_as_locked_and_left_intact(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    code, out, _ = invoke("preimage", "store-put", "--store", str(store), "--hex", "00")
    assert code == 0
    key = out.strip()
    other = sqlite3.connect(store, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")  # another process writing
        code, _, err = invoke(
            "preimage", "store-put", "--store", str(store), "--hex", "01", "--lock-timeout", "200ms"
        )
        line = one_line_error(code, err)
        assert "locked by another process" in line
        assert "damaged" not in line and "delete" not in line
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert invoke("preimage", "store-get", "--store", str(store), key)[1].strip() == "0x00"


def test_lock_timeout_takes_durations_and_refuses_nonsense(tmp_path: Path) -> None:
    store = str(tmp_path / "s.db")
    code, _, err = invoke(
        "preimage", "store-put", "--store", store, "--hex", "00", "--lock-timeout", "soon"
    )
    assert "not a duration" in one_line_error(code, err)
    assert invoke("preimage", "store-put", "--store", store, "--hex", "00", "--lock-timeout", "1m")[
        0
    ] == 0


GARBAGE_HOST = """
import os, sys
os.read(5, 32)                      # the key
os.write(6, b"\\xff" * 8)           # an absurd length prefix
os.read(5, 1)                       # then wait until the VM closes the channel
"""


def test_a_host_sending_a_huge_length_prefix_is_reported_as_broken() -> None:
    host = HostProcess([sys.executable, "-c", GARBAGE_HOST], timeout=5)
    with host, pytest.raises(HostProcessError) as info:
        host.get_preimage(keccak256_key(b"x"))
    message = str(info.value)
    assert "broken" in message
    assert str(MAX_PREIMAGE_LENGTH) in message


def test_run_native_names_an_unknown_option_instead_of_running_it() -> None:
    code, _, err = invoke("run-native", "--debug", "--", "/bin/true")
    line = one_line_error(code, err)
    assert "No such option" in line and "--debug" in line


def test_run_native_timeout_takes_a_duration() -> None:
    code, _, err = invoke("run-native", "--timeout", "soon", "--", "/bin/true")
    assert "not a duration" in one_line_error(code, err)


def test_run_native_waits_lock_timeout_for_a_busy_store(tmp_path: Path) -> None:
    store = tmp_path / "s.db"
    assert invoke("preimage", "store-put", "--store", str(store), "--hex", "00")[0] == 0
    data = tmp_path / "data.bin"
    data.write_bytes(b"a preimage to add")  # run-native writes it into the store first
    other = sqlite3.connect(store, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        code, _, err = invoke(
            "run-native", "--store", str(store), "--lock-timeout", "100ms",
            "--preimage", str(data), "--", "/bin/true",
        )  # fmt: skip
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "locked by another process" in one_line_error(code, err)
