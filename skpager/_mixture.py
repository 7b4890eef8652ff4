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
from sklearn import config_context
from sklearn.mixture import GaussianMixture

from ._random import categorical, standard_normal, sub_keys
from ._utils import single_blas_thread


def fit_mixture(data, n_components, seed, **params):
    """Fit a :class:`~sklearn.mixture.GaussianMixture` in numpy, quietly.

    Array-API dispatch is switched off (skpager's internals are numpy), EM's
    "did not converge" warning is silenced (``max_iter`` is a deliberate
    budget here, not a failure), and BLAS runs on one thread (EM's
    products are small; see :func:`~skpager._utils.single_blas_thread`).
    """
    with (
        config_context(array_api_dispatch=False),
        warnings.catch_warnings(),
        single_blas_thread(),
    ):
        warnings.filterwarnings("ignore", message=".*did not converge.*")
        return GaussianMixture(n_components=n_components, random_state=seed, **params).fit(data)


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
