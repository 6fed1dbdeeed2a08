#pragma version 0.4.3
"""
@title AnchorStateRegistry
@notice The single anchor (output root and L2 block) new games start from, and the source of
        truth for whether a game's result can be trusted (spec digest section 3.3, newer design).
        A game moves the anchor only if its claim is valid: registered with the factory, not
        blacklisted, not retired, not paused, of the respected type when created, resolved
        DEFENDER_WINS more than the finality delay ago, and newer than the current anchor.
@dev    Optimism reads `paused()` from SystemConfig/SuperchainConfig; here the guardian sets it.
"""

interface IFactory:
    def games(_gameType: uint32, _rootClaim: bytes32, _extraData: Bytes[256]) -> (address, uint64): view

interface IGame:
    def gameType() -> uint32: view
    def rootClaim() -> bytes32: view
    def extraData() -> Bytes[32]: view
    def anchorStateRegistry() -> address: view
    def wasRespectedGameTypeWhenCreated() -> bool: view
    def createdAt() -> uint64: view
    def resolvedAt() -> uint64: view
    def status() -> uint8: view
    def l2SequenceNumber() -> uint256: view

CHALLENGER_WINS: constant(uint8) = 1
DEFENDER_WINS: constant(uint8) = 2

event AnchorUpdated:
    game: indexed(address)

event RespectedGameTypeSet:
    gameType: uint32

event RetirementTimestampSet:
    timestamp: uint64

event DisputeGameBlacklisted:
    game: indexed(address)

event PausedSet:
    paused: bool

disputeGameFactory: public(address)
guardian: public(address)
respectedGameType: public(uint32)
retirementTimestamp: public(uint64)
disputeGameFinalityDelaySeconds: public(uint256)
disputeGameBlacklist: public(HashMap[address, bool])
paused: public(bool)
anchorGame: public(address)
_anchorRoot: bytes32
_anchorBlock: uint256


@deploy
def __init__(
    _factory: address,
    _startingRoot: bytes32,
    _startingBlock: uint256,
    _respectedGameType: uint32,
    _finalityDelaySeconds: uint256,
    _guardian: address,
):
    self.disputeGameFactory = _factory
    self._anchorRoot = _startingRoot
    self._anchorBlock = _startingBlock
    self.respectedGameType = _respectedGameType
    self.disputeGameFinalityDelaySeconds = _finalityDelaySeconds
    self.guardian = _guardian
    # As upstream: games created at or before deployment are retired.
    self.retirementTimestamp = convert(block.timestamp, uint64)


@internal
@view
def _only_guardian():
    if msg.sender != self.guardian:
        raw_revert(method_id("Unauthorized()"))


@external
def setRespectedGameType(_gameType: uint32):
    self._only_guardian()
    self.respectedGameType = _gameType
    log RespectedGameTypeSet(gameType=_gameType)


@external
def updateRetirementTimestamp():
    self._only_guardian()
    self.retirementTimestamp = convert(block.timestamp, uint64)
    log RetirementTimestampSet(timestamp=convert(block.timestamp, uint64))


@external
def blacklistDisputeGame(_game: address):
    self._only_guardian()
    self.disputeGameBlacklist[_game] = True
    log DisputeGameBlacklisted(game=_game)


@external
def setPaused(_paused: bool):
    self._only_guardian()
    self.paused = _paused
    log PausedSet(paused=_paused)


@external
@view
def getAnchorRoot() -> (bytes32, uint256):
    return self._anchorRoot, self._anchorBlock


@external
@view
def anchors(_gameType: uint32) -> (bytes32, uint256):
    """Legacy per-type getter; there is one anchor for every type now."""
    return self._anchorRoot, self._anchorBlock


@internal
@view
def _registered(_game: address) -> bool:
    g: IGame = IGame(_game)
    found: address = empty(address)
    ts: uint64 = 0
    found, ts = staticcall IFactory(self.disputeGameFactory).games(
        staticcall g.gameType(), staticcall g.rootClaim(), staticcall g.extraData()
    )
    return found == _game and staticcall g.anchorStateRegistry() == self


@internal
@view
def _retired(_game: address) -> bool:
    return staticcall IGame(_game).createdAt() <= self.retirementTimestamp


@internal
@view
def _proper(_game: address) -> bool:
    return (
        self._registered(_game)
        and not self.disputeGameBlacklist[_game]
        and not self._retired(_game)
        and not self.paused
    )


@internal
@view
def _resolved(_game: address) -> bool:
    s: uint8 = staticcall IGame(_game).status()
    return staticcall IGame(_game).resolvedAt() != 0 and (s == DEFENDER_WINS or s == CHALLENGER_WINS)


@internal
@view
def _finalized(_game: address) -> bool:
    if not self._resolved(_game):
        return False
    resolved_at: uint256 = convert(staticcall IGame(_game).resolvedAt(), uint256)
    return block.timestamp - resolved_at > self.disputeGameFinalityDelaySeconds


@internal
@view
def _claim_valid(_game: address) -> bool:
    return (
        self._proper(_game)
        and staticcall IGame(_game).wasRespectedGameTypeWhenCreated()
        and self._finalized(_game)
        and staticcall IGame(_game).status() == DEFENDER_WINS
    )


@external
@view
def isGameRegistered(_game: address) -> bool:
    return self._registered(_game)


@external
@view
def isGameRespected(_game: address) -> bool:
    return staticcall IGame(_game).wasRespectedGameTypeWhenCreated()


@external
@view
def isGameBlacklisted(_game: address) -> bool:
    return self.disputeGameBlacklist[_game]


@external
@view
def isGameRetired(_game: address) -> bool:
    return self._retired(_game)


@external
@view
def isGameProper(_game: address) -> bool:
    return self._proper(_game)


@external
@view
def isGameResolved(_game: address) -> bool:
    return self._resolved(_game)


@external
@view
def isGameFinalized(_game: address) -> bool:
    return self._finalized(_game)


@external
@view
def isGameClaimValid(_game: address) -> bool:
    return self._claim_valid(_game)


@external
def setAnchorState(_game: address):
    """Make `_game` the anchor; anyone may call, only a valid and newer claim is accepted."""
    if not self._claim_valid(_game):
        raw_revert(method_id("AnchorStateRegistry_InvalidAnchorGame()"))
    block_number: uint256 = staticcall IGame(_game).l2SequenceNumber()
    if block_number <= self._anchorBlock:
        raw_revert(method_id("AnchorStateRegistry_InvalidAnchorGame()"))
    self.anchorGame = _game
    self._anchorRoot = staticcall IGame(_game).rootClaim()
    self._anchorBlock = block_number
    log AnchorUpdated(game=_game)


@external
@pure
def version() -> String[16]:
    return "3.0.0-vyper"
