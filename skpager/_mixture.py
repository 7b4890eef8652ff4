"""Gaussian-mixture helpers shared by the generator and the enhancer.

Sampling is done here rather than with ``GaussianMixture.sample`` for two
reasons: scikit-learn returns samples grouped by component (the order leaks the
component), and it has no temperature.  Here every sample gets its own
component and standard normal numbers (drawn by the caller from the sample's
own keys, see ``_random.py``), and the covariance is scaled by
``temperature``.
"""

import warnings

import numpy as np
from scipy.linalg import solve_triangular
from sklearn import config_context
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from ._random import categorical, standard_normal, sub_keys
from ._utils import single_blas_thread


def fit_mixture(data, n_components, seed, *, init=None, **params):
    """Fit a :class:`~sklearn.mixture.GaussianMixture` in numpy, quietly.

    Array-API dispatch is switched off (skpager's internals are numpy), EM's
    "did not converge" warning is silenced (``max_iter`` is a deliberate
    budget here, not a failure), and BLAS runs on one thread (EM's
    products are small; see :func:`~skpager._utils.single_blas_thread`).
    Full covariances with no other parameters than ``max_iter``, ``tol``
    and ``reg_covar`` are fitted by :func:`fit_full_mixture`, the same EM
    in fewer, larger products, when its table of pairwise products fits in
    ``_PRODUCTS_BYTES``.  ``init``: a fitted mixture of ``n_components``
    whose parameters start EM instead of the k-means start (scikit-learn's
    ``weights_init``, ``means_init`` and ``precisions_init``).
    """
    return mixture_fitter(data, **params)(n_components, seed, init=init)


def mixture_fitter(data, **params):
    """``fit(n_components, seed)``: :func:`fit_mixture` of ``data`` with
    ``params``, for several sizes or seeds.

    The table of pairwise products that :func:`fit_full_mixture` works
    from depends on the data only, so it is computed once, at the first
    call that needs it, and shared by every later call (a search over
    mixture sizes fits the same data several times).  Each fit is the one
    :func:`fit_mixture` would return (``init`` as there).
    """
    n, d = np.shape(data)
    full_em = (
        params.get("covariance_type") == "full"
        and set(params) <= _FULL_EM_PARAMS
        and n * d * (d + 1) // 2 * 8 <= _PRODUCTS_BYTES
    )
    options = {key: value for key, value in params.items() if key != "covariance_type"}
    table = []

    def fit(n_components, seed, init=None):
        with (
            config_context(array_api_dispatch=False),
            warnings.catch_warnings(),
            single_blas_thread(),
        ):
            warnings.filterwarnings("ignore", message=".*did not converge.*")
            if not full_em:
                start = {}
                if init is not None:
                    start = {
                        "weights_init": init.weights_,
                        "means_init": init.means_,
                        "precisions_init": init.precisions_,
                    }
                return GaussianMixture(
                    n_components=n_components, random_state=seed, **start, **params
                ).fit(data)
            if not table:
                table.append(_PairProducts(np.asarray(data, dtype=np.float64)))
            return fit_full_mixture(data, n_components, seed, pairs=table[0], init=init, **options)

    return fit


_FULL_EM_PARAMS = {"covariance_type", "max_iter", "tol", "reg_covar"}

# Largest table of pairwise products (bytes) for which fit_mixture uses
# fit_full_mixture: 188 MiB for the 6,000 images of a Fashion-MNIST class in
# 88 dimensions.  With more, scikit-learn's per-component loops, whose
# products are then large enough to run near the machine's speed.
_PRODUCTS_BYTES = 256 * 2**20


def as_fitted_mixture(weights, means, covariances, reg_covar):
    """A fitted full-covariance :class:`~sklearn.mixture.GaussianMixture`
    holding the given parameters (its ``score_samples`` is their density).

    Raises ValueError when a covariance is not positive definite.
    """
    k_all, q = means.shape
    gmm = GaussianMixture(k_all, covariance_type="full", reg_covar=reg_covar)
    gmm.precisions_cholesky_ = _precision_cholesky(covariances)
    gmm.precisions_ = gmm.precisions_cholesky_ @ np.transpose(gmm.precisions_cholesky_, (0, 2, 1))
    gmm.weights_, gmm.means_, gmm.covariances_ = weights, means, covariances
    gmm.converged_, gmm.n_iter_, gmm.lower_bound_ = True, 0, -np.inf
    gmm.n_features_in_ = q
    return gmm


def _precision_cholesky(covariances):
    """``inv(cholesky(cov)).T`` of every covariance, as scikit-learn stores it."""
    try:
        chol = np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise ValueError(
            "Fitting the mixture model failed because some components have "
            "ill-defined empirical covariance (for instance caused by singleton "
            "or collapsed samples). Try to decrease the number of components, "
            "or increase reg_covar."
        ) from None
    eye = np.eye(covariances.shape[1])
    return np.stack([solve_triangular(c, eye, lower=True).T for c in chol])


class _PairProducts:
    """The products ``x_i x_j`` (``i <= j``) of every row of ``X``
    (``products``, shape ``(n, d (d + 1) / 2)``).

    With them both EM steps of a full-covariance mixture are one matrix
    product over all components: the M-step's second moments are
    ``resp.T @ products`` and the E-step's quadratic forms ``x^T A x`` are
    ``products @ a`` (``a``: the upper triangle of ``A``, off-diagonal
    entries doubled).
    """

    def __init__(self, X):
        self.upper = np.triu_indices(X.shape[1])
        i, j = self.upper
        self.products = X[:, i] * X[:, j]

    def unpack(self, flat):
        """Symmetric ``(K, d, d)`` matrices from their upper triangles ``(K, width)``."""
        d = self.upper[0][-1] + 1
        out = np.zeros((len(flat), d, d))
        i, j = self.upper
        out[:, i, j] = flat
        out[:, j, i] = flat
        return out

    def pack(self, matrices):
        """Upper triangles of symmetric ``(K, d, d)``, off-diagonal entries doubled."""
        i, j = self.upper
        return matrices[:, i, j] * np.where(i == j, 1.0, 2.0)


def _full_m_step(X, resp, pairs, reg_covar):
    """Weights (unnormalised counts), means and covariances from ``resp``,
    as scikit-learn's M-step computes them (second moments minus the
    outer product of the mean)."""
    counts = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps
    means = resp.T @ X / counts[:, None]
    covariances = pairs.unpack((resp.T @ pairs.products) / counts[:, None])
    covariances -= means[:, :, None] * means[:, None, :]
    d = X.shape[1]
    covariances[:, np.arange(d), np.arange(d)] += reg_covar
    return counts, means, covariances


def _full_log_prob(X, weights, means, prec_chol, pairs):
    """Weighted log-densities ``(n, K)``: Mahalanobis distances from the
    pair products (``x^T A x - 2 x^T A m + m^T A m``, ``A`` the precision)."""
    d = X.shape[1]
    precisions = prec_chol @ np.transpose(prec_chol, (0, 2, 1))
    linear = np.einsum("kij,kj->ik", precisions, means)  # (d, K): A m
    const = np.einsum("ki,ik->k", means, linear)
    log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    out = pairs.products @ pairs.pack(precisions).T
    out -= 2 * (X @ linear)
    out += const
    np.maximum(out, 0.0, out=out)  # a Mahalanobis distance, whatever the rounding
    return -0.5 * (d * np.log(2 * np.pi) + out) + log_det + np.log(weights)


def fit_full_mixture(
    X, n_components, seed, *, max_iter=100, tol=1e-3, reg_covar=1e-6, pairs=None, init=None
):
    """EM of a full-covariance Gaussian mixture, as
    ``GaussianMixture(n_components, covariance_type="full", max_iter=max_iter,
    tol=tol, reg_covar=reg_covar, random_state=seed).fit(X)`` runs it.

    The same start (one k-means run seeded by ``seed``, hard
    responsibilities), the same steps and the same stopping rule (the
    change of the mean log-likelihood below ``tol``, or ``max_iter``
    steps); the per-component loops of scikit-learn's steps are replaced by
    one product over the pairwise products of the features
    (:class:`_PairProducts`), which halves the arithmetic (the symmetric
    covariances and precisions are used by their upper triangles).  The
    parameters agree with scikit-learn's to rounding.  ``pairs``: the
    :class:`_PairProducts` of ``X`` when already computed.  ``init``: a
    fitted full-covariance mixture of ``n_components`` whose parameters
    start EM (its first E-step) instead of the k-means start, as
    scikit-learn's ``weights_init``, ``means_init`` and ``precisions_init``
    do.

    Returns
    -------
    gmm : GaussianMixture
        A fitted mixture (``converged_``, ``n_iter_``, ``lower_bound_`` set
        as by its ``fit``).
    """
    X = np.asarray(X, dtype=np.float64)
    n = len(X)
    if n < n_components:
        raise ValueError(
            f"Expected n_samples >= n_components but got n_components = {n_components}, "
            f"n_samples = {n}"
        )
    if pairs is None:
        pairs = _PairProducts(X)
    if init is None:
        labels = (
            KMeans(n_components, n_init=1, random_state=np.random.RandomState(seed)).fit(X).labels_
        )
        resp = np.zeros((n, n_components))
        resp[np.arange(n), labels] = 1.0
        counts, means, covariances = _full_m_step(X, resp, pairs, reg_covar)
        weights = counts / n
        prec_chol = _precision_cholesky(covariances)
    else:
        if len(init.weights_) != n_components:
            raise ValueError(
                f"init has {len(init.weights_)} components; expected n_components={n_components}"
            )
        weights, means = init.weights_, init.means_
        covariances, prec_chol = init.covariances_, init.precisions_cholesky_
    lower_bound, converged, n_iter = -np.inf, False, 0
    while n_iter < max_iter and not converged:
        n_iter += 1
        previous = lower_bound
        resp = _full_log_prob(X, weights, means, prec_chol, pairs)
        top = resp.max(axis=1, keepdims=True)
        resp -= top
        np.exp(resp, out=resp)
        total = resp.sum(axis=1, keepdims=True)
        resp /= total  # the responsibilities; the log-likelihoods are below
        lower_bound = float((top + np.log(total)).mean())
        counts, means, covariances = _full_m_step(X, resp, pairs, reg_covar)
        weights = counts / counts.sum()
        prec_chol = _precision_cholesky(covariances)
        converged = abs(lower_bound - previous) < tol
    gmm = as_fitted_mixture(weights, means, covariances, reg_covar)
    gmm.set_params(max_iter=max_iter, tol=tol, random_state=seed)
    gmm.converged_, gmm.n_iter_, gmm.lower_bound_ = converged, n_iter, lower_bound
    return gmm


def mixture_transform(gmm, components, noise, temperature=1.0):
    """``mean + sqrt(temperature) * L @ noise`` for given components and
    standard normal ``noise`` of shape ``(n, n_features)`` (``L``: the
    Cholesky factor of each sample's component covariance)."""
    mean = gmm.means_[components]
    if temperature == 0:
        return mean
    scale = np.sqrt(temperature)
    cov_type = gmm.covariance_type
    if cov_type == "diag":
        return mean + scale * noise * np.sqrt(gmm.covariances_[components])
    if cov_type == "spherical":
        return mean + scale * noise * np.sqrt(gmm.covariances_[components])[:, None]
    if cov_type == "tied":
        return mean + scale * noise @ np.linalg.cholesky(gmm.covariances_).T
    used = np.unique(components)
    chol = np.linalg.cholesky(gmm.covariances_[used])  # full: (K', d, d)
    which = np.searchsorted(used, components)
    return mean + scale * np.einsum("nij,nj->ni", chol[which], noise)


def mixture_draw(gmm, keys, temperature=1.0, tags=(1, 2)):
    """One draw per key from a fitted mixture: the component from
    ``sub_keys(keys, tags[0])``, the standard normal numbers from
    ``sub_keys(keys, tags[1])`` (not drawn at temperature 0), then
    :func:`mixture_transform`."""
    components = categorical(sub_keys(keys, tags[0]), gmm.weights_)
    noise = None
    if temperature > 0:
        noise = standard_normal(sub_keys(keys, tags[1]), gmm.means_.shape[1])
    return mixture_transform(gmm, components, noise, temperature)


def mixture_n_parameters(gmm):
    """Number of free parameters of a fitted mixture (weights, means, covariances).

    Counted from the fitted arrays' shapes: ``K - 1`` weights, ``K * d``
    means, and per covariance type ``K * d * (d + 1) / 2`` (full),
    ``d * (d + 1) / 2`` (tied), ``K * d`` (diag) or ``K`` (spherical).
    """
    k, d = gmm.means_.shape
    covariance = {
        "full": k * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": k * d,
        "spherical": k,
    }[gmm.covariance_type]
    return int(k - 1 + k * d + covariance)
