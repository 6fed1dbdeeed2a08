"""A tiny deterministic VM for games without a real FPVM (like op-challenger's alphabet VM).

It has just enough structure to exercise every rule of the split game: it bootstraps from
local data (starting output, disputed output, disputed block number), runs a fixed-length
program of a user-supplied transition function, then exits with status VALID when the value
it computed equals the disputed output and INVALID otherwise. Its state hash carries the
status in byte 0, exactly as Cannon and Asterisc do, so `move`'s exec-root status rule and
`step`'s pre-state check behave as they do on chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from faultproof.crypto import keccak256
from faultproof.errors import InvalidState, PreimageNotFound
from faultproof.game.types import VMStatus, with_status
from faultproof.trace.provider import ArrayTraceProvider

Transition = Callable[[bytes, int, int], bytes]
"""`f(value, block_number, step) -> next value`: one instruction of the toy program."""

LOCAL_STARTING_OUTPUT = 2
LOCAL_DISPUTED_OUTPUT = 3
LOCAL_DISPUTED_BLOCK = 4


def default_transition(value: bytes, block: int, step: int) -> bytes:
    """Hash-chain the value with the block and step, so every step changes the state."""
    return keccak256(value + block.to_bytes(8, "big") + step.to_bytes(8, "big"))


STATE_SIZE = 51


def output_block(output_root: bytes) -> int:
    """The block an output root is for: toy output roots start with their block number.

    op-program learns the agreed block from the output root's preimage; embedding the
    number plays that role here. It matters for the clamped part of the output trace,
    where the starting output is already the claimed block and the program must only
    check that the disputed output equals it.
    """
    return int.from_bytes(output_root[:8], "big")


def make_output_root(block: int, digest: bytes) -> bytes:
    """A toy output root: the block number, then 24 bytes of `digest`."""
    return block.to_bytes(8, "big") + digest[8:]


@dataclass(frozen=True)
class ToyState:
    """The whole machine state: step counter, block number, one 32-byte register, exit info."""

    step: int = 0
    block: int = 0
    value: bytes = bytes(32)
    exited: bool = False
    exit_code: int = 0
    bypass: bool = False
    """The starting output is already at (or past) the disputed block: nothing to run."""

    def encode(self) -> bytes:
        return (
            self.step.to_bytes(8, "big")
            + self.block.to_bytes(8, "big")
            + self.value
            + bytes([int(self.exited), self.exit_code, int(self.bypass)])
        )

    @classmethod
    def decode(cls, data: bytes) -> ToyState:
        if len(data) != STATE_SIZE:
            raise InvalidState(f"toy VM state is {STATE_SIZE} bytes, got {len(data)}")
        return cls(
            step=int.from_bytes(data[0:8], "big"),
            block=int.from_bytes(data[8:16], "big"),
            value=data[16:48],
            exited=bool(data[48]),
            exit_code=data[49],
            bypass=bool(data[50]),
        )

    def status(self) -> VMStatus:
        if not self.exited:
            return VMStatus.UNFINISHED
        return {0: VMStatus.VALID, 1: VMStatus.INVALID}.get(self.exit_code, VMStatus.PANIC)


def state_hash(encoded: bytes) -> bytes:
    """keccak of the state with the VM status in byte 0."""
    return with_status(keccak256(encoded), ToyState.decode(encoded).status())


@dataclass(frozen=True)
class LocalInputs:
    """The bootstrap words a sub-game gives the program (local ids 2, 3, 4)."""

    starting_output: bytes
    disputed_output: bytes
    disputed_block: int


class LocalOracle:
    """A stand-in PreimageOracle for local data: words stored per (local context, ident)."""

    def __init__(self) -> None:
        self.words: dict[tuple[bytes, int], bytes] = {}

    def load_local_data(
        self, ident: int, local_context: bytes, word: bytes, size: int, part_offset: int
    ) -> bytes:
        self.words[(local_context, ident)] = word
        return keccak256(ident.to_bytes(32, "big") + local_context)

    def read(self, local_context: bytes, ident: int) -> bytes:
        try:
            return self.words[(local_context, ident)]
        except KeyError:
            raise PreimageNotFound(
                f"local data {ident} not loaded for context {local_context.hex()}; "
                "call add_local_data before step"
            ) from None


class ToyVM:
    """The program: bootstrap, `program_length` transitions, exit with the verdict."""

    def __init__(
        self, program_length: int = 8, transition: Transition = default_transition
    ) -> None:
        if program_length < 1:
            raise ValueError("program_length must be at least 1")
        self.program_length = program_length
        self.transition = transition
        self.oracle = LocalOracle()
        self.absolute_prestate = ToyState().encode()

    # -- semantics ---------------------------------------------------------------------

    def run_step(self, state: ToyState, inputs: LocalInputs) -> ToyState:
        """One instruction. Exited states never change (the FPVM no-op rule)."""
        if state.exited:
            return state
        if state.step == 0:
            bypass = output_block(inputs.starting_output) >= inputs.disputed_block
            nxt = ToyState(
                step=1, block=inputs.disputed_block, value=inputs.starting_output, bypass=bypass
            )
        elif state.bypass:
            nxt = replace(state, step=state.step + 1)
        else:
            value = self.transition(state.value, state.block, state.step)
            if state.step == self.program_length:
                value = make_output_root(state.block, value)
            nxt = replace(state, step=state.step + 1, value=value)
        if nxt.step == self.program_length + 1:
            verdict = 0 if nxt.value == inputs.disputed_output else 1
            nxt = replace(nxt, exited=True, exit_code=verdict)
        return nxt

    def step(self, state_data: bytes, proof: bytes, local_context: bytes) -> bytes:
        """The on-chain verifier (`IBigStepper.step`): post-state hash of one instruction."""
        inputs = LocalInputs(
            starting_output=self.oracle.read(local_context, LOCAL_STARTING_OUTPUT),
            disputed_output=self.oracle.read(local_context, LOCAL_DISPUTED_OUTPUT),
            disputed_block=int.from_bytes(
                self.oracle.read(local_context, LOCAL_DISPUTED_BLOCK)[:8], "big"
            ),
        )
        return state_hash(self.run_step(ToyState.decode(state_data), inputs).encode())

    def final_value(self, starting_output: bytes, block: int) -> bytes:
        """What the program computes from `starting_output` for `block`: the honest output."""
        if output_block(starting_output) >= block:
            return starting_output
        value = starting_output
        for step in range(1, self.program_length + 1):
            value = self.transition(value, block, step)
        return make_output_root(block, value)

    # -- traces --------------------------------------------------------------------------

    def trace(self, inputs: LocalInputs) -> list[bytes]:
        """Encoded states S_1..S_exit: trace index i commits to `trace[i]`."""
        states = []
        state = ToyState()
        while not state.exited:
            state = self.run_step(state, inputs)
            states.append(state.encode())
        return states

    def provider(self, inputs: LocalInputs, depth: int) -> ArrayTraceProvider:
        """An honest execution trace provider for one sub-game.

        The sub-game root claims the state at its last leaf, so the program must have
        exited by then, or that claim would carry status UNFINISHED and the contract's
        exec-root status rule could not be met.
        """
        states = self.trace(inputs)
        if len(states) > 1 << depth:
            raise InvalidState(
                f"program needs {len(states)} steps but a sub-game of depth {depth} has "
                f"{1 << depth} leaves"
            )
        return ArrayTraceProvider(states, depth, self.absolute_prestate, commit=state_hash)


class OutputChain:
    """Honest output roots: block b's output is the toy program run on block b-1's output."""

    def __init__(self, vm: ToyVM, anchor_root: bytes, anchor_block: int) -> None:
        self.vm = vm
        self.anchor_root = anchor_root
        self.anchor_block = anchor_block
        self._outputs: dict[int, bytes] = {anchor_block: anchor_root}

    def output_at(self, block: int) -> bytes:
        """The honest output root at `block`, computing (and remembering) the chain up to it."""
        if block in self._outputs:
            return self._outputs[block]
        if block < self.anchor_block:
            raise InvalidState(f"block {block} is before the anchor {self.anchor_block}")
        top = max(b for b in self._outputs if b <= block)
        for b in range(top + 1, block + 1):
            self._outputs[b] = self.vm.final_value(self._outputs[b - 1], b)
        return self._outputs[block]
