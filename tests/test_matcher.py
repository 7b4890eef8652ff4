"""HistogramMatcher: a generator's pixel values mapped onto the training
images' distribution, per class and channel."""

import numpy as np
import pytest
from _wrappers import small_pager, two_class_images
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.frozen import FrozenEstimator

from skpager import (
    PAGER,
    GMMCoreGenerator,
    HistogramMatcher,
    SubspaceRefiner,
    load_model,
    save_model,
)
from skpager._matcher import _average_ties, _pixel_quantiles
from skpager._utils import draw_seed

LEVELS = np.linspace(0.05, 0.95, 19)


@pytest.fixture(scope="module")
def fitted():
    X, y = two_class_images()
    return HistogramMatcher(small_pager(), n_probe=200, n_quantiles=64, random_state=0).fit(X, y)


def _seed(random_state):
    return draw_seed(np.random.RandomState(random_state))


def test_matched_samples_take_the_training_pixel_distribution_of_their_class(fitted):
    X, y = two_class_images()
    labels = np.repeat([0, 1], 300)
    own = fitted.generator_.sample(600, y=labels, random_state=_seed(5))
    matched = fitted.sample(600, y=labels, random_state=5)
    np.testing.assert_array_equal(matched, fitted.match(own, labels))
    for c in (0, 1):
        truth = np.quantile(X[y == c], LEVELS)
        before = np.abs(np.quantile(own[labels == c], LEVELS) - truth).mean()
        after = np.abs(np.quantile(matched[labels == c], LEVELS) - truth).mean()
        # the generator's distribution was off, and the match brings it close
        # (a mean over the levels: a level on a jump of the training
        # distribution, between background and square, moves with any draw)
        assert before > 0.005
        assert after < 0.3 * before


def test_the_map_keeps_each_images_pixel_order_and_the_pixel_range(fitted):
    X = np.random.RandomState(0).rand(6, 8, 8)
    labels = np.array([0, 1, 0, 1, 1, 0])
    out = fitted.match(X, labels)
    assert out.shape == X.shape and out.min() >= 0.0 and out.max() <= 1.0
    for image, mapped in zip(X, out, strict=True):
        order = np.argsort(image.ravel())
        assert np.all(np.diff(mapped.ravel()[order]) >= 0)
    # the map of a class is a function of the pixel value and the class only
    same = np.full((1, 8, 8), 0.3)
    as_zero, as_one = fitted.match(same, [0]), fitted.match(same, [1])
    assert np.unique(as_zero).size == 1 and np.unique(as_one).size == 1
    assert as_zero[0, 0, 0] != as_one[0, 0, 0]


def test_source_and_target_quantiles_are_the_probes_and_the_training_images(fitted):
    X, y = two_class_images()
    assert fitted.source_quantiles_.shape == fitted.target_quantiles_.shape == (2, 1, 64)
    assert np.all(np.diff(fitted.source_quantiles_, axis=-1) >= 0)
    assert np.all(np.diff(fitted.target_quantiles_, axis=-1) >= 0)
    levels = np.linspace(0, 1, 64)
    for c in (0, 1):
        source = fitted.source_quantiles_[c, 0]
        target = np.quantile(X[y == c], levels)
        # where the source quantiles are distinct, the targets are the
        # training images' quantiles; tied ones share the mean of theirs
        np.testing.assert_allclose(fitted.target_quantiles_[c, 0], _average_ties(source, target))
        distinct = np.r_[np.diff(source) > 0, True] & np.r_[True, np.diff(source) > 0]
        assert distinct.sum() > 32
        np.testing.assert_allclose(fitted.target_quantiles_[c, 0][distinct], target[distinct])
    assert fitted.n_parameters_ == fitted.generator_.n_parameters_ + 2 * 2 * 64


@settings(max_examples=50, deadline=None)
@given(
    source=hnp.arrays(
        np.float64, st.integers(2, 40), elements=st.sampled_from([0.0, 0.1, 0.5, 1])
    ),
    target=hnp.arrays(np.float64, 40, elements=st.floats(0, 1)),
)
def test_ties_share_the_mean_of_their_targets_and_the_map_stays_monotone(source, target):
    source, target = np.sort(source), np.sort(target[: len(source)])
    averaged = _average_ties(source, target)
    assert averaged.shape == source.shape
    for value in np.unique(source):
        tied = source == value
        np.testing.assert_allclose(averaged[tied], target[tied].mean())
    assert np.all(np.diff(averaged) >= -1e-12)
    # a map read at its source quantiles gives these values
    np.testing.assert_allclose(np.interp(source, source, averaged), averaged, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    images=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)),
        elements=st.floats(0, 1),
    ),
    n_quantiles=st.integers(2, 300),
)
def test_pixel_quantiles_are_numpys_per_channel(images, n_quantiles):
    levels = np.linspace(0, 1, n_quantiles)
    expected = np.quantile(images.reshape(-1, images.shape[-1]), levels, axis=0).T
    np.testing.assert_allclose(_pixel_quantiles(images, levels), expected, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    images=hnp.arrays(np.float64, (3, 8, 8), elements=st.floats(0, 1)),
    labels=st.lists(st.sampled_from([0, 1]), min_size=3, max_size=3),
)
def test_each_image_depends_on_its_own_pixels_and_class_only(fitted, images, labels):
    labels = np.array(labels)
    out = fitted.match(images, labels)
    for i in range(3):
        np.testing.assert_array_equal(
            fitted.match(images[i : i + 1], labels[i : i + 1]), out[i : i + 1]
        )
    np.testing.assert_array_equal(fitted.match(images[::-1], labels[::-1]), out[::-1])


def test_sampling_by_position_and_batch(fitted):
    whole, labels = fitted.sample(9, random_state=4, return_labels=True)
    part, part_labels = fitted.sample(4, random_state=4, offset=5, return_labels=True)
    np.testing.assert_allclose(part, whole[5:], atol=1e-12)
    np.testing.assert_array_equal(part_labels, labels[5:])
    batches = list(fitted.iter_samples(9, batch_size=4, random_state=4))
    assert [len(b) for b in batches] == [4, 4, 1]
    np.testing.assert_allclose(np.concatenate(batches), whole, atol=1e-12)
    _, many = fitted.sample(400, random_state=0, return_labels=True)
    assert 0.4 < many.mean() < 0.6


def test_without_labels_one_map_for_all_images():
    X, _ = two_class_images()
    model = HistogramMatcher(small_pager(), n_probe=100, n_quantiles=16, random_state=0).fit(X)
    assert model.classes_ is None
    assert model.source_quantiles_.shape == (1, 1, 16)
    np.testing.assert_allclose(
        model.target_quantiles_[0, 0],
        _average_ties(model.source_quantiles_[0, 0], np.quantile(X, np.linspace(0, 1, 16))),
    )
    assert model.sample(3, random_state=0).shape == (3, 8, 8)
    with pytest.raises(ValueError, match="without labels"):
        model.match(X[:2], [0, 1])


def test_colour_images_get_one_map_per_channel():
    rng = np.random.RandomState(0)
    X = np.clip(rng.rand(80, 8, 8, 3) * [0.3, 0.6, 1.0], 0, 1)
    pager = PAGER(GMMCoreGenerator(resolution=4, n_components=2, max_iter=20), random_state=0)
    model = HistogramMatcher(pager, n_probe=100, n_quantiles=32, random_state=0).fit(X)
    assert model.source_quantiles_.shape == (1, 3, 32)
    assert model.image_shape_ == (8, 8, 3)
    images = model.sample(200, random_state=1)
    assert images.shape == (200, 8, 8, 3)
    for channel, top in enumerate([0.3, 0.6, 1.0]):
        assert (
            abs(np.quantile(images[..., channel], 0.9) - np.quantile(X[..., channel], 0.9))
            < 0.05 * top + 0.01
        )


def test_fit_is_reproducible_and_the_default_generator_is_pager():
    X, y = two_class_images(60)
    one = HistogramMatcher(small_pager(), n_probe=50, random_state=3).fit(X, y)
    two = HistogramMatcher(small_pager(), n_probe=50, random_state=3).fit(X, y)
    np.testing.assert_array_equal(one.source_quantiles_, two.source_quantiles_)
    np.testing.assert_array_equal(one.sample(4, random_state=1), two.sample(4, random_state=1))
    # uint8 images are rescaled: the training quantiles are those of X / 255
    as_uint8 = np.rint(X * 255).astype(np.uint8)
    eight = HistogramMatcher(small_pager(), n_probe=50, random_state=3).fit(as_uint8, y)
    floats = HistogramMatcher(small_pager(), n_probe=50, random_state=3).fit(as_uint8 / 255, y)
    np.testing.assert_allclose(eight.target_quantiles_, floats.target_quantiles_)
    assert eight.target_quantiles_.max() <= 1.0
    default = HistogramMatcher(n_probe=10, random_state=0).fit(X[:40])
    assert isinstance(default.generator_, PAGER)


def test_the_matcher_wraps_a_refiner_and_skops_round_trips(tmp_path):
    X, y = two_class_images()
    refiner = SubspaceRefiner(small_pager(), random_state=0).fit(X, y)
    model = HistogramMatcher(FrozenEstimator(refiner), n_probe=50, random_state=0).fit(X, y)
    images, labels = model.sample(6, random_state=2, return_labels=True)
    np.testing.assert_array_equal(
        images, model.match(refiner.sample(6, y=labels, random_state=_seed(2)), labels)
    )
    save_model(model, tmp_path / "matcher.skops")
    restored = load_model(tmp_path / "matcher.skops")
    np.testing.assert_array_equal(
        restored.sample(5, random_state=4), model.sample(5, random_state=4)
    )


def test_bad_arguments_raise_naming_them(fitted):
    X, y = two_class_images(20)
    with pytest.raises(ValueError, match="n_quantiles"):
        HistogramMatcher(small_pager(), n_quantiles=1).fit(X, y)
    with pytest.raises(ValueError, match="n_probe"):
        HistogramMatcher(small_pager(), n_probe=0).fit(X, y)
    with pytest.raises(ValueError, match="one label per image"):
        HistogramMatcher(small_pager()).fit(X, y[:5])
    with pytest.raises(ValueError, match="shape"):
        fitted.match(np.zeros((2, 7, 7)), [0, 1])
    with pytest.raises(ValueError, match="y is required"):
        fitted.match(X[:2])
    with pytest.raises(ValueError, match="not seen in fit"):
        fitted.match(X[:2], [0, 7])
    with pytest.raises(ValueError, match="one label per image"):
        fitted.match(X[:3], [0, 1])
    with pytest.raises(ValueError, match="range|255"):
        fitted.match(X[:2] * 255, [0, 1])
    with pytest.raises(ValueError, match="n_samples"):
        fitted.sample(0)
