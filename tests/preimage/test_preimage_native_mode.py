"""Native mode: one guest source, the same output and exit code natively and in every VM.

The C ``preimage`` guest (guest/programs/preimage.c) is built for the host machine and for each
VM target. Natively it runs as a plain process with pipes on fds 3-6 to a Python host; in a VM
the same host object answers its oracle syscalls. Any difference points at a VM (or the guest
library's per-target code), which is why program authors can iterate natively.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof import guests
from faultproof.crypto import keccak256
from faultproof.preimage import native
from faultproof.preimage.cli import run_native_command
from faultproof.preimage.errors import PreimageNotFound
from faultproof.preimage.host import LocalHost, format_hint
from faultproof.preimage.keys import keccak256_key, local_key
from faultproof.preimage.native import run_native
from faultproof.preimage.store import BootInfo, MemoryStore, SqliteStore
from faultproof.vm import all_isas, get_isa

VM_TARGETS = tuple(isa.name for isa in all_isas())
"""Every registered ISA (mips32, riscv64, riscv64c today); a new one is checked automatically
once `faultproof.guests` can build for it."""
DATA = b"the preimage the guest asks for" * 10
DIGEST = keccak256(DATA)
CLI = [sys.executable, "-m", "faultproof.cli"]
SERVER = [sys.executable, "-m", "faultproof.preimage.server"]


class LyingHost(LocalHost):
    """Serves the keccak preimage with one byte appended: the guest must notice (exit 1)."""

    def get_preimage(self, key: bytes) -> bytes:
        value = super().get_preimage(key)
        return value + b"!" if key == keccak256_key(DATA) else value


def make_host(case: str) -> LocalHost:
    store = MemoryStore()
    if case != "missing":
        store.put_keccak256(DATA)
    cls = LyingHost if case == "lying" else LocalHost
    return cls(store, BootInfo({1: DIGEST}))


def elf(target: str) -> str:
    try:
        return str(guests.guest_elf("preimage", target))
    except guests.GuestBuildError as exc:
        pytest.skip(f"guest_elf('preimage', {target!r}) cannot be built here: {exc}")


def buildable_vm_targets() -> list[str]:
    """The registered ISAs the guest builder has a target for (at least one)."""
    targets = [t for t in VM_TARGETS if t in guests.TARGETS]
    assert targets, f"no registered ISA among the guest targets {guests.TARGETS}"
    return targets


def run_in_vm(target: str, host: LocalHost) -> tuple[int, bytes]:
    stdout, stderr = io.BytesIO(), io.BytesIO()
    vm = get_isa(target).load_elf(elf(target), host=host, stdout=stdout, stderr=stderr)
    vm.run(max_steps=5_000_000)
    assert vm.exited, f"{target}: guest did not exit within 5M steps"
    return vm.exit_code, stdout.getvalue()


@pytest.mark.parametrize("case", ["honest", "lying"])
def test_preimage_guest_same_output_natively_and_in_every_vm(case: str) -> None:
    native_host = make_host(case)
    code, stdout = run_native([elf("host")], native_host, timeout=60)
    if case == "honest":
        assert code == 0 and b"310 bytes, keccak ok" in stdout, stdout
    else:
        assert code == 1 and b"keccak mismatch for 311 bytes" in stdout, stdout
    assert native_host.last_hint == format_hint("keccak", DIGEST)
    for target in buildable_vm_targets():
        vm_host = make_host(case)
        assert run_in_vm(target, vm_host) == (code, stdout), target
        assert (vm_host.hint_count, vm_host.request_count) == (
            native_host.hint_count,
            native_host.request_count,
        )


def test_missing_preimage_is_the_same_named_error_natively_and_in_every_vm() -> None:
    key = keccak256_key(DATA)
    with pytest.raises(PreimageNotFound) as native_err:
        run_native([elf("host")], make_host("missing"), timeout=60)
    assert native_err.value.key == key
    assert native_err.value.last_hint == format_hint("keccak", DIGEST)
    for target in buildable_vm_targets():
        with pytest.raises(PreimageNotFound) as vm_err:
            run_in_vm(target, make_host("missing"))
        assert str(vm_err.value) == str(native_err.value), target


# ---- through the command line ----------------------------------------------------------------


@pytest.fixture(scope="module")
def source_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("src") / "source.db"
    with SqliteStore(path) as store:
        store.put_keccak256(DATA)
    return path


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], capture_output=True, timeout=timeout)


@pytest.mark.parametrize(
    "target",
    # One VM in the fast suite; the in-process test above already covers all three.
    [
        t if t == "mips32" else pytest.param(t, marks=pytest.mark.slow)
        for t in VM_TARGETS
        if t in guests.TARGETS
    ],
)
def test_cli_run_in_vm_and_run_native_agree(tmp_path: Path, source_db: Path, target: str) -> None:
    """``faultproof run -- python -m faultproof.preimage.server`` vs ``faultproof run-native``."""
    host_flags = ["--source", str(source_db), "--local", f"1=0x{DIGEST.hex()}"]
    natively = cli("run-native", "--store", str(tmp_path / "n.db"), *host_flags, "--", elf("host"))
    assert natively.returncode == 0, natively.stderr.decode()
    assert b"keccak ok" in natively.stdout
    state, out = tmp_path / "state.json", tmp_path / "out.json"
    loaded = cli("load-elf", "--type", target, "--path", elf(target), "--out", str(state),
                 "--meta", "")
    assert loaded.returncode == 0, loaded.stderr.decode()
    in_vm = cli("run", "--input", str(state), "--output", str(out), "--meta", "", "--",
                *SERVER, "--store", str(tmp_path / "v.db"), *host_flags)
    assert in_vm.returncode == 0, in_vm.stderr.decode()
    final = get_isa(target).load_state(out)
    assert final.exited
    assert (final.exit_code, in_vm.stdout) == (natively.returncode, natively.stdout)
    for db in ("n.db", "v.db"):  # both hosts fetched the hinted preimage into their --store
        with SqliteStore(tmp_path / db, readonly=True) as store:
            assert store.get(keccak256_key(DATA)) == DATA


def test_cli_vm_run_with_a_missing_preimage_stops_with_the_key_and_hint(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    cli("load-elf", "--type", "mips32", "--path", elf("mips32"), "--out", str(state), "--meta", "")
    run = cli("run", "--input", str(state), "--output", str(tmp_path / "out.json"), "--meta", "",
              "--", *SERVER, "--store", str(tmp_path / "empty.db"), "--local",
              f"1=0x{DIGEST.hex()}", timeout=300)  # a hang fails here, it does not block CI
    assert run.returncode == 2
    err = run.stderr.decode()
    assert "Traceback" not in err
    assert f"no preimage for key 0x{keccak256_key(DATA).hex()}" in err
    assert f"last hint: 'keccak 0x{DIGEST.hex()}'" in err
    assert err.count(keccak256_key(DATA).hex()) == 1  # named once, not echoed back from the host
    assert "reported by host" in err and "not in the store or any source" in err


def test_cli_run_native_missing_preimage_is_one_line_without_traceback() -> None:
    run = cli("run-native", "--local-data", f"1=0x{DIGEST.hex()}", "--", elf("host"), timeout=300)
    assert run.returncode == 2
    lines = run.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: PreimageNotFound: no preimage for key 0x02")
    assert keccak256_key(DATA).hex() in lines[0]
    assert f"last hint: 'keccak 0x{DIGEST.hex()}'" in lines[0]


def test_cli_run_native_passes_stdout_and_exit_code_through(tmp_path: Path) -> None:
    preimage = tmp_path / "data.bin"
    preimage.write_bytes(DATA)
    ok = cli("run-native", "--local", f"1=0x{DIGEST.hex()}", "--preimage", str(preimage), "--",
             elf("host"))
    assert ok.returncode == 0 and b"keccak ok" in ok.stdout, ok.stderr.decode()
    guest = "import sys; print('out', sys.argv[1:]); sys.exit(7)"
    seven = cli("run-native", "--", sys.executable, "-c", guest, "--flag", "x")
    assert (seven.returncode, seven.stdout) == (7, b"out ['--flag', 'x']\n")
    killed = cli("run-native", "--", sys.executable, "-c", "import os; os.kill(os.getpid(), 9)")
    assert killed.returncode == 128 + 9


def test_cli_run_native_in_process_captures_stdout() -> None:
    """Under click's runner stdout is not a file: the guest's output is captured and echoed."""
    result = CliRunner().invoke(
        run_native_command, ["--", sys.executable, "-c", "print('hello'); raise SystemExit(3)"]
    )
    assert (result.exit_code, result.output) == (3, "hello\n")


def test_cli_run_native_bad_arguments() -> None:
    runner = CliRunner()
    no_guest = runner.invoke(run_native_command, [])
    assert no_guest.exit_code == 2 and "GUEST_ARGV" in no_guest.output
    bad_local = runner.invoke(run_native_command, ["--local", "1:ab", "--", "true"])
    assert bad_local.exit_code == 2 and "IDENT=0xHEX" in bad_local.output
    missing = runner.invoke(run_native_command, ["--", "/nonexistent/guest"])
    assert missing.exit_code == 2 and "cannot start guest" in missing.output


def test_guest_that_ignores_a_failed_host_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A guest that keeps running after its host failed must not turn the error into a hang."""
    monkeypatch.setattr(native, "HOST_ERROR_GRACE", 0.2)
    guest = (
        "import os, time; os.write(6, bytes.fromhex('02' + '11' * 31)); time.sleep(30)"
    )
    with pytest.raises(PreimageNotFound, match="0x02" + "11" * 31):
        run_native([sys.executable, "-c", guest], LocalHost(), timeout=20)


def test_local_key_reads_work_without_any_store() -> None:
    """The in-memory default: boot info alone is enough for a guest reading local keys."""
    guest = (
        f"import os; os.write(6, bytes.fromhex('{local_key(3).hex()}'));"
        "n = int.from_bytes(os.read(5, 8), 'big'); print(os.read(5, n).hex())"
    )
    result = CliRunner().invoke(run_native_command, ["--local", "3=0xbeef", "--", sys.executable,
                                                     "-c", guest])
    assert (result.exit_code, result.output) == (0, "beef\n")


def test_native_guest_reads_a_preimage_larger_than_a_pipe_buffer() -> None:
    """300 KB does not fit a 64 KiB pipe: the host blocks mid-answer and the guest's
    read loop sees short reads, as inside a VM."""
    big = bytes((i * 131 + 7) % 256 for i in range(300_000))
    store = MemoryStore()
    store.put_keccak256(big)
    code, stdout = run_native([elf("host")], LocalHost(store, BootInfo({1: keccak256(big)})),
                              timeout=60)
    assert code == 0, stdout
    assert b"preimage: 300000 bytes, keccak ok" in stdout


@pytest.mark.slow
def test_cli_vm_run_with_a_silent_host_stops_after_the_host_timeout(tmp_path: Path) -> None:
    """A host that never answers: the VM gives up after HostProcess's 15 s read deadline."""
    state = tmp_path / "state.json"
    cli("load-elf", "--type", "riscv64", "--path", elf("riscv64"), "--out", str(state),
        "--meta", "")
    silent = [sys.executable, "-c", "import sys, time; print('listening', file=sys.stderr); "
              "time.sleep(600)"]
    run = cli("run", "--input", str(state), "--output", "", "--meta", "", "--", *silent,
              timeout=300)
    assert run.returncode == 2
    err = run.stderr.decode()
    assert "Traceback" not in err
    assert "host did not answer within 15 s" in err and "listening" in err


@pytest.mark.parametrize(("sig", "exit_code"), [(signal.SIGINT, None), (signal.SIGTERM, 143)])
def test_interrupted_run_native_does_not_leave_the_guest_running(
    sig: signal.Signals, exit_code: int | None
) -> None:
    guest = "import os, time; print(os.getpid(), flush=True); time.sleep(600)"
    proc = subprocess.Popen([*CLI, "run-native", "--", sys.executable, "-c", guest],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
                            # a shell's background job starts with SIGINT ignored, and Python
                            # keeps an inherited SIG_IGN: give the CLI the default disposition
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    guest_pid = int(proc.stdout.readline())
    proc.send_signal(sig)  # to the CLI only, not to the guest's process group
    try:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # say where the CLI was stuck
            os.kill(proc.pid, signal.SIGABRT)  # faulthandler prints every thread's stack
            with contextlib.suppress(ProcessLookupError):
                os.kill(guest_pid, signal.SIGKILL)  # it holds our stderr pipe open too
            stderr = proc.communicate(timeout=30)[1].decode(errors="replace")
            pytest.fail(f"run-native ignored {sig.name} for 60 s; its stderr:\n{stderr}")
        assert proc.returncode != 0
        assert exit_code is None or proc.returncode == exit_code
        with pytest.raises(ProcessLookupError):
            os.kill(guest_pid, 0)
    finally:  # on failure, do not leave the sleeping guest behind
        with contextlib.suppress(ProcessLookupError):
            os.kill(guest_pid, signal.SIGKILL)
        proc.kill()
        proc.communicate()
