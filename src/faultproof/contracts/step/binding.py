"""Typed Python bindings for the step contracts (`MIPS32`, `RISCV64`, `RISCV64C`).

The generic `Contract` binding returns untyped tuples and leaves revert data to the caller. The
dispute tooling and the tests want one thing from a step contract: "what does it say about this
witness?". `StepContract.step` answers with a `StepResult`: the post-state hash, the packed
post-state from the LOG0 (transactions only; ``eth_call`` has no logs), and, on a revert, the
error's name whatever form it took (an emulated custom error, a MIPS.sol require string, or one
of Asterisc's 32-byte revert codes, named after vm/riscv/constants.REVERT_NAMES).

    vm = RISCV64Step.deploy(chain, oracle_address)
    result = vm.step(witness.state, witness.proof, local_context)
    if not result.success:
        print(result.error)          # e.g. "InvalidProofLength" or "0xbadf00d1: memory proof ..."
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from eth_abi.abi import decode

from faultproof.chain.abi import decode_revert
from faultproof.chain.base import Chain
from faultproof.contracts.compiler import Artifact
from faultproof.contracts.step import (
    encode_step,
    mips32_artifact,
    riscv64_artifact,
    riscv64c_artifact,
)
from faultproof.errors import FaultproofError
from faultproof.vm.riscv.constants import REVERT_NAMES as RISCV_REVERT_NAMES

ZERO_CONTEXT = b"\x00" * 32


@dataclass(frozen=True)
class StepResult:
    """The outcome of one on-chain ``step``."""

    success: bool
    #: Post-state hash with the VM status in the top byte (None on revert).
    post_state_hash: bytes | None
    #: The packed post-state witness from the contract's LOG0 (transactions only).
    post_state: bytes | None
    #: Name of the revert: custom error name, require string, or RISC-V code and meaning.
    error: str | None
    #: RISC-V 32-byte revert code as an integer (None for other reverts).
    error_code: int | None
    revert_data: bytes
    gas_used: int


class StepContract:
    """A deployed step contract: ``step``, ``oracle`` and ``version`` with Python types."""

    isa: ClassVar[str]
    witness_size: ClassVar[int]
    proof_size: ClassVar[int]

    def __init__(self, chain: Chain, address: str) -> None:
        self.chain = chain
        self.address = address
        self.abi = self.artifact().abi
        chain.register_abi(address, self.abi, type(self).__name__)

    @staticmethod
    def artifact() -> Artifact:
        raise NotImplementedError

    @classmethod
    def deploy(cls, chain: Chain, oracle: str) -> StepContract:
        """Deploy the contract bound to the PreimageOracle at `oracle`."""
        return cls(chain, chain.deploy(cls.artifact(), oracle))

    def oracle(self) -> str:
        """Address of the PreimageOracle the contract reads (``oracle()``)."""
        out = self.chain.call(self.address, bytes.fromhex("7dc0d1d0"))
        return str(decode(["address"], out.return_data)[0])

    def version(self) -> str:
        out = self.chain.call(self.address, bytes.fromhex("54fd4d50"))
        return str(decode(["string"], out.return_data)[0])

    def step(self, state: bytes, proof: bytes, local_context: bytes = ZERO_CONTEXT, *,
             sender: str | None = None, transact: bool = False) -> StepResult:
        """Run ``step(state, proof, local_context)``, as an ``eth_call`` or (`transact`) a
        mined transaction, whose LOG0 then gives `post_state`. `sender` matters for local
        preimage keys: they are localized with the caller (the dispute game)."""
        data = encode_step(state, proof, local_context)
        if transact:
            receipt = self.chain.transact(self.address, data, sender=sender)
        else:
            receipt = self.chain.call(self.address, data, sender=sender)
        if receipt.success:
            logs = [log.data for log in receipt.logs if not log.topics]
            return StepResult(True, receipt.return_data[:32], logs[0] if logs else None, None,
                              None, b"", receipt.gas_used)  # fmt: skip
        error, code = self.name_error(receipt.revert_data)
        return StepResult(False, None, None, error, code, receipt.revert_data, receipt.gas_used)

    def name_error(self, revert_data: bytes) -> tuple[str, int | None]:
        """A readable name for `revert_data` (and the RISC-V code, when it is one)."""
        decoded = decode_revert(revert_data, [self.abi])
        if decoded.name == "Error" and decoded.args:
            return str(decoded.args[0]), None
        if decoded.name:
            return decoded.name, None
        if not revert_data:
            return "revert without data", None
        return "0x" + revert_data.hex(), None


class MIPS32Step(StepContract):
    """Cannon's MIPS.sol (single-threaded MIPS32) as `MIPS32.vy`."""

    isa = "mips32"
    witness_size = 226
    proof_size = 896

    @staticmethod
    def artifact() -> Artifact:
        return mips32_artifact()


class RISCV64Step(StepContract):
    """Asterisc's RISCV.sol (RV64IMA) as `RISCV64.vy`; reverts carry 32-byte codes."""

    isa = "riscv64"
    witness_size = 362
    proof_size = 1920

    @staticmethod
    def artifact() -> Artifact:
        return riscv64_artifact()

    def name_error(self, revert_data: bytes) -> tuple[str, int | None]:
        if len(revert_data) == 32:
            code = int.from_bytes(revert_data, "big")
            meaning = RISCV_REVERT_NAMES.get(code, "unknown revert code")
            return f"0x{code:x}: {meaning}", code
        return super().name_error(revert_data)


class RISCV64CStep(RISCV64Step):
    """`RISCV64C.vy`: RV64IMAC, RISCV64 plus 16-bit instructions."""

    isa = "riscv64c"

    @staticmethod
    def artifact() -> Artifact:
        return riscv64c_artifact()


STEP_CONTRACTS: dict[str, type[StepContract]] = {
    cls.isa: cls for cls in (MIPS32Step, RISCV64Step, RISCV64CStep)
}
"""Binding class per ISA name (as registered in `faultproof.vm`)."""


def step_contract(isa: str) -> type[StepContract]:
    """The binding class for ISA `isa` (``mips32``, ``riscv64``, ``riscv64c``)."""
    try:
        return STEP_CONTRACTS[isa]
    except KeyError:
        known = ", ".join(STEP_CONTRACTS)
        raise FaultproofError(f"no step contract for ISA {isa!r}; known: {known}") from None
