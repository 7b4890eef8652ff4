"""What every enhancer (one octave of PAGER) shares: the stage contract.

An octave maps low-resolution images ``(n, h, w, C)`` to ``(n, 2h, 2w, C)``.
:class:`BaseEnhancer` owns everything that does not depend on the algorithm:
validation of the (low, high) image pairs, the DC (the package's Lanczos
upsampling, computed in :meth:`BaseEnhancer._dc` only), and the public
``transform(X, *, labels=None, temperature=None, random_state=None)`` that
PAGER calls.  A subclass implements two hooks, the way scikit-learn's
``BaseMixture`` owns the EM loop and ``GaussianMixture`` the steps:

- ``_fit_pairs(low, high, labels, rng, **fit_params)``: learn from images
  ``(n, h, w, C)`` and their targets ``(n, 2h, 2w, C)``;
- ``_enhance(low, labels, temperature, rng)``: return ``(n, 2h, 2w, C)``.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._image import check_target_images, resize, to_images, to_layout, validate_images
from ._utils import check_labels, check_temperature


class MeanScoreMixin:
    """``score``: the mean of the enhancer's per-image ``score_samples``
    (the conditional log-likelihood of the AC given the DC), for the
    enhancers that have one."""

    def score(self, X, y):
        """Mean of :meth:`score_samples` (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images.
        y : array-like
            The same images at a power-of-two multiple of the resolution.

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X, y)))


class BaseEnhancer(TransformerMixin, BaseEstimator):
    """Base class of the resolution enhancers (not public API).

    Subclasses declare their parameters (including ``image_shape`` and
    ``random_state``) and implement ``_fit_pairs`` and ``_enhance``; their
    ``fit`` calls :meth:`_fit_validated`.
    """

    # ------------------------------------------------------------ validation
    def _check_low(self, X, reset):
        return to_images(validate_images(self, X, reset=reset), self.image_shape_)

    def _require_y(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None: "
                "pass the same images as X at 2x (or a higher power-of-two multiple of) "
                "their resolution."
            )

    def _check_high(self, y, n):
        return check_target_images(
            y,
            n,
            self.image_shape_,
            min_ratio=2,
            what="the images at 2x, 4x, ... (a power of two) the resolution of X",
        )

    def _fit_validated(self, X, y, labels, **fit_params):
        """Validate the pair, then call the subclass's ``_fit_pairs``."""
        self._require_y(y)
        low = self._check_low(X, reset=True)
        n = low.shape[0]
        high = self._check_high(y, n)
        labels = check_labels(labels, n)
        if n < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 images; got 1 sample.")
        h, w, c = self.image_shape_
        self.output_shape_ = (2 * h, 2 * w, c)
        rng = check_random_state(self.random_state)
        self._fit_pairs(low.astype(np.float64, copy=False), high, labels, rng, **fit_params)
        return self

    # ------------------------------------------------------------------- DC
    def _dc(self, low):
        """The DC of an octave: ``(n, h, w, C)`` upsampled 2x by the package's
        Lanczos resampler (the one place where the DC/AC split is defined)."""
        h, w, _ = self.image_shape_
        return resize(low, (2 * h, 2 * w))

    # ------------------------------------------------------------- transform
    def transform(self, X, *, labels=None, temperature=None, random_state=None):
        """Double the resolution of ``X``.

        Every output image depends on its own input image, label and the
        seed only, never on the other images of the batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images with the shape seen in :meth:`fit`.
        labels : array-like of shape (n_samples,), default=None
            Class of every image, for enhancers that use it (see the class's
            documentation); others ignore it.
        temperature : float in [0, 10], default=None
            Covariance scale of the AC draws for this call; None uses the
            estimator's own (``temperature`` parameter, where it has one).
            Enhancers that draw nothing ignore it.
        random_state : int, RandomState instance or None, default=None
            Seed of this call's draws; None uses the estimator's
            ``random_state``.

        Returns
        -------
        X_high : ndarray
            ``(n_samples, 2h, 2w[, C])`` when fitted on n-D images, else
            ``(n_samples, 4*h*w*C)``.  Not clipped (a later stage may refine
            it); clip to [0, 1] for display.
        """
        check_is_fitted(self)
        low = self._check_low(X, reset=False)
        labels = check_labels(labels, low.shape[0])
        if temperature is None:
            temperature = getattr(self, "temperature", 0.0)
        temperature = check_temperature(temperature)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        high = self._enhance(low.astype(np.float64), labels, temperature, rng)
        return to_layout(high, self._nd_shape)

    def predict(self, X, *, labels=None, temperature=None, random_state=None):
        """Same as :meth:`transform`, so a Pipeline ending here can be scored.

        Parameters
        ----------
        X : array-like of shape (n_samples, h*w*C) or (n_samples, h, w[, C])
            Low-resolution images.
        labels : array-like of shape (n_samples,), default=None
            See :meth:`transform`.
        temperature : float, default=None
            See :meth:`transform`.
        random_state : int, RandomState instance or None, default=None
            See :meth:`transform`.

        Returns
        -------
        X_high : ndarray
            See :meth:`transform`.
        """
        return self.transform(X, labels=labels, temperature=temperature, random_state=random_state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
