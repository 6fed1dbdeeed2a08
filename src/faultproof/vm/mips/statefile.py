"""MIPS32 state files, as Cannon writes them (cannon-mips32.md §1.6).

* JSON (any name not ending in ``.bin``/``.bin.gz``; ``.gz`` = gzip): Cannon's keys, pages as
  ``{"index": n, "data": base64(zlib(4096 bytes))}``.
* Binary (``.bin``/``.bin.gz``): version byte 2 (``singlethreaded-2``), pages, fields, ``lastHint``.

Every malformed or truncated file raises :class:`InvalidState` naming what is wrong.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from faultproof.errors import InvalidState
from faultproof.fileio import write_atomic
from faultproof.vm.interface import PreimageHost
from faultproof.vm.mips.constants import (
    CPU_EXIT_CODE,
    CPU_EXITED,
    CPU_HEAP,
    CPU_HI,
    CPU_LO,
    CPU_NEXT_PC,
    CPU_PC,
    CPU_PREIMAGE_OFFSET,
    CPU_STEP,
    PAGE_SIZE,
    STATE_VERSION_SINGLETHREADED_2,
)
from faultproof.vm.mips.vm import MipsVM
from faultproof.vm.statefile import GZIP_LEVEL, read_state_bytes

_FIELDS = struct.Struct(">32sIIIIIIBBQ32I")


def _is_binary(path: Path) -> bool:
    return path.name.endswith(".bin") or path.name.endswith(".bin.gz")


def encode_binary(vm: MipsVM) -> bytes:
    pages = list(vm.memory.iter_pages())
    out = io.BytesIO()
    out.write(bytes([STATE_VERSION_SINGLETHREADED_2]))
    out.write(struct.pack(">I", len(pages)))
    for index, data in pages:
        out.write(struct.pack(">I", index))
        out.write(data)
    c = vm.cpu
    out.write(
        _FIELDS.pack(
            vm.preimage_key,
            int(c[CPU_PREIMAGE_OFFSET]),
            int(c[CPU_PC]),
            int(c[CPU_NEXT_PC]),
            int(c[CPU_LO]),
            int(c[CPU_HI]),
            int(c[CPU_HEAP]),
            int(c[CPU_EXIT_CODE]),
            int(c[CPU_EXITED]),
            int(c[CPU_STEP]),
            *[int(r) for r in vm.regs],
        )
    )
    out.write(struct.pack(">I", len(vm.last_hint)))
    out.write(vm.last_hint)
    return out.getvalue()


def encode_json(vm: MipsVM) -> bytes:
    c = vm.cpu
    doc: dict[str, Any] = {
        "memory": [
            {"index": index, "data": base64.b64encode(zlib.compress(data)).decode()}
            for index, data in vm.memory.iter_pages()
        ],
        "preimageKey": "0x" + vm.preimage_key.hex(),
        "preimageOffset": int(c[CPU_PREIMAGE_OFFSET]),
        "pc": int(c[CPU_PC]),
        "nextPC": int(c[CPU_NEXT_PC]),
        "lo": int(c[CPU_LO]),
        "hi": int(c[CPU_HI]),
        "heap": int(c[CPU_HEAP]),
        "exit": int(c[CPU_EXIT_CODE]),
        "exited": bool(c[CPU_EXITED]),
        "step": int(c[CPU_STEP]),
        "registers": [int(r) for r in vm.regs],
    }
    if vm.last_hint:
        doc["lastHint"] = "0x" + vm.last_hint.hex()
    return json.dumps(doc).encode()


def save_state(vm: MipsVM, path: Path) -> None:
    raw = encode_binary(vm) if _is_binary(path) else encode_json(vm)
    if path.suffix == ".gz":
        raw = gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0)
    write_atomic(path, raw)  # a kill mid-write leaves the old file (maybe the --input)


# --- reading ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.pos = 0
        self.name = name

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise InvalidState(
                f"state file {self.name} is truncated: {what} needs {n} bytes at offset "
                f"{self.pos}, the file has {len(self.data)}"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def decode_binary(raw: bytes, name: str, vm: MipsVM) -> None:
    r = _Reader(raw, name)
    version = r.take(1, "the version byte")[0]
    if version != STATE_VERSION_SINGLETHREADED_2:
        raise InvalidState(
            f"state file {name} has state version {version}; this VM reads singlethreaded-2 "
            f"(version {STATE_VERSION_SINGLETHREADED_2})"
        )
    (count,) = struct.unpack(">I", r.take(4, "the page count"))
    if count > (len(raw) - r.pos) // (PAGE_SIZE + 4):
        raise InvalidState(f"state file {name} is truncated: it claims {count} pages")
    last = -1
    for _ in range(count):
        (index,) = struct.unpack(">I", r.take(4, "a page index"))
        if index >= 1 << 20 or index <= last:
            raise InvalidState(f"state file {name}: page index {index} out of order or range")
        last = index
        vm.memory.set_page(index, r.take(PAGE_SIZE, f"page {index}"))
    fields = _FIELDS.unpack(r.take(_FIELDS.size, "the CPU fields"))
    key, offset, pc, next_pc, lo, hi, heap, exit_code, exited, step, *registers = fields
    _set_fields(
        vm, name, key, offset, pc, next_pc, lo, hi, heap, exit_code, exited, step, registers
    )
    (hint_len,) = struct.unpack(">I", r.take(4, "the lastHint length"))
    vm.last_hint = r.take(hint_len, "lastHint")
    if r.pos != len(raw):
        raise InvalidState(f"state file {name} has {len(raw) - r.pos} unexpected trailing bytes")


def _set_fields(
    vm: MipsVM,
    name: str,
    key: bytes,
    offset: int,
    pc: int,
    next_pc: int,
    lo: int,
    hi: int,
    heap: int,
    exit_code: int,
    exited: int,
    step: int,
    registers: list[int],
) -> None:
    if exited not in (0, 1):
        raise InvalidState(f"state file {name}: exited is {exited}, must be 0 or 1")
    vm.preimage_key_array[:] = list(key)
    c = vm.cpu
    c[CPU_PREIMAGE_OFFSET] = offset
    c[CPU_PC] = pc
    c[CPU_NEXT_PC] = next_pc
    c[CPU_LO] = lo
    c[CPU_HI] = hi
    c[CPU_HEAP] = heap
    c[CPU_EXIT_CODE] = exit_code
    c[CPU_EXITED] = exited
    c[CPU_STEP] = step
    vm.set_registers(registers)


def _u32(doc: dict[str, Any], key: str, name: str, bits: int = 32) -> int:
    value = doc.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise InvalidState(f"state file {name}: {key!r} must be a {bits}-bit unsigned integer")
    return value


def _hex(value: Any, key: str, name: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise InvalidState(f"state file {name}: {key!r} must be a 0x-prefixed hex string")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidState(f"state file {name}: {key!r} is not valid hex") from None


def decode_json(raw: bytes, name: str, vm: MipsVM) -> None:
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidState(f"state file {name} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise InvalidState(f"state file {name} does not hold a JSON object")
    required = ("memory", "preimageKey", "pc", "nextPC", "registers")
    missing = [k for k in required if k not in doc]
    if missing:
        raise InvalidState(f"state file {name} lacks {', '.join(missing)}: not a MIPS32 state")
    pages = doc["memory"] or []
    if not isinstance(pages, list):
        raise InvalidState(f"state file {name}: 'memory' must be a list of pages")
    for page in pages:
        if not isinstance(page, dict) or "index" not in page or "data" not in page:
            raise InvalidState(f"state file {name}: every page needs 'index' and 'data'")
        index = _u32(page, "index", name, 20)
        try:
            data = zlib.decompress(base64.b64decode(page["data"], validate=True))
        except (ValueError, zlib.error, TypeError) as exc:
            raise InvalidState(
                f"state file {name}: page {index} data is not base64(zlib): {exc}"
            ) from None
        if len(data) != PAGE_SIZE:
            raise InvalidState(f"state file {name}: page {index} holds {len(data)} bytes, not 4096")
        vm.memory.set_page(index, data)
    key = _hex(doc["preimageKey"], "preimageKey", name)
    if len(key) != 32:
        raise InvalidState(f"state file {name}: preimageKey must be 32 bytes")
    regs = doc["registers"]
    if not isinstance(regs, list) or len(regs) != 32:
        raise InvalidState(f"state file {name}: 'registers' must be a list of 32 numbers")
    regs_values = [_u32({"r": r}, "r", name) for r in regs]
    exited = doc.get("exited", False)
    if not isinstance(exited, bool):
        raise InvalidState(f"state file {name}: 'exited' must be true or false")
    _set_fields(
        vm,
        name,
        key,
        _u32(doc, "preimageOffset", name) if "preimageOffset" in doc else 0,
        _u32(doc, "pc", name),
        _u32(doc, "nextPC", name),
        _u32(doc, "lo", name) if "lo" in doc else 0,
        _u32(doc, "hi", name) if "hi" in doc else 0,
        _u32(doc, "heap", name) if "heap" in doc else 0,
        _u32(doc, "exit", name, 8) if "exit" in doc else 0,
        int(exited),
        _u32(doc, "step", name, 64) if "step" in doc else 0,
        regs_values,
    )
    hint = doc.get("lastHint")
    vm.last_hint = _hex(hint, "lastHint", name) if hint else b""


def load_state(
    path: Path | str,
    host: PreimageHost | None = None,
    stdout: BinaryIO | None = None,
    stderr: BinaryIO | None = None,
    raw: bytes | None = None,
) -> MipsVM:
    """Read a JSON or binary MIPS32 state file (format from the suffix, as Cannon does).

    ``raw``: the file's bytes if the caller has already read (and gunzipped) them.
    """
    path = Path(path)
    name = str(path)
    if raw is None:
        raw = read_state_bytes(path)
    vm = MipsVM(host=host, stdout=stdout, stderr=stderr)
    if _is_binary(path):
        decode_binary(raw, name, vm)
    else:
        decode_json(raw, name, vm)
    return vm
