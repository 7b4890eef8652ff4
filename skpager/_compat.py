"""The one place where skpager touches scikit-learn's private API.

scikit-learn's parameter validation (``_fit_context`` and the constraint
classes of ``utils._param_validation``) is the standard way for estimators to
declare their parameters, but it is not public API: it may move between
releases.  Every other module imports these names from here, so a change in
scikit-learn is mended in this file alone (pyproject.toml bounds the tested
range of scikit-learn releases).
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = ["HasMethods", "Interval", "StrOptions", "_fit_context"]
