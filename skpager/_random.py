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
_STEPS = 2.0**20  # pixels hash as multiples of 2**-20
_RANGE = 2.0**40  # |values| beyond this hash as +-2**40 (no int64 overflow)


def _mix(x):
    """SplitMix64's finaliser, elementwise on a uint64 array (wrapping)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def image_keys(images, seed):
    """One uint64 key per image, from its pixels and ``seed``.

    Each pixel is rounded to float32 (so an image passed as float64 or as
    its float32 copy gets the same key) and then to the nearest multiple of
    ``2**-20``; the multiples are hashed.  A pixel that floating-point
    rounding moved by ``d`` (a product summed in another order for another
    batch size, ``d`` about ``1e-16``) changes its multiple with probability
    about ``d * 2**20``, whatever its size: hashing the float32 bits
    themselves would change the key whenever ``d`` crossed a float32
    rounding boundary, and those lie ``1e-13`` apart for pixels near
    ``1e-6``.  Values within ``2**-21`` of zero, and ``-0.0``, hash as zero.

    Parameters
    ----------
    images : ndarray of shape (n, ...)
    seed : int

    Returns
    -------
    keys : ndarray of shape (n,), uint64
    """
    values = np.array(images, dtype=np.float32).reshape(len(images), -1).astype(np.float64)
    # exact in float64: a float32 value times a power of two
    grid = np.rint(np.clip(values, -_RANGE, _RANGE) * _STEPS).astype(np.int64)
    bits = grid.view(np.uint64)
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


def index_keys(seed, start, stop):
    """One uint64 key per position ``start .. stop - 1`` of the stream of ``seed``.

    The key of a position depends on the seed and the position only, so a
    stream produced in pieces of any size gives the same keys.

    Parameters
    ----------
    seed : int
    start, stop : int

    Returns
    -------
    keys : ndarray of shape (stop - start,), uint64
    """
    with np.errstate(over="ignore"):
        base = _mix(np.uint64(int(seed) % (1 << 64)) ^ _M2)
        positions = np.arange(start, stop, dtype=np.uint64) + np.uint64(1)
        return _mix(base + positions * _GOLDEN)


def sub_keys(keys, tag):
    """Independent keys derived from ``keys`` for the purpose numbered ``tag``
    (so that one image's class, component and noise use separate streams)."""
    with np.errstate(over="ignore"):
        return _mix(keys ^ _mix(np.uint64(tag) * _GOLDEN + _M1))


def uniform(keys):
    """One number in [0, 1) per key."""
    with np.errstate(over="ignore"):
        bits = _mix(keys + _GOLDEN)
    return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53


def categorical(keys, probabilities):
    """One category per key, drawn with ``probabilities`` (inverse CDF of
    :func:`uniform`)."""
    cumulative = np.cumsum(probabilities, dtype=np.float64)
    draws = np.searchsorted(cumulative / cumulative[-1], uniform(keys), side="right")
    return np.minimum(draws, len(cumulative) - 1)


def part_keys(keys, n_parts, tag=0):
    """Keys of ``n_parts`` parts of every keyed item (e.g. the windows of an
    image), item-major: row ``i * n_parts + j`` is part ``j`` of item ``i``.
    ``tag`` separates families of parts (e.g. the levels of a model)."""
    with np.errstate(over="ignore"):
        parts = np.arange(1, n_parts + 1, dtype=np.uint64) + np.uint64(tag) * np.uint64(n_parts)
        return _mix(
            np.repeat(sub_keys(keys, 1000 + tag), n_parts) + np.tile(parts, len(keys)) * _M2
        )
