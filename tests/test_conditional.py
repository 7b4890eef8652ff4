"""ConditionalEnhancer: the Gaussian conditional, checked against scipy; geometry; draws."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.metrics import pairwise_distances_argmin

from skpager import ConditionalEnhancer
from skpager._basis import to_coords
from skpager._conditional import _contexts
from skpager._image import sliding_windows as _windows
from skpager._random import image_keys, standard_normal
from skpager._utils import nearest_centres
from skpager.datasets import load_demo
from skpager.image import pad_images, resize


@pytest.fixture(scope="module")
def pairs():
    train, test = load_demo(), load_demo("test")
    X = pad_images(train.images[:800], 32, 32)
    X_test = pad_images(test.images[:60], 32, 32)
    return resize(X, 16), X, resize(X_test, 16), X_test


def psnr(a, b):
    return 10 * np.log10(1 / np.mean((np.clip(a, 0, 1) - b) ** 2))


def _tiles(enhancer, low, high):
    """Context features and AC of the non-overlapping windows (as score reads them)."""
    dc = resize(low, 32)
    margin = (enhancer.context - enhancer.window) // 2
    ctx = _contexts(dc, enhancer.context, enhancer.stride, margin)
    ctx = ctx - ctx.mean(axis=1, keepdims=True)
    mean, axes = enhancer.context_basis_
    z = (ctx - mean) @ axes.T
    ac = _windows(high - dc, enhancer.window, enhancer.stride)
    ny = (32 - enhancer.window) // enhancer.stride + 1
    step = enhancer.window // enhancer.stride
    keep = np.zeros((ny, ny), dtype=bool)
    keep[::step, ::step] = True
    keep = np.tile(keep.ravel(), len(low))
    return z[keep].astype(np.float64), ac[keep]


def test_conditional_and_score_match_scipy(pairs):
    low, high, low_test, high_test = pairs
    # one cluster, no shrinkage: the joint Gaussian is the sample mean and covariance
    enh = ConditionalEnhancer(
        1, n_context_features=6, covariance_prior=0, max_windows=10**6, random_state=0
    ).fit(low[:300], high[:300])
    dc = resize(low[:300], 32)
    ctx = _contexts(dc, 8, 2, 2)
    ctx = ctx - ctx.mean(axis=1, keepdims=True)
    mean, axes = enh.context_basis_
    joint = np.hstack(
        [
            (ctx - mean) @ axes.T,
            _windows(high[:300] - dc, 4, 2),
        ]
    )
    mu, cov = joint.mean(axis=0), np.cov(joint, rowvar=False, bias=True)
    d = 6
    np.testing.assert_allclose(enh.means_[0], mu, atol=1e-10)
    coef = cov[d:, :d] @ np.linalg.inv(cov[:d, :d])
    schur = cov[d:, d:] - coef @ cov[:d, d:]
    np.testing.assert_allclose(enh.coefs_[0], coef, rtol=1e-6, atol=1e-8)
    chol = enh.cond_chol_[0]
    np.testing.assert_allclose(chol @ chol.T, schur, rtol=1e-6, atol=1e-10)
    # the score is log N([z, a]) - log N(z), summed over an image's tiles
    z, ac = _tiles(enh, low_test[:5], high_test[:5])
    both = np.hstack([z, ac])
    expected = multivariate_normal(mu, cov, allow_singular=True).logpdf(
        both
    ) - multivariate_normal(mu[:d], cov[:d, :d]).logpdf(z)
    per_image = expected.reshape(5, -1).sum(axis=1)
    np.testing.assert_allclose(
        enh.score_samples(low_test[:5], high_test[:5]), per_image, rtol=1e-6
    )
    assert np.isclose(enh.score(low_test[:5], high_test[:5]), per_image.mean())


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(3, 60),
    d=st.integers(1, 4),
    p=st.integers(1, 4),
    prior=st.floats(0.5, 50),
    seed=st.integers(0, 2**16),
)
def test_shrunk_gaussians_give_valid_conditionals(n, d, p, prior, seed):
    rng = np.random.default_rng(seed)
    joint = rng.standard_normal((n, d + p)) @ rng.standard_normal((d + p, d + p))
    enh = ConditionalEnhancer(2, covariance_prior=prior)
    enh.cluster_centers_ = np.zeros((2, d))
    assign = np.zeros(n, dtype=int)  # cluster 1 is empty: it must get the pooled Gaussian
    enh._fit_gaussians(joint[:, :d], joint[:, d:], assign)
    np.testing.assert_allclose(enh.means_[1], joint.mean(axis=0), atol=1e-9)
    for c in range(2):
        chol = enh.cond_chol_[c]
        assert np.all(np.isfinite(chol)) and np.all(np.diag(chol) > 0)
        assert np.allclose(np.tril(chol), chol)
    # the shrunk mean lies between the cluster's and the pooled one (here they agree)
    np.testing.assert_allclose(enh.means_[0], joint.mean(axis=0), atol=1e-9)


def test_deterministic_super_resolution_beats_lanczos(pairs):
    low, high, low_test, high_test = pairs
    enh = ConditionalEnhancer(16, random_state=0).fit(low, high)
    out = enh.transform(low_test)
    assert out.shape == high_test.shape
    assert psnr(out, high_test) > psnr(resize(low_test, 32), high_test) + 0.5
    np.testing.assert_array_equal(out, enh.transform(low_test, random_state=3))
    assert enh.n_parameters_ > 0


def test_draws_depend_on_the_image_and_seed_only(pairs):
    low, high, low_test, _ = pairs
    enh = ConditionalEnhancer(8, temperature=1.0, random_state=0).fit(low, high)
    out = enh.transform(low_test)
    perm = np.random.default_rng(0).permutation(len(low_test))
    np.testing.assert_allclose(enh.transform(low_test[perm]), out[perm], atol=1e-6)
    np.testing.assert_allclose(enh.transform(low_test[5:9]), out[5:9], atol=1e-6)
    other = enh.transform(low_test, random_state=1)
    assert not np.allclose(other, out)
    mean = enh.transform(low_test, temperature=0.0)
    quarter = enh.transform(low_test, temperature=0.25)
    # the draw scales with sqrt(temperature)
    np.testing.assert_allclose(quarter - mean, 0.5 * (out - mean), atol=1e-10)
    # and its variance is that of the conditional covariance (blended windows keep it)
    spread = np.var(out - mean)
    expected = np.mean([np.trace(c @ c.T) / len(c) for c in enh.cond_chol_])
    assert 0.2 * expected < spread < 5 * expected


def test_random_numbers_are_per_image():
    rng = np.random.default_rng(0)
    images = rng.random((6, 4, 4))
    keys = image_keys(images, 7)
    assert len(set(keys.tolist())) == 6
    np.testing.assert_array_equal(image_keys(images[::-1], 7), keys[::-1])
    assert not np.array_equal(image_keys(images, 8), keys)
    z = standard_normal(keys, 20000)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    np.testing.assert_array_equal(standard_normal(keys[2:3], 20000), z[2:3])


def test_keys_ignore_rounding_of_small_pixels():
    # a product summed in another order for another batch size moves a pixel
    # by ~1e-16; hashing float32 bits changed the key when that crossed a
    # float32 rounding boundary (1e-13 apart near 1e-6): 30 of these 2,000
    # images did, and one of them failed the batch-size test in CI
    rng = np.random.default_rng(0)
    images = 10.0 ** rng.uniform(-7, 0, size=(2000, 8, 8))
    moved = images + rng.choice([-4e-16, 4e-16], size=images.shape)
    np.testing.assert_array_equal(image_keys(moved, 3), image_keys(images, 3))
    np.testing.assert_array_equal(image_keys(images.astype(np.float32), 3), image_keys(images, 3))
    # -0.0, tiny values and zero are one value; a change of 2**-20 is another image
    zero = np.zeros((1, 4))
    np.testing.assert_array_equal(image_keys(np.full((1, 4), -0.0), 3), image_keys(zero, 3))
    np.testing.assert_array_equal(image_keys(zero + 1e-9, 3), image_keys(zero, 3))
    assert image_keys(zero + 2.0**-20, 3)[0] != image_keys(zero, 3)[0]


@settings(max_examples=50, deadline=None)
@given(
    pixels=st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=30),
    ulps=st.lists(st.integers(-4, 4), min_size=30, max_size=30),
)
def test_keys_are_stable_under_a_few_ulps(pixels, ulps):
    x = np.array([pixels])
    moved = x + np.array(ulps[: x.shape[1]]) * np.spacing(np.abs(x) + 1.0)
    # a move of a few float64 ulps of 1 crosses a 2**-21 boundary only when
    # the pixel lies within it; such pixels are vanishingly rare
    assume(not np.any(np.abs(np.abs(x * 2.0**20) % 1 - 0.5) < 1e-6))
    np.testing.assert_array_equal(image_keys(moved, 1), image_keys(x, 1))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"window": 3}, "must tile the output"),
        ({"stride": 3}, "must tile the output"),
        ({"context": 2}, "context=2 must be at least window"),
        ({"context": 7}, "even difference"),
        ({"n_clusters": 0}, "'n_clusters' parameter"),
        ({"temperature": -1.0}, "'temperature' parameter"),
    ],
)
def test_bad_geometry(pairs, params, match):
    low, high, _, _ = pairs
    with pytest.raises(ValueError, match=match):
        ConditionalEnhancer(**params).fit(low[:10], high[:10])


def test_bad_call_temperature(pairs):
    low, high, low_test, _ = pairs
    enh = ConditionalEnhancer(4, random_state=0).fit(low[:100], high[:100])
    for bad in (-1.0, np.nan, np.inf, 11.0):
        with pytest.raises(ValueError, match="temperature must be a number in"):
            enh.transform(low_test, temperature=bad)


def test_window_larger_than_the_output_is_reduced(pairs):
    low, high, _, _ = pairs
    tiny = ConditionalEnhancer(4, window=64, context=34, random_state=0).fit(low[:50], high[:50])
    assert tiny.window_ == 32
    assert tiny.transform(low[:2]).shape == (2, 32, 32, 1)
    small = resize(high[:50], 2)
    two = ConditionalEnhancer(4, random_state=0).fit(resize(small, 1), small)
    assert two.window_ == 2 and two.transform(resize(small[:3], 1)).shape == (3, 2, 2, 1)


def test_more_clusters_than_windows_stay_finite(pairs):
    low, high, low_test, _ = pairs
    enh = ConditionalEnhancer(500, max_windows=300, temperature=1.0, random_state=0)
    out = enh.fit(low[:5], high[:5]).transform(low_test[:3])
    assert len(enh.cluster_centers_) == 300 and np.isfinite(out).all()


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 300),
    k=st.integers(1, 60),
    d=st.integers(1, 12),
    scale=st.sampled_from([1e-3, 1.0, 1e3]),
    duplicates=st.booleans(),
    chunk=st.integers(1, 128),
    seed=st.integers(0, 10_000),
)
def test_nearest_centres_is_the_float64_search(n, k, d, scale, duplicates, chunk, seed):
    # the float32 screen with a float64 rescoring of close calls gives the
    # nearest centre up to float64 rounding (the precision of scikit-learn's
    # own search), also with near-duplicate centres and points on a centre
    rng = np.random.RandomState(seed)
    centres = rng.randn(k, d) * scale
    if duplicates:
        centres = np.vstack([centres, centres + 1e-9 * scale, centres])
    X = np.vstack([rng.randn(n, d) * scale, centres[: min(5, len(centres))]])
    dist = ((X[:, None, :] - centres[None]) ** 2).sum(axis=2)
    got = nearest_centres(X, centres, chunk=chunk)
    rounding = 1e-13 * ((X**2).sum(axis=1) + (centres**2).sum(axis=1).max())
    assert np.all(dist[np.arange(len(X)), got] <= dist.min(axis=1) + rounding)
    # and it picks what scikit-learn picks wherever the choice is clear
    sklearn_pick = pairwise_distances_argmin(X, centres)
    clear = np.sort(dist, axis=1)[:, 1] - dist.min(axis=1) > rounding if len(centres) > 1 else True
    np.testing.assert_array_equal(got[clear], sklearn_pick[clear])


def test_training_windows_are_cut_a_chunk_of_images_at_a_time(pairs, monkeypatch):
    """The windows fit reads are cut per chunk of images (memory set by the
    chunk); the fitted model is the one of a single chunk, bit for bit."""
    low, high = pairs[0][:60], pairs[1][:60]
    params = {"n_clusters": 8, "max_windows": 3000, "random_state": 0}
    whole = ConditionalEnhancer(**params).fit(low, high)
    monkeypatch.setattr("skpager._conditional._CHUNK_IMAGES", 7)  # 9 chunks, the last short
    chunked = ConditionalEnhancer(**params).fit(low, high)
    for a, b in zip(chunked.context_basis_, whole.context_basis_, strict=True):
        np.testing.assert_array_equal(a, b)
    for name in ("cluster_centers_", "means_", "coefs_", "cond_chol_"):
        np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 40),
    widths=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    block=st.integers(1, 50),
    seed=st.integers(0, 2**16),
)
def test_block_moments_are_the_covariance(n, widths, block, seed):
    """The pooled covariance and the contexts' principal axes are summed
    over blocks of rows (no centred copy of all windows): the same as one
    product over all rows, whatever the block size."""
    from skpager import _conditional

    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n, w)) * rng.uniform(0.1, 10) + 3 for w in widths]
    joint = np.hstack(arrays)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_conditional, "_MOMENT_ROWS", block)
        mean = joint.mean(axis=0)
        scatter = _conditional._centred_scatter(_conditional._row_blocks(*arrays), mean)
        axes = _conditional._leading_axes(joint, 1)
    expected = np.cov(joint, rowvar=False).reshape(len(mean), len(mean)) * (n - 1)
    np.testing.assert_allclose(scatter, expected, rtol=1e-10, atol=1e-10 * np.abs(expected).max())
    values, vectors = np.linalg.eigh(expected)
    lead = vectors[:, -1] * np.sign(vectors[np.abs(vectors[:, -1]).argmax(), -1])
    np.testing.assert_allclose(axes[0], mean.astype(np.float32), rtol=1e-6)
    if len(values) == 1 or values[-1] > 1.01 * values[-2]:  # a well-defined leading axis
        np.testing.assert_allclose(axes[1][0], lead, atol=1e-4)


def test_transform_centres_contexts_as_fit_does(pairs):
    # transform centres and projects the contexts in place, with exactly the
    # arithmetic of fit: a flat context is then exactly zero once centred in
    # any batch, so ties between centres are broken the same way for an image
    # whatever else is in its batch (the refiner's batch test caught a folded
    # form whose rounding left a batch-dependent remainder)
    low, high, low_test, _ = pairs
    enh = ConditionalEnhancer(64, random_state=0).fit(low, high)
    dc = resize(low_test, 32)
    z, assign = enh._features(dc)
    ctx = _contexts(dc, enh.context, enh.stride, (enh.context - enh.window_) // 2)
    expected = to_coords(enh.context_basis_, ctx - ctx.mean(axis=1, keepdims=True))
    np.testing.assert_array_equal(z, expected)
    np.testing.assert_array_equal(assign, nearest_centres(expected, enh.cluster_centers_))


def test_contexts_are_an_array_of_their_own():
    # one image whose padded width is the context: the reshape could be a view
    dc = np.random.RandomState(0).rand(1, 8, 4, 1)
    ctx = _contexts(dc, 6, 1, 1)
    assert ctx.shape == (5, 36)
    before = ctx.copy()
    ctx -= ctx.mean(axis=1, keepdims=True)  # what _features does
    np.testing.assert_allclose(ctx, before - before.mean(axis=1, keepdims=True))
