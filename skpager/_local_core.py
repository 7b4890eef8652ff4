"""A core generator whose mixture components each have their own principal axes."""

from functools import partial
from numbers import Real

import numpy as np
from sklearn import config_context

from ._compat import Interval
from ._core import GMMCoreGenerator, _fit_class_model_numpy, class_pca, select_mixture
from ._mixture import as_fitted_mixture
from ._random import categorical, standard_normal, sub_keys
from ._utils import groups, single_blas_thread

__all__ = ["LocalPCACoreGenerator"]


def _local_components(z, resp, local_variance, reg_covar):
    """Every component re-estimated as a probabilistic PCA in the space of ``z``.

    One M-step from the responsibilities ``resp`` ``(n, K)``: a component's
    weighted mean and covariance; its leading eigenvectors explaining
    ``local_variance`` of its variance keep their variances, the other
    directions share their mean variance (at least ``reg_covar``).

    Returns
    -------
    weights : ndarray of shape (K,)
    means : ndarray of shape (K, q)
    covariances : ndarray of shape (K, q, q)
        ``A_k A_k^T + s2_k (I - V_k V_k^T)``.
    axes : ndarray of shape (K, q, r)
        ``A_k``: the kept eigenvectors scaled by their standard deviations,
        padded with zero columns to the largest rank ``r``.
    ranks : ndarray of shape (K,)
    """
    q = z.shape[1]
    counts = resp.sum(axis=0) + 10 * np.finfo(float).eps
    weights = counts / counts.sum()
    means = (resp.T @ z) / counts[:, None]
    k_all = len(counts)
    covariances = np.empty((k_all, q, q))
    factors = np.zeros((k_all, q, q))
    ranks = np.empty(k_all, dtype=int)
    for k in range(k_all):  # one eigendecomposition per component
        centred = z - means[k]
        scatter = (centred * resp[:, k : k + 1]).T @ centred / counts[k]
        values, vectors = np.linalg.eigh(scatter)
        values, vectors = np.clip(values[::-1], 0.0, None), vectors[:, ::-1]
        total = values.sum()
        rank = q if total <= 0 else int(np.searchsorted(np.cumsum(values) / total, local_variance))
        rank = min(rank + 1, q)
        rest = max(values[rank:].mean() if rank < q else 0.0, reg_covar)
        kept = vectors[:, :rank]
        factors[k, :, :rank] = kept * np.sqrt(values[:rank])
        covariances[k] = factors[k, :, :rank] @ factors[k, :, :rank].T
        covariances[k] += rest * (np.eye(q) - kept @ kept.T)
        covariances[k].flat[:: q + 1] += reg_covar
        ranks[k] = rank
    return weights, means, covariances, factors[:, :, : ranks.max()], ranks


def _fit_local_model(
    features,
    n_components,
    seed,
    *,
    pca_variance,
    gmm_params,
    selection,
    feature_variance,
    local_variance,
):
    """One class's model: the mixture of :class:`GMMCoreGenerator` finds the
    components, then each is re-estimated as a probabilistic PCA in the
    class's principal space (``feature_variance``).

    Returns ``(pca, residual_var, gmm, axes, ranks)``: the first three as in
    :class:`GMMCoreGenerator` (``gmm`` full-covariance, in ``pca``'s space).
    """
    reg = gmm_params["reg_covar"]
    with config_context(array_api_dispatch=False), single_blas_thread():
        pca, residual_var, z = class_pca(features, feature_variance, reg)
        inner_z = _leading_coordinates(pca, z, pca_variance)
        if inner_z is None:  # the mixture's space is not a part of the class's
            inner_pca, _, inner = _fit_class_model_numpy(
                features, n_components, pca_variance, gmm_params, seed, selection
            )
            inner_z = features if inner_pca is None else inner_pca.transform(features)
        else:
            inner = select_mixture(inner_z, n_components, seed, gmm_params, selection)
        resp = inner.predict_proba(inner_z)
        weights, means, covs, axes, ranks = _local_components(z, resp, local_variance, reg)
        return pca, residual_var, as_fitted_mixture(weights, means, covs, reg), axes, ranks


def _leading_coordinates(pca, z, variance):
    """The coordinates that ``class_pca(features, variance)`` would give,
    read off the larger fitted PCA ``pca`` (coordinates ``z``), or None
    when that PCA does not hold them.

    Both PCAs come from the same singular value decomposition, and a PCA
    keeping a share of the variance keeps the leading directions up to the
    first whose cumulated share exceeds it (scikit-learn's rule, applied to
    the same ratios), so the smaller PCA's coordinates are the first
    columns of ``z``: one decomposition per class instead of two.
    """
    if pca is None or variance is None or variance >= 1:
        return None
    cumulated = np.cumsum(pca.explained_variance_ratio_)
    keep = int(np.searchsorted(cumulated, variance, side="right")) + 1
    if keep > len(cumulated):  # past the end of what pca kept: cannot tell
        return None
    return np.ascontiguousarray(z[:, :keep])


class LocalPCACoreGenerator(GMMCoreGenerator):
    """Core generator over a mixture of probabilistic PCA: every component
    has its own principal axes.

    The mixture of :class:`GMMCoreGenerator` (its parameters, in the PCA
    space of ``pca_variance``) decides which components there are and which
    training images belong to each.  Every component is then re-estimated
    in a larger space, the class's principal space of ``feature_variance``:
    its mean, and its covariance written as a probabilistic PCA (Tipping and
    Bishop, 1999), whose leading eigenvectors explaining ``local_variance``
    of the component's variance keep their variances while the other
    directions share one isotropic variance.  A component thus carries the
    detail of its own images along its own axes, which the class's common
    principal axes discard.

    :meth:`sample` draws a component, then its coordinates on its own axes
    (their variances scaled by ``temperature``); like
    :class:`GMMCoreGenerator`, which leaves the discarded PCA directions at
    their mean, it leaves the isotropic part at the component's mean, so the
    samples hold no isotropic noise.  :meth:`score_samples` is the exact
    log-likelihood of the whole model (the isotropic parts included), and
    :meth:`inpaint` conditions that model exactly, its draws included.

    Read more in the :ref:`User Guide <local-core>`.

    Parameters
    ----------
    resolution : int, default=None
        Side of the (square) core images; see :class:`GMMCoreGenerator`.
    n_components : int, default=500
        Mixture components per class, the largest number tried with
        ``component_selection="heldout"`` or ``"bic"``.
    component_selection : {"fixed", "bic", "heldout"}, default="heldout"
        How the number of components of every class is chosen; see
        :class:`GMMCoreGenerator`.
    covariance_type : {"diag", "full", "tied", "spherical"}, default="full"
        Covariances of the mixture that finds the components.
    pca_variance : float in (0, 1], default=0.85
        Share of the Saab-feature variance kept by the PCA in which the
        mixture finds the components; None fits it on the Saab features.
    feature_variance : float in (0, 1], default=0.99
        Share of the Saab-feature variance kept by the class's PCA space in
        which every component is re-estimated; the discarded directions get
        one isotropic variance, as in :class:`GMMCoreGenerator`.
    local_variance : float in (0, 1], default=0.8
        Share of a component's variance (in that space) on its own axes; the
        rest of its directions share their mean variance.  1 keeps every
        direction (a full covariance).
    temperature : float in [0, 10], default=1.0
        Scale of the variances of the drawn coordinates (0 samples the
        component means).
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of the rows of 2-D ``X``; set from n-D input.
    max_iter : int, default=100
        EM iterations of each mixture.
    tol : float, default=1e-3
        EM convergence threshold.
    reg_covar : float, default=1e-6
        Added to the covariance diagonals (and the least isotropic variance).
    n_jobs : int, default=None
        Classes fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds the mixtures and, unless :meth:`sample` gets its own, sampling.
    verbose : int, default=0
        Progress messages.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or None
        Class labels seen in :meth:`fit`; None when fitted without labels.
    class_prior_ : ndarray of shape (n_classes,)
        Share of each class in the training set.
    image_shape_ : tuple of int
        ``(H, W, C)`` of the training images.
    core_shape_ : tuple of int
        ``(resolution, resolution, C)``: shape of the sampled images.
    saab_ : SaabTransformer
        The fitted Saab transform of the core images.
    models_ : list of tuple
        Per class, ``(pca, residual_variance, gmm)``: the class's principal
        space of ``feature_variance``, the variance of the directions it
        discards, and the mixture of probabilistic PCA in that space as a
        full-covariance :class:`~sklearn.mixture.GaussianMixture`.
    local_axes_ : list of ndarray of shape (n_components, q, r)
        Per class, every component's own axes scaled by their standard
        deviations (zero columns past its rank).
    local_ranks_ : list of ndarray of shape (n_components,)
        Per class, the number of own axes of every component.
    n_components_ : ndarray of shape (n_classes,)
        Mixture components of every class's model.
    n_parameters_ : int
        Learned parameters (Saab kernels, PCA, weights, means, own axes and
        isotropic variances).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    GMMCoreGenerator : The mixture in one PCA space per class.
    sklearn.decomposition.PCA : The principal axes of a component.

    References
    ----------
    M. E. Tipping and C. M. Bishop, "Mixtures of probabilistic principal
    component analyzers", Neural Computation 11(2), 1999.

    Examples
    --------
    >>> from skpager import LocalPCACoreGenerator
    >>> from skpager.datasets import load_demo
    >>> demo = load_demo()
    >>> core = LocalPCACoreGenerator(resolution=14, n_components=4, random_state=0)
    >>> core = core.fit(demo.images[:500], demo.target[:500])
    >>> core.sample(4, y=[0, 1, 2, 3]).shape
    (4, 14, 14, 1)
    """

    _parameter_constraints: dict = {
        **GMMCoreGenerator._parameter_constraints,
        "feature_variance": [Interval(Real, 0, 1, closed="right")],
        "local_variance": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(
        self,
        resolution=None,
        *,
        n_components=500,
        component_selection="heldout",
        covariance_type="full",
        pca_variance=0.85,
        feature_variance=0.99,
        local_variance=0.8,
        temperature=1.0,
        image_shape=None,
        max_iter=100,
        tol=1e-3,
        reg_covar=1e-6,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            resolution,
            n_components=n_components,
            component_selection=component_selection,
            covariance_type=covariance_type,
            pca_variance=pca_variance,
            temperature=temperature,
            image_shape=image_shape,
            max_iter=max_iter,
            tol=tol,
            reg_covar=reg_covar,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.feature_variance = feature_variance
        self.local_variance = local_variance

    def _class_fitter(self):
        return partial(
            _fit_local_model,
            pca_variance=self.pca_variance,
            gmm_params=self._gmm_params(),
            selection=self.component_selection,
            feature_variance=self.feature_variance,
            local_variance=self.local_variance,
        )

    def _set_class_models(self, fitted):
        self.models_ = [model[:3] for model in fitted]
        self.local_axes_ = [model[3] for model in fitted]
        self.local_ranks_ = [model[4] for model in fitted]

    def _model_n_parameters(self, c):
        pca, _, gmm = self.models_[c]
        k_all, q = gmm.means_.shape
        own = int(self.local_ranks_[c].sum()) * q + k_all  # own axes + isotropic variances
        return (k_all - 1) + k_all * q + own + (0 if pca is None else pca.components_.size)

    def _project_class(self, c, z):
        """Coordinates on the own axes of each image's most responsible
        component, around its mean; the other directions at the mean, as
        :meth:`sample` leaves them."""
        gmm, axes = self.models_[c][2], self.local_axes_[c]
        components = gmm.predict(z)
        out = np.empty_like(z)
        for k in np.unique(components):
            idx = np.flatnonzero(components == k)
            basis = axes[k][:, np.any(axes[k] != 0, axis=0)]
            # the own axes are orthogonal eigenvectors scaled by their standard
            # deviations: unit columns are an orthonormal basis of their span
            q = basis / np.linalg.norm(basis, axis=0)
            out[idx] = gmm.means_[k] + ((z[idx] - gmm.means_[k]) @ q) @ q.T
        return out

    def _draw_class(self, c, keys):
        gmm, axes = self.models_[c][2], self.local_axes_[c]
        components = categorical(sub_keys(keys, 2), gmm.weights_)
        z = gmm.means_[components]
        if self.temperature > 0:
            noise = standard_normal(sub_keys(keys, 3), axes.shape[2])
            scale = np.sqrt(self.temperature)
            # one product per component (not a copy of its axes per image)
            for k, rows in groups(components):
                z[rows] += scale * (noise[rows] @ axes[k].T)
        return z
