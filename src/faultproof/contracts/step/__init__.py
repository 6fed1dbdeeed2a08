"""On-chain single-step executors (Vyper) and their Python bindings.

`MIPS32.vy` is ABI-identical to Cannon's MIPS.sol and `RISCV64.vy` to Asterisc's RISCV.sol: both
expose ``step(bytes,bytes,bytes32) -> bytes32`` (selector ``0xe14ced32``) and ``oracle()``. The
helpers here compile and deploy them and build canonical ``step`` calldata, which all three
contracts require (non-canonical ABI offsets revert with named errors, `CALLDATA_ERRORS`).
Typed bindings: `faultproof.contracts.step.binding`.
"""

from __future__ import annotations

from pathlib import Path

from eth_abi.abi import encode

from faultproof.chain.base import Chain
from faultproof.chain.receipt import Receipt
from faultproof.contracts.compiler import Artifact, compile_contract

STEP_DIR = Path(__file__).resolve().parent
MIPS32_SOURCE = STEP_DIR / "MIPS32.vy"
RISCV64_SOURCE = STEP_DIR / "RISCV64.vy"
RISCV64C_SOURCE = STEP_DIR / "RISCV64C.vy"

#: ``step(bytes,bytes,bytes32)``, shared by MIPS.sol, RISCV.sol and IBigStepper.
STEP_SELECTOR = bytes.fromhex("e14ced32")
#: Optimism-style named errors the MIPS32 contract raises, by 4-byte selector.
MIPS_ERRORS = {
    "InvalidMemoryProof()": bytes.fromhex("8e77b2b7"),
    "InvalidExitedValue()": bytes.fromhex("0136cc76"),
    "InvalidRMWInstruction()": bytes.fromhex("ecf79d0d"),
}
#: Named errors for malformed ``step`` calldata, raised by all three step contracts where the
#: Solidity originals revert with empty data (see README "Errors").
CALLDATA_ERRORS = {
    "InvalidStateDataOffset()": bytes.fromhex("4fbb34bc"),
    "InvalidStateDataLength()": bytes.fromhex("21e3d0a5"),
    "InvalidProofOffset()": bytes.fromhex("7c9672d5"),
    "InvalidProofLength()": bytes.fromhex("4dc5f6a4"),
}


def mips32_artifact() -> Artifact:
    """Compiled MIPS32 step contract (cached, EIP-170 checked)."""
    return compile_contract(MIPS32_SOURCE)


def riscv64_artifact() -> Artifact:
    """Compiled RISCV64 step contract (cached, EIP-170 checked)."""
    return compile_contract(RISCV64_SOURCE)


def riscv64c_artifact() -> Artifact:
    """Compiled RISCV64C (RV64IMAC) step contract: RISCV64 plus 16-bit instructions."""
    return compile_contract(RISCV64C_SOURCE)


def deploy_mips32(chain: Chain, oracle: str) -> str:
    """Deploy MIPS32 bound to the PreimageOracle at `oracle`; return its address."""
    return chain.deploy(mips32_artifact(), oracle)


def deploy_riscv64(chain: Chain, oracle: str) -> str:
    """Deploy RISCV64 bound to the PreimageOracle at `oracle`; return its address."""
    return chain.deploy(riscv64_artifact(), oracle)


def deploy_riscv64c(chain: Chain, oracle: str) -> str:
    """Deploy RISCV64C bound to the PreimageOracle at `oracle`; return its address."""
    return chain.deploy(riscv64c_artifact(), oracle)


def encode_step(state: bytes, proof: bytes, local_context: bytes = b"\x00" * 32) -> bytes:
    """Canonical ``step`` calldata, the only encoding the step contracts accept."""
    return STEP_SELECTOR + encode(["bytes", "bytes", "bytes32"], [state, proof, local_context])


def call_step(chain: Chain, vm: str, state: bytes, proof: bytes,
              local_context: bytes = b"\x00" * 32, *, sender: str | None = None) -> Receipt:
    """Run ``step`` as an ``eth_call`` (as the dispute game would, from `sender`)."""
    return chain.call(vm, encode_step(state, proof, local_context), sender=sender)
