"""Required bond per position (spec digest §2.10), with the on-chain integer math.

`move` checks `msg.value == getRequiredBond(next)` with exact equality, so a bond off by one
wei reverts. The contract computes the bond with Solady's `FixedPointMathLib` (`lnWad`,
`expWad`, `powWad`, `mulWad`, `divWad`); the functions below redo the same integer steps in
Python: truncating signed division where the EVM uses `sdiv`, floor shifts where it uses
`sar`/`>>` on int256. The rational-approximation constants are facts of that algorithm
(Remco Bloemen's exp/ln), restated here.
"""

from __future__ import annotations

from functools import cache

from faultproof.errors import FaultproofError

WAD = 10**18
ASSUMED_BASE_FEE = 200 * 10**9
"""200 gwei: the base fee the bond schedule assumes (§2.10)."""
BASE_GAS_CHARGED = 400_000
HIGH_GAS_CHARGED = 300_000_000


class LnWadUndefined(FaultproofError):
    """ln of a non-positive number (Solady `LnWadUndefined`)."""


class ExpOverflow(FaultproofError):
    """exp result does not fit int256 (Solady `ExpOverflow`)."""


class MulWadFailed(FaultproofError):
    """mulWad overflowed uint256."""


class DivWadFailed(FaultproofError):
    """divWad overflowed or divided by zero."""


_UINT256_MAX = (1 << 256) - 1


def _sdiv(a: int, b: int) -> int:
    """EVM signed division: truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def mul_wad(x: int, y: int) -> int:
    """`(x * y) / WAD` rounded down, reverting on uint256 overflow."""
    if y != 0 and x > _UINT256_MAX // y:
        raise MulWadFailed(f"mulWad({x}, {y}) overflows uint256")
    return (x * y) // WAD


def div_wad(x: int, y: int) -> int:
    """`(x * WAD) / y` rounded down, reverting on zero divisor or overflow."""
    if y == 0 or x > _UINT256_MAX // WAD:
        raise DivWadFailed(f"divWad({x}, {y}) is undefined")
    return (x * WAD) // y


def exp_wad(x: int) -> int:
    """`exp(x)` for a WAD-scaled signed x, in WAD. Mirrors Solady `expWad` step for step."""
    if x <= -41446531673892822313:
        return 0
    if x >= 135305999368893231589:
        raise ExpOverflow(f"expWad({x}) does not fit int256")
    # Base conversion 1e18 -> 2^96 is a multiplication by 5^18 / 2^78.
    x = _sdiv(x << 78, 5**18)
    # Range reduction exp(x) = exp(x') * 2^k with k = round(x / ln 2).
    k = (_sdiv(x << 96, 54916777467707473351141471128) + 2**95) >> 96
    x = x - k * 54916777467707473351141471128
    # (6, 7)-term rational approximation; p is monic and left in 2^192 basis.
    y = x + 1346386616545796478920950773328
    y = ((y * x) >> 96) + 57155421227552351082224309758442
    p = y + x - 94201549194550492254356042504812
    p = ((p * y) >> 96) + 28719021644029726153956944680412240
    p = p * x + (4385272521454847904659076985693276 << 96)
    q = x - 2855989394907223263936484059900
    q = ((q * x) >> 96) + 50020603652535783019961831881945
    q = ((q * x) >> 96) - 533845033583426703283633433725380
    q = ((q * x) >> 96) + 3604857256930695427073651918091429
    q = ((q * x) >> 96) - 14423608567350463180887372962807573
    q = ((q * x) >> 96) + 26449188498355588339934803723976023
    r = _sdiv(p, q)
    # Scale factor, 2^k and the 2^96 -> 1e18 conversion, all in one 2^213-basis multiply.
    return ((r & _UINT256_MAX) * 3822833074963236453042738258902158003155416615667) >> (195 - k)


def ln_wad(x: int) -> int:
    """`ln(x)` for a WAD-scaled positive x, in WAD. Mirrors Solady `lnWad` step for step."""
    if x <= 0:
        raise LnWadUndefined(f"lnWad({x}) is undefined for non-positive input")
    r = 255 - (x.bit_length() - 1)  # 255 - log2(x); k = log2(x) - 96 = 159 - r
    # Reduce x to (1, 2) * 2^96.
    x = ((x << r) & _UINT256_MAX) >> 159
    # (8, 8)-term rational approximation; p monic in 2^192 basis, q monic.
    p = (((3273285459638523848632254066296 + x) * x) >> 96)
    p = (((24828157081833163892658089445524 + p) * x) >> 96)
    p = (((43456485725739037958740375743393 + p) * x) >> 96) - 11111509109440967052023855526967
    p = ((p * x) >> 96) - 45023709667254063763336534515857
    p = ((p * x) >> 96) - 14706773417378608786704636184526
    p = p * x - (795164235651350426258249787498 << 96)
    q = 5573035233440673466300451813936 + x
    q = 71694874799317883764090561454958 + ((x * q) >> 96)
    q = 283447036172924575727196451306956 + ((x * q) >> 96)
    q = 401686690394027663651624208769553 + ((x * q) >> 96)
    q = 204048457590392012362485061816622 + ((x * q) >> 96)
    q = 31853899698501571402653359427138 + ((x * q) >> 96)
    q = 909429971244387300277376558375 + ((x * q) >> 96)
    p = _sdiv(p, q)
    p = 1677202110996718588342820967067443963516166 * p
    p = 16597577552685614221487285958193947469193820559219878177908093499208371 * (159 - r) + p
    p = 600920179829731861736702779321621459595472258049074101567377883020018308 + p
    return p >> 174


def pow_wad(x: int, y: int) -> int:
    """`x^y` as `exp(ln(x) * y)`, both WAD-scaled (Solady `powWad`)."""
    return exp_wad(_sdiv(ln_wad(x) * y, WAD))


@cache
def required_bond_at_depth(depth: int, max_game_depth: int) -> int:
    """Bond in wei for a claim at `depth`: `200 gwei * mulWad(400k, base^depth)`.

    `base = 750^(1/max_game_depth)`, so the bond grows geometrically from 0.08 ETH at the
    root to about 60 ETH at the deepest claim on mainnet (depth 73): deeper claims are
    more expensive to counter (a step can cost many transactions), and a larger bond keeps
    a richer attacker from cheaply exhausting the honest side.
    """
    a = HIGH_GAS_CHARGED // BASE_GAS_CHARGED
    ln_a = ln_wad(a * WAD)
    b_over_c = div_wad(WAD, max_game_depth * WAD)
    numerator = mul_wad(ln_a, b_over_c)
    base = exp_wad(numerator)
    raw_gas = pow_wad(base, depth * WAD)
    required_gas = mul_wad(BASE_GAS_CHARGED, raw_gas)
    return ASSUMED_BASE_FEE * required_gas
