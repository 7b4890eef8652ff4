"""Histogram matching of a generator's pixel values to the training images'."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ._compat import HasMethods, Interval, _fit_context
from ._stream import (
    ImageMapSamplerMixin,
    fit_wrapped_generator,
    training_images_at_output_side,
)
from ._utils import draw_seed, generated_shape, groups

__all__ = ["HistogramMatcher"]


def _pixel_quantiles(images, levels):
    """Quantiles ``levels`` of the pixel values of ``images`` (N, R, R, C),
    per channel: shape (C, len(levels)), non-decreasing along the levels.

    numpy's default (linear) quantiles, read off one sort of the values:
    ``np.quantile`` partitions them once per level, several times slower
    for hundreds of levels."""
    values = np.sort(images.reshape(-1, images.shape[-1]), axis=0)
    position = levels * (len(values) - 1)
    below = np.floor(position).astype(np.intp)
    above = np.minimum(below + 1, len(values) - 1)
    fraction = (position - below)[:, None]
    quantiles = values[below] + fraction * (values[above] - values[below])
    return np.maximum.accumulate(quantiles.T, axis=1)


def _average_ties(source, target):
    """``target`` with the values at equal ``source`` quantiles replaced by
    their mean: a value that holds a mass of the source distribution (such
    as 0 for a clipped background) goes to the mean of the target values
    over that mass, so that the map is a function."""
    _, start, counts = np.unique(source, return_index=True, return_counts=True)
    return np.repeat(np.add.reduceat(target, start) / counts, counts)


class HistogramMatcher(ImageMapSamplerMixin, BaseEstimator):
    """Match the distribution of a generator's pixel values to the training
    images', per class and channel.

    At fit, the generator (fitted on the training images) draws
    ``n_probe`` images of every class; the ``n_quantiles`` quantiles of
    their pixel values, :math:`s_{c,k}`, and of the training images'
    pixel values of the same class and channel, :math:`t_{c,k}`, define a
    non-decreasing piecewise-linear map :math:`m_c` with
    :math:`m_c(s_{c,k}) = t_{c,k}` (values below the first or above the
    last source quantile go to the first or last target quantile; a value
    that several source quantiles share, such as a clipped 0, goes to the
    mean of their targets). :meth:`match` applies it to every pixel of an
    image of class :math:`c`:

    .. math:: \\tilde x_{ij} = m_c(x_{ij}),

    so that the generator's pixel values take the training images'
    distribution (a faint grey background of generated images becomes
    the training images' black, their contrast the training images'),
    while the order of an image's pixel values, and so its shapes and
    edges, stays as it is. Every output image depends on its own input
    image and class only; :meth:`sample` maps the generator's stream, so
    an image depends on the seed and its position only. Read more in the
    :ref:`User Guide <matching>`.

    Parameters
    ----------
    generator : estimator, default=None
        Image generator with ``fit(X, y)`` and ``sample(n_samples, y=...,
        random_state=..., offset=...)`` (cloned); None uses
        ``PAGER(random_state=random_state)``.
    n_quantiles : int, default=256
        Number of quantiles (evenly spaced levels from 0 to 1) that define
        each map.
    n_probe : int, default=500
        Images of each class (of all, when fitted without labels) the
        generator draws at fit to estimate the distribution of its pixel
        values.
    random_state : int, RandomState instance or None, default=None
        Seeds the default generator (or the ``random_state`` parameters of
        the given generator left at None, nested ones included), the probe
        images, and the sampling calls without a seed of their own.

    Attributes
    ----------
    generator_ : estimator
        The fitted generator.
    classes_ : ndarray or None
        Class labels seen in ``fit`` (None when fitted without).
    class_prior_ : ndarray or None
        Share of each class among the training images.
    source_quantiles_ : ndarray of shape (n_groups, C, n_quantiles)
        Quantiles of the probe images' pixel values, per class (one group
        when fitted without labels) and channel.
    target_quantiles_ : ndarray of shape (n_groups, C, n_quantiles)
        The values the source quantiles are mapped to: the training images'
        quantiles at the same levels (averaged over tied source quantiles).
    image_shape_ : tuple
        ``(R, R, C)`` of the generated images.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    n_parameters_ : int
        Numbers the fitted generator stores (its ``n_parameters_``) and the
        two quantile tables.

    See Also
    --------
    SubspaceRefiner : Pulls a generator's images toward local principal
        subspaces of the training images.
    DensityRatioResampler : Resamples a generator's images.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager import GMMCoreGenerator, HistogramMatcher, PAGER
    >>> X = np.random.RandomState(0).rand(60, 8, 8)
    >>> pager = PAGER(GMMCoreGenerator(resolution=4, n_components=2))
    >>> model = HistogramMatcher(pager, n_probe=20, random_state=0).fit(X)
    >>> model.sample(3).shape
    (3, 8, 8)
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "n_quantiles": [Interval(Integral, 2, None, closed="left")],
        "n_probe": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, generator=None, *, n_quantiles=256, n_probe=500, random_state=None):
        self.generator = generator
        self.n_quantiles = n_quantiles
        self.n_probe = n_probe
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the generator, draw the probe images and learn the maps.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Training images in [0, 1] (``uint8`` is rescaled).
        y : array-like of shape (n_samples,), default=None
            Class labels, passed to the generator; one map per class.

        Returns
        -------
        self : HistogramMatcher
            The fitted matcher.
        """
        rng = check_random_state(self.random_state)
        flat, shape, y = fit_wrapped_generator(self, X, y, rng)
        probe_seed = draw_seed(rng)
        if self.classes_ is None:
            probe_labels, group_of_image = None, np.zeros(len(flat), dtype=np.intp)
            probe_groups = np.zeros(self.n_probe, dtype=np.intp)
        else:
            group_of_image = np.searchsorted(self.classes_, y)
            probe_groups = np.repeat(np.arange(len(self.classes_)), self.n_probe)
            probe_labels = self.classes_[probe_groups]
        probe = np.asarray(
            self.generator_.sample(len(probe_groups), y=probe_labels, random_state=probe_seed)
        )
        self.image_shape_ = generated_shape(probe, self.generator_)
        probe = probe.reshape((len(probe),) + self.image_shape_)

        images = training_images_at_output_side(self, flat, shape)

        levels = np.linspace(0.0, 1.0, self.n_quantiles)
        n_groups, n_channels = int(probe_groups.max()) + 1, self.image_shape_[2]
        source = np.empty((n_groups, n_channels, self.n_quantiles))
        target = np.empty_like(source)
        for group, rows in groups(group_of_image):
            source[group] = _pixel_quantiles(probe[probe_groups == group], levels)
            target[group] = _pixel_quantiles(images[rows], levels)
            for channel in range(n_channels):
                target[group, channel] = _average_ties(
                    source[group, channel], target[group, channel]
                )
        self.source_quantiles_, self.target_quantiles_ = source, target
        self.n_parameters_ = int(getattr(self.generator_, "n_parameters_", 0)) + 2 * source.size
        return self

    def match(self, X, y=None):
        """Map the pixel values of images through their class's map.

        Parameters
        ----------
        X : array-like of shape (n_samples, R*R*C) or (n_samples, R, R[, C])
            Images in [0, 1] at the generator's output resolution.
        y : label or array-like of shape (n_samples,), default=None
            Their classes; required when fitted with labels, None otherwise.

        Returns
        -------
        images : ndarray
            The mapped images, in [0, 1], shaped as ``X``.
        """
        images, labels = self._check_map_input(X, y, required=True)
        if labels is None:
            group_of_image = np.zeros(len(images), dtype=np.intp)
        else:
            group_of_image = np.searchsorted(self.classes_, labels)
        n_channels = self.image_shape_[2]
        pixels = images.reshape(len(images), -1, n_channels)
        mapped = np.empty_like(pixels)
        for group, rows in groups(group_of_image):
            for channel in range(n_channels):
                mapped[rows, :, channel] = np.interp(
                    pixels[rows, :, channel],
                    self.source_quantiles_[group, channel],
                    self.target_quantiles_[group, channel],
                )
        return np.clip(mapped, 0.0, 1.0).reshape(images.shape)

    def _map_images(self, images, labels):
        return self.match(images, labels)
