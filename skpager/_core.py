"""The core generator: a Gaussian mixture over Saab features of small images."""

import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from scipy.special import logsumexp
from sklearn import config_context
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.decomposition import PCA
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval, StrOptions, _fit_context
from ._conditioning import PixelMixture, posterior_fill
from ._image import (
    as_flat_images,
    known_pixels,
    masked_resize,
    resize,
    to_images,
    to_layout,
    validate_images,
)
from ._mixture import fit_mixture, mixture_draw, mixture_fitter, mixture_n_parameters
from ._random import categorical, image_keys, index_keys, sub_keys
from ._saab import saab_for_shape
from ._utils import (
    MAX_TEMPERATURE,
    check_offset,
    check_positive_int,
    check_temperature,
    draw_seed,
    sample_batches,
    single_blas_thread,
    stream_seed,
)

__all__ = ["GMMCoreGenerator"]

_LOG_2PI = np.log(2 * np.pi)


def _fit_class_model(features, n_components, seed, *, pca_variance, gmm_params, selection):
    """PCA (optional) + GaussianMixture on one class's Saab features.

    With PCA, the discarded directions get the mean of their variances as an
    isotropic residual variance (probabilistic PCA), so the model is a density
    over all features.  With ``selection="bic"`` or ``"heldout"``,
    ``n_components`` is an upper bound (see :func:`_bic_mixture` and
    :func:`_heldout_mixture`).
    """
    # numpy inside, whatever the caller's config; small products: one BLAS thread
    with config_context(array_api_dispatch=False), single_blas_thread():
        return _fit_class_model_numpy(
            features, n_components, pca_variance, gmm_params, seed, selection
        )


def _bic_candidates(n_components, n_samples, per_component=2):
    """1, 2, 4, ... below ``n_components``, then ``n_components``; at most
    ``n_samples // per_component`` (``per_component`` samples per component
    at least)."""
    top = max(1, min(n_components, n_samples // per_component))
    out = [1 << i for i in range(top.bit_length()) if 1 << i < top]
    return out + [top]


# Candidate sizes tried past the best one before the search stops.
_PATIENCE = 1


def _search_sizes(candidates, fit_and_score):
    """The fitted model of the best-scoring candidate size.

    ``fit_and_score(k)`` returns ``(model, score)``, higher scores better.
    Candidates are tried in increasing size; the search stops at the first
    candidate that does not improve on the best (``_PATIENCE``; the criteria
    used here are U-shaped along the doubling sizes, and on Fashion-MNIST a
    second try never changed the choice), so the cost is that of fitting up
    to twice the chosen size.
    """
    best, best_score, misses = None, -np.inf, 0
    for k in candidates:
        model, score = fit_and_score(k)
        if score > best_score:
            best, best_score, misses = model, score, 0
        else:
            misses += 1
            if misses >= _PATIENCE:
                break
    return best


def _bic_mixture(features, n_components, seed, gmm_params):
    """The mixture with the lowest BIC among the candidate sizes
    (:func:`_search_sizes`).

    BIC scores the likelihood of the data the mixture was fitted on, which
    grows without bound as full covariances become singular: a component
    with no more samples than dimensions can sit on the affine span of its
    samples.  With full covariances, a size is therefore tried only when it
    leaves ``dimension + 1`` samples per component (the fewest for which a
    sample covariance can be nonsingular); other types need two.
    """

    fit = mixture_fitter(features, **gmm_params)

    def fit_and_score(k):
        gmm = fit(k, seed)
        return gmm, -gmm.bic(features)

    full = gmm_params.get("covariance_type") == "full"
    per_component = features.shape[1] + 1 if full else 2
    candidates = _bic_candidates(n_components, len(features), per_component)
    return _search_sizes(candidates, fit_and_score)


def _heldout_mixture(features, n_components, seed, gmm_params):
    """The mixture size with the highest held-out log-likelihood, refitted on
    all ``features``.

    A fifth of the class's samples (at random, from ``seed``) is held out;
    candidates 1, 2, 4, ... up to ``n_components`` (at most half the
    remaining samples) are fitted on the rest and scored on it
    (:func:`_search_sizes`).  The candidates only rank the sizes, so their
    EM stops at the looser tolerance ``max(tol, _SEARCH_TOL)``; EM on all
    the samples then starts from the best candidate's parameters and runs
    to ``tol``.
    """
    n = len(features)
    if n < 10:  # too few to hold any out: one component per pair of samples at most
        return _bic_mixture(features, n_components, seed, gmm_params)
    order = np.random.RandomState(seed).permutation(n)
    held, kept = features[order[: n // 5]], features[order[n // 5 :]]

    search = dict(gmm_params, tol=max(gmm_params["tol"], _SEARCH_TOL))
    fit_kept = mixture_fitter(kept, **search)

    def fit_and_score(k):
        gmm = fit_kept(k, seed)
        return gmm, gmm.score(held)

    best = _search_sizes(_bic_candidates(n_components, len(kept)), fit_and_score)
    if best is None:  # no candidate scored above -inf
        return fit_mixture(features, 1, seed, **gmm_params)
    return fit_mixture(features, best.n_components, seed, init=best, **gmm_params)


# EM tolerance (mean log-likelihood per sample) of the candidate mixtures of
# the held-out size search, unless ``tol`` is looser: they are fitted to rank
# the sizes, and the chosen one is refitted on all samples to ``tol``.
_SEARCH_TOL = 1e-2


def class_pca(features, variance, reg_covar):
    """``(pca, residual_var, coordinates)`` of one class's features.

    The PCA keeps ``variance`` of the variance (every direction at 1); the
    discarded directions get the mean of their variances (at least
    ``reg_covar``) as an isotropic residual variance, or None when none is
    discarded.  ``variance=None`` or a single feature: no PCA, the features
    themselves.
    """
    dim = features.shape[1]
    if variance is None or dim == 1:
        return None, None, features
    keep = None if variance == 1 else variance
    # With more samples than features, the eigendecomposition of the
    # covariance gives the same axes as the SVD of the data (to rounding),
    # in a fraction of the time.
    solver = "covariance_eigh" if len(features) >= dim else "full"
    pca = PCA(n_components=keep, svd_solver=solver).fit(features)
    residual_var = None
    dropped = dim - pca.n_components_
    if dropped > 0:
        total_var = np.var(features, axis=0, ddof=1).sum()
        residual = max(total_var - pca.explained_variance_.sum(), 0.0) / dropped
        residual_var = max(residual, reg_covar)
    return pca, residual_var, pca.transform(features)


def select_mixture(features, n_components, seed, gmm_params, selection):
    """The mixture of ``features`` under ``component_selection=selection``."""
    if selection == "bic":
        return _bic_mixture(features, n_components, seed, gmm_params)
    if selection == "heldout":
        return _heldout_mixture(features, n_components, seed, gmm_params)
    return fit_mixture(features, n_components, seed, **gmm_params)


def _fit_class_model_numpy(features, n_components, pca_variance, gmm_params, seed, selection):
    pca, residual_var, features = class_pca(features, pca_variance, gmm_params["reg_covar"])
    return pca, residual_var, select_mixture(features, n_components, seed, gmm_params, selection)


class GMMCoreGenerator(DensityMixin, BaseEstimator):
    """Gaussian mixture over Saab features of low-resolution images.

    The first module of PAGER: images are downsampled to ``resolution``
    (Lanczos, by successive halvings), mapped by a complete
    :class:`SaabTransformer` (an orthonormal change of basis), optionally
    projected by PCA, and modelled by a :class:`~sklearn.mixture.GaussianMixture`;
    with class labels, one model per class.  New core images are sampled from
    the mixture and mapped back through the inverse transforms.

    Because the Saab transform is orthonormal, the mixture's density is a
    density over core-resolution images.  With ``pca_variance`` the discarded
    PCA directions get an isotropic Gaussian of their mean variance (as in
    probabilistic PCA), so :meth:`score_samples` stays an exact log-likelihood
    over the whole image space and scores are comparable across settings.

    Read more in the :ref:`User Guide <core>`.

    Parameters
    ----------
    resolution : int, default=None
        Side of the (square) core images, e.g. 4 for colour images or 16 for
        MNIST-like data.  Training images must be ``resolution * 2**j`` square;
        they are downsampled inside.  None uses the images as they are.
    n_components : int, default=500
        Mixture components (per class when fitted with labels).  A class with
        fewer samples gets as many components as it has samples, with a warning.
        With ``component_selection="bic"`` or ``"heldout"``, the largest
        number tried.
    component_selection : {"fixed", "bic", "heldout"}, default="fixed"
        ``"fixed"`` fits ``n_components`` per class.  ``"bic"`` fits, per
        class, 1, 2, 4, ... components up to ``n_components`` (and at most
        half the class's samples; with full covariances, at most one
        component per ``dimension + 1`` samples, as fewer would let a
        singular covariance make the BIC unbounded) and keeps the mixture
        with the lowest Bayesian information criterion, so the model's size
        follows the data instead of keeping one component per training
        image on small data; the search stops at the first size whose BIC
        is not lower.
        ``"heldout"`` tries the same sizes on four fifths of the class's
        samples (their EM to ``max(tol, 1e-2)``: they only rank the sizes),
        keeps the size whose log-likelihood on the other fifth is highest
        (stopping at the first fall), and refits it on all of them, EM
        starting from that candidate's parameters and running to ``tol``.
    covariance_type : {"diag", "full", "tied", "spherical"}, default="diag"
        Covariance of each component (see :class:`~sklearn.mixture.GaussianMixture`).
    pca_variance : float in (0, 1], default=None
        Keep the PCA directions explaining this share of the Saab-feature
        variance before the mixture (the authors' code used 0.85); 1.0 keeps
        every direction (a per-class rotation to decorrelated axes).  None
        models the Saab features directly.  With diagonal covariances the
        basis matters (measured effects: :doc:`results page </benchmarks>`).
    temperature : float in [0, 10], default=1.0
        Covariance scale when sampling (0 samples the component means).  1.0
        samples the fitted model; the authors used 0.3-0.5, which trades
        diversity for cleaner images.  1.0 is the only value whose samples
        follow the likelihood that :meth:`score` reports.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of the rows of 2-D ``X``; set from n-D input.
        None reads a row as a 1x1 image with ``n_features`` channels.
    max_iter : int, default=100
        EM iterations of each mixture.
    tol : float, default=1e-3
        EM convergence threshold.
    reg_covar : float, default=1e-6
        Added to the covariance diagonals.
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
        Share of each class in the training set (``[1.0]`` without labels).
    image_shape_ : tuple of int
        ``(H, W, C)`` of the training images.
    core_shape_ : tuple of int
        ``(resolution, resolution, C)``: shape of the sampled images.
    saab_ : SaabTransformer
        The fitted Saab transform of the core images.
    models_ : list of tuple
        Per class, ``(pca, residual_variance, gmm)``.
    n_components_ : ndarray of shape (n_classes,)
        Mixture components of every class's model.
    n_parameters_ : int
        Learned parameters (Saab kernels, PCA, mixtures).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    sklearn.mixture.GaussianMixture : The mixture model used per class.
    SaabTransformer : The feature map.

    Examples
    --------
    >>> from skpager import GMMCoreGenerator
    >>> from skpager.datasets import load_demo
    >>> demo = load_demo()
    >>> core = GMMCoreGenerator(resolution=14, n_components=5, random_state=0)
    >>> core = core.fit(demo.images[:500], demo.target[:500])
    >>> core.sample(4, y=[0, 1, 2, 3]).shape
    (4, 14, 14, 1)
    """

    _parameter_constraints: dict = {
        "resolution": [Interval(Integral, 1, None, closed="left"), None],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "component_selection": [StrOptions({"fixed", "bic", "heldout"})],
        "covariance_type": [StrOptions({"full", "tied", "diag", "spherical"})],
        "pca_variance": [Interval(Real, 0, 1, closed="right"), None],
        "temperature": [Interval(Real, 0, MAX_TEMPERATURE, closed="both")],
        "image_shape": [tuple, list, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        resolution=None,
        *,
        n_components=500,
        component_selection="fixed",
        covariance_type="diag",
        pca_variance=None,
        temperature=1.0,
        image_shape=None,
        max_iter=100,
        tol=1e-3,
        reg_covar=1e-6,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.resolution = resolution
        self.n_components = n_components
        self.component_selection = component_selection
        self.covariance_type = covariance_type
        self.pca_variance = pca_variance
        self.temperature = temperature
        self.image_shape = image_shape
        self.max_iter = max_iter
        self.tol = tol
        self.reg_covar = reg_covar
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ helpers
    def _core_images(self, X, reset):
        """Validate ``X`` and return ``(n, r, r, C)`` core images."""
        X = validate_images(self, X, reset=reset, default="channels")
        if reset:
            self.core_shape_ = self._check_resolution(self.image_shape_)
        images = to_images(X, self.image_shape_)
        if self.core_shape_[:2] != self.image_shape_[:2]:
            images = resize(images, self.core_shape_[:2])
        return images

    def _check_resolution(self, shape):
        height, width, channels = shape
        r = self.resolution
        if r is None or (r == height and r == width):
            return shape
        if height == width == 1:
            raise ValueError(
                f"resolution={r} needs images: pass image_shape=(H, W[, C]) or n-D images."
            )
        if r > min(height, width):
            raise ValueError(
                f"resolution={r} is larger than the images ({height}x{width}); choose a "
                f"resolution of at most {min(height, width)}."
            )
        factor = height // r
        if height != width or height % r or factor & (factor - 1):
            raise ValueError(
                f"resolution={r} cannot be reached from {height}x{width} images by halving: "
                "the images must be square with a side of resolution * 2**j."
            )
        return (r, r, channels)

    def _gmm_params(self):
        return {
            "covariance_type": self.covariance_type,
            "max_iter": self.max_iter,
            "tol": self.tol,
            "reg_covar": self.reg_covar,
        }

    # --------------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the Saab transform and one mixture (per class when ``y`` is given).

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Training images, floats in [0, 1] (``uint8`` is rescaled), at the
            core resolution or ``resolution * 2**j``.
        y : array-like of shape (n_samples,), default=None
            Class labels for class-conditional generation.

        Returns
        -------
        self : GMMCoreGenerator
            The fitted generator.
        """
        images = self._core_images(X, reset=True)
        n = images.shape[0]
        if self.component_selection == "fixed" and self.n_components > n:
            raise ValueError(
                f"n_components={self.n_components} is larger than the number of samples, "
                f"n_samples={n}; use fewer components or more images."
            )
        if y is None:
            self.classes_, labels = None, np.zeros(n, dtype=int)
        else:
            y = np.asarray(y)
            if y.shape != (n,):
                raise ValueError(f"y must have shape ({n},) to match X; got {y.shape}.")
            check_classification_targets(y)
            self.classes_, labels = np.unique(y, return_inverse=True)
        counts = np.bincount(labels)
        self.class_prior_ = counts / n
        if counts.min() < 2:
            bad = self.classes_[np.argmin(counts)].item() if self.classes_ is not None else None
            raise ValueError(
                f"Class {bad!r} has 1 sample; each class needs at least 2 to fit a mixture."
            )
        self.saab_ = saab_for_shape(self.core_shape_)
        features = self.saab_.fit_transform(images)

        rng = check_random_state(self.random_state)
        seeds = draw_seed(rng, size=len(counts))
        n_comp = []
        for c, count in enumerate(counts):
            n_comp.append(min(self.n_components, int(count)))
            if self.component_selection == "fixed" and count < self.n_components:
                warnings.warn(
                    f"Class {self.classes_[c]!r} has {count} samples, fewer than "
                    f"n_components={self.n_components}; fitting {count} components.",
                    UserWarning,
                    stacklevel=2,
                )
        if self.verbose:
            print(
                f"[GMMCoreGenerator] {n} images at {self.core_shape_}, {features.shape[1]} "
                f"Saab features, {len(counts)} model(s)"
            )
        fitter = self._class_fitter()
        fitted = Parallel(n_jobs=self.n_jobs, verbose=max(self.verbose - 1, 0))(
            delayed(fitter)(features[labels == c], n_comp[c], seeds[c]) for c in range(len(counts))
        )
        self._set_class_models(fitted)
        self.n_components_ = np.array([len(gmm.weights_) for _, _, gmm in self.models_])
        self.n_parameters_ = int(sum(k.size for k in self.saab_.kernels_)) + sum(
            self._model_n_parameters(c) for c in range(len(self.models_))
        )
        return self

    def _class_fitter(self):
        """The function fitting one class's model, ``f(features, n_components,
        seed)``; it is shipped to the joblib workers."""
        return partial(
            _fit_class_model,
            pca_variance=self.pca_variance,
            gmm_params=self._gmm_params(),
            selection=self.component_selection,
        )

    def _set_class_models(self, fitted):
        """Store what the class fitter returned, one item per class."""
        self.models_ = fitted

    def _model_n_parameters(self, c):
        pca, _, gmm = self.models_[c]
        return mixture_n_parameters(gmm) + (0 if pca is None else pca.components_.size)

    # ------------------------------------------------------------------ sample
    def _class_indices(self, y, n_samples, keys):
        if y is None:
            return categorical(sub_keys(keys, 1), self.class_prior_)
        if self.classes_ is None:
            raise ValueError("This generator was fitted without labels; call sample(y=None).")
        y = np.asarray(y)
        if y.ndim == 0:
            y = np.full(n_samples, y.item())
        if y.shape != (n_samples,):
            raise ValueError(
                f"y must be one label or one per sample ({n_samples}); got shape {y.shape}."
            )
        unknown = ~np.isin(y, self.classes_)
        if unknown.any():
            raise ValueError(
                f"Unknown class {y[unknown][0].item()!r} in y; the classes seen in fit are "
                f"{self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y)

    def sample(self, n_samples=1, y=None, random_state=None, *, offset=0, return_labels=False):
        """Generate core images.

        Every image is drawn from its own random numbers, set by the seed
        and its position in the seed's stream of images: ``sample(n,
        random_state=s)`` and the batches of :meth:`iter_samples` with the
        same seed give the same images (to floating-point rounding), and
        ``offset`` picks a later part of the stream.

        Parameters
        ----------
        n_samples : int, default=1
            Number of images.
        y : label or array-like of shape (n_samples,), default=None
            Class of every image (one label for all).  None draws the classes
            from their training frequencies.
        random_state : int, RandomState instance or None, default=None
            Seed for this call; None falls back to the estimator's ``random_state``
            (so a fixed seed gives the same images at every call).
        offset : int, default=0
            Position in the stream of ``random_state`` of the first image:
            ``sample(n, offset=k)`` returns images ``k .. k + n - 1`` of the
            stream, so that a long run can be produced in pieces.
        return_labels : bool, default=False
            Also return the class of every image (the part of the stage
            contract through which :class:`PAGER` learns the drawn classes).

        Returns
        -------
        images : ndarray
            ``(n_samples, r, r, C)`` (or ``(n_samples, r, r)`` for grey images
            fitted as ``(n, H, W)``) when fitted on n-D images, else
            ``(n_samples, r*r*C)``; floats clipped to [0, 1].
        labels : ndarray of shape (n_samples,) or None
            Only with ``return_labels=True``: the class of every image (None
            when fitted without labels).
        """
        check_is_fitted(self)
        check_positive_int(n_samples, "n_samples")
        offset = check_offset(offset)
        seed = stream_seed(self, random_state)
        return self._sample_range(seed, offset, n_samples, y, return_labels)

    def iter_samples(
        self, n_samples, *, batch_size=4096, y=None, random_state=None, return_labels=False
    ):
        """Generate ``n_samples`` core images in batches.

        The batches hold the images :meth:`sample` returns for the same
        arguments, whatever ``batch_size`` is; memory is set by the batch.

        Parameters
        ----------
        n_samples : int
            Number of images in all.
        batch_size : int, default=4096
            Images per batch (the last batch may be smaller).
        y : label or array-like of shape (n_samples,), default=None
            Class of every image (one label for all); None draws the classes
            from their training frequencies.
        random_state : int, RandomState instance or None, default=None
            Seed of the whole run; None uses the estimator's ``random_state``.
        return_labels : bool, default=False
            Yield ``(images, labels)`` pairs.

        Returns
        -------
        batches : generator
            Yields the images (and labels) of ``batch_size`` consecutive
            positions of the stream, in order.
        """
        check_is_fitted(self)
        pieces = sample_batches(n_samples, batch_size, y)
        seed = stream_seed(self, random_state)
        return (
            self._sample_range(seed, start, stop - start, part, return_labels)
            for start, stop, part in pieces
        )

    def _sample_range(self, seed, offset, n_samples, y, return_labels):
        images, classes = self._sample(n_samples, y, index_keys(seed, offset, offset + n_samples))
        images = to_layout(images, self._nd_shape)
        if not return_labels:
            return images
        return images, (None if self.classes_ is None else self.classes_[classes])

    def _sample(self, n_samples, y, keys):
        """``(n_samples, r, r, C)`` images and the index (into ``models_``) of
        every image's class, from one key per image."""
        classes = self._class_indices(y, n_samples, keys)
        features = np.empty((n_samples, self.saab_._n_features_out))
        for c in np.unique(classes):
            idx = np.flatnonzero(classes == c)
            pca = self.models_[c][0]
            z = self._draw_class(c, keys[idx])
            if pca is not None:
                with config_context(array_api_dispatch=False):
                    z = pca.inverse_transform(z)
            features[idx] = z
        images = self.saab_.inverse_transform(features).reshape((n_samples,) + self.core_shape_)
        return np.clip(images, 0.0, 1.0), classes

    def _draw_class(self, c, keys):
        """One draw per key from class ``c``'s mixture, in its PCA coordinates."""
        return mixture_draw(self.models_[c][2], keys, self.temperature, tags=(2, 3))

    # ---------------------------------------------------------------- inpaint
    def _pixel_mixtures(self):
        """Every class's mixture in core-pixel coordinates (:class:`PixelMixture`).

        The Saab map is read off the fitted transform itself (it is affine:
        the image of zero gives the offset, the images of the unit pixels
        its matrix)."""
        dim = int(np.prod(self.core_shape_))
        with config_context(array_api_dispatch=False):
            probes = np.vstack([np.zeros(dim), np.eye(dim)]).reshape((dim + 1,) + self.core_shape_)
            feats = self.saab_.transform(probes)
            offset, feature_map = feats[0], (feats[1:] - feats[0]).T
            return [PixelMixture(feature_map, offset, *model) for model in self.models_]

    def _observed_core(self, X, mask):
        """Core images and their observed pixels from images with missing pixels.

        A core pixel counts as observed when at least half of the
        training-resolution pixels of its block are observed; its value is
        the normalised convolution of the observed pixels
        (:func:`~skpager._image.masked_resize`).  Returns ``(x, observed)``,
        ``(n, D)`` each, ``D`` the core's values per image.
        """
        arr, _, _ = as_flat_images(X, name="X")
        arr = np.asarray(arr, dtype=np.float64)
        if arr.ndim != 2:
            raise ValueError("X must hold images (n, H, W[, C]) or (n, H*W*C).")
        height, width, channels = self.image_shape_
        if arr.shape[1] != height * width * channels:
            raise ValueError(
                f"X has {arr.shape[1]} values per image; this generator was fitted on "
                f"{height}x{width}x{channels} images."
            )
        images, observed = known_pixels(arr, mask, self.image_shape_)
        values, share = masked_resize(images, observed, self.core_shape_[0])
        seen = np.repeat((share >= 0.5)[..., None], channels, axis=3)
        return values.reshape(len(arr), -1), seen.reshape(len(arr), -1)

    def inpaint(self, X, mask, y=None, temperature=0.0, random_state=None, *, return_labels=False):
        """Complete core images from their observed pixels, by exact conditioning.

        Every class's model is a Gaussian mixture over the core's pixels
        (the Saab transform is orthonormal), so the missing pixels given
        the observed ones follow a mixture of Gaussian conditionals: the
        component weights become their posteriors given the observed pixels
        (and, without ``y``, so do the classes), and each component's
        conditional is a Gaussian with a mean linear in the observed pixels
        and the Schur-complement covariance (computed by Woodbury's
        identity in the PCA space; read more in the :ref:`User Guide
        <inpainting>`).

        Images larger than the core are downsampled inside: a core pixel
        counts as observed when at least half of the pixels of its block
        are, and takes the normalised (Lanczos) average of them (their
        plain mean where the filter sees less than half a pixel of them).

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, H*W*C)
            Images at the training size, floats in [0, 1]; values at missing
            pixels are ignored (NaN allowed there).
        mask : array-like of bool of shape (H, W), (n_samples, H, W) or (n_samples, H*W)
            True where a pixel is missing (in all its channels).  All pixels
            missing is sampling from the model; no pixel missing returns the
            (downsampled) input.
        y : label or array-like of shape (n_samples,), default=None
            Classes of the images (class-conditional completion); None uses
            the posterior over classes.
        temperature : float in [0, 10], default=0.0
            0 returns the conditional mean (deterministic, the least-squares
            completion); above 0 a class and component are drawn from their
            posterior and the missing pixels from the component's
            conditional, its covariance scaled by ``temperature``.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws (each image's from its own pixels, mask and the
            seed); None uses the estimator's ``random_state``.
        return_labels : bool, default=False
            Also return the class used for every image (the known, drawn or
            most probable one).

        Returns
        -------
        images : ndarray
            Core images ``(n_samples, r, r[, C])`` when fitted on n-D images,
            else ``(n_samples, r*r*C)``: the observed core pixels as given,
            the rest completed; clipped to [0, 1].
        labels : ndarray of shape (n_samples,) or None
            Only with ``return_labels=True``.
        """
        check_is_fitted(self)
        temperature = check_temperature(temperature)
        x, observed = self._observed_core(X, mask)
        classes = None
        if y is not None and self.classes_ is not None:
            classes = self._class_indices(np.asarray(y), len(x), None)
        elif y is not None:
            raise ValueError("This generator was fitted without labels; call inpaint(y=None).")
        keys = image_keys(
            np.hstack([np.where(observed, x, 0.0), observed]), stream_seed(self, random_state)
        )
        with config_context(array_api_dispatch=False):
            filled, _, chosen = posterior_fill(
                self._pixel_mixtures(),
                np.log(self.class_prior_),
                x,
                observed,
                classes,
                temperature,
                keys,
            )
        images = to_layout(
            np.clip(filled, 0.0, 1.0).reshape((len(x),) + self.core_shape_), self._nd_shape
        )
        if not return_labels:
            return images
        return images, (None if self.classes_ is None else self.classes_[chosen])

    def predict_proba(self, X, mask=None):
        """Posterior probability of every class given the observed pixels.

        Bayes' rule over the class-conditional models: ``p(class | x_o)``
        is proportional to the class's training share times the exact
        marginal likelihood of the observed core pixels (see
        :meth:`inpaint` for which core pixels count as observed).  A
        classifier from whole or partial images, for free.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, H*W*C)
            Images at the training size.
        mask : array-like of bool, default=None
            Missing pixels, as in :meth:`inpaint`; None: every pixel observed.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_`` (one column of ones when
            fitted without labels).
        """
        check_is_fitted(self)
        if mask is None:
            height, width, _ = self.image_shape_
            mask = np.zeros((height, width), dtype=bool)
        x, observed = self._observed_core(X, mask)
        with config_context(array_api_dispatch=False):
            _, log_post, _ = posterior_fill(
                self._pixel_mixtures(), np.log(self.class_prior_), x, observed, None, 0.0, None
            )
        return np.exp(log_post)

    # ------------------------------------------------------------------- score
    def _class_log_likelihood(self, features):
        """``(n_samples, n_classes)`` log p(x | class) of Saab features."""
        out = np.empty((features.shape[0], len(self.models_)))
        with config_context(array_api_dispatch=False):
            for c, model in enumerate(self.models_):
                out[:, c] = self._model_log_likelihood(features, *model)
        return out

    @staticmethod
    def _model_log_likelihood(features, pca, residual_var, gmm):
        if pca is None:
            return gmm.score_samples(features)
        z = pca.transform(features)
        ll = gmm.score_samples(z)
        if residual_var is not None:
            resid = features - pca.inverse_transform(z)
            dropped = features.shape[1] - z.shape[1]
            ll -= 0.5 * (
                np.sum(resid**2, axis=1) / residual_var
                + dropped * (_LOG_2PI + np.log(residual_var))
            )
        return ll

    def score_samples(self, X, y=None):
        """Log-likelihood of each image under the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Images at the training resolution (downsampled inside).
        y : array-like of shape (n_samples,), default=None
            With labels, the class-conditional log p(x | y); without, the
            log-likelihood of the mixture over classes.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            Log-density of the core image (Saab features; exact in pixel space,
            as the Saab transform is orthonormal).
        """
        check_is_fitted(self)
        images = self._core_images(X, reset=False)
        ll = self._class_log_likelihood(self.saab_.transform(images))
        if y is None or self.classes_ is None:
            return logsumexp(ll + np.log(self.class_prior_), axis=1)
        idx = self._class_indices(np.asarray(y), ll.shape[0], None)
        return ll[np.arange(ll.shape[0]), idx]

    def reconstruct(self, X, y=None):
        """The images as the model represents them: what its samples look like.

        Every image's Saab features are projected onto the coordinates its
        class's model draws (:meth:`sample` draws the coordinates on the
        class's principal axes and leaves the isotropic residual of the
        other directions at zero), and mapped back to pixels.  A
        :class:`PAGER` can train a separate first enhancer on these images,
        the inputs its sampled cores resemble (``sampling_enhancer``).

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Images at the training resolution (downsampled inside).
        y : array-like of shape (n_samples,), default=None
            Classes of the images; None uses each image's most probable class
            under the model (prior times likelihood).

        Returns
        -------
        images : ndarray of shape (n_samples, r, r, C)
            Core images, clipped to [0, 1] as :meth:`sample`'s are.
        """
        check_is_fitted(self)
        images = self._core_images(X, reset=False)
        features = self.saab_.transform(images)
        n = len(features)
        if self.classes_ is None:
            classes = np.zeros(n, dtype=int)
        elif y is None:
            ll = self._class_log_likelihood(features) + np.log(self.class_prior_)
            classes = np.argmax(ll, axis=1)
        else:
            classes = self._class_indices(np.asarray(y), n, None)
        out = np.empty_like(features)
        with config_context(array_api_dispatch=False):
            for c in np.unique(classes):
                idx = np.flatnonzero(classes == c)
                pca = self.models_[c][0]
                if pca is None:
                    out[idx] = self._project_class(c, features[idx])
                else:
                    out[idx] = pca.inverse_transform(
                        self._project_class(c, pca.transform(features[idx]))
                    )
        images = self.saab_.inverse_transform(out).reshape((n,) + self.core_shape_)
        return np.clip(images, 0.0, 1.0)

    def _project_class(self, c, z):
        """The part of class ``c``'s PCA coordinates ``z`` that its model draws:
        all of them (the mixture is over the whole PCA space)."""
        return z

    def score(self, X, y=None):
        """Mean log-likelihood of ``X`` (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Images at the training resolution.
        y : array-like of shape (n_samples,), default=None
            Labels for the class-conditional likelihood.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X, y)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
