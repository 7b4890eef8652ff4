"""Exact Gaussian conditioning of the core's mixtures on observed pixels.

The core maps an image ``x`` (``D`` pixels) to Saab features ``f = F x + b``
with ``F`` orthonormal, projects them by PCA (``q`` axes ``P``, mean ``m``)
and models the projection by a Gaussian mixture; the ``d - q`` discarded
directions carry an isotropic variance ``s2`` (probabilistic PCA).  In pixel
space every component is therefore a Gaussian with a low-rank-plus-isotropic
covariance::

    mean_k = F^T (m + P mu_k - b),     C_k = s2 I + U (S_k - s2 I) U^T,

with ``U = F^T P`` (``D x q``, orthonormal columns) and ``S_k`` the
component's covariance.  Without PCA, ``U = F^T`` is square, ``C_k = U S_k
U^T`` and the same formula holds for any ``s2 > 0``.

Given the observed pixels ``o`` of an image (the rest ``m`` missing), with
``L_k = S_k - s2 I``, ``G = U_o^T U_o`` and ``M = s2 I + L_k G`` (all
``q x q``), Woodbury's identity and the matrix determinant lemma give,
without forming any ``D x D`` matrix::

    C_oo^-1 r        = (r - U_o M^-1 L_k U_o^T r) / s2
    log det C_oo     = (|o| - q) log s2 + log det M
    E[x_m | x_o, k]  = mean_k,m + U_m L_k U_o^T C_oo^-1 (x_o - mean_k,o)

The component (and class) posteriors come from the marginal likelihoods of
the observed pixels.  Conditional draws take the PCA coordinates ``z`` of
the component from their exact conditional given the observed pixels
(Matheron's rule: a joint prior draw corrected towards the observed pixels),
their covariance scaled by ``temperature``, and leave the isotropic residual
at its conditional mean, as the core's ``sample`` draws ``z`` only.
"""

import numpy as np
from scipy.special import logsumexp

from ._random import standard_normal, sub_keys, uniform

_LOG_2PI = np.log(2 * np.pi)
# doubles per chunk of the (images x components x q x q) tensors
_CHUNK_BUDGET = 1 << 23


def full_covariances(gmm):
    """``(K, q, q)`` covariance of every component of a fitted mixture."""
    k, q = gmm.means_.shape
    cov = gmm.covariances_
    if gmm.covariance_type == "full":
        return cov
    if gmm.covariance_type == "tied":
        return np.broadcast_to(cov, (k, q, q)).copy()
    if gmm.covariance_type == "diag":
        return cov[:, :, None] * np.eye(q)
    return cov[:, None, None] * np.eye(q)  # spherical


class PixelMixture:
    """One class's mixture written in pixel coordinates (see the module's
    docstring): component means, the shared basis ``U``, the isotropic
    variance ``s2``, ``L_k = S_k - s2 I`` and Cholesky factors of ``S_k``.

    Parameters
    ----------
    feature_map : ndarray of shape (d, D)
        ``F``: Saab features are ``x @ F.T + offset``.
    offset : ndarray of shape (d,)
    pca : PCA or None
    residual_var : float or None
    gmm : GaussianMixture
    """

    def __init__(self, feature_map, offset, pca, residual_var, gmm):
        if pca is None:
            basis, centre = np.eye(feature_map.shape[0]), np.zeros(feature_map.shape[0])
        else:
            basis, centre = pca.components_.T, pca.mean_
        self.U = feature_map.T @ basis  # (D, q)
        self.means = (centre - offset) @ feature_map + gmm.means_ @ self.U.T  # (K, D)
        cov = full_covariances(gmm)
        self.cov = cov
        self.chol = np.linalg.cholesky(cov)
        q = self.U.shape[1]
        # the isotropic part: the discarded directions' variance, or (no
        # discarded direction) any positive scale, here the mean variance
        self.residual = residual_var is not None and q < self.U.shape[0]
        self.s2 = (
            float(residual_var)
            if self.residual
            else float(np.trace(cov, axis1=1, axis2=2).mean() / q)
        )
        self.lam = cov - self.s2 * np.eye(q)
        self.log_weights = np.log(gmm.weights_)

    def condition(self, x, observed, components=None):
        """Marginal log-likelihoods of the observed pixels and the conditional mean.

        Parameters
        ----------
        x : ndarray of shape (n, D)
            Images (values at missing pixels are ignored).
        observed : ndarray of shape (n, D), bool
        components : ndarray of shape (n, J) of int, default=None
            Components to condition on per image; None: all of them.

        Returns
        -------
        log_lik : ndarray of shape (n, J)
            ``log w_k + log N(x_o; mean_k,o, C_k,oo)``.
        estimate : ndarray of shape (n, D)
            The conditional mean given the observed pixels and that the
            image comes from one of the ``J`` components (their posterior
            mix of ``mean_k + U v_k``); meaningful at the missing pixels.
        w : ndarray of shape (n, q) or None
            With one component per image (``J == 1``), ``U_o^T C_oo^-1
            (x_o - mean_k,o)``.
        """
        n, dim = x.shape
        k_all, q = len(self.means), self.U.shape[1]
        if components is None:
            components = np.broadcast_to(np.arange(k_all), (n, k_all))
        j = components.shape[1]
        chunk = max(1, _CHUNK_BUDGET // max(1, j * max(q * q, dim)))
        log_lik = np.empty((n, j))
        estimate = np.empty((n, dim))
        w = np.empty((n, q)) if j == 1 else None
        for start in range(0, n, chunk):
            rows = slice(start, start + chunk)
            ll, est, w_rows = self._condition(x[rows], observed[rows], components[rows])
            weight = np.exp(ll - logsumexp(ll, axis=1, keepdims=True))
            log_lik[rows], estimate[rows] = ll, (weight[:, None, :] @ est)[:, 0]
            if w is not None:
                w[rows] = w_rows[:, 0]
        return log_lik, estimate, w

    def _condition(self, x, observed, components):
        U, s2 = self.U, self.s2
        q = U.shape[1]
        o = observed.astype(np.float64)
        x_o = np.where(observed, x, 0.0)
        means = self.means[components]  # (n, J, D)
        lam = self.lam[components]  # (n, J, q, q)
        gram = (U.T * o[:, None, :]) @ U  # U_o^T U_o, (n, q, q)
        resid = (x_o[:, None, :] - means) * o[:, None, :]  # zero at missing pixels
        s = resid @ U  # (n, J, q): U_o^T r
        m = lam @ gram[:, None]
        m += s2 * np.eye(q)
        # M^-1 L s with one right-hand side (not M^-1 L, q of them: 4 times
        # the work, and all that is used of it is its product with s)
        bs = np.linalg.solve(m, lam @ s[..., None])[..., 0]
        quad = (np.sum(resid**2, axis=2) - np.sum(s * bs, axis=2)) / s2
        logdet = np.linalg.slogdet(m)[1] + (o.sum(axis=1)[:, None] - q) * np.log(s2)
        n_obs = o.sum(axis=1)[:, None]
        log_lik = self.log_weights[components] - 0.5 * (quad + logdet + n_obs * _LOG_2PI)
        # U_o^T C_oo^-1 r = (s - G M^-1 L s) / s2, then v = L (that)
        w = (s - bs @ gram) / s2  # gram is symmetric
        v = (lam @ w[..., None])[..., 0]
        return log_lik, means + v @ U.T, w

    def draw(self, x, observed, components, keys, temperature):
        """Conditional draws, one per image from its own keys, ``(n, D)``.

        The missing pixels are ``x_m = mean_k,m + U_m z + e_m`` with ``z``
        the component's PCA coordinates and ``e`` the isotropic residual
        of the discarded directions.  The draw takes ``z`` from its exact
        conditional given the observed pixels, its covariance scaled by
        ``temperature`` (Matheron's rule: ``z = z~ - S_k U_o^T C_oo^-1
        x~_o`` for a joint prior draw ``(z~, x~)`` is a draw from ``z |
        x_o`` once its conditional mean is added), and leaves ``e`` at its
        conditional mean, as :meth:`GMMCoreGenerator.sample` draws the PCA
        coordinates and no residual.  Temperature 0 is the conditional mean.
        """
        U = self.U
        dim, q = U.shape
        comp = components[:, None]
        _, est, _ = self.condition(x, observed, comp)
        eps = standard_normal(keys, q + dim)
        z = np.einsum("nqr,nr->nq", self.chol[components], eps[:, :q])
        joint = z @ U.T
        if self.residual:
            iso = eps[:, q:]
            joint += np.sqrt(self.s2) * (iso - (iso @ U) @ U.T)
        _, _, w = self.condition(self.means[components] + joint, observed, comp)
        dev = z - np.einsum("nqr,nr->nq", self.cov[components], w)
        return est + np.sqrt(temperature) * (dev @ U.T)


def row_categorical(keys, log_probs):
    """One index per row of ``log_probs`` (unnormalised), drawn by the
    inverse CDF of :func:`~skpager._random.uniform` of the row's key."""
    probs = np.exp(log_probs - log_probs.max(axis=1, keepdims=True))
    cumulative = np.cumsum(probs, axis=1)
    u = uniform(keys)[:, None] * cumulative[:, -1:]
    return np.minimum((cumulative <= u).sum(axis=1), log_probs.shape[1] - 1)


def posterior_fill(mixtures, class_log_prior, x, observed, classes, temperature, keys):
    """Complete images under a mixture of classes, each a :class:`PixelMixture`.

    Parameters
    ----------
    mixtures : list of PixelMixture
    class_log_prior : ndarray of shape (n_classes,)
    x : ndarray of shape (n, D)
    observed : ndarray of shape (n, D), bool
    classes : ndarray of shape (n,) or None
        Known class index per image; None: posterior over classes.
    temperature : float
        0: the posterior mean (over classes and components) of the missing
        pixels; > 0: a class and component drawn from the posterior, then a
        conditional draw with covariance scaled by ``temperature``.
    keys : ndarray of shape (n,), uint64, or None
        Per-image keys (used when ``temperature > 0``).

    Returns
    -------
    filled : ndarray of shape (n, D)
        ``x`` at the observed pixels, the completion elsewhere.
    class_log_post : ndarray of shape (n, n_classes)
        Log posterior of the classes given the observed pixels (with known
        classes: 0 for the known class, -inf for the others).
    chosen : ndarray of shape (n,)
        Class index used per image: the known one, the drawn one
        (``temperature > 0``) or the most probable one.
    """
    n, n_classes = len(x), len(mixtures)
    class_ll = np.full((n, n_classes), -np.inf)
    fills = np.zeros((n, n_classes, x.shape[1]))
    comp_ll = [None] * n_classes
    for c, mix in enumerate(mixtures):
        rows = np.arange(n) if classes is None else np.flatnonzero(classes == c)
        if len(rows):
            comp_ll[c], fills[rows, c], _ = mix.condition(x[rows], observed[rows])
            class_ll[rows, c] = logsumexp(comp_ll[c], axis=1)
    if classes is None:
        joint = class_ll + class_log_prior
        class_log_post = joint - logsumexp(joint, axis=1, keepdims=True)
    else:
        class_log_post = np.where(np.isfinite(class_ll), 0.0, -np.inf)
    if temperature == 0:
        filled = np.einsum("nc,ncd->nd", np.exp(class_log_post), fills)
        chosen = np.argmax(class_log_post, axis=1) if classes is None else classes
        return np.where(observed, x, filled), class_log_post, chosen
    if classes is None:
        chosen = row_categorical(sub_keys(keys, 11), class_log_post)
    else:
        chosen = classes
    filled = np.array(x, dtype=np.float64)
    for c in np.unique(chosen):
        idx = np.flatnonzero(chosen == c)
        rows = idx if classes is None else np.searchsorted(np.flatnonzero(classes == c), idx)
        comp = row_categorical(sub_keys(keys[idx], 12), comp_ll[c][rows])
        drawn = mixtures[c].draw(x[idx], observed[idx], comp, sub_keys(keys[idx], 13), temperature)
        filled[idx] = np.where(observed[idx], x[idx], drawn)
    return filled, class_log_post, chosen
