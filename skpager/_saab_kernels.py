"""Saab kernels: the linear algebra behind :class:`skpager.SaabTransformer`.

A Saab stage cuts an image into non-overlapping ``k x k`` patches of ``N``
values and projects each patch on an orthonormal basis of R^N:

* the DC kernel ``ones(N) / sqrt(N)``;
* ``N - 1`` AC kernels: the principal axes of the patches with their DC removed,
  computed in the orthogonal complement of the ones vector (a Helmert basis),
  sorted by decreasing variance, completed to a full basis when the data is
  rank-deficient, and signed by a deterministic rule.

Patches come in *groups* sharing a kernel: one group of ``k*k*C`` values in the
first, channel-joint stage; one group of ``k*k`` values per channel in the later,
channel-wise stages (PixelHop++).

Between stages the data stays *group-major*: an array ``(G, n, h, w, J)`` holds
channel ``g * J + j`` of every image at ``[g, :, :, :, j]``.  Patches of one
group are then contiguous rows, so fitting and projecting are batched BLAS
products, and each stage costs one copy (the patch extraction) written into
reused buffers.
"""

import numpy as np
from scipy.linalg import helmert

# Relative size below which an eigenvalue is taken as zero (rank deficiency).
_RANK_RTOL = 1e-10
# Relative tolerance for ties in the sign rule and in the null-space completion.
_TIE_RTOL = 1e-9
# Rows per chunk when float32 patches are accumulated in float64.
_CHUNK_ROWS = 1 << 20


def _patch_view(state, k, joint):
    """Strided view of group-major ``(G, n, h, w, J)`` data as patches (no copy)."""
    G, n, h, w, J = state.shape
    blocks = state.reshape(G, n, h // k, k, w // k, k, J)
    if joint:  # (1, n, h', w', dy, dx, J): one group of k*k*J values
        return blocks.transpose(0, 1, 2, 4, 3, 5, 6)
    return blocks.transpose(0, 6, 1, 2, 4, 3, 5)  # (G, J, n, h', w', dy, dx)


def extract_patches(state, k, joint, out=None):
    """Copy group-major ``(G, n, h, w, J)`` data into contiguous patches.

    Returns an array ``(groups, m, N)`` with ``m = n * h/k * w/k``: one group of
    ``N = k*k*J`` values when ``joint`` (G must be 1), else ``G*J`` groups of
    ``k*k`` values.
    """
    view = _patch_view(state, k, joint)
    out = np.empty(view.shape, state.dtype) if out is None else out[: view.size]
    out = out.reshape(view.shape)
    np.copyto(out, view)
    G, n, h, w, J = state.shape
    groups = 1 if joint else G * J
    return out.reshape(groups, n * (h // k) * (w // k), -1)


def fold_patches(patches, state_shape, k, joint, out=None):
    """Inverse of :func:`extract_patches`: rebuild group-major ``state_shape`` data."""
    G, n, h, w, J = state_shape
    target = np.empty(state_shape, patches.dtype) if out is None else out[: patches.size]
    target = target.reshape(state_shape)
    if joint:
        src = patches.reshape(1, n, h // k, w // k, k, k, J).transpose(0, 1, 2, 4, 3, 5, 6)
    else:
        src = patches.reshape(G, J, n, h // k, w // k, k, k).transpose(0, 2, 3, 5, 4, 6, 1)
    np.copyto(target.reshape(src.shape), src)
    return target


def apply_kernels(patches, kernels, out=None):
    """Project ``(g, m, N)`` patches on ``(g, N, N)`` kernels (columns), per group."""
    kernels = kernels.astype(patches.dtype, copy=False)
    out = None if out is None else out[: patches.size].reshape(patches.shape)
    return np.matmul(patches, kernels, out=out)


def apply_kernels_inverse(coefficients, kernels, out=None):
    """Rebuild patches from coefficients: the kernels are orthonormal, so K^T inverts K."""
    inverse = np.ascontiguousarray(kernels.transpose(0, 2, 1), dtype=coefficients.dtype)
    out = None if out is None else out[: coefficients.size].reshape(coefficients.shape)
    return np.matmul(coefficients, inverse, out=out)


def _moments(patches):
    """Per-group mean and second moment of ``(g, m, N)`` patches, in float64.

    BLAS products in the patches' dtype over chunks of rows, accumulated in
    float64, so float32 input keeps its speed without losing the sums.
    """
    g, m, size = patches.shape
    gram, total = np.zeros((g, size, size)), np.zeros((g, size))
    for start in range(0, m, _CHUNK_ROWS):
        chunk = patches[:, start : start + _CHUNK_ROWS]
        gram += np.matmul(chunk.transpose(0, 2, 1), chunk)
        total += np.matmul(np.ones((1, chunk.shape[1]), chunk.dtype), chunk)[:, 0, :]
    return total / m, gram / m


def fit_kernels(patches):
    """Fit one full orthonormal Saab basis per group.

    The covariance of the AC part is ``B^T Cov(patches) B`` with ``B`` an
    orthonormal basis of the complement of the ones vector: the DC direction is
    removed exactly, whatever the rank of the data.

    Parameters
    ----------
    patches : ndarray of shape (g, m, N)
        ``m`` patches of ``N`` values in each of ``g`` groups.

    Returns
    -------
    kernels : ndarray of shape (g, N, N), float64
        Column 0 is the DC kernel, columns 1.. the AC kernels by decreasing
        variance.  ``kernels[j].T @ kernels[j]`` is the identity.
    """
    g, m, size = patches.shape
    kernels = np.empty((g, size, size))
    kernels[:, :, 0] = 1.0 / np.sqrt(size)
    if size == 1:
        return kernels
    basis = helmert(size).T  # (N, N-1): orthonormal, orthogonal to ones
    mean, second = _moments(patches)
    cov = second - mean[:, :, None] * mean[:, None, :]
    cov = basis.T @ ((cov + cov.transpose(0, 2, 1)) / 2) @ basis
    eigval, eigvec = np.linalg.eigh(cov)
    eigval, eigvec = eigval[:, ::-1], eigvec[:, :, ::-1]
    scale = np.maximum(eigval[:, :1], np.finfo(float).tiny)
    rank = np.sum(eigval > _RANK_RTOL * scale, axis=1)
    for j in np.flatnonzero(rank < size - 1):
        eigvec[j] = _complete_basis(eigvec[j][:, : rank[j]])
    kernels[:, :, 1:] = _sign_rule(np.matmul(basis, eigvec))
    return kernels


def _complete_basis(significant):
    """Complete orthonormal columns to a basis, independently of float noise.

    The null space of rank-deficient data has no preferred basis, and an
    eigensolver returns an arbitrary one.  Here it is built greedily from the
    coordinate axes (the axis with the largest residual, first index on ties),
    so refitting, or fitting on permuted rows, gives the same kernels.
    """
    dim, rank = significant.shape
    columns = [significant[:, i] for i in range(rank)]
    residual = np.eye(dim) - significant @ significant.T
    for _ in range(dim - rank):
        norms = np.linalg.norm(residual, axis=0)
        pick = int(np.argmax(norms >= norms.max() * (1 - _TIE_RTOL)))
        vec = residual[:, pick] / norms[pick]
        columns.append(vec)
        residual -= np.outer(vec, vec @ residual)
    return np.stack(columns, axis=1)


def _sign_rule(kernels):
    """Flip each kernel (column) so that its largest-magnitude entry is positive.

    Ties in magnitude go to the first index, so the rule is deterministic.
    """
    mag = np.abs(kernels)
    first = np.argmax(mag >= mag.max(axis=1, keepdims=True) * (1 - _TIE_RTOL), axis=1)
    pivot = np.take_along_axis(kernels, first[:, None, :], axis=1)
    return kernels * np.where(pivot < 0, -1.0, 1.0)


def saab_forward(images, k, n_stages, kernels=None):
    """Run the Saab stages on ``(n, H, W, C)`` images.

    Parameters
    ----------
    images : ndarray of shape (n, H, W, C)
    k : int
        Kernel side.
    n_stages : int
    kernels : list of ndarray or None
        Fitted kernels; None fits them on the way (and returns them).

    Returns
    -------
    state : ndarray of shape (G, n, h, w, J)
        Group-major leaves of the last stage (channel ``g * J + j``).
    kernels : list of ndarray
    spare : ndarray
        A free buffer of ``images.size`` values, for the caller's output.
    """
    fitting = kernels is None
    kernels = [] if fitting else kernels
    state = images[None]
    # patches always go to the first buffer, coefficients (the next state) to the second
    buffers = [np.empty(images.size, images.dtype), np.empty(images.size, images.dtype)]
    for stage in range(n_stages):
        G, n, h, w, J = state.shape
        patches = extract_patches(state, k, joint=stage == 0, out=buffers[0])
        if fitting:
            kernels.append(fit_kernels(patches))
        coef = apply_kernels(patches, kernels[stage], out=buffers[1])
        state = coef.reshape(coef.shape[0], n, h // k, w // k, coef.shape[2])
    return state, kernels, buffers[0]


def saab_inverse(leaves, channels, k, kernels, n_channels):
    """Invert :func:`saab_forward`.

    Parameters
    ----------
    leaves : ndarray of shape (n, h, w, n_kept)
        Coefficients of the kept leaf channels, channel last.
    channels : ndarray of int
        Which of the ``G * J`` leaf channels ``leaves`` holds; the others are zero.
    k : int
    kernels : list of ndarray
    n_channels : int
        Channels ``C`` of the images.

    Returns
    -------
    images : ndarray of shape (n, H, W, C)
    """
    n, h, w, _ = leaves.shape
    groups, per_group = kernels[-1].shape[:2]
    size = n * h * w * groups * per_group
    buffers = [np.empty(size, leaves.dtype), np.empty(size, leaves.dtype)]
    state = buffers[1].reshape(groups, n, h, w, per_group)
    if len(channels) == groups * per_group:
        np.copyto(state, leaves.reshape(n, h, w, groups, per_group).transpose(3, 0, 1, 2, 4))
    else:
        state[...] = 0
        state[channels // per_group, :, :, :, channels % per_group] = leaves.transpose(3, 0, 1, 2)
    for stage in range(len(kernels) - 1, -1, -1):
        G_out, n, h, w, N = state.shape
        if stage == 0:
            shape_in = (1, n, h * k, w * k, n_channels)
        else:
            shape_in = (kernels[stage - 1].shape[0], n, h * k, w * k, kernels[stage - 1].shape[1])
        patches = apply_kernels_inverse(
            state.reshape(G_out, n * h * w, N), kernels[stage], out=buffers[0]
        )
        state = fold_patches(patches, shape_in, k, joint=stage == 0, out=buffers[1])
    return state[0]
