"""Inpainting by exact conditioning: the core's Gaussian conditionals against a
direct computation, PAGER.inpaint's contract (known pixels kept, determinism,
per-image draws) and its errors; the class posterior from partial images."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from skpager import PAGER, ConditionalEnhancer, GMMCoreGenerator, QualityBooster
from skpager._conditioning import posterior_fill
from skpager._random import index_keys
from skpager.datasets import load_demo

COVARIANCES = [(0.9, "full"), (None, "diag"), (1.0, "tied"), (0.8, "spherical")]


def _core(pca_variance, covariance_type, n_classes=2, side=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(240, side, side) ** 2
    y = rng.randint(0, n_classes, len(X))
    core = GMMCoreGenerator(
        n_components=3,
        pca_variance=pca_variance,
        covariance_type=covariance_type,
        random_state=0,
    )
    return core.fit(X, y)


def _pixel_gaussians(core, c):
    """Means and covariances of class ``c``'s components over the core's
    pixels, built directly: x = F^T (f - b), f = PCA back-projection of the
    mixture's Gaussian plus the isotropic residual in the discarded directions."""
    dim = int(np.prod(core.core_shape_))
    probes = np.vstack([np.zeros(dim), np.eye(dim)]).reshape((dim + 1,) + core.core_shape_)
    feats = core.saab_.transform(probes)
    offset, fmap = feats[0], feats[1:] - feats[0]  # f = x @ fmap + offset
    pca, residual_var, gmm = core.models_[c]
    k, q = gmm.means_.shape
    cov = {
        "full": lambda: gmm.covariances_,
        "tied": lambda: np.repeat(gmm.covariances_[None], k, axis=0),
        "diag": lambda: np.stack([np.diag(v) for v in gmm.covariances_]),
        "spherical": lambda: np.stack([v * np.eye(q) for v in gmm.covariances_]),
    }[gmm.covariance_type]()
    if pca is None:
        feat_means, feat_covs = gmm.means_, cov
    else:
        P = pca.components_.T
        feat_means = pca.mean_ + gmm.means_ @ P.T
        feat_covs = P @ cov @ P.T
        if residual_var is not None:
            feat_covs = feat_covs + residual_var * (np.eye(dim) - P @ P.T)
    inv = np.linalg.inv(fmap)  # x = (f - b) @ inv
    means = (feat_means - offset) @ inv
    covs = inv.T @ feat_covs @ inv
    return gmm.weights_, means, covs


def _direct(core, x, observed, c):
    """Per image: log p(x_o | class c) and E[x_m | x_o, class c], by scipy and
    direct solves on the pixel covariances."""
    weights, means, covs = _pixel_gaussians(core, c)
    lls, fills = [], []
    for xi, o in zip(x, observed, strict=True):
        m = ~o
        comp_ll = np.array(
            [
                np.log(w) + multivariate_normal(mu[o], C[np.ix_(o, o)]).logpdf(xi[o])
                if o.any()
                else np.log(w)
                for w, mu, C in zip(weights, means, covs, strict=True)
            ]
        )
        post = np.exp(comp_ll - logsumexp(comp_ll))
        fill = np.zeros(len(xi))
        for p, mu, C in zip(post, means, covs, strict=True):
            cond = mu.copy()
            if o.any():
                cond[m] += C[np.ix_(m, o)] @ np.linalg.solve(C[np.ix_(o, o)], xi[o] - mu[o])
            fill += p * cond
        lls.append(logsumexp(comp_ll))
        fills.append(fill)
    return np.array(lls), np.array(fills)


@pytest.mark.parametrize("pca_variance, covariance_type", COVARIANCES)
def test_core_conditional_matches_direct_gaussian_computation(pca_variance, covariance_type):
    core = _core(pca_variance, covariance_type)
    rng = np.random.RandomState(1)
    x = rng.rand(6, 4, 4) ** 2
    mask = rng.rand(6, 4, 4) < 0.4
    mask[0] = True  # nothing observed: the prior
    observed = ~mask.reshape(6, -1)
    flat = x.reshape(6, -1)
    direct = [_direct(core, flat, observed, c) for c in range(2)]
    class_ll = np.stack([ll for ll, _ in direct], axis=1) + np.log(core.class_prior_)
    post = np.exp(class_ll - logsumexp(class_ll, axis=1, keepdims=True))
    np.testing.assert_allclose(core.predict_proba(x, mask), post, rtol=1e-6, atol=1e-9)
    expected = np.einsum("nc,ncd->nd", post, np.stack([f for _, f in direct], axis=1))
    expected = np.where(observed, flat, np.clip(expected, 0, 1))
    filled = core.inpaint(x, mask).reshape(6, -1)
    np.testing.assert_allclose(filled, expected, atol=1e-8)
    # with labels: the class's own conditional
    labelled = core.inpaint(x, mask, y=np.ones(6, dtype=int)).reshape(6, -1)
    np.testing.assert_allclose(
        labelled, np.where(observed, flat, np.clip(direct[1][1], 0, 1)), atol=1e-8
    )


def test_fully_observed_marginal_is_the_score():
    core = _core(0.9, "full")
    x = np.random.RandomState(2).rand(5, 4, 4)
    no_mask = np.zeros((4, 4), dtype=bool)
    proba = core.predict_proba(x, no_mask)
    ll = np.stack([core.score_samples(x, np.full(5, c)) for c in range(2)], axis=1)
    ll += np.log(core.class_prior_)
    np.testing.assert_allclose(proba, np.exp(ll - logsumexp(ll, axis=1, keepdims=True)))
    np.testing.assert_allclose(core.predict_proba(x), proba)


@pytest.mark.parametrize("temperature", [1.0, 0.25])
def test_conditional_draws_have_the_conditional_covariance(temperature):
    # one class, one component: the conditional of the PCA coordinates z is a
    # single Gaussian whose covariance does not depend on the observed values;
    # the draws spread U_m z around the conditional mean
    rng = np.random.RandomState(0)
    X = rng.rand(400, 4, 4) ** 2
    core = GMMCoreGenerator(n_components=1, pca_variance=0.9, covariance_type="full")
    core.fit(X)
    _, _, covs = _pixel_gaussians(core, 0)
    dim = 16
    probes = np.vstack([np.zeros(dim), np.eye(dim)]).reshape(dim + 1, 4, 4, 1)
    feats = core.saab_.transform(probes)
    pca, _, gmm = core.models_[0]
    U = np.linalg.inv(feats[1:] - feats[0]).T @ pca.components_.T  # pixels per PCA axis
    mask = np.zeros((4, 4), dtype=bool)
    mask[1:3, 1:3] = True
    m, o = mask.ravel(), ~mask.ravel()
    C, S = covs[0], gmm.covariances_[0]
    cross = S @ U[o].T  # Cov(z, x_o)
    cond_z = S - cross @ np.linalg.solve(C[np.ix_(o, o)], cross.T)
    expected = temperature * U[m] @ cond_z @ U[m].T
    # the unclipped draws (inpaint clips to [0, 1] at the end)
    x = rng.rand(6000, dim) ** 2
    observed = np.broadcast_to(o, x.shape)
    mixtures, log_prior = core._pixel_mixtures(), np.log(core.class_prior_)
    keys = index_keys(5, 0, len(x))
    drawn, _, _ = posterior_fill(mixtures, log_prior, x, observed, None, temperature, keys)
    mean, _, _ = posterior_fill(mixtures, log_prior, x, observed, None, 0.0, None)
    np.testing.assert_array_equal(drawn[:, o], x[:, o])
    dev = (drawn - mean)[:, m]
    scale = np.sqrt(np.diag(expected)).max()
    assert np.abs(dev.mean(axis=0)).max() < 0.1 * scale
    assert np.abs(np.cov(dev.T) - expected).max() < 0.08 * scale**2


@pytest.fixture(scope="module")
def demo_pager():
    demo = load_demo()
    pager = PAGER(
        core=GMMCoreGenerator(n_components=4, pca_variance=0.85, covariance_type="full"),
        enhancer=ConditionalEnhancer(32, max_windows=20000),
        booster=QualityBooster(n_clusters=8, edge_mask=False, stride=4, n_neighbors=1),
        random_state=0,
    )
    return pager.fit(demo.images[:800], demo.target[:800]), load_demo("test")


def _masks(side=28):
    centre = np.zeros((side, side), dtype=bool)
    centre[side // 4 : 3 * side // 4, side // 4 : 3 * side // 4] = True
    right = np.zeros((side, side), dtype=bool)
    right[:, side // 2 :] = True
    return {"centre": centre, "right": right}


@pytest.mark.parametrize("name", ["centre", "right", "random"])
def test_pager_inpaint_keeps_known_pixels_and_is_deterministic(demo_pager, name):
    pager, test = demo_pager
    X = test.images[:12]
    if name == "random":
        mask = np.random.RandomState(0).rand(12, 28, 28) < 0.5
    else:
        mask = np.broadcast_to(_masks()[name], (12, 28, 28))
    out = pager.inpaint(X, mask)
    assert out.shape == X.shape
    known = ~mask
    np.testing.assert_array_equal(out[known], X[known])
    assert np.all((out >= 0) & (out <= 1))
    # deterministic at temperature 0, whatever the batch partners
    np.testing.assert_array_equal(pager.inpaint(X, mask), out)
    np.testing.assert_allclose(pager.inpaint(X[5:6], mask[5:6]), out[5:6], atol=1e-9)
    # draws: reproducible per seed, per image, and different from the mean
    a = pager.inpaint(X, mask, temperature=1.0, random_state=3)
    b = pager.inpaint(X[::-1], mask[::-1], temperature=1.0, random_state=3)[::-1]
    np.testing.assert_allclose(a, b, atol=1e-9)
    np.testing.assert_array_equal(a[known], out[known])
    assert np.abs(a - out)[mask].mean() > 0.01
    c = pager.inpaint(X, mask, temperature=1.0, random_state=4)
    assert np.abs(a - c)[mask].mean() > 0.01


def test_pager_inpaint_beats_the_mean_fill(demo_pager):
    pager, test = demo_pager
    X = test.images[:100]
    mask = _masks()["centre"]
    out = pager.inpaint(X, mask)
    err = np.mean((out[:, mask] - X[:, mask]) ** 2)
    mean_fill = np.mean((X[:, mask] - X[:, ~mask].mean()) ** 2)
    assert err < 0.5 * mean_fill


def test_pager_inpaint_edge_cases(demo_pager):
    pager, test = demo_pager
    X = test.images[:4].copy()
    # no pixel missing: the input
    np.testing.assert_array_equal(pager.inpaint(X, np.zeros((28, 28), dtype=bool)), X)
    # every pixel missing: sampling (class-conditional with y)
    full = pager.inpaint(np.full_like(X, np.nan), np.ones((28, 28), dtype=bool), y=3)
    assert np.isfinite(full).all() and full.std() > 0.05
    # NaN at missing pixels is allowed; flat masks and 0/1 masks work
    mask = _masks()["centre"]
    holed = X.copy()
    holed[:, mask] = np.nan
    expected = pager.inpaint(X, mask)
    np.testing.assert_array_equal(pager.inpaint(holed, mask), expected)
    flat = np.broadcast_to(mask.ravel(), (4, 28 * 28)).astype(int)
    np.testing.assert_array_equal(pager.inpaint(X, flat), expected)
    # uint8 input is rescaled
    as_bytes = np.round(X * 255).astype(np.uint8)
    np.testing.assert_allclose(
        pager.inpaint(as_bytes, mask), pager.inpaint(as_bytes / 255.0, mask), atol=1e-12
    )


@pytest.mark.parametrize(
    "mask, X_change, kwargs, message",
    [
        (np.zeros((27, 28), dtype=bool), None, {}, "mask must have shape"),
        (np.full((28, 28), 2), None, {}, "mask must hold booleans"),
        (np.zeros((28, 28), dtype=bool), "nan", {}, "NaN or infinity at observed"),
        (np.zeros((28, 28), dtype=bool), "range", {}, "Divide 0..255"),
        (np.ones((28, 28), dtype=bool), None, {"temperature": -1}, "temperature must be"),
        (np.ones((28, 28), dtype=bool), None, {"y": [99] * 4}, "Unknown class 99"),
        (np.ones((28, 28), dtype=bool), None, {"y": [1, 2]}, "one label per image"),
        (np.ones((28, 28), dtype=bool), "shape", {}, "X must hold 28x28x1 images"),
    ],
)
def test_pager_inpaint_errors(demo_pager, mask, X_change, kwargs, message):
    pager, test = demo_pager
    X = test.images[:4].copy()
    if X_change == "nan":
        X[0, 3, 3] = np.nan
    elif X_change == "range":
        X = X * 255.0
    elif X_change == "shape":
        X = X[:, :14, :14]
    with pytest.raises(ValueError, match=message):
        pager.inpaint(X, mask, **kwargs)


def test_pager_inpaint_needs_a_core_that_inpaints(demo_pager):
    pager, test = demo_pager

    class PlainCore(GMMCoreGenerator):
        inpaint = property(doc="no inpaint")  # hides the method

    plain = PAGER(
        core=PlainCore(resolution=7, n_components=2), booster="drop", random_state=0
    ).fit(test.images[:100])
    with pytest.raises((TypeError, AttributeError)):
        plain.inpaint(test.images[:2], np.ones((28, 28), dtype=bool))


def test_pager_predict_proba_classifies_whole_and_partial_images(demo_pager):
    pager, test = demo_pager
    X, y = test.images[:300], test.target[:300]
    classes = pager.core_.classes_
    proba = pager.predict_proba(X)
    assert proba.shape == (300, len(classes))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    accuracy = np.mean(classes[proba.argmax(axis=1)] == y)
    assert accuracy > 0.6  # ten classes: chance is 0.1
    half = pager.predict_proba(X, _masks()["right"])
    assert 0.3 < np.mean(classes[half.argmax(axis=1)] == y) <= accuracy + 0.05
    # nothing observed at all (PAGER's zero padding is observed): the class prior
    nothing = np.ones((32, 32), dtype=bool)
    none = pager.core_.predict_proba(np.full((3, 32, 32, 1), np.nan), nothing)
    np.testing.assert_allclose(none, np.tile(pager.core_.class_prior_, (3, 1)))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    share=st.floats(0.0, 1.0),
    temperature=st.sampled_from([0.0, 0.5, 1.0]),
    noise=st.booleans(),
)
def test_inpaint_keeps_observed_pixels_for_any_mask(demo_pager, seed, share, temperature, noise):
    pager, test = demo_pager
    rng = np.random.RandomState(seed)
    # white noise makes the filters ring most: the stages must still get
    # images within the pixel band
    X = rng.rand(3, 28, 28, 1) if noise else test.images[:3]
    mask = rng.rand(3, 28, 28) < share
    out = pager.inpaint(X, mask, temperature=temperature, random_state=seed)
    np.testing.assert_array_equal(out[~mask], X[~mask])
    assert np.all((out >= 0) & (out <= 1))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), share=st.floats(0.05, 0.95))
def test_core_conditioning_matches_direct_for_random_masks(seed, share):
    core = _core(0.9, "full", seed=seed % 7)
    rng = np.random.RandomState(seed)
    x = rng.rand(3, 4, 4)
    mask = rng.rand(3, 4, 4) < share
    observed = ~mask.reshape(3, -1)
    ll, fill = _direct(core, x.reshape(3, -1), observed, 0)
    filled = core.inpaint(x, mask, y=np.full(3, core.classes_[0])).reshape(3, -1)
    expected = np.where(observed, x.reshape(3, -1), np.clip(fill, 0, 1))
    np.testing.assert_allclose(filled, expected, atol=1e-7)


@pytest.fixture(scope="module")
def colour_pager():
    grey = load_demo().images[:200, ::2, ::2]  # 14x14: padded to 16 for a 4x4 core
    rng = np.random.RandomState(0)
    colour = np.clip(grey * rng.uniform(0.6, 1.0, size=(200, 1, 1, 3)), 0, 1)
    pager = PAGER(
        GMMCoreGenerator(n_components=2, resolution=4, pca_variance=0.95), random_state=0
    )
    return pager.fit(colour), colour


def test_colour_inpaint_keeps_known_pixels_in_every_channel(colour_pager):
    pager, colour = colour_pager
    mask = np.random.RandomState(0).rand(5, 14, 14) < 0.4
    for temperature in (0.0, 1.0):
        out = pager.inpaint(colour[:5], mask, temperature=temperature, random_state=1)
        assert out.shape == (5, 14, 14, 3)
        np.testing.assert_array_equal(out[~mask], colour[:5][~mask])
        assert np.isfinite(out).all()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), share=st.floats(0.0, 1.0), temperature=st.sampled_from([0, 1]))
def test_known_pixels_put_back_stay_in_the_pixel_band(colour_pager, seed, share, temperature):
    # the normalised average of a few observed pixels could ring far outside
    # [0, 1] (and a stage then refused the image): noise images with any mask
    pager, _ = colour_pager
    rng = np.random.RandomState(seed)
    X = rng.rand(4, 14, 14, 3)
    mask = rng.rand(4, 14, 14) < share
    out = pager.inpaint(X, mask, temperature=float(temperature), random_state=seed)
    np.testing.assert_array_equal(out[~mask], X[~mask])


def test_one_gaussian_at_the_output_resolution_fills_by_least_squares():
    """The colour-inpainting recipe of the User Guide: PAGER whose core is one
    Gaussian at the output resolution, fitted without labels, completes a
    colour image with the Gaussian's conditional mean of the missing pixels
    (the linear least-squares fill), computed here directly in pixel space."""
    rng = np.random.RandomState(0)
    # smooth random colour images: a low-resolution field taken to 8x8
    low = rng.rand(400, 2, 2, 3)
    X = np.clip(low.repeat(4, axis=1).repeat(4, axis=2) + 0.05 * rng.randn(400, 8, 8, 3), 0, 1)
    core = GMMCoreGenerator(
        8, n_components=1, component_selection="fixed", covariance_type="full", pca_variance=None
    )
    pager = PAGER(core=core, random_state=0).fit(X)
    assert pager.resolutions_ == [8] and not pager.enhancers_
    x = X[:5]
    mask = np.zeros((8, 8), dtype=bool)
    mask[2:6, 2:6] = True
    _, means, covs = _pixel_gaussians(pager.core_, 0)
    flat, o = x.reshape(5, -1), ~np.repeat(mask[..., None], 3, axis=-1).ravel()
    C = covs[0]
    fill = means[0][~o] + (flat[:, o] - means[0][o]) @ np.linalg.solve(
        C[np.ix_(o, o)], C[np.ix_(o, ~o)]
    )
    expected = flat.copy()
    expected[:, ~o] = np.clip(fill, 0, 1)
    np.testing.assert_allclose(pager.inpaint(x, mask).reshape(5, -1), expected, atol=1e-8)
    # better than the mean fill on these images
    mean_fill = flat.copy()
    mean_fill[:, ~o] = means[0][~o]
    assert np.mean((expected - flat) ** 2) < np.mean((mean_fill - flat) ** 2)
