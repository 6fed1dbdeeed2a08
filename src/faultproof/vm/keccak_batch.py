"""keccak256 of sixteen 64-byte messages at once: the Merkle tree's bulk hash.

A state hash after a long run hashes millions of node pairs (a fully written 4 KiB page alone is
127), so this loop sets how fast a 100 MB memory commits. It is the same Keccak-f[1600] as
:func:`faultproof.vm.keccak.keccak_round`, arranged for the vectorizer and the register file:

* **Columns.** The batch is lane-major: lane ``q`` of message ``k`` is ``st[q * BATCH + k]``. Every
  lane operation becomes a loop over the sixteen columns, which LLVM turns into AVX2 instructions on
  four messages at a time (with 4 or 8 columns it kept the loop scalar, hence 16).
* **Plane by plane.** One pass over the columns computes one round, reading the state from one half
  of ``st`` and writing the other. After theta's five column parities ``C`` and their mixes ``D``,
  each output plane (five lanes) needs just five input lanes, rotated and combined by chi, so at any
  moment only ``D``, the five plane lanes and a temporary are live: sixteen AVX2 registers hold
  them. The textbook order (all 25 rho/pi lanes, then chi) keeps ~35 values live and spilled a
  third of its instructions to the stack: ~166 ns per hash against ~132 ns here (one core of the
  2-core EPYC dev machine, `bench/vm_speed.py` has the end-to-end figures).
* **Padding as constants.** Every message is exactly 64 bytes, so the first round takes lanes 8..24
  as the padding constants (0x01 at byte 64 = lane 8, 0x80 at byte 135 = lane 16, zeros elsewhere)
  instead of loading them: callers fill lanes 0..7 only. The last round computes only the four
  lanes of the digest.
* **Called through a pointer.** The kernel is a C-ABI function (:func:`kernel_address`) that
  numba code calls by address (:func:`run_kernel`), never a plain ``@njit`` callee. numba links a
  callee's optimized IR into every caller and optimizes the caller's module again; that second
  pass turns theta's re-loads of the input lanes into values kept across the round, which spill
  (35 stack accesses per vector round against 5). A process that compiled the kernel itself still
  ran the good copy (calls resolved to the callee's own, once-optimized code), but one loading
  the callers from numba's disk cache ran the re-optimized copy: 160 against 136 ns per hash.
  Called by address, the once-optimized code is the only copy, cached or not.
"""

import functools

import numpy as np
from llvmlite import ir
from numba import cfunc, njit, types
from numba.extending import intrinsic
from numba.np.numpy_support import carray

from faultproof.vm.keccak import _ROUND_CONSTANTS

BATCH = 16
"""Messages hashed by one :func:`keccak_batch` call."""

SCRATCH = 25 * BATCH + 8
"""Where the scratch half starts: after the state (25 lanes x BATCH) and a one-cache-line gap."""
STATE_LANES = SCRATCH + 25 * BATCH
"""Size of the uint64 array :func:`keccak_batch` works in: the state, a gap, as much scratch."""

_PAD_FIRST = np.uint64(0x01)  # lane 8: the 0x01 right after a 64-byte message
_PAD_LAST = np.uint64(0x8000000000000000)  # lane 16: the 0x80 closing the 136-byte block


@njit(cache=True)
def new_batch() -> np.ndarray:
    """A zeroed work array for :func:`keccak_batch`, starting on a 64-byte boundary.

    The AVX2 loads and stores are 32 bytes wide; with the array at an odd 16-byte offset a quarter
    of them would straddle cache lines.
    """
    raw = np.zeros(STATE_LANES + 8, dtype=np.uint64)
    skip = (-(raw.ctypes.data >> 3)) & 7
    return raw[skip : skip + STATE_LANES]


@njit(cache=True, inline="always")
def _lane(st: np.ndarray, src: int, q: int, k: int, first: bool) -> np.uint64:
    """Lane ``q`` of message ``k``; before the first round, lanes past the message are padding."""
    if first and q >= 8:
        if q == 8:
            return _PAD_FIRST
        if q == 16:
            return _PAD_LAST
        return np.uint64(0)
    return st[src + q * BATCH + k]


@njit(cache=True, inline="always")
def _rotl(x: np.uint64, n: int) -> np.uint64:
    return (x << np.uint64(n)) | (x >> np.uint64(64 - n))


@njit(cache=True, inline="always")
def _round(st: np.ndarray, src: int, dst: int, rc: np.uint64, first: bool, last: bool) -> None:
    """One round from ``src`` into ``dst`` for every column; lane ``aXY`` is at index x + 5y.

    Output plane y is chi over ``b[x, y] = rotl(a[x', y'] ^ D[x'], r[x', y'])`` with
    (x, y) = (y', 2x' + 3y') (rho and pi); each block below lists its five sources in x order.
    ``first`` and ``last`` are compile-time constants (see the module docstring).
    """
    for k in range(BATCH):

        def a(q: int) -> np.uint64:  # called within this iteration only: k is always current
            return _lane(st, src, q, k, first)  # noqa: B023

        c0 = a(0) ^ a(5) ^ a(10) ^ a(15) ^ a(20)
        c1 = a(1) ^ a(6) ^ a(11) ^ a(16) ^ a(21)
        c2 = a(2) ^ a(7) ^ a(12) ^ a(17) ^ a(22)
        c3 = a(3) ^ a(8) ^ a(13) ^ a(18) ^ a(23)
        c4 = a(4) ^ a(9) ^ a(14) ^ a(19) ^ a(24)
        d0 = c4 ^ _rotl(c1, 1)
        d1 = c0 ^ _rotl(c2, 1)
        d2 = c1 ^ _rotl(c3, 1)
        d3 = c2 ^ _rotl(c4, 1)
        d4 = c3 ^ _rotl(c0, 1)
        # plane 0 <- a00 a11 a22 a33 a44; iota on lane 0
        b0 = a(0) ^ d0
        b1 = _rotl(a(6) ^ d1, 44)
        b2 = _rotl(a(12) ^ d2, 43)
        b3 = _rotl(a(18) ^ d3, 21)
        b4 = _rotl(a(24) ^ d4, 14)
        st[dst + 0 * BATCH + k] = b0 ^ (~b1 & b2) ^ rc
        st[dst + 1 * BATCH + k] = b1 ^ (~b2 & b3)
        st[dst + 2 * BATCH + k] = b2 ^ (~b3 & b4)
        st[dst + 3 * BATCH + k] = b3 ^ (~b4 & b0)
        if last:  # the digest is lanes 0..3
            continue
        st[dst + 4 * BATCH + k] = b4 ^ (~b0 & b1)
        # plane 1 <- a30 a41 a02 a13 a24
        b0 = _rotl(a(3) ^ d3, 28)
        b1 = _rotl(a(9) ^ d4, 20)
        b2 = _rotl(a(10) ^ d0, 3)
        b3 = _rotl(a(16) ^ d1, 45)
        b4 = _rotl(a(22) ^ d2, 61)
        st[dst + 5 * BATCH + k] = b0 ^ (~b1 & b2)
        st[dst + 6 * BATCH + k] = b1 ^ (~b2 & b3)
        st[dst + 7 * BATCH + k] = b2 ^ (~b3 & b4)
        st[dst + 8 * BATCH + k] = b3 ^ (~b4 & b0)
        st[dst + 9 * BATCH + k] = b4 ^ (~b0 & b1)
        # plane 2 <- a10 a21 a32 a43 a04
        b0 = _rotl(a(1) ^ d1, 1)
        b1 = _rotl(a(7) ^ d2, 6)
        b2 = _rotl(a(13) ^ d3, 25)
        b3 = _rotl(a(19) ^ d4, 8)
        b4 = _rotl(a(20) ^ d0, 18)
        st[dst + 10 * BATCH + k] = b0 ^ (~b1 & b2)
        st[dst + 11 * BATCH + k] = b1 ^ (~b2 & b3)
        st[dst + 12 * BATCH + k] = b2 ^ (~b3 & b4)
        st[dst + 13 * BATCH + k] = b3 ^ (~b4 & b0)
        st[dst + 14 * BATCH + k] = b4 ^ (~b0 & b1)
        # plane 3 <- a40 a01 a12 a23 a34
        b0 = _rotl(a(4) ^ d4, 27)
        b1 = _rotl(a(5) ^ d0, 36)
        b2 = _rotl(a(11) ^ d1, 10)
        b3 = _rotl(a(17) ^ d2, 15)
        b4 = _rotl(a(23) ^ d3, 56)
        st[dst + 15 * BATCH + k] = b0 ^ (~b1 & b2)
        st[dst + 16 * BATCH + k] = b1 ^ (~b2 & b3)
        st[dst + 17 * BATCH + k] = b2 ^ (~b3 & b4)
        st[dst + 18 * BATCH + k] = b3 ^ (~b4 & b0)
        st[dst + 19 * BATCH + k] = b4 ^ (~b0 & b1)
        # plane 4 <- a20 a31 a42 a03 a14
        b0 = _rotl(a(2) ^ d2, 62)
        b1 = _rotl(a(8) ^ d3, 55)
        b2 = _rotl(a(14) ^ d4, 39)
        b3 = _rotl(a(15) ^ d0, 41)
        b4 = _rotl(a(21) ^ d1, 2)
        st[dst + 20 * BATCH + k] = b0 ^ (~b1 & b2)
        st[dst + 21 * BATCH + k] = b1 ^ (~b2 & b3)
        st[dst + 22 * BATCH + k] = b2 ^ (~b3 & b4)
        st[dst + 23 * BATCH + k] = b3 ^ (~b4 & b0)
        st[dst + 24 * BATCH + k] = b4 ^ (~b0 & b1)


def _keccak_kernel(lanes):  # type: ignore[no-untyped-def]
    """The kernel behind :func:`kernel_address`: all 24 rounds on the work array at ``lanes``.

    Rounds alternate between the two halves of the array; 24 is even, so the digest lands in the
    first half.
    """
    st = carray(lanes, (STATE_LANES,))
    state = 0
    scratch = SCRATCH
    _round(st, state, scratch, _ROUND_CONSTANTS[0], True, False)
    _round(st, scratch, state, _ROUND_CONSTANTS[1], False, False)
    for rnd in range(2, 22, 2):
        _round(st, state, scratch, _ROUND_CONSTANTS[rnd], False, False)
        _round(st, scratch, state, _ROUND_CONSTANTS[rnd + 1], False, False)
    _round(st, state, scratch, _ROUND_CONSTANTS[22], False, False)
    _round(st, scratch, state, _ROUND_CONSTANTS[23], False, True)


@functools.cache
def kernel_address() -> int:
    """Address of the compiled kernel, ``void keccak_batch(uint64_t *st)`` (``st`` as for
    :func:`keccak_batch`), for :func:`run_kernel`. Compiled, or loaded from numba's on-disk cache,
    on the first call (a cold compile takes about a minute)."""
    signature = types.void(types.CPointer(types.uint64))  # type: ignore[no-untyped-call]
    address = cfunc(signature, cache=True)(_keccak_kernel).address
    assert address is not None
    return int(address)


@intrinsic
def _call_kernel(typingctx, address, st):  # type: ignore[no-untyped-def]
    """Call the C function at ``address`` with the data pointer of ``st`` (uint64[::1])."""
    if not (
        isinstance(address, types.Integer)
        and isinstance(st, types.Array)
        and st.dtype == types.uint64
        and st.ndim == 1
        and st.layout == "C"
    ):
        return None

    def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
        data = context.make_array(sig.args[1])(context, builder, value=args[1]).data
        function = builder.inttoptr(
            args[0], ir.FunctionType(ir.VoidType(), [data.type]).as_pointer()
        )
        builder.call(function, [data])
        return context.get_dummy_value()

    return types.void(address, st), codegen


@njit(cache=True, inline="always")
def run_kernel(kernel: int, st: np.ndarray) -> None:
    """keccak_batch(st) inside numba code; ``kernel`` is :func:`kernel_address`, passed down by
    the Python caller (an address is only valid in the process that compiled or loaded it)."""
    if st.shape[0] < STATE_LANES:
        raise ValueError("keccak_batch: the work array is shorter than STATE_LANES")
    _call_kernel(kernel, st)  # type: ignore[call-arg]


@njit(cache=True)
def _keccak_batch(kernel: int, st: np.ndarray) -> None:
    run_kernel(kernel, st)


def keccak_batch(st: np.ndarray) -> None:
    """keccak256 of BATCH 64-byte messages, in place in ``st`` (uint64[STATE_LANES], contiguous).

    Callers put message k's eight lanes at ``st[q * BATCH + k]`` (q < 8); its digest comes back in
    lanes q < 4. Everything else in ``st`` is scratch and need not be cleared. From numba code use
    :func:`run_kernel`.
    """
    _keccak_batch(kernel_address(), st)
