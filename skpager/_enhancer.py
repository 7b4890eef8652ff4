"""The paper's resolution enhancer: Lanczos DC plus AC from per-cluster mixtures."""

from numbers import Integral, Real

import numpy as np
from sklearn import config_context
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval, StrOptions, _fit_context
from ._edges import check_canny_thresholds, edge_mask
from ._enhancer_base import BaseEnhancer, MeanScoreMixin
from ._image import from_windows, to_windows
from ._mixture import fit_mixture, mixture_draw, mixture_n_parameters
from ._random import image_keys, part_keys
from ._saab import saab_for_shape
from ._utils import MAX_TEMPERATURE, draw_seed

__all__ = ["ResolutionEnhancer"]

# Rows per chunk when assigning windows to DC clusters (bounds the memory of
# the mixture's (n, K) responsibilities: 15M 2x2 windows of 60k images would
# need 12 GB at once).
_CHUNK = 1 << 16

# Fewest images a sub-window level is fitted on, whatever ``max_windows``.
_MIN_LEVEL_IMAGES = 256


class _WindowLevel:
    """The DC/AC model of one window size, shared by all window positions.

    ``dc_saab`` maps a window of the current estimate to Saab features, of
    which the ``dc_index`` highest-energy ones feed the DC mixture ``dc_gmm``;
    each DC cluster ``k`` has its own mixture ``ac_gmms[k]`` over the Saab
    features (``ac_saab``) of the AC residual, or None when the cluster was
    too small, in which case ``cluster_map[k]`` names the nearest populated
    cluster (by DC mean).
    """

    def __init__(self, window):
        self.window = window

    @classmethod
    def fit(cls, dc_windows, ac_windows, shape, params, rng, n_jobs=None):
        """Fit the DC clusters and the per-cluster AC mixtures of one window size.

        ``params``: the enhancer's ``n_dc_components``, ``n_ac_components``,
        ``n_dc_features`` and the mixtures' keyword arguments (``gmm``).
        """
        level = cls(shape[:2])
        level.dc_saab = saab_for_shape(shape)
        dc_feat = level.dc_saab.fit_transform(dc_windows)
        ranked = np.argsort(level.dc_saab.energy_)[::-1]
        level.dc_index = np.sort(ranked[: params["n_dc_features"]])
        dc_feat = dc_feat[:, level.dc_index]
        k_dc = min(params["n_dc_components"], len(dc_windows))
        level.dc_gmm = fit_mixture(dc_feat, k_dc, draw_seed(rng), **params["gmm"])
        with config_context(array_api_dispatch=False):
            labels = level.dc_gmm.predict(dc_feat)
        level.ac_saab = saab_for_shape(shape)
        ac_feat = level.ac_saab.fit_transform(ac_windows)
        counts = np.bincount(labels, minlength=k_dc)
        n_ac = params["n_ac_components"]
        populated = np.flatnonzero(counts >= max(2, 2 * n_ac))
        if len(populated) == 0:  # tiny data: one cluster holding everything
            populated, labels = np.array([0]), np.zeros_like(labels)
        seeds = draw_seed(rng, size=k_dc)
        fitted = Parallel(n_jobs=n_jobs)(
            delayed(fit_mixture)(
                ac_feat[labels == k],
                min(n_ac, int(np.sum(labels == k))),
                seeds[k],
                **params["gmm"],
            )
            for k in populated
        )
        level.ac_gmms = [None] * k_dc
        for k, gmm in zip(populated, fitted, strict=True):
            level.ac_gmms[k] = gmm
        # empty or tiny clusters borrow the nearest populated cluster (DC means)
        means = level.dc_gmm.means_
        level.cluster_map = populated[pairwise_distances_argmin(means, means[populated])]
        return level

    def clusters(self, windows):
        """Populated cluster of every window, in chunks of ``_CHUNK`` rows."""
        out = np.empty(len(windows), dtype=np.intp)
        with config_context(array_api_dispatch=False):
            for start in range(0, len(windows), _CHUNK):
                chunk = self.dc_saab.transform(windows[start : start + _CHUNK])
                out[start : start + _CHUNK] = self.dc_gmm.predict(chunk[:, self.dc_index])
        return self.cluster_map[out]

    def ac_windows(self, clusters, keys, temperature):
        """Draw (or, at temperature 0, average) the AC of every window's
        cluster; window ``i`` draws from its own ``keys[i]``."""
        coef = np.empty((len(clusters), len(self.ac_saab.energy_)))
        for k in np.unique(clusters):
            idx = np.flatnonzero(clusters == k)
            gmm = self.ac_gmms[k]
            if temperature == 0:
                coef[idx] = gmm.weights_ @ gmm.means_
            else:
                coef[idx] = mixture_draw(gmm, keys[idx], temperature, tags=(1, 2))
        return self.ac_saab.inverse_transform(coef)

    def apply(self, estimate, mask, keys, temperature, tag=0):
        """Add this level's AC to every window of ``estimate`` (masked); the
        windows of image ``i`` draw from ``keys[i]`` (and ``tag``)."""
        windows = to_windows(estimate, *self.window)
        window_keys = part_keys(keys, len(windows) // len(estimate), tag)
        ac = self.ac_windows(self.clusters(windows), window_keys, temperature)
        ac = from_windows(ac, estimate.shape, *self.window)
        return estimate + (ac if mask is None else ac * mask)

    def log_likelihood(self, dc_windows, ac_windows):
        """``log p(AC | cluster of DC)`` of every window, in Saab coordinates."""
        clusters = self.clusters(dc_windows)
        ac = self.ac_saab.transform(ac_windows)
        ll = np.empty(len(ac))
        with config_context(array_api_dispatch=False):
            for k in np.unique(clusters):
                idx = clusters == k
                ll[idx] = self.ac_gmms[k].score_samples(ac[idx])
        return ll

    def n_parameters(self):
        saab = sum(k.size for s in (self.dc_saab, self.ac_saab) for k in s.kernels_)
        return (
            saab
            + mixture_n_parameters(self.dc_gmm)
            + sum(mixture_n_parameters(g) for g in self.ac_gmms if g is not None)
        )


class ResolutionEnhancer(MeanScoreMixin, BaseEnhancer):
    """Double the resolution of images: Lanczos DC plus an AC drawn from mixtures.

    The resolution enhancer of PAGER.  For a low-resolution image ``x``:

    1. the DC is ``x`` upsampled 2x (Lanczos);
    2. the DC's Saab features select a cluster of a Gaussian mixture
       (``n_dc_components`` clusters);
    3. the cluster's own mixture (``n_ac_components`` components) over the Saab
       features of the AC (true image minus DC) gives an AC: a draw with
       covariance scaled by ``temperature``, or at ``temperature=0`` the
       cluster's mean AC (deterministic super-resolution);
    4. the inverse Saab transform maps it back to pixels, a Canny edge mask of
       the DC keeps it near edges (``edge_mask=False`` turns this off), and it
       is added to the DC;
    5. the same model is fitted again on the residual left in the four
       sub-windows, then in theirs, down to ``min_window`` pixels; each window
       size has one model shared by all window positions, and adds its
       conditional mean (or a draw at ``refine_temperature``).

    Read more in the :ref:`User Guide <enhancer>`.

    Parameters
    ----------
    n_dc_components : int, default=100
        Clusters of the DC mixture (per window size).
    n_ac_components : int, default=3
        Components of each cluster's AC mixture.
    n_dc_features : int, default=32
        Highest-energy Saab features of the DC used for clustering.
    covariance_type : {"diag", "full", "tied", "spherical"}, default="diag"
        Covariance of all mixtures.
    temperature : float in [0, 10], default=0.0
        AC covariance scale of the whole-image level in :meth:`transform`
        (unless the call passes its own): 1 samples the fitted mixture, 0
        gives the cluster's mean AC (deterministic super-resolution).  In
        PAGER the core's draws already carry the diversity; measured effects
        are on the :doc:`results page </benchmarks>`.
    refine_temperature : float, default=0.0
        The same for the sub-window levels (capped by the temperature of
        the call).  Draws made independently per window do not agree across
        window borders and read as salt-and-pepper noise, so by default the
        sub-windows add their mean only.
    min_window : int, default=2
        Smallest window side of the recursive refinement (the paper stops at
        2x2).  None fits the whole-image level only.
    edge_mask : bool, default=True
        Multiply every AC by the Canny edge mask of the DC.
    canny_thresholds : tuple of float, default=(50, 150)
        Low and high Canny thresholds (0-255 scale).
    mask_dilation : int, default=1
        Radius of the dilation of the edge mask.
    max_windows : int, default=20000
        Windows used to fit each window size (random subset); this bounds the
        fitting time whatever the number of images.
    image_shape : tuple of int, default=None
        ``(h, w)`` or ``(h, w, C)`` of the low-resolution rows of 2-D ``X``;
        set from n-D input.  None reads a row as a grey ``1 x n_features`` image.
    max_iter : int, default=30
        EM iterations of each mixture (k-means initialised).
    reg_covar : float, default=1e-6
        Added to the covariance diagonals.
    n_jobs : int, default=None
        Per-cluster AC mixtures fitted in parallel through joblib.
    random_state : int, RandomState instance or None, default=None
        Seeds fitting and, in :meth:`transform`, the AC draws.
    verbose : int, default=0
        Progress messages.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(h, w, C)`` of the low-resolution input.
    output_shape_ : tuple of int
        ``(2h, 2w, C)``.
    levels_ : list
        One fitted model per window size, largest first.
    n_parameters_ : int
        Learned parameters.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    ExemplarEnhancer : Copies the AC of stored training windows instead.
    QualityBooster : Adds the detail left after the enhancer.
    PAGER : Core generator plus cascades of enhancers and boosters.

    Examples
    --------
    >>> from skpager import ResolutionEnhancer
    >>> from skpager.datasets import load_demo
    >>> high = load_demo().images[:300]
    >>> from skpager.image import resize
    >>> low = resize(high, 14)
    >>> sr = ResolutionEnhancer(n_dc_components=5, temperature=0, random_state=0)
    >>> sr.fit(low, high).transform(low[:2]).shape
    (2, 28, 28, 1)
    """

    _parameter_constraints: dict = {
        "n_dc_components": [Interval(Integral, 1, None, closed="left")],
        "n_ac_components": [Interval(Integral, 1, None, closed="left")],
        "n_dc_features": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions({"full", "tied", "diag", "spherical"})],
        "temperature": [Interval(Real, 0, MAX_TEMPERATURE, closed="both")],
        "refine_temperature": [Interval(Real, 0, None, closed="left")],
        "min_window": [Interval(Integral, 1, None, closed="left"), None],
        "edge_mask": ["boolean"],
        "canny_thresholds": [tuple, list],
        "mask_dilation": [Interval(Integral, 0, None, closed="left")],
        "max_windows": [Interval(Integral, 2, None, closed="left")],
        "image_shape": [tuple, list, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_dc_components=100,
        *,
        n_ac_components=3,
        n_dc_features=32,
        covariance_type="diag",
        temperature=0.0,
        refine_temperature=0.0,
        min_window=2,
        edge_mask=True,
        canny_thresholds=(50, 150),
        mask_dilation=1,
        max_windows=20000,
        image_shape=None,
        max_iter=30,
        reg_covar=1e-6,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_dc_components = n_dc_components
        self.n_ac_components = n_ac_components
        self.n_dc_features = n_dc_features
        self.covariance_type = covariance_type
        self.temperature = temperature
        self.refine_temperature = refine_temperature
        self.min_window = min_window
        self.edge_mask = edge_mask
        self.canny_thresholds = canny_thresholds
        self.mask_dilation = mask_dilation
        self.max_windows = max_windows
        self.image_shape = image_shape
        self.max_iter = max_iter
        self.reg_covar = reg_covar
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _window_sizes(self):
        h2, w2, _ = self.output_shape_
        sizes = [(h2, w2)]
        if self.min_window is None:
            return sizes
        wh, ww = h2, w2
        while wh % 2 == 0 and ww % 2 == 0 and min(wh, ww) // 2 >= self.min_window:
            wh, ww = wh // 2, ww // 2
            sizes.append((wh, ww))
        return sizes

    # ------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, labels=None):
        """Fit the DC clusters and per-cluster AC mixtures of every window size.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images in [0, 1].
        y : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            The same images at ``H = 2**j * h`` (j >= 1); downsampled to 2h
            inside with the package's Lanczos resampler.
        labels : array-like of shape (n_samples,), default=None
            Accepted for the stage contract (checked, then ignored: the
            paper's enhancer is the same for every class).

        Returns
        -------
        self : ResolutionEnhancer
            The fitted enhancer.
        """
        check_canny_thresholds(self.canny_thresholds)
        return self._fit_validated(X, y, labels)

    def _fit_pairs(self, low, high, labels, rng):
        n = len(low)
        h2, w2, c = self.output_shape_
        order = rng.permutation(n)  # deeper levels fit on nested random subsets
        low, high = low[order], high[order]
        estimate = self._dc(low)
        mask = self._mask(estimate)
        params = {
            "n_dc_components": self.n_dc_components,
            "n_ac_components": self.n_ac_components,
            "n_dc_features": self.n_dc_features,
            "gmm": {
                "covariance_type": self.covariance_type,
                "max_iter": self.max_iter,
                "reg_covar": self.reg_covar,
            },
        }
        self.levels_ = []
        sizes = self._window_sizes()
        for depth, (wh, ww) in enumerate(sizes):
            per_image = (h2 // wh) * (w2 // ww)
            m = min(len(estimate), max(-(-self.max_windows // per_image), _MIN_LEVEL_IMAGES))
            estimate, high = estimate[:m], high[:m]
            mask = None if mask is None else mask[:m]
            if self.verbose:
                print(
                    f"[ResolutionEnhancer] window {wh}x{ww}: {m * per_image:,} windows from "
                    f"{m:,} images (fitting on at most {self.max_windows:,})"
                )
            dc_w, ac_w = to_windows(estimate, wh, ww), to_windows(high - estimate, wh, ww)
            if len(dc_w) > self.max_windows:
                keep = rng.choice(len(dc_w), size=self.max_windows, replace=False)
                dc_w, ac_w = dc_w[keep], ac_w[keep]
            level = _WindowLevel.fit(dc_w, ac_w, (wh, ww, c), params, rng, self.n_jobs)
            self.levels_.append(level)
            if depth + 1 < len(sizes):  # deeper levels learn what the mixture mean leaves
                estimate = level.apply(estimate, mask, np.zeros(len(estimate), np.uint64), 0.0)
        self.n_parameters_ = int(sum(level.n_parameters() for level in self.levels_))

    # ------------------------------------------------------------- transform
    def _mask(self, dc):
        if not self.edge_mask:
            return None
        return edge_mask(dc, self.canny_thresholds, self.mask_dilation)

    def _enhance(self, low, labels, temperature, rng):
        estimate = self._dc(low)
        mask = self._mask(estimate)
        keys = image_keys(low, draw_seed(rng))  # each image draws from its own numbers
        for depth, level in enumerate(self.levels_):
            t = temperature if depth == 0 else min(temperature, self.refine_temperature)
            estimate = level.apply(estimate, mask, keys, t, tag=depth)
        return estimate

    def score_samples(self, X, y):
        """Conditional log-likelihood of every image's whole AC given its DC.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images.
        y : array-like
            The same images at a power-of-two multiple of the resolution.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            ``log p(AC | cluster of DC)`` under the first (whole-image) level,
            in Saab coordinates (exact in pixels, the Saab transform being
            orthonormal).
        """
        check_is_fitted(self)
        self._require_y(y)
        low = self._check_low(X, reset=False)
        high = self._check_high(y, low.shape[0])
        dc = self._dc(low.astype(np.float64))
        level = self.levels_[0]
        window = level.window
        return level.log_likelihood(to_windows(dc, *window), to_windows(high - dc, *window))
