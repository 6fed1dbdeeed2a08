#pragma version 0.4.3
"""
@title MockPreimageOracle
@notice Test stand-in with the PreimageOracle's ABI and semantics for the three functions the
        step contracts' tests need (readPreimage, loadKeccak256PreimagePart, loadLocalData).
        Used until / unless contracts/oracle/PreimageOracle.vy is available.
"""

MAX_PREIMAGE: constant(uint256) = 2048

preimagePartOk: public(HashMap[bytes32, HashMap[uint256, bool]])
preimageParts: public(HashMap[bytes32, HashMap[uint256, bytes32]])
preimageLengths: public(HashMap[bytes32, uint256])


@external
@view
def readPreimage(_key: bytes32, _offset: uint256) -> (bytes32, uint256):
    assert self.preimagePartOk[_key][_offset], "pre-image must exist"
    dat_len: uint256 = 32
    length: uint256 = self.preimageLengths[_key]
    if _offset + 32 >= length + 8:
        dat_len = length + 8 - _offset
    return self.preimageParts[_key][_offset], dat_len


@internal
def _store(key: bytes32, part_offset: uint256, stream: Bytes[MAX_PREIMAGE + 72], size: uint256):
    padded: Bytes[MAX_PREIMAGE + 104] = concat(stream, empty(bytes32))
    self.preimageParts[key][part_offset] = extract32(padded, part_offset)
    self.preimagePartOk[key][part_offset] = True
    self.preimageLengths[key] = size


@external
def loadKeccak256PreimagePart(_partOffset: uint256, _preimage: Bytes[MAX_PREIMAGE]):
    size: uint256 = len(_preimage)
    if _partOffset >= size + 8:
        raw_revert(method_id("PartOffsetOOB()"))
    h: uint256 = convert(keccak256(_preimage), uint256)
    key: bytes32 = convert((h & (max_value(uint256) >> 8)) | (2 << 248), bytes32)
    self._store(key, _partOffset, concat(convert(convert(size, uint64), bytes8), _preimage), size)


@external
def loadLocalData(_ident: uint256, _localContext: bytes32, _word: bytes32, _size: uint256, _partOffset: uint256) -> bytes32:
    raw_key: bytes32 = convert(_ident | (1 << 248), bytes32)
    h: uint256 = convert(keccak256(concat(raw_key, convert(convert(msg.sender, uint160), bytes32), _localContext)), uint256)
    key: bytes32 = convert((h & (max_value(uint256) >> 8)) | (1 << 248), bytes32)
    if _partOffset >= _size + 8 or _size > 32:
        raw_revert(method_id("PartOffsetOOB()"))
    stream: Bytes[40] = concat(convert(convert(_size, uint64), bytes8), _word)
    self._store(key, _partOffset, stream, _size)
    return key
