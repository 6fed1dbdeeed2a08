"""State files round-trip (cannon-mips32.md §1.6): load-elf -> run N steps -> save as JSON,
JSON.gz, binary and binary.gz -> load -> the same witness and state hash, and execution continues
exactly as it would have without the detour through the file (same later hashes, same output).

Also pins the formats themselves to the spec: the JSON keys Cannon writes (and nothing else), pages
as base64(zlib(4096 bytes)), and the binary layout parsed independently here.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultproof import guests
from faultproof.cli import main
from faultproof.conformance.hosts import preimage_guest_host
from faultproof.preimage.host import LocalHost
from faultproof.vm.mips.loader import load_elf
from faultproof.vm.mips.statefile import load_state, save_state
from faultproof.vm.mips.vm import MipsVM

FORMATS = ("state.json", "state.json.gz", "state.bin", "state.bin.gz")
JSON_KEYS = {
    "memory", "preimageKey", "preimageOffset", "pc", "nextPC", "lo", "hi", "heap", "exit",
    "exited", "step", "registers",
}  # fmt: skip
"""The keys of Cannon's single-threaded JSON state (§1.6); ``lastHint`` is optional."""


def fresh(name: str) -> tuple[MipsVM, io.BytesIO, LocalHost | None]:
    host = preimage_guest_host() if name == "preimage" else None
    out = io.BytesIO()
    return load_elf(guests.guest_elf(name, "mips32"), host=host, stdout=out), out, host


def reload(vm: MipsVM, path: Path, host: LocalHost | None) -> tuple[MipsVM, io.BytesIO]:
    save_state(vm, path)
    out = io.BytesIO()
    return load_state(path, host=host, stdout=out), out


def assert_same_state(a: MipsVM, b: MipsVM) -> None:
    assert a.encode_witness() == b.encode_witness()
    assert a.state_hash() == b.state_hash()
    assert a.last_hint == b.last_hint
    assert a.step_count == b.step_count


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("name", "steps", "more"),
    [
        ("hello", 0, 200),  # the initial state, then to exit
        ("hello", 57, 200),
        ("exitcode", 3000, 10_000),  # to exit (code 42)
        ("compute", 1_000_003, 500_000),  # mid-run, dirty pages
        ("heap", 200_000, 300_000),  # after mmaps: heap moved, pages beyond the ELF
        ("preimage", 100_000, 200_000),  # after preimage reads: key and offset are set
    ],
)
def test_round_trip_preserves_state_and_continuation(
    tmp_path: Path, fmt: str, name: str, steps: int, more: int
) -> None:
    original, out_a, host = fresh(name)
    original.run(steps)
    assert original.step_count == steps
    copy, out_b = reload(original, tmp_path / fmt, host)
    assert_same_state(original, copy)

    original.run(more)
    copy.run(more)
    assert_same_state(original, copy)
    assert original.exited == copy.exited and original.exit_code == copy.exit_code
    assert out_a.getvalue().endswith(out_b.getvalue())
    if name in ("hello", "exitcode"):
        assert copy.exited  # the copy ran the program to its end


def test_preimage_state_fields_survive(tmp_path: Path) -> None:
    """A state in the middle of preimage I/O has a non-zero key and offset; all formats keep them."""
    vm, _, host = fresh("preimage")
    vm.run(100_000)
    assert vm.preimage_key != bytes(32) and vm.preimage_offset > 0
    for fmt in FORMATS:
        copy, _ = reload(vm, tmp_path / fmt, host)
        assert (copy.preimage_key, copy.preimage_offset) == (vm.preimage_key, vm.preimage_offset)
        assert (copy.heap, copy.hi, copy.lo, copy.next_pc) == (vm.heap, vm.hi, vm.lo, vm.next_pc)


def test_partial_hint_survives_as_last_hint(tmp_path: Path) -> None:
    """A hint written only in part stays buffered (``lastHint``, §5.3) and is saved with the state."""
    vm, _, host = fresh("preimage")
    while not vm.last_hint and vm.step_count < 200_000:
        vm.run(1)
    assert vm.last_hint, "the preimage guest never had a partial hint buffered"
    for fmt in FORMATS:
        copy, _ = reload(vm, tmp_path / fmt, host)
        assert copy.last_hint == vm.last_hint
        if fmt == "state.json":
            doc = json.loads((tmp_path / fmt).read_bytes())
            assert doc["lastHint"] == "0x" + vm.last_hint.hex()
    finished, _ = reload(vm, tmp_path / "again.json", host)
    finished.run()
    assert finished.exited and finished.exit_code == 0
    assert host is not None and host.hint_count > 0


def test_exited_state_round_trips(tmp_path: Path) -> None:
    vm, _, _ = fresh("exitcode")
    vm.run()
    assert vm.exited and vm.exit_code == 42
    for fmt in FORMATS:
        copy, _ = reload(vm, tmp_path / fmt, None)
        assert_same_state(vm, copy)
        assert copy.exited and copy.exit_code == 42
        assert copy.state_hash()[0] == 2  # VM status "panic" for exit code 42 (§1.3)


def test_json_fields_match_cannon(tmp_path: Path) -> None:
    vm, _, _ = fresh("heap")
    vm.run(200_000)
    path = tmp_path / "state.json"
    save_state(vm, path)
    doc = json.loads(path.read_bytes())
    assert set(doc) == JSON_KEYS  # no lastHint while none is buffered
    assert doc["preimageKey"] == "0x" + vm.preimage_key.hex()
    assert doc["pc"] == vm.pc and doc["nextPC"] == vm.next_pc
    assert (doc["lo"], doc["hi"], doc["heap"]) == (vm.lo, vm.hi, vm.heap)
    assert doc["exit"] == 0 and doc["exited"] is False and doc["step"] == 200_000
    assert doc["registers"] == [int(r) for r in vm.regs] and len(doc["registers"]) == 32
    indices = [page["index"] for page in doc["memory"]]
    assert indices == sorted(indices) and len(indices) == len(set(indices))
    for page in doc["memory"]:
        assert set(page) == {"index", "data"}
        data = zlib.decompress(base64.b64decode(page["data"]))
        assert data == vm.memory.read(page["index"] << 12, 4096)


def test_binary_layout_matches_spec(tmp_path: Path) -> None:
    """Parse the .bin file by the spec's description alone (§1.6) and compare with the VM."""
    vm, _, _ = fresh("preimage")
    vm.run(100_000)
    vm.last_hint = b"\x00\x00\x00\x10partial"
    path = tmp_path / "state.bin.gz"
    save_state(vm, path)
    raw = gzip.decompress(path.read_bytes())
    assert raw[0] == 2  # singlethreaded-2
    (pages,) = struct.unpack_from(">I", raw, 1)
    pos = 5
    last = -1
    for _ in range(pages):
        (index,) = struct.unpack_from(">I", raw, pos)
        assert index > last
        last = index
        assert raw[pos + 4 : pos + 4 + 4096] == vm.memory.read(index << 12, 4096)
        pos += 4 + 4096
    key = raw[pos : pos + 32]
    fields = struct.unpack_from(">IIIIIIBBQ32I", raw, pos + 32)
    pos += 32 + struct.calcsize(">IIIIIIBBQ32I")
    assert key == vm.preimage_key
    assert fields[:9] == (
        vm.preimage_offset, vm.pc, vm.next_pc, vm.lo, vm.hi, vm.heap,
        vm.exit_code, int(vm.exited), vm.step_count,
    )  # fmt: skip
    assert list(fields[9:]) == [int(r) for r in vm.regs]
    (hint_len,) = struct.unpack_from(">I", raw, pos)
    assert raw[pos + 4 :] == vm.last_hint and hint_len == len(vm.last_hint)


def test_gzip_output_is_deterministic(tmp_path: Path) -> None:
    """Same state -> same bytes (no gzip timestamp), so prestate files can be compared by hash."""
    vm, _, _ = fresh("hello")
    for fmt in ("state.json.gz", "state.bin.gz"):
        save_state(vm, tmp_path / ("a" + fmt))
        save_state(vm, tmp_path / ("b" + fmt))
        assert (tmp_path / ("a" + fmt)).read_bytes() == (tmp_path / ("b" + fmt)).read_bytes()


def test_cli_round_trip_through_every_format(tmp_path: Path) -> None:
    """load-elf -> run --stop-at -> witness through the CLI gives one hash for every format, and
    running each saved state to the end gives the same final state."""
    runner = CliRunner()
    elf = guests.guest_elf("exitcode", "mips32")
    hashes: set[str] = set()
    finals: set[str] = set()
    for fmt in FORMATS:
        start = tmp_path / f"start-{fmt}"
        mid = tmp_path / f"mid-{fmt}"
        end = tmp_path / f"end-{fmt}"
        for args in (
            ["load-elf", "--type", "mips32", "--path", str(elf), "--out", str(start), "--meta", ""],
            [
                "run",
                "--input",
                str(start),
                "--output",
                str(mid),
                "--stop-at",
                "=1234",
                "--meta",
                "",
            ],
            ["run", "--input", str(mid), "--output", str(end), "--meta", ""],
        ):
            result = runner.invoke(main, args)
            assert result.exit_code == 0, (args, result.output)
        mid_doc = json.loads(runner.invoke(main, ["witness", "--input", str(mid)]).stdout)
        end_doc = json.loads(runner.invoke(main, ["witness", "--input", str(end)]).stdout)
        assert mid_doc["step"] == 1234 and not mid_doc["exited"]
        assert end_doc["exited"] and end_doc["exitCode"] == 42
        hashes.add(mid_doc["witnessHash"])
        finals.add(end_doc["witnessHash"])
    assert len(hashes) == 1 and len(finals) == 1
