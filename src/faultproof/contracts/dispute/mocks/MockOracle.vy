#pragma version 0.4.3
"""
@title MockOracle
@notice The two PreimageOracle functions the game uses: `challengePeriod()` (clock extension
        above a step) and `loadLocalData` (bootstrap data), recording the last load.
"""

challengePeriod: public(uint256)
lastIdent: public(uint256)
lastLocalContext: public(bytes32)
lastWord: public(bytes32)
lastSize: public(uint256)
lastPartOffset: public(uint256)
lastCaller: public(address)


@deploy
def __init__(_challengePeriod: uint256):
    self.challengePeriod = _challengePeriod


@external
def loadLocalData(_ident: uint256, _localContext: bytes32, _word: bytes32, _size: uint256, _partOffset: uint256) -> bytes32:
    self.lastIdent = _ident
    self.lastLocalContext = _localContext
    self.lastWord = _word
    self.lastSize = _size
    self.lastPartOffset = _partOffset
    self.lastCaller = msg.sender
    key: bytes32 = keccak256(concat(convert(_ident, bytes32), convert(msg.sender, bytes32), _localContext))
    return convert((convert(key, uint256) & ((1 << 248) - 1)) | (1 << 248), bytes32)
