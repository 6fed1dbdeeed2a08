"""Telling a state file's VM type from its contents (``run``/``witness`` without ``--type``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultproof.cli import _load_state
from faultproof.errors import InvalidState
from faultproof.guests import guest_elf
from faultproof.vm import get_isa
from faultproof.vm.statefile import detect_state_type, read_state_bytes

FORMATS = ["state.json", "state.json.gz", "state.bin", "state.bin.gz"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("isa", ["mips32", "riscv64", "riscv64c"])
def test_every_saved_format_is_detected(tmp_path: Path, isa: str, fmt: str) -> None:
    path = tmp_path / fmt
    get_isa(isa).load_elf(guest_elf("hello", isa)).save(path)
    # Binary RISC-V states have no room for the C flag (Asterisc's layout): --type riscv64c.
    expected = "riscv64" if isa == "riscv64c" and ".bin" in fmt else isa
    assert detect_state_type(path) == expected
    assert detect_state_type(tmp_path / f"missing-{fmt}", read_state_bytes(path)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{", "not valid JSON"),
        (b"[1, 2]", "not valid JSON|does not hold a JSON object"),
        (b'{"pc": 0}', "neither a MIPS32 nor a RISC-V state"),
    ],
)
def test_json_that_is_no_state_is_refused(tmp_path: Path, text: bytes, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(text)
    with pytest.raises(InvalidState, match=message):
        detect_state_type(path)


@pytest.mark.parametrize("fmt", ["state.json.gz", "state.bin"])
def test_the_cli_reads_a_state_file_once(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / fmt
    get_isa("mips32").load_elf(guest_elf("hello", "mips32")).save(path)
    reads: list[Path] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    vm = _load_state(path, None)
    assert reads.count(path) == 1
    assert vm.state_hash() == get_isa("mips32").load_state(path).state_hash()
