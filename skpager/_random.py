"""Per-image random numbers: each image's draws depend on its content and the seed only.

A generator shared by a batch hands out numbers in batch order, so an image's
draw would change with its position and its batch partners.  Here every
image gets a 64-bit key hashed from its own pixels and the call's seed, and
its numbers come from a counter-based generator (SplitMix64 over
``key + counter``), vectorised over the batch with numpy's wrapping uint64
arithmetic.
"""

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _mix(x):
    """SplitMix64's finaliser, elementwise on a uint64 array (wrapping)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def image_keys(images, seed):
    """One uint64 key per image, from its pixels and ``seed``.

    The pixels are hashed as float32 values, so an image passed as float64
    or as float32 gets the same key.

    Parameters
    ----------
    images : ndarray of shape (n, ...)
    seed : int

    Returns
    -------
    keys : ndarray of shape (n,), uint64
    """
    bits = np.ascontiguousarray(images, dtype=np.float32).reshape(len(images), -1)
    bits = bits.view(np.uint32).astype(np.uint64)
    seed = np.uint64(int(seed) % (1 << 64))
    with np.errstate(over="ignore"):
        weights = _mix(np.arange(1, bits.shape[1] + 1, dtype=np.uint64) * _GOLDEN + seed)
        folded = (_mix(bits ^ weights) * weights).sum(axis=1, dtype=np.uint64)
        return _mix(folded + seed * _GOLDEN)


def standard_normal(keys, size):
    """``(len(keys), size)`` standard normal numbers, row ``i`` from ``keys[i]``
    only (Box-Muller over two SplitMix64 streams)."""
    counters = np.arange(size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        base = keys[:, None] + (2 * counters + 1) * _GOLDEN
        a, b = _mix(base), _mix(base + _GOLDEN)
    scale = 2.0**-53
    u1 = ((a >> np.uint64(11)).astype(np.float64) + 1.0) * scale  # (0, 1]
    u2 = (b >> np.uint64(11)).astype(np.float64) * scale  # [0, 1)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
