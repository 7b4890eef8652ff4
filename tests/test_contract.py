"""The estimator contracts that scikit-learn's common checks cannot run on
image-pair estimators (their y is images, not a 1-D target), run here on real
image pairs, in the manner of imbalanced-learn's own sampler checks.

For every octave (enhancers, booster) and for PAGER's ``super_resolve``:
sample-order and subset invariance (an output image depends on its own input
only, with and without edge masks, on images whose content reaches the
border), idempotent fit, ``n_features_in_``, float32 input, read-only input,
NaN rejection, fit returning self without changing parameters, and pickling.
Invariance holds to float32 rounding (1e-6): stored patches and keys are
float32, and BLAS may sum a batch in another order.
"""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skpager import (
    PAGER,
    AttributeGuidedGenerator,
    ConditionalEnhancer,
    DensityRatioResampler,
    ExemplarEnhancer,
    GMMCoreGenerator,
    HistogramMatcher,
    LocalPCACoreGenerator,
    QualityBooster,
    ResolutionEnhancer,
    SubspaceRefiner,
)
from skpager.datasets import load_demo
from skpager.image import resize


def _pairs():
    """Low (8x8) and high (16x16) images whose content reaches the border:
    16x16 crops from the middle of 28x28 Fashion-MNIST images."""
    images = load_demo().images[:120, 6:22, 6:22]
    return resize(images, 8), images


LOW, HIGH = _pairs()
DC = resize(LOW, 16)

OCTAVES = {
    "enhancer": ResolutionEnhancer(n_dc_components=4, max_windows=2000, random_state=0),
    "enhancer-no-mask": ResolutionEnhancer(
        n_dc_components=4, max_windows=2000, edge_mask=False, random_state=0
    ),
    "enhancer-draws": ResolutionEnhancer(
        n_dc_components=4, max_windows=2000, temperature=1.0, random_state=0
    ),
    "exemplar": ExemplarEnhancer(n_exemplars=60, random_state=0),
    "conditional": ConditionalEnhancer(8, random_state=0),
    "conditional-draws": ConditionalEnhancer(8, temperature=1.0, random_state=0),
    "booster": QualityBooster(n_clusters=4, patch_size=4, random_state=0),
    "booster-no-mask": QualityBooster(n_clusters=4, patch_size=4, edge_mask=False, random_state=0),
}


def _data(name):
    """(X, y) of an octave: boosters learn from the Lanczos DC at 16x16."""
    return (DC, HIGH) if name.startswith("booster") else (LOW, HIGH)


@pytest.fixture(scope="module", params=sorted(OCTAVES))
def fitted(request):
    name = request.param
    X, y = _data(name)
    return name, clone(OCTAVES[name]).fit(X, y), X, y


def test_order_and_subset_invariance(fitted):
    _, est, X, _ = fitted
    out = est.transform(X)
    perm = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(est.transform(X[perm]), out[perm], atol=1e-6)
    for part in (slice(0, 7), slice(50, 51), slice(60, None)):
        np.testing.assert_allclose(est.transform(X[part]), out[part], atol=1e-6)
    np.testing.assert_allclose(est.predict(X[:5]), out[:5], atol=1e-6)


def test_fit_is_idempotent_and_returns_self(fitted):
    name, est, X, y = fitted
    params = est.get_params()
    again = est.fit(X, y)
    assert again is est
    assert est.get_params() == params  # fit changes no parameter
    fresh = clone(OCTAVES[name]).fit(X, y)
    np.testing.assert_allclose(est.transform(X[:10]), fresh.transform(X[:10]), atol=1e-6)


def test_n_features_in_and_wrong_width(fitted):
    _, est, X, _ = fitted
    assert est.n_features_in_ == X[0].size
    with pytest.raises(ValueError, match="features"):
        est.transform(X.reshape(len(X), -1)[:, :-1])


def test_float32_and_read_only_input(fitted):
    name, est, X, y = fitted
    out = est.transform(X[:10])
    np.testing.assert_allclose(est.transform(X[:10].astype(np.float32)), out, atol=1e-5)
    frozen = X.copy()
    frozen.flags.writeable = False
    frozen_y = y.copy()
    frozen_y.flags.writeable = False
    clone(OCTAVES[name]).fit(frozen, frozen_y).transform(frozen[:3])


def test_nan_is_rejected(fitted):
    name, est, X, y = fitted
    bad = X.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clone(OCTAVES[name]).fit(bad, y)
    with pytest.raises(ValueError, match="NaN"):
        est.transform(bad)


def test_pickle_round_trip(fitted):
    _, est, X, _ = fitted
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.transform(X[:10]), est.transform(X[:10]))


@pytest.mark.parametrize("mask", [True, False])
def test_super_resolve_is_order_and_subset_invariant(mask):
    pager = PAGER(
        GMMCoreGenerator(n_components=2, resolution=4),
        enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000, edge_mask=mask),
        booster=QualityBooster(n_clusters=4, patch_size=4, edge_mask=mask),
        random_state=0,
    ).fit(HIGH)
    low = resize(HIGH[:40], 4)
    out = pager.super_resolve(low)
    perm = np.random.default_rng(1).permutation(40)
    np.testing.assert_allclose(pager.super_resolve(low[perm]), out[perm], atol=1e-6)
    np.testing.assert_allclose(pager.super_resolve(low[10:13]), out[10:13], atol=1e-6)


def test_attribute_generator_contract():
    rng = np.random.default_rng(0)
    X = HIGH[:60, ::2, ::2]
    A = np.where(rng.random((60, 3)) < 0.5, -1, 1)
    est = AttributeGuidedGenerator(GMMCoreGenerator(n_components=1), n_clusters=3, random_state=0)
    params = est.get_params()
    assert est.fit(X, A) is est and est.get_params() == params
    first = est.sample(4, query=[1, 0, -1])
    np.testing.assert_array_equal(est.fit(X, A).sample(4, query=[1, 0, -1]), first)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.sample(4, query=[1, 0, -1]), first)


# --------------------------------------------------------------------------
# The core and PAGER refuse floats outside the pixel range, which most of
# scikit-learn's common checks fit on; the same contracts on images here.
GENERATORS = {
    "core": (GMMCoreGenerator(n_components=2, resolution=8, random_state=0), "score_samples"),
    "pager": (
        PAGER(
            GMMCoreGenerator(n_components=2, resolution=4),
            enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000),
            booster=QualityBooster(n_clusters=4, patch_size=4),
            random_state=0,
        ),
        "score",
    ),
    "resampler": (
        DensityRatioResampler(
            PAGER(
                GMMCoreGenerator(n_components=2, resolution=4),
                enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000),
                booster=QualityBooster(n_clusters=4, patch_size=4),
                random_state=0,
            ),
            n_fit_samples=60,
            random_state=0,
        ),
        "log_density_ratio",
    ),
    "refiner": (
        SubspaceRefiner(
            PAGER(
                GMMCoreGenerator(n_components=2, resolution=4),
                enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000),
                booster=QualityBooster(n_clusters=4, patch_size=4),
                random_state=0,
            ),
            model=LocalPCACoreGenerator(n_components=2, max_iter=20),
            random_state=0,
        ),
        "refine",
    ),
    "matcher": (
        HistogramMatcher(
            PAGER(
                GMMCoreGenerator(n_components=2, resolution=4),
                enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000),
                booster=QualityBooster(n_clusters=4, patch_size=4),
                random_state=0,
            ),
            n_probe=30,
            random_state=0,
        ),
        "match",
    ),
}
LABELS = np.arange(len(HIGH)) % 3


@pytest.fixture(scope="module", params=sorted(GENERATORS))
def generator(request):
    est, method = GENERATORS[request.param]
    return request.param, clone(est).fit(HIGH, LABELS), method


def _score_per_image(est, method, X, y):
    if method != "score":
        return getattr(est, method)(X, y)
    return np.array([est.score(X[i : i + 1], y[i : i + 1]) for i in range(len(X))])


def test_generator_fit_contract(generator):
    name, est, _ = generator
    params = est.get_params()
    state = {k: v for k, v in vars(est).items() if not k.startswith("_")}
    assert est.fit(HIGH, LABELS) is est
    assert est.get_params() == params  # fit changes no parameter
    assert set(state) == {k for k in vars(est) if not k.startswith("_")}
    assert est.n_features_in_ == HIGH[0].size
    first = est.sample(5, y=[0, 1, 2, 0, 1], random_state=3)
    fresh = clone(GENERATORS[name][0]).fit(HIGH, LABELS)
    np.testing.assert_array_equal(fresh.sample(5, y=[0, 1, 2, 0, 1], random_state=3), first)
    # sampling and scoring leave the fitted state alone (check_dict_unchanged)
    before = _state(est)
    est.sample(3, random_state=0)
    getattr(est, GENERATORS[name][1])(HIGH[:4], LABELS[:4])
    assert _state(est) == before


def _state(est):
    """Each attribute of ``est`` and of its stages: arrays and plain values by
    hash, other objects by identity (as ``check_dict_unchanged`` compares)."""

    def value(v):
        if isinstance(v, list | tuple):
            return tuple(value(x) for x in v)
        if v is None or isinstance(v, np.ndarray | np.generic | int | float | str | dict):
            return joblib.hash(v)
        return id(v)

    stages = [est, *getattr(est, "enhancers_", []), *getattr(est, "boosters_", [])]
    return [{k: value(v) for k, v in vars(s).items()} for s in stages if s is not None]


def test_generator_input_forms(generator):
    name, est, method = generator
    ref = _score_per_image(est, method, HIGH[:6], LABELS[:6])
    as_f32 = _score_per_image(est, method, HIGH[:6].astype(np.float32), LABELS[:6])
    np.testing.assert_allclose(as_f32, ref, rtol=1e-4, atol=1e-3)
    fortran = np.asfortranarray(HIGH[:6].reshape(6, -1)).reshape(HIGH[:6].shape)
    np.testing.assert_allclose(_score_per_image(est, method, fortran, LABELS[:6]), ref)
    frozen_x, frozen_y = HIGH.copy(), LABELS.copy()
    frozen_x.flags.writeable = False
    frozen_y.flags.writeable = False
    clone(GENERATORS[name][0]).fit(frozen_x, frozen_y)
    as_uint8 = np.rint(HIGH * 255).astype(np.uint8)
    clone(GENERATORS[name][0]).fit(as_uint8, LABELS)
    with pytest.raises(ValueError, match="features"):
        getattr(est, method)(HIGH.reshape(len(HIGH), -1)[:3, :-1], LABELS[:3])
    with pytest.raises(NotFittedError):
        getattr(clone(GENERATORS[name][0]), method)(HIGH[:3], LABELS[:3])
    with pytest.raises(ValueError, match="divide 0..255 images by 255|Divide 0..255"):
        clone(GENERATORS[name][0]).fit(HIGH * 255, LABELS)


def test_generator_scores_are_order_and_subset_invariant(generator):
    _, est, method = generator
    ref = _score_per_image(est, method, HIGH[:20], LABELS[:20])
    perm = np.random.default_rng(2).permutation(20)
    got = _score_per_image(est, method, HIGH[:20][perm], LABELS[:20][perm])
    np.testing.assert_allclose(got, ref[perm], rtol=1e-9, atol=1e-9)
