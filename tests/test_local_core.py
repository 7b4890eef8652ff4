"""LocalPCACoreGenerator: the core over a mixture of probabilistic PCA."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from skpager import PAGER, GMMCoreGenerator, LocalPCACoreGenerator, load_model, save_model
from skpager._local_core import _local_components
from skpager._random import index_keys
from skpager.datasets import load_demo
from skpager.image import resize


@pytest.fixture(scope="module")
def demo():
    data = load_demo()
    return data.images[:1500], data.target[:1500]


@pytest.fixture(scope="module")
def fitted(demo):
    X, y = demo
    return LocalPCACoreGenerator(resolution=7, n_components=8, random_state=0).fit(X, y)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    q=st.integers(1, 6),
    k=st.integers(1, 4),
    local_variance=st.floats(0.05, 1.0),
)
def test_components_are_probabilistic_pca_of_the_weighted_scatter(seed, q, k, local_variance):
    rng = np.random.RandomState(seed)
    z = rng.normal(size=(60, q)) @ rng.normal(size=(q, q)) + rng.normal(size=q)
    resp = rng.dirichlet(np.ones(k), size=60)
    reg = 1e-9
    weights, means, covs, axes, ranks = _local_components(z, resp, local_variance, reg)
    np.testing.assert_allclose(weights, resp.sum(0) / 60)
    for j in range(k):
        w = resp[:, j]
        mean = w @ z / w.sum()
        scatter = ((z - mean) * w[:, None]).T @ (z - mean) / w.sum()
        np.testing.assert_allclose(means[j], mean, atol=1e-10)
        values = np.clip(np.linalg.eigvalsh(scatter)[::-1], 0, None)
        share = np.cumsum(values) / values.sum()
        r = ranks[j]
        # the fewest leading directions that reach local_variance
        assert share[r - 1] >= local_variance - 1e-12
        assert r == 1 or share[r - 2] < local_variance
        got = np.linalg.eigvalsh(covs[j])[::-1]
        np.testing.assert_allclose(got[:r], values[:r] + reg, rtol=1e-7, atol=1e-9)
        rest = max(values[r:].mean(), reg) if r < q else 0.0
        np.testing.assert_allclose(got[r:], rest + reg, rtol=1e-7, atol=1e-9)
        # the own axes carry the leading part of the scatter
        low_rank = axes[j] @ axes[j].T
        np.testing.assert_allclose(np.linalg.eigvalsh(low_rank)[::-1][:r], values[:r], atol=1e-9)
        assert np.all(axes[j][:, r:] == 0)
    if local_variance == 1.0:
        assert np.all(ranks == q)


def test_score_samples_is_the_exact_density_of_the_model(fitted, demo):
    X, y = demo
    images = X[:40]
    features = fitted.saab_.transform(fitted._core_images(images, reset=False))
    ll = np.empty((40, len(fitted.models_)))
    for c, (pca, s2, gmm) in enumerate(fitted.models_):
        axes = pca.components_  # (q, d)
        outside = s2 * (np.eye(features.shape[1]) - axes.T @ axes)
        terms = [
            np.log(w)
            + multivariate_normal(pca.mean_ + m @ axes, axes.T @ cov @ axes + outside).logpdf(
                features
            )
            for w, m, cov in zip(gmm.weights_, gmm.means_, gmm.covariances_, strict=True)
        ]
        ll[:, c] = logsumexp(terms, axis=0)
    np.testing.assert_allclose(fitted.score_samples(images, y[:40]), ll[np.arange(40), y[:40]])
    np.testing.assert_allclose(
        fitted.score_samples(images), logsumexp(ll + np.log(fitted.class_prior_), axis=1)
    )


def test_components_are_those_of_the_mixture_that_finds_them(fitted, demo):
    X, y = demo
    own = ("feature_variance", "local_variance")
    params = {k: v for k, v in fitted.get_params().items() if k not in own}
    base = GMMCoreGenerator(**params).fit(X, y)
    np.testing.assert_array_equal(fitted.n_components_, base.n_components_)
    assert all(len(r) == k for r, k in zip(fitted.local_ranks_, fitted.n_components_, strict=True))


@pytest.mark.parametrize("temperature", [1.0, 0.25])
def test_draws_follow_the_own_axes_only(demo, temperature):
    X, y = demo
    core = LocalPCACoreGenerator(
        resolution=7,
        n_components=1,
        component_selection="fixed",
        temperature=temperature,
        random_state=0,
    ).fit(X[y == 1])
    gmm, axes = core.models_[0][2], core.local_axes_[0][0]
    z = core._draw_class(0, index_keys(3, 0, 20000))
    np.testing.assert_allclose(z.mean(0), gmm.means_[0], atol=0.05 * np.sqrt(temperature))
    expected = temperature * axes @ axes.T
    np.testing.assert_allclose(np.cov(z.T), expected, atol=0.05 * np.abs(expected).max())
    # temperature 0: the component's mean image
    cold = core.set_params(temperature=0.0).sample(3)
    np.testing.assert_allclose(cold[0], cold[2])


def test_reconstruct_keeps_the_own_axes_of_the_most_responsible_component(fitted, demo):
    X, y = demo
    rec = fitted.reconstruct(X[:40], y[:40])
    assert rec.shape == (40, 7, 7, 1)
    features = fitted.saab_.transform(resize(X[:40], 7))
    expected = np.empty_like(features)
    for i, c in enumerate(np.searchsorted(fitted.classes_, y[:40])):
        pca, _, gmm = fitted.models_[c]
        z = pca.transform(features[i : i + 1])
        k = np.argmax(gmm.predict_proba(z)[0])
        axes = fitted.local_axes_[c][k]
        coef = np.linalg.lstsq(axes, z[0] - gmm.means_[k], rcond=None)[0]
        expected[i] = pca.inverse_transform((gmm.means_[k] + axes @ coef)[None])[0]
    expected = fitted.saab_.inverse_transform(expected).reshape(rec.shape)
    np.testing.assert_allclose(rec, np.clip(expected, 0, 1), atol=1e-10)


def test_sampling_is_per_image_whatever_the_batch(fitted):
    whole = fitted.sample(50, y=np.arange(50) % 10, random_state=4)
    parts = np.concatenate(
        list(fitted.iter_samples(50, batch_size=16, y=np.arange(50) % 10, random_state=4))
    )
    np.testing.assert_allclose(parts, whole, atol=1e-12)
    assert whole.min() >= 0 and whole.max() <= 1


def test_held_out_likelihood_beats_the_class_principal_space_core(demo):
    X, y = demo
    kw = {"resolution": 7, "n_components": 8, "random_state": 0}
    base = GMMCoreGenerator(
        component_selection="heldout", covariance_type="full", pca_variance=0.85, **kw
    ).fit(X, y)
    local = LocalPCACoreGenerator(**kw).fit(X, y)
    held = load_demo("test")
    # a better density of held-out images, on the classes' own data
    assert local.score(held.images, held.target) > base.score(held.images, held.target)


@pytest.mark.parametrize("bad", [{"local_variance": 0.0}, {"feature_variance": 1.5}])
def test_bad_parameters_are_named(demo, bad):
    X, y = demo
    name = next(iter(bad))
    with pytest.raises(ValueError, match=name):
        LocalPCACoreGenerator(resolution=7, **bad).fit(X, y)


def test_as_pager_core_inpaints_and_persists(demo, tmp_path):
    X, y = demo
    pager = PAGER(core=LocalPCACoreGenerator(resolution=7, n_components=4), random_state=0).fit(
        X[:600], y[:600]
    )
    mask = np.zeros((5, 28, 28), dtype=bool)
    mask[:, 7:21, 7:21] = True
    filled = pager.inpaint(X[600:605], mask, temperature=1.0, random_state=0)
    np.testing.assert_array_equal(filled[~mask], X[600:605][~mask])
    path = tmp_path / "local.skops"
    save_model(pager, path)
    restored = load_model(path)
    labels = [0, 1, 2, 3, 4, 5]
    np.testing.assert_array_equal(restored.sample(6, y=labels), pager.sample(6, y=labels))
