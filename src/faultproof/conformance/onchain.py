"""Run one step witness through an ISA's step contract on a chain, preimages included."""

from __future__ import annotations

from dataclasses import dataclass

from faultproof.chain import Chain, EmbeddedChain
from faultproof.chain.receipt import Receipt
from faultproof.contracts import Contract, load_contract
from faultproof.preimage.keys import KeyType, key_type, local_ident
from faultproof.vm.interface import ISA, StepWitness

# A fixed local context: any value works as long as the oracle data is loaded under the same one.
DEFAULT_LOCAL_CONTEXT = bytes.fromhex("00" * 31 + "01")
STEP_GAS = 30_000_000


@dataclass(frozen=True)
class StepOutcome:
    """What the contract said about one witness: a post-state hash, or a revert."""

    post_hash: bytes | None
    gas_used: int
    error: str | None = None

    @property
    def reverted(self) -> bool:
        return self.post_hash is None


class OnChainStepper:
    """Deploys the PreimageOracle and an ISA's step contract, then verifies witnesses on chain."""

    def __init__(self, isa: ISA, chain: Chain | None = None, challenge_period: int = 0) -> None:
        self.isa = isa
        self.chain = chain or EmbeddedChain()
        self.oracle: Contract = self.chain.deploy_contract(
            load_contract("oracle/PreimageOracle.vy"), 0, challenge_period
        )
        self.vm: Contract = self.chain.deploy_contract(
            load_contract(f"step/{isa.step_contract}.vy"), self.oracle.address
        )

    def load_preimage(self, witness: StepWitness, local_context: bytes) -> None:
        """Make the part the step reads available in the oracle (what a challenger does first)."""
        if witness.preimage_key is None or witness.preimage_value is None:
            return
        key = witness.preimage_key
        value = witness.preimage_value[8:]
        offset = witness.preimage_offset or 0
        if offset >= len(value) + 8:
            return  # reading at or past the end: the contract never asks the oracle for data
        kind = key_type(key)
        if kind == KeyType.LOCAL:
            word = value.ljust(32, b"\x00")[:32]
            self.oracle.transact(
                "loadLocalData", local_ident(key), local_context, word, len(value), offset
            )
        elif kind == KeyType.KECCAK256:
            self.oracle.transact("loadKeccak256PreimagePart", offset, value)
        elif kind == KeyType.SHA256:
            self.oracle.transact("loadSha256PreimagePart", offset, value)
        else:
            raise NotImplementedError(f"conformance kit cannot load {kind.name} preimages yet")

    def step(
        self, witness: StepWitness, local_context: bytes = DEFAULT_LOCAL_CONTEXT
    ) -> StepOutcome:
        self.load_preimage(witness, local_context)
        data = self.vm.encode("step", witness.state, witness.proof, local_context)
        receipt = self.chain.transact(self.vm.address, data, gas=STEP_GAS)
        if not receipt.success:
            return StepOutcome(None, receipt.gas_used, revert_reason(receipt))
        return StepOutcome(receipt.return_data[:32], receipt.gas_used)


def revert_reason(receipt: Receipt) -> str:
    """A short, stable name for a revert: a custom error, a require string, a 32-byte code."""
    if receipt.error_name == "Error" and receipt.error_args:
        return f"Error({receipt.error_args[0]!s})"
    if receipt.error_name:
        return receipt.error_name
    data = receipt.revert_data
    if len(data) == 32:
        return f"code 0x{int.from_bytes(data, 'big'):x}"  # RISC-V's revertWithCode
    if len(data) == 4:
        return f"selector 0x{data.hex()}"
    return "0x" + data.hex() if data else "revert (no data)"
