"""SubspaceRefiner: a generator's images pulled toward a model's reconstructions."""

import copy

import numpy as np
import pytest
from _wrappers import small_pager, two_class_images
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, clone
from sklearn.frozen import FrozenEstimator

from skpager import (
    PAGER,
    DensityRatioResampler,
    GMMCoreGenerator,
    LocalPCACoreGenerator,
    SubspaceRefiner,
    load_model,
    save_model,
)
from skpager._utils import draw_seed


def _model():
    return LocalPCACoreGenerator(n_components=2, max_iter=20, local_variance=0.5)


@pytest.fixture(scope="module")
def fitted():
    X, y = two_class_images()
    return SubspaceRefiner(small_pager(), model=_model(), random_state=0).fit(X, y)


def _seed(random_state):
    return draw_seed(np.random.RandomState(random_state))


def _with_weight(model, weight):
    model = copy.deepcopy(model)  # residual_weight is read when refining
    model.set_params(residual_weight=weight)
    return model


def test_refined_samples_are_the_generators_pulled_toward_the_reconstructions(fitted):
    labels = np.array([0, 1, 1, 0, 1])
    # the refiner hands the generator the seed its stream draws from 11
    own = fitted.generator_.sample(5, y=labels, random_state=_seed(11))
    reconstructed = fitted.model_.reconstruct(own, labels).reshape(own.shape)
    np.testing.assert_allclose(
        _with_weight(fitted, 1.0).sample(5, y=labels, random_state=11), own, atol=1e-12
    )
    np.testing.assert_allclose(
        _with_weight(fitted, 0.0).sample(5, y=labels, random_state=11), reconstructed, atol=1e-12
    )
    expected = reconstructed + fitted.residual_weight * (own - reconstructed)
    np.testing.assert_allclose(fitted.sample(5, y=labels, random_state=11), expected, atol=1e-12)
    # the projection moved something: the test is not vacuous
    assert np.abs(own - reconstructed).max() > 0.01


@settings(max_examples=25, deadline=None)
@given(weight=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_distance_to_the_reconstruction_scales_by_the_weight(fitted, weight, seed):
    X = np.random.RandomState(seed).rand(4, 8, 8)
    labels = np.array([0, 1, 0, 1])
    model = _with_weight(fitted, weight)
    reconstructed = model.model_.reconstruct(X, labels).reshape(X.shape)
    refined = model.refine(X, labels)
    assert refined.shape == X.shape
    assert refined.min() >= 0.0 and refined.max() <= 1.0
    before = np.linalg.norm((X - reconstructed).reshape(4, -1), axis=1)
    after = np.linalg.norm((refined - reconstructed).reshape(4, -1), axis=1)
    np.testing.assert_allclose(after, weight * before, rtol=1e-9, atol=1e-12)


def test_each_image_depends_on_its_own_input_and_position_only(fitted):
    X, y = two_class_images(12, seed=3)
    out = fitted.refine(X, y)
    np.testing.assert_allclose(fitted.refine(X[5:7], y[5:7]), out[5:7], atol=1e-12)
    perm = np.random.default_rng(0).permutation(12)
    np.testing.assert_allclose(fitted.refine(X[perm], y[perm]), out[perm], atol=1e-12)
    whole, labels = fitted.sample(9, random_state=4, return_labels=True)
    part, part_labels = fitted.sample(4, random_state=4, offset=5, return_labels=True)
    np.testing.assert_allclose(part, whole[5:], atol=1e-12)
    np.testing.assert_array_equal(part_labels, labels[5:])
    batches = list(fitted.iter_samples(9, batch_size=4, random_state=4))
    assert [len(b) for b in batches] == [4, 4, 1]
    np.testing.assert_allclose(np.concatenate(batches), whole, atol=1e-12)


def test_labels_without_classes_follow_the_class_shares(fitted):
    _, labels = fitted.sample(400, random_state=0, return_labels=True)
    assert set(np.unique(labels)) == {0, 1}
    assert 0.4 < labels.mean() < 0.6
    images, one = fitted.sample(3, y=1, random_state=0, return_labels=True)
    np.testing.assert_array_equal(one, [1, 1, 1])
    assert images.shape == (3, 8, 8)


def test_fit_seeds_the_given_estimators_and_is_reproducible():
    X, y = two_class_images()
    model = SubspaceRefiner(
        PAGER(GMMCoreGenerator(resolution=4, n_components=2, max_iter=20)),
        model=_model(),
        random_state=5,
    ).fit(X, y)
    assert model.generator_.random_state is not None
    assert model.model_.random_state is not None
    assert model.model_.resolution == 8  # the generated images' side
    again = SubspaceRefiner(model.generator, model=model.model, random_state=5).fit(X, y)
    np.testing.assert_array_equal(again.sample(4, random_state=1), model.sample(4, random_state=1))
    assert model.image_shape_ == (8, 8, 1)
    assert model.n_parameters_ == model.generator_.n_parameters_ + model.model_.n_parameters_


def test_default_generator_and_model():
    X, _ = two_class_images(40)
    model = SubspaceRefiner(random_state=0).fit(X)
    assert isinstance(model.generator_, PAGER)
    assert isinstance(model.model_, LocalPCACoreGenerator)
    assert model.model_.local_variance == 0.99
    assert model.model_.feature_variance == 0.95
    assert model.classes_ is None
    assert model.sample(3, random_state=0).shape == (3, 8, 8)


def test_bad_arguments_raise_naming_them(fitted):
    X, y = two_class_images(20)
    with pytest.raises(ValueError, match="residual_weight"):
        SubspaceRefiner(small_pager(), residual_weight=1.5).fit(X, y)
    with pytest.raises(ValueError, match="model"):
        SubspaceRefiner(small_pager(), model=BaseEstimator()).fit(X, y)
    with pytest.raises(ValueError, match="one label per image"):
        SubspaceRefiner(small_pager(), model=_model()).fit(X, y[:5])
    with pytest.raises(ValueError, match="shape"):
        fitted.refine(np.zeros((2, 7, 7)))
    with pytest.raises(ValueError, match="not seen in fit"):
        fitted.refine(X[:2], [0, 7])
    with pytest.raises(ValueError, match="one label per image"):
        fitted.refine(X[:3], [0, 1])
    with pytest.raises(ValueError, match="range|255"):
        fitted.refine(X[:2] * 255)
    with pytest.raises(ValueError, match="n_samples"):
        fitted.sample(0)
    with pytest.raises(ValueError, match="offset"):
        fitted.sample(2, offset=-1)
    unconditional = SubspaceRefiner(small_pager(), model=_model(), random_state=0).fit(X)
    with pytest.raises(ValueError, match="without labels"):
        unconditional.refine(X[:2], [0, 1])


def test_a_resampler_wraps_a_refiner_and_skops_round_trips(fitted, tmp_path):
    X, y = two_class_images()
    resampled = DensityRatioResampler(
        FrozenEstimator(fitted), n_fit_samples=60, random_state=0
    ).fit(X, y)
    images, labels = resampled.sample(6, random_state=2, return_labels=True)
    assert images.shape == (6, 8, 8) and labels.shape == (6,)
    save_model(fitted, tmp_path / "refiner.skops")
    restored = load_model(tmp_path / "refiner.skops")
    np.testing.assert_array_equal(
        restored.sample(5, random_state=4), fitted.sample(5, random_state=4)
    )


def test_the_model_learns_the_training_images_at_the_generated_side():
    X, y = two_class_images(60, side=16)
    pager = PAGER(
        GMMCoreGenerator(resolution=4, n_components=2, max_iter=20),
        output_resolution=8,
        random_state=0,
    )
    model = SubspaceRefiner(pager, model=_model(), random_state=0).fit(X, y)
    assert model.image_shape_ == (8, 8, 1)
    assert model.model_.image_shape_[:2] == (8, 8)
    images = model.sample(3, random_state=0)
    assert images.shape == (3, 8, 8)
    # flat images: the generator's image_shape parameter gives their shape
    flat_pager = clone(pager).set_params(image_shape=(16, 16))
    flat = SubspaceRefiner(flat_pager, model=_model(), random_state=0).fit(X.reshape(60, -1), y)
    np.testing.assert_array_equal(flat.sample(3, random_state=0), images.reshape(3, -1))
