"""Principal-axes bases ``(mean, components)``: fit, project, rebuild."""

import numpy as np


def pca_basis(data, variance):
    """Mean and leading principal axes of ``data`` keeping ``variance`` of it.

    Parameters
    ----------
    data : ndarray of shape (n, d)
    variance : float in (0, 1)

    Returns
    -------
    mean : ndarray of shape (d,), float32
    components : ndarray of shape (k, d), float32
        Orthonormal rows; at least one even when ``data`` has no variance.
    """
    mean = data.mean(axis=0, dtype=np.float64)
    _, singular, vt = np.linalg.svd(data - mean, full_matrices=False)
    energy = singular**2
    total = energy.sum()
    k = 1 if total <= 0 else int(np.searchsorted(np.cumsum(energy) / total, variance) + 1)
    return mean.astype(np.float32), vt[: min(k, len(vt))].astype(np.float32)


def to_coords(basis, data, *, overwrite_data=False):
    """Coordinates of ``data`` rows on a ``(mean, components)`` basis (None: unchanged).

    With ``overwrite_data`` the mean is subtracted from ``data`` in place
    (the same arithmetic, without a centred copy; ``data`` must be a
    writeable float array the caller no longer needs).
    """
    if basis is None:
        return data
    mean, components = basis
    if overwrite_data:
        data -= mean
        return data @ components.T
    return (data - mean) @ components.T


def from_coords(basis, coef):
    """Rows rebuilt from their coordinates on a ``(mean, components)`` basis
    (None: unchanged), in float64."""
    if basis is None:
        return coef
    mean, components = basis
    return coef @ components.astype(np.float64) + mean
