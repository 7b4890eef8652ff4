"""scikit-learn's common estimator checks on every public estimator.

The checks fit with a 1-D target vector.  Estimators that learn from image
pairs (the enhancers and the booster: y is the same images at a higher or the
same resolution) and the attribute-guided generator (y is a {-1, +1}
attribute matrix) cannot take one, so the checks that fit are expected to
fail for them, each with its reason; the core and PAGER refuse floats outside
the pixel range [0, 1] (a 0..255 image passed as floats), which most checks
fit on; tests/test_contract.py runs the same
contracts (order and subset invariance, idempotent fit, n_features_in_,
dtypes, NaN, pickling, read-only input, ...) on real image pairs and
attribute matrices.  ``xfail_strict`` (pyproject.toml) turns an expected
failure that passes into a failure, so the lists hold only real failures.
"""

from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.utils.estimator_checks import parametrize_with_checks

from skpager import (
    PAGER,
    AttributeGuidedGenerator,
    ConditionalEnhancer,
    DensityRatioResampler,
    ExemplarEnhancer,
    GMMCoreGenerator,
    HistogramMatcher,
    LikelihoodNoveltyDetector,
    LocalPCACoreGenerator,
    QualityBooster,
    ResolutionEnhancer,
    SaabTransformer,
    SubspaceRefiner,
)

ESTIMATORS = [
    SaabTransformer(),
    GMMCoreGenerator(n_components=2, max_iter=20, random_state=0),
    LocalPCACoreGenerator(n_components=2, max_iter=20, random_state=0),
    ResolutionEnhancer(n_dc_components=2, n_ac_components=1, random_state=0),
    ExemplarEnhancer(n_exemplars=10, random_state=0),
    ConditionalEnhancer(2, window=1, stride=1, context=1, random_state=0),
    QualityBooster(n_clusters=2, random_state=0),
    PAGER(GMMCoreGenerator(n_components=2, max_iter=20), random_state=0),
    AttributeGuidedGenerator(
        GMMCoreGenerator(n_components=1, max_iter=20), n_clusters=2, random_state=0
    ),
    DensityRatioResampler(
        PAGER(GMMCoreGenerator(n_components=2, max_iter=20), random_state=0),
        classifier=LogisticRegression(),
        random_state=0,
    ),
    SubspaceRefiner(
        PAGER(GMMCoreGenerator(n_components=2, max_iter=20), random_state=0),
        model=LocalPCACoreGenerator(n_components=2, max_iter=20),
        random_state=0,
    ),
    HistogramMatcher(
        PAGER(GMMCoreGenerator(n_components=2, max_iter=20), random_state=0),
        n_probe=20,
        random_state=0,
    ),
    # the detector's own contract, on a density model that takes any floats
    # (on images: tests/test_novelty.py)
    LikelihoodNoveltyDetector(GaussianMixture(2, init_params="random_from_data", random_state=0)),
]

_Y_NOT_IMAGES = "fit needs y as images (a resolution pair); the check passes a 1-D target"
_FITTING_CHECKS = [
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_nan_inf",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input",
]
_TRANSFORMER_CHECKS = [
    "check_array_api_input",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
]
PAIR_CHECKS = dict.fromkeys(_FITTING_CHECKS + _TRANSFORMER_CHECKS, _Y_NOT_IMAGES)

_A_NOT_ATTRIBUTES = "fit needs A as a {-1, +1} attribute matrix; the check passes class labels"
ATTRIBUTE_CHECKS = dict.fromkeys(
    _FITTING_CHECKS
    + [
        "check_array_api_input",
        "check_complex_data",
        "check_estimators_empty_data_messages",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
    ],
    _A_NOT_ATTRIBUTES,
)

_NOT_PIXELS = (
    "the check fits on floats outside the pixel range [0, 1], which image estimators refuse; "
    "tests/test_contract.py runs this contract on images"
)
# the fitting checks whose data stay in (or are not) pixel range pass
_PASS_ON_ANY_FLOATS = {
    "check_dtype_object",
    "check_estimators_nan_inf",
    "check_estimators_pickle",
    "check_fit_score_takes_y",
    "check_pipeline_consistency",
}
PIXEL_CHECKS = dict.fromkeys(
    sorted(set(_FITTING_CHECKS) - _PASS_ON_ANY_FLOATS | {"check_array_api_input"}),
    _NOT_PIXELS,
)

EXPECTED_FAILED_CHECKS = {
    "GMMCoreGenerator": PIXEL_CHECKS,
    "LocalPCACoreGenerator": PIXEL_CHECKS,
    "PAGER": PIXEL_CHECKS,
    "DensityRatioResampler": PIXEL_CHECKS,
    "SubspaceRefiner": PIXEL_CHECKS,
    "HistogramMatcher": PIXEL_CHECKS,
    "ResolutionEnhancer": dict(PAIR_CHECKS, check_transformer_n_iter=_Y_NOT_IMAGES),
    "ExemplarEnhancer": PAIR_CHECKS,
    "ConditionalEnhancer": PAIR_CHECKS,
    "QualityBooster": PAIR_CHECKS,
    "AttributeGuidedGenerator": ATTRIBUTE_CHECKS,
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
