"""The one place where skpager touches scikit-learn's private API.

scikit-learn's parameter validation (``_fit_context`` and the constraint
classes of ``utils._param_validation``) is the standard way for estimators to
declare their parameters, but it is not public API: it may move between
releases.  Every other module imports these names from here, so a change in
scikit-learn is mended in this file alone (pyproject.toml bounds the tested
range of scikit-learn releases).
"""

from numbers import Integral

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params
from sklearn.utils._param_validation import Interval as _Interval

__all__ = [
    "HasMethods",
    "Interval",
    "StrOptions",
    "_fit_context",
    "n_tree_parameters",
    "validate_params",
]


def n_tree_parameters(estimator):
    """Stored numbers of a fitted histogram gradient-boosting model (split
    threshold, leaf value and two children per node, as its predictors store
    them in the private ``_predictors``), or None for other estimators."""
    predictors = getattr(estimator, "_predictors", None)
    if predictors is None:
        return None
    return int(sum(4 * len(tree.nodes) for trees in predictors for tree in trees))


class Interval(_Interval):
    """scikit-learn's ``Interval`` constraint, refusing booleans for numbers.

    ``True`` is an ``Integral`` to Python, so ``n_clusters=True`` would pass
    scikit-learn's check and fail later with a message that names nothing.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)

    def __str__(self):
        text = super().__str__()
        return text if self.type is not Integral else text.replace("an int", "an int (not bool)")
