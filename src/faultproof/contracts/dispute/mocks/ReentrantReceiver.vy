#pragma version 0.4.3
"""
@title ReentrantReceiver
@notice A bond recipient that tries to claim its credit again from inside the ETH transfer,
        to prove `claimCredit` pays once. Records whether the re-entry succeeded.
"""

interface IGame:
    def claimCredit(_recipient: address): nonpayable
    def move(_disputed: bytes32, _challengeIndex: uint256, _claim: bytes32, _isAttack: bool): payable

game: public(address)
reentered: public(bool)
reentrySucceeded: public(bool)
received: public(uint256)
refuse: public(bool)


@external
def setGame(_game: address, _refuse: bool):
    self.game = _game
    self.refuse = _refuse


@payable
@external
def doMove(_disputed: bytes32, _challengeIndex: uint256, _claim: bytes32, _isAttack: bool):
    extcall IGame(self.game).move(_disputed, _challengeIndex, _claim, _isAttack, value=msg.value)


@payable
@external
def __default__():
    assert not self.refuse, "refusing ETH"
    self.received += msg.value
    if not self.reentered:
        self.reentered = True
        ok: bool = raw_call(
            self.game,
            abi_encode(self, method_id=method_id("claimCredit(address)")),
            revert_on_failure=False,
        )
        self.reentrySucceeded = ok
