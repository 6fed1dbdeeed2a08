#pragma version 0.4.3
"""
@title OldAnchorStateRegistry (test mock)
@notice The part of Optimism's AnchorStateRegistry 2.0.1-beta.4 (October 2024) an old game uses:
        `anchors(gameType)` gives a new game its starting output root, and a resolved game calls
        `tryUpdateAnchorState()` (a no-op here: the tests never need the anchor to move).
"""

struct OutputRoot:
    root: bytes32
    l2BlockNumber: uint256

anchors: public(HashMap[uint32, OutputRoot])


@deploy
def __init__(_gameType: uint32, _root: bytes32, _l2BlockNumber: uint256):
    self.anchors[_gameType] = OutputRoot(root=_root, l2BlockNumber=_l2BlockNumber)


@external
def setAnchor(_gameType: uint32, _root: bytes32, _l2BlockNumber: uint256):
    """Mock-only: anchor another game type (a test registering a new one)."""
    self.anchors[_gameType] = OutputRoot(root=_root, l2BlockNumber=_l2BlockNumber)


@external
def tryUpdateAnchorState():
    pass
