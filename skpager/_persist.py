"""Model files of the command line: skops, with an explicit list of trusted types.

A pickle (or joblib) file runs whatever code it names when it is loaded, so
the command line never reads one.  It writes and reads model files with
:mod:`skops.io`, which rebuilds only the types it is told to trust: the
scikit-learn and numpy types skops trusts by default, and skpager's own
classes listed in :data:`TRUSTED_TYPES`.  A file naming any other type is
refused before anything in it is built.
"""

from pathlib import Path

# Every skpager type a fitted model holds (estimators and their helpers).
TRUSTED_TYPES = [
    "skpager._attribute.AttributeGuidedGenerator",
    "skpager._booster.QualityBooster",
    "skpager._conditional.ConditionalEnhancer",
    "skpager._core.GMMCoreGenerator",
    "skpager._enhancer.ResolutionEnhancer",
    "skpager._enhancer._WindowLevel",
    "skpager._exemplar.ExemplarEnhancer",
    "skpager._local_core.LocalPCACoreGenerator",
    "skpager._matcher.HistogramMatcher",
    "skpager._novelty.LikelihoodNoveltyDetector",
    "skpager._pager.PAGER",
    "skpager._refiner.SubspaceRefiner",
    "skpager._resampler.DensityRatioResampler",
    "skpager._saab.SaabTransformer",
    # the search trees scikit-learn's NearestNeighbors builds for low-dimensional
    # data (the booster's patch index on small octaves); skops rebuilds them from
    # arrays, no callable is read from the file
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.neighbors._kd_tree.KDTree",
    # the trees of the resampler's default classifier: a plain class holding
    # numpy arrays of nodes and bitsets, rebuilt from them
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]

SUFFIX = ".skops"


def _skops_io():
    try:
        import skops.io as sio
    except ImportError as exc:  # pragma: no cover - skops is a dependency
        raise ImportError("skpager's model files need skops: pip install skops") from exc
    return sio


def check_model_path(path):
    """``path`` as a Path ending in ``.skops``, or a ValueError saying why."""
    path = Path(path)
    if path.suffix != SUFFIX:
        raise ValueError(
            f"model files are skops files: name it *{SUFFIX} (got {path.name!r}); pickle and "
            "joblib files can run code when loaded, so the command line neither writes nor "
            "reads them."
        )
    return path


def save_model(model, path):
    """Write a fitted estimator (or a dict holding some) to a ``.skops`` file.

    The file is written with :mod:`skops.io`, the format
    :func:`load_model` reads without running code.  Unlike a pickle, it
    can be shared: a reader trusts only the types it lists.

    Parameters
    ----------
    model : object
        Any skpager or scikit-learn estimator, fitted or not, or a dict,
        list or tuple of them, numpy arrays and plain values.
    path : str or Path
        File name; must end in ``.skops``.

    Raises
    ------
    ValueError
        When ``path`` does not end in ``.skops``.

    See Also
    --------
    load_model : Read the file back.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skpager import GMMCoreGenerator, load_model, save_model
    >>> from skpager.datasets import load_demo
    >>> core = GMMCoreGenerator(n_components=2, resolution=7, random_state=0)
    >>> core = core.fit(load_demo().images[:200])
    >>> path = Path(tempfile.mkdtemp()) / "core.skops"
    >>> save_model(core, path)
    >>> (load_model(path).sample(3, random_state=0) == core.sample(3, random_state=0)).all()
    np.True_
    """
    _skops_io().dump(model, check_model_path(path))


def load_model(path):
    """Read a ``.skops`` file written by :func:`save_model`, without running code.

    Only the types skops trusts by default (scikit-learn's and numpy's) and
    skpager's own estimators are rebuilt; a file that names any other type is
    refused before anything in it is built.  So a model file from an
    untrusted source cannot run code, as a pickle or joblib file can.

    Parameters
    ----------
    path : str or Path
        A ``.skops`` file.

    Returns
    -------
    model : object
        What :func:`save_model` wrote.

    Raises
    ------
    ValueError
        When the file names a type outside the trusted list (nothing in it is
        built then), is not a skops file, or ``path`` does not end in
        ``.skops``.

    See Also
    --------
    save_model : Write a model file.
    """
    sio = _skops_io()
    path = check_model_path(path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # noqa: BLE001 - any failure to read is the user's file
        raise ValueError(
            f"cannot read {path} as a skops model file ({type(exc).__name__})."
        ) from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ValueError(
            f"{path} holds types skpager does not trust, so it was not loaded: "
            f"{', '.join(refused)}."
        )
    try:
        return sio.load(path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"cannot load {path} ({type(exc).__name__}: {exc}).") from exc
