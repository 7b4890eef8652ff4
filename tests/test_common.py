"""scikit-learn's common estimator checks on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skpager import PAGER, GMMCoreGenerator, QualityBooster, ResolutionEnhancer, SaabTransformer

ESTIMATORS = [
    SaabTransformer(),
    GMMCoreGenerator(n_components=2, max_iter=20, random_state=0),
    ResolutionEnhancer(n_dc_components=2, n_ac_components=1, random_state=0),
    QualityBooster(n_clusters=2, random_state=0),
    PAGER(random_state=0),
]

# The enhancer and the booster learn from pairs of images: y is the same images at
# a higher (enhancer) or the same (booster) resolution, while these checks fit with
# a 1-D target vector, which no image pair can be.  Their behaviour under these
# contracts (pickling, cloning, n_features_in_, NaN, dtypes, idempotence, ...) is
# tested on real image pairs in tests/test_enhancer_booster.py and test_pager.py.
_Y_NOT_IMAGES = "fit needs y as images (a resolution pair); the check passes a 1-D target"
PAIR_CHECKS = {
    "check_array_api_input": _Y_NOT_IMAGES,
    "check_dict_unchanged": _Y_NOT_IMAGES,
    "check_dont_overwrite_parameters": _Y_NOT_IMAGES,
    "check_dtype_object": _Y_NOT_IMAGES,
    "check_estimators_dtypes": _Y_NOT_IMAGES,
    "check_estimators_fit_returns_self": _Y_NOT_IMAGES,
    "check_estimators_nan_inf": _Y_NOT_IMAGES,
    "check_estimators_overwrite_params": _Y_NOT_IMAGES,
    "check_estimators_pickle": _Y_NOT_IMAGES,
    "check_f_contiguous_array_estimator": _Y_NOT_IMAGES,
    "check_fit2d_1feature": _Y_NOT_IMAGES,
    "check_fit2d_1sample": _Y_NOT_IMAGES,
    "check_fit2d_predict1d": _Y_NOT_IMAGES,
    "check_fit_check_is_fitted": _Y_NOT_IMAGES,
    "check_fit_idempotent": _Y_NOT_IMAGES,
    "check_fit_score_takes_y": _Y_NOT_IMAGES,
    "check_methods_sample_order_invariance": _Y_NOT_IMAGES,
    "check_methods_subset_invariance": _Y_NOT_IMAGES,
    "check_n_features_in": _Y_NOT_IMAGES,
    "check_n_features_in_after_fitting": _Y_NOT_IMAGES,
    "check_pipeline_consistency": _Y_NOT_IMAGES,
    "check_positive_only_tag_during_fit": _Y_NOT_IMAGES,
    "check_readonly_memmap_input": _Y_NOT_IMAGES,
    "check_transformer_data_not_an_array": _Y_NOT_IMAGES,
    "check_transformer_general": _Y_NOT_IMAGES,
    "check_transformer_preserve_dtypes": _Y_NOT_IMAGES,
}
ENHANCER_CHECKS = dict(PAIR_CHECKS, check_transformer_n_iter=_Y_NOT_IMAGES)

# PAGER generates square images through a cascade of octaves, so it needs n-D
# square images of side >= its core resolution; the checks pass tabular 2-D data.
_NOT_IMAGES = "PAGER needs n-D square images; the check passes 2-D tabular data"
PAGER_CHECKS = {
    "check_array_api_input": _NOT_IMAGES,
    "check_dict_unchanged": _NOT_IMAGES,
    "check_dont_overwrite_parameters": _NOT_IMAGES,
    "check_dtype_object": _NOT_IMAGES,
    "check_estimators_dtypes": _NOT_IMAGES,
    "check_estimators_fit_returns_self": _NOT_IMAGES,
    "check_estimators_nan_inf": _NOT_IMAGES,
    "check_estimators_overwrite_params": _NOT_IMAGES,
    "check_estimators_pickle": _NOT_IMAGES,
    "check_f_contiguous_array_estimator": _NOT_IMAGES,
    "check_fit2d_1feature": _NOT_IMAGES,
    "check_fit2d_1sample": _NOT_IMAGES,
    "check_fit2d_predict1d": _NOT_IMAGES,
    "check_fit_check_is_fitted": _NOT_IMAGES,
    "check_fit_idempotent": _NOT_IMAGES,
    "check_fit_score_takes_y": _NOT_IMAGES,
    "check_methods_sample_order_invariance": _NOT_IMAGES,
    "check_methods_subset_invariance": _NOT_IMAGES,
    "check_n_features_in": _NOT_IMAGES,
    "check_n_features_in_after_fitting": _NOT_IMAGES,
    "check_pipeline_consistency": _NOT_IMAGES,
    "check_positive_only_tag_during_fit": _NOT_IMAGES,
    "check_readonly_memmap_input": _NOT_IMAGES,
}

EXPECTED_FAILED_CHECKS = {
    "ResolutionEnhancer": ENHANCER_CHECKS,
    "QualityBooster": PAIR_CHECKS,
    "PAGER": PAGER_CHECKS,
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
