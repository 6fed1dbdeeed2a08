"""`faultproof load-elf | run | witness` end to end, for every registered VM type.

The run loop decides per step whether to log, stop, snapshot or prove (Cannon's order); these tests
check that the files it writes agree with each other: a proof at step N carries the pre-state of the
snapshot at N and the post-state of the snapshot at N+1, and ``witness`` reports the same hashes.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof.cli import main
from faultproof.guests import guest_elf
from faultproof.vm import get_isa

ISAS = ["mips32", "riscv64", "riscv64c"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def witness_hash(path: Path) -> str:
    return str(json.loads(witness_output(path))["witnessHash"])


@pytest.fixture
def loaded(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    isa = request.param
    code, _, err = invoke(
        "load-elf",
        "--type",
        isa,
        "--path",
        str(guest_elf("compute", isa)),
        "--out",
        str(tmp_path / "start.json"),
        "--meta",
        str(tmp_path / "meta.json"),
    )
    assert code == 0, err
    return tmp_path


@pytest.mark.parametrize("loaded", ISAS, indirect=True)
def test_proofs_snapshots_and_stop_agree(loaded: Path) -> None:
    d = loaded
    code, _, err = invoke(
        "run",
        "--input",
        str(d / "start.json"),
        "--output",
        str(d / "out.json"),
        "--proof-at",
        "=1500",
        "--proof-fmt",
        str(d / "proof-%d.json"),
        "--snapshot-at",
        "%500",
        "--snapshot-fmt",
        str(d / "state-%d.json"),
        "--stop-at",
        "=3001",
        "--info-at",
        "%1000",
        "--meta",
        str(d / "meta.json"),
    )
    assert code == 0, err
    run_log = err
    proof = json.loads((d / "proof-1500.json").read_text())
    assert set(proof) >= {"step", "pre", "post", "state-data", "proof-data"}
    assert proof["step"] == 1500
    assert proof["pre"] == witness_hash(d / "state-1500.json")
    # The post-state of step 1500 is the state a plain run reaches after 1501 steps.
    code, _, err = invoke(
        "run",
        "--input",
        str(d / "state-1500.json"),
        "--output",
        str(d / "after.json"),
        "--stop-at",
        "=1501",
        "--meta",
        "",
    )
    assert code == 0, err
    assert proof["post"] == witness_hash(d / "after.json")
    assert sorted(p.name for p in d.glob("state-*.json")) == sorted(
        f"state-{n}.json" for n in range(0, 3001, 500)
    )
    out = json.loads(witness_output(d / "out.json"))
    assert out["step"] == 3001 and not out["exited"]
    # Info lines are JSON with the symbol under the pc (the meta file came from load-elf).
    infos = [json.loads(line) for line in run_log.splitlines() if line.startswith('{"step"')]
    assert [i["step"] for i in infos] == [0, 1000, 2000, 3000]
    assert all(i.get("symbol") for i in infos)


def witness_output(path: Path) -> str:
    code, out, err = invoke("witness", "--input", str(path))
    assert code == 0, err
    return out


@pytest.mark.parametrize("loaded", ISAS, indirect=True)
def test_run_to_exit_with_and_without_progress_gives_the_same_state(loaded: Path) -> None:
    d = loaded
    hashes = []
    for flag in ("--progress", "--no-progress"):
        out = d / f"final{flag}.json"
        code, _, err = invoke(
            "run",
            "--input",
            str(d / "start.json"),
            "--output",
            str(out),
            flag,
            "--info-at",
            "never",
            "--meta",
            "",
        )
        assert code == 0, err
        doc = json.loads(witness_output(out))
        assert doc["exited"] and doc["exitCode"] == 0
        hashes.append(doc["witnessHash"])
    assert hashes[0] == hashes[1]


@pytest.mark.parametrize("isa", ISAS)
def test_witness_command_matches_the_vm(isa: str, tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    assert (
        invoke(
            "load-elf",
            "--type",
            isa,
            "--path",
            str(guest_elf("hello", isa)),
            "--out",
            str(state),
            "--meta",
            "",
        )[0]
        == 0
    )
    vm = get_isa(isa).load_elf(guest_elf("hello", isa))
    doc = json.loads(witness_output(state))
    assert doc["witnessHash"] == "0x" + vm.state_hash().hex()
    assert doc["witness"] == "0x" + vm.encode_witness().hex()
    assert len(bytes.fromhex(doc["witness"][2:])) == get_isa(isa).witness_size


def test_missing_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke("witness", "--input", str(tmp_path / "nope.json"))
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_sigterm_stops_the_preimage_host(tmp_path: Path) -> None:
    """`kill` of `faultproof run -- HOST` must not leave the host running (exit 128 + 15)."""
    state = tmp_path / "state.json"
    code, _, err = invoke(
        "load-elf", "--type", "mips32", "--path", str(guest_elf("preimage", "mips32")),
        "--out", str(state), "--meta", "",
    )  # fmt: skip
    assert code == 0, err
    pid_file = tmp_path / "host.pid"
    host = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"
    cli = subprocess.Popen(
        [sys.executable, "-m", "faultproof.cli", "run", "--input", str(state), "--output", "",
         "--meta", "", "--", sys.executable, "-c", host],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    host_pid = 0
    try:
        deadline = time.monotonic() + 120
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        host_pid = int(pid_file.read_text())
        cli.send_signal(signal.SIGTERM)
        assert cli.wait(timeout=60) == 143
        time.sleep(0.5)  # the host is reaped by the CLI; give the kernel a moment
        with pytest.raises(ProcessLookupError):
            os.kill(host_pid, 0)
    finally:
        if host_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(host_pid, signal.SIGKILL)
        cli.kill()
        cli.wait()
