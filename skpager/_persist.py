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
    "skpager._pager.PAGER",
    "skpager._saab.SaabTransformer",
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


def save_model(obj, path):
    """Write ``obj`` (a dict holding a fitted model) to a ``.skops`` file."""
    _skops_io().dump(obj, check_model_path(path))


def load_model(path):
    """Read a ``.skops`` file written by :func:`save_model`.

    Raises
    ------
    ValueError
        When the file names a type outside the trusted list (nothing in it is
        built then) or is not a skops file.
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
