"""Refinement of a generator's images toward the local principal subspaces
of the training images."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ._compat import HasMethods, Interval, _fit_context
from ._stream import (
    ImageMapSamplerMixin,
    fit_wrapped_generator,
    training_images_at_output_side,
)
from ._utils import (
    draw_seed,
    generated_shape,
    param_keys,
    seeded_clone,
)

__all__ = ["SubspaceRefiner"]


class SubspaceRefiner(ImageMapSamplerMixin, BaseEstimator):
    """Pull a generator's images toward the local principal subspaces of the
    training images.

    A second model of the training images, at the generator's output
    resolution, represents each image by its projection onto the principal
    subspace of its class's most responsible mixture component (by default
    :class:`LocalPCACoreGenerator` with ``local_variance=0.99`` and
    ``feature_variance=0.95``: the component's own axes for 99% of its
    variance, in the class's principal space of 95% of the variance; the
    number of components per class chosen by BIC).  What a generated image
    holds outside that subspace is mostly what the generator gets wrong
    (grain and smears in directions in which the training images of its
    class barely vary); the refiner keeps ``residual_weight`` of it:

    .. math:: \\tilde x = r(x) + w \\, (x - r(x)),

    with :math:`r(x)` the model's reconstruction of :math:`x` (its
    ``reconstruct(X, y)``).  ``residual_weight=0`` returns the projections,
    1 the generator's images.  Every output image depends on its own input
    image (and class) only; :meth:`sample` refines the generator's stream,
    so an image depends on the seed and its position only.  Read more in
    the :ref:`User Guide <refining>`.

    Parameters
    ----------
    generator : estimator, default=None
        Image generator with ``fit(X, y)`` and ``sample(n_samples, y=...,
        random_state=..., offset=...)`` (cloned); None uses
        ``PAGER(random_state=random_state)``.
    model : estimator, default=None
        Model of the training images with ``fit(X, y)`` and
        ``reconstruct(X, y)`` (cloned); its ``resolution`` parameter, when it
        has one, is set to the side of the generated images.  None uses
        ``LocalPCACoreGenerator(component_selection="bic",
        feature_variance=0.95, local_variance=0.99, n_jobs=n_jobs)``: the
        number of components of each class chosen by the Bayesian
        information criterion.
    residual_weight : float in [0, 1], default=0.85
        Fraction of each image's difference from its reconstruction that is
        kept.  Read when refining: changing it needs no refit.
    n_jobs : int, default=None
        Parallel jobs of the default model's fit (joblib); None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the default generator (or the ``random_state`` parameters of
        the given generator and model that are left at None, nested ones
        included), and the sampling calls without a seed of their own.
    verbose : int, default=0
        Passed to the default model.

    Attributes
    ----------
    generator_ : estimator
        The fitted generator.
    model_ : estimator
        The fitted model whose reconstructions the images are pulled toward.
    classes_ : ndarray or None
        Class labels seen in ``fit`` (None when fitted without).
    class_prior_ : ndarray or None
        Share of each class among the training images.
    image_shape_ : tuple
        ``(R, R, C)`` of the generated images.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    n_parameters_ : int
        Numbers the fitted generator and model store (their
        ``n_parameters_``).

    See Also
    --------
    LocalPCACoreGenerator : The default model.
    DensityRatioResampler : Another correction of a generator's samples.

    Examples
    --------
    >>> import numpy as np
    >>> from skpager import GMMCoreGenerator, PAGER, SubspaceRefiner
    >>> X = np.random.RandomState(0).rand(60, 8, 8)
    >>> pager = PAGER(GMMCoreGenerator(resolution=4, n_components=2))
    >>> model = SubspaceRefiner(pager, random_state=0).fit(X)
    >>> model.sample(3).shape
    (3, 8, 8)
    """

    _parameter_constraints: dict = {
        "generator": [HasMethods(["fit", "sample"]), None],
        "model": [HasMethods(["fit", "reconstruct"]), None],
        "residual_weight": [Interval(Real, 0, 1, closed="both")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        generator=None,
        *,
        model=None,
        residual_weight=0.85,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.generator = generator
        self.model = model
        self.residual_weight = residual_weight
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the generator, then the model on the training images at the
        side of the generated images (downsampled when they are smaller).

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Training images in [0, 1] (``uint8`` is rescaled).
        y : array-like of shape (n_samples,), default=None
            Class labels, passed to the generator and the model.

        Returns
        -------
        self : SubspaceRefiner
            The fitted refiner.
        """
        rng = check_random_state(self.random_state)
        flat, shape, y = fit_wrapped_generator(self, X, y, rng)
        probe = self.generator_.sample(1, y=None if y is None else y[:1], random_state=0)
        self.image_shape_ = generated_shape(np.asarray(probe), self.generator_)

        if self.model is None:
            from ._local_core import LocalPCACoreGenerator

            model = LocalPCACoreGenerator(
                component_selection="bic",
                feature_variance=0.95,
                local_variance=0.99,
                n_jobs=self.n_jobs,
                random_state=draw_seed(rng),
                verbose=self.verbose,
            )
        else:
            model = seeded_clone(self.model, rng)
        keys = param_keys(model, "resolution")
        if keys:
            model.set_params(**{keys[0]: self.image_shape_[0]})
        images = training_images_at_output_side(self, flat, shape)
        self.model_ = model.fit(images, y)
        self.n_parameters_ = int(getattr(self.generator_, "n_parameters_", 0)) + int(
            getattr(self.model_, "n_parameters_", 0)
        )
        return self

    def refine(self, X, y=None):
        """Pull images toward the model's reconstructions of them.

        Parameters
        ----------
        X : array-like of shape (n_samples, R*R*C) or (n_samples, R, R[, C])
            Images in [0, 1] at the generator's output resolution.
        y : label or array-like of shape (n_samples,), default=None
            Their classes (when fitted with labels); None lets the model
            choose each image's most probable class.

        Returns
        -------
        images : ndarray
            The refined images, clipped to [0, 1], shaped as ``X``.
        """
        images, labels = self._check_map_input(X, y)
        shaped = images.reshape((len(images),) + self.image_shape_)
        reconstructed = np.asarray(self.model_.reconstruct(shaped, labels), dtype=np.float64)
        reconstructed = reconstructed.reshape(shaped.shape)
        refined = reconstructed + self.residual_weight * (shaped - reconstructed)
        return np.clip(refined, 0.0, 1.0).reshape(images.shape)

    def _map_images(self, images, labels):
        return self.refine(images, labels)
