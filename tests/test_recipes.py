"""make_refined_pager: the refining recipe as one unfitted estimator."""

import numpy as np
import pytest
from _wrappers import two_class_images
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from skpager import (
    PAGER,
    ConditionalEnhancer,
    DensityRatioResampler,
    HistogramMatcher,
    LocalPCACoreGenerator,
    SubspaceRefiner,
    load_model,
    make_refined_pager,
    save_model,
)


def test_the_stack_and_its_parameters():
    model = make_refined_pager(
        n_candidates=5, core_temperature=1.1, residual_weight=0.6, n_jobs=2, random_state=3
    )
    assert isinstance(model, HistogramMatcher) and model.random_state == 3
    refiner = model.generator
    assert isinstance(refiner, SubspaceRefiner)
    assert (refiner.residual_weight, refiner.n_jobs, refiner.random_state) == (0.6, 2, None)
    pager = refiner.generator
    assert isinstance(pager, PAGER) and (pager.n_jobs, pager.random_state) == (2, None)
    assert pager.enhancer is None and pager.booster is None  # PAGER's defaults for the data
    core = pager.core
    assert isinstance(core, DensityRatioResampler) and core.n_candidates == 5
    assert isinstance(core.generator, LocalPCACoreGenerator)
    assert core.generator.temperature == 1.1
    # the seeds are the matcher's alone: every nested one is left to its fit
    params = model.get_params(deep=True)
    nested = [key for key in params if key.endswith("random_state") and key != "random_state"]
    assert nested and all(params[key] is None for key in nested)
    assert clone(model).get_params(deep=True).keys() == params.keys()


def test_defaults_are_the_validated_recipe():
    model = make_refined_pager()
    assert model.generator.residual_weight == 0.85
    assert model.generator.generator.core.n_candidates == 12
    assert model.generator.generator.core.generator.temperature == 1.3


def _small(model):
    """The same stack, with parts small enough to fit 8x8 images in seconds."""
    return model.set_params(
        n_probe=40,
        generator__generator__core__generator__resolution=4,
        generator__generator__core__generator__n_components=2,
        generator__generator__core__n_candidates=3,
        generator__generator__core__classifier=LogisticRegression(),
        generator__generator__enhancer=ConditionalEnhancer(8),
    )


@pytest.fixture(scope="module")
def fitted():
    X, y = two_class_images()
    return _small(make_refined_pager(random_state=0)).fit(X, y)


def test_it_fits_and_samples_by_seed_and_position(fitted):
    first = fitted
    labels = np.arange(12) % 2
    images = first.sample(12, y=labels, random_state=4)
    assert images.shape == (12, 8, 8) and images.min() >= 0 and images.max() <= 1
    np.testing.assert_array_equal(images, first.sample(12, y=labels, random_state=4))
    # an image depends on the seed and its position (to BLAS rounding)
    later = first.sample(4, y=labels[5:9], random_state=4, offset=5)
    np.testing.assert_allclose(images[5:9], later, rtol=0, atol=1e-12)
    # the matcher maps the refiner's images, which refine PAGER's
    refiner = first.generator_
    assert isinstance(refiner.generator_, PAGER)
    assert isinstance(refiner.generator_.core_, DensityRatioResampler)
    seeds = {refiner.random_state, refiner.generator_.random_state}
    assert None not in seeds and len(seeds) == 2  # drawn from the matcher's seed


def test_the_fitted_stack_round_trips_through_a_model_file(fitted, tmp_path):
    model = fitted
    save_model(model, tmp_path / "stack.skops")
    loaded = load_model(tmp_path / "stack.skops")
    labels = np.arange(6) % 2
    np.testing.assert_array_equal(
        loaded.sample(6, y=labels, random_state=1), model.sample(6, y=labels, random_state=1)
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("n_candidates", 0),
        ("n_candidates", 2.5),
        ("core_temperature", -0.1),
        ("residual_weight", 1.5),
        ("n_jobs", "two"),
        ("random_state", "seed"),
    ],
)
def test_bad_arguments_are_named(name, value):
    with pytest.raises(ValueError, match=f"'{name}' parameter of make_refined_pager"):
        make_refined_pager(**{name: value})


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        make_refined_pager(12)


def test_the_stacks_pieces_do_not_change_its_images(fitted, monkeypatch):
    """A map wrapper samples in large pieces (so that PAGER gets batches it
    can draw in threads); the pieces' size does not change the images."""
    labels = np.arange(12) % 2
    images = fitted.sample(12, y=labels, random_state=2)
    monkeypatch.setattr(fitted, "_sample_batch", 5)
    monkeypatch.setattr(fitted.generator_, "_sample_batch", 3)
    np.testing.assert_allclose(
        fitted.sample(12, y=labels, random_state=2), images, rtol=0, atol=1e-12
    )
