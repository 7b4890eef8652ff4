"""ResolutionEnhancer and QualityBooster: shapes, maths, fallbacks, errors."""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.pipeline import make_pipeline

from skpager import QualityBooster, ResolutionEnhancer
from skpager._basis import pca_basis
from skpager._booster import lle_weights
from skpager._edges import edge_mask
from skpager._image import from_windows, pad_images, resize, to_windows
from skpager.datasets import load_demo


@pytest.fixture(scope="module")
def pairs():
    train, test = load_demo(), load_demo("test")
    X = pad_images(train.images[:1500], 32, 32)
    X_test = pad_images(test.images[:300], 32, 32)
    return resize(X, 16), X, resize(X_test, 16), X_test


def psnr(a, b):
    return 10 * np.log10(1 / np.mean((np.clip(a, 0, 1) - b) ** 2))


SMALL = {"n_dc_components": 10, "max_windows": 3000, "random_state": 0}


@pytest.fixture(scope="module")
def enhancer(pairs):
    low, high, _, _ = pairs
    return ResolutionEnhancer(temperature=0, **SMALL).fit(low, high)


def test_windows_round_trip():
    imgs = np.random.default_rng(0).random((3, 8, 12, 2))
    win = to_windows(imgs, 4, 6)
    assert win.shape == (3 * 2 * 2, 4 * 6 * 2)
    np.testing.assert_array_equal(win[0].reshape(4, 6, 2), imgs[0, :4, :6])
    np.testing.assert_array_equal(from_windows(win, imgs.shape, 4, 6), imgs)


def test_deterministic_super_resolution_beats_lanczos(pairs, enhancer):
    _, _, low_test, high_test = pairs
    out = enhancer.transform(low_test)
    assert out.shape == high_test.shape
    # measured with these small settings: Lanczos 19.84 dB, enhancer 20.09 dB
    # (+1.1 dB with the defaults on 60k images: docs/benchmarks.md)
    assert psnr(out, high_test) > psnr(resize(low_test, 32), high_test) + 0.1
    np.testing.assert_array_equal(out, enhancer.predict(low_test))


def test_levels_follow_min_window(pairs, enhancer):
    low, high, _, _ = pairs
    assert [lvl.window for lvl in enhancer.levels_] == [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2)]
    flat = ResolutionEnhancer(min_window=None, **SMALL).fit(low[:200], high[:200])
    assert len(flat.levels_) == 1
    eight = ResolutionEnhancer(min_window=8, **SMALL).fit(low[:200], high[:200])
    assert [lvl.window[0] for lvl in eight.levels_] == [32, 16, 8]


def test_edge_mask_changes_output(pairs):
    low, high, low_test, _ = pairs
    masked = ResolutionEnhancer(temperature=0, min_window=None, **SMALL).fit(low, high)
    plain = ResolutionEnhancer(temperature=0, min_window=None, edge_mask=False, **SMALL)
    plain.fit(low, high)
    diff = masked.transform(low_test) - plain.transform(low_test)
    mask = edge_mask(resize(low_test, 32))
    assert 0.05 < mask.mean() < 0.95
    # outside the mask the masked enhancer adds nothing: output == Lanczos DC there
    dc = resize(low_test, 32)
    off = mask == 0
    np.testing.assert_allclose(masked.transform(low_test)[off], dc[off], atol=1e-12)
    assert np.abs(diff).max() > 0.01


def test_temperature_controls_randomness(pairs):
    low, high, low_test, _ = pairs
    enh = ResolutionEnhancer(temperature=1.0, **SMALL).fit(low[:500], high[:500])
    a = enh.transform(low_test[:20])
    np.testing.assert_array_equal(a, enh.transform(low_test[:20]))  # fixed seed
    other = enh.set_params(random_state=1).transform(low_test[:20])
    assert not np.allclose(a, other)
    zero = enh.set_params(temperature=0).transform(low_test[:20])
    np.testing.assert_array_equal(zero, enh.set_params(random_state=5).transform(low_test[:20]))


def test_empty_and_tiny_clusters_fall_back(pairs):
    low, high, low_test, _ = pairs
    # far more DC clusters than a 12-image set can populate
    enh = ResolutionEnhancer(
        n_dc_components=12, n_ac_components=3, min_window=None, temperature=1.0, random_state=0
    ).fit(low[:12], high[:12])
    level = enh.levels_[0]
    empty = [k for k, g in enumerate(level.ac_gmms) if g is None]
    assert empty, "expected some clusters too small for an AC model"
    for k in empty:
        assert level.ac_gmms[level.cluster_map[k]] is not None
    assert np.isfinite(enh.transform(low_test)).all()


def test_y_at_higher_power_of_two_is_downsampled(pairs):
    low, high, _, _ = pairs
    up = resize(high[:100], 64)
    a = ResolutionEnhancer(min_window=None, **SMALL).fit(low[:100], up)
    b = ResolutionEnhancer(min_window=None, **SMALL).fit(low[:100], resize(up, 32))
    np.testing.assert_allclose(a.transform(low[:5]), b.transform(low[:5]))


def test_score_is_conditional_ac_log_likelihood(pairs, enhancer):
    low, high, low_test, high_test = pairs
    assert np.isfinite(enhancer.score(low_test, high_test))
    assert enhancer.score(low, high) > enhancer.score(low_test, high_test) - 200
    per_image = enhancer.score_samples(low_test, high_test)
    assert per_image.shape == (len(low_test),)
    assert np.isclose(per_image.mean(), enhancer.score(low_test, high_test))


@pytest.mark.parametrize(
    "y, match",
    [
        (None, "requires y"),
        (np.zeros(10), "1-D"),
        (np.zeros((9, 32, 32, 1)), "10 images but y has 9"),
        (np.zeros((10, 48, 48, 1)), "power of two"),
        (np.zeros((10, 16, 16, 1)), "power of two"),
        (np.full((10, 32, 32, 1), np.nan), "NaN"),
    ],
)
def test_enhancer_bad_y(pairs, y, match):
    low = pairs[0][:10]
    with pytest.raises(ValueError, match=match):
        ResolutionEnhancer().fit(low, y)


def test_lle_weights_sum_to_one_and_reconstruct():
    rng = np.random.default_rng(0)
    neighbours = rng.random((50, 3, 6))
    target = np.einsum("mk,mkd->md", np.full((50, 3), 1 / 3), neighbours)
    w = lle_weights(target, neighbours, reg=1e-9)
    np.testing.assert_allclose(w.sum(axis=1), 1)
    rebuilt = np.einsum("mk,mkd->md", w, neighbours)
    np.testing.assert_allclose(rebuilt, target, atol=1e-6)
    # a single neighbour gets weight 1
    np.testing.assert_allclose(lle_weights(target, neighbours[:, :1], 1e-3), 1)


def test_booster_adds_detail_and_stores_float32(pairs, enhancer):
    low, high, low_test, high_test = pairs
    enhanced = enhancer.transform(low)
    booster = QualityBooster(n_clusters=20, random_state=0).fit(enhanced, high)
    assert all(p.dtype == np.float32 for p in booster.patches_)
    assert all(len(p) <= booster.max_patches_per_cluster for p in booster.patches_)
    assert booster.n_parameters_ > 0 and booster.model_size_bytes_ > 0
    before = enhancer.transform(low_test)
    after = booster.transform(before)
    assert psnr(after, high_test) > psnr(before, high_test)
    restored = pickle.loads(pickle.dumps(booster))
    np.testing.assert_array_equal(restored.transform(before), after)


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(2, 40),
    d=st.integers(1, 12),
    variance=st.floats(0.05, 0.999),
    seed=st.integers(0, 2**16),
)
def test_pca_basis_keeps_the_variance_it_promises(n, d, variance, seed):
    data = np.random.default_rng(seed).standard_normal((n, d)) * np.arange(1, d + 1)
    mean, components = pca_basis(data, variance)
    assert components.dtype == np.float32 and 1 <= len(components) <= min(n, d)
    np.testing.assert_allclose(components @ components.T, np.eye(len(components)), atol=1e-5)
    centred = data - mean
    kept = np.sum((centred @ components.T) ** 2)
    assert kept >= variance * np.sum(centred**2) * (1 - 1e-5)


def test_pca_basis_of_constant_data_keeps_one_axis():
    mean, components = pca_basis(np.full((5, 3), 0.5), 0.99)
    np.testing.assert_allclose(mean, 0.5)
    assert components.shape == (1, 3)


def test_booster_compressed_store_is_smaller_and_close(pairs, enhancer):
    low, high, low_test, _ = pairs
    enhanced, before = enhancer.transform(low), enhancer.transform(low_test)
    params = {"n_clusters": 20, "random_state": 0, "edge_mask": False}
    raw = QualityBooster(pca_variance=None, **params).fit(enhanced, high)
    pca = QualityBooster(pca_variance=0.99, **params).fit(enhanced, high)
    assert raw.patch_basis_ is None and raw.patches_[0].shape[1] == 64
    mean, components = pca.patch_basis_
    assert pca.patches_[0].shape[1] == len(components) < 64
    assert pca.residuals_[0].shape[1] == len(pca.residual_basis_[1]) < 64
    assert all(r.dtype == np.float32 for r in pca.residuals_)
    assert pca.n_parameters_ < raw.n_parameters_
    # the residual it adds is close to the raw store's (same k-means seed)
    diff = np.abs(pca.residual(before) - raw.residual(before)).mean()
    assert diff < 0.5 * np.abs(raw.residual(before)).mean()


def test_booster_temperature_scales_the_residual_beyond_its_least_squares_part(pairs, enhancer):
    low, high, low_test, high_test = pairs
    enhanced, before = enhancer.transform(low), enhancer.transform(low_test)
    booster = QualityBooster(n_clusters=20, random_state=0).fit(enhanced, high)
    assert booster.temperature == 1.0  # the paper's booster: residuals added whole
    assert np.all((booster.gains_ >= 0) & (booster.gains_ <= 1))
    assert booster.gains_.min() < 1  # borrowed residuals never predict the truth perfectly
    patches = to_windows(booster._check_images(before, reset=False), 8, 8)
    labels = booster.kmeans_.predict(booster._keys(patches.astype(np.float32)))
    whole = to_windows(booster.residual(before), 8, 8)
    for t in (0.0, 0.25, 2.0):
        g = booster.gains_[labels, None].astype(np.float64)
        expected = whole * (g + np.sqrt(t) * (1 - g))
        np.testing.assert_allclose(
            to_windows(booster.residual(before, temperature=t), 8, 8), expected, atol=1e-12
        )
    # the parameter and the call's keyword agree; temperature 0 is what PSNR rewards
    cold = QualityBooster(n_clusters=20, temperature=0.0, random_state=0).fit(enhanced, high)
    np.testing.assert_array_equal(cold.transform(before), booster.transform(before, temperature=0))
    np.testing.assert_array_equal(cold.predict(before), cold.transform(before))
    assert psnr(cold.transform(before), high_test) > psnr(booster.transform(before), high_test)
    with pytest.raises(ValueError, match="temperature"):
        booster.transform(before, temperature=-1)


def test_booster_small_cluster_uses_only_its_own_patches():
    rng = np.random.default_rng(0)
    # two clearly separated kinds of patches, one of them a single patch
    X = np.zeros((5, 4, 8, 1))
    X[:, :, 4:] = 0.2 + 0.01 * rng.random((5, 4, 4, 1))
    X[0, :, :4] = 1.0
    truth = X + 0.05
    booster = QualityBooster(
        patch_size=4, n_clusters=3, n_neighbors=4, edge_mask=False, random_state=0
    ).fit(X, truth)
    sizes = sorted(len(p) for p in booster.patches_)
    assert sizes[0] < booster.n_neighbors
    out = booster.transform(X)
    np.testing.assert_allclose(out, truth, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    patch=st.integers(1, 10),
    stride_fraction=st.floats(0.0, 1.0),
    steps_down=st.integers(0, 3),
    steps_across=st.integers(0, 4),
)
def test_booster_blend_keeps_the_variance_of_independent_residuals(
    patch, stride_fraction, steps_down, steps_across
):
    # every output pixel is a linear blend sum_i a_i r_i of the residuals of
    # the patches covering it, with sum_i a_i**2 == 1 exactly: feed one-hot
    # residuals (one image per patch entry) and sum the squared outputs.
    # Images are built from valid tilings (stride <= patch, whole steps).
    stride = max(1, round(stride_fraction * patch))
    h, w = patch + steps_down * stride, patch + steps_across * stride
    booster = QualityBooster(patch, stride=stride)
    booster.image_shape_, booster.patch_shape_ = (h, w, 1), (patch, patch)
    n_patches = (steps_down + 1) * (steps_across + 1)
    entries = n_patches * patch * patch
    blended = booster._blend(np.eye(entries).reshape(entries * n_patches, -1), (entries, h, w, 1))
    np.testing.assert_allclose((blended**2).sum(axis=0), 1.0, rtol=1e-12)


def test_booster_overlapping_patches(pairs, enhancer):
    low, high, low_test, high_test = pairs
    enhanced, before = enhancer.transform(low), enhancer.transform(low_test)
    plain = QualityBooster(n_clusters=20, random_state=0).fit(enhanced, high)
    same = QualityBooster(n_clusters=20, stride=8, random_state=0).fit(enhanced, high)
    np.testing.assert_array_equal(same.transform(before), plain.transform(before))
    overlap = QualityBooster(n_clusters=20, stride=4, edge_mask=False, random_state=0)
    after = overlap.fit(enhanced, high).transform(before)
    assert after.shape == before.shape and np.isfinite(after).all()
    assert psnr(after, high_test) > psnr(before, high_test)

    def seam(residual):  # jumps across the 8x8 grid lines over jumps inside the patches
        jumps = np.abs(np.diff(residual, axis=2))  # between columns j and j+1
        return jumps[:, :, [7, 15, 23]].mean() / jumps[:, :, [2, 3, 4, 10, 11, 12]].mean()

    plain_seam = seam(
        QualityBooster(n_clusters=20, edge_mask=False, random_state=0)
        .fit(enhanced, high)
        .transform(before)
        - before
    )
    assert seam(after - before) < 0.8 * plain_seam
    with pytest.raises(ValueError, match="side - patch_size must be a multiple of the stride"):
        QualityBooster(stride=5).fit(enhanced[:5], high[:5])
    with pytest.raises(ValueError, match="stride=16 is larger than the patches"):
        QualityBooster(stride=16).fit(enhanced[:5], high[:5])


def test_booster_errors(pairs):
    low, high, _, _ = pairs
    with pytest.raises(ValueError, match="requires y"):
        QualityBooster().fit(high[:5], None)
    with pytest.raises(ValueError, match="size of X"):
        QualityBooster().fit(high[:5], low[:5])
    with pytest.raises(ValueError, match="power-of-two"):
        QualityBooster().fit(high[:5], resize(high[:5], 48))
    with pytest.raises(ValueError, match="one true image"):
        QualityBooster().fit(high[:5], high[:4])
    with pytest.raises(ValueError, match="1-D"):
        QualityBooster().fit(high[:5], np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        QualityBooster().fit(high[:5], np.full(high[:5].shape, np.nan))
    with pytest.raises(ValueError, match="patch_size"):
        QualityBooster(patch_size=5).fit(high[:5], high[:5])


def test_super_resolver_pipeline_and_cascade(pairs):
    low, high, low_test, high_test = pairs
    sr = make_pipeline(
        ResolutionEnhancer(temperature=0, **SMALL), QualityBooster(n_clusters=10, random_state=0)
    )
    out = sr.fit(low, high).transform(low_test)
    assert out.shape == high_test.shape
    assert psnr(out, high_test) > psnr(resize(low_test, 32), high_test)
    # a 4 -> 32 cascade is a plain Pipeline fitted with the 32x32 targets
    tiny = {"n_dc_components": 5, "max_windows": 2000, "temperature": 0, "random_state": 0}
    cascade = make_pipeline(
        ResolutionEnhancer(**tiny),
        QualityBooster(n_clusters=5, random_state=0),
        ResolutionEnhancer(**tiny),
        QualityBooster(n_clusters=5, random_state=0),
        ResolutionEnhancer(**tiny),
        QualityBooster(n_clusters=5, random_state=0),
    )
    four = resize(high[:300], 4)
    assert cascade.fit(four, high[:300]).transform(resize(high_test[:5], 4)).shape == (
        5,
        32,
        32,
        1,
    )
