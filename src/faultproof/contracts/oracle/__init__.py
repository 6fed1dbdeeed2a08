"""The on-chain PreimageOracle (Vyper) and a typed Python binding for it.

    from faultproof.chain import EmbeddedChain
    from faultproof.contracts.oracle import PreimageOracle
    oracle = PreimageOracle.deploy(EmbeddedChain())          # mainnet parameters by default
    oracle.load_keccak256_part(0, b"hello")
    oracle.read_preimage(keccak256_key(b"hello"), 0)       # -> (part32, datLen)
"""

from __future__ import annotations

from dataclasses import dataclass

from faultproof.chain.base import Chain
from faultproof.chain.receipt import Receipt
from faultproof.contracts.binding import Contract
from faultproof.contracts.compiler import Artifact, load_contract

SOURCE = "oracle/PreimageOracle.vy"
#: Mainnet deploy-config values (spec digest §0).
MAINNET_MIN_PROPOSAL_SIZE = 126_000
MAINNET_CHALLENGE_PERIOD = 86_400
#: Mirrors of the contract constants.
MAX_PREIMAGE_SIZE = 131_072
MAX_PRECOMPILE_INPUT = 32_768
MAX_PRECOMPILE_OUTPUT = 4096
PRECOMPILE_CALL_RESERVED_GAS = 100_000
POINT_EVALUATION_PRECOMPILE = "0x000000000000000000000000000000000000000A"


def artifact() -> Artifact:
    """The compiled PreimageOracle (cached by source hash)."""
    return load_contract(SOURCE)


@dataclass
class PreimageOracle:
    """Typed wrapper over a deployed PreimageOracle `Contract`; every method is one ABI call."""

    contract: Contract

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        min_proposal_size: int = MAINNET_MIN_PROPOSAL_SIZE,
        challenge_period: int = MAINNET_CHALLENGE_PERIOD,
        *,
        sender: str | None = None,
    ) -> PreimageOracle:
        return cls(chain.deploy_contract(artifact(), min_proposal_size, challenge_period,
                                         sender=sender))

    @classmethod
    def at(cls, chain: Chain, address: str) -> PreimageOracle:
        return cls(chain.at(address, artifact()))

    @property
    def address(self) -> str:
        return self.contract.address

    @property
    def chain(self) -> Chain:
        return self.contract.chain

    # ---- views -------------------------------------------------------------------------------

    def read_preimage(self, key: bytes, offset: int) -> tuple[bytes, int]:
        """``(dat, datLen)``; raises ContractReverted("pre-image must exist") if not loaded."""
        dat, length = self.contract.call("readPreimage", key, offset)
        return bytes(dat), int(length)

    def preimage_length(self, key: bytes) -> int:
        return int(self.contract.call("preimageLengths", key))

    def preimage_part(self, key: bytes, offset: int) -> bytes:
        return bytes(self.contract.call("preimageParts", key, offset))

    def preimage_part_ok(self, key: bytes, offset: int) -> bool:
        return bool(self.contract.call("preimagePartOk", key, offset))

    def min_proposal_size(self) -> int:
        return int(self.contract.call("minProposalSize"))

    def challenge_period(self) -> int:
        return int(self.contract.call("challengePeriod"))

    # ---- loaders -----------------------------------------------------------------------------

    def load_local_data(self, ident: int, local_context: bytes, word: bytes, size: int,
                        part_offset: int, *, sender: str | None = None) -> Receipt:
        """Load local data; the localized key is ``receipt.return_data`` (see `local_key_of`)."""
        return self.contract.transact("loadLocalData", ident, local_context, word, size,
                                      part_offset, sender=sender)

    def load_keccak256_part(self, part_offset: int, preimage: bytes, *,
                            sender: str | None = None) -> Receipt:
        return self.contract.transact("loadKeccak256PreimagePart", part_offset, preimage,
                                      sender=sender)

    def load_sha256_part(self, part_offset: int, preimage: bytes, *,
                         sender: str | None = None) -> Receipt:
        return self.contract.transact("loadSha256PreimagePart", part_offset, preimage,
                                      sender=sender)

    def load_blob_part(self, z: int, y: int, commitment: bytes, proof: bytes, part_offset: int,
                       *, sender: str | None = None) -> Receipt:
        return self.contract.transact("loadBlobPreimagePart", z, y, commitment, proof,
                                      part_offset, sender=sender)

    def load_precompile_part(self, part_offset: int, precompile: str, required_gas: int,
                             input_data: bytes, *, sender: str | None = None,
                             gas: int | None = None) -> Receipt:
        return self.contract.transact("loadPrecompilePreimagePart", part_offset, precompile,
                                      required_gas, input_data, sender=sender, gas=gas)


def local_key_of(receipt: Receipt) -> bytes:
    """The localized key returned by `loadLocalData` in `receipt`."""
    return receipt.return_data[:32]


__all__ = [
    "MAINNET_CHALLENGE_PERIOD",
    "MAINNET_MIN_PROPOSAL_SIZE",
    "MAX_PRECOMPILE_INPUT",
    "MAX_PRECOMPILE_OUTPUT",
    "MAX_PREIMAGE_SIZE",
    "POINT_EVALUATION_PRECOMPILE",
    "PRECOMPILE_CALL_RESERVED_GAS",
    "PreimageOracle",
    "artifact",
    "local_key_of",
]
