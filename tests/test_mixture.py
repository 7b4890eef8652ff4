"""The full-covariance EM of ``skpager._mixture`` against scikit-learn's."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.mixture import GaussianMixture

from skpager import _mixture
from skpager._core import class_pca
from skpager._local_core import _fit_local_model, _leading_coordinates
from skpager._mixture import fit_full_mixture, fit_mixture, mixture_fitter


def _blobs(seed, n=300, d=5, k=3):
    rng = np.random.RandomState(seed)
    centres = rng.normal(scale=4.0, size=(k, d))
    mixing = rng.normal(size=(k, d, d)) / np.sqrt(d)
    labels = rng.randint(k, size=n)
    return centres[labels] + np.einsum("nij,nj->ni", mixing[labels], rng.normal(size=(n, d)))


def _assert_same_mixture(ours, theirs):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.converged_ == theirs.converged_
    np.testing.assert_allclose(ours.lower_bound_, theirs.lower_bound_, rtol=1e-9)
    np.testing.assert_allclose(ours.weights_, theirs.weights_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(
        ours.precisions_cholesky_, theirs.precisions_cholesky_, rtol=1e-6, atol=1e-7
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    d=st.integers(1, 6),
    k=st.integers(1, 5),
    max_iter=st.sampled_from([1, 5, 100]),
)
def test_full_em_is_scikit_learns(seed, d, k, max_iter):
    X = _blobs(seed, d=d)
    params = {"max_iter": max_iter, "tol": 1e-3, "reg_covar": 1e-6}
    ours = fit_full_mixture(X, k, seed, **params)
    theirs = GaussianMixture(k, covariance_type="full", random_state=seed, **params).fit(X)
    _assert_same_mixture(ours, theirs)
    np.testing.assert_allclose(
        ours.score_samples(X), theirs.score_samples(X), rtol=1e-8, atol=1e-8
    )


def _scikit_learn_from(start, **params):
    """scikit-learn's mixture whose EM starts from the fitted ``start``."""
    return GaussianMixture(
        len(start.weights_),
        covariance_type=start.covariance_type,
        weights_init=start.weights_,
        means_init=start.means_,
        precisions_init=start.precisions_,
        **params,
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), d=st.integers(1, 5), k=st.integers(1, 4))
def test_full_em_from_given_parameters_is_scikit_learns(seed, d, k):
    """EM started from a fitted mixture's parameters (``init``) is
    scikit-learn's EM started from them (``weights_init``, ``means_init``,
    ``precisions_init``), on other data than the start was fitted on."""
    X = _blobs(seed, d=d)
    start = fit_full_mixture(X[:150], k, seed, max_iter=3)
    params = {"max_iter": 100, "tol": 1e-3, "reg_covar": 1e-6}
    ours = fit_full_mixture(X, k, seed, init=start, **params)
    theirs = _scikit_learn_from(start, random_state=seed, **params).fit(X)
    _assert_same_mixture(ours, theirs)
    # through fit_mixture, and through scikit-learn for other covariances
    again = fit_mixture(X, k, seed, init=start, covariance_type="full", **params)
    _assert_same_mixture(again, ours)
    diag_start = fit_mixture(X[:150], k, seed, covariance_type="diag", max_iter=3)
    diag = fit_mixture(X, k, seed, init=diag_start, covariance_type="diag")
    ref = _scikit_learn_from(diag_start, random_state=seed).fit(X)
    np.testing.assert_array_equal(diag.means_, ref.means_)


def test_full_em_start_must_have_the_components():
    X = _blobs(2)
    start = fit_full_mixture(X, 2, 0)
    with pytest.raises(ValueError, match="n_components=3"):
        fit_full_mixture(X, 3, 0, init=start)


def test_fit_mixture_uses_it_for_full_covariances_only():
    X = _blobs(0)
    full = fit_mixture(X, 3, 0, covariance_type="full", max_iter=50, tol=1e-3, reg_covar=1e-6)
    theirs = GaussianMixture(3, covariance_type="full", random_state=0, max_iter=50).fit(X)
    _assert_same_mixture(full, theirs)
    # other covariances, or other parameters, go to scikit-learn unchanged
    diag = fit_mixture(X, 3, 0, covariance_type="diag")
    ref = GaussianMixture(3, covariance_type="diag", random_state=0).fit(X)
    np.testing.assert_array_equal(diag.means_, ref.means_)
    spread = fit_mixture(X, 3, 0, covariance_type="full", init_params="random")
    ref = GaussianMixture(3, covariance_type="full", init_params="random", random_state=0).fit(X)
    np.testing.assert_array_equal(spread.means_, ref.means_)


def test_large_tables_go_to_scikit_learn(monkeypatch):
    X = _blobs(1, n=500, d=4)
    monkeypatch.setattr(_mixture, "_PRODUCTS_BYTES", 500 * 10 * 8 - 1)
    ours = fit_mixture(X, 4, 3, covariance_type="full", max_iter=100, tol=1e-3, reg_covar=1e-6)
    theirs = GaussianMixture(4, covariance_type="full", random_state=3).fit(X)
    np.testing.assert_array_equal(ours.means_, theirs.means_)
    np.testing.assert_array_equal(ours.covariances_, theirs.covariances_)


def test_mixture_fitter_shares_the_pair_products(monkeypatch):
    X = _blobs(5, n=400, d=4)
    params = {"covariance_type": "full", "max_iter": 100, "tol": 1e-3, "reg_covar": 1e-6}
    built = []
    table = _mixture._PairProducts
    monkeypatch.setattr(_mixture, "_PairProducts", lambda data: built.append(1) or table(data))
    fit = mixture_fitter(X, **params)
    fitted = [fit(k, seed) for k, seed in [(1, 0), (2, 0), (4, 0), (4, 7)]]
    assert len(built) == 1  # one table for every size and seed
    for (k, seed), ours in zip([(1, 0), (2, 0), (4, 0), (4, 7)], fitted, strict=True):
        _assert_same_mixture(ours, fit_mixture(X, k, seed, **params))
    # a fitter whose fits go to scikit-learn builds no table
    mixture_fitter(X, covariance_type="diag")(3, 0)
    assert len(built) == 5


@pytest.mark.parametrize("n", [30, 400])
def test_class_pca_solvers_agree(n):
    """Many samples: the covariance's eigendecomposition; few: the SVD. Both
    give scikit-learn's full-SVD PCA."""
    from sklearn.decomposition import PCA

    X = _blobs(6, n=n, d=40, k=4)
    pca, residual, z = class_pca(X, 0.9, 1e-6)
    ref = PCA(0.9, svd_solver="full").fit(X)
    assert pca.n_components_ == ref.n_components_
    np.testing.assert_allclose(pca.components_, ref.components_, atol=1e-8)
    np.testing.assert_allclose(z, ref.transform(X), atol=1e-8)
    dropped = X.shape[1] - ref.n_components_
    expected = (np.var(X, axis=0, ddof=1).sum() - ref.explained_variance_.sum()) / dropped
    np.testing.assert_allclose(residual, expected, rtol=1e-8)


def test_full_em_errors():
    X = _blobs(2, n=20, d=3)
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        fit_full_mixture(X, 21, 0)
    collapsed = np.repeat(X[:2], 10, axis=0)
    with pytest.raises(ValueError, match="ill-defined empirical covariance"):
        fit_full_mixture(collapsed, 2, 0, reg_covar=0.0)


@pytest.mark.parametrize(("variance", "larger"), [(0.5, 0.9), (0.9, 0.9), (0.7, 0.99)])
def test_leading_coordinates_are_the_smaller_pca(variance, larger):
    X = _blobs(4, n=400, d=12, k=4)
    pca, _, z = class_pca(X, larger, 1e-6)
    small_pca, _, small = class_pca(X, variance, 1e-6)
    lead = _leading_coordinates(pca, z, variance)
    assert lead.shape == small.shape
    np.testing.assert_allclose(lead, small, rtol=1e-9, atol=1e-9)
    # none when the smaller space is not inside the fitted one
    assert _leading_coordinates(pca, z, 1.0) is None
    assert _leading_coordinates(pca, z, None) is None
    assert _leading_coordinates(None, X, variance) is None
    if small_pca.n_components_ < pca.n_components_:
        assert _leading_coordinates(small_pca, small, larger) is None


def test_local_model_is_the_same_with_one_decomposition(monkeypatch):
    X = _blobs(5, n=400, d=10, k=3)
    params = dict(
        pca_variance=0.8,
        gmm_params={"covariance_type": "full", "max_iter": 100, "tol": 1e-3, "reg_covar": 1e-6},
        selection="heldout",
        feature_variance=0.95,
        local_variance=0.9,
    )
    shared = _fit_local_model(X, 8, 0, **params)
    monkeypatch.setattr("skpager._local_core._leading_coordinates", lambda *args: None)
    separate = _fit_local_model(X, 8, 0, **params)
    assert shared[2].n_components == separate[2].n_components
    np.testing.assert_allclose(shared[2].means_, separate[2].means_, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(shared[3], separate[3], rtol=1e-6, atol=1e-8)
