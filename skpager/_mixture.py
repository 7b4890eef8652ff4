"""Gaussian-mixture helpers shared by the generator and the enhancer.

Sampling is done here rather than with ``GaussianMixture.sample`` for two
reasons: scikit-learn returns samples grouped by component (the order leaks the
component), and it has no temperature.  Here every sample draws its own
component, so the output order is random, and the covariance is scaled by
``temperature``.
"""

import warnings

import numpy as np
from sklearn import config_context
from sklearn.mixture import GaussianMixture


def fit_mixture(data, n_components, seed, **params):
    """Fit a :class:`~sklearn.mixture.GaussianMixture` in numpy, quietly.

    Array-API dispatch is switched off (skpager's internals are numpy), and
    EM's "did not converge" warning is silenced: ``max_iter`` is a deliberate
    budget here, not a failure.
    """
    with config_context(array_api_dispatch=False), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*did not converge.*")
        return GaussianMixture(n_components=n_components, random_state=seed, **params).fit(data)


def mixture_sample(gmm, n_samples, rng, temperature=1.0, components=None):
    """Draw samples from a fitted :class:`~sklearn.mixture.GaussianMixture`.

    Parameters
    ----------
    gmm : GaussianMixture
        Fitted mixture.
    n_samples : int
    rng : numpy.random.RandomState
    temperature : float, default=1.0
        Covariance scale: samples are ``mean + sqrt(temperature) * L @ z``.
        0 returns the component means.
    components : ndarray of int, default=None
        Component of each sample; drawn from the mixture weights when None.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    components : ndarray of shape (n_samples,)
    """
    if components is None:
        weights = gmm.weights_ / gmm.weights_.sum()
        components = rng.choice(len(weights), size=n_samples, p=weights)
    mean = gmm.means_[components]
    if temperature == 0:
        return mean, components
    noise = rng.standard_normal(mean.shape)
    scale = np.sqrt(temperature)
    cov_type = gmm.covariance_type
    if cov_type == "diag":
        return mean + scale * noise * np.sqrt(gmm.covariances_[components]), components
    if cov_type == "spherical":
        return mean + scale * noise * np.sqrt(gmm.covariances_[components])[:, None], components
    if cov_type == "tied":
        chol = np.linalg.cholesky(gmm.covariances_)
        return mean + scale * noise @ chol.T, components
    chol = np.linalg.cholesky(gmm.covariances_)  # full: (K, d, d)
    return mean + scale * np.einsum("nij,nj->ni", chol[components], noise), components


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
