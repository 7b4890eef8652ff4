"""DensityRatioResampler: sampling-importance-resampling by a classifier's density ratio."""

import copy

import numpy as np
import pytest
from _wrappers import small_pager, two_class_images
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression

from skpager import (
    PAGER,
    DensityRatioResampler,
    GMMCoreGenerator,
    QualityBooster,
    ResolutionEnhancer,
    load_model,
    save_model,
)
from skpager._image import pad_images
from skpager._utils import draw_seed
from skpager.datasets import load_demo


@pytest.fixture(scope="module")
def fitted():
    X, y = two_class_images()
    return DensityRatioResampler(small_pager(), n_fit_samples=120, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def unconditional():
    X, _ = two_class_images()
    return DensityRatioResampler(
        small_pager(), classifier=LogisticRegression(max_iter=500), random_state=0
    ).fit(X)


def _seed(random_state):
    return draw_seed(np.random.RandomState(random_state))


def test_one_candidate_returns_the_generators_own_samples(unconditional):
    model = copy.deepcopy(unconditional)  # n_candidates is read when sampling
    model.set_params(n_candidates=1)
    own = unconditional.generator_.sample(9, random_state=_seed(3))
    np.testing.assert_array_equal(model.sample(9, random_state=3), own)


def test_every_kept_image_is_one_of_its_own_candidates(unconditional):
    k = unconditional.n_candidates
    kept = unconditional.sample(12, random_state=5)
    candidates = unconditional.generator_.sample(12 * k, random_state=_seed(5))
    candidates = candidates.reshape(12, k, -1)
    distance = np.abs(candidates - kept.reshape(12, 1, -1)).max(axis=2)
    assert np.all(distance.min(axis=1) == 0)


def test_the_choice_follows_the_estimated_ratio(unconditional):
    """With two candidates per image, the first is kept with probability
    ``r1 / (r1 + r2)``: the observed count matches the expected one within
    four binomial standard deviations."""
    model = copy.deepcopy(unconditional)  # n_candidates is read when sampling
    model.set_params(n_candidates=2)
    n = 600
    kept = model.sample(n, random_state=7)
    candidates = model.generator_.sample(2 * n, random_state=_seed(7))
    log_ratio = model.log_density_ratio(candidates).reshape(n, 2)
    p_first = 1.0 / (1.0 + np.exp(log_ratio[:, 1] - log_ratio[:, 0]))
    assert 0.05 < p_first.mean() < 0.95  # the classifier does not decide every case
    pairs = candidates.reshape(n, 2, -1)
    first = np.all(pairs[:, 0] == kept.reshape(n, -1), axis=1)
    sd = np.sqrt(np.sum(p_first * (1 - p_first)))
    assert abs(first.sum() - p_first.sum()) < 4 * sd
    # the kept images look more like training images to the classifier
    assert model.log_density_ratio(kept).mean() > log_ratio.mean()


def test_an_image_depends_on_its_seed_and_position_only(fitted):
    whole = fitted.sample(10, random_state=1)
    parts = np.concatenate(
        [fitted.sample(4, random_state=1), fitted.sample(6, random_state=1, offset=4)]
    )
    np.testing.assert_allclose(parts, whole, atol=1e-12)
    labels = np.array([0, 1, 1, 0, 1])
    given = fitted.sample(5, y=labels, random_state=2)
    np.testing.assert_allclose(given[2:], fitted.sample(3, y=labels[2:], random_state=2, offset=2))


def test_batches_hold_the_images_of_one_call(fitted):
    labels = np.array([0, 1, 1, 0, 1, 0, 0])
    whole = fitted.sample(7, y=labels, random_state=3)
    batches = list(fitted.iter_samples(7, batch_size=3, y=labels, random_state=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    np.testing.assert_allclose(np.concatenate(batches), whole, atol=1e-12)


def test_labels_are_kept_and_checked(fitted):
    dark = fitted.sample(6, y=1, random_state=0)
    bright = fitted.sample(6, y=0, random_state=0)
    # class 1 images are bright backgrounds with a dark square
    assert dark.mean() > bright.mean()
    with pytest.raises(ValueError, match="labels not seen in fit"):
        fitted.sample(2, y=[0, 7])
    with pytest.raises(ValueError, match="one per sample"):
        fitted.sample(3, y=[0, 1])
    with pytest.raises(ValueError, match="y is required"):
        fitted.log_density_ratio(dark)
    with pytest.raises(ValueError, match="one per sample"):
        list(fitted.iter_samples(3, y=[0, 1]))
    with pytest.raises(ValueError, match="n_samples"):
        fitted.iter_samples(-1, y=1)


def test_bad_input(unconditional):
    with pytest.raises(ValueError, match="fitted without labels"):
        unconditional.sample(2, y=[0, 1])
    with pytest.raises(ValueError, match="features each"):
        unconditional.log_density_ratio(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="n_samples"):
        unconditional.sample(0)
    with pytest.raises(ValueError, match="offset"):
        unconditional.sample(2, offset=-1)
    X, y = two_class_images(20)
    with pytest.raises(ValueError, match="y must hold one label per image"):
        DensityRatioResampler(small_pager()).fit(X, y[:5])
    with pytest.raises(ValueError, match="n_candidates"):
        DensityRatioResampler(small_pager(), n_candidates=0).fit(X)


def test_persisted_model_samples_the_same(fitted, tmp_path):
    save_model(fitted, tmp_path / "resampler.skops")
    restored = load_model(tmp_path / "resampler.skops")
    np.testing.assert_array_equal(
        restored.sample(5, random_state=4), fitted.sample(5, random_state=4)
    )


def test_default_generator_is_pager():
    X, _ = two_class_images(40)
    model = DensityRatioResampler(n_fit_samples=30, n_candidates=2, random_state=0).fit(X)
    assert isinstance(model.generator_, PAGER)
    assert model.image_shape_ == (8, 8, 1)
    assert model.pca_.n_components_ == 60  # at most twice the classifier's real images
    assert model.sample(3, random_state=0).shape == (3, 8, 8)


def test_default_classifier_stops_on_held_out_images(fitted):
    # boosting stops when a held-out tenth stops improving, instead of
    # running its 300 rounds on the 120 training images and learning them
    classifier = fitted.classifier_
    assert classifier.get_params()["early_stopping"] is True
    assert len(classifier.validation_score_) == classifier.n_iter_ + 1
    assert classifier.n_iter_ < classifier.max_iter


class _ConstantGenerator(BaseEstimator):
    """Samples every pixel at ``value``; reconstructs every image as 1 - value."""

    def __init__(self, value=0.25):
        self.value = value

    def fit(self, X, y=None):
        self.n_parameters_ = 7
        return self

    def sample(self, n_samples=1, y=None, random_state=None, offset=0):
        return np.full((n_samples, 4, 4, 1), self.value)

    def reconstruct(self, X, y=None):
        return np.full((len(X), 4, 4, 1), 1.0 - self.value)


def test_the_real_images_are_the_generators_reconstructions():
    """A generator with ``reconstruct`` is compared with its reconstructions
    of the training images (here constant 0.75, against samples at 0.25), not
    with the training images (random, 8x8)."""
    X, _ = two_class_images(40)
    model = DensityRatioResampler(
        _ConstantGenerator(), classifier=LogisticRegression(), n_fit_samples=40
    ).fit(X)
    assert model.image_shape_ == (4, 4, 1)  # the samples' shape
    np.testing.assert_allclose(model.pca_.mean_, 0.5)  # mean of 0.75 and 0.25 images
    assert model.log_density_ratio(np.full((1, 4, 4), 0.75))[0] > 0
    assert model.log_density_ratio(np.full((1, 4, 4), 0.25))[0] < 0
    np.testing.assert_array_equal(model.reconstruct(X[:3]), np.full((3, 4, 4, 1), 0.75))
    lr = model.classifier_
    pca = model.pca_.components_.size + model.pca_.mean_.size
    assert model.n_parameters_ == 7 + pca + lr.coef_.size + 1
    # a generator without reconstruct gives a resampler without it
    assert not hasattr(DensityRatioResampler(small_pager()), "reconstruct")
    assert hasattr(DensityRatioResampler(_ConstantGenerator()), "reconstruct")


def test_sample_returns_the_labels_it_used(fitted, unconditional):
    images, labels = fitted.sample(9, random_state=4, return_labels=True)
    np.testing.assert_array_equal(images, fitted.sample(9, random_state=4))
    assert set(labels) <= {0, 1} and len(labels) == 9
    # the drawn labels are those the images were sampled with
    np.testing.assert_array_equal(fitted.sample(9, y=labels, random_state=4), images)
    _, given = fitted.sample(3, y=1, random_state=4, return_labels=True)
    np.testing.assert_array_equal(given, [1, 1, 1])
    assert unconditional.sample(2, return_labels=True)[1] is None
    # the default classifier's size: four numbers per tree node
    assert fitted.n_parameters_ > fitted.generator_.n_parameters_ + fitted.pca_.components_.size


def test_a_resampled_core_is_a_pager_core(tmp_path):
    """``PAGER(core=DensityRatioResampler(core))``: PAGER sets the wrapped
    core's resolution, the classifier compares sampled cores with the core's
    reconstructions, the sampling enhancer learns from those, and the samples
    depend on their seed and position only."""
    demo = load_demo()
    X, y = demo.images[:400], demo.target[:400]
    core = DensityRatioResampler(
        GMMCoreGenerator(n_components=3, pca_variance=0.8),
        n_candidates=4,
        n_fit_samples=400,
        random_state=0,
    )
    pager = PAGER(
        core=core,
        enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000, min_window=4),
        sampling_enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000, min_window=4),
        booster=QualityBooster(n_clusters=3, patch_size=4),
        random_state=0,
        n_jobs=1,
    )
    again = clone(pager).fit(X, y)
    pager.fit(X, y)
    assert core.generator.resolution is None  # the template is left as given
    # PAGER's n_jobs reaches the wrapped core; its seed comes from the resampler's
    assert pager.core_.generator_.n_jobs == 1
    assert isinstance(pager.core_.generator_.random_state, int)
    np.testing.assert_array_equal(
        again.sample(4, y=[0, 1, 2, 3], random_state=5),
        pager.sample(4, y=[0, 1, 2, 3], random_state=5),
    )
    assert pager.resolutions_ == [16, 32]
    assert pager.core_.generator_.resolution == 16
    assert pager.core_.image_shape_ == (16, 16, 1)
    assert pager.sampling_enhancer_ is not None
    assert pager.n_parameters_ > pager.core_.generator_.n_parameters_ + pager.core_.pca_.mean_.size
    padded = pad_images(X[:5], 32, 32)
    np.testing.assert_array_equal(
        pager.core_.reconstruct(padded, y[:5]), pager.core_.generator_.reconstruct(padded, y[:5])
    )
    labels = np.array([0, 3, 3, 7, 1, 9])
    whole = pager.sample(6, y=labels, random_state=2)
    assert whole.shape[:3] == (6, 28, 28)
    part = pager.sample(3, y=labels[3:], random_state=2, offset=3)
    np.testing.assert_allclose(part, whole[3:], atol=1e-12)
    # the resampled core's choice: each kept core is one of its four candidates
    cores, drawn = pager.core_.sample(5, random_state=1, return_labels=True)
    candidates = pager.core_.generator_.sample(20, np.repeat(drawn, 4), random_state=_seed(1))
    distance = np.abs(candidates.reshape(5, 4, -1) - cores.reshape(5, 1, -1)).max(axis=2)
    assert np.all(distance.min(axis=1) == 0)
    # persisted with the safe format like any PAGER
    save_model(pager, tmp_path / "pager.skops")
    np.testing.assert_array_equal(
        load_model(tmp_path / "pager.skops").sample(3, y=[4, 5, 6], random_state=7),
        pager.sample(3, y=[4, 5, 6], random_state=7),
    )
    # no exact likelihood, so none of PAGER's methods that need the core's
    with pytest.raises(TypeError, match="no score_samples method"):
        pager.score(X[:3], y[:3])
    with pytest.raises(TypeError, match="no inpaint method"):
        pager.inpaint(X[:2], np.zeros((2, 28, 28), dtype=bool))
