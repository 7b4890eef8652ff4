"""scikit-learn's common estimator checks on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skpager import GMMCoreGenerator, SaabTransformer

ESTIMATORS = [
    SaabTransformer(),
    GMMCoreGenerator(n_components=2, max_iter=20, random_state=0),
]

# check name -> one-line reason, per estimator class.
EXPECTED_FAILED_CHECKS = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
