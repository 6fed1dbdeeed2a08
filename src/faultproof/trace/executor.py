"""The execution trace of a program in an FPVM, as a trace provider (op-challenger's VM provider).

Trace index i commits to the state hash after i+1 steps; the absolute prestate is the state before
step 0. After the program exits, every later index repeats the final state (an exited state steps to
itself, and its witness needs no memory proof). The provider keeps VM snapshots every
``checkpoint_interval`` steps, so answering a bisection (indices that get closer and closer) replays
at most one interval per question.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from faultproof.game.position import Position
from faultproof.preimage.keys import KeyType, key_type
from faultproof.trace.provider import PreimageOracleData, StepData, TraceError
from faultproof.vm.interface import FPVM

DEFAULT_CHECKPOINT_INTERVAL = 1 << 16


class ExecutorTraceProvider:
    """Answers claims and step data for one program run, from a factory of fresh VMs."""

    def __init__(
        self,
        make_vm: Callable[[], FPVM],
        depth: int,
        checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL,
        max_steps: int | None = None,
    ) -> None:
        self.depth = depth
        self.interval = checkpoint_interval
        self._make_vm = make_vm
        first = make_vm()
        self._prestate = first.encode_witness()
        self._prestate_hash = first.state_hash()
        self._checkpoints: list[int] = [0]
        self._snapshots: dict[int, FPVM] = {0: first.snapshot()}
        self._final_step: int | None = None
        self._max_steps = max_steps if max_steps is not None else 1 << depth

    # -- running the VM to a step ------------------------------------------------------------------

    def _vm_at(self, step: int) -> FPVM:
        """A VM whose next step is ``step`` (or that exited before it)."""
        i = bisect.bisect_right(self._checkpoints, step) - 1
        base = self._checkpoints[i]
        vm = self._snapshots[base].snapshot()
        while vm.step_count < step and not vm.exited:
            next_cp = (vm.step_count // self.interval + 1) * self.interval
            target = min(step, next_cp)
            vm.run(max_steps=target - vm.step_count)
            if vm.step_count == next_cp and next_cp not in self._snapshots:
                bisect.insort(self._checkpoints, next_cp)
                self._snapshots[next_cp] = vm.snapshot()
        if vm.exited and (self._final_step is None or vm.step_count < self._final_step):
            self._final_step = vm.step_count
        return vm

    def final_step(self) -> int:
        """Number of steps until the program exits (runs it to the end once)."""
        if self._final_step is None:
            vm = self._vm_at(self._max_steps)
            if not vm.exited:
                raise TraceError(f"program did not exit within {self._max_steps} steps")
        assert self._final_step is not None
        return self._final_step

    # -- TraceProvider ---------------------------------------------------------------------------

    def state_hash_at(self, trace_index: int) -> bytes:
        """The claim at ``trace_index``: the state hash after ``trace_index + 1`` steps."""
        if trace_index < 0:
            raise TraceError(f"negative trace index {trace_index}")
        return self._vm_at(trace_index + 1).state_hash()

    def get(self, position: Position) -> bytes:
        return self.state_hash_at(position.trace_index(self.depth))

    def get_step_data(self, position: Position) -> StepData:
        if position.depth != self.depth:
            raise TraceError(f"step data needs a leaf at depth {self.depth}, got {position}")
        return self.get_step_data_at(position.trace_index(self.depth))

    def get_step_data_at(self, trace_index: int) -> StepData:
        vm = self._vm_at(trace_index)
        if vm.exited:
            # Past the end: the exited state is its own successor and the contract reads no proof.
            return StepData(prestate=vm.encode_witness(), proof=b"")
        witness = vm.step(proof=True)
        if witness is None:
            raise TraceError(f"VM produced no witness at step {trace_index}")
        oracle = None
        if witness.preimage_key is not None and witness.preimage_value is not None:
            oracle = PreimageOracleData(
                is_local=key_type(witness.preimage_key) == KeyType.LOCAL,
                oracle_key=witness.preimage_key,
                oracle_data=witness.preimage_value,
                oracle_offset=witness.preimage_offset or 0,
            )
        return StepData(prestate=witness.state, proof=witness.proof, oracle_data=oracle)

    def absolute_prestate(self) -> bytes:
        return self._prestate

    def absolute_prestate_commitment(self) -> bytes:
        return self._prestate_hash
