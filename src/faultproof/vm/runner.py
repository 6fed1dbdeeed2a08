"""The ``run`` loop: Cannon's per-step order of info log, stop, snapshot and proof (spec §6.4).

The VM runs in large chunks between the steps any pattern selects, so a long run costs no Python per
instruction; only the selected steps go through the single-step path.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faultproof.errors import FaultproofError
from faultproof.fileio import write_atomic
from faultproof.vm.patterns import StepPattern
from faultproof.vm.preimage_stop import PreimageStop, PreimageWatch
from faultproof.vm.progress import RunProgress
from faultproof.vm.proofjson import proof_document, write_json

CHUNK = 1 << 24


@dataclass
class RunConfig:
    output: str = "out.json"
    proof_at: str = "never"
    proof_fmt: str = "proof-%d.json"
    snapshot_at: str = "never"
    snapshot_fmt: str = "state-%d.json"
    stop_at: str = "never"
    info_at: str = "%100000"
    meta: str = ""
    debug_info: str = ""
    stop_at_preimage: str = ""
    """``<hex key prefix>[@offset]``: stop after the step that reads that key (at that offset)."""
    stop_at_preimage_type: str = ""
    """``local|keccak|sha256|blob|precompile|any``: stop after the first read of such a key."""
    stop_at_preimage_larger_than: int = 0
    """Stop after the first read of a preimage longer than this many bytes (0: off)."""
    #: Live progress line on stderr: None = only when stderr is a terminal.
    progress: bool | None = None
    log_format: str = "json"
    """``json``: one JSON object per info line; ``text``: Cannon's logfmt (``--log.format``)."""


LOG_FORMATS = ("json", "text")


def _fmt(pattern: str, step: int) -> str:
    return pattern.replace("%d", str(step)) if "%d" in pattern else pattern


def run_vm(vm: Any, cfg: RunConfig, save_state: Callable[[Any, str], None]) -> None:
    """Run ``vm`` to exit (or ``--stop-at``), writing proofs, snapshots, info lines and the final state."""
    proof_at = StepPattern.parse(cfg.proof_at)
    snapshot_at = StepPattern.parse(cfg.snapshot_at)
    stop_at = StepPattern.parse(cfg.stop_at)
    info_at = StepPattern.parse(cfg.info_at)
    _check_names(proof_at, cfg.proof_fmt, "--proof-at", "--proof-fmt")
    _check_names(snapshot_at, cfg.snapshot_fmt, "--snapshot-at", "--snapshot-fmt")
    if cfg.log_format not in LOG_FORMATS:
        raise FaultproofError(f"--log.format {cfg.log_format!r}: use text or json")
    preimage_stop = PreimageStop.parse(
        cfg.stop_at_preimage, cfg.stop_at_preimage_type, cfg.stop_at_preimage_larger_than
    )
    symbols = _load_meta(cfg.meta)
    start_time = time.monotonic()
    start_step = vm.step_count
    last_info = (start_time, start_step)

    with RunProgress(cfg.progress, symbols) as progress:
        chunk = progress.chunk_limit or CHUNK
        watch = PreimageWatch(vm, preimage_stop) if preimage_stop is not None else None
        while not vm.exited:
            step = vm.step_count
            if info_at.matches(step):
                last_info = _info(vm, symbols, last_info, cfg.log_format)
            if stop_at.matches(step):
                break
            if snapshot_at.matches(step):
                save_state(vm, _fmt(cfg.snapshot_fmt, step))
            if watch is not None:
                watch.before_step()
            if proof_at.matches(step):
                w = vm.step(proof=True)
                write_json(_fmt(cfg.proof_fmt, step), proof_document(w, vm.state_hash()))
            elif watch is not None and watch.single_step:
                vm.run(max_steps=1)
            else:
                # Run straight to the next step any pattern cares about.
                targets = [
                    p.next_match(step + 1) for p in (proof_at, snapshot_at, stop_at, info_at)
                ]
                nxt = min([t for t in targets if t is not None], default=step + chunk)
                vm.run(max_steps=max(1, min(nxt - step, chunk)))
                progress.update(vm)
            if watch is not None and watch.after_step():
                break

    elapsed = max(time.monotonic() - start_time, 1e-9)
    executed = vm.step_count - start_step
    done = {
        "step": vm.step_count,
        "exited": vm.exited,
        "exit_code": vm.exit_code,
        "ips": round(executed / elapsed),
    }
    _log("done", done, cfg.log_format)
    if cfg.output:
        save_state(vm, cfg.output)
    if cfg.debug_info:
        info = vm.debug_info() if hasattr(vm, "debug_info") else {}
        write_atomic(cfg.debug_info, json.dumps(info))


def _check_names(pattern: StepPattern, fmt: str, at_flag: str, fmt_flag: str) -> None:
    """Refuse a file name without ``%d`` for a pattern that matches more than one step: every
    file would overwrite the previous one and only the last would survive (Cannon's names carry
    the step for this reason)."""
    if pattern.kind in ("always", "every") and "%d" not in fmt and fmt != "-":
        raise FaultproofError(
            f"{fmt_flag} {fmt!r} has no %d, but {at_flag} selects more than one step: each file "
            f"would replace the last; put %d (the step) in the name, e.g. {fmt_flag} "
            f"'{_with_step(fmt)}'"
        )


def _with_step(fmt: str) -> str:
    name = Path(fmt)
    stem, suffix = name.name, ""
    for ext in (".json.gz", ".bin.gz", ".json", ".bin"):
        if stem.endswith(ext):
            stem, suffix = stem[: -len(ext)], ext
            break
    return str(name.with_name(f"{stem}-%d{suffix}"))


def _load_meta(path: str) -> Any:
    """Symbols from ``--meta``; the CLI passes "" for a default meta.json that does not exist,
    so a file the user named and that is missing is an error, as in Cannon."""
    if not path:
        return None
    from faultproof.vm.meta import Metadata

    return Metadata.load(Path(path))


def _info(vm: Any, symbols: Any, last: tuple[float, int], log_format: str) -> tuple[float, int]:
    now = time.monotonic()
    dt = max(now - last[0], 1e-9)
    ips = (vm.step_count - last[1]) / dt
    doc: dict[str, Any] = {"step": vm.step_count, "pc": f"0x{vm.pc:08x}", "ips": round(ips)}
    if hasattr(vm, "page_count"):
        doc["pages"] = vm.page_count
        doc["mem"] = f"{vm.page_count * 4096 / (1 << 20):.1f} MiB"
    if symbols is not None:
        doc["symbol"] = symbols.lookup(vm.pc)
    _log("processing", doc, log_format)
    return (now, vm.step_count)


def _log(msg: str, fields: dict[str, Any], log_format: str) -> None:
    """One log line on stderr: JSON (``msg`` only on the final line, as before), or Cannon's
    logfmt ``t=... lvl=info msg=processing step=... pc=... name=...`` for ``text``."""
    if log_format == "json":
        doc = {"msg": msg, **fields} if msg == "done" else fields
        print(json.dumps(doc), file=sys.stderr)
        return
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    parts = [f"t={stamp}", "lvl=info", f"msg={_logfmt(msg)}"]
    for key, value in fields.items():
        parts.append(f"{'name' if key == 'symbol' else key}={_logfmt(value)}")
    print(" ".join(parts), file=sys.stderr)


def _logfmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text and not any(c in text for c in ' "=\\') and text.isprintable():
        return text
    return json.dumps(text)
