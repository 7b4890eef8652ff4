"""Fréchet distance against an independent computation."""

import numpy as np
import pytest
from scipy import linalg

from skpager.metrics import frechet_distance


def _reference(a, b):
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(ca @ cb)
    return np.sum((a.mean(0) - b.mean(0)) ** 2) + np.trace(ca + cb - 2 * np.real(root))


def test_matches_scipy_sqrtm_formula():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 6))
    b = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6)) + 2
    assert frechet_distance(a, b) == pytest.approx(_reference(a, b), rel=1e-8)


def test_self_distance_is_zero_and_singular_covariances_are_fine():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 3)) @ rng.normal(size=(3, 20))  # rank 3 in 20-d
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-8)
    b = a + 1.0
    assert frechet_distance(a, b) == pytest.approx(20.0, rel=1e-6)


def test_bad_shapes():
    with pytest.raises(ValueError, match="same number of columns"):
        frechet_distance(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(np.zeros((1, 2)), np.zeros((5, 2)))
