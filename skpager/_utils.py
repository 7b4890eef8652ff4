"""Small helpers shared by the estimators: seeds, per-image labels and the
checks of sampling arguments."""

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from ._random import categorical, index_keys, sub_keys

# Seeds handed to sub-estimators are drawn below this bound (numpy's legacy
# RandomState and scikit-learn accept any 32-bit signed integer).
MAX_SEED = np.iinfo(np.int32).max

# Largest temperature (variance scale) a sampling step takes: a standard
# deviation ~3x the fitted one already leaves the data's range.
MAX_TEMPERATURE = 10.0


def check_positive_int(value, name):
    """Raise unless ``value`` is a positive integer (booleans are not), naming it."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def check_temperature(temperature, name="temperature"):
    """``temperature`` as a float in [0, MAX_TEMPERATURE], or a ValueError naming it."""
    try:
        value = float(temperature)
    except (TypeError, ValueError):
        value = np.nan
    if isinstance(temperature, bool) or not (0.0 <= value <= MAX_TEMPERATURE):
        raise ValueError(
            f"{name} must be a number in [0, {MAX_TEMPERATURE:g}] (0: deterministic); "
            f"got {temperature!r}."
        )
    return value


def draw_seed(rng, size=None):
    """One seed (or an array of ``size`` seeds) for a sub-estimator, from ``rng``."""
    return rng.randint(MAX_SEED, size=size) if size is not None else int(rng.randint(MAX_SEED))


def stream_seed(estimator, random_state):
    """The seed of a sampling call's stream: from ``random_state``, or the
    estimator's own ``random_state`` when it is None (one draw, so a
    RandomState instance advances once per call)."""
    rng = check_random_state(estimator.random_state if random_state is None else random_state)
    return draw_seed(rng)


def check_labels(labels, n, name="labels"):
    """None, or a 1-D array holding one label per image of a batch of ``n``."""
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"{name} must hold one label per image ({n}); got shape {labels.shape}.")
    return labels


def check_offset(offset):
    """``offset`` as a non-negative int, or a ValueError naming it."""
    if isinstance(offset, bool) or not isinstance(offset, Integral) or offset < 0:
        raise ValueError(
            f"offset must be a non-negative integer (a position in the sample stream); "
            f"got {offset!r}."
        )
    return int(offset)


def sample_batches(n_samples, batch_size, y=None):
    """Validate a batched sampling call and return its ``(start, stop, y)``
    pieces: ``y`` sliced per batch when it holds one label per sample, passed
    whole when it is one label (or None)."""
    check_positive_int(n_samples, "n_samples")
    check_positive_int(batch_size, "batch_size")
    if y is not None and np.ndim(y) > 0:
        y = np.asarray(y)
        if y.shape != (n_samples,):
            raise ValueError(
                f"y must be one label or one per sample ({n_samples}); got shape {y.shape}."
            )
    pieces = []
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        part = y[start:stop] if y is not None and np.ndim(y) > 0 else y
        pieces.append((start, stop, part))
    return pieces


def param_keys(estimator, name):
    """The keys of ``estimator.get_params(deep=True)`` naming the parameter
    ``name``: its own (``name``) first, then nested ones (``..__name``)."""
    params = estimator.get_params(deep=True)
    nested = [key for key in params if key.endswith("__" + name)]
    return ([name] if name in params else []) + nested


def seeded_clone(estimator, rng):
    """A clone of ``estimator`` whose ``random_state`` parameters left at
    None (nested ones too) are drawn from ``rng``, in sorted key order, so
    that fitting it is reproducible."""
    estimator = clone(estimator)
    params = estimator.get_params(deep=True)
    keys = sorted(param_keys(estimator, "random_state"))
    estimator.set_params(**{key: draw_seed(rng) for key in keys if params[key] is None})
    return estimator


def stream_labels(seed, offset, n, classes, prior):
    """The classes of images ``offset .. offset + n - 1`` of the stream of
    ``seed``, drawn with the shares ``prior``: each from a random number
    keyed by its position, so a batch's labels do not depend on the others."""
    keys = index_keys(seed, offset, offset + n)
    return classes[categorical(sub_keys(keys, 1), prior)]


def generated_shape(images, generator):
    """``(R, R, C)`` of a generator's images: their own n-D shape, or for flat
    output the generator's ``image_shape_`` (else a square grey guess)."""
    if images.ndim == 4:
        return tuple(int(s) for s in images.shape[1:])
    if images.ndim == 3:
        return tuple(int(s) for s in images.shape[1:]) + (1,)
    shape = getattr(generator, "image_shape_", None)
    if shape is not None and int(np.prod(shape)) == images.shape[1]:
        return tuple(int(s) for s in shape)
    side = int(round(np.sqrt(images.shape[1])))
    if side * side == images.shape[1]:
        return (side, side, 1)
    return (1, 1, images.shape[1])


def groups(assign):
    """``(value, rows)`` for every value present in the integer array
    ``assign``, in increasing order, the rows found by one stable sort (not
    one boolean mask per value)."""
    order = np.argsort(assign, kind="stable")
    values, starts = np.unique(assign[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    for value, start, end in zip(values, starts, ends, strict=True):
        yield value, order[start:end]


def fill_batches(n_samples, pieces, batches):
    """One array of ``n_samples`` images from ``batches``, the images of the
    ``(start, stop, y)`` pieces of :func:`sample_batches` in order;
    allocated with the first batch's image shape and dtype."""
    out = None
    for (start, stop, _), images in zip(pieces, batches, strict=True):
        if out is None:
            out = np.empty((n_samples,) + images.shape[1:], dtype=images.dtype)
        out[start:stop] = images
    return out


def threaded_map(function, arguments, n_jobs):
    """``function(*args)`` for every tuple of ``arguments``, in order, as a
    generator, computed in ``joblib.effective_n_jobs(n_jobs)`` threads (in
    the caller's thread, as it asks for each result, when that is one or
    there is one call).

    For work that spends its time in numpy and BLAS, which release the GIL.
    At most two calls per thread run ahead of the consumer, so memory is
    that of ``2 * n_jobs`` results.  While the threads exist BLAS and OpenMP
    run on one thread (the threads would oversubscribe the cores otherwise),
    the consumer's code between two results included; when the generator
    is closed before its end, the calls not started are cancelled and the
    running ones finished before the limits are restored.
    """
    n_jobs = effective_n_jobs(n_jobs)
    if n_jobs == 1 or len(arguments) <= 1:
        for args in arguments:
            yield function(*args)
        return
    todo = iter(arguments)
    # the pool's exit (waiting for the running calls) comes before the
    # limits' restoration: a limit set while BLAS runs in a thread is lost
    with threadpool_limits(limits=1), ThreadPoolExecutor(n_jobs) as pool:
        running = deque(pool.submit(function, *args) for args in islice(todo, 2 * n_jobs))
        try:
            while running:
                result = running.popleft().result()
                running.extend(pool.submit(function, *args) for args in islice(todo, 1))
                yield result
        finally:
            for future in running:
                future.cancel()


def nearest_centres(X, centres, chunk=1024):
    """Row of ``centres`` nearest (Euclidean) to every row of ``X``.

    The answer of a float64 search (:func:`sklearn.metrics.pairwise_distances_argmin`)
    at a lower cost: after moving the origin to the centres' mean, the
    scores ``x . c - |c|^2 / 2`` are computed in float32, chunk by chunk, and
    the rows whose best two scores are closer than the float32 rounding
    bound are scored again in float64 (as scikit-learn scores every row).
    The answer is the nearest centre up to float64 rounding.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    centres : ndarray of shape (k, d)
    chunk : int, default=1024
        Rows per chunk (memory: ``chunk * k`` float32 scores).  With 1,024
        centres a chunk of 1,024 rows (4 MB of scores) stays in the cache
        for the passes that find the best two scores
        (``benchmarks/bench_nearest_centres.py`` compares chunk sizes).

    Returns
    -------
    nearest : ndarray of shape (n,), intp
    """
    X = np.asarray(X)
    centres = np.asarray(centres, dtype=np.float64)
    n, d = X.shape
    out = np.zeros(n, dtype=np.intp)
    if len(centres) == 1 or n == 0:
        return out
    origin = centres.mean(axis=0)
    centred = centres - origin
    half = 0.5 * np.einsum("ij,ij->i", centred, centred)
    # [c, |c|^2 / 2] against [x, -1]: one float32 product gives the scores
    c_aug = np.hstack([centred, -half[:, None]]).astype(np.float32).T
    c_norm = float(np.sqrt(2 * half.max()))
    eps = float(np.finfo(np.float32).eps)
    x_aug = np.empty((min(chunk, n), d + 1), dtype=np.float32)
    for start in range(0, n, chunk):
        x = np.asarray(X[start : start + chunk], dtype=np.float64) - origin
        m = len(x)
        x_aug[:m, :d] = x
        x_aug[:m, d] = 1.0
        scores = x_aug[:m] @ c_aug
        best = scores.argmax(axis=1)
        rows = np.arange(m)
        top = scores[rows, best]
        scores[rows, best] = -np.inf
        gap = top - scores.max(axis=1)
        # rounding of two float32 scores (inputs and sums): a few eps per term
        # of |x| |c| + |c|^2 / 2
        x_norm = np.sqrt(np.einsum("ij,ij->i", x, x))
        close = np.flatnonzero(gap <= 4 * (d + 2) * eps * (x_norm * c_norm + c_norm**2))
        if len(close):
            best[close] = (x[close] @ centred.T - half).argmax(axis=1)
        out[start : start + m] = best
    return out


@contextmanager
def single_blas_thread():
    """Run the block with BLAS on one thread.

    For loops of small products and factorisations (EM over a few dozen
    dimensions, one small product per cluster): BLAS threads cost more to
    wake than such a product takes, and on a busy machine their spin-waits
    slowed a whole class-conditional core fit tenfold.  joblib already gives
    its worker processes one BLAS thread each (for ``n_jobs`` equal to the
    cores), so this also makes ``n_jobs=1`` fit the model that ``n_jobs=2``
    fits.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        yield
