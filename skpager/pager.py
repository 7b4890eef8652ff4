"""PAGER: core generator + cascade of resolution enhancers and quality boosters."""

import time
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._image import (
    as_flat_images,
    crop_images,
    pad_images,
    resize,
    resolve_image_shape,
    to_images,
    to_layout,
)
from .booster import QualityBooster
from .core import GMMCoreGenerator
from .enhancer import ResolutionEnhancer

__all__ = ["PAGER"]


def default_enhancer(n_channels):
    """PAGER's enhancer template when ``enhancer=None``.

    The paper's :class:`ResolutionEnhancer` for grey images; for colour
    images exemplar AC of 2x2 windows on principal axes (``exemplars=10000,
    exemplar_components=128, exemplar_split=2``), added whole: no edge mask
    and no sub-window refinement (``edge_mask=False, min_window=None``);
    docs/benchmarks.md, "Exemplar windows".

    Parameters
    ----------
    n_channels : int
        Channels of the training images.

    Returns
    -------
    enhancer : ResolutionEnhancer
        An unfitted template.
    """
    if n_channels == 1:
        return ResolutionEnhancer()
    return ResolutionEnhancer(
        exemplars=10000,
        exemplar_components=128,
        exemplar_split=2,
        min_window=None,
        edge_mask=False,
    )


def default_booster(n_channels):
    """PAGER's booster template when ``booster=None``.

    The paper's :class:`QualityBooster` for grey images; for colour images
    calibrated gains (``calibrate=True``).  Over the colour default's
    exemplar AC, which already carries real texture, the paper's booster
    pastes residuals that cost sample quality (CIFAR-10 FID 142 against 112
    calibrated, 112 without a booster; docs/benchmarks.md, "FID ablation on
    CIFAR-10"); calibration keeps the booster's PSNR gain for
    :meth:`PAGER.super_resolve`.

    Parameters
    ----------
    n_channels : int
        Channels of the training images.

    Returns
    -------
    booster : QualityBooster
        An unfitted template.
    """
    if n_channels == 1:
        return QualityBooster()
    return QualityBooster(calibrate=True)


def _seed(rng):
    return int(rng.randint(np.iinfo(np.int32).max))


class PAGER(BaseEstimator):
    """Progressive image generation: a core generator and cascaded enhancers.

    ``fit`` trains, from the same images, a :class:`GMMCoreGenerator` at the
    core resolution ``r`` and, for every octave ``r -> 2r -> ... -> R``, a
    :class:`ResolutionEnhancer` and a :class:`QualityBooster` (the booster on
    the enhancer's own output).  ``sample`` draws core images and passes them
    up the cascade; ``super_resolve`` passes given images up the cascade from
    their resolution, with no retraining.

    Sides that are not ``r * 2**j`` are zero-padded to the next such size for
    training and cropped back on output (28x28 MNIST-like images train at
    32x32 with a 16x16 core, as in the paper).

    Read more in the :ref:`User Guide <pager>`.

    Parameters
    ----------
    core : GMMCoreGenerator, default=None
        Template of the core generator (cloned); None uses
        ``GMMCoreGenerator(resolution=16 if grey else 4, pca_variance=0.99)``.
        With ``resolution=None`` the same colour-dependent default applies.
    enhancer : ResolutionEnhancer, default=None
        Template cloned for every octave.  None uses ``ResolutionEnhancer()``
        (the paper's enhancer) for grey images and, for colour images,
        ``ResolutionEnhancer(exemplars=10000, exemplar_components=128,
        exemplar_split=2, min_window=None, edge_mask=False)``: every 2x2
        window of an octave's output copies the AC of a stored training
        window, without which CIFAR-10 samples are blobs, and adds it
        unmasked and unrefined (see ``docs/benchmarks.md``).
    booster : QualityBooster, "drop" or None, default=None
        Template cloned for every octave; None uses ``QualityBooster()``
        (the paper's booster) for grey images and
        ``QualityBooster(calibrate=True)`` for colour images, whose exemplar
        AC the paper's booster makes worse (CIFAR-10 FID 142 instead of 112
        at N = 1,000; see ``docs/benchmarks.md``).  ``"drop"`` fits no
        booster.
    output_resolution : int, default=None
        Side of the generated images.  None keeps the training images' side;
        a smaller value trains on downsampled images.
    max_booster_images : int, default=10000
        Images (random subset) whose enhanced versions train each booster.
        A booster keeps at most ``n_clusters * max_patches_per_cluster``
        patches, so more images mostly cost the time of enhancing them.
    random_state : int, RandomState instance or None, default=None
        Seeds every module (each gets its own seed drawn from it) and the
        default sampling.
    n_jobs : int, default=None
        Passed to every module.
    verbose : int, default=0
        Progress per stage.

    Attributes
    ----------
    core_ : GMMCoreGenerator
        The fitted core.
    enhancers_ : list of ResolutionEnhancer
        One per octave, lowest resolution first.
    boosters_ : list of QualityBooster or None
        One per octave (None entries when ``booster="drop"``).
    resolutions_ : list of int
        Working sides, from the core's to the padded output's.
    image_shape_ : tuple of int
        ``(R, R, C)`` of the generated images (after cropping).
    padded_side_ : int
        Working side of the last stage (``R`` padded to ``r * 2**j``).
    n_parameters_ : int
        Learned parameters of all modules.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    Examples
    --------
    >>> from skpager import PAGER, GMMCoreGenerator, ResolutionEnhancer, QualityBooster
    >>> from skpager.datasets import load_demo
    >>> demo = load_demo()
    >>> pager = PAGER(
    ...     core=GMMCoreGenerator(resolution=8, n_components=5, pca_variance=0.95),
    ...     enhancer=ResolutionEnhancer(n_dc_components=5, min_window=None),
    ...     booster="drop", random_state=0,
    ... ).fit(demo.images[:300])
    >>> pager.sample(2).shape
    (2, 28, 28, 1)
    """

    _parameter_constraints: dict = {
        "core": [HasMethods(["fit", "sample"]), None],
        "enhancer": [HasMethods(["fit", "transform"]), None],
        "booster": [HasMethods(["fit", "transform"]), StrOptions({"drop"}), None],
        "output_resolution": [Interval(Integral, 1, None, closed="left"), None],
        "max_booster_images": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        core=None,
        enhancer=None,
        booster=None,
        output_resolution=None,
        max_booster_images=10000,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.core = core
        self.enhancer = enhancer
        self.booster = booster
        self.output_resolution = output_resolution
        self.max_booster_images = max_booster_images
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _log(self, message):
        if self.verbose:
            elapsed = time.perf_counter() - getattr(self, "_t0", time.perf_counter())
            print(f"[PAGER] {elapsed:7.1f}s {message}")

    def _module(self, template, default, rng):
        module = clone(default if template is None else template)
        params = module.get_params(deep=False)
        update = {"random_state": _seed(rng)}
        if "n_jobs" in params:
            update["n_jobs"] = self.n_jobs
        if "verbose" in params:
            update["verbose"] = max(self.verbose - 1, 0)
        return module.set_params(**{k: v for k, v in update.items() if k in params})

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the core and every enhancer/booster from the same images.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Square training images in [0, 1] (``uint8`` is rescaled).
        y : array-like of shape (n_samples,), default=None
            Class labels for class-conditional generation (core per class);
            the enhancers' exemplar stores keep them too, so that a sample
            copies the AC of a training image of its own class.

        Returns
        -------
        self : PAGER
            The fitted generator.
        """
        self._t0 = time.perf_counter()
        X, shape, is_nd = as_flat_images(X)
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        if shape is None:
            raise ValueError("PAGER needs images: pass X as (n, H, W) or (n, H, W, C).")
        height, width, channels = resolve_image_shape(shape, X.shape[1])
        if height != width:
            raise ValueError(f"PAGER needs square images; got {height}x{width}.")
        images = to_images(X, (height, width, channels)).astype(np.float64)
        side = self.output_resolution or height
        if side > height:
            raise ValueError(
                f"output_resolution={side} is larger than the training images ({height}); "
                "PAGER learns from images at least as large as its output."
            )
        if side != height:
            images = resize(images, side)
        self._nd_shape = shape if is_nd else None
        self._train_shape = (height, width, channels)
        self.image_shape_ = (side, side, channels)
        rng = check_random_state(self.random_state)

        core = self._module(self.core, GMMCoreGenerator(pca_variance=0.99), rng)
        r = core.resolution or (16 if channels == 1 else 4)
        if r > side:
            raise ValueError(f"The core resolution {r} is larger than the output side {side}.")
        core.set_params(resolution=r)
        padded = r
        while padded < side:
            padded *= 2
        self.padded_side_ = padded
        if padded != side:
            images = pad_images(images, padded, padded)
        self.resolutions_ = [r]
        while self.resolutions_[-1] < padded:
            self.resolutions_.append(2 * self.resolutions_[-1])

        self._log(f"core: {len(images)} images -> {r}x{r}x{channels}")
        self.core_ = core.fit(images, y)
        self.enhancers_, self.boosters_ = [], []
        # colour-dependent defaults, cloned per octave by _module
        enhancer_default, booster_default = default_enhancer(channels), default_booster(channels)
        for low_side, high_side in zip(self.resolutions_[:-1], self.resolutions_[1:], strict=True):
            low = resize(images, low_side)
            high = images if high_side == padded else resize(images, high_side)
            self._log(f"stage {low_side} -> {high_side}: enhancer")
            # labels let an exemplar store copy within the sample's class
            enhancer = self._module(self.enhancer, enhancer_default, rng).fit(low, high, labels=y)
            booster = None
            if not (isinstance(self.booster, str) and self.booster == "drop"):
                self._log(f"stage {low_side} -> {high_side}: booster")
                subset = np.sort(rng.permutation(len(low))[: self.max_booster_images])
                # the booster learns the detail missing from the conditional mean
                # (mixture mean: with exemplars a stored image would copy its own AC)
                enhanced = enhancer._enhance(low[subset], rng, 0.0, exemplars=False)
                booster = self._module(self.booster, booster_default, rng)
                booster.fit(enhanced, high[subset])
            self.enhancers_.append(enhancer)
            self.boosters_.append(booster)
        self._log("done")
        self.n_parameters_ = int(
            self.core_.n_parameters_
            + sum(e.n_parameters_ for e in self.enhancers_)
            + sum(b.n_parameters_ for b in self.boosters_ if b is not None)
        )
        return self

    def _cascade(self, images, start, rng, temperature=None, exemplars=True, labels=None):
        """Run the stages from index ``start`` (working side ``resolutions_[start]``)."""
        for enhancer, booster in zip(self.enhancers_[start:], self.boosters_[start:], strict=True):
            t = enhancer.temperature if temperature is None else temperature
            images = enhancer._enhance(images, rng, t, exemplars, labels)
            if booster is not None:
                images = booster._boost(images)
        return images

    def _output(self, images):
        side = self.image_shape_[0]
        if images.shape[1] != side:
            images = crop_images(images, side, side)
        return to_layout(np.ascontiguousarray(np.clip(images, 0.0, 1.0)), self._nd_shape)

    def sample(self, n_samples=1, y=None, random_state=None):
        """Generate images at the output resolution.

        Parameters
        ----------
        n_samples : int, default=1
            Number of images.
        y : label or array-like of shape (n_samples,), default=None
            Classes (class-conditional core); None draws them by frequency.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; None uses the estimator's ``random_state``.

        Returns
        -------
        images : ndarray
            ``(n_samples, R, R[, C])`` when fitted on n-D images, else
            ``(n_samples, R*R*C)``; clipped to [0, 1].
        """
        check_is_fitted(self)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        core, classes = self.core_._sample(n_samples, y, rng)
        labels = None if self.core_.classes_ is None else self.core_.classes_[classes]
        return self._output(self._cascade(core, 0, rng, labels=labels))

    def super_resolve(self, X, y=None, temperature=0.0, random_state=None, exemplars=False):
        """Upsample given images to the output resolution with the fitted stages.

        Parameters
        ----------
        X : array-like of shape (n_samples, h, w[, C])
            Images whose side ``h`` is a stage input at the output geometry:
            ``R / 2**j`` for ``j >= 1`` (e.g. 14 or 7 for 28x28 output).
        y : array-like of shape (n_samples,), default=None
            Classes of the images, used with ``exemplars=True`` only: a
            store fitted with labels then copies within each image's class.
        temperature : float, default=0.0
            Enhancer temperature; 0 gives deterministic super-resolution.
        random_state : int, RandomState instance or None, default=None
            Seed of the AC draws when ``temperature > 0``.
        exemplars : bool, default=False
            Let enhancers fitted with ``exemplars > 0`` (PAGER's colour
            default) copy a stored training image's AC, as :meth:`sample`
            does.  Off by default: given images carry their own content, and
            another image's AC scrambles it (on CIFAR-10, 8x8 -> 32x32 PSNR
            drops from 18.98 to 17.47 dB; see ``docs/benchmarks.md``).

        Returns
        -------
        images : ndarray
            At the output resolution, in the layout PAGER was fitted with.
        """
        check_is_fitted(self)
        X, shape, _ = as_flat_images(X)
        if shape is None:
            raise ValueError("super_resolve needs images as (n, h, w) or (n, h, w, C).")
        h, w, c = resolve_image_shape(shape, np.asarray(X).shape[1])
        side, padded = self.image_shape_[0], self.padded_side_
        starts = {
            res * side // padded: i
            for i, res in enumerate(self.resolutions_[:-1])
            if res * side % padded == 0
        }
        if h != w or h not in starts or c != self.image_shape_[2]:
            raise ValueError(
                f"super_resolve takes {sorted(starts)} pixel square images with "
                f"{self.image_shape_[2]} channel(s); got {h}x{w}x{c}."
            )
        images = to_images(np.asarray(X, dtype=np.float64), (h, w, c))
        if not np.all(np.isfinite(images)):
            raise ValueError("X contains NaN or infinity.")
        start = starts[h]
        work = self.resolutions_[start]
        if work != h:
            images = pad_images(images, work, work)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        if y is not None:
            y = np.asarray(y)
            if y.shape != (len(images),):
                raise ValueError(
                    f"y must hold one label per image ({len(images)}); got shape {y.shape}."
                )
        return self._output(self._cascade(images, start, rng, temperature, exemplars, y))

    def score(self, X, y=None):
        """Core log-likelihood of ``X`` plus each stage's AC log-likelihood.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, H*W*C)
            Images at the training size.
        y : array-like of shape (n_samples,), default=None
            Labels, for the class-conditional core likelihood.

        Returns
        -------
        score : float
            ``core_.score`` of the core images plus, for every octave,
            the enhancer's mean whole-image AC log-likelihood.  Higher is better.
        """
        check_is_fitted(self)
        X, _, _ = as_flat_images(X, self._train_shape)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        images = to_images(X, self._train_shape).astype(np.float64)
        if images.shape[1] != self.image_shape_[0]:
            images = resize(images, self.image_shape_[0])
        if self.padded_side_ != self.image_shape_[0]:
            images = pad_images(images, self.padded_side_, self.padded_side_)
        total = self.core_.score(images, y)
        for enhancer, res in zip(self.enhancers_, self.resolutions_[:-1], strict=True):
            total += enhancer.score(resize(images, res), images)
        return float(total)
