"""The quality booster: detail from training residuals by locally linear embedding."""

from numbers import Integral, Real

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.cluster import MiniBatchKMeans
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._basis import from_coords, pca_basis, to_coords
from ._compat import Interval, _fit_context
from ._edges import check_canny_thresholds, edge_mask
from ._image import (
    check_target_images,
    overlap_add,
    sliding_windows,
    to_images,
    to_layout,
    validate_images,
)
from ._utils import MAX_TEMPERATURE, check_temperature, draw_seed

__all__ = ["QualityBooster"]

# Mini-batch size of the patch k-means.
_KMEANS_BATCH = 4096


def lle_weights(x, neighbours, reg):
    """Regularised LLE reconstruction weights, batched.

    Solves ``min ||x - sum_j w_j z_j||^2`` subject to ``sum_j w_j = 1`` for
    every row: ``G w = 1`` with the local Gram matrix ``G = (Z - x)(Z - x)^T``
    regularised by ``reg * trace(G)`` on its diagonal, then normalised.

    Parameters
    ----------
    x : ndarray of shape (m, d)
    neighbours : ndarray of shape (m, k, d)
    reg : float

    Returns
    -------
    weights : ndarray of shape (m, k)
        Rows sum to 1.
    """
    diff = neighbours - x[:, None, :]
    gram = np.einsum("mid,mjd->mij", diff, diff)
    k = gram.shape[1]
    trace = np.trace(gram, axis1=1, axis2=2)
    ridge = np.where(trace > 0, reg * trace, reg)
    gram += ridge[:, None, None] * np.eye(k)
    w = np.linalg.solve(gram, np.ones((len(x), k, 1)))[:, :, 0]
    return w / w.sum(axis=1, keepdims=True)


def _fit_cluster_index(features):
    return NearestNeighbors().fit(features)


class QualityBooster(TransformerMixin, BaseEstimator):
    """Add the detail an enhancer misses, by LLE over stored training residuals.

    The quality booster of PAGER.  Training pairs are (enhanced image, true
    image) at the same size.  Both are cut into patches (non-overlapping by
    default, the paper's; overlapping with a smaller ``stride``); a
    k-means over the enhanced patches makes ``n_clusters`` groups, each keeping
    at most ``max_patches_per_cluster`` (enhanced patch, residual patch) pairs
    in float32, as coordinates on their principal axes (``pca_variance``).
    At transform time every patch finds its ``n_neighbors`` nearest stored
    patches in its cluster, solves the regularised LLE weights (summing to 1)
    that rebuild it from them, and adds the same combination of their
    residuals, scaled as ``temperature`` says, masked by the Canny edges of
    the input.  Where patches overlap, a pixel gets the
    blend of the residuals of the patches covering it (see ``stride``).

    Read more in the :ref:`User Guide <booster>`.

    Parameters
    ----------
    patch_size : int, default=8
        Side of the square patches (image sides must be multiples of it; a
        larger value is reduced to the image side).
    stride : int, default=None
        Step between patches; None uses ``patch_size`` (non-overlapping
        patches, the paper's booster).  A smaller step overlaps them, which
        hides the patch seams: each pixel's residual is the sum of the
        residuals of the patches covering it, weighted by a separable sine
        window over each patch and divided by the root of the summed squared
        weights, which keeps the variance of independent residuals.  At
        most ``patch_size``; image side minus patch size must be a multiple
        of it.
    n_clusters : int, default=100
        k-means clusters of patches.
    n_neighbors : int, default=2
        Neighbours per patch.  In a cluster holding fewer patches, all of them
        are used (never a patch from another cluster).
    max_patches_per_cluster : int, default=500
        Stored patches per cluster (random subset); bounds the model size.
    pca_variance : float in (0, 1) or None, default=0.99
        Patches and residuals are stored as float32 coefficients on their own
        principal axes (fitted on the k-means subset), keeping this fraction of
        their variance; neighbours are searched in those coordinates.  None
        stores the raw patches.
    reg : float, default=1e-3
        LLE ridge (> 0), relative to the trace of the local Gram matrix.
    temperature : float in [0, 10], default=1.0
        How much of the borrowed residual is added (unless
        :meth:`transform` passes its own).  Each cluster ``k`` has a gain
        ``g_k`` in [0, 1] (``gains_``), the least-squares fit of the residual
        it predicts for its own stored patches (leave-one-out: a patch never
        serves as its own neighbour) to their true residual; clusters with
        fewer than 10 stored patches use the gain pooled over all clusters.
        The residual is added with the factor
        ``g_k + sqrt(temperature) * (1 - g_k)``: the part the cluster's
        residuals predict, plus the rest scaled like a draw whose variance
        is scaled by ``temperature``.  1 adds the LLE residual whole (the
        paper's booster: borrowed texture, which generated samples need);
        0 adds the least-squares estimate only (deterministic detail, which
        PSNR rewards).
    edge_mask : bool, default=True
        Multiply the residual by the Canny edge mask of the input.
    canny_thresholds : tuple of float, default=(50, 150)
        Canny's thresholds (0-255 scale).
    mask_dilation : int, default=1
        Dilation radius of the mask.
    max_kmeans_patches : int, default=100000
        Patches used to fit k-means (random subset).
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of the rows of 2-D ``X``; set from n-D
        input.  None reads a row as a grey ``1 x n_features`` image.
    n_jobs : int, default=None
        Per-cluster neighbour searches run in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds k-means and the patch subsets.
    verbose : int, default=0
        Progress messages.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(H, W, C)``.
    patch_shape_ : tuple of int
        ``(p, p)`` actually used.
    kmeans_ : MiniBatchKMeans
        Patch clusters.
    patch_basis_ : tuple of ndarray or None
        ``(mean, components)`` of the patch coordinates (None without
        ``pca_variance``).
    residual_basis_ : tuple of ndarray or None
        The same for the residuals.
    patches_ : list of ndarray
        Per cluster, stored enhanced patches (float32; coordinates on
        ``patch_basis_`` when it is set).
    residuals_ : list of ndarray
        Per cluster, the matching residual patches (float32; coordinates on
        ``residual_basis_`` when it is set).
    gains_ : ndarray of shape (n_clusters,)
        Least-squares residual gain ``g_k`` of every cluster (see
        ``temperature``; 0 for a cluster k-means left empty).
    n_parameters_ : int
        Stored values (k-means centres, bases, patches, residuals and gains).
    model_size_bytes_ : int
        Bytes of the stored arrays.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    ResolutionEnhancer : Produces the images this booster refines.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager import QualityBooster
    >>> rng = np.random.default_rng(0)
    >>> truth = rng.random((50, 16, 16))
    >>> blurred = (truth + np.roll(truth, 1, axis=2)) / 2
    >>> booster = QualityBooster(patch_size=4, n_clusters=5, random_state=0)
    >>> booster.fit(blurred, truth).transform(blurred[:3]).shape
    (3, 16, 16)
    """

    _parameter_constraints: dict = {
        "patch_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left"), None],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "max_patches_per_cluster": [Interval(Integral, 1, None, closed="left")],
        "pca_variance": [Interval(Real, 0, 1, closed="neither"), None],
        "reg": [Interval(Real, 0, None, closed="neither")],
        "temperature": [Interval(Real, 0, MAX_TEMPERATURE, closed="both")],
        "edge_mask": ["boolean"],
        "canny_thresholds": [tuple, list],
        "mask_dilation": [Interval(Integral, 0, None, closed="left")],
        "max_kmeans_patches": [Interval(Integral, 1, None, closed="left")],
        "image_shape": [tuple, list, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        patch_size=8,
        *,
        stride=None,
        n_clusters=100,
        n_neighbors=2,
        max_patches_per_cluster=500,
        pca_variance=0.99,
        reg=1e-3,
        temperature=1.0,
        edge_mask=True,
        canny_thresholds=(50, 150),
        mask_dilation=1,
        max_kmeans_patches=100000,
        image_shape=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.patch_size = patch_size
        self.stride = stride
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.max_patches_per_cluster = max_patches_per_cluster
        self.pca_variance = pca_variance
        self.reg = reg
        self.temperature = temperature
        self.edge_mask = edge_mask
        self.canny_thresholds = canny_thresholds
        self.mask_dilation = mask_dilation
        self.max_kmeans_patches = max_kmeans_patches
        self.image_shape = image_shape
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _check_images(self, X, reset):
        return to_images(validate_images(self, X, reset=reset), self.image_shape_)

    def _patch_shape(self):
        h, w, _ = self.image_shape_
        ph, pw = min(self.patch_size, h), min(self.patch_size, w)
        if self.stride is None:
            if h % ph or w % pw:
                raise ValueError(
                    f"patch_size={self.patch_size} must divide the image sides ({h}x{w})."
                )
        elif self.stride > min(ph, pw):
            raise ValueError(
                f"stride={self.stride} is larger than the patches ({ph}x{pw}): pixels between "
                "them would get no residual; use a stride of at most patch_size."
            )
        elif (h - ph) % self.stride or (w - pw) % self.stride:
            raise ValueError(
                f"patch_size={self.patch_size} and stride={self.stride} must tile the images "
                f"({h}x{w}): side - patch_size must be a multiple of the stride."
            )
        return ph, pw

    def _step(self):
        """``(vertical, horizontal)`` step between patches."""
        return self.patch_shape_ if self.stride is None else (self.stride, self.stride)

    def _patches(self, images):
        """The patches of ``images`` ``(n, H, W, C)``, one row each."""
        return sliding_windows(images, self.patch_shape_, self._step())

    def _blend(self, residuals, shape):
        """Patch residuals (one row per patch) -> residual images ``shape``."""
        n, h, w, c = shape
        ph, pw = self.patch_shape_
        step = self._step()
        ny, nx = (h - ph) // step[0] + 1, (w - pw) // step[1] + 1
        residuals = residuals.reshape(n, ny, nx, ph, pw, c)
        if step == (ph, pw):  # non-overlapping: each pixel has one patch
            return residuals.transpose(0, 1, 3, 2, 4, 5).reshape(shape)
        weight = np.outer(
            np.sin(np.pi * (np.arange(ph) + 0.5) / ph), np.sin(np.pi * (np.arange(pw) + 0.5) / pw)
        )[:, :, None]
        total = overlap_add(residuals * weight, shape, (ph, pw), step)
        squares = np.broadcast_to(weight**2, (1, ny, nx, ph, pw, 1))
        return total / np.sqrt(overlap_add(squares, (1, h, w, 1), (ph, pw), step))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Cluster the training patches and store residuals per cluster.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Enhanced images (an enhancer's output on training inputs).
        y : array-like
            The true images, at the size of X or a power-of-two multiple of it
            (downsampled inside, so a cascade Pipeline can pass its final targets).

        Returns
        -------
        self : QualityBooster
            The fitted booster.
        """
        if y is None:
            raise ValueError(
                "QualityBooster requires y to be passed, but the target y is None: pass the "
                "true images, at the size of X."
            )
        check_canny_thresholds(self.canny_thresholds)
        images = self._check_images(X, reset=True)
        truth = check_target_images(
            y,
            images.shape[0],
            self.image_shape_,
            min_ratio=1,
            what="the size of X or a power-of-two multiple of it (then it is downsampled)",
        )
        self.patch_shape_ = self._patch_shape()
        rng = check_random_state(self.random_state)
        # float32 before the patches are cut: the same values, half the memory
        feats = self._patches(images.astype(np.float32))
        resid = self._patches((truth - images).astype(np.float32))
        if len(feats) < 2:
            raise ValueError("QualityBooster needs at least 2 patches; got 1 sample.")
        n_clusters = min(self.n_clusters, len(feats))
        subset = rng.choice(
            len(feats), size=min(len(feats), self.max_kmeans_patches), replace=False
        )
        self.patch_basis_ = self.residual_basis_ = None
        if self.pca_variance is not None:
            self.patch_basis_ = pca_basis(feats[subset], self.pca_variance)
            self.residual_basis_ = pca_basis(resid[subset], self.pca_variance)
            feats = self._keys(feats)
            resid = to_coords(self.residual_basis_, resid)
            if self.verbose:
                print(
                    f"[QualityBooster] {feats.shape[1]} patch and {resid.shape[1]} residual "
                    f"coordinates of {self.patch_basis_[1].shape[1]}"
                )
        if self.verbose:
            print(f"[QualityBooster] k-means of {len(subset):,} patches into {n_clusters}")
        with config_context(array_api_dispatch=False):
            self.kmeans_ = MiniBatchKMeans(
                n_clusters=n_clusters,
                random_state=draw_seed(rng),
                batch_size=_KMEANS_BATCH,
                n_init=3,
            ).fit(feats[subset])
            labels = self.kmeans_.predict(feats)
        order = rng.permutation(len(feats))
        self.patches_, self.residuals_ = [], []
        for k in range(n_clusters):
            members = order[labels[order] == k][: self.max_patches_per_cluster]
            self.patches_.append(feats[members])
            self.residuals_.append(resid[members])
        self._indexes = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_cluster_index)(p) for p in self.patches_ if len(p)
        )
        self._index_of = np.cumsum([len(p) > 0 for p in self.patches_]) - 1
        self.gains_ = self._gains()
        if self.verbose:
            print(
                f"[QualityBooster] residual gains: median {np.median(self.gains_):.2f}, "
                f"range {self.gains_.min():.2f}-{self.gains_.max():.2f}"
            )
        arrays = [self.kmeans_.cluster_centers_, self.gains_, *self.patches_, *self.residuals_]
        for basis in (self.patch_basis_, self.residual_basis_):
            arrays.extend(basis or ())
        self.n_parameters_ = int(sum(a.size for a in arrays))
        self.model_size_bytes_ = int(sum(a.nbytes for a in arrays))
        return self

    def _gains(self):
        """Per-cluster residual gains (leave-one-out least squares, in [0, 1])."""
        sizes = np.array([len(p) for p in self.patches_])
        dot, norm = np.zeros(len(sizes)), np.zeros(len(sizes))
        for k in np.flatnonzero(sizes >= 2):
            stored, m = self.patches_[k], sizes[k]
            n_nb = min(self.n_neighbors, m - 1)
            _, nb = self._indexes[self._index_of[k]].kneighbors(stored, n_neighbors=n_nb + 1)
            own = nb == np.arange(m)[:, None]
            own[~own.any(axis=1), -1] = True  # exact duplicates: drop the farthest instead
            nb = nb[~own].reshape(m, n_nb)
            weights = lle_weights(
                stored.astype(np.float64), stored[nb].astype(np.float64), self.reg
            )
            residuals = self.residuals_[k]
            predicted = self._residual_pixels(np.einsum("mk,mkd->md", weights, residuals[nb]))
            truth = self._residual_pixels(residuals.astype(np.float64))
            dot[k], norm[k] = np.sum(predicted * truth), np.sum(predicted**2)
        pooled = np.clip(dot.sum() / norm.sum(), 0, 1) if norm.sum() > 0 else 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            own_gain = np.clip(dot / norm, 0, 1)
        gains = np.where((sizes >= 10) & (norm > 0), own_gain, pooled)
        return np.where(sizes > 0, gains, 0.0).astype(np.float32)

    def _residual_pixels(self, coef):
        """Stored residual coordinates -> residual patches (float64)."""
        return from_coords(self.residual_basis_, coef)

    def _keys(self, patches):
        """Search coordinates of raw patches (float32)."""
        return to_coords(self.patch_basis_, patches).astype(np.float32)

    def residual(self, X, *, temperature=None):
        """Estimated residual (before masking) of every image of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Enhanced images.
        temperature : float in [0, 10], default=None
            See the class parameter; None uses ``self.temperature``.

        Returns
        -------
        residual : ndarray of shape (n_samples, H, W, C)
        """
        check_is_fitted(self)
        images = self._check_images(X, reset=False)
        return self._residual(images, self._temperature(temperature))

    def _temperature(self, temperature):
        return check_temperature(self.temperature if temperature is None else temperature)

    def _residual(self, images, temperature):
        feats = self._keys(self._patches(images).astype(np.float32))
        with config_context(array_api_dispatch=False):
            labels = self.kmeans_.predict(feats)
        out = np.zeros((len(feats), self.residuals_[0].shape[1]), dtype=np.float64)
        for k in np.unique(labels):
            stored = self.patches_[k]
            if len(stored) == 0:  # k-means left it empty: no residual to borrow (gain 0)
                continue
            idx = np.flatnonzero(labels == k)
            n_nb = min(self.n_neighbors, len(stored))
            _, nb = self._indexes[self._index_of[k]].kneighbors(feats[idx], n_neighbors=n_nb)
            weights = lle_weights(
                feats[idx].astype(np.float64), stored[nb].astype(np.float64), self.reg
            )
            out[idx] = np.einsum("mk,mkd->md", weights, self.residuals_[k][nb])
        out = self._residual_pixels(out)
        if temperature != 1.0:  # at 1 every stored residual is added whole
            gains = self.gains_[labels, None].astype(np.float64)
            out *= gains + np.sqrt(temperature) * (1.0 - gains)
        return self._blend(out, images.shape)

    def transform(self, X, *, temperature=None):
        """Add the masked LLE residual to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Enhanced images.
        temperature : float in [0, 10], default=None
            Scale of the residual beyond its least-squares part for this
            call (see the class parameter); None uses ``self.temperature``.

        Returns
        -------
        X_boosted : ndarray
            Same layout as the training ``X`` (n-D or 2-D); not clipped.
        """
        check_is_fitted(self)
        images = self._check_images(X, reset=False)
        return to_layout(self._boost(images, self._temperature(temperature)), self._nd_shape)

    def _boost(self, images, temperature):
        """``(n, H, W, C)`` -> the same images plus the masked residual."""
        residual = self._residual(images, temperature)
        if self.edge_mask:
            residual *= edge_mask(images, self.canny_thresholds, self.mask_dilation)
        return images + residual

    def predict(self, X, *, temperature=None):
        """Same as :meth:`transform`.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Enhanced images.
        temperature : float in [0, 10], default=None
            See :meth:`transform`.

        Returns
        -------
        X_boosted : ndarray
            See :meth:`transform`.
        """
        return self.transform(X, temperature=temperature)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
