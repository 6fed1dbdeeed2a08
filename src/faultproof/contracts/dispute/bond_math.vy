#pragma version 0.4.3
"""
@title Bond schedule math (spec digest section 2.10)
@notice `move` compares `msg.value` to `getRequiredBond` with exact equality, so the schedule
        must match Optimism's to the wei. Optimism computes it with Solady FixedPointMathLib;
        these internal functions redo the same integer steps (signed division truncating toward
        zero, arithmetic right shifts, wrapping where Solady's assembly is unchecked).
        `faultproof.game.bonds` is the Python twin; tests compare the two for every depth.
"""

WAD: constant(int256) = 10**18
ASSUMED_BASE_FEE: constant(uint256) = 200 * 10**9
BASE_GAS_CHARGED: constant(uint256) = 400_000
HIGH_GAS_CHARGED: constant(uint256) = 300_000_000


@internal
@pure
def _exp_wad(x_in: int256) -> int256:
    # Below this exp rounds to 0; at or above it the result overflows int256 (Solady ExpOverflow).
    if x_in <= -41446531673892822313:
        return 0
    if x_in >= 135305999368893231589:
        raw_revert(method_id("ExpOverflow()"))
    # 1e18 -> 2^96 basis: multiply by 2^96 / 1e18 = 2^78 / 5^18.
    x: int256 = unsafe_div(x_in << 78, 3814697265625)
    # exp(x) = exp(x') * 2^k with k = round(x / ln 2).
    k: int256 = unsafe_add(unsafe_div(x << 96, 54916777467707473351141471128), 2**95) >> 96
    x = unsafe_sub(x, unsafe_mul(k, 54916777467707473351141471128))
    # (6, 7)-term rational approximation; p monic in 2^192 basis.
    y: int256 = unsafe_add(x, 1346386616545796478920950773328)
    y = unsafe_add(unsafe_mul(y, x) >> 96, 57155421227552351082224309758442)
    p: int256 = unsafe_sub(unsafe_add(y, x), 94201549194550492254356042504812)
    p = unsafe_add(unsafe_mul(p, y) >> 96, 28719021644029726153956944680412240)
    p = unsafe_add(unsafe_mul(p, x), 4385272521454847904659076985693276 << 96)
    q: int256 = unsafe_sub(x, 2855989394907223263936484059900)
    q = unsafe_add(unsafe_mul(q, x) >> 96, 50020603652535783019961831881945)
    q = unsafe_sub(unsafe_mul(q, x) >> 96, 533845033583426703283633433725380)
    q = unsafe_add(unsafe_mul(q, x) >> 96, 3604857256930695427073651918091429)
    q = unsafe_sub(unsafe_mul(q, x) >> 96, 14423608567350463180887372962807573)
    q = unsafe_add(unsafe_mul(q, x) >> 96, 26449188498355588339934803723976023)
    r: int256 = unsafe_div(p, q)
    # 2^k, the scale factor and 2^96 -> 1e18 in one unsigned multiply in 2^213 basis.
    sh: uint256 = convert(unsafe_sub(195, k), uint256)
    ur: uint256 = unsafe_mul(convert(r, uint256), 3822833074963236453042738258902158003155416615667)
    return convert(ur >> sh, int256)


@internal
@pure
def _log2(x: uint256) -> uint256:
    """Index of the most significant set bit (x > 0)."""
    r: uint256 = 0
    v: uint256 = x
    if v >= 2**128:
        v = v >> 128
        r += 128
    if v >= 2**64:
        v = v >> 64
        r += 64
    if v >= 2**32:
        v = v >> 32
        r += 32
    if v >= 2**16:
        v = v >> 16
        r += 16
    if v >= 2**8:
        v = v >> 8
        r += 8
    if v >= 2**4:
        v = v >> 4
        r += 4
    if v >= 2**2:
        v = v >> 2
        r += 2
    if v >= 2:
        r += 1
    return r


@internal
@pure
def _ln_wad(x_in: int256) -> int256:
    if x_in <= 0:
        raw_revert(method_id("LnWadUndefined()"))
    r: uint256 = 255 - self._log2(convert(x_in, uint256))
    # Reduce x to (1, 2) * 2^96.
    x: int256 = convert((convert(x_in, uint256) << r) >> 159, int256)
    # (8, 8)-term rational approximation; p monic in 2^192 basis, q monic.
    p: int256 = unsafe_mul(unsafe_add(3273285459638523848632254066296, x), x) >> 96
    p = unsafe_mul(unsafe_add(24828157081833163892658089445524, p), x) >> 96
    p = unsafe_sub(unsafe_mul(unsafe_add(43456485725739037958740375743393, p), x) >> 96, 11111509109440967052023855526967)
    p = unsafe_sub(unsafe_mul(p, x) >> 96, 45023709667254063763336534515857)
    p = unsafe_sub(unsafe_mul(p, x) >> 96, 14706773417378608786704636184526)
    p = unsafe_sub(unsafe_mul(p, x), 795164235651350426258249787498 << 96)
    q: int256 = unsafe_add(5573035233440673466300451813936, x)
    q = unsafe_add(71694874799317883764090561454958, unsafe_mul(x, q) >> 96)
    q = unsafe_add(283447036172924575727196451306956, unsafe_mul(x, q) >> 96)
    q = unsafe_add(401686690394027663651624208769553, unsafe_mul(x, q) >> 96)
    q = unsafe_add(204048457590392012362485061816622, unsafe_mul(x, q) >> 96)
    q = unsafe_add(31853899698501571402653359427138, unsafe_mul(x, q) >> 96)
    q = unsafe_add(909429971244387300277376558375, unsafe_mul(x, q) >> 96)
    p = unsafe_div(p, q)
    p = unsafe_mul(1677202110996718588342820967067443963516166, p)
    k: int256 = unsafe_sub(159, convert(r, int256))
    p = unsafe_add(unsafe_mul(16597577552685614221487285958193947469193820559219878177908093499208371, k), p)
    p = unsafe_add(600920179829731861736702779321621459595472258049074101567377883020018308, p)
    return p >> 174


@internal
@pure
def _mul_wad(x: uint256, y: uint256) -> uint256:
    return x * y // 10**18


@internal
@pure
def _div_wad(x: uint256, y: uint256) -> uint256:
    return x * 10**18 // y


@internal
@pure
def _pow_wad(x: int256, y: int256) -> int256:
    return self._exp_wad(unsafe_div(unsafe_mul(self._ln_wad(x), y), WAD))


@internal
@pure
def required_bond(depth: uint256, max_game_depth: uint256) -> uint256:
    """Wei a claim at `depth` must post: 200 gwei * 400k * (750^(1/max_depth))^depth."""
    a: uint256 = HIGH_GAS_CHARGED // BASE_GAS_CHARGED
    ln_a: uint256 = convert(self._ln_wad(convert(a * 10**18, int256)), uint256)
    b_over_c: uint256 = self._div_wad(10**18, max_game_depth * 10**18)
    base: int256 = self._exp_wad(convert(self._mul_wad(ln_a, b_over_c), int256))
    raw_gas: int256 = self._pow_wad(base, convert(depth * 10**18, int256))
    required_gas: uint256 = self._mul_wad(BASE_GAS_CHARGED, convert(raw_gas, uint256))
    return ASSUMED_BASE_FEE * required_gas
