"""Data and a small generator shared by the tests of the wrappers
(DensityRatioResampler, SubspaceRefiner)."""

import numpy as np

from skpager import PAGER, GMMCoreGenerator


def two_class_images(n=120, side=8, seed=0):
    """Bright squares on a dark background (class 0) and dark ones on a bright
    background (class 1), with noise: two classes any generator can tell apart."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    X = rng.rand(n, side, side) * 0.2
    X[:, 2:6, 2:6] += 0.7
    X[y == 1] = 1.0 - X[y == 1]
    return np.clip(X, 0, 1), y


def small_pager():
    """A PAGER small enough to fit in a fraction of a second on those images."""
    return PAGER(GMMCoreGenerator(resolution=4, n_components=2, max_iter=20), random_state=0)
