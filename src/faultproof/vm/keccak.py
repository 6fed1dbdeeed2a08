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

# Rotation offsets for the rho step, indexed by lane x + 5*y.
_RHO = np.array(
    [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14],
    dtype=np.uint64,
)
# Destination of lane i under pi: (x, y) -> (y, 2x + 3y).
_PI = np.array(
    [0, 10, 20, 5, 15, 16, 1, 11, 21, 6, 7, 17, 2, 12, 22, 23, 8, 18, 3, 13, 14, 24, 9, 19, 4],
    dtype=np.int64,
)


@njit(cache=True, inline="always")
def _rotl(x: np.uint64, n: np.uint64) -> np.uint64:
    n = n & np.uint64(63)
    if n == 0:
        return x
    return (x << n) | (x >> (np.uint64(64) - n))


@njit(cache=True)
def keccak_f1600(a: np.ndarray) -> None:
    """The Keccak-f[1600] permutation over 25 uint64 lanes, in place."""
    c = np.empty(5, dtype=np.uint64)
    b = np.empty(25, dtype=np.uint64)
    for rnd in range(24):
        for x in range(5):
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20]
        for x in range(5):
            d = c[(x + 4) % 5] ^ _rotl(c[(x + 1) % 5], np.uint64(1))
            for y in range(0, 25, 5):
                a[x + y] ^= d
        for i in range(25):
            b[_PI[i]] = _rotl(a[i], _RHO[i])
        for y in range(0, 25, 5):
            for x in range(5):
                a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y])
        a[0] ^= _ROUND_CONSTANTS[rnd]


@njit(cache=True)
def hash_pair(left: np.ndarray, right: np.ndarray, out: np.ndarray, st: np.ndarray) -> None:
    """out = keccak256(left || right); all three are uint64[4] lane arrays, ``st`` is scratch[25]."""
    for i in range(25):
        st[i] = 0
    for i in range(4):
        st[i] = left[i]
        st[4 + i] = right[i]
    # 64 bytes absorbed into a 136-byte rate: pad byte 0x01 at offset 64, 0x80 at offset 135.
    st[8] = np.uint64(0x01)
    st[16] = np.uint64(0x8000000000000000)
    keccak_f1600(st)
    for i in range(4):
        out[i] = st[i]


def lanes_to_bytes(lanes: np.ndarray) -> bytes:
    """Turn a uint64[4] little-endian lane array back into the 32-byte hash."""
    return np.ascontiguousarray(lanes, dtype="<u8").tobytes()


def bytes_to_lanes(data: bytes) -> np.ndarray:
    """Turn 32 bytes into the uint64[4] little-endian lane form used by the Merkle code."""
    if len(data) != 32:
        raise ValueError(f"expected 32 bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)
