"""State files (spec §2.4): Asterisc's JSON and binary layouts, optionally gzipped."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from faultproof.errors import InvalidState
from faultproof.fileio import write_atomic
from faultproof.vm.memory import PAGE_SIZE
from faultproof.vm.riscv.constants import (
    S_EXIT_CODE,
    S_EXITED,
    S_HEAP,
    S_PC,
    S_PREIMAGE_OFFSET,
    S_RESERVATION,
    S_STEP,
)
from faultproof.vm.riscv.vm import RiscvVM
from faultproof.vm.statefile import GZIP_LEVEL, read_state_bytes


def _is_json(path: Path, raw: bytes) -> bool:
    return path.name.removesuffix(".gz").endswith(".json") or raw[:1] == b"{"


def save_state(vm: RiscvVM, path: Path) -> None:
    """Write JSON for ``.json[.gz]``, the binary layout otherwise; gzip for ``.gz``."""
    raw = to_json(vm) if path.name.removesuffix(".gz").endswith(".json") else to_binary(vm)
    if path.suffix == ".gz":
        raw = gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)
    write_atomic(path, raw)  # a kill mid-write leaves the old file (maybe the --input)


def to_json(vm: RiscvVM) -> bytes:
    witness = vm.encode_witness()
    doc = {
        "memory": [{"index": i, "data": page.hex()} for i, page in vm.memory.iter_pages()],
        "preimageKey": "0x" + vm.preimage_key.hex(),
        "preimageOffset": vm.preimage_offset,
        "pc": vm.pc,
        "exitCode": vm.exit_code,
        "exited": vm.exited,
        "step": vm.step_count,
        "heap": vm.heap,
        "loadReservation": vm.load_reservation,
        "registers": [int(r) for r in vm.regs],
        "lastHint": "0x" + bytes(vm.last_hint).hex(),
        "witness": "0x" + witness.hex(),
        "stateHash": "0x" + vm.state_hash().hex(),
    }
    if vm.compressed:
        # Asterisc has no RVC; the extra field (ignored by Asterisc's decoder) lets `run`/`witness`
        # pick riscv64c without --type. riscv64 files stay exactly Asterisc's.
        doc["isa"] = "riscv64c"
    return json.dumps(doc).encode()


def to_binary(vm: RiscvVM) -> bytes:
    pages = list(vm.memory.iter_pages())
    out = bytearray(struct.pack(">Q", len(pages)))
    for index, data in pages:
        out += struct.pack(">Q", index) + data
    out += vm.preimage_key
    out += struct.pack(">QQBBQQQ", vm.preimage_offset, vm.pc, vm.exit_code, int(vm.exited),
                       vm.step_count, vm.heap, vm.load_reservation)  # fmt: skip
    out += vm.regs.astype(">u8").tobytes()
    witness = vm.encode_witness()
    out += struct.pack(">Q", len(vm.last_hint)) + bytes(vm.last_hint)
    out += struct.pack(">Q", len(witness)) + witness
    out += vm.state_hash()
    return bytes(out)


def load_state(
    path: Path,
    host: Any = None,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
    compressed: bool = False,
    raw: bytes | None = None,
) -> RiscvVM:
    """Read a JSON or binary RISC-V state file (JSON by suffix or a leading ``{``).

    ``raw``: the file's bytes if the caller has already read (and gunzipped) them.
    """
    path = Path(path)
    if raw is None:
        raw = read_state_bytes(path)
    vm = RiscvVM(compressed=compressed, host=host, stdout=stdout, stderr=stderr)
    if _is_json(path, raw):
        from_json(vm, raw, str(path))
    else:
        from_binary(vm, raw, str(path))
    vm.memory.invalidate()
    return vm


def _u64(v: Any, name: str, source: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**64:
        raise InvalidState(
            f"{source}: field {name!r} must be an unsigned 64-bit integer, got {v!r}"
        )
    return v


def _hex(v: Any, name: str, source: str) -> bytes:
    if not isinstance(v, str):
        raise InvalidState(f"{source}: field {name!r} must be a hex string")
    try:
        return bytes.fromhex(v.removeprefix("0x"))
    except ValueError:
        raise InvalidState(f"{source}: field {name!r} is not valid hex") from None


def from_json(vm: RiscvVM, raw: bytes, source: str) -> None:
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidState(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidState(f"{source} does not hold a JSON object")
    required = ("memory", "preimageKey", "preimageOffset", "pc", "exitCode", "exited", "step",
                "heap", "loadReservation", "registers")  # fmt: skip
    missing = [k for k in required if k not in doc]
    if missing:
        raise InvalidState(f"{source}: RISC-V state is missing {', '.join(missing)}")
    for page in doc["memory"] or []:
        if not isinstance(page, dict) or "index" not in page or "data" not in page:
            raise InvalidState(f"{source}: each memory entry needs 'index' and 'data'")
        data = _hex(page["data"], "memory.data", source)
        if len(data) != PAGE_SIZE:
            raise InvalidState(
                f"{source}: page {page['index']} has {len(data)} bytes, expected {PAGE_SIZE}"
            )
        vm.memory.set_page(_u64(page["index"], "memory.index", source) & ((1 << 52) - 1), data)
    key = _hex(doc["preimageKey"], "preimageKey", source)
    if len(key) != 32:
        raise InvalidState(f"{source}: preimageKey is {len(key)} bytes, expected 32")
    vm.key[:] = np.frombuffer(key, dtype=np.uint8)
    vm.st[S_PREIMAGE_OFFSET] = _u64(doc["preimageOffset"], "preimageOffset", source)
    vm.st[S_PC] = _u64(doc["pc"], "pc", source)
    vm.st[S_EXIT_CODE] = _u64(doc["exitCode"], "exitCode", source) & 0xFF
    vm.st[S_EXITED] = 1 if doc["exited"] else 0
    vm.st[S_STEP] = _u64(doc["step"], "step", source)
    vm.st[S_HEAP] = _u64(doc["heap"], "heap", source)
    vm.st[S_RESERVATION] = _u64(doc["loadReservation"], "loadReservation", source)
    regs = doc["registers"]
    if not isinstance(regs, list) or len(regs) != 32:
        raise InvalidState(f"{source}: registers must be a list of 32 integers")
    vm.regs[:] = [_u64(r, "registers", source) for r in regs]
    vm.last_hint = bytearray(_hex(doc.get("lastHint") or "0x", "lastHint", source))


class _Reader:
    def __init__(self, raw: bytes, source: str) -> None:
        self.raw, self.pos, self.source = raw, 0, source

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.raw):
            raise InvalidState(
                f"{self.source}: truncated binary RISC-V state while reading {what} "
                f"(need {n} bytes at offset {self.pos}, file has {len(self.raw)})"
            )
        out = self.raw[self.pos : self.pos + n]
        self.pos += n
        return out

    def u64(self, what: str) -> int:
        return int.from_bytes(self.take(8, what), "big")


def from_binary(vm: RiscvVM, raw: bytes, source: str) -> None:
    r = _Reader(raw, source)
    count = r.u64("page count")
    if count * (8 + PAGE_SIZE) > len(raw):
        raise InvalidState(f"{source}: claims {count} pages but holds only {len(raw)} bytes")
    for _ in range(count):
        index = r.u64("page index")
        if index >= 1 << 52:
            raise InvalidState(f"{source}: page index 0x{index:x} is outside the 64-bit space")
        vm.memory.set_page(index, r.take(PAGE_SIZE, "page data"))
    vm.key[:] = np.frombuffer(r.take(32, "preimageKey"), dtype=np.uint8)
    vm.st[S_PREIMAGE_OFFSET] = r.u64("preimageOffset")
    vm.st[S_PC] = r.u64("pc")
    vm.st[S_EXIT_CODE] = r.take(1, "exitCode")[0]
    vm.st[S_EXITED] = 1 if r.take(1, "exited")[0] else 0
    vm.st[S_STEP] = r.u64("step")
    vm.st[S_HEAP] = r.u64("heap")
    vm.st[S_RESERVATION] = r.u64("loadReservation")
    vm.regs[:] = np.frombuffer(r.take(256, "registers"), dtype=">u8").astype(np.uint64)
    vm.last_hint = bytearray(r.take(r.u64("lastHint length"), "lastHint"))
    r.take(r.u64("witness length"), "witness")
    r.take(32, "stateHash")
