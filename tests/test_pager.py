"""PAGER: the full cascade, super-resolution, model selection, errors."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skpager import (
    PAGER,
    ConditionalEnhancer,
    ExemplarEnhancer,
    GMMCoreGenerator,
    LocalPCACoreGenerator,
    QualityBooster,
    ResolutionEnhancer,
    load_model,
    save_model,
)
from skpager._image import pad_images, resize
from skpager.datasets import load_demo


def small_pager(**params):
    defaults = {
        "core": GMMCoreGenerator(n_components=5, pca_variance=0.9),
        "enhancer": ResolutionEnhancer(n_dc_components=8, max_windows=3000),
        "booster": QualityBooster(n_clusters=10),
        "sampling_enhancer": "drop",  # its own tests below
        "random_state": 0,
    }
    defaults.update(params)
    return PAGER(**defaults)


@pytest.fixture(scope="module")
def demo():
    train, test = load_demo(), load_demo("test")
    return train.images[:1500], train.target[:1500], test.images[:200], test.target[:200]


@pytest.fixture(scope="module")
def fitted(demo):
    X, y, _, _ = demo
    return small_pager().fit(X, y)


def test_padding_stages_and_output_shape(fitted):
    assert fitted.padded_side_ == 32 and fitted.resolutions_ == [16, 32]
    assert fitted.core_.core_shape_ == (16, 16, 1)
    samples = fitted.sample(12, y=[0, 1, 2] * 4)
    assert samples.shape == (12, 28, 28, 1)
    assert samples.min() >= 0 and samples.max() <= 1
    assert fitted.n_parameters_ > fitted.core_.n_parameters_


def test_samples_deterministic_and_picklable(fitted, tmp_path):
    a = fitted.sample(6, y=4)
    np.testing.assert_array_equal(a, fitted.sample(6, y=4))
    assert not np.array_equal(a, fitted.sample(6, y=4, random_state=1))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).sample(6, y=4), a)
    joblib.dump(fitted, tmp_path / "pager.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "pager.joblib").sample(6, y=4), a)


def test_default_stages_on_small_octaves_round_trip_through_skops(demo, tmp_path):
    # a 7x7 core: the default booster's patch index on 14x14 is a KD tree,
    # which the model files must accept
    X, y, _, _ = demo
    pager = PAGER(GMMCoreGenerator(resolution=7, n_components=3), random_state=0).fit(X, y)
    save_model(pager, tmp_path / "small.skops")
    restored = load_model(tmp_path / "small.skops")
    np.testing.assert_array_equal(restored.sample(4, y=2), pager.sample(4, y=2))


def test_samples_are_not_copies_of_training_images(demo, fitted):
    X, _, X_test, _ = demo
    flat = X.reshape(len(X), -1)
    samples = fitted.sample(100, random_state=3).reshape(100, -1)
    test = X_test[:100].reshape(100, -1)

    def nn_dist(A):
        d = (A**2).sum(1)[:, None] + (flat**2).sum(1)[None] - 2 * A @ flat.T
        return np.sqrt(np.maximum(d.min(axis=1), 0))

    # samples sit no closer to the training set than unseen real images do
    assert np.median(nn_dist(samples)) >= 0.9 * np.median(nn_dist(test))
    assert nn_dist(samples).min() > 1e-3


def test_super_resolve_beats_lanczos_without_retraining(demo, fitted):
    _, _, X_test, _ = demo
    low = resize(X_test, 14)
    out = fitted.super_resolve(low)
    assert out.shape == X_test.shape

    def psnr(a):
        return 10 * np.log10(1 / np.mean((a - X_test) ** 2))

    assert psnr(out) > psnr(np.clip(resize(low, 28), 0, 1))
    np.testing.assert_array_equal(out, fitted.super_resolve(low))  # temperature 0
    with pytest.raises(ValueError, match=r"takes \[14\] pixel"):
        fitted.super_resolve(resize(X_test[:2], 10))


def test_colour_cascade_from_a_4x4_core():
    base = load_demo().images[:400]
    colour = np.clip(np.concatenate([base, base * 0.5, base**2], axis=3), 0, 1)
    colour = np.pad(colour, ((0, 0), (2, 2), (2, 2), (0, 0)))
    before = colour.copy()
    pager = PAGER(
        core=GMMCoreGenerator(n_components=3, pca_variance=0.95),
        enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=2000, min_window=4),
        booster="drop",
        random_state=0,
    ).fit(colour)
    # 32x32 float64 images go through the fit without a copy: it only reads them
    np.testing.assert_array_equal(colour, before)
    assert pager.resolutions_ == [4, 8, 16, 32]
    assert pager.boosters_ == [None, None, None]
    assert pager.sample(3).shape == (3, 32, 32, 3)
    assert pager.super_resolve(resize(colour[:2], 8)).shape == (2, 32, 32, 3)


def test_default_stages_by_colour():
    grey = resize(load_demo().images[:60], 8)
    colour = np.concatenate([grey, grey * 0.5, grey**2], axis=3)
    params = {"core": GMMCoreGenerator(n_components=2, resolution=4), "booster": "drop"}
    colour_pager = PAGER(random_state=0, **params).fit(colour)
    grey_pager = PAGER(random_state=0, **params).fit(grey)
    (ex,) = colour_pager.enhancers_
    assert isinstance(ex, ExemplarEnhancer)
    assert (ex.n_exemplars, ex.n_ac_components, ex.window_split) == (10000, 128, 2)
    # all 60 images stored (fewer than 10,000), four 4x4 windows each, on their 48 pixels' axes
    assert ex.ac_.shape == (240, 48)
    assert type(grey_pager.enhancers_[0]) is ConditionalEnhancer
    assert colour_pager.sample(2).shape == (2, 8, 8, 3)
    assert grey_pager.sample(2).shape == (2, 8, 8, 1)
    grey = PAGER.default_stages(1)
    core = grey["core"]
    assert isinstance(core, LocalPCACoreGenerator)
    assert core.component_selection == "heldout"  # the core's size follows the data
    assert (core.covariance_type, core.temperature, core.local_variance) == ("full", 1.0, 0.8)
    # an explicit template is taken as given
    plain = PAGER(enhancer=ResolutionEnhancer(), random_state=0, **params).fit(colour)
    assert type(plain.enhancers_[0]) is ResolutionEnhancer
    stages = PAGER.default_stages(3)
    assert isinstance(stages["enhancer"], ExemplarEnhancer)
    assert stages["booster"] == "drop"  # PAGER then fits none (test below)


def test_samples_copy_exemplars_of_their_class(monkeypatch):
    demo = load_demo()
    grey, y = resize(demo.images[:120], 8), demo.target[:120]
    colour = np.concatenate([grey, grey * 0.5, grey**2], axis=3)
    params = {"core": GMMCoreGenerator(n_components=2, resolution=4), "booster": "drop"}
    pager = PAGER(random_state=0, **params).fit(colour, y)
    (enhancer,) = pager.enhancers_
    np.testing.assert_array_equal(enhancer.labels_, np.repeat(y[pager.store_order_], 4))
    seen = []
    transform = ExemplarEnhancer.transform

    def spy(self, X, *, labels=None, temperature=None, random_state=None):
        seen.append(labels)
        return transform(
            self, X, labels=labels, temperature=temperature, random_state=random_state
        )

    monkeypatch.setattr(ExemplarEnhancer, "transform", spy)
    pager.sample(6, y=3)
    np.testing.assert_array_equal(seen[-1], np.full(6, 3))
    pager.sample(50)  # classes drawn by the core, passed on to the enhancer
    assert seen[-1].shape == (50,) and np.isin(seen[-1], y).all()
    pager.super_resolve(resize(colour[:4], 4), y=y[:4])
    np.testing.assert_array_equal(seen[-1], y[:4])
    with pytest.raises(ValueError, match="one label per image"):
        pager.super_resolve(resize(colour[:4], 4), y=y[:3])
    # fitted without labels: the store has none and samples search all of it
    unlabelled = PAGER(random_state=0, **params).fit(colour)
    assert unlabelled.enhancers_[0].labels_ is None


def test_every_octave_stores_the_images_pager_chose():
    demo = load_demo()
    grey, y = resize(demo.images[:120], 16), demo.target[:120]
    colour = np.concatenate([grey, grey * 0.5, grey**2], axis=3)
    pager = PAGER(
        core=GMMCoreGenerator(n_components=2, resolution=4),
        enhancer=ExemplarEnhancer(n_exemplars=30, window_split=1, n_ac_components=None),
        booster=QualityBooster(n_clusters=3, patch_size=4),
        max_booster_images=40,
        random_state=0,
    ).fit(colour, y)
    assert len(pager.enhancers_) == 2  # 4 -> 8 -> 16, each with its own random_state
    keep = pager.store_order_[:30]
    assert sorted(pager.store_order_) == list(range(120))
    for enhancer, side in zip(pager.enhancers_, (8, 16), strict=True):
        np.testing.assert_array_equal(enhancer.stored_images_, keep)
        np.testing.assert_array_equal(enhancer.labels_, y[keep])
        high = colour[keep] if side == 16 else resize(colour[keep], 8)
        ac = high - resize(resize(colour[keep], side // 2), side)
        np.testing.assert_allclose(enhancer.ac_, ac.reshape(30, -1), atol=1e-5)


class LanczosRidgeOctave(BaseEstimator):
    """A user-written octave: Lanczos DC plus a ridge regression of the AC on it.

    Follows the stage contract with no skpager code: fit(X_low, y_high) and
    transform(X_low), images as (n, h, w, C).
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        X, y = np.asarray(X), np.asarray(y)
        self.side_ = 2 * X.shape[1]
        dc = resize(X, self.side_)
        self.ridge_ = Ridge(alpha=self.alpha).fit(
            dc.reshape(len(X), -1), (y - dc).reshape(len(X), -1)
        )
        return self

    def transform(self, X):
        dc = resize(np.asarray(X), self.side_)
        ac = self.ridge_.predict(dc.reshape(len(dc), -1)).reshape(dc.shape)
        return dc + ac


def test_user_written_octave_and_booster_pipeline(demo):
    X, y, X_test, _ = demo
    booster = make_pipeline(FunctionTransformer(lambda a: a))  # a plain sklearn Pipeline
    pager = PAGER(
        core=GMMCoreGenerator(n_components=3, resolution=8, pca_variance=0.9),
        enhancer=LanczosRidgeOctave(alpha=10.0),
        booster=booster,
        random_state=0,
    ).fit(X[:400], y[:400])
    assert [type(e) for e in pager.enhancers_] == [LanczosRidgeOctave, LanczosRidgeOctave]
    samples = pager.sample(5, y=2)
    assert samples.shape == (5, 28, 28, 1) and np.isfinite(samples).all()
    assert pager.super_resolve(resize(X_test[:3], 14)).shape == (3, 28, 28, 1)
    # the score of an octave without a likelihood is the core's alone
    assert np.isclose(pager.score(X_test, None), pager.core_.score(pad_images(X_test, 32, 32)))
    assert not pager.score_stages(X_test[:5])[:, 1:].any()


def test_score_samples_is_the_sum_of_the_stages(demo):
    X, y, X_test, y_test = demo
    pager = small_pager(
        core=GMMCoreGenerator(n_components=3, resolution=8, pca_variance=0.9), booster="drop"
    ).fit(X[:400], y[:400])
    stages = pager.score_stages(X_test[:20], y_test[:20])
    assert stages.shape == (20, 3)  # core 8x8, octaves 8 -> 16 -> 32
    padded = pad_images(X_test[:20], 32, 32)
    np.testing.assert_allclose(stages[:, 0], pager.core_.score_samples(padded, y_test[:20]))
    np.testing.assert_allclose(
        stages[:, 2], pager.enhancers_[1].score_samples(resize(padded, 16), padded)
    )
    np.testing.assert_allclose(pager.score_samples(X_test[:20], y_test[:20]), stages.sum(axis=1))
    assert np.isclose(pager.score(X_test[:20], y_test[:20]), stages.sum(axis=1).mean())
    # each image's score is its own, whatever the batch
    np.testing.assert_allclose(
        pager.score_samples(X_test[3:4]), pager.score_samples(X_test[:20])[3:4]
    )


def test_core_without_return_labels(demo):
    X, _, _, _ = demo

    class PlainCore(GMMCoreGenerator):
        def sample(self, n_samples=1, y=None, random_state=None):
            return super().sample(n_samples, y, random_state)

    pager = small_pager(core=PlainCore(n_components=2, resolution=8), booster="drop")
    assert pager.fit(X[:200]).sample(3).shape == (3, 28, 28, 1)


def test_nested_params_in_gridsearch(demo):
    X, _, _, _ = demo
    search = GridSearchCV(
        small_pager(
            booster="drop",
            enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=1500, min_window=8),
        ),
        {"core__n_components": [1, 6]},
        cv=2,
    )
    search.fit(X[:600])
    assert search.best_params_["core__n_components"] == 6
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_output_resolution_and_2d_layout(demo):
    X, _, _, _ = demo
    pager = small_pager(
        booster="drop", output_resolution=16, core=GMMCoreGenerator(n_components=3, resolution=8)
    ).fit(X[:300])
    assert pager.resolutions_ == [8, 16] and pager.padded_side_ == 16
    assert pager.sample(2).shape == (2, 16, 16, 1)
    flat = small_pager(
        booster="drop", output_resolution=16, core=GMMCoreGenerator(n_components=3, resolution=8)
    )
    flat.fit(X[:300, :, :, 0])
    assert flat.sample(2).shape == (2, 16, 16)


def test_core_at_the_output_resolution_has_no_octave(demo):
    """A core at the output side: no padding, no stage but the core; the
    cascade's other methods still answer, super_resolve says why it cannot."""
    X, y, X_test, y_test = demo
    pager = PAGER(core=LocalPCACoreGenerator(resolution=28, n_components=4), random_state=0)
    pager.fit(X[:600], y[:600])
    assert pager.resolutions_ == [28] and pager.padded_side_ == 28
    assert pager.enhancers_ == [] and pager.boosters_ == [] and pager.sampling_enhancer_ is None
    samples = pager.sample(6, y=[0, 1, 2, 3, 4, 5], random_state=1)
    assert samples.shape == (6, 28, 28, 1) and 0 <= samples.min() <= samples.max() <= 1
    np.testing.assert_allclose(
        pager.score_samples(X_test[:5]), pager.core_.score_samples(X_test[:5])
    )
    right = np.broadcast_to(np.arange(28) >= 14, (28, 28))
    filled = pager.inpaint(X_test[:2], right, y=y_test[:2])
    np.testing.assert_array_equal(filled[:, :, :14], X_test[:2, :, :14])
    with pytest.raises(ValueError, match="no octave"):
        pager.super_resolve(X_test[:2, ::2, ::2])


@pytest.mark.parametrize(
    "X, params, match",
    [
        (np.zeros((10, 28, 20)), {}, "square"),
        (np.zeros((10, 28 * 28)), {"image_shape": (28, 14, 2)}, "square"),
        (np.zeros((10, 16, 16)), {"output_resolution": 32}, "larger than the training"),
        (
            np.zeros((10, 8, 8)),
            {"core": GMMCoreGenerator(resolution=16)},
            "resolution 16 is larger",
        ),
    ],
)
def test_bad_input(X, params, match):
    with pytest.raises(ValueError, match=match):
        PAGER(**params).fit(X)


def test_unknown_class_and_verbose(fitted, demo, capsys):
    with pytest.raises(ValueError, match="Unknown class"):
        fitted.sample(2, y=99)
    X, y, _, _ = demo
    small_pager(verbose=1, booster="drop").fit(X[:200], y[:200])
    out = capsys.readouterr().out
    assert "stage 16 -> 32: enhancer" in out and out.startswith("[PAGER]")


def test_default_boosters_and_the_temperature_they_get():
    grey = resize(load_demo().images[:60], 8)
    colour = np.concatenate([grey, grey * 0.5, grey**2], axis=3)
    core = GMMCoreGenerator(n_components=2, resolution=4)
    colour_pager = PAGER(core=core, random_state=0).fit(colour)
    grey_pager = PAGER(core=core, random_state=0).fit(grey)
    (grey_booster,) = grey_pager.boosters_
    # colour: no booster behind the copied AC; grey: whole residuals when sampling
    assert colour_pager.boosters_ == [None]
    assert grey_booster.temperature == 1.0
    assert not grey_booster.edge_mask and grey_booster.n_neighbors == 1
    # the grey default's 8x8 patches at stride 4 shrink with the 8x8 octave
    assert (grey_booster.patch_size, grey_booster.stride) == (8, 4)
    # an explicit template is taken as given
    paper = PAGER(core=core, booster=QualityBooster(), random_state=0).fit(colour)
    assert paper.boosters_[0].temperature == 1.0 and paper.boosters_[0].stride is None
    assert np.all((paper.boosters_[0].gains_ >= 0) & (paper.boosters_[0].gains_ <= 1))
    # super_resolve passes its temperature to the booster: at 0 only the
    # least-squares part of the borrowed residual, when sampling the whole
    low = resize(grey[:5], 4)
    cold = grey_pager.super_resolve(low)
    enhanced = grey_pager.enhancers_[0].transform(low, temperature=0.0)
    expected = np.clip(grey_booster.transform(enhanced, temperature=0.0), 0, 1)
    np.testing.assert_allclose(cold, expected, atol=1e-12)
    warm = grey_pager.super_resolve(low, temperature=1.0, random_state=0)
    assert not np.allclose(warm, cold)


class RecordingOctave(LanczosRidgeOctave):
    """A user-written octave that keeps the low-resolution images it was fitted on."""

    def fit(self, X, y):
        self.fitted_low_ = np.array(X)
        return super().fit(X, y)


def test_sampling_enhancer_learns_from_the_core_reconstructions(demo):
    X, y, X_test, _ = demo
    params = {
        "core": GMMCoreGenerator(n_components=3, resolution=8, pca_variance=0.8),
        "enhancer": LanczosRidgeOctave(alpha=10.0),
        "booster": QualityBooster(n_clusters=5, edge_mask=False, stride=4, n_neighbors=1),
        "random_state": 0,
    }
    pager = PAGER(sampling_enhancer=RecordingOctave(alpha=10.0), **params).fit(X[:400], y[:400])
    plain = PAGER(sampling_enhancer="drop", **params).fit(X[:400], y[:400])
    assert plain.sampling_enhancer_ is None
    # fitted, on the first octave (8 -> 16), with the core's reconstructions
    sampler = pager.sampling_enhancer_
    padded = pad_images(X[:400], 32, 32)
    np.testing.assert_allclose(sampler.fitted_low_, pager.core_.reconstruct(padded, y[:400]))
    assert sampler.side_ == 16 and not np.allclose(sampler.fitted_low_, resize(padded, 8))
    assert pager.n_parameters_ == plain.n_parameters_  # the user's octave reports none
    # the other stages are those of the model without it (it is fitted last) ...
    low = resize(X_test[:4], 7)
    np.testing.assert_array_equal(pager.super_resolve(low), plain.super_resolve(low))
    # ... and sample uses it in the first octave only: in its place the first
    # enhancer gives the samples of the model without it
    samples = pager.sample(6, y=[0, 1, 2] * 2, random_state=3)
    assert not np.allclose(samples, plain.sample(6, y=[0, 1, 2] * 2, random_state=3))
    pager.sampling_enhancer_ = pager.enhancers_[0]
    np.testing.assert_array_equal(
        pager.sample(6, y=[0, 1, 2] * 2, random_state=3),
        plain.sample(6, y=[0, 1, 2] * 2, random_state=3),
    )


def test_sampling_enhancer_default_and_a_core_without_reconstruct(demo):
    X, y, _, _ = demo
    assert type(PAGER.default_stages(1)["sampling_enhancer"]) is ConditionalEnhancer
    assert PAGER.default_stages(3)["sampling_enhancer"] == "drop"

    class CoreWithoutReconstruct(BaseEstimator):
        """Stage contract only: fit and sample, no reconstruct."""

        def __init__(self, resolution=8, random_state=None):
            self.resolution = resolution
            self.random_state = random_state

        def fit(self, X, y=None):
            self.core_ = GMMCoreGenerator(
                n_components=2, resolution=self.resolution, random_state=self.random_state
            ).fit(X, y)
            return self

        def sample(self, n_samples=1, y=None, random_state=None):
            return self.core_.sample(n_samples, y, random_state)

    params = {"enhancer": LanczosRidgeOctave(), "booster": "drop", "random_state": 0}
    # the default: no sampling enhancer when the core cannot reconstruct
    pager = PAGER(CoreWithoutReconstruct(), **params).fit(X[:200])
    assert pager.sampling_enhancer_ is None and pager.sample(2).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="sampling_enhancer needs a core with a reconstruct"):
        PAGER(CoreWithoutReconstruct(), sampling_enhancer=LanczosRidgeOctave(), **params).fit(
            X[:200]
        )
    with pytest.raises(ValueError, match="sampling_enhancer"):
        PAGER(sampling_enhancer="keep", **params).fit(X[:200])
