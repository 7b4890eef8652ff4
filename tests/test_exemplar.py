"""ExemplarEnhancer: what it stores, what it copies, and from where."""

import numpy as np
import pytest

from skpager import ExemplarEnhancer
from skpager._image import pad_images, resize, to_windows
from skpager.datasets import load_demo


@pytest.fixture(scope="module")
def pairs():
    train, test = load_demo(), load_demo("test")
    X = pad_images(train.images[:200], 32, 32)
    X_test = pad_images(test.images[:20], 32, 32)
    return resize(X, 16), X, resize(X_test, 16), train.target[:200]


def _copied_rows(enhancer, low, out):
    """Row of the stored AC that every output window carries (and its distance)."""
    ac = to_windows(out - resize(low, 32), *enhancer.window_)
    stored = enhancer.ac_.astype(np.float64)
    if enhancer.ac_basis_ is not None:
        mean, axes = enhancer.ac_basis_
        stored = stored @ axes.astype(np.float64) + mean
    dist = ((ac[:, None, :] - stored[None, :, :]) ** 2).sum(axis=2)
    return dist.argmin(axis=1), dist.min(axis=1)


def test_training_images_get_their_own_ac_back(pairs):
    low, high, _, _ = pairs
    ex = ExemplarEnhancer(n_exemplars=200, n_ac_components=None, random_state=0).fit(low, high)
    assert ex.window_ == (16, 16)
    assert ex.ac_.shape == (800, 256) and ex.ac_.dtype == np.float32
    assert ex.keys_.shape == (800, ex.n_dc_features) and ex.keys_.dtype == np.float32
    np.testing.assert_allclose(ex.transform(low), high, atol=1e-5)
    mean, axes = ex.keys_basis_
    assert ex.n_parameters_ == ex.ac_.size + ex.keys_.size + mean.size + axes.size


def test_every_window_copies_the_nearest_stored_window_of_its_position(pairs):
    low, high, low_test, _ = pairs
    ex = ExemplarEnhancer(n_exemplars=200, n_ac_components=None, random_state=0).fit(low, high)
    # upside down: a test quarter looks most like a training quarter of another position
    flipped = low_test[:, ::-1, ::-1]
    rows, dist = _copied_rows(ex, flipped, ex.transform(flipped))
    assert dist.max() < 1e-6  # one stored AC, unchanged (not a blend)
    positions = np.tile(np.arange(4), len(flipped))
    np.testing.assert_array_equal(rows % 4, positions)
    keys = (to_windows(resize(flipped, 32), 16, 16) - ex.keys_basis_[0]) @ ex.keys_basis_[1].T
    kd = ((keys[:, None, :] - ex.keys_[None, :, :]) ** 2).sum(axis=2)
    kd[positions[:, None] != np.arange(800)[None, :] % 4] = np.inf
    np.testing.assert_array_equal(rows, kd.argmin(axis=1))
    # any position: some quarter copies a window stored at another position
    anywhere = ExemplarEnhancer(
        n_exemplars=200, n_ac_components=None, same_position=False, random_state=0
    ).fit(low, high)
    rows_any, _ = _copied_rows(anywhere, flipped, anywhere.transform(flipped))
    assert np.any(rows_any % 4 != positions)
    # a sample's quarters come from several training images
    assert any(len(set(r)) > 1 for r in (rows // 4).reshape(-1, 4))


def test_principal_axes_store(pairs):
    low, high, low_test, _ = pairs
    full = ExemplarEnhancer(n_exemplars=200, n_ac_components=800, random_state=0).fit(low, high)
    assert full.ac_.shape[1] == 256  # at most the pixels per window
    np.testing.assert_allclose(full.transform(low), high, atol=1e-4)
    small = ExemplarEnhancer(n_exemplars=200, n_ac_components=8, random_state=0).fit(low, high)
    mean, axes = small.ac_basis_
    assert small.ac_.shape == (800, 8) and axes.shape == (8, 256)
    np.testing.assert_allclose(axes @ axes.T, np.eye(8), atol=1e-5)
    _, dist = _copied_rows(small, low_test, small.transform(low_test))
    assert dist.max() < 1e-6
    assert not np.allclose(small.transform(low), high, atol=1e-3)


def test_labels_keep_copies_within_class(pairs):
    low, high, low_test, labels = pairs
    ex = ExemplarEnhancer(n_exemplars=200, n_ac_components=None, random_state=0)
    ex.fit(low, high, labels=labels)
    np.testing.assert_array_equal(ex.labels_, np.repeat(labels, 4))
    asked = np.arange(len(low_test)) % 10
    rows, _ = _copied_rows(ex, low_test, ex.transform(low_test, labels=asked))
    np.testing.assert_array_equal(ex.labels_[rows], np.repeat(asked, 4))
    # a label the store has not seen searches the whole store; None ignores labels
    np.testing.assert_allclose(
        ex.transform(low_test, labels=np.full(len(low_test), 99)), ex.transform(low_test)
    )
    with pytest.raises(ValueError, match="one label per image"):
        ex.transform(low_test, labels=asked[:5])


def test_store_order_chooses_the_images(pairs):
    low, high, _, labels = pairs
    evenly = ExemplarEnhancer(n_exemplars=50, random_state=0).fit(low, high)
    np.testing.assert_array_equal(
        evenly.stored_images_, np.linspace(0, 199, 50).round().astype(int)
    )
    order = np.random.default_rng(0).permutation(200)
    chosen = ExemplarEnhancer(n_exemplars=50, n_ac_components=None, random_state=1)
    chosen.fit(low, high, labels=labels, store=np.r_[order, order[:3]])
    np.testing.assert_array_equal(chosen.stored_images_, order[:50])
    np.testing.assert_array_equal(chosen.labels_, np.repeat(labels[order[:50]], 4))
    kept = order[:50]
    ac = to_windows(high[kept] - resize(low[kept], 32), 16, 16)
    np.testing.assert_allclose(chosen.ac_, ac, atol=1e-6)


@pytest.mark.parametrize(
    "params, fit_params, match",
    [
        ({"n_exemplars": 0}, {}, "'n_exemplars' parameter"),
        ({"n_ac_components": 0}, {}, "'n_ac_components' parameter"),
        ({"window_split": 0}, {}, "'window_split' parameter"),
        ({"window_split": 3}, {}, "window_split=3 must divide both output sides"),
        ({"same_position": "yes"}, {}, "'same_position' parameter"),
        ({}, {"store": np.array([0.5, 1.5])}, "store must be a 1-D array of row indices"),
        ({}, {"store": np.array([3, 200])}, "store must hold row indices"),
        ({}, {"labels": np.zeros(3)}, "one label per image"),
    ],
)
def test_bad_parameters(pairs, params, fit_params, match):
    low, high, _, _ = pairs
    with pytest.raises(ValueError, match=match):
        ExemplarEnhancer(**params).fit(low[:10], high[:10], **fit_params)
