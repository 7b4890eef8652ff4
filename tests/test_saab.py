"""SaabTransformer: the maths (property-based), sklearn integration, errors."""

import pickle

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skpager import SaabTransformer


@st.composite
def image_batches(draw):
    """Random images: side a power of two up to 32, C in {1, 3}, float32 or float64."""
    log_side = draw(st.integers(1, 5))
    side = 2**log_side
    channels = draw(st.sampled_from([1, 3]))
    n = draw(st.integers(2, 12))
    n_stages = draw(st.integers(1, log_side))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    seed = draw(st.integers(0, 2**32 - 1))
    X = np.random.default_rng(seed).random((n, side * side * channels)).astype(dtype)
    return X, (side, side, channels), n_stages


def _tol(dtype):
    return 1e-10 if dtype == np.float64 else 2e-5


@settings(max_examples=40, deadline=None)
@given(image_batches())
def test_complete_transform_is_orthonormal(batch):
    X, shape, n_stages = batch
    saab = SaabTransformer(n_stages=n_stages, image_shape=shape).fit(X)
    Z = saab.transform(X)
    assert Z.dtype == X.dtype
    assert Z.shape == X.shape
    tol = _tol(X.dtype)
    # invertibility
    np.testing.assert_allclose(saab.inverse_transform(Z), X, atol=tol, rtol=0)
    # Parseval and distance preservation
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), np.linalg.norm(X, axis=1), rtol=tol)
    d_in = np.linalg.norm(X[0] - X[1:], axis=1)
    d_out = np.linalg.norm(Z[0] - Z[1:], axis=1)
    np.testing.assert_allclose(d_out, d_in, rtol=tol * 10, atol=tol)
    # every stage's kernels are orthonormal, DC first
    for kernels in saab.kernels_:
        gram = np.einsum("gij,gik->gjk", kernels, kernels)
        np.testing.assert_allclose(
            gram, np.broadcast_to(np.eye(kernels.shape[1]), gram.shape), atol=1e-12
        )
        np.testing.assert_allclose(kernels[:, :, 0], 1 / np.sqrt(kernels.shape[1]))
    np.testing.assert_allclose(saab.energy_.sum(), 1.0, rtol=1e-6)
    # the spatial shape follows the number of stages
    side = shape[0] // 2**n_stages
    assert saab.output_shape_ == (side, side, shape[2] * 4**n_stages)


@settings(max_examples=30, deadline=None)
@given(image_batches(), st.floats(0.0, 0.2))
def test_truncation_error_equals_dropped_energy(batch, threshold):
    X, shape, n_stages = batch
    full = SaabTransformer(n_stages=n_stages, image_shape=shape).fit(X)
    trunc = SaabTransformer(n_stages=n_stages, image_shape=shape, energy_threshold=threshold).fit(
        X
    )
    Z_full = full.transform(X).reshape(X.shape[0], -1, full.output_shape_[2])
    dropped = np.setdiff1d(np.arange(full.output_shape_[2]), trunc.channels_)
    dropped_energy = np.sum(Z_full[:, :, dropped].astype(np.float64) ** 2, axis=(1, 2))
    X_rec = trunc.inverse_transform(trunc.transform(X))
    err = np.sum((X_rec.astype(np.float64) - X) ** 2, axis=1)
    np.testing.assert_allclose(err, dropped_energy, atol=_tol(X.dtype) * 10, rtol=1e-6)
    # a projection: applying it twice changes nothing
    np.testing.assert_allclose(
        trunc.inverse_transform(trunc.transform(X_rec)), X_rec, atol=_tol(X.dtype) * 10
    )
    assert np.all(trunc.energy_ >= 0)


def test_rank_deficient_fit_inverts_new_inputs():
    rng = np.random.default_rng(0)
    # zero-padded borders and constant images: most directions unseen in training
    train = np.zeros((40, 16, 16))
    train[:, 4:12, 4:12] = rng.random((40, 8, 8))
    train[:5] = 0.5
    saab = SaabTransformer(image_shape=(16, 16)).fit(train.reshape(40, -1))
    new = rng.random((7, 256))
    np.testing.assert_allclose(saab.inverse_transform(saab.transform(new)), new, atol=1e-10)
    # constant training data
    const = SaabTransformer(image_shape=(8, 8, 3)).fit(np.full((3, 192), 0.3))
    new = rng.random((4, 192))
    np.testing.assert_allclose(const.inverse_transform(const.transform(new)), new, atol=1e-10)


def test_kernels_are_deterministic_and_order_free():
    rng = np.random.default_rng(1)
    X = rng.random((30, 8 * 8 * 3))
    X_def = np.zeros((30, 8, 8, 3))
    X_def[:, 2:6, 2:6] = rng.random((30, 4, 4, 3))
    for data in (X, X_def.reshape(30, -1)):
        a = SaabTransformer(image_shape=(8, 8, 3)).fit(data)
        b = SaabTransformer(image_shape=(8, 8, 3)).fit(data)
        c = SaabTransformer(image_shape=(8, 8, 3)).fit(data[rng.permutation(30)])
        for ka, kb, kc in zip(a.kernels_, b.kernels_, c.kernels_, strict=True):
            np.testing.assert_array_equal(ka, kb)
            np.testing.assert_allclose(ka, kc, atol=1e-8)


def test_ac_kernels_ignore_dc_and_sort_by_variance():
    rng = np.random.default_rng(2)
    X = rng.random((200, 16)) + 5 * rng.random((200, 1))  # big shared DC per image
    saab = SaabTransformer(n_stages=1, image_shape=(4, 4)).fit(X)
    K = saab.kernels_[0][0]
    np.testing.assert_allclose(K[:, 1:].sum(axis=0), 0, atol=1e-12)
    coef = saab.transform(X).reshape(-1, 4)
    var = coef[:, 1:].var(axis=0)
    assert np.all(np.diff(var) <= 1e-12)


def test_nd_input_and_uint8_rescaling():
    rng = np.random.default_rng(3)
    imgs = rng.integers(0, 256, size=(10, 8, 8, 3), dtype=np.uint8)
    saab = SaabTransformer().fit(imgs)
    assert saab.image_shape_ == (8, 8, 3)
    Z = saab.transform(imgs)
    flat = saab.transform(imgs.reshape(10, -1) / 255.0)
    np.testing.assert_allclose(Z, flat)
    back = saab.inverse_transform(Z)
    assert back.shape == (10, 8, 8, 3)
    np.testing.assert_allclose(back, imgs / 255.0, atol=1e-10)
    grey = SaabTransformer().fit(rng.random((5, 4, 4)))
    assert grey.inverse_transform(grey.transform(rng.random((2, 4, 4)))).shape == (2, 4, 4)


def test_tabular_input_is_one_joint_stage():
    X = np.random.default_rng(4).random((25, 7))
    saab = SaabTransformer().fit(X)
    assert saab.n_stages_ == 1
    assert saab.kernels_[0].shape == (1, 7, 7)
    np.testing.assert_allclose(saab.inverse_transform(saab.transform(X)), X, atol=1e-12)
    names = saab.get_feature_names_out()
    assert names[0] == "saabtransformer0" and len(names) == 7


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({"image_shape": (4, 4)}, np.full((3, 16), np.nan), "NaN"),
        ({"image_shape": (4, 4)}, np.full((3, 16), np.inf), "infinity"),
        ({"image_shape": (6, 6), "n_stages": 2}, np.zeros((3, 36)), "divisible by 4"),
        ({"image_shape": (5, 5)}, np.zeros((3, 25)), "divisible by 2"),
        ({"image_shape": (4, 4)}, np.zeros((3, 15)), "implies 16 features"),
        ({"image_shape": (4, -4)}, np.zeros((3, 16)), "positive integers"),
        ({"n_stages": 2}, np.zeros((3, 5)), "1x1"),
        ({}, np.zeros((1, 5)), "1 sample"),
        ({"image_shape": (4, 4)}, np.zeros((2, 4, 4, 3)), "does not match"),
    ],
)
def test_bad_input_raises_clear_value_error(params, X, match):
    with pytest.raises(ValueError, match=match):
        SaabTransformer(**params).fit(X)


def test_transform_checks_feature_count():
    saab = SaabTransformer(image_shape=(4, 4)).fit(np.random.default_rng(0).random((5, 16)))
    with pytest.raises(ValueError, match="16 features"):
        saab.transform(np.zeros((2, 12)))
    with pytest.raises(ValueError, match="expects 16 Saab coefficients"):
        saab.inverse_transform(np.zeros((2, 12)))
    with pytest.raises(ValueError, match="does not match"):
        saab.transform(np.zeros((2, 2, 8)))


def test_pipeline_gridsearch_and_persistence(tmp_path):
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.3, random_state=0
    )
    pipe = make_pipeline(SaabTransformer(image_shape=(8, 8)), LogisticRegression(max_iter=2000))
    pipe.fit(X_train, y_train)
    assert pipe.score(X_test, y_test) > 0.95
    search = GridSearchCV(pipe, {"saabtransformer__energy_threshold": [0.0, 1e-3, 0.5]}, cv=3)
    search.fit(X_train, y_train)
    assert search.best_params_["saabtransformer__energy_threshold"] < 0.5
    saab = clone(pipe[0]).fit(X_train)
    Z = saab.transform(X_test)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(saab)).transform(X_test), Z)
    joblib.dump(saab, tmp_path / "saab.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "saab.joblib").transform(X_test), Z)
