"""Ready-made compositions of skpager's estimators."""

from numbers import Integral, Real

from ._compat import Interval, validate_params
from ._local_core import LocalPCACoreGenerator
from ._matcher import HistogramMatcher
from ._pager import PAGER
from ._refiner import SubspaceRefiner
from ._resampler import DensityRatioResampler

__all__ = ["make_refined_pager"]


@validate_params(
    {
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "core_temperature": [Interval(Real, 0, 10, closed="both")],
        "residual_weight": [Interval(Real, 0, 1, closed="both")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def make_refined_pager(
    *,
    n_candidates=12,
    core_temperature=1.3,
    residual_weight=0.85,
    n_jobs=None,
    random_state=None,
    verbose=0,
):
    """The refining recipe for grey images, as one unfitted estimator.

    Three estimators, each documented on its own, stacked in the order in
    which they act on a sample:

    1. :class:`PAGER` with its defaults for the data, except the core:
       :class:`LocalPCACoreGenerator` drawn at ``core_temperature``, wrapped
       in a :class:`DensityRatioResampler` that keeps one of
       ``n_candidates`` cores per sample;
    2. :class:`SubspaceRefiner` over it, keeping ``residual_weight`` of
       what each image holds outside its class's local principal subspace;
    3. :class:`HistogramMatcher` over the refiner (its defaults), mapping
       the pixel values onto the training images' distribution per class.

    The returned :class:`HistogramMatcher` fits the whole stack with
    ``fit(X, y)`` and samples with ``sample`` and ``iter_samples``; every
    part is reachable through its fitted attributes (``generator_``, the
    refiner; ``generator_.generator_``, the PAGER).  The stack has no
    likelihood and no ``super_resolve`` or ``inpaint``: those are PAGER's.
    The defaults were chosen on a validation split of the Fashion-MNIST
    training images (grey); read more in the :ref:`User Guide <matching>`.

    The resampled core and the refiner both move samples toward what the
    training images look like, and on small training sets that means toward
    the training images themselves; ``residual_weight`` was chosen as the
    value with the best validation FID among those for which the samples
    stay as far from their nearest training image as held-out images do,
    when fitted on 1,000 and on 5,000 Fashion-MNIST images as well as on
    50,000 (the :doc:`results page </benchmarks>` has the figures by
    training-set size).

    Parameters
    ----------
    n_candidates : int, default=12
        Candidate cores drawn per sample, of which the core's resampler
        keeps one.
    core_temperature : float in [0, 10], default=1.3
        Temperature of the core's draws (:class:`LocalPCACoreGenerator`).
    residual_weight : float in [0, 1], default=0.85
        Fraction of each image's difference from its subspace projection
        that the refiner keeps.  Lower values give smoother images that
        sit closer to the training images.
    n_jobs : int, default=None
        Parallel jobs of PAGER and of the refiner's model; None means 1.
    random_state : int, RandomState instance or None, default=None
        The matcher's ``random_state``: its fit draws the seeds of every
        nested estimator from it (their ``random_state`` is left at None),
        so a fit and the samples of an unseeded ``sample`` call are
        reproducible.
    verbose : int, default=0
        Progress messages of PAGER and of the refiner.

    Returns
    -------
    model : HistogramMatcher
        The unfitted stack.

    See Also
    --------
    PAGER : The cascade at the bottom of the stack, with an exact
        likelihood when its core has one.

    Examples
    --------
    >>> from skpager import make_refined_pager
    >>> model = make_refined_pager(random_state=0)
    >>> type(model).__name__, type(model.generator).__name__
    ('HistogramMatcher', 'SubspaceRefiner')
    """
    core = DensityRatioResampler(
        LocalPCACoreGenerator(temperature=core_temperature), n_candidates=n_candidates
    )
    pager = PAGER(core=core, n_jobs=n_jobs, verbose=verbose)
    refiner = SubspaceRefiner(
        pager, residual_weight=residual_weight, n_jobs=n_jobs, verbose=verbose
    )
    # the matcher's fit draws the seeds of the nested estimators from its own
    return HistogramMatcher(refiner, random_state=random_state)
