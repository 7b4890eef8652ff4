"""LikelihoodNoveltyDetector on images: which likelihood it scores with, the
threshold, predict, and that it tells other images from the training kind."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from skpager import (
    PAGER,
    GMMCoreGenerator,
    LikelihoodNoveltyDetector,
    ResolutionEnhancer,
    load_model,
    save_model,
)
from skpager.datasets import load_demo


@pytest.fixture(scope="module")
def demo():
    train, test = load_demo(), load_demo("test")
    return train.images[:600], train.target[:600], test.images[:300], test.target[:300]


def _core():
    return GMMCoreGenerator(n_components=4, pca_variance=0.85, covariance_type="full")


@pytest.fixture(scope="module")
def pager_detectors(demo):
    X, y, _, _ = demo
    pager = PAGER(
        core=_core(),
        enhancer=ResolutionEnhancer(n_dc_components=8, max_windows=3000, min_window=None),
        booster="drop",
        random_state=0,
    )
    coarse = LikelihoodNoveltyDetector(pager).fit(X, y)
    full = LikelihoodNoveltyDetector(pager, likelihood="full").fit(X, y)
    return coarse, full


def test_coarse_and_full_likelihoods_are_the_pagers_terms(demo, pager_detectors):
    _, _, X_test, _ = demo
    coarse, full = pager_detectors
    stages = coarse.estimator_.score_stages(X_test)
    np.testing.assert_allclose(coarse.score_samples(X_test), stages[:, 0])
    np.testing.assert_allclose(full.score_samples(X_test), full.estimator_.score_samples(X_test))
    np.testing.assert_allclose(full.score_samples(X_test), stages.sum(axis=1))
    for det in (coarse, full):
        np.testing.assert_allclose(
            det.decision_function(X_test), det.score_samples(X_test) - det.offset_
        )
        assert set(np.unique(det.predict(X_test))) <= {-1, 1}


def test_an_estimator_without_stages_has_one_term(demo):
    X, y, X_test, _ = demo
    core = _core().set_params(resolution=7)
    for likelihood in ("coarse", "full"):
        det = LikelihoodNoveltyDetector(core, likelihood=likelihood).fit(X, y)
        np.testing.assert_allclose(det.score_samples(X_test), det.estimator_.score_samples(X_test))


@pytest.mark.parametrize("contamination", [0.05, 0.2, 0.5])
def test_threshold_flags_the_contamination_share_of_training_images(demo, contamination):
    X, y, _, _ = demo
    core = _core().set_params(resolution=7)
    det = LikelihoodNoveltyDetector(core, contamination=contamination).fit(X, y)
    flagged = np.mean(det.predict(X) == -1)
    assert abs(flagged - contamination) <= 1.0 / len(X) + 1e-12


def test_detector_tells_other_images_from_the_training_kind(demo, pager_detectors):
    _, _, X_test, _ = demo
    coarse, _ = pager_detectors
    rng = np.random.RandomState(0)
    noise = rng.rand(100, 28, 28, 1)  # white noise: nothing like clothes
    digits = np.zeros((100, 28, 28, 1))  # thin bright strokes on black
    digits[:, 6:22, 12:16] = rng.uniform(0.6, 1.0, size=(100, 1, 1, 1))
    for other in (noise, digits):
        labels = np.r_[np.ones(len(X_test)), np.zeros(len(other))]
        scores = np.r_[coarse.score_samples(X_test), coarse.score_samples(other)]
        assert roc_auc_score(labels, scores) > 0.9
        assert np.mean(coarse.predict(other) == -1) > 0.8


def test_default_estimator_is_a_seeded_pager(demo):
    X, _, X_test, _ = demo
    det = LikelihoodNoveltyDetector(random_state=3).fit(X[:300])
    assert type(det.estimator_) is PAGER and det.estimator_.random_state == 3
    assert det.estimator is None  # the parameter is left untouched
    np.testing.assert_allclose(
        det.score_samples(X_test[:5]), det.estimator_.score_stages(X_test[:5])[:, 0]
    )


@settings(max_examples=20, deadline=None)
@given(
    contamination=st.floats(0.01, 0.5),
    shift=st.floats(-0.3, 0.3),
)
def test_decision_is_monotone_in_the_score(demo, pager_detectors, contamination, shift):
    _, _, X_test, _ = demo
    coarse, _ = pager_detectors
    det = coarse.set_params(contamination=contamination)  # offset_ is fitted, unchanged
    images = np.clip(X_test[:20] + shift, 0, 1)
    scores, decision = det.score_samples(images), det.decision_function(images)
    order = np.argsort(scores)
    assert np.all(np.diff(decision[order]) >= -1e-9)
    assert np.all((det.predict(images) == -1) == (decision < 0))


def test_detector_model_file_round_trip(demo, tmp_path):
    X, y, X_test, _ = demo
    det = LikelihoodNoveltyDetector(_core().set_params(resolution=7)).fit(X[:200], y[:200])
    save_model(det, tmp_path / "detector.skops")
    loaded = load_model(tmp_path / "detector.skops")
    np.testing.assert_array_equal(loaded.score_samples(X_test), det.score_samples(X_test))
    assert loaded.offset_ == det.offset_
