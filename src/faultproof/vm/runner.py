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
from pathlib import Path
from typing import Any

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


def _fmt(pattern: str, step: int) -> str:
    return pattern.replace("%d", str(step)) if "%d" in pattern else pattern


def run_vm(vm: Any, cfg: RunConfig, save_state: Callable[[Any, str], None]) -> None:
    """Run ``vm`` to exit (or ``--stop-at``), writing proofs, snapshots, info lines and the final state."""
    proof_at = StepPattern.parse(cfg.proof_at)
    snapshot_at = StepPattern.parse(cfg.snapshot_at)
    stop_at = StepPattern.parse(cfg.stop_at)
    info_at = StepPattern.parse(cfg.info_at)
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
                last_info = _info(vm, symbols, last_info)
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
    print(
        json.dumps(
            {
                "msg": "done",
                "step": vm.step_count,
                "exited": vm.exited,
                "exit_code": vm.exit_code,
                "ips": round(executed / elapsed),
            }
        ),
        file=sys.stderr,
    )
    if cfg.output:
        save_state(vm, cfg.output)
    if cfg.debug_info:
        info = vm.debug_info() if hasattr(vm, "debug_info") else {}
        Path(cfg.debug_info).write_text(json.dumps(info))


def _load_meta(path: str) -> Any:
    if not path or not Path(path).exists():
        return None
    from faultproof.vm.meta import Metadata

    return Metadata.load(Path(path))


def _info(vm: Any, symbols: Any, last: tuple[float, int]) -> tuple[float, int]:
    now = time.monotonic()
    dt = max(now - last[0], 1e-9)
    ips = (vm.step_count - last[1]) / dt
    doc: dict[str, Any] = {"step": vm.step_count, "pc": f"0x{vm.pc:08x}", "ips": round(ips)}
    if hasattr(vm, "page_count"):
        doc["pages"] = vm.page_count
        doc["mem"] = f"{vm.page_count * 4096 / (1 << 20):.1f} MiB"
    if symbols is not None:
        doc["symbol"] = symbols.lookup(vm.pc)
    print(json.dumps(doc), file=sys.stderr)
    return (now, vm.step_count)
