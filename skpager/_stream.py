"""What the estimators that wrap a generator share: fitting the generator,
and sampling by position."""

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

from ._image import as_flat_images, check_pixel_range, resize, resolve_image_shape, to_images
from ._utils import (
    check_labels,
    check_offset,
    check_positive_int,
    draw_seed,
    fill_batches,
    sample_batches,
    seeded_clone,
    stream_labels,
    stream_seed,
)

# Images per batch inside sample.
SAMPLE_BATCH = 1024

# Images per batch inside the sample of a wrapper that maps its generator's
# images one by one: it holds the images only (no candidates), and its
# generator gets batches large enough to draw in several threads (PAGER
# splits a call into batches of 2,048, one per thread).
MAP_SAMPLE_BATCH = 8192


def fit_wrapped_generator(estimator, X, y, rng):
    """Check a wrapper's training data and fit its generator.

    Validates the images (in [0, 1]) and the labels (one per image), sets
    the wrapper's ``classes_`` and ``class_prior_`` (None without labels)
    and fits ``generator_``: ``PAGER`` seeded from ``rng`` when the
    wrapper's ``generator`` is None, else a clone of it whose seeds left at
    None (nested ones too) are drawn from ``rng``, so that the fit is
    reproducible.

    Returns
    -------
    flat : ndarray of shape (n_samples, n_features)
        The validated images, flattened.
    shape : tuple or None
        Their n-D shape without the first axis (None for flat input).
    y : ndarray or None
        The labels as an array.
    """
    flat, shape, _ = as_flat_images(X, None)
    flat = validate_data(estimator, flat, dtype=[np.float64, np.float32])
    check_pixel_range(flat)
    if y is None:
        estimator.classes_ = estimator.class_prior_ = None
    else:
        y = np.asarray(y)
        if y.shape != (len(flat),):
            raise ValueError(
                f"y must hold one label per image ({len(flat)}); got shape {y.shape}."
            )
        estimator.classes_, counts = np.unique(y, return_counts=True)
        estimator.class_prior_ = counts / counts.sum()
    if estimator.generator is None:
        from ._pager import PAGER

        generator = PAGER(random_state=draw_seed(rng))
    else:
        generator = seeded_clone(estimator.generator, rng)
    estimator.generator_ = generator.fit(X, y)
    return flat, shape, y


def training_images_at_output_side(estimator, flat, shape):
    """A wrapper's validated training images (``flat`` and ``shape`` from
    :func:`fit_wrapped_generator`) as ``(n, R, R, C)`` images at the side
    of the generated images (``estimator.image_shape_``), resized when
    they are larger or smaller; flat input takes its shape from the
    generator's ``image_shape`` parameter, if it has one."""
    if shape is None:
        shape = getattr(estimator.generator_, "image_shape", None)
    images = to_images(flat, resolve_image_shape(shape, flat.shape[1]))
    if images.shape[1:3] != estimator.image_shape_[:2]:
        images = resize(images, estimator.image_shape_[0])
    return images


def check_generated_images(estimator, X):
    """``X`` as float64 images of the wrapper's ``image_shape_`` (flat or
    n-D, any number of them), with pixels in [0, 1]."""
    images = np.asarray(X, dtype=np.float64)
    n_pixels = int(np.prod(estimator.image_shape_))
    if images.ndim < 2 or images.size != len(images) * n_pixels:
        raise ValueError(
            f"X must hold images of shape {estimator.image_shape_} ({n_pixels} features "
            f"each); got an array of shape {images.shape}."
        )
    check_pixel_range(images.reshape(len(images), -1))
    return images


class StreamSamplerMixin:
    """``sample`` and ``iter_samples`` of an estimator whose image ``i`` of a
    seed's stream depends on the seed and ``i`` only.

    The estimator provides ``classes_`` (None when fitted without labels)
    and ``_sample_range(seed, offset, n, labels)`` (the images ``offset ..
    offset + n - 1`` of the stream and their labels).
    """

    _sample_batch = SAMPLE_BATCH

    def _check_labels(self, y, n, required=False):
        """None, or ``y`` as labels of ``n`` images (a single label is
        repeated), every one seen in fit; ``required``: y may not be None
        when fitted with labels.  The number of labels is checked by the
        caller."""
        name = type(self).__name__
        if self.classes_ is None:
            if y is not None:
                raise ValueError(f"y was given, but the {name} was fitted without labels.")
            return None
        if y is None:
            if required:
                raise ValueError(f"y is required: the {name} was fitted with labels.")
            return None
        labels = np.broadcast_to(np.asarray(y), (n,)) if np.ndim(y) == 0 else np.asarray(y)
        unknown = ~np.isin(labels, self.classes_)
        if unknown.any():
            raise ValueError(
                f"y holds labels not seen in fit, e.g. {labels[unknown][0]!r}; "
                f"known: {self.classes_.tolist()}."
            )
        return labels

    def _pieces(self, n_samples, batch_size, y):
        """The ``(start, stop, y)`` batches of a sampling call, ``y`` checked
        against the classes seen in fit (a single label: one per sample)."""
        check_positive_int(n_samples, "n_samples")
        if y is not None:
            y = self._check_labels(y, n_samples)
        return sample_batches(n_samples, batch_size, y)

    def sample(self, n_samples=1, y=None, random_state=None, *, offset=0, return_labels=False):
        """Generate images, each a function of the seed and its position in
        the stream.

        Parameters
        ----------
        n_samples : int, default=1
            Number of images.
        y : label or array-like of shape (n_samples,), default=None
            Classes (when fitted with labels); None draws them with the
            training images' class shares.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; None uses the estimator's ``random_state``.
        offset : int, default=0
            Position in the stream of ``random_state`` of the first image:
            ``sample(n, offset=k)`` returns images ``k .. k + n - 1`` of the
            stream.
        return_labels : bool, default=False
            Also return the class of every image (the core contract of
            :class:`PAGER`).

        Returns
        -------
        images : ndarray
            Shaped as the generator's samples, ``n_samples`` of them.
        labels : ndarray of shape (n_samples,) or None
            Only with ``return_labels=True``: the class of every image (None
            when fitted without labels).
        """
        check_is_fitted(self)
        offset = check_offset(offset)
        pieces = self._pieces(n_samples, self._sample_batch, y)
        seed = stream_seed(self, random_state)
        labels = []

        def draw(start, stop, part):
            images, drawn = self._sample_range(seed, offset + start, stop - start, part)
            labels.append(drawn)
            return images

        images = fill_batches(n_samples, pieces, (draw(*piece) for piece in pieces))
        if not return_labels:
            return images
        return images, None if self.classes_ is None else np.concatenate(labels)

    def iter_samples(self, n_samples, *, batch_size=1024, y=None, random_state=None):
        """Generate ``n_samples`` images in batches, in constant memory.

        The batches hold, in order, the images :meth:`sample` returns for
        the same arguments, whatever ``batch_size`` is.

        Parameters
        ----------
        n_samples : int
            Number of images in all.
        batch_size : int, default=1024
            Images per batch (the last batch may be smaller).
        y : label or array-like of shape (n_samples,), default=None
            Classes (when fitted with labels); None draws them with the
            training images' class shares.
        random_state : int, RandomState instance or None, default=None
            Seed of the whole run; None uses the estimator's ``random_state``.

        Returns
        -------
        batches : generator of ndarray
            Arrays of at most ``batch_size`` images, shaped as the
            generator's samples.
        """
        check_is_fitted(self)
        pieces = self._pieces(n_samples, batch_size, y)
        seed = stream_seed(self, random_state)
        return (
            self._sample_range(seed, start, stop - start, part)[0] for start, stop, part in pieces
        )


class ImageMapSamplerMixin(StreamSamplerMixin):
    """A wrapper whose images are its generator's, each passed through the
    wrapper's own per-image map ``_map_images(images, labels)`` (the
    refiner's ``refine``, the matcher's ``match``): image ``i`` of a seed's
    stream is the map of the generator's image ``i`` of that stream."""

    _sample_batch = MAP_SAMPLE_BATCH

    def _check_map_input(self, X, y, required=False):
        """The images and labels a map is called with: ``X`` checked by
        :func:`check_generated_images`, ``y`` one label per image (or one
        label) seen in fit; ``required``: y may not be None when fitted
        with labels."""
        check_is_fitted(self)
        images = check_generated_images(self, X)
        if y is not None and np.ndim(y) > 0:
            check_labels(y, len(images), name="y")
        return images, self._check_labels(y, len(images), required=required)

    def _sample_range(self, seed, offset, n, labels):
        """Images ``offset .. offset + n - 1`` of the stream of ``seed`` and
        their labels (None without classes)."""
        if self.classes_ is not None and labels is None:
            labels = stream_labels(seed, offset, n, self.classes_, self.class_prior_)
        images = np.asarray(self.generator_.sample(n, y=labels, random_state=seed, offset=offset))
        return self._map_images(images, labels).astype(images.dtype, copy=False), labels
