# pragma version ~=0.4.3
"""
@title L1Block (L2 predeploy at 0x4200000000000000000000000000000000000015)
@notice The L1 origin of the current L2 block, set by the L1 info deposit that opens every
        block (docs/ROLLUP.md §3). Storage is OP's Ecotone layout (fault-proof-program.md §6.8),
        so slots 0 and 3 hold packed fields; the getters unpack them.
"""

DEPOSITOR: constant(address) = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001

# slot 0: number (low 8 bytes) | timestamp << 64
_numberAndTimestamp: uint256
# slot 1
basefee: public(uint256)
# slot 2
hash: public(bytes32)
# slot 3: sequenceNumber (low 8 bytes) | blobBaseFeeScalar << 64 | baseFeeScalar << 96
_sequenceAndScalars: uint256
# slot 4
batcherHash: public(bytes32)
# slot 5 and 6: pre-Ecotone fee parameters, never written here
l1FeeOverhead: public(uint256)
l1FeeScalar: public(uint256)
# slot 7
blobBaseFee: public(uint256)

U64: constant(uint256) = 2**64 - 1
U32: constant(uint256) = 2**32 - 1


@view
@external
def number() -> uint64:
    return convert(self._numberAndTimestamp & U64, uint64)


@view
@external
def timestamp() -> uint64:
    return convert((self._numberAndTimestamp >> 64) & U64, uint64)


@view
@external
def sequenceNumber() -> uint64:
    return convert(self._sequenceAndScalars & U64, uint64)


@view
@external
def blobBaseFeeScalar() -> uint32:
    return convert((self._sequenceAndScalars >> 64) & U32, uint32)


@view
@external
def baseFeeScalar() -> uint32:
    return convert((self._sequenceAndScalars >> 96) & U32, uint32)


@external
def setL1BlockValuesEcotone():
    """
    @notice Ecotone's packed form: after the selector, baseFeeScalar (4), blobBaseFeeScalar (4),
            sequenceNumber (8), timestamp (8), number (8), basefee (32), blobBaseFee (32),
            hash (32), batcherHash (32): 160 bytes.
    """
    assert msg.sender == DEPOSITOR, "L1Block: only the depositor account can set L1 block values"
    data: Bytes[160] = slice(msg.data, 4, 160)
    # bytes 0..16: baseFeeScalar ‖ blobBaseFeeScalar ‖ sequenceNumber, as OP's shr(128, ...)
    self._sequenceAndScalars = convert(extract32(data, 0), uint256) >> 128
    # bytes 16..32: timestamp ‖ number
    self._numberAndTimestamp = convert(extract32(data, 16), uint256) >> 128
    self.basefee = convert(extract32(data, 32), uint256)
    self.blobBaseFee = convert(extract32(data, 64), uint256)
    self.hash = extract32(data, 96)
    self.batcherHash = extract32(data, 128)
