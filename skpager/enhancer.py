"""The resolution enhancer: one octave of PAGER (DC upsampling + AC from mixtures)."""

from numbers import Integral, Real

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.decomposition import PCA
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._basis import from_coords, to_coords
from ._edges import edge_mask
from ._image import check_target_images, resize, to_images, to_layout, validate_images
from ._mixture import fit_mixture, mixture_n_parameters, mixture_sample
from .saab import saab_for_shape

__all__ = ["ResolutionEnhancer"]

# Rows per chunk when assigning windows to DC clusters (bounds the memory).
_CHUNK = 1 << 16


def to_windows(images, wh, ww):
    """``(n, H, W, C)`` -> ``(n * H/wh * W/ww, wh * ww * C)`` non-overlapping windows."""
    n, h, w, c = images.shape
    blocks = images.reshape(n, h // wh, wh, w // ww, ww, c).transpose(0, 1, 3, 2, 4, 5)
    return blocks.reshape(-1, wh * ww * c)


def from_windows(windows, shape, wh, ww):
    """Inverse of :func:`to_windows`."""
    n, h, w, c = shape
    blocks = windows.reshape(n, h // wh, w // ww, wh, ww, c).transpose(0, 1, 3, 2, 4, 5)
    return blocks.reshape(shape)


def _check_labels(labels, n):
    """None, or a 1-D array of ``n`` labels."""
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise ValueError(f"labels must hold one label per image ({n}); got shape {labels.shape}.")
    return labels


class _WindowLevel:
    """The DC/AC model of one window size (shared by all window positions).

    ``dc_saab`` maps a window of the current estimate to Saab features, of
    which the ``dc_features`` highest-energy ones feed the DC mixture
    ``dc_gmm``; each DC cluster ``k`` has its own mixture ``ac_gmms[k]`` over
    the Saab features (``ac_saab``) of the AC residual, or None when the
    cluster was too small, in which case ``cluster_map[k]`` names the nearest
    populated cluster.
    """

    exemplar_ac = None  # stored AC of training windows (``exemplars > 0`` only)
    exemplar_dc = None  # their DC features (the nearest-neighbour keys)
    exemplar_basis = None  # (mean, axes) when the stored AC are principal coordinates
    exemplar_labels = None  # their labels when fitted with ``labels``
    exemplar_window = None  # (h, w) of the stored windows; None: the level's own window
    exemplar_keys_basis = None  # (mean, axes) of the stored windows' DC when they are smaller
    exemplar_by_position = False  # smaller windows: search only those of the same position

    def __init__(self, window):
        self.window = window

    def dc_features(self, windows):
        return self.dc_saab.transform(windows)[:, self.dc_index]

    def clusters(self, windows):
        """Populated cluster of every window, in chunks (the mixture's
        responsibilities are an ``(n, K)`` array: 15M 2x2 windows of 60k images
        would need 12 GB at once)."""
        out = np.empty(len(windows), dtype=np.intp)
        with config_context(array_api_dispatch=False):
            for start in range(0, len(windows), _CHUNK):
                chunk = self.dc_features(windows[start : start + _CHUNK])
                out[start : start + _CHUNK] = self.dc_gmm.predict(chunk)
        return self.cluster_map[out]

    def ac_windows(self, clusters, rng, temperature):
        """Draw (or, at temperature 0, average) the AC of every window's cluster."""
        coef = np.empty((len(clusters), self.ac_saab._n_features_out))
        for k in np.unique(clusters):
            idx = np.flatnonzero(clusters == k)
            gmm = self.ac_gmms[k]
            if temperature == 0:
                coef[idx] = gmm.weights_ @ gmm.means_
            else:
                coef[idx], _ = mixture_sample(gmm, len(idx), rng, temperature)
        return self.ac_saab.inverse_transform(coef)

    def exemplar_keys(self, windows):
        """DC features of windows of the store's size (the search keys)."""
        if self.exemplar_keys_basis is None:
            return self.dc_features(windows)
        return to_coords(self.exemplar_keys_basis, windows)

    def exemplar_windows(self, windows, labels=None):
        """The stored AC of the training window with the nearest DC features.

        With ``labels`` (one per window) and a labelled store, a window only
        looks among the stored windows of its own label (all of them when the
        store holds none of that label).  A store of smaller windows splits
        every window into them, and each part copies its own nearest (among
        the stored parts of the same position when ``exemplar_by_position``).
        """
        wh, ww = self.window
        eh, ew = self.exemplar_window or self.window
        if (eh, ew) == (wh, ww):
            return self._copy(windows, labels)
        images = windows.reshape(len(windows), wh, ww, -1)
        per = self.parts_per_image()
        parts = to_windows(images, eh, ew)
        labels = None if labels is None else np.repeat(labels, per)
        positions = np.tile(np.arange(per), len(windows)) if self.exemplar_by_position else None
        ac = self._copy(parts, labels, positions)
        return from_windows(ac, images.shape, eh, ew).reshape(windows.shape)

    def _copy(self, windows, labels, positions=None):
        """AC of the nearest stored window, within the window's label and
        position groups (``positions``: index of each part in its image)."""
        feat = self.exemplar_keys(windows).astype(np.float32)
        n_stored = len(self.exemplar_dc)
        if positions is None:
            positions = np.zeros(len(feat), dtype=np.intp)
            stored_positions = np.zeros(n_stored, dtype=np.intp)
        else:  # the store holds the parts of every image in the same order
            stored_positions = np.arange(n_stored) % self.parts_per_image()
        use_labels = labels is not None and self.exemplar_labels is not None
        nearest = np.empty(len(feat), dtype=np.intp)
        for position in np.unique(positions):
            at = positions == position
            same = stored_positions == position
            for label in np.unique(labels[at]) if use_labels else [None]:
                query = np.flatnonzero(at if label is None else at & (labels == label))
                pool = np.flatnonzero(
                    same if label is None else same & (self.exemplar_labels == label)
                )
                if len(pool) == 0:  # no stored window of that label
                    pool = np.flatnonzero(same)
                found = pairwise_distances_argmin(feat[query], self.exemplar_dc[pool])
                nearest[query] = pool[found]
        return from_coords(self.exemplar_basis, self.exemplar_ac[nearest].astype(np.float64))

    def parts_per_image(self):
        """Stored windows per image (1 for whole-image stores)."""
        eh, ew = self.exemplar_window or self.window
        return (self.window[0] // eh) * (self.window[1] // ew)

    def n_parameters(self):
        saab = sum(k.size for s in (self.dc_saab, self.ac_saab) for k in s.kernels_)
        stored = 0
        if self.exemplar_ac is not None:  # the AC and the DC features of each image
            stored = self.exemplar_ac.size + self.exemplar_dc.size
            if self.exemplar_labels is not None:
                stored += self.exemplar_labels.size
            if self.exemplar_basis is not None:
                stored += sum(a.size for a in self.exemplar_basis)
            if self.exemplar_keys_basis is not None:
                stored += sum(a.size for a in self.exemplar_keys_basis)
        return (
            saab
            + stored
            + mixture_n_parameters(self.dc_gmm)
            + sum(mixture_n_parameters(g) for g in self.ac_gmms if g is not None)
        )


class ResolutionEnhancer(TransformerMixin, BaseEstimator):
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
    temperature : float, default=0.0
        AC covariance scale of the whole-image level in :meth:`transform`: 1
        samples the fitted mixture, 0 gives the conditional mean (deterministic
        super-resolution, and a deterministic ``transform``).  In PAGER the
        core's draws already carry the diversity: on Fashion-MNIST samples,
        temperature 0 gave the lowest FID (0.1 and 0.3 were worse, 1.0 leaves
        speckle; see ``docs/benchmarks.md``).  An image that copies exemplar
        AC (``exemplars > 0``) does not use the mixture there, so the
        temperature does not change it.
    refine_temperature : float, default=0.0
        The same for the sub-window levels (capped by ``temperature``).  Draws
        made independently per window do not agree across window borders and
        read as salt-and-pepper noise, so by default the sub-windows add their
        conditional mean only.
    min_window : int, default=2
        Smallest window side of the recursive refinement (the paper stops at
        2x2).  None fits the whole-image level only.  The sub-window levels
        learn what the mixture mean leaves, so after a copied exemplar AC
        they pull it back towards that mean: PAGER's colour default sets
        None (CIFAR-10, see ``docs/benchmarks.md``).
    edge_mask : bool, default=True
        Multiply every AC by the Canny edge mask of the DC.  PAGER's colour
        default turns it off: a copied exemplar AC is real texture, which
        the mask would keep only near edges.
    canny_thresholds : tuple of float, default=(50, 150)
        Low and high Canny thresholds (0-255 scale).
    mask_dilation : int, default=1
        Radius of the dilation of the edge mask.
    exemplars : int, default=0
        Training windows kept at the whole-image level for exemplar AC: when
        positive, the whole-image level adds the AC of the stored training
        image whose DC Saab features are nearest (at any temperature) instead
        of a mixture mean or draw; the sub-window levels are unchanged.  0 is
        the paper's enhancer.  A copied AC belongs to one real image, so its
        edges agree with each other: on CIFAR-10 it turns blobs into objects
        (see ``docs/benchmarks.md``); the store costs ``exemplars * (H*W*C +
        n_dc_features)`` parameters.  The images are evenly spaced in the
        input order (not capped by ``max_windows``), so enhancers fitted on
        the same images in the same order, as in :class:`PAGER`, store the
        same images at every octave.  With ``labels`` in :meth:`fit` and
        :meth:`transform` the search stays within each image's class.
        PAGER's default enhancer for colour images uses 10,000 with
        ``exemplar_split=2``.
    exemplar_components : int, default=None
        Keep each stored AC as its coordinates on this many principal axes of
        the stored ACs (plus the axes and mean) instead of all their pixels
        (at most as many axes as stored windows or as pixels per window).
        None stores the pixels.  PAGER's colour default keeps 128 axes: on
        CIFAR-10 its model has 30.7M parameters (256 axes: 7.8M more for an
        FID within noise; see ``docs/benchmarks.md``).
    exemplar_split : int, default=1
        Split every image into ``exemplar_split x exemplar_split`` windows
        for the exemplar store: each window of the output copies the AC of
        the stored training window (at the same position, see
        ``exemplar_position``; same class when labelled) whose DC is
        nearest on the ``n_dc_features`` leading principal axes of the
        stored windows' DC, so a sample's parts may come from
        different training images.  1 copies whole images.  Must divide both
        output sides.  The store then holds ``exemplars * exemplar_split**2``
        windows of ``H*W*C / exemplar_split**2`` pixels (or
        ``exemplar_components`` coordinates) and ``n_dc_features`` keys each.
    exemplar_position : bool, default=True
        With ``exemplar_split > 1``, a window searches only the stored
        windows of the same position in their images (top-left among
        top-left, ...); False searches all of them.  Neighbouring windows
        then come from windows that sat side by side in some training
        images, so their seams agree better (CIFAR-10: FID 97.8 against 99.9
        for any position, see ``docs/benchmarks.md``).  Costs no parameters.
    max_windows : int, default=20000
        Windows used to fit each window size (random subset); this bounds the
        fitting time whatever the number of images.
    image_shape : tuple of int, default=None
        ``(h, w)`` or ``(h, w, C)`` of the low-resolution rows of 2-D ``X``;
        set from n-D input.  None reads a row as a grey ``1 x n_features`` image.
    max_iter : int, default=30
        EM iterations of each mixture (k-means initialised; 100 iterations
        cost 35% more time for +0.03 dB on Fashion-MNIST 16->32).
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
        "temperature": [Interval(Real, 0, None, closed="left")],
        "refine_temperature": [Interval(Real, 0, None, closed="left")],
        "min_window": [Interval(Integral, 1, None, closed="left"), None],
        "edge_mask": ["boolean"],
        "canny_thresholds": [tuple, list],
        "mask_dilation": [Interval(Integral, 0, None, closed="left")],
        "exemplars": [Interval(Integral, 0, None, closed="left")],
        "exemplar_components": [Interval(Integral, 1, None, closed="left"), None],
        "exemplar_split": [Interval(Integral, 1, None, closed="left")],
        "exemplar_position": ["boolean"],
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
        n_ac_components=3,
        n_dc_features=32,
        covariance_type="diag",
        temperature=0.0,
        refine_temperature=0.0,
        min_window=2,
        edge_mask=True,
        canny_thresholds=(50, 150),
        mask_dilation=1,
        exemplars=0,
        exemplar_components=None,
        exemplar_split=1,
        exemplar_position=True,
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
        self.exemplars = exemplars
        self.exemplar_components = exemplar_components
        self.exemplar_split = exemplar_split
        self.exemplar_position = exemplar_position
        self.max_windows = max_windows
        self.image_shape = image_shape
        self.max_iter = max_iter
        self.reg_covar = reg_covar
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ validation
    def _check_low(self, X, reset):
        return to_images(validate_images(self, X, reset=reset), self.image_shape_)

    def _check_high(self, y, n):
        if y is None:
            raise ValueError(
                "ResolutionEnhancer requires y to be passed, but the target y is None: pass "
                "the same images as X at 2x (or a higher power-of-two multiple of) their "
                "resolution."
            )
        return check_target_images(
            y,
            n,
            self.image_shape_,
            min_ratio=2,
            what="the images at 2x, 4x, ... (a power of two) the resolution of X",
        )

    def _window_sizes(self):
        h2, w2 = 2 * self.image_shape_[0], 2 * self.image_shape_[1]
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
    def fit(self, X, y, labels=None):
        """Fit the DC clusters and per-cluster AC mixtures of every window size.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images in [0, 1].
        y : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            The same images at ``H = 2**j * h`` (j >= 1); downsampled to 2h
            inside with the package's Lanczos resampler.
        labels : array-like of shape (n_samples,), default=None
            Class of every image, kept with the exemplar store (``exemplars >
            0``) so that :meth:`transform` given labels copies only from
            images of the same class.  Ignored without exemplars.

        Returns
        -------
        self : ResolutionEnhancer
            The fitted enhancer.
        """
        low = self._check_low(X, reset=True)
        n = low.shape[0]
        high = self._check_high(y, n)
        labels = _check_labels(labels, n)
        if n < 2:
            raise ValueError("ResolutionEnhancer needs at least 2 images; got 1 sample.")
        h, w, c = self.image_shape_
        self.output_shape_ = (2 * h, 2 * w, c)
        if self.exemplars > 0 and (2 * h % self.exemplar_split or 2 * w % self.exemplar_split):
            raise ValueError(
                f"exemplar_split={self.exemplar_split} must divide both output sides "
                f"({2 * h}x{2 * w})."
            )
        rng = check_random_state(self.random_state)
        order = rng.permutation(n)  # deeper levels fit on nested random subsets
        low, high = low[order], high[order]
        labels = None if labels is None else labels[order]
        estimate = resize(low.astype(np.float64), (2 * h, 2 * w))
        if self.exemplars > 0:  # evenly spaced in the input order, see _fit_exemplars
            kept = np.linspace(0, n - 1, min(self.exemplars, n)).round().astype(int)
            at = np.argsort(order)[np.unique(kept)]  # their rows after the permutation
            stored = (estimate[at], high[at], None if labels is None else labels[at])
        mask = self._mask(estimate)
        self.levels_ = []
        sizes = self._window_sizes()
        for depth, (wh, ww) in enumerate(sizes):
            per_image = (2 * h // wh) * (2 * w // ww)
            m = min(len(estimate), max(-(-self.max_windows // per_image), 256))
            estimate, high = estimate[:m], high[:m]
            mask = None if mask is None else mask[:m]
            if self.verbose:
                print(
                    f"[ResolutionEnhancer] window {wh}x{ww}: {m * per_image:,} windows from "
                    f"{m:,} images (fitting on at most {self.max_windows:,})"
                )
            level = self._fit_level(estimate, high, (wh, ww), rng)
            self.levels_.append(level)
            if depth + 1 < len(sizes):
                # deeper levels learn what the mixture mean leaves (a stored image
                # would copy its own AC and leave them nothing to learn)
                estimate = self._apply_level(level, estimate, mask, rng, 0, exemplars=False)
        if self.exemplars > 0:  # last, so the mixtures draw the same randomness
            self._fit_exemplars(self.levels_[0], *stored, rng)
        self.n_parameters_ = int(sum(level.n_parameters() for level in self.levels_))
        return self

    def _fit_level(self, estimate, high, window, rng):
        wh, ww = window
        est_w, ac_w = to_windows(estimate, wh, ww), to_windows(high - estimate, wh, ww)
        if len(est_w) > self.max_windows:
            keep = rng.choice(len(est_w), size=self.max_windows, replace=False)
            est_w, ac_w = est_w[keep], ac_w[keep]
        level = _WindowLevel(window)
        shape = (wh, ww, self.image_shape_[2])
        level.dc_saab = saab_for_shape(shape)
        dc_feat = level.dc_saab.fit_transform(est_w)
        level.dc_index = np.sort(np.argsort(level.dc_saab.energy_)[::-1][: self.n_dc_features])
        dc_feat = dc_feat[:, level.dc_index]
        gmm_params = {
            "covariance_type": self.covariance_type,
            "max_iter": self.max_iter,
            "reg_covar": self.reg_covar,
        }
        k_dc = min(self.n_dc_components, len(est_w))
        level.dc_gmm = fit_mixture(
            dc_feat, k_dc, rng.randint(np.iinfo(np.int32).max), **gmm_params
        )
        with config_context(array_api_dispatch=False):
            labels = level.dc_gmm.predict(dc_feat)
        level.ac_saab = saab_for_shape(shape)
        ac_feat = level.ac_saab.fit_transform(ac_w)
        counts = np.bincount(labels, minlength=k_dc)
        min_size = max(2, 2 * self.n_ac_components)
        populated = np.flatnonzero(counts >= min_size)
        if len(populated) == 0:  # tiny data: one cluster holding everything
            populated, labels = np.array([0]), np.zeros_like(labels)
        seeds = rng.randint(np.iinfo(np.int32).max, size=k_dc)
        fitted = Parallel(n_jobs=self.n_jobs)(
            delayed(fit_mixture)(
                ac_feat[labels == k],
                min(self.n_ac_components, int(np.sum(labels == k))),
                seeds[k],
                **gmm_params,
            )
            for k in populated
        )
        level.ac_gmms = [None] * k_dc
        for k, gmm in zip(populated, fitted, strict=True):
            level.ac_gmms[k] = gmm
        # empty or tiny clusters borrow the nearest populated cluster (DC means)
        means = level.dc_gmm.means_
        dist = ((means[:, None, :] - means[None, populated, :]) ** 2).sum(axis=2)
        level.cluster_map = populated[np.argmin(dist, axis=1)]
        return level

    def _exemplar_window(self):
        """``(h, w)`` of the stored exemplar windows."""
        h, w, _ = self.output_shape_
        return h // self.exemplar_split, w // self.exemplar_split

    def _fit_exemplars(self, level, estimate, high, labels, rng):
        """Store the DC features and AC (and labels) of the windows of the
        given training images.

        The images are evenly spaced in the input order, not a random
        subset: the enhancers of a cascade are fitted on the same images in
        the same order, so every octave stores the same images, and a
        sample's window copied from one training image at one octave finds
        that image's finer windows at the next.  Independent random subsets
        break these chains (CIFAR-10 with 2x2 windows: FID 114 instead of
        98, see ``docs/benchmarks.md``).
        """
        window = self._exemplar_window()
        dc = to_windows(estimate, *window)
        ac = to_windows(high - estimate, *window)
        level.exemplar_window = window
        level.exemplar_by_position = self.exemplar_position and window != level.window
        if window != level.window:  # keys: the smaller windows' leading principal axes
            k = min(self.n_dc_features, *dc.shape)
            pca = PCA(k, random_state=rng.randint(np.iinfo(np.int32).max)).fit(dc)
            level.exemplar_keys_basis = (
                pca.mean_.astype(np.float32),
                pca.components_.astype(np.float32),
            )
        if self.exemplar_components is not None:
            k = min(self.exemplar_components, *ac.shape)
            pca = PCA(k, random_state=rng.randint(np.iinfo(np.int32).max)).fit(ac)
            level.exemplar_basis = (
                pca.mean_.astype(np.float32),
                pca.components_.astype(np.float32),
            )
            ac = to_coords(level.exemplar_basis, ac)
        level.exemplar_ac = ac.astype(np.float32)
        level.exemplar_dc = level.exemplar_keys(dc).astype(np.float32)
        if labels is not None:
            level.exemplar_labels = np.repeat(labels, len(dc) // len(labels))

    # ------------------------------------------------------------- transform
    def _mask(self, dc):
        if not self.edge_mask:
            return None
        return edge_mask(dc, self.canny_thresholds, self.mask_dilation)

    def _apply_level(self, level, estimate, mask, rng, temperature, exemplars=True, labels=None):
        wh, ww = level.window
        windows = to_windows(estimate, wh, ww)
        if exemplars and level.exemplar_ac is not None:  # whole-image level: a window per image
            ac = level.exemplar_windows(windows, labels)
        else:
            ac = level.ac_windows(level.clusters(windows), rng, temperature)
        ac = from_windows(ac, estimate.shape, wh, ww)
        return estimate + (ac if mask is None else ac * mask)

    def transform(self, X, labels=None):
        """Double the resolution of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images with the shape seen in :meth:`fit`.
        labels : array-like of shape (n_samples,), default=None
            Class of every image: with an exemplar store fitted with labels,
            an image copies the AC of the nearest stored image of its own
            class (of any class when the store has none of it).  None, or a
            store fitted without labels, searches the whole store.

        Returns
        -------
        X_high : ndarray
            ``(n_samples, 2h, 2w[, C])`` when fitted on n-D images, else
            ``(n_samples, 4*h*w*C)``.  Not clipped (a later stage may refine
            it); clip to [0, 1] for display.
        """
        check_is_fitted(self)
        low = self._check_low(X, reset=False)
        labels = _check_labels(labels, low.shape[0])
        rng = check_random_state(self.random_state)
        return to_layout(self._enhance(low, rng, self.temperature, labels=labels), self._nd_shape)

    def _enhance(self, low, rng, temperature, exemplars=True, labels=None):
        """``(n, h, w, C)`` -> ``(n, 2h, 2w, C)`` with the given generator and temperature."""
        h, w, _ = self.image_shape_
        estimate = resize(low, (2 * h, 2 * w))
        mask = self._mask(estimate)
        for depth, level in enumerate(self.levels_):
            t = temperature if depth == 0 else min(temperature, self.refine_temperature)
            estimate = self._apply_level(level, estimate, mask, rng, t, exemplars, labels)
        return estimate

    def predict(self, X, labels=None):
        """Same as :meth:`transform`, so a Pipeline ending here can be scored.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images.
        labels : array-like of shape (n_samples,), default=None
            See :meth:`transform`.

        Returns
        -------
        X_high : ndarray
            See :meth:`transform`.
        """
        return self.transform(X, labels=labels)

    def score(self, X, y):
        """Mean conditional log-likelihood of the whole-image AC given the DC.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images.
        y : array-like
            The same images at a power-of-two multiple of the resolution.

        Returns
        -------
        score : float
            Mean over images of ``log p(AC | cluster of DC)`` under the first
            (whole-image) level, in Saab coordinates (exact in pixels, the Saab
            transform being orthonormal).
        """
        check_is_fitted(self)
        low = self._check_low(X, reset=False)
        high = self._check_high(y, low.shape[0])
        h, w, _ = self.image_shape_
        dc = resize(low.astype(np.float64), (2 * h, 2 * w))
        level = self.levels_[0]
        clusters = level.clusters(to_windows(dc, *level.window))
        ac = level.ac_saab.transform(to_windows(high - dc, *level.window))
        ll = np.empty(len(ac))
        with config_context(array_api_dispatch=False):
            for k in np.unique(clusters):
                idx = clusters == k
                ll[idx] = level.ac_gmms[k].score_samples(ac[idx])
        return float(ll.mean())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
