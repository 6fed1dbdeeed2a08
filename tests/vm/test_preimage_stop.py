"""``run --stop-at-preimage*`` against an independent list of the steps that read preimages.

The list comes from proof steps: a step's witness names the key, offset and value it read (the
VM's witness path, not the watch under test). The bundled ``preimage`` guest reads local key 1
(a keccak256 hash) and then that hash's 570-byte preimage, four bytes at a time.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof.cli import main
from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.guests import guest_elf
from faultproof.vm import FPVM, get_isa
from faultproof.vm.preimage_stop import PreimageStop
from faultproof.vm.runner import RunConfig, run_vm

DATA = b"stop at preimage " * 33 + b"end"
DATA_HASH = keccak256(DATA)
KECCAK_KEY = b"\x02" + DATA_HASH[1:]
ISAS = ["mips32", "riscv64", "riscv64c"]


class Host:
    def get_preimage(self, key: bytes) -> bytes:
        if key[0] == 1:
            return DATA_HASH
        assert key == KECCAK_KEY
        return DATA

    def hint(self, hint: bytes) -> None:
        pass


@dataclass(frozen=True)
class Read:
    step: int
    key: bytes
    offset: int
    size: int


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def fresh(isa: str) -> FPVM:
    return get_isa(isa).load_elf(guest_elf("preimage", isa), host=Host(), stdout=io.BytesIO())


def is_syscall(vm: FPVM, isa: str) -> bool:
    word = vm.memory.read(vm.pc, 4)  # type: ignore[attr-defined]
    if isa == "mips32":
        return word == b"\x00\x00\x00\x0c"
    return int.from_bytes(word, "little") == 0x73  # ecall


_READS: dict[str, list[Read]] = {}


def reads_of(isa: str) -> list[Read]:
    """Every preimage read of the guest, from proof steps at its syscalls."""
    if isa not in _READS:
        vm = fresh(isa)
        found = []
        while not vm.exited:
            if not is_syscall(vm, isa):
                vm.step()
                continue
            w = vm.step(proof=True)
            assert w is not None
            if w.has_preimage:
                assert w.preimage_key is not None and w.preimage_value is not None
                assert w.preimage_offset is not None
                found.append(
                    Read(w.step, w.preimage_key, w.preimage_offset, len(w.preimage_value) - 8)
                )
        assert vm.exit_code == 0
        _READS[isa] = found
    return _READS[isa]


def run_with(isa: str, **flags: object) -> FPVM:
    vm = fresh(isa)
    run_vm(vm, RunConfig(output="", info_at="never", progress=False, **flags), lambda v, p: None)  # type: ignore[arg-type]
    return vm


def expected_stop(isa: str, stop: PreimageStop) -> int | None:
    """The step count after the first matching read (None: the guest runs to exit)."""
    for r in reads_of(isa):
        if stop.matches(r.key, r.offset, r.size):
            return r.step + 1
    return None


CASES = [
    {"stop_at_preimage_type": "local"},
    {"stop_at_preimage_type": "keccak"},
    {"stop_at_preimage_type": "any"},
    {"stop_at_preimage_type": "sha256"},
    {"stop_at_preimage_larger_than": 100},
    {"stop_at_preimage_larger_than": 5000},
    {"stop_at_preimage": "0x" + KECCAK_KEY[:4].hex()},
    {"stop_at_preimage": KECCAK_KEY.hex() + "@40"},  # MIPS32 reads there, RISC-V does not
    {"stop_at_preimage": KECCAK_KEY.hex() + "@56"},  # a later read of a loaded key, every ISA
    {"stop_at_preimage": KECCAK_KEY.hex() + "@41"},
    {"stop_at_preimage": "01@8", "stop_at_preimage_larger_than": 500},
]


@pytest.mark.parametrize(
    "flags", CASES, ids=lambda f: ",".join(f"{k[8:]}={v}" for k, v in f.items())
)
@pytest.mark.parametrize("isa", ISAS)
def test_stops_right_after_the_first_matching_read(
    isa: str, flags: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    reads = reads_of(isa)
    assert len(reads) > 10 and {r.key[0] for r in reads} == {1, 2}
    stop = PreimageStop.parse(
        str(flags.get("stop_at_preimage", "")),
        str(flags.get("stop_at_preimage_type", "")),
        int(flags.get("stop_at_preimage_larger_than", 0)),  # type: ignore[call-overload]
    )
    assert stop is not None
    want = expected_stop(isa, stop)
    vm = run_with(isa, **flags)
    err = capsys.readouterr().err
    if want is None:
        assert vm.exited and "stopping at preimage read" not in err
    else:
        assert not vm.exited and vm.step_count == want, err
        assert "stopping at preimage read" in err


def test_an_offset_no_read_starts_at_runs_to_exit() -> None:
    # MIPS32 reads four bytes at a time from offset 0: a read "at 41" never happens.
    assert expected_stop("mips32", PreimageStop(KECCAK_KEY, 41)) is None
    assert run_with("mips32", stop_at_preimage=KECCAK_KEY.hex() + "@41").exited


@pytest.mark.parametrize(
    ("at", "kind", "larger"),
    [("zz", "", 0), ("01@x", "", 0), ("", "keccak256", 0), ("", "", -1), ("@4", "", 0)],
)
def test_bad_flags_are_refused(at: str, kind: str, larger: int) -> None:
    with pytest.raises(FaultproofError):
        PreimageStop.parse(at, kind, larger)


def test_the_run_command_takes_the_flags(tmp_path: Path) -> None:
    """End to end through the CLI, with the preimage server as the host process."""
    from faultproof.preimage.keys import keccak256_key
    from faultproof.preimage.store import SqliteStore

    state = tmp_path / "state.json"
    code, _, err = invoke(
        "load-elf", "--type", "mips32", "--path", str(guest_elf("preimage", "mips32")),
        "--out", str(state), "--meta", "",
    )  # fmt: skip
    assert code == 0, err
    db = tmp_path / "pre.db"
    with SqliteStore(db) as store:
        store.put(keccak256_key(DATA), DATA)
    out = tmp_path / "out.json"
    host = [sys.executable, "-m", "faultproof.preimage.server", "--store", str(db),
            "--local", f"1=0x{DATA_HASH.hex()}"]  # fmt: skip
    code, _, err = invoke(
        "run", "--input", str(state), "--output", str(out), "--meta", "", "--info-at", "never",
        "--stop-at-preimage-type", "keccak", "--", *host,
    )  # fmt: skip
    assert code == 0, err
    stopped = get_isa("mips32").load_state(out)
    assert stopped.step_count == expected_stop("mips32", PreimageStop(key_type=2))
    assert "stopping at preimage read" in err

    code, _, err = invoke("run", "--input", str(state), "--stop-at-preimage-type", "keccak256")
    assert code == 2 and "bad --stop-at-preimage-type" in err
