"""Keccak-256 of two 32-byte nodes, compiled with numba.

Merkle-izing memory is almost all hashing of ``left || right`` pairs, so it is the one hash that has to
run without the interpreter in the way. Hashes are kept as four little-endian 64-bit lanes
(``uint64[4]``): that is exactly how Keccak absorbs bytes, so a node pair is the first eight lanes of
the sponge with no byte shuffling at all, and raw memory (viewed as ``uint64``) is already in lane form.
"""

import numpy as np
from numba import njit

_ROUND_CONSTANTS = np.array(
    [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ],
    dtype=np.uint64,
)  # fmt: skip


@njit(cache=True, inline="always")
def _rotl(x: np.uint64, n: int) -> np.uint64:
    return (x << np.uint64(n)) | (x >> np.uint64(64 - n))


@njit(cache=True, inline="always")
def keccak_round(s: tuple[np.uint64, ...], rc: np.uint64) -> tuple[np.uint64, ...]:
    """One Keccak-f[1600] round (theta, rho, pi, chi, iota) on 25 lanes, lane ``aXY`` at x + 5y."""
    (a00, a10, a20, a30, a40, a01, a11, a21, a31, a41, a02, a12, a22, a32, a42,
     a03, a13, a23, a33, a43, a04, a14, a24, a34, a44) = s  # fmt: skip
    c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04
    c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14
    c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24
    c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34
    c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44
    d0 = c4 ^ _rotl(c1, 1)
    d1 = c0 ^ _rotl(c2, 1)
    d2 = c1 ^ _rotl(c3, 1)
    d3 = c2 ^ _rotl(c4, 1)
    d4 = c3 ^ _rotl(c0, 1)
    b00 = a00 ^ d0
    b13 = _rotl(a01 ^ d0, 36)
    b21 = _rotl(a02 ^ d0, 3)
    b34 = _rotl(a03 ^ d0, 41)
    b42 = _rotl(a04 ^ d0, 18)
    b02 = _rotl(a10 ^ d1, 1)
    b10 = _rotl(a11 ^ d1, 44)
    b23 = _rotl(a12 ^ d1, 10)
    b31 = _rotl(a13 ^ d1, 45)
    b44 = _rotl(a14 ^ d1, 2)
    b04 = _rotl(a20 ^ d2, 62)
    b12 = _rotl(a21 ^ d2, 6)
    b20 = _rotl(a22 ^ d2, 43)
    b33 = _rotl(a23 ^ d2, 15)
    b41 = _rotl(a24 ^ d2, 61)
    b01 = _rotl(a30 ^ d3, 28)
    b14 = _rotl(a31 ^ d3, 55)
    b22 = _rotl(a32 ^ d3, 25)
    b30 = _rotl(a33 ^ d3, 21)
    b43 = _rotl(a34 ^ d3, 56)
    b03 = _rotl(a40 ^ d4, 27)
    b11 = _rotl(a41 ^ d4, 20)
    b24 = _rotl(a42 ^ d4, 39)
    b32 = _rotl(a43 ^ d4, 8)
    b40 = _rotl(a44 ^ d4, 14)
    return (
        b00 ^ (~b10 & b20) ^ rc, b10 ^ (~b20 & b30), b20 ^ (~b30 & b40), b30 ^ (~b40 & b00),
        b40 ^ (~b00 & b10),
        b01 ^ (~b11 & b21), b11 ^ (~b21 & b31), b21 ^ (~b31 & b41), b31 ^ (~b41 & b01),
        b41 ^ (~b01 & b11),
        b02 ^ (~b12 & b22), b12 ^ (~b22 & b32), b22 ^ (~b32 & b42), b32 ^ (~b42 & b02),
        b42 ^ (~b02 & b12),
        b03 ^ (~b13 & b23), b13 ^ (~b23 & b33), b23 ^ (~b33 & b43), b33 ^ (~b43 & b03),
        b43 ^ (~b03 & b13),
        b04 ^ (~b14 & b24), b14 ^ (~b24 & b34), b24 ^ (~b34 & b44), b34 ^ (~b44 & b04),
        b44 ^ (~b04 & b14),
    )  # fmt: skip


@njit(cache=True, inline="always")
def keccak_pair(
    l0: np.uint64,
    l1: np.uint64,
    l2: np.uint64,
    l3: np.uint64,
    r0: np.uint64,
    r1: np.uint64,
    r2: np.uint64,
    r3: np.uint64,
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """keccak256(left || right) on lanes: 24 :func:`keccak_round` over scalar lanes.

    The 64 input bytes fill lanes 0..7; padding puts 0x01 at byte 64 (lane 8 = a31) and 0x80 at
    byte 135 (lane 16 = a13).
    """
    z = np.uint64(0)
    s: tuple[np.uint64, ...] = (
        l0, l1, l2, l3, r0, r1, r2, r3, np.uint64(1), z, z, z, z, z, z, z,
        np.uint64(0x8000000000000000), z, z, z, z, z, z, z, z,
    )  # fmt: skip
    for rnd in range(24):
        s = keccak_round(s, _ROUND_CONSTANTS[rnd])
    return s[0], s[1], s[2], s[3]


@njit(cache=True)
def hash_pair(left: np.ndarray, right: np.ndarray, out: np.ndarray, st: np.ndarray) -> None:
    """out = keccak256(left || right); all three are uint64[4] lane arrays (``st`` is unused scratch)."""
    o = keccak_pair(left[0], left[1], left[2], left[3], right[0], right[1], right[2], right[3])
    out[0], out[1], out[2], out[3] = o


def lanes_to_bytes(lanes: np.ndarray) -> bytes:
    """Turn a uint64[4] little-endian lane array back into the 32-byte hash."""
    return np.ascontiguousarray(lanes, dtype="<u8").tobytes()


def bytes_to_lanes(data: bytes) -> np.ndarray:
    """Turn 32 bytes into the uint64[4] little-endian lane form used by the Merkle code."""
    if len(data) != 32:
        raise ValueError(f"expected 32 bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)
