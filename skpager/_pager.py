"""PAGER: core generator + cascade of resolution enhancers and quality boosters."""

import inspect
import math
import time
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ._booster import QualityBooster
from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._conditional import ConditionalEnhancer
from ._core import GMMCoreGenerator
from ._exemplar import ExemplarEnhancer
from ._image import (
    PIXEL_MARGIN,
    as_flat_images,
    check_pixel_range,
    crop_images,
    known_pixels,
    masked_resize,
    pad_images,
    resize,
    resolve_image_shape,
    to_images,
    to_layout,
)
from ._local_core import LocalPCACoreGenerator
from ._utils import (
    check_labels,
    check_offset,
    check_temperature,
    draw_seed,
    fill_batches,
    param_keys,
    sample_batches,
    stream_seed,
    threaded_map,
)

__all__ = ["PAGER"]

# Images per batch of the cascade inside sample: working memory is set by it
# (times twice the number of jobs), and with n_jobs > 1 it is the unit of
# work shared among the threads.
_SAMPLE_BATCH = 2048


def _accepts(method, name):
    """Whether ``method`` takes a keyword argument called ``name`` (explicitly:
    a ``**kwargs`` catch-all, as a Pipeline's ``transform`` has for metadata
    routing, does not count)."""
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):  # a callable without a signature
        return False


def _stage_kwargs(method, **kwargs):
    """The keyword arguments of the stage contract that ``method`` accepts
    (None values are not passed)."""
    return {k: v for k, v in kwargs.items() if v is not None and _accepts(method, k)}


class PAGER(BaseEstimator):
    """Progressive image generation: a core generator and cascaded enhancers.

    ``fit`` trains, from the same images, a core generator at the core
    resolution ``r`` and, for every octave ``r -> 2r -> ... -> R``, an
    enhancer and a booster (the booster on the enhancer's own output).
    ``sample`` draws core images and passes them up the cascade;
    ``super_resolve`` passes given images up the cascade from their
    resolution, with no retraining; ``inpaint`` fills the missing pixels of
    given images by exact conditioning of the core on the observed ones;
    ``score_samples`` scores every image by its log-likelihood under the
    cascade.

    Sides that are not ``r * 2**j`` are zero-padded to the next such size for
    training and cropped back on output (28x28 MNIST-like images train at
    32x32 with a 16x16 core, as in the paper).

    PAGER uses its stages through the public stage contract only (see the
    :ref:`User Guide <stage-contract>`), so any estimator that follows it can
    be a stage:

    - the core: ``fit(X, y=None)`` and ``sample(n_samples, y=None,
      random_state=None)``; with a ``return_labels=True`` keyword it also
      returns the class of every drawn image, which the octaves then get;
    - an octave (enhancer or booster): ``fit(X_low, y_high, **fit_params)``
      and ``transform(X_low)``.  The keywords ``labels``, ``temperature``
      and ``random_state`` of ``transform``, and ``labels`` and ``store`` of
      ``fit``, are passed to the stages whose signature names them.

    Read more in the :ref:`User Guide <pager>`.

    Parameters
    ----------
    core : estimator, default=None
        Template of the core generator (cloned); None uses PAGER's default
        for the data's colour (see :meth:`default_stages`).  A :class:`GMMCoreGenerator`
        with ``resolution=None`` gets PAGER's default side: 16 for grey and 4
        for colour images (at most the output side).
    enhancer : estimator, default=None
        Template cloned for every octave.  None uses a
        :class:`ConditionalEnhancer` for grey images and an
        :class:`ExemplarEnhancer` for colour images (see
        :meth:`default_stages`).
    booster : estimator, "drop" or None, default=None
        Template cloned for every octave; None uses PAGER's default for the
        data's colour (see :meth:`default_stages`).  ``"drop"`` fits no
        booster.
    sampling_enhancer : estimator, "drop" or None, default=None
        Template of a second enhancer for the first octave, used by
        :meth:`sample` (and :meth:`iter_samples`) in place of the first
        enhancer: it is fitted on the core's reconstructions of the
        training images (``core.reconstruct(X, y)``: the images as the core
        represents them, which its samples resemble) instead of their
        downsampled versions.  :meth:`super_resolve` and :meth:`inpaint`,
        whose inputs are real images, keep the first enhancer.  None uses
        PAGER's default for the data's colour (see :meth:`default_stages`),
        and no sampling enhancer when the core has no ``reconstruct``
        method; ``"drop"``: :meth:`sample` uses the first enhancer.
    output_resolution : int, default=None
        Side of the generated images.  None keeps the training images' side;
        a smaller value trains on downsampled images.
    max_booster_images : int, default=10000
        Images whose enhanced versions train each booster: the last of the
        fit's order of preference (``store_order_``), so that they are not
        among the images an exemplar store keeps.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(H, W, C)`` of the rows of 2-D ``X``; set from n-D
        input.  None reads a row of 2-D data as a 1x1 image with
        ``n_features`` channels (PAGER is then its core alone).
    random_state : int, RandomState instance or None, default=None
        Seeds every module (each gets its own seed drawn from it) and the
        default sampling.
    n_jobs : int, default=None
        Passed to every module that has the parameter, and to the
        estimators nested in a module (such as the core a
        :class:`DensityRatioResampler` wraps).  :meth:`sample` and
        :meth:`iter_samples` also draw their batches in ``n_jobs`` threads,
        with BLAS and OpenMP on one thread each while they run: the same
        images as ``n_jobs=1``, to BLAS rounding.  None means 1 unless in a
        ``joblib.parallel_config`` context; -1 means all processors.
    verbose : int, default=0
        Progress per stage.

    Attributes
    ----------
    core_ : estimator
        The fitted core.
    enhancers_ : list of estimator
        One per octave, lowest resolution first.
    boosters_ : list of estimator or None
        One per octave (None entries when ``booster="drop"``).
    sampling_enhancer_ : estimator or None
        The first octave's enhancer for :meth:`sample`, fitted on the
        core's reconstructions; None when there is none (then
        :meth:`sample` uses ``enhancers_[0]``).
    resolutions_ : list of int
        Working sides, from the core's to the padded output's.
    image_shape_ : tuple of int
        ``(R, R, C)`` of the generated images (after cropping).
    padded_side_ : int
        Working side of the last stage (``R`` padded to ``r * 2**j``).
    store_order_ : ndarray of int
        The training images in the order of preference passed as ``store``
        to every octave that takes it (exemplar stores keep the first ones;
        the boosters train on the last ones).
    n_parameters_ : int
        Learned parameters of the modules that report ``n_parameters_``.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    AttributeGuidedGenerator : One PAGER per cluster of attribute vectors.

    Examples
    --------
    >>> from skpager import PAGER, GMMCoreGenerator, ResolutionEnhancer
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
        "sampling_enhancer": [HasMethods(["fit", "transform"]), StrOptions({"drop"}), None],
        "output_resolution": [Interval(Integral, 1, None, closed="left"), None],
        "max_booster_images": [Interval(Integral, 1, None, closed="left")],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        core=None,
        *,
        enhancer=None,
        booster=None,
        sampling_enhancer=None,
        output_resolution=None,
        max_booster_images=10000,
        image_shape=None,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.core = core
        self.enhancer = enhancer
        self.booster = booster
        self.sampling_enhancer = sampling_enhancer
        self.output_resolution = output_resolution
        self.max_booster_images = max_booster_images
        self.image_shape = image_shape
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @staticmethod
    def default_stages(n_channels):
        """The stage templates PAGER uses where ``core``, ``enhancer``,
        ``booster`` or ``sampling_enhancer`` is None.

        Grey images: a core whose components each keep their own principal
        axes, ``LocalPCACoreGenerator()`` (its mixture:
        full covariances in the PCA space of 0.85 of the variance, as many
        components per class as the held-out likelihood supports; sampled at
        temperature 1); the :class:`ConditionalEnhancer`
        (``n_clusters=1024, max_windows=500000``); the paper's booster
        without its edge mask, on overlapping patches, each borrowing the
        residual of its nearest stored patch,
        ``QualityBooster(edge_mask=False, stride=4, n_neighbors=1)``: the
        borrowed residuals carry the texture when sampling (temperature 1),
        and their least-squares part only in ``super_resolve`` at temperature
        0.  (On octaves whose side is not a multiple of 8, the patch is the
        largest divisor of the side up to 8 and the stride half of it.)  For
        sampling, a second ``ConditionalEnhancer(512, max_windows=500000)``
        fitted on the core's reconstructions of the training images (the
        booster stays the one trained behind the first enhancer).
        Colour images: ``GMMCoreGenerator(pca_variance=0.99)``,
        ``ExemplarEnhancer()`` (every 2x2 window of an octave's output copies
        the AC of a stored training window, added whole), no booster and no
        sampling enhancer (both ``"drop"``: a booster trained behind copied
        AC pulls the copied texture towards other images').  The defaults
        were chosen on validation splits of the training images; measured
        figures: the :doc:`results page </benchmarks>`.

        Parameters
        ----------
        n_channels : int
            Channels of the training images.

        Returns
        -------
        stages : dict
            Unfitted templates (or ``"drop"``) under the keys ``"core"``,
            ``"enhancer"``, ``"booster"`` and ``"sampling_enhancer"``.
        """
        if n_channels == 1:
            return {
                "core": LocalPCACoreGenerator(),
                "enhancer": ConditionalEnhancer(1024, max_windows=500000),
                "booster": QualityBooster(edge_mask=False, stride=4, n_neighbors=1),
                "sampling_enhancer": ConditionalEnhancer(512, max_windows=500000),
            }
        return {
            "core": GMMCoreGenerator(pca_variance=0.99),
            "enhancer": ExemplarEnhancer(),
            "booster": "drop",
            "sampling_enhancer": "drop",
        }

    def _log(self, message):
        if self.verbose:
            elapsed = time.perf_counter() - getattr(self, "_t0", time.perf_counter())
            print(f"[PAGER] {elapsed:7.1f}s {message}")

    def _module(self, template, default, rng):
        module = clone(default if template is None else template)
        params = module.get_params(deep=False)
        seed = draw_seed(rng)  # drawn for every module, so later seeds do not move
        update = {"random_state": seed} if "random_state" in params else {}
        # n_jobs reaches nested estimators too (the core a resampler wraps)
        update.update(dict.fromkeys(param_keys(module, "n_jobs"), self.n_jobs))
        if "verbose" in params:  # a Pipeline's verbose is a bool
            level = max(int(self.verbose) - 1, 0)
            update["verbose"] = bool(level) if isinstance(params["verbose"], bool) else level
        return module.set_params(**update)

    def _fit_sampling_enhancer(self, images, y, defaults, rng):
        """The first octave's enhancer for ``sample``, fitted on the core's
        reconstructions of the training images, or None."""
        explicit = self.sampling_enhancer is not None
        template = self.sampling_enhancer if explicit else defaults["sampling_enhancer"]
        if len(self.resolutions_) < 2 or isinstance(template, str):  # no octave, or "drop"
            return None
        if not hasattr(self.core_, "reconstruct"):
            if not explicit:  # the default needs a core that can reconstruct
                return None
            raise ValueError(
                f"sampling_enhancer needs a core with a reconstruct(X, y) method; "
                f"{type(self.core_).__name__} has none. Pass sampling_enhancer='drop'."
            )
        low_side, high_side = self.resolutions_[:2]
        self._log(f"stage {low_side} -> {high_side}: sampling enhancer (core reconstructions)")
        low = np.asarray(self.core_.reconstruct(images, y), dtype=np.float64)
        low = low.reshape((len(images),) + self._core_shape())
        high = images if high_side == self.padded_side_ else resize(images, high_side)
        enhancer = self._module(template, template, rng)
        return enhancer.fit(
            low, high, **_stage_kwargs(enhancer.fit, labels=y, store=self.store_order_)
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the core and every enhancer/booster from the same images.

        Parameters
        ----------
        X : array-like of shape (n_samples, H*W*C) or (n_samples, H, W[, C])
            Square training images in [0, 1] (``uint8`` is rescaled).
        y : array-like of shape (n_samples,), default=None
            Class labels for class-conditional generation (core per class);
            passed as ``labels`` to the octaves that take them (an exemplar
            store then copies within a sample's class).

        Returns
        -------
        self : PAGER
            The fitted generator.
        """
        self._t0 = time.perf_counter()
        X, shape, is_nd = as_flat_images(X, self.image_shape)
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        check_pixel_range(X)
        height, width, channels = resolve_image_shape(shape, X.shape[1])
        if height != width:
            raise ValueError(f"PAGER needs square images; got {height}x{width}.")
        # float64 without a copy of float64 input: fit only reads it
        images = to_images(X, (height, width, channels)).astype(np.float64, copy=False)
        y = check_labels(y, len(images), name="y")
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
        defaults = self.default_stages(channels)

        core = self._module(self.core, defaults["core"], rng)
        r = self._core_resolution(core, channels, side)
        padded = r
        while padded < side:
            padded *= 2
        self.padded_side_ = padded
        if padded != side:
            images = pad_images(images, padded, padded)
        self.resolutions_ = [r]
        while self.resolutions_[-1] < padded:
            self.resolutions_.append(2 * self.resolutions_[-1])

        # the booster template: the parameter, or where it is None the
        # default; "drop" (the only string the parameter allows) fits none
        booster_template = defaults["booster"] if self.booster is None else self.booster
        use_booster = not isinstance(booster_template, str)
        patch_sizes = self._booster_patch_sizes(booster_template) if use_booster else {}
        self._log(f"core: {len(images)} images -> {r}x{r}x{channels}")
        self.core_ = core.fit(images, y)
        # one order of preference over the training images for every octave:
        # exemplar stores keep its first images, the boosters train on its last
        self.store_order_ = rng.permutation(len(images))
        booster_rows = np.sort(self.store_order_[::-1][: self.max_booster_images])
        self.enhancers_, self.boosters_ = [], []
        for low_side, high_side in zip(self.resolutions_[:-1], self.resolutions_[1:], strict=True):
            low = resize(images, low_side)
            high = images if high_side == padded else resize(images, high_side)
            self._log(f"stage {low_side} -> {high_side}: enhancer")
            enhancer = self._module(self.enhancer, defaults["enhancer"], rng)
            enhancer.fit(
                low, high, **_stage_kwargs(enhancer.fit, labels=y, store=self.store_order_)
            )
            booster = None
            if use_booster:
                self._log(f"stage {low_side} -> {high_side}: booster")
                # the booster learns what the enhancer's deterministic output misses
                labels = None if y is None else y[booster_rows]
                enhanced = enhancer.transform(
                    low[booster_rows],
                    **_stage_kwargs(
                        enhancer.transform, labels=labels, temperature=0.0, random_state=0
                    ),
                )
                booster = self._module(booster_template, booster_template, rng)
                booster.set_params(**patch_sizes.get(high_side, {}))
                booster.fit(enhanced, high[booster_rows])
            self.enhancers_.append(enhancer)
            self.boosters_.append(booster)
        # last, so that the other stages' seeds do not depend on it
        self.sampling_enhancer_ = self._fit_sampling_enhancer(images, y, defaults, rng)
        self._log("done")
        modules = [self.core_, *self.enhancers_, *(b for b in self.boosters_ if b is not None)]
        if self.sampling_enhancer_ is not None:
            modules.append(self.sampling_enhancer_)
        self.n_parameters_ = int(sum(getattr(m, "n_parameters_", 0) for m in modules))
        return self

    def _booster_patch_sizes(self, template):
        """``{side: {"patch_size": p, "stride": s}}`` of the booster at each
        octave's output side, checked before anything is fitted.  PAGER's own
        booster takes the largest divisor of the side up to its default patch
        size, and a stride in the same proportion to it; a booster passed with
        a ``patch_size`` (and ``stride``) that does not tile a side is refused
        here."""
        sides = self.resolutions_[1:]
        if self.booster is None:  # PAGER's own default template
            params = template.get_params()
            patch, stride = params["patch_size"], params.get("stride")
            plan = {}
            for side in sides:
                p = math.gcd(patch, side)
                s = None if stride is None else max(1, stride * p // patch)
                plan[side] = {"patch_size": p, "stride": s}
            return plan
        params = template.get_params(deep=False)
        patch, stride = params.get("patch_size"), params.get("stride")
        if not isinstance(patch, Integral) or isinstance(patch, bool):
            return {}
        if isinstance(stride, Integral) and not isinstance(stride, bool) and stride > 0:
            bad = [side for side in sides if (side - min(patch, side)) % stride]
            rule = f"patch_size={patch} and stride={stride} do not tile"
        else:
            bad = [side for side in sides if side % min(patch, side)]
            rule = f"patch_size={patch} does not divide"
        if bad:
            raise ValueError(
                f"The booster's {rule} the octave side {bad[0]} of this cascade (sides "
                f"{self.resolutions_}); pass a booster whose patches tile every side, e.g. "
                f"patch_size={math.gcd(patch, *sides)} with the default stride."
            )
        return {side: {} for side in sides}

    @staticmethod
    def _core_resolution(core, channels, side):
        """Side of the core images: the core's ``resolution`` when it has one
        set, else PAGER's default (16 grey, 4 colour; at most ``side``).  A
        core without its own ``resolution`` that wraps one core (a single
        nested ``..__resolution`` parameter, as in
        ``DensityRatioResampler(LocalPCACoreGenerator())``) is read and set
        through that parameter."""
        keys = param_keys(core, "resolution")
        own = keys[:1] == ["resolution"]
        key = keys[0] if own or len(keys) == 1 else None
        r = None if key is None else core.get_params(deep=True)[key]
        if r is None:
            r = min(16 if channels == 1 else 4, side)
            if key is not None:
                core.set_params(**{key: r})
        if r > side:
            raise ValueError(f"The core resolution {r} is larger than the output side {side}.")
        return r

    def _cascade(
        self, images, start, rng, temperature=None, labels=None, known=None, sampling=False
    ):
        """Run the stages from index ``start`` (working side ``resolutions_[start]``).

        ``known``: ``(images, observed)`` at the padded output side; after
        every enhancer and booster the observed pixels are put back
        (:meth:`_put_back`).  ``sampling``: the images are sampled cores, so
        the first octave uses the sampling enhancer when there is one.
        """
        enhancers = list(self.enhancers_)
        if sampling and getattr(self, "sampling_enhancer_", None) is not None:
            enhancers[0] = self.sampling_enhancer_
        for enhancer, booster in zip(enhancers[start:], self.boosters_[start:], strict=True):
            kwargs = _stage_kwargs(
                enhancer.transform,
                labels=labels,
                temperature=temperature,
                random_state=draw_seed(rng),
            )
            # every hand-off stays within the pixel band the stages accept
            # (only draws at extreme temperatures reach its edge)
            images = np.clip(enhancer.transform(images, **kwargs), -PIXEL_MARGIN, 1 + PIXEL_MARGIN)
            # the known pixels at this octave's side, for both put-backs
            back = None if known is None else masked_resize(*known, images.shape[1])
            images = self._put_back(images, back)
            if booster is not None:
                images = booster.transform(
                    images,
                    **_stage_kwargs(booster.transform, labels=labels, temperature=temperature),
                )
                images = np.clip(images, -PIXEL_MARGIN, 1 + PIXEL_MARGIN)
                images = self._put_back(images, back)
        return images

    @staticmethod
    def _put_back(images, back):
        """Blend the known pixels into ``images``: ``back`` is ``(values,
        share)`` of :func:`~skpager._image.masked_resize` at the images' side,
        the normalised average of the observed pixels weighted by the share
        of observed pixels in each block (so at the output side, the
        observed pixels exactly)."""
        if back is None:
            return images
        values, share = back
        share = share[..., None]
        blended = share * values + (1.0 - share) * images
        return np.clip(blended, -PIXEL_MARGIN, 1 + PIXEL_MARGIN)

    def _output(self, images):
        side = self.image_shape_[0]
        if images.shape[1] != side:
            images = crop_images(images, side, side)
        return to_layout(np.ascontiguousarray(np.clip(images, 0.0, 1.0)), self._nd_shape)

    def sample(self, n_samples=1, y=None, random_state=None, *, offset=0):
        """Generate images at the output resolution.

        Every image is drawn from its own random numbers, set by the seed
        and its position in the seed's stream of images (with a core whose
        ``sample`` takes ``offset``, as :class:`GMMCoreGenerator`'s does):
        ``sample(n, random_state=s)`` and the batches of :meth:`iter_samples`
        with the same seed give the same images, to floating-point rounding
        (BLAS may sum a product in another order for another number of
        rows).  The cascade runs on batches of 2,048 images, so working
        memory does not grow with ``n_samples`` (the returned array does);
        with ``n_jobs > 1`` the batches are drawn in that many threads.

        Parameters
        ----------
        n_samples : int, default=1
            Number of images.
        y : label or array-like of shape (n_samples,), default=None
            Classes (class-conditional core); None draws them by frequency.
        random_state : int, RandomState instance or None, default=None
            Seed of this call; None uses the estimator's ``random_state``.
        offset : int, default=0
            Position in the stream of ``random_state`` of the first image:
            ``sample(n, offset=k)`` returns images ``k .. k + n - 1`` of the
            stream.

        Returns
        -------
        images : ndarray
            ``(n_samples, R, R[, C])`` when fitted on n-D images, else
            ``(n_samples, R*R*C)``; clipped to [0, 1].
        """
        check_is_fitted(self)
        offset = check_offset(offset)
        # a core without offset cannot start mid-stream: one batch for it
        batch = _SAMPLE_BATCH if _accepts(self.core_.sample, "offset") else n_samples
        pieces = self._pieces(n_samples, batch, y, offset)
        seed = stream_seed(self, random_state)
        return fill_batches(n_samples, pieces, self._draw_batches(seed, pieces, offset))

    def iter_samples(self, n_samples, *, batch_size=4096, y=None, random_state=None):
        """Generate ``n_samples`` images in batches, in constant memory.

        The batches hold, in order, the images :meth:`sample` returns for
        the same arguments, whatever ``batch_size`` is: each image depends
        on the seed and its position in the stream only.  Write each batch
        to disk as it comes to generate more images than fit in memory.

        Parameters
        ----------
        n_samples : int
            Number of images in all.
        batch_size : int, default=4096
            Images per batch (the last batch may be smaller).
        y : label or array-like of shape (n_samples,), default=None
            Classes (class-conditional core); None draws them by frequency.
        random_state : int, RandomState instance or None, default=None
            Seed of the whole run; None uses the estimator's ``random_state``.

        Returns
        -------
        batches : generator of ndarray
            Yields ``(m, R, R[, C])`` (or ``(m, R*R*C)``) arrays, ``m <=
            batch_size``.

        Examples
        --------
        >>> import numpy as np
        >>> from skpager import PAGER, GMMCoreGenerator
        >>> X = np.random.RandomState(0).rand(60, 8, 8)
        >>> pager = PAGER(core=GMMCoreGenerator(resolution=4, n_components=2),
        ...               random_state=0).fit(X)
        >>> batches = list(pager.iter_samples(10, batch_size=4, random_state=1))
        >>> [len(b) for b in batches]
        [4, 4, 2]
        >>> bool(np.allclose(np.concatenate(batches), pager.sample(10, random_state=1), atol=1e-9))
        True
        """
        check_is_fitted(self)
        pieces = self._pieces(n_samples, batch_size, y, 0)
        seed = stream_seed(self, random_state)
        return self._draw_batches(seed, pieces, 0)

    def _draw_batches(self, seed, pieces, offset):
        """The images of every ``(start, stop, y)`` piece, in order (a
        generator), drawn in ``n_jobs`` threads (:func:`threaded_map`)."""
        return threaded_map(
            self._sample_range,
            [(seed, offset + start, stop - start, part) for start, stop, part in pieces],
            self.n_jobs,
        )

    def _pieces(self, n_samples, batch_size, y, offset):
        """The ``(start, stop, y)`` batches of a sampling call; a core that
        cannot start at a position of its stream (no ``offset``) allows one
        batch from position 0 only."""
        if not _accepts(self.core_.sample, "offset"):
            pieces = sample_batches(n_samples, batch_size, y)
            if offset or len(pieces) > 1:
                raise ValueError(
                    f"The core {type(self.core_).__name__} has no offset keyword in its "
                    "sample method, so PAGER cannot sample it in batches or from an offset."
                )
            return pieces
        return sample_batches(n_samples, batch_size, y)

    def _sample_range(self, seed, offset, n_samples, y):
        """Images ``offset .. offset + n_samples - 1`` of the stream of ``seed``."""
        rng = np.random.RandomState(seed)
        kwargs = _stage_kwargs(
            self.core_.sample,
            random_state=draw_seed(rng),
            offset=offset if _accepts(self.core_.sample, "offset") else None,
            return_labels=True,
        )
        drawn = self.core_.sample(n_samples, y, **kwargs)
        core, labels = drawn if "return_labels" in kwargs else (drawn, None)
        core = np.asarray(core, dtype=np.float64).reshape((len(core),) + self._core_shape())
        return self._output(self._cascade(core, 0, rng, labels=labels, sampling=True))

    def _core_shape(self):
        r = self.resolutions_[0]
        return (r, r, self.image_shape_[2])

    def super_resolve(self, X, y=None, temperature=0.0, random_state=None):
        """Upsample given images to the output resolution with the fitted stages.

        Parameters
        ----------
        X : array-like of shape (n_samples, h, w[, C])
            Images whose side ``h`` is a stage input at the output geometry:
            ``R / 2**j`` for ``j >= 1`` (e.g. 14 or 7 for 28x28 output).
        y : array-like of shape (n_samples,), default=None
            Classes of the images, passed as ``labels`` to the octaves that
            take them (an exemplar store then copies within each class).
        temperature : float in [0, 10], default=0.0
            Temperature of every octave's enhancer and booster (where they
            take one); 0 gives deterministic super-resolution: conditional
            means, and of a booster's borrowed residual only the
            least-squares part.
        random_state : int, RandomState instance or None, default=None
            Seed of the AC draws when ``temperature > 0``.

        Returns
        -------
        images : ndarray
            At the output resolution, in the layout PAGER was fitted with.
        """
        check_is_fitted(self)
        temperature = check_temperature(temperature)
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
        if not starts:
            raise ValueError(
                f"This PAGER has no octave (its core is at the output resolution, "
                f"{side}x{side}), so it has nothing to super-resolve with."
            )
        if h != w or h not in starts or c != self.image_shape_[2]:
            raise ValueError(
                f"super_resolve takes {sorted(starts)} pixel square images with "
                f"{self.image_shape_[2]} channel(s); got {h}x{w}x{c}."
            )
        images = to_images(np.asarray(X, dtype=np.float64), (h, w, c))
        if not np.all(np.isfinite(images)):
            raise ValueError("X contains NaN or infinity.")
        check_pixel_range(images)
        start = starts[h]
        work = self.resolutions_[start]
        if work != h:
            images = pad_images(images, work, work)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        y = check_labels(y, len(images), name="y")
        return self._output(self._cascade(images, start, rng, temperature, y))

    def _padded(self, X):
        """Validated images at the padded output side, ``(n, P, P, C)``."""
        X, _, _ = as_flat_images(X, self._train_shape)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        check_pixel_range(X)
        images = to_images(X, self._train_shape).astype(np.float64)
        if images.shape[1] != self.image_shape_[0]:
            images = resize(images, self.image_shape_[0])
        if self.padded_side_ != self.image_shape_[0]:
            images = pad_images(images, self.padded_side_, self.padded_side_)
        return images

    def score_stages(self, X, y=None):
        """Per-image log-likelihood of every stage of the cascade.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, H*W*C)
            Images at the training size.
        y : array-like of shape (n_samples,), default=None
            Labels, for the class-conditional core likelihood.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples, 1 + n_octaves)
            Column 0: the core's log-likelihood of the downsampled image
            (``core_.score_samples``); column ``1 + i``: octave ``i``'s
            conditional log-likelihood of its output's detail (AC) given its
            input (the enhancer's ``score_samples``; 0 for an enhancer that
            has none).  The boosters have no likelihood.
        """
        check_is_fitted(self)
        if not hasattr(self.core_, "score_samples"):
            raise TypeError(
                f"The core {type(self.core_).__name__} has no score_samples method; PAGER's "
                "likelihood needs a core with one (such as GMMCoreGenerator)."
            )
        images = self._padded(X)
        out = np.zeros((len(images), 1 + len(self.enhancers_)))
        out[:, 0] = self.core_.score_samples(images, y)
        for i, (enhancer, res) in enumerate(
            zip(self.enhancers_, self.resolutions_[:-1], strict=True)
        ):
            if hasattr(enhancer, "score_samples"):
                high = resize(images, self.resolutions_[i + 1])
                out[:, 1 + i] = enhancer.score_samples(resize(images, res), high)
        return out

    def score_samples(self, X, y=None):
        """Log-likelihood of every image: the core's plus every octave's.

        The cascade is a chain of exact densities: the core's over the
        downsampled image, then for every octave the conditional density of
        the detail (AC) it adds given its input; the sum is the image's
        log-likelihood under the cascade, at the padded working size (the
        boosters are not part of it).  The octaves model the detail in its
        own window space, so the sum scores images (higher: more typical)
        rather than integrating to one over the output pixels.  Read more in
        the :ref:`User Guide <novelty>`.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, H*W*C)
            Images at the training size.
        y : array-like of shape (n_samples,), default=None
            Labels, for the class-conditional core likelihood.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            Row sums of :meth:`score_stages`.  Higher is more typical.
        """
        return self.score_stages(X, y).sum(axis=1)

    def score(self, X, y=None):
        """Mean log-likelihood of ``X`` (:meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W[, C]) or (n_samples, H*W*C)
            Images at the training size.
        y : array-like of shape (n_samples,), default=None
            Labels, for the class-conditional core likelihood.

        Returns
        -------
        score : float
            The core's mean log-likelihood plus, for every octave whose
            enhancer has ``score_samples``, its mean conditional
            log-likelihood.  Higher is better.
        """
        return float(np.mean(self.score_samples(X, y)))

    # ------------------------------------------------------------- inpainting
    def _known_pixels(self, X, mask):
        """Images and their observed pixels, checked, at the padded working
        side (the padding is known: zeros, as in training)."""
        arr, _, _ = as_flat_images(X, name="X")
        arr = np.asarray(arr, dtype=np.float64)
        side, _, channels = self.image_shape_
        if arr.ndim != 2 or arr.shape[1] != side * side * channels:
            raise ValueError(
                f"X must hold {side}x{side}x{channels} images (the output size), as "
                f"(n, {side}, {side}[, {channels}]) or (n, {side * side * channels}); got "
                f"{np.shape(X)}."
            )
        images, observed = known_pixels(arr, mask, self.image_shape_)
        padded = self.padded_side_
        if padded != side:
            images = pad_images(images, padded, padded)
            observed = ~pad_images((~observed)[..., None], padded, padded)[..., 0]
        return images, observed

    def inpaint(self, X, mask, y=None, temperature=0.0, random_state=None):
        """Fill the missing pixels of given images consistently with the model.

        The core completes the downsampled image by exact conditioning of
        its Gaussian mixtures on the observed pixels (the core's
        ``inpaint``); the octaves then enhance the completed image, and after
        every enhancer and booster the known pixels are put back (their
        average at that resolution, weighted by the share of observed
        pixels of each block), so that the output keeps the observed pixels
        exactly and the octaves fill only the rest.  Read more in the
        :ref:`User Guide <inpainting>`.

        Parameters
        ----------
        X : array-like of shape (n_samples, R, R[, C]) or (n_samples, R*R*C)
            Images at the output size, floats in [0, 1] (``uint8`` is
            rescaled); values at missing pixels are ignored (NaN allowed
            there).
        mask : array-like of bool of shape (R, R), (n_samples, R, R) or (n_samples, R*R)
            True where a pixel is missing (in all its channels): one mask for
            all images or one per image, holes of any shape.  All pixels
            missing is plain (class-conditional) sampling; no pixel missing
            returns ``X``.
        y : label or array-like of shape (n_samples,), default=None
            Classes of the images; None lets the observed pixels decide
            (:meth:`predict_proba`).
        temperature : float in [0, 10], default=0.0
            0 gives the conditional mean at the core and runs the octaves
            deterministically, as :meth:`super_resolve` does (one completion
            per image); above 0, the core's completion is drawn from its
            conditional, its covariance scaled by ``temperature``, and the
            octaves run as in :meth:`sample` (at their own temperatures).
        random_state : int, RandomState instance or None, default=None
            Seed of the draws when ``temperature > 0``; None uses the
            estimator's ``random_state``.

        Returns
        -------
        images : ndarray
            Completed images in the layout PAGER was fitted with, the
            observed pixels unchanged.

        Examples
        --------
        >>> import numpy as np
        >>> from skpager import PAGER, GMMCoreGenerator
        >>> X = np.random.RandomState(0).rand(60, 8, 8)
        >>> pager = PAGER(core=GMMCoreGenerator(resolution=4, n_components=2,
        ...                                     pca_variance=0.9), random_state=0).fit(X)
        >>> mask = np.zeros((8, 8), dtype=bool)
        >>> mask[2:6, 2:6] = True  # a square hole
        >>> filled = pager.inpaint(X[:3], mask)
        >>> bool(np.all(filled[:, ~mask] == X[:3, ~mask]))
        True
        """
        check_is_fitted(self)
        temperature = check_temperature(temperature)
        if not hasattr(self.core_, "inpaint"):
            raise TypeError(
                f"The core {type(self.core_).__name__} has no inpaint method; PAGER.inpaint "
                "needs a core that can complete images (such as GMMCoreGenerator)."
            )
        images, observed = self._known_pixels(X, mask)
        y = None if y is None else np.asarray(y)
        if y is not None and y.ndim == 0:
            y = np.full(len(images), y.item())
        y = check_labels(y, len(images), name="y")
        if observed.all():
            return self._output(images)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        kwargs = _stage_kwargs(self.core_.inpaint, random_state=draw_seed(rng), return_labels=True)
        drawn = self.core_.inpaint(images, ~observed, y, temperature, **kwargs)
        core, labels = drawn if "return_labels" in kwargs else (drawn, None)
        core = np.asarray(core, dtype=np.float64).reshape((len(core),) + self._core_shape())
        labels = y if y is not None else labels
        # octaves: deterministic at temperature 0 (as super_resolve), else as in sample
        octave_t = 0.0 if temperature == 0 else None
        out = self._cascade(core, 0, rng, octave_t, labels, known=(images, observed))
        return self._output(out)

    def predict_proba(self, X, mask=None):
        """Posterior probability of every class given the (observed) pixels.

        The core's class posterior (its ``predict_proba``): Bayes' rule over
        the class-conditional core models, from the observed pixels only
        when ``mask`` is given, so a class-conditional PAGER is also a
        classifier of whole or partial images.

        Parameters
        ----------
        X : array-like of shape (n_samples, R, R[, C]) or (n_samples, R*R*C)
            Images at the output size.
        mask : array-like of bool, default=None
            Missing pixels, as in :meth:`inpaint`; None: all observed.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``core_.classes_``.
        """
        check_is_fitted(self)
        if not hasattr(self.core_, "predict_proba"):
            raise TypeError(f"The core {type(self.core_).__name__} has no predict_proba method.")
        side = self.image_shape_[0]
        images, observed = self._known_pixels(
            X, np.zeros((side, side), dtype=bool) if mask is None else mask
        )
        return self.core_.predict_proba(images, ~observed)
