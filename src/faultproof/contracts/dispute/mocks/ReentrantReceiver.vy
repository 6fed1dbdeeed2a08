#pragma version 0.4.3
"""
@title ReentrantReceiver
@notice A bond recipient that tries to take its money twice from inside the ETH transfer.
        Mode 0 re-enters `FaultDisputeGame.claimCredit(self)`; mode 1 plays a game's part
        towards DelayedWETH (deposit, unlock for itself, withdraw) and re-enters
        `DelayedWETH.withdraw(self, wad)`. Records whether the re-entry succeeded.
"""

interface IGame:
    def claimCredit(_recipient: address): nonpayable
    def move(_disputed: bytes32, _challengeIndex: uint256, _claim: bytes32, _isAttack: bool): payable

interface IWETH:
    def deposit(): payable
    def unlock(_guy: address, _wad: uint256): nonpayable
    def withdraw(_guy: address, _wad: uint256): nonpayable

game: public(address)
weth: public(address)
mode: public(uint8)
reentered: public(bool)
reentrySucceeded: public(bool)
received: public(uint256)
refuse: public(bool)
lastWithdrawal: uint256


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
def wethDepositAndUnlock(_weth: address):
    """Mode 1: deposit msg.value into DelayedWETH and unlock it for this contract itself."""
    self.weth = _weth
    self.mode = 1
    extcall IWETH(_weth).deposit(value=msg.value)
    extcall IWETH(_weth).unlock(self, msg.value)


@external
def wethWithdraw(_wad: uint256):
    self.lastWithdrawal = _wad
    extcall IWETH(self.weth).withdraw(self, _wad)


@payable
@external
def __default__():
    assert not self.refuse, "refusing ETH"
    self.received += msg.value
    if not self.reentered:
        self.reentered = True
        data: Bytes[68] = abi_encode(self, method_id=method_id("claimCredit(address)"))
        target: address = self.game
        if self.mode == 1:
            data = abi_encode(self, self.lastWithdrawal,
                              method_id=method_id("withdraw(address,uint256)"))
            target = self.weth
        ok: bool = raw_call(target, data, revert_on_failure=False)
        self.reentrySucceeded = ok
