"""The multi-stage Saab transform as a scikit-learn transformer."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from ._compat import Interval, _fit_context
from ._image import check_divisible, to_images, to_layout, validate_images
from ._saab_kernels import saab_forward, saab_inverse

__all__ = ["SaabTransformer"]


class SaabTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Multi-stage, channel-wise Saab transform (PixelHop++ style).

    Each stage cuts the image into non-overlapping ``kernel_size x kernel_size``
    patches and projects every patch on a DC kernel ``ones / sqrt(N)`` and on
    ``N - 1`` AC kernels, the principal axes of the patches with their DC
    removed.  Stage 1 is joint over the colour channels (patches of
    ``k * k * C`` values); later stages transform every channel of the previous
    stage on its own (patches of ``k * k`` values, one kernel set per channel).

    The AC kernels are computed in the orthogonal complement of the ones vector
    and completed to a full basis, so every stage is an orthonormal change of
    basis even when the training data is rank-deficient.  With
    ``energy_threshold=0`` the whole transform is orthonormal:
    ``inverse_transform(transform(X))`` gives ``X`` back to rounding error,
    distances are preserved and ``||transform(x)||^2 == ||x||^2`` (Parseval).
    The transform has no offset: it is linear.

    Read more in the :ref:`User Guide <saab>`.

    Parameters
    ----------
    n_stages : int, default=None
        Number of stages.  None goes as far as the image sides stay divisible by
        ``kernel_size`` (down to 1x1 for sides that are powers of the kernel size).
    kernel_size : int, default=2
        Side of the square, non-overlapping kernel (the stride equals it).
    energy_threshold : float, default=0.0
        Leaf channels whose share of the training energy is below this value
        are dropped from the output.  0 keeps everything (a complete, exactly
        invertible transform); a positive value gives a truncated orthogonal
        projection whose squared reconstruction error equals the energy of the
        dropped coefficients.  The highest-energy channel is always kept.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of the images stored row-major (channel
        last) in the rows of ``X``.  None reads a row as a 1x1 image with
        ``n_features`` channels: a single joint stage over all features, which
        makes the transformer a plain orthonormal feature rotation for tabular
        data.  n-D input ``(n, H, W[, C])`` sets it from the data.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(H, W, C)`` seen in :meth:`fit`.
    n_stages_ : int
        Number of stages fitted.
    kernels_ : list of ndarray
        Per stage, an array of shape ``(groups, N, N)``: one orthonormal basis
        (kernels as columns, DC first) per group of the stage.
    output_shape_ : tuple of int
        ``(h, w, c)`` of the last stage before channel selection.
    channels_ : ndarray of int
        Indices of the leaf channels kept by ``energy_threshold``.
    energy_ : ndarray of shape (n_features_out,)
        Share of the training energy (mean squared value) carried by each
        output feature.  Sums to 1 for a complete transform.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when ``X`` has string column names.

    See Also
    --------
    sklearn.decomposition.PCA : One global principal component analysis.

    References
    ----------
    .. [1] Y. Chen, M. Rouhsedaghat, S. You, R. Rao, C.-C. J. Kuo, "PixelHop++:
       A small successive-subspace-learning-based (SSL-based) model for image
       classification", ICIP 2020.
    .. [2] Z. Azizi, C.-C. J. Kuo, "PAGER: Progressive attribute-guided
       extendable robust image generation", APSIPA Trans. Signal Inf. Process.,
       2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager import SaabTransformer
    >>> X = np.random.default_rng(0).random((20, 16))
    >>> saab = SaabTransformer(image_shape=(4, 4)).fit(X)
    >>> saab.transform(X).shape
    (20, 16)
    >>> bool(np.allclose(saab.inverse_transform(saab.transform(X)), X))
    True
    """

    _parameter_constraints: dict = {
        "n_stages": [Interval(Integral, 1, None, closed="left"), None],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "energy_threshold": [Interval(Real, 0, 1, closed="both")],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, n_stages=None, kernel_size=2, energy_threshold=0.0, image_shape=None):
        self.n_stages = n_stages
        self.kernel_size = kernel_size
        self.energy_threshold = energy_threshold
        self.image_shape = image_shape

    def _stage_plan(self, height, width):
        """Kernel side and number of stages for ``height x width`` images."""
        if height == width == 1:
            if self.n_stages not in (None, 1):
                raise ValueError(
                    f"n_stages={self.n_stages} needs images larger than 1x1; with "
                    "image_shape=None each row is a 1x1 image and takes one stage."
                )
            return 1, 1
        k = self.kernel_size
        if k == 1:
            return 1, 1 if self.n_stages is None else self.n_stages
        stages = 0
        while height % k ** (stages + 1) == 0 and width % k ** (stages + 1) == 0:
            stages += 1
        if self.n_stages is not None:
            if self.n_stages > stages:
                factor = f"{k}**{self.n_stages}"
                if self.n_stages <= 30:
                    factor = f"{k**self.n_stages} ({factor})"
                raise ValueError(
                    f"n_stages={self.n_stages} with kernel_size={k} needs image sides "
                    f"divisible by {factor}; {height}x{width} images allow at most "
                    f"{stages} stage(s). Pad the images (e.g. 28x28 to 32x32) or ask for "
                    "fewer stages."
                )
            return k, self.n_stages
        if stages == 0:
            check_divisible(height, width, k, f"kernel_size={k}")
        return k, stages

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the Saab kernels of every stage.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Training images, floats in [0, 1] (``uint8`` is rescaled by 1/255).
        y : None
            Ignored.

        Returns
        -------
        self : SaabTransformer
            The fitted transformer.
        """
        self._fit(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit the kernels and return the Saab coefficients of ``X``.

        Same result as ``fit(X).transform(X)``, in one pass over the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Training images, floats in [0, 1] (``uint8`` is rescaled by 1/255).
        y : None
            Ignored.

        Returns
        -------
        X_saab : ndarray of shape (n_samples, n_features_out)
            See :meth:`transform`.
        """
        return self._select(*self._fit(X))

    def _fit(self, X):
        X = validate_images(self, X, reset=True, default="channels", pixels=False)
        height, width, _ = self.image_shape_
        k, n_stages = self._stage_plan(height, width)
        if X.shape[0] * (height // k) * (width // k) < 2:
            raise ValueError(
                "SaabTransformer needs at least 2 patches to fit; got 1 sample with "
                f"{(height // k) * (width // k)} patch(es) of {k}x{k}."
            )
        self.n_stages_, self._k = n_stages, k
        state, self.kernels_, spare = saab_forward(to_images(X, self.image_shape_), k, n_stages)
        groups, _, h, w, per_group = state.shape
        self.output_shape_ = (h, w, groups * per_group)
        self._select_channels(state, X)
        return state, spare

    def _select(self, state, spare):
        """Group-major leaves ``(G, n, h, w, J)`` -> 2-D output with the kept channels.

        The output is written into ``spare``, a free buffer of the full size.
        """
        groups, n, h, w, per_group = state.shape
        if len(self.channels_) < groups * per_group:
            kept = state[self.channels_ // per_group, :, :, :, self.channels_ % per_group]
            return np.ascontiguousarray(kept.transpose(1, 2, 3, 0)).reshape(n, -1)
        out = spare.reshape(n, h, w, groups, per_group)
        np.copyto(out, state.transpose(1, 2, 3, 0, 4))
        return out.reshape(n, -1)

    def _select_channels(self, state, X):
        total = np.einsum("ij,ij->", X, X, dtype=np.float64)
        energy = np.einsum("gnhwj,gnhwj->hwgj", state, state, dtype=np.float64)
        share = (
            energy.reshape(self.output_shape_) / total
            if total > 0
            else np.zeros(self.output_shape_)
        )
        channel_share = share.sum(axis=(0, 1))
        keep = channel_share >= self.energy_threshold
        keep[np.argmax(channel_share)] = True
        self.channels_ = np.flatnonzero(keep)
        self.energy_ = share[:, :, self.channels_].ravel()

    @property
    def _n_features_out(self):
        h, w, _ = self.output_shape_
        return h * w * len(self.channels_)

    def transform(self, X):
        """Project images on the Saab kernels.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Images with the shape seen in :meth:`fit`.

        Returns
        -------
        X_saab : ndarray of shape (n_samples, n_features_out)
            Coefficients of the last stage, row-major over ``(h, w, channel)``
            with the dropped channels left out; same dtype as ``X`` (float32 is
            preserved).
        """
        check_is_fitted(self)
        images = to_images(validate_images(self, X, reset=False, pixels=False), self.image_shape_)
        state, _, spare = saab_forward(images, self._k, self.n_stages_, self.kernels_)
        return self._select(state, spare)

    def inverse_transform(self, X):
        """Rebuild images from Saab coefficients.

        Dropped channels are taken as zero, so for a truncated transform this
        is the orthogonal projection of the original image.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Saab coefficients, as returned by :meth:`transform`.

        Returns
        -------
        X_original : ndarray
            ``(n_samples, H*W*C)``, or ``(n_samples, H, W[, C])`` when the
            transformer was fitted on n-D images; same dtype as ``X``.
        """
        check_is_fitted(self)
        X = self._check_coefficients(X)
        h, w, _ = self.output_shape_
        leaves = X.reshape(X.shape[0], h, w, len(self.channels_))
        images = saab_inverse(leaves, self.channels_, self._k, self.kernels_, self.image_shape_[2])
        return to_layout(images, self._nd_shape)

    def _check_coefficients(self, X):
        X = check_array(X, dtype=[np.float64, np.float32])
        if X.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"expects {self._n_features_out} Saab coefficients."
            )
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def saab_for_shape(shape):
    """A complete SaabTransformer for images of ``shape`` ``(h, w, C)``.

    2x2 stages when both sides are even; otherwise (e.g. the 7x7 core or
    window of 28x28 images) a single 1x1 stage, which only rotates the colour
    channels, so the features are the pixels in an orthonormal colour basis.
    """
    even = shape[0] % 2 == 0 and shape[1] % 2 == 0
    return SaabTransformer(image_shape=tuple(shape), kernel_size=2 if even else 1)
