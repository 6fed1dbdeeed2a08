"""The compiled ABIs expose Optimism's selectors, event topics and error selectors (digest §2.13, §3)."""

from __future__ import annotations

from typing import Any

import pytest

from faultproof.chain.abi import selector, signature
from faultproof.contracts.compiler import MAX_CODE_SIZE
from faultproof.contracts.dispute import CONTRACTS, MOCKS, artifact
from faultproof.crypto import keccak256

GAME_SELECTORS = {
    0x8129FC1C: "initialize()", 0xD8CC1A3C: "step(uint256,bool,bytes,bytes)",
    0x6F034409: "move(bytes32,uint256,bytes32,bool)", 0x472777C6: "attack(bytes32,uint256,bytes32)",
    0x7B0F0ADC: "defend(bytes32,uint256,bytes32)", 0xF8F43FF6: "addLocalData(uint256,uint256,uint256)",
    0x2810E1D6: "resolve()", 0x03C2924D: "resolveClaim(uint256,uint256)",
    0x5A5FA2D9: "getNumToResolve(uint256)", 0xC395E1CA: "getRequiredBond(uint128)",
    0xBD8DA956: "getChallengerDuration(uint256)", 0x60E27464: "claimCredit(address)",
    0x786B844B: "closeGame()", 0x8980E0CC: "claimDataLen()", 0xC6F0308C: "claimData(uint256)",
    0xD5D44D80: "credit(address)", 0x529D6A8C: "normalModeCredit(address)",
    0xC0D8BB74: "refundModeCredit(address)", 0x222ABF45: "hasUnlockedCredit(address)",
    0x378DD48C: "bondDistributionMode()", 0x250E69BD: "wasRespectedGameTypeWhenCreated()",
    0xEFF0F592: "claims(bytes32)", 0x2AD69AEB: "subgames(uint256,uint256)",
    0xFE2BBEB2: "resolvedSubgames(uint256)", 0xA445ECE6: "resolutionCheckpoints(uint256)",
    0x57DA950E: "startingOutputRoot()", 0x70872AA5: "startingBlockNumber()",
    0x25FC2ACE: "startingRootHash()", 0x8B85902B: "l2BlockNumber()", 0x99735E32: "l2SequenceNumber()",
    0x3E3AC912: "l2BlockNumberChallenged()", 0x30DBE570: "l2BlockNumberChallenger()",
    0xBBDC02DB: "gameType()", 0x37B1B229: "gameCreator()", 0xBCEF3B55: "rootClaim()",
    0x6361506D: "l1Head()", 0x609D3334: "extraData()", 0xFA24F743: "gameData()",
    0xCF09E0D0: "createdAt()", 0x19EFFEB4: "resolvedAt()", 0x200D2ED2: "status()",
    0x8D450A95: "absolutePrestate()", 0xFA315AA9: "maxGameDepth()", 0xEC5E6308: "splitDepth()",
    0xDABD396D: "maxClockDuration()", 0x6B6716C0: "clockExtension()", 0x3A768463: "vm()",
    0x3FC8CEF3: "weth()", 0x5C0CBA33: "anchorStateRegistry()", 0xD6AE3CD5: "l2ChainId()",
    0x54FD4D50: "version()",
    0x01935130: "challengeRootL2Block((bytes32,bytes32,bytes32,bytes32),bytes)",
}
FACTORY_SELECTORS = {
    0x82ECF2F6: "create(uint32,bytes32,bytes)", 0x5F0150CB: "games(uint32,bytes32,bytes)",
    0xBB8AA1FC: "gameAtIndex(uint256)", 0x4D1975B4: "gameCount()", 0x1B685B9E: "gameImpls(uint32)",
    0x6593DC6E: "initBonds(uint32)", 0x74CC86AC: "gameArgs(uint32)",
    0x14F6B1A3: "setImplementation(uint32,address)",
    0xB1070957: "setImplementation(uint32,address,bytes)", 0x1E334240: "setInitBond(uint32,uint256)",
    0x96CD9720: "getGameUUID(uint32,bytes32,bytes)",
    0x254BD683: "findLatestGames(uint32,uint256,uint256)",
}
ASR_SELECTORS = {
    0xD83EF267: "getAnchorRoot()", 0x7258A807: "anchors(uint32)", 0x17CF21A9: "setAnchorState(address)",
    0x496B9C16: "isGameProper(address)", 0x0314D2B3: "isGameFinalized(address)",
    0x6C4F4467: "isGameClaimValid(address)", 0x3C9F397C: "respectedGameType()",
}
GAME_EVENTS = {
    "9b3245740ec3b155098a55be84957a4da13eaf7f14a8bc6f53126c0b9350f2be": "Move",
    "5e186f09b9c93491f14e277eea7faa5de6a2d4bda75a79af7a3684fbfb42da60": "Resolved",
    "9908eaac0645df9d0704d06adc9e07337c951de2f06b5f2836151d48d5e4722f": "GameClosed",
}
FACTORY_EVENTS = {
    "5b565efe82411da98814f356d0e7bcb8f0219b8d970307c5afb4a6903a8b2e35": "DisputeGameCreated",
    "ff513d80e2c7fa487608f70a618dfbc0cf415699dc69588c747e8c71566c88de": "ImplementationSet",
    "a47fcdf075d680d3817bfca7973b373e1a5f6cfc3b444748299cc2b83d8348f9": "ImplementationArgsSet",
    "74d6665c4b26d5596a5aa13d3014e0c06af4d322075a797f87b03cd4c5bc91ca": "InitBondUpdated",
}
ERROR_SELECTORS = {
    0x031C6DE4: "NoImplementation(uint32)", 0x014F6FE5: "GameAlreadyExists(bytes32)",
    0xF40239DB: "UnexpectedRootClaim(bytes32)", 0x0DC149F0: "AlreadyInitialized()",
    0x8620AA19: "IncorrectBondAmount()", 0x17BFE5F7: "NoCreditToClaim()",
    0x83E6CC6B: "BondTransferFailed()", 0x9824BDAB: "BadExtraData()",
    0xA42637BC: "CannotDefendRootClaim()", 0x80497E3B: "ClaimAlreadyExists()",
    0x30140332: "InvalidDisputedClaimIndex()", 0x67FE1950: "GameNotInProgress()",
    0x3381D114: "ClockTimeExceeded()", 0xF2440B53: "ClockNotExpired()",
    0x56F57B2B: "GameDepthExceeded()", 0x5F53DD98: "InvalidParent()", 0x696550FF: "InvalidPrestate()",
    0xFB4E40DD: "ValidStep()", 0xFF137E65: "InvalidLocalIdent()", 0x9A076646: "OutOfOrderResolution()",
    0xF1A94581: "ClaimAlreadyResolved()", 0xB34B5C22: "ClaimAboveSplit()",
    0xE62CCF39: "InvalidSplitDepth()", 0x8D77ECAC: "InvalidClockExtension()",
    0xB4E12433: "InvalidChallengePeriod()", 0x77DFE332: "MaxDepthTooLarge()",
    0x9071E6AF: "DuplicateStep()", 0x6A6BC3B2: "AnchorRootNotFound()",
    0x4851BD9B: "GameNotFinalized()", 0x078A3DF4: "InvalidBondDistributionMode()",
    0xC105260A: "GameNotResolved()", 0xD386EF3E: "BadAuth()", 0x379A7ED9: "GamePaused()",
    0x9CC00B5B: "InvalidOutputRootProof()", 0xD81D583B: "InvalidHeaderRLP()",
    0xB8ED8830: "BlockNumberMatches()", 0x0EA2E752: "L2BlockNumberChallenged()",
}


def function_signatures(abi: list[dict[str, Any]]) -> set[str]:
    return {signature(e) for e in abi if e.get("type") == "function"}


def event_topics(abi: list[dict[str, Any]]) -> dict[str, str]:
    out = {}
    for e in abi:
        if e.get("type") == "event":
            sig = f"{e['name']}({','.join(i['type'] for i in e['inputs'])})"
            out[keccak256(sig.encode()).hex()] = e["name"]
    return out


@pytest.mark.parametrize(
    ("name", "table"),
    [("FaultDisputeGame", GAME_SELECTORS), ("DisputeGameFactory", FACTORY_SELECTORS),
     ("AnchorStateRegistry", ASR_SELECTORS)],
)
def test_function_selectors_match_optimism(name: str, table: dict[int, str]) -> None:
    sigs = function_signatures(artifact(name).abi)
    for sel, sig in table.items():
        assert sig in sigs, f"{name} lacks {sig}"
        assert int.from_bytes(selector(sig), "big") == sel, sig


@pytest.mark.parametrize(("name", "table"), [("FaultDisputeGame", GAME_EVENTS),
                                             ("DisputeGameFactory", FACTORY_EVENTS)])
def test_event_topics_match_optimism(name: str, table: dict[str, str]) -> None:
    topics = event_topics(artifact(name).abi)
    for topic, ev in table.items():
        assert topics.get(topic) == ev


def test_emulated_error_selectors_match_optimism() -> None:
    declared: set[str] = set()
    for name in ("FaultDisputeGame", "DisputeGameFactory"):
        declared |= set(artifact(name).error_signatures)
    for sel, sig in ERROR_SELECTORS.items():
        assert sig in declared, f"no contract raises {sig}"
        assert int.from_bytes(selector(sig), "big") == sel


@pytest.mark.parametrize("name", CONTRACTS + MOCKS)
def test_runtime_code_fits_eip170(name: str) -> None:
    art = artifact(name)
    assert 0 < art.runtime_size <= MAX_CODE_SIZE
