#pragma version 0.4.3
#pragma evm-version cancun
"""
@title PreimageOracle
@notice On-chain store of preimage parts read by the step VMs (Cannon/Asterisc) during `step`.
@dev ABI-compatible with Optimism's `cannon/PreimageOracle.sol` (1.1.x) for every function below:
     same selectors, argument order, return values and custom-error selectors. A preimage is
     served as the byte stream `uint64_be(len) || preimage || zero padding`; the part at offset
     `o` is the 32-byte word starting at byte `o` of that stream, so offsets 0..7 contain length
     bytes and every loader requires `o < len + 8` (spec digest §4.3).

     Vyper 0.4.3 has no custom errors, so they are emulated with
     `raw_revert(method_id("Name()"))`, which produces the exact Solidity selector.

     Differences a caller can observe, all on malformed input only:
     - `bytes` arguments have maximum lengths (preimages `MAX_PREIMAGE_SIZE`, blob commitment and
       proof exactly 48 bytes, precompile input `MAX_PRECOMPILE_INPUT` and output
       `MAX_PRECOMPILE_OUTPUT`); longer ones revert without data (ABI decoding) or with
       `InvalidInputSize()`.

     Gas: Vyper reserves memory for a `Bytes[N]` argument at its maximum size and places locals
     after it, so the keccak/sha256 loaders pay ~45k gas of memory expansion on every call
     (~138k instead of ~90k for a small preimage). Dispatching these two selectors by hand in
     `__default__` (decoding calldata without a bounded argument) would remove it; not done yet.
     - `loadLocalData` checks `size <= 32` before `partOffset < size + 8`, so a size near 2**256
       reverts `PartOffsetOOB()` instead of a Solidity overflow panic.

     Large Preimage Proposals (`initLPP`, `addLeavesLPP`, `challengeLPP`, `challengeFirstLPP`,
     `squeezeLPP`, spec §4.4) are not implemented yet: the design (a keccak-f permutation in Vyper,
     the incremental Merkle tree, bonds) is open. `minProposalSize()` and `challengePeriod()` are
     already exposed so deploy scripts and the dispute game see the final constructor ABI.
"""

# Largest preimage the single-transaction loaders accept (128 KiB: above the 126,000-byte mainnet
# LPP threshold and at the size of the largest transaction nodes relay).
MAX_PREIMAGE_SIZE: constant(uint256) = 131072
# Largest precompile input accepted (the key hash needs a second copy of it in memory, so the
# bound is kept well below MAX_PREIMAGE_SIZE; pairing checks of ~170 pairs still fit).
MAX_PRECOMPILE_INPUT: constant(uint256) = 32768
# Largest precompile output stored (modexp can return up to its modulus length).
MAX_PRECOMPILE_OUTPUT: constant(uint256) = 4096
# Gas kept back after the precompile call so the oracle can finish storing (spec §4.3).
PRECOMPILE_CALL_RESERVED_GAS: constant(uint256) = 100_000
# EIP-4844 point-evaluation precompile and its fixed input size.
POINT_EVALUATION: constant(address) = 0x000000000000000000000000000000000000000A
VERSIONED_HASH_VERSION_KZG: constant(uint256) = 1

KEY_TYPE_LOCAL: constant(uint256) = 1
KEY_TYPE_KECCAK256: constant(uint256) = 2
KEY_TYPE_SHA256: constant(uint256) = 4
KEY_TYPE_BLOB: constant(uint256) = 5
KEY_TYPE_PRECOMPILE: constant(uint256) = 6

# Mask that clears the type byte (the most significant byte) of a key.
LOW_31_BYTES: constant(uint256) = (1 << 248) - 1

preimageLengths: public(HashMap[bytes32, uint256])
preimageParts: public(HashMap[bytes32, HashMap[uint256, bytes32]])
preimagePartOk: public(HashMap[bytes32, HashMap[uint256, bool]])

MIN_LPP_SIZE_BYTES: immutable(uint256)
CHALLENGE_PERIOD: immutable(uint256)


@deploy
def __init__(_minProposalSize: uint256, _challengePeriod: uint256):
    # LPP finalization timestamps are 64-bit; a longer period could never elapse.
    if _challengePeriod > convert(max_value(uint64), uint256):
        raw_revert(method_id("InvalidInputSize()"))
    MIN_LPP_SIZE_BYTES = _minProposalSize
    CHALLENGE_PERIOD = _challengePeriod


@external
@view
def minProposalSize() -> uint256:
    """@notice Minimum size of a Large Preimage Proposal, in bytes."""
    return MIN_LPP_SIZE_BYTES


@external
@view
def challengePeriod() -> uint256:
    """@notice Seconds an LPP can be challenged after it is finalized."""
    return CHALLENGE_PERIOD


@external
@view
def readPreimage(_key: bytes32, _offset: uint256) -> (bytes32, uint256):
    """
    @notice The part at `_offset` of the served stream and how many of its bytes are real.
    @dev `datLen` is 32 unless the part reaches the end of the stream (`len + 8`).
    """
    assert self.preimagePartOk[_key][_offset], "pre-image must exist"
    length: uint256 = self.preimageLengths[_key]
    dat_len: uint256 = 32
    if _offset + 32 >= length + 8:
        dat_len = length + 8 - _offset
    return self.preimageParts[_key][_offset], dat_len


@internal
@pure
def _tag(_digest: bytes32, _key_type: uint256) -> bytes32:
    """Replace the most significant byte of a digest with the key type (spec §4.2)."""
    return convert((convert(_digest, uint256) & LOW_31_BYTES) | (_key_type << 248), bytes32)


@internal
@pure
def _part(_size: uint256, _offset: uint256, _head: uint256, _at: uint256) -> bytes32:
    """
    @dev The 32-byte word at `_offset` of `uint64_be(_size) || data || zeros`, given the first
         32 data bytes `_head` and the 32 data bytes at `_offset - 8` `_at`, both zero padded.
         Shifts wrap (they are unchecked), dropping the bytes before the window.
    """
    if _offset < 8:
        return convert((_size << (8 * (24 + _offset))) | (_head >> (8 * (8 - _offset))), bytes32)
    return convert(_at, bytes32)


@internal
def _store(_key: bytes32, _offset: uint256, _part: bytes32, _size: uint256):
    self.preimagePartOk[_key][_offset] = True
    self.preimageParts[_key][_offset] = _part
    self.preimageLengths[_key] = _size


@internal
@pure
def _oob():
    raw_revert(method_id("PartOffsetOOB()"))


@external
def loadLocalData(
    _ident: uint256, _localContext: bytes32, _word: bytes32, _size: uint256, _partOffset: uint256
) -> bytes32:
    """
    @notice Store local data for the caller's game: the key is localized with `msg.sender` and
            `_localContext`, so only a game can write its own bootstrap inputs.
    @dev The stream is `uint64_be(_size) || _word` (all 32 bytes of `_word`, as upstream).
    @return The localized key.
    """
    if _size > 32 or _partOffset >= _size + 8:
        self._oob()
    ident_key: uint256 = (KEY_TYPE_LOCAL << 248) | (_ident & LOW_31_BYTES)
    digest: bytes32 = keccak256(abi_encode(ident_key, msg.sender, _localContext))
    key: bytes32 = self._tag(digest, KEY_TYPE_LOCAL)
    word: uint256 = convert(_word, uint256)
    at: uint256 = 0
    if _partOffset >= 8:
        at = word << (8 * (_partOffset - 8))
    self._store(key, _partOffset, self._part(_size, _partOffset, word, at), _size)
    return key


@external
def loadKeccak256PreimagePart(_partOffset: uint256, _preimage: Bytes[MAX_PREIMAGE_SIZE]):
    """@notice Store a part of a preimage under its global keccak256 key (type 2)."""
    size: uint256 = len(_preimage)
    if _partOffset >= size + 8:
        self._oob()
    head: uint256 = 0
    at: uint256 = 0
    if size >= 32:
        head = convert(extract32(_preimage, 0), uint256)
        if _partOffset >= 8:
            start: uint256 = _partOffset - 8
            if start + 32 <= size:
                at = convert(extract32(_preimage, start), uint256)
            else:
                at = convert(extract32(_preimage, size - 32), uint256) << (8 * (start + 32 - size))
    else:
        for i: uint256 in range(32):
            if i >= size:
                break
            head |= convert(convert(slice(_preimage, i, 1), bytes1), uint256) << (8 * (31 - i))
        if _partOffset >= 8:
            at = head << (8 * (_partOffset - 8))
    key: bytes32 = self._tag(keccak256(_preimage), KEY_TYPE_KECCAK256)
    self._store(key, _partOffset, self._part(size, _partOffset, head, at), size)


@external
def loadSha256PreimagePart(_partOffset: uint256, _preimage: Bytes[MAX_PREIMAGE_SIZE]):
    """@notice Store a part of a preimage under its global SHA-256 key (type 4)."""
    size: uint256 = len(_preimage)
    if _partOffset >= size + 8:
        self._oob()
    head: uint256 = 0
    at: uint256 = 0
    if size >= 32:
        head = convert(extract32(_preimage, 0), uint256)
        if _partOffset >= 8:
            start: uint256 = _partOffset - 8
            if start + 32 <= size:
                at = convert(extract32(_preimage, start), uint256)
            else:
                at = convert(extract32(_preimage, size - 32), uint256) << (8 * (start + 32 - size))
    else:
        for i: uint256 in range(32):
            if i >= size:
                break
            head |= convert(convert(slice(_preimage, i, 1), bytes1), uint256) << (8 * (31 - i))
        if _partOffset >= 8:
            at = head << (8 * (_partOffset - 8))
    key: bytes32 = self._tag(sha256(_preimage), KEY_TYPE_SHA256)
    self._store(key, _partOffset, self._part(size, _partOffset, head, at), size)


@external
def loadBlobPreimagePart(
    _z: uint256, _y: uint256, _commitment: Bytes[48], _proof: Bytes[48], _partOffset: uint256
):
    """
    @notice Store `y = p(z)` of a blob polynomial after checking the KZG proof with the
            point-evaluation precompile. Key type 5: `keccak256(commitment || z)`.
    @dev The stream is `uint64_be(32) || y`. `z` must be the field element's root of unity
         (`ω^bitrev(i)`), never the raw index (spec §8 item 6); the oracle cannot tell.
    """
    if len(_commitment) != 48 or len(_proof) != 48:
        raw_revert(method_id("InvalidProof()"))
    versioned: uint256 = (convert(sha256(_commitment), uint256) & ((1 << 248) - 1)) | (
        VERSIONED_HASH_VERSION_KZG << 248
    )
    ok: bool = False
    out: Bytes[64] = b""
    ok, out = raw_call(
        POINT_EVALUATION,
        concat(convert(versioned, bytes32), convert(_z, bytes32), convert(_y, bytes32), _commitment, _proof),
        max_outsize=64,
        is_static_call=True,
        revert_on_failure=False,
    )
    if not ok:
        raw_revert(method_id("InvalidProof()"))
    if _partOffset >= 40:
        self._oob()
    key: bytes32 = self._tag(keccak256(concat(_commitment, convert(_z, bytes32))), KEY_TYPE_BLOB)
    at: uint256 = 0
    if _partOffset >= 8:
        at = _y << (8 * (_partOffset - 8))
    self._store(key, _partOffset, self._part(32, _partOffset, _y, at), 32)


@external
def loadPrecompilePreimagePart(
    _partOffset: uint256, _precompile: address, _requiredGas: uint64, _input: Bytes[MAX_PRECOMPILE_INPUT]
):
    """
    @notice Run `_precompile(_input)` and store `status || returndata` under key type 6,
            `keccak256(precompile || uint64_be(requiredGas) || input)`.
    @dev The gas check makes sure the call gets `_requiredGas`, so an out-of-gas failure can never
         be stored under the key of the real call (Code4rena 2024-07 known issue, spec §8 item 3).
    """
    key: bytes32 = self._tag(
        keccak256(concat(convert(_precompile, bytes20), convert(_requiredGas, bytes8), _input)),
        KEY_TYPE_PRECOMPILE,
    )
    if msg.gas * 63 < convert(_requiredGas, uint256) * 64 + PRECOMPILE_CALL_RESERVED_GAS * 63:
        raw_revert(method_id("NotEnoughGas()"))
    ok: bool = False
    out: Bytes[MAX_PRECOMPILE_OUTPUT + 1] = b""
    ok, out = raw_call(
        _precompile,
        _input,
        max_outsize=MAX_PRECOMPILE_OUTPUT + 1,
        is_static_call=True,
        revert_on_failure=False,
    )
    if len(out) > MAX_PRECOMPILE_OUTPUT:
        raw_revert(method_id("InvalidInputSize()"))
    status: bytes1 = 0x00
    if ok:
        status = 0x01
    size: uint256 = 1 + len(out)
    if _partOffset >= size + 8:
        self._oob()
    # The served preimage is `status || returndata`; a zero word appended makes every 32-byte
    # window starting inside it readable and zero padded.
    data: Bytes[MAX_PRECOMPILE_OUTPUT + 34] = concat(status, out, empty(bytes32))
    head: uint256 = convert(extract32(data, 0), uint256)
    at: uint256 = 0
    if _partOffset >= 8:
        at = convert(extract32(data, _partOffset - 8), uint256)
    self._store(key, _partOffset, self._part(size, _partOffset, head, at), size)
