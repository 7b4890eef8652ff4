"""Small helpers shared by the estimators: seeds, per-image labels and the
checks of sampling arguments."""

from numbers import Integral

import numpy as np

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
