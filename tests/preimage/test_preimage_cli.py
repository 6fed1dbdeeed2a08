"""The click commands the main CLI mounts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from faultproof.preimage.cli import preimage_cli
from faultproof.preimage.keys import keccak256_key, local_key, sha256_key


def test_store_put_then_get_round_trip(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "s.db")
    put = runner.invoke(preimage_cli, ["store-put", "--store", store, "--hex", "0xdeadbeef"])
    assert put.exit_code == 0, put.output
    assert put.output.strip() == "0x" + keccak256_key(bytes.fromhex("deadbeef")).hex()
    get = runner.invoke(preimage_cli, ["store-get", "--store", store, put.output.strip()])
    assert get.exit_code == 0 and get.output.strip() == "0xdeadbeef"


def test_store_put_sha256_from_file(tmp_path: Path) -> None:
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"file contents")
    result = CliRunner().invoke(
        preimage_cli,
        [
            "store-put",
            "--store",
            str(tmp_path / "s.db"),
            "--type",
            "sha256",
            "--file",
            str(payload),
        ],
    )
    assert result.output.strip() == "0x" + sha256_key(b"file contents").hex()


def test_store_get_missing_key_is_a_one_line_error(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "s.db")
    runner.invoke(preimage_cli, ["store-put", "--store", store, "--hex", "00"])
    missing = "0x" + keccak256_key(b"nope").hex()
    result = runner.invoke(preimage_cli, ["store-get", "--store", store, missing])
    assert result.exit_code == 2
    assert "no preimage for key" in result.output and missing in result.output


def test_key_command_and_bad_input() -> None:
    runner = CliRunner()
    assert runner.invoke(
        preimage_cli, ["key", "--type", "local", "--ident", "4"]
    ).output.strip() == ("0x" + local_key(4).hex())
    bad = runner.invoke(preimage_cli, ["key", "--type", "keccak256", "--hex", "0xzz"])
    assert bad.exit_code == 2 and "not hex" in bad.output
    both = runner.invoke(preimage_cli, ["key", "--type", "sha256"])
    assert both.exit_code == 2 and "exactly one of --hex or --file" in both.output
