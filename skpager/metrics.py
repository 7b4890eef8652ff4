"""Distances between image distributions."""

import numpy as np
from scipy import linalg

__all__ = ["frechet_distance"]


def frechet_distance(features_a, features_b):
    """Fréchet distance between Gaussians fitted to two feature sets.

    ``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))``, the quantity
    behind FID.  The matrix square root is taken as the square root of the
    symmetric PSD matrix ``S_a^(1/2) S_b S_a^(1/2)``, which has the same trace
    and stays real and stable when a covariance is singular.

    Parameters
    ----------
    features_a, features_b : array-like of shape (n_samples, n_features)
        Two samples in the same feature space (at least 2 rows each).

    Returns
    -------
    distance : float
        Non-negative.
    """
    a = np.asarray(features_a, dtype=np.float64)
    b = np.asarray(features_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(
            f"Expected two 2-D arrays with the same number of columns; got {a.shape} and "
            f"{b.shape}."
        )
    if len(a) < 2 or len(b) < 2:
        raise ValueError("Each feature set needs at least 2 samples.")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    root_a = _psd_sqrt(cov_a)
    middle = _psd_sqrt(root_a @ cov_b @ root_a)
    value = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.trace(middle)
    return float(max(value, 0.0))


def _psd_sqrt(matrix):
    """Square root of a symmetric positive semi-definite matrix (negative eigenvalues -> 0)."""
    eigval, eigvec = linalg.eigh((matrix + matrix.T) / 2)
    return (eigvec * np.sqrt(np.clip(eigval, 0, None))) @ eigvec.T
