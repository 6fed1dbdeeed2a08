"""Trace provider interfaces (spec digest §6.3) and a provider over an array of states.

A trace provider answers two questions for one party about one bisection tree: "what do you
claim at this position?" (`get`) and "what do you need to prove the step at this position
on chain?" (`get_step_data`). The honest solver never looks at anything else, which keeps it
independent of the VM, of output roots, and of whether the game is split.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.game.position import Position


class TraceError(FaultproofError):
    """A provider was asked for something it cannot answer."""


class StepUnsupported(TraceError):
    """Output-root (top) traces have no single-step proof; only execution traces do."""


@dataclass(frozen=True)
class PreimageOracleData:
    """Oracle data a step needs loaded first (`PreimageOracleData` in op-challenger)."""

    is_local: bool
    oracle_key: bytes
    oracle_data: bytes
    oracle_offset: int

    @property
    def ident(self) -> int:
        """For local keys, the local data id (key bytes 1..31 as an integer)."""
        return int.from_bytes(self.oracle_key[1:], "big")


@dataclass(frozen=True)
class StepData:
    """Everything a `step` call needs: the pre-state preimage, the VM proof, oracle data."""

    prestate: bytes
    proof: bytes
    oracle_data: PreimageOracleData | None = None


@runtime_checkable
class TraceProvider(Protocol):
    """One party's view of one bisection tree of `depth` levels below its root.

    Positions are relative to that tree (the root is gindex 1). A claim at trace index i
    commits to the state after i+1 steps; the absolute prestate is the state before step 0.
    """

    depth: int

    def get(self, position: Position) -> bytes: ...

    def get_step_data(self, position: Position) -> StepData: ...

    def get_step_data_at(self, trace_index: int) -> StepData:
        """Step data for the step that starts at trace index `trace_index`.

        Exists because a defend step on the right-most leaf needs the state one past the
        tree's last leaf, which no position of the tree names.
        """
        ...

    def absolute_prestate(self) -> bytes: ...

    def absolute_prestate_commitment(self) -> bytes: ...


Commit = Callable[[bytes], bytes]
"""Turns a state preimage into the bytes32 claim about it (e.g. a status-tagged keccak)."""


class ArrayTraceProvider:
    """A trace given as states (or a function index -> state) with a commitment function.

    `states[i]` is the state after step i, i.e. what trace index i commits to. Indices past
    the end repeat the last state: an exited program stays exited, and op-challenger serves
    traces the same way, so every leaf of a deep tree has a defined value.
    """

    def __init__(
        self,
        states: Sequence[bytes] | Callable[[int], bytes],
        depth: int,
        absolute_prestate: bytes,
        length: int | None = None,
        commit: Commit = keccak256,
        proof: Callable[[int], StepData] | None = None,
    ) -> None:
        if callable(states):
            if length is None:
                raise TraceError("a callable trace needs an explicit length")
            self._state_at: Callable[[int], bytes] = states
        else:
            length = len(states) if length is None else length
            seq = states
            self._state_at = lambda i: seq[i]
        if length < 1:
            raise TraceError("a trace needs at least one state")
        self.length = length
        self.depth = depth
        self._prestate = absolute_prestate
        self._commit = commit
        self._proof = proof
        self._commitments: dict[int, bytes] = {}

    def state(self, trace_index: int) -> bytes:
        """The state trace index `trace_index` commits to, clamped to the last state."""
        if trace_index < 0:
            raise TraceError(f"negative trace index {trace_index}")
        return self._state_at(min(trace_index, self.length - 1))

    def get(self, position: Position) -> bytes:
        index = min(position.trace_index(self.depth), self.length - 1)
        commitment = self._commitments.get(index)
        if commitment is None:
            commitment = self._commit(self.state(index))
            self._commitments[index] = commitment
        return commitment

    def get_step_data(self, position: Position) -> StepData:
        if position.depth != self.depth:
            raise TraceError(f"step data needs a leaf at depth {self.depth}, got {position}")
        return self.get_step_data_at(position.trace_index(self.depth))

    def get_step_data_at(self, trace_index: int) -> StepData:
        """Pre-state of step `trace_index`: the state before it, or the absolute prestate."""
        if self._proof is not None:
            return self._proof(trace_index)
        prestate = self._prestate if trace_index == 0 else self.state(trace_index - 1)
        return StepData(prestate=prestate, proof=b"")

    def absolute_prestate(self) -> bytes:
        return self._prestate

    def absolute_prestate_commitment(self) -> bytes:
        return self._commit(self._prestate)


class OutputTraceProvider:
    """The top (output-root) half of a split game (`trace/outputs/provider.go`).

    A leaf at trace index j claims the output root of block `prestate_block + j + 1`, with
    blocks past the claimed one clamped to it (both sides clamp the same way).
    """

    def __init__(
        self,
        output_at_block: Callable[[int], bytes],
        prestate_block: int,
        poststate_block: int,
        depth: int,
    ) -> None:
        self.output_at_block = output_at_block
        self.prestate_block = prestate_block
        self.poststate_block = poststate_block
        self.depth = depth

    def claimed_block_number(self, position: Position) -> int:
        return min(position.trace_index(self.depth) + self.prestate_block + 1, self.poststate_block)

    def get(self, position: Position) -> bytes:
        return self.output_at_block(self.claimed_block_number(position))

    def get_step_data(self, position: Position) -> StepData:
        raise StepUnsupported("output-root traces cannot be stepped")

    def get_step_data_at(self, trace_index: int) -> StepData:
        raise StepUnsupported("output-root traces cannot be stepped")

    def absolute_prestate(self) -> bytes:
        raise StepUnsupported("output-root traces have no absolute prestate")

    def absolute_prestate_commitment(self) -> bytes:
        return self.output_at_block(self.prestate_block)
