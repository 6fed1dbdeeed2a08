"""op-challenger's cannon trace provider for the rollup program, and the proposer's output source.

Above the split depth a game commits to output roots: they come from the L2 node
(``optimism_outputAtBlock``). Below it, each execution subgame runs the rollup program
(`guest/rollup/`, its config compiled in) in the game's VM with `faultproof.rollup.host`
pointed at both nodes and the subgame's boot info: the game's L1 head, the agreed output (the
subgame's pre output) and the disputed one.

Running the program is the slow part, so each game gets a folder (``<cache>/<game address>/``)
with one subfolder per subgame holding what was learnt: ``meta.json`` (final step, claims
answered), VM snapshots (``snap-<step>.bin.gz``) and step proofs (``proof-<index>.json``), all
written atomically. A restarted challenger answers from them and resumes a run from the
newest snapshot instead of step 0, as op-challenger's per-game ``proofs``/``snapshots`` dirs.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from faultproof.agents.onchain import GameParams
from faultproof.contracts import Contract
from faultproof.errors import FaultproofError
from faultproof.evm.rpc_host import JsonRpc
from faultproof.fileio import write_atomic
from faultproof.preimage.store import MemoryStore
from faultproof.rollup.config import RollupConfig, load_config
from faultproof.rollup.host import RollupBoot, output_root, rollup_host
from faultproof.trace.executor import ExecutorTraceProvider
from faultproof.trace.provider import (
    OutputTraceProvider,
    PreimageOracleData,
    StepData,
    TraceProvider,
)
from faultproof.trace.split import OutputClaimRef, SplitTraceProvider
from faultproof.vm import FPVM, ISA

DISK_SNAPSHOT_INTERVAL = 1 << 20
"""Steps between snapshots kept on disk (in memory: the executor's checkpoint interval)."""


def _step_data_json(data: StepData) -> dict[str, Any]:
    doc: dict[str, Any] = {"prestate": data.prestate.hex(), "proof": data.proof.hex()}
    if data.oracle_data is not None:
        o = data.oracle_data
        doc["oracle"] = {
            "is_local": o.is_local,
            "key": o.oracle_key.hex(),
            "data": o.oracle_data.hex(),
            "offset": o.oracle_offset,
        }
    return doc


def _step_data_from(doc: dict[str, Any]) -> StepData:
    oracle = None
    if doc.get("oracle"):
        o = doc["oracle"]
        oracle = PreimageOracleData(
            is_local=bool(o["is_local"]),
            oracle_key=bytes.fromhex(o["key"]),
            oracle_data=bytes.fromhex(o["data"]),
            oracle_offset=int(o["offset"]),
        )
    return StepData(bytes.fromhex(doc["prestate"]), bytes.fromhex(doc["proof"]), oracle)


class CachedExecutor(ExecutorTraceProvider):
    """An `ExecutorTraceProvider` whose answers, final step and snapshots outlive the process.

    ``load_state`` turns a saved snapshot back into a VM (with a host attached, since the run
    may read preimages after it). ``steps_run`` counts the VM steps this object executed, so
    tests can see that a restarted provider answered without running.
    """

    def __init__(
        self,
        make_vm: Callable[[], FPVM],
        load_state: Callable[[Path], FPVM],
        depth: int,
        folder: Path,
        *,
        checkpoint_interval: int = 1 << 16,
        disk_interval: int = DISK_SNAPSHOT_INTERVAL,
        max_steps: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(make_vm, depth, checkpoint_interval, max_steps)
        self.progress = progress
        """Called with the VM's step count after every checkpoint interval of a run."""
        self.folder = folder
        self.disk_interval = disk_interval
        self._load_state = load_state
        self.steps_run = 0
        self._meta_path = folder / "meta.json"
        self._claims: dict[int, str] = {}
        self._disk_steps: list[int] = []
        self._load_meta()

    # -- the folder
    def _load_meta(self) -> None:
        try:
            doc = json.loads(self._meta_path.read_text())
        except (OSError, ValueError):
            doc = {}
        if doc.get("prestate_hash") not in (None, self._prestate_hash.hex()):
            doc = {}  # another program: nothing here is ours
        if isinstance(doc.get("final_step"), int):
            self._final_step = doc["final_step"]
        self._claims = {int(k): str(v) for k, v in (doc.get("claims") or {}).items()}
        if self.folder.is_dir() and doc:
            for path in self.folder.glob("snap-*.bin.gz"):
                step = path.name[5:-7]
                if step.isdigit():
                    bisect.insort(self._disk_steps, int(step))

    def _save_meta(self) -> None:
        doc = {
            "prestate_hash": self._prestate_hash.hex(),
            "final_step": self._final_step,
            "claims": {str(k): v for k, v in sorted(self._claims.items())},
        }
        write_atomic(self._meta_path, json.dumps(doc, indent=1))

    def _snap_path(self, step: int) -> Path:
        return self.folder / f"snap-{step}.bin.gz"

    # -- running
    def _vm_at(self, step: int) -> FPVM:
        i = bisect.bisect_right(self._checkpoints, step) - 1
        base = self._checkpoints[i]
        j = bisect.bisect_right(self._disk_steps, step) - 1
        if j >= 0 and self._disk_steps[j] > base:
            disk = self._disk_steps[j]
            vm = self._load_state(self._snap_path(disk))
            bisect.insort(self._checkpoints, disk)
            self._snapshots[disk] = vm.snapshot()
        final_before = self._final_step
        vm = self._run_to(step)
        if self._final_step != final_before:
            self._save_meta()
        return vm

    def _run_to(self, step: int) -> FPVM:
        i = bisect.bisect_right(self._checkpoints, step) - 1
        vm = self._snapshots[self._checkpoints[i]].snapshot()
        while vm.step_count < step and not vm.exited:
            next_cp = (vm.step_count // self.interval + 1) * self.interval
            target = min(step, next_cp)
            start = vm.step_count
            vm.run(max_steps=target - vm.step_count)
            self.steps_run += vm.step_count - start
            if self.progress is not None:
                self.progress(int(vm.step_count))
            if vm.step_count == next_cp and next_cp not in self._snapshots:
                bisect.insort(self._checkpoints, next_cp)
                self._snapshots[next_cp] = vm.snapshot()
                if next_cp % self.disk_interval == 0 and next_cp not in self._disk_steps:
                    vm.save(self._snap_path(next_cp))
                    bisect.insort(self._disk_steps, next_cp)
        if vm.exited and (self._final_step is None or vm.step_count < self._final_step):
            self._final_step = vm.step_count
        return vm

    # -- answers, cached
    def state_hash_at(self, trace_index: int) -> bytes:
        final = self._final_step
        if final is not None and final > 0:
            trace_index = min(trace_index, final - 1)  # past the exit: the final state
        known = self._claims.get(trace_index)
        if known is not None:
            return bytes.fromhex(known)
        value = super().state_hash_at(trace_index)
        self._claims[trace_index] = value.hex()
        self._save_meta()
        return value

    def get_step_data_at(self, trace_index: int) -> StepData:
        path = self.folder / f"proof-{trace_index}.json"
        try:
            return _step_data_from(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError):
            pass
        data = super().get_step_data_at(trace_index)
        write_atomic(path, json.dumps(_step_data_json(data)))
        return data


def subgame_key(agreed: bytes, disputed: bytes, block: int, l1_head: bytes) -> str:
    """The folder name of one execution subgame (same inputs, same trace)."""
    raw = agreed + disputed + block.to_bytes(8, "big") + l1_head
    return f"block-{block}-{hashlib.sha256(raw).hexdigest()[:16]}"


class RollupOutputs:
    """The proposer's `OutputSource` from the L2 node: its safe head and output roots."""

    def __init__(self, l2: JsonRpc | str, lie: Callable[[int, bytes], bytes] | None = None) -> None:
        self.rpc = l2 if isinstance(l2, JsonRpc) else JsonRpc(l2)
        self.lie = lie

    def safe_head(self) -> int:
        status = self.rpc.call("optimism_syncStatus", [])
        return int(str(status["safe_l2"]["number"]), 0)

    def output_root(self, block: int) -> bytes:
        real = output_root(self.rpc, block)
        return real if self.lie is None else self.lie(block, real)


class RollupTraceSource:
    """The challenger's `TraceSource` for games about this rollup.

    ``elf`` is the rollup program built for ``isa`` with the rollup's config; ``cache`` the
    folder of per-game caches (None: memory only). ``wrap`` lets a dishonest player replace the
    execution trace of each subgame (tests and the demo's liar).
    """

    def __init__(
        self,
        l1: JsonRpc | str,
        l2: JsonRpc | str,
        isa: ISA,
        elf: Path,
        cache: Path | None = None,
        *,
        outputs: Callable[[int], bytes] | None = None,
        wrap: Callable[[ExecutorTraceProvider], TraceProvider] | None = None,
        checkpoint_interval: int = 1 << 16,
        disk_interval: int = DISK_SNAPSHOT_INTERVAL,
    ) -> None:
        self.l1 = l1 if isinstance(l1, JsonRpc) else JsonRpc(l1)
        self.l2 = l2 if isinstance(l2, JsonRpc) else JsonRpc(l2)
        self.isa = isa
        self.elf = elf
        self.cache = cache
        self.outputs = outputs or (lambda n: output_root(self.l2, n))
        self.wrap = wrap
        self.checkpoint_interval = checkpoint_interval
        self.disk_interval = disk_interval
        self.absolute_prestate = isa.load_elf(elf).state_hash()
        self.chain_id = int(str(self.l2.call("eth_chainId", [])), 16)
        self.executors: list[ExecutorTraceProvider] = []
        self.on_run: Callable[[str], None] | None = None
        self.progress: Callable[[int], None] | None = None
        """Passed to each cached executor: the step count during program runs."""

    def fresh(self) -> RollupTraceSource:
        """The same source with nothing in memory (what a restarted challenger has); its
        executors are listed in this one's ``executors`` too (for statistics)."""
        twin = RollupTraceSource(
            self.l1,
            self.l2,
            self.isa,
            self.elf,
            self.cache,
            outputs=self.outputs,
            wrap=self.wrap,
            checkpoint_interval=self.checkpoint_interval,
            disk_interval=self.disk_interval,
        )
        twin.executors = self.executors
        twin.on_run = self.on_run
        twin.progress = self.progress
        return twin

    def executor(
        self,
        boot: RollupBoot,
        depth: int,
        folder: Path | None,
    ) -> ExecutorTraceProvider:
        """The program's trace for one subgame (cached in ``folder`` when given)."""
        store = MemoryStore()

        def host() -> Any:
            return rollup_host(self.l1, self.l2, boot, store)

        def make_vm() -> FPVM:
            return self.isa.load_elf(self.elf, host=host())

        if folder is None:
            return ExecutorTraceProvider(make_vm, depth, self.checkpoint_interval)

        def load(path: Path) -> FPVM:
            return self.isa.load_state(path, host=host())

        return CachedExecutor(
            make_vm,
            load,
            depth,
            folder,
            checkpoint_interval=self.checkpoint_interval,
            disk_interval=self.disk_interval,
            progress=self.progress,
        )

    def accessor(self, game: Contract, params: GameParams) -> SplitTraceProvider | None:
        if params.absolute_prestate != self.absolute_prestate:
            return None  # another program (or config): not ours to judge
        anchor = params.starting_output
        try:
            if anchor.root != self.outputs(anchor.l2_block_number):
                return None  # an anchor our node never had
        except Exception:
            return None
        l1_head = bytes(game.call("l1Head"))
        split = params.split_depth
        bottom_depth = params.max_game_depth - split - 1
        claimed_block = params.l2_block_number
        top = OutputTraceProvider(self.outputs, anchor.l2_block_number, claimed_block, split)
        game_folder = None if self.cache is None else self.cache / str(game.address).lower()

        def block_of(ref: OutputClaimRef) -> int:
            return min(anchor.l2_block_number + ref.position.trace_index(split) + 1, claimed_block)

        def bottom(pre: OutputClaimRef | None, post: OutputClaimRef) -> TraceProvider:
            agreed_block = anchor.l2_block_number if pre is None else block_of(pre)
            agreed = anchor.root if pre is None else pre.claim
            block = block_of(post)
            boot = RollupBoot(l1_head, agreed, post.claim, block, self.chain_id, agreed_block)
            folder = None
            if game_folder is not None:
                folder = game_folder / subgame_key(agreed, post.claim, block, l1_head)
            if self.on_run is not None:
                self.on_run(f"block {block} (agreed {agreed_block})")
            real = self.executor(boot, bottom_depth, folder)
            self.executors.append(real)
            return real if self.wrap is None else self.wrap(real)

        return SplitTraceProvider(top, split, bottom)


class TraceSourceError(FaultproofError):
    """A ``--traces-arg`` of the rollup trace source cannot be used."""


def program_config_json(config: RollupConfig) -> bytes:
    """The config bytes compiled into the program: the node's own form
    (``json.dumps(config.to_json())``), whatever layout the file on disk has (`save_config`
    sorts and indents), so the challenger's program has the deployed absolute prestate."""
    return json.dumps(config.to_json()).encode()


def challenger_traces(
    chain: object, l2: str, config: str, isa: str = "mips32", l1: str = "", cache: str = ""
) -> RollupTraceSource:
    """``faultproof challenger --traces faultproof.rollup.traces:challenger_traces
    --traces-arg l2=URL --traces-arg config=rollup.json [--traces-arg isa=riscv64]
    [--traces-arg cache=DIR]``: the L1 is the challenger's own chain unless ``l1=URL``; the
    program is built from the rollup config file (its absolute prestate commits to it)."""
    from faultproof.errors import UnknownISA
    from faultproof.guests import rollup_program_elf
    from faultproof.vm import get_isa

    l1_url = l1 or str(getattr(chain, "url", ""))
    if not l1_url:
        raise TraceSourceError("the rollup trace source needs an L1 JSON-RPC node: pass l1=URL")
    try:
        vm = get_isa(isa)
    except UnknownISA as exc:
        raise TraceSourceError(f"--traces-arg isa={isa}: {exc}") from None
    elf = rollup_program_elf(program_config_json(load_config(config)), vm.name)
    return RollupTraceSource(l1_url, l2, vm, elf, Path(cache) if cache else None)


def proposer_outputs(chain: object, l2: str) -> RollupOutputs:
    """``faultproof proposer --outputs faultproof.rollup.traces:proposer_outputs
    --outputs-arg l2=URL``: the L2 node's safe head and output roots."""
    return RollupOutputs(l2)


__all__ = [
    "CachedExecutor",
    "RollupOutputs",
    "RollupTraceSource",
    "TraceSourceError",
    "challenger_traces",
    "program_config_json",
    "proposer_outputs",
    "subgame_key",
]
