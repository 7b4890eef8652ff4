"""Sampling-importance-resampling of a generator by a classifier's density ratio."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.decomposition import PCA
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._compat import HasMethods, Interval, _fit_context, n_tree_parameters
from ._image import resize, resolve_image_shape, to_images
from ._random import index_keys, sub_keys, uniform
from ._stream import StreamSamplerMixin, check_generated_images, fit_wrapped_generator
from ._utils import (
    draw_seed,
    generated_shape,
    stream_labels,
)

__all__ = ["DensityRatioResampler"]

# log-odds are clipped to this magnitude (a probability of 0 or 1 has none)
_MAX_LOG_ODDS = 30.0


def _image_statistics(images):
    """Per-image summary statistics of ``(n, H, W, C)`` images: mean squared
    and mean absolute horizontal and vertical differences (where the side
    allows them), mean, standard deviation and share of near-black pixels."""
    n = len(images)
    flat = images.reshape(n, -1)
    columns = [flat.mean(axis=1), flat.std(axis=1), (flat < 0.02).mean(axis=1)]
    for axis in (1, 2):
        if images.shape[axis] > 1:
            step = np.diff(images, axis=axis).reshape(n, -1)
            columns += [(step**2).mean(axis=1), np.abs(step).mean(axis=1)]
    return np.column_stack(columns)


def _n_stored(estimator):
    """Numbers a fitted scikit-learn estimator stores: its ``n_parameters_``
    when it has one, the nodes of gradient-boosted trees, a linear model's
    ``coef_`` and ``intercept_``, else the sizes of its learned array
    attributes (those ending in ``_``)."""
    if hasattr(estimator, "n_parameters_"):
        return int(estimator.n_parameters_)
    trees = n_tree_parameters(estimator)
    if trees is not None:
        return trees
    if hasattr(estimator, "coef_"):
        return int(np.size(estimator.coef_) + np.size(getattr(estimator, "intercept_", 0)))
    return int(
        sum(
            value.size
            for name, value in vars(estimator).items()
            if name.endswith("_") and not name.startswith("_") and isinstance(value, np.ndarray)
        )
    )


def _generator_has(name):
    """For :func:`~sklearn.utils.metaestimators.available_if`: the (fitted,
    else given) generator has the method ``name``."""

    def check(self):
        generator = getattr(self, "generator_", self.generator)
        return generator is not None and hasattr(generator, name)

    return check


class DensityRatioResampler(StreamSamplerMixin, BaseEstimator):
    """Resample a generator's images by a classifier's estimate of
    p_data / p_model.

    A classifier learns to tell the training images from the generator's
    samples; its log-odds estimate the log density ratio ``log p_data(x) -
    log p_model(x)`` (Bayes' rule with equal numbers of each).  To sample, the
    generator draws ``n_candidates`` candidates per image and one is kept with
    probability proportional to its estimated ratio
    (sampling-importance-resampling, Rubin 1988): as ``n_candidates`` grows,
    the kept images follow ``p_model(x) * ratio(x)``, which is ``p_data`` for
    a perfect classifier.  The correction reaches what the classifier sees:
    the default sees the principal components of the pixels and local
    gradient statistics.  With class labels, the classifier also sees the
    class, so the ratio is per class.  Discriminator rejection sampling
    (Azadi et al., 2019) is the same idea with a rejection step; resampling
    among a fixed number of candidates keeps the cost of a sample fixed.

    When the generator has a ``reconstruct(X, y)`` method (the cores,
    :class:`GMMCoreGenerator` and :class:`LocalPCACoreGenerator`, do), the
    classifier's real images are its reconstructions of the training images,
    the images as the generator's model represents them, instead of the
    images themselves: what the generator leaves out by construction (a
    core's discarded principal directions) would make the two kinds trivially
    separable, and the ratio then corrects the model's density within what
    it can represent.  So a resampled core is a core of :class:`PAGER`
    (``PAGER(core=DensityRatioResampler(LocalPCACoreGenerator(),
    n_candidates=16))``): the classifier is cheap next to the octaves, which
    enhance the kept cores only.

    Every kept image depends on the seed and its position in the stream
    only: image ``i``'s candidates are the generator's images ``i *
    n_candidates`` to ``(i + 1) * n_candidates - 1`` of the stream, and the
    choice among them uses a random number keyed by ``i``.  Sampling costs
    ``n_candidates`` times the generator's.  Read more in the :ref:`User Guide
    <resampling>`.

    Parameters
    ----------
    generator : estimator, default=None
        Image generator with ``fit(X, y)`` and ``sample(n_samples, y=...,
        random_state=..., offset=...)`` whose images are a function of the
        seed and their position (cloned); None uses
        ``PAGER(random_state=random_state)``.
    classifier : classifier, default=None
        Binary classifier with ``decision_function`` (log-odds) or
        ``predict_proba`` (cloned), fitted on the features below; None uses
        ``HistGradientBoostingClassifier(max_iter=300, early_stopping=True)``:
        boosting stops when the loss on a held-out tenth of its training
        images stops falling, so that on small training sets the classifier
        does not learn the training images themselves (which would make the
        resampler keep the candidates closest to them).
    n_candidates : int, default=2
        Candidates the generator draws per kept image.  1 returns the
        generator's own samples.  Read when sampling: changing it needs no
        refit.
    n_fit_samples : int, default=10000
        Training images (at most all of them) and as many generated images
        that the classifier learns from.
    n_components : int, default=64
        Principal components of the pixels among the classifier's features
        (at most the number of pixels and of images).
    random_state : int, RandomState instance or None, default=None
        Seeds the default generator (or the ``random_state`` parameters of
        the given one that are left at None, nested ones included), the
        choice of training images, the generated training images and the
        classifier, and the sampling calls without a seed of their own.
    verbose : int, default=0
        Prints the classifier's progress when positive.

    Attributes
    ----------
    generator_ : estimator
        The fitted generator.
    classifier_ : classifier
        The fitted classifier (real images are class 1).
    pca_ : PCA
        Principal axes of the pixels of the classifier's training images.
    classes_ : ndarray or None
        Class labels seen in ``fit`` (None when fitted without).
    class_prior_ : ndarray or None
        Share of each class among the training images.
    image_shape_ : tuple
        ``(R, R, C)`` of the generated images.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    n_parameters_ : int
        Numbers the fitted model stores: the generator's ``n_parameters_``,
        the principal axes and the classifier's learned arrays (for the
        default classifier, four per tree node).

    See Also
    --------
    PAGER : The default generator.
    LocalPCACoreGenerator : A core that can be resampled inside PAGER.

    References
    ----------
    D. B. Rubin, "Using the SIR algorithm to simulate posterior
    distributions", Bayesian Statistics 3, 1988.  S. Azadi et al.,
    "Discriminator rejection sampling", ICLR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager import DensityRatioResampler, PAGER, GMMCoreGenerator
    >>> X = np.random.RandomState(0).rand(60, 8, 8)
    >>> pager = PAGER(GMMCoreGenerator(resolution=4, n_components=2))
    >>> model = DensityRatioResampler(pager, n_fit_samples=60, random_state=0).fit(X)
    >>> model.sample(3).shape
    (3, 8, 8)
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "classifier": [HasMethods(["fit"]), None],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "n_fit_samples": [Interval(Integral, 2, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        generator=None,
        *,
        classifier=None,
        n_candidates=2,
        n_fit_samples=10000,
        n_components=64,
        random_state=None,
        verbose=0,
    ):
        self.generator = generator
        self.classifier = classifier
        self.n_candidates = n_candidates
        self.n_fit_samples = n_fit_samples
        self.n_components = n_components
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the generator, then the classifier between its samples and
        the training images.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Training images in [0, 1] (``uint8`` is rescaled).
        y : array-like of shape (n_samples,), default=None
            Class labels, passed to the generator (class-conditional
            sampling) and shown to the classifier.

        Returns
        -------
        self : DensityRatioResampler
            The fitted resampler.
        """
        rng = check_random_state(self.random_state)
        flat, shape, y = fit_wrapped_generator(self, X, y, rng)

        n = min(self.n_fit_samples, len(flat))
        rows = np.sort(rng.choice(len(flat), n, replace=False))
        real_labels = None if y is None else y[rows]
        fake = self.generator_.sample(n, y=real_labels, random_state=draw_seed(rng))
        fake = np.asarray(fake, dtype=np.float64)
        self.image_shape_ = generated_shape(fake, self.generator_)
        if shape is None:
            # flat input: the generator's image_shape parameter, else its output's
            # shape when that has as many pixels
            shape = getattr(self.generator_, "image_shape", None)
            if shape is None and int(np.prod(self.image_shape_)) == flat.shape[1]:
                shape = self.image_shape_
        height, width, channels = resolve_image_shape(shape, flat.shape[1])
        real = to_images(flat[rows], (height, width, channels))
        if hasattr(self.generator_, "reconstruct"):
            real = np.asarray(self.generator_.reconstruct(real, real_labels), dtype=np.float64)
            real = real.reshape((n,) + self.image_shape_)
        else:
            real = real.astype(np.float64)
            if (height, width) != self.image_shape_[:2]:
                real = resize(real, self.image_shape_[0])
        fake = fake.reshape((n,) + self.image_shape_)

        n_pixels = int(np.prod(self.image_shape_))
        n_components = min(self.n_components, n_pixels, 2 * n)
        self.pca_ = PCA(n_components, random_state=draw_seed(rng))
        self.pca_.fit(np.concatenate([real, fake]).reshape(2 * n, -1))
        features = np.concatenate(
            [self._features(real, real_labels), self._features(fake, real_labels)]
        )
        target = np.repeat([1, 0], n)
        if self.classifier is None:
            classifier = HistGradientBoostingClassifier(
                max_iter=300,
                early_stopping=True,
                random_state=draw_seed(rng),
                verbose=self.verbose,
            )
        else:
            classifier = clone(self.classifier)
        self.classifier_ = classifier.fit(features, target)
        self.n_parameters_ = (
            int(getattr(self.generator_, "n_parameters_", 0))
            + self.pca_.components_.size
            + self.pca_.mean_.size
            + _n_stored(self.classifier_)
        )
        return self

    def _features(self, images, labels):
        """The classifier's features of ``(n, R, R, C)`` images."""
        parts = [self.pca_.transform(images.reshape(len(images), -1)), _image_statistics(images)]
        if self.classes_ is not None:
            parts.append(labels[:, None] == self.classes_[None, :])
        return np.column_stack(parts).astype(np.float64)

    def _log_odds(self, features):
        if hasattr(self.classifier_, "decision_function"):
            odds = np.asarray(self.classifier_.decision_function(features), dtype=np.float64)
        else:
            p = self.classifier_.predict_proba(features)[:, 1]
            with np.errstate(divide="ignore"):
                odds = np.log(p) - np.log1p(-p)
        return np.clip(odds, -_MAX_LOG_ODDS, _MAX_LOG_ODDS)

    def log_density_ratio(self, X, y=None):
        """The classifier's estimate of ``log p_data(x) - log p_model(x)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, R*R*C) or (n_samples, R, R[, C])
            Images at the generator's output resolution.
        y : array-like of shape (n_samples,), default=None
            Their classes; required when fitted with labels.

        Returns
        -------
        log_ratio : ndarray of shape (n_samples,)
            Higher for images the classifier takes for training images.
        """
        check_is_fitted(self)
        images = check_generated_images(self, X)
        labels = self._check_labels(y, len(images), required=True)
        features = self._features(images.reshape((len(images),) + self.image_shape_), labels)
        return self._log_odds(features)

    @available_if(_generator_has("reconstruct"))
    def reconstruct(self, X, y=None):
        """The generator's reconstructions of images (the images as its model
        represents them); available when the generator has ``reconstruct``.

        Resampling changes which images the model draws, not what it can
        represent, so this is the generator's own method: :class:`PAGER`
        fits its sampling enhancer on it.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Images at the training resolution.
        y : array-like of shape (n_samples,), default=None
            Their classes (when fitted with labels).

        Returns
        -------
        images : ndarray
            The generator's ``reconstruct(X, y)``.
        """
        check_is_fitted(self)
        return self.generator_.reconstruct(X, y)

    def _sample_range(self, seed, offset, n, labels):
        """Images ``offset .. offset + n - 1`` of the stream of ``seed`` and
        their labels (None without classes)."""
        k = self.n_candidates
        keys = index_keys(seed, offset, offset + n)
        if self.classes_ is not None and labels is None:
            labels = stream_labels(seed, offset, n, self.classes_, self.class_prior_)
        candidate_labels = None if labels is None else np.repeat(labels, k)
        candidates = self.generator_.sample(
            n * k, y=candidate_labels, random_state=seed, offset=offset * k
        )
        candidates = np.asarray(candidates)
        if k == 1:
            return candidates, labels
        images = candidates.astype(np.float64, copy=False).reshape((n * k,) + self.image_shape_)
        log_ratio = self._log_odds(self._features(images, candidate_labels)).reshape(n, k)
        weights = np.exp(log_ratio - log_ratio.max(axis=1, keepdims=True))
        cumulative = np.cumsum(weights, axis=1)
        draws = uniform(sub_keys(keys, 2)) * cumulative[:, -1]
        chosen = np.minimum((cumulative <= draws[:, None]).sum(axis=1), k - 1)
        return candidates[np.arange(n) * k + chosen], labels
