"""One rule for pixel values, and a clear error (or documented behaviour) for
each bad input a careful user or an attacker tried (issue 21, items 3 and 4)."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone

from skpager import (
    PAGER,
    AttributeGuidedGenerator,
    ConditionalEnhancer,
    ExemplarEnhancer,
    GMMCoreGenerator,
    QualityBooster,
    ResolutionEnhancer,
    SaabTransformer,
)
from skpager.datasets import load_demo
from skpager.image import image_grid, resize

IMAGES = load_demo().images[:80, 6:22, 6:22]  # 16x16 crops, content up to the border
LABELS = load_demo().target[:80]
LOW = resize(IMAGES, 8)

# (estimator, X, y) for fit
FITS = {
    "core": (GMMCoreGenerator(8, n_components=2, random_state=0), IMAGES, LABELS),
    "pager": (
        PAGER(GMMCoreGenerator(n_components=2, resolution=8), booster="drop", random_state=0),
        IMAGES,
        None,
    ),
    "resolution": (ResolutionEnhancer(n_dc_components=2, random_state=0), LOW, IMAGES),
    "exemplar": (ExemplarEnhancer(n_exemplars=20, random_state=0), LOW, IMAGES),
    "conditional": (ConditionalEnhancer(4, random_state=0), LOW, IMAGES),
    "booster": (QualityBooster(n_clusters=2, patch_size=4, random_state=0), IMAGES, IMAGES),
}


@pytest.mark.parametrize("name", sorted(FITS))
def test_float_images_on_the_0_255_scale_are_refused(name):
    est, X, y = FITS[name]
    with pytest.raises(ValueError, match="Divide 0..255 images by 255"):
        clone(est).fit(X * 255, y)
    if y is not None and name != "core":
        with pytest.raises(ValueError, match="y holds pixel values"):
            clone(est).fit(X, y * 255)
    fitted = clone(est).fit(X, y)
    method = fitted.score if name in ("core", "pager") else fitted.transform
    with pytest.raises(ValueError, match="Divide 0..255 images by 255"):
        method(X * 255)


def test_integer_pixels_follow_one_rule():
    est, X, y = FITS["core"]
    reference = clone(est).fit(X, y)
    as_uint8 = np.rint(X * 255).astype(np.uint8)
    for data in (as_uint8, as_uint8.astype(np.int64), as_uint8.astype(np.int16)):
        np.testing.assert_allclose(
            clone(est).fit(data, y).score_samples(X, y),
            clone(est).fit(as_uint8, y).score_samples(X, y),
        )
    as_uint16 = np.rint(X * 65535).astype(np.uint16)
    np.testing.assert_allclose(
        clone(est).fit(as_uint16, y).score_samples(X, y),
        reference.score_samples(X, y),
        rtol=1e-3,
    )
    with pytest.raises(ValueError, match="integer pixels are read as 8-bit values"):
        clone(est).fit(as_uint8.astype(np.int64) * 4, y)
    with pytest.raises(ValueError, match="integer pixels"):
        reference.score_samples(as_uint8.astype(np.int32) - 1, y)
    assert clone(est).fit(X > 0.5, y).sample(2).shape == (2, 8, 8, 1)


def test_saab_takes_any_finite_floats():
    rng = np.random.default_rng(0)
    X = rng.normal(scale=50.0, size=(20, 4, 4))
    saab = SaabTransformer().fit(X)
    np.testing.assert_allclose(saab.inverse_transform(saab.transform(X)), X)


def test_super_resolve_refuses_0_255_floats_and_bad_temperatures():
    pager = clone(FITS["pager"][0]).fit(IMAGES)
    with pytest.raises(ValueError, match="Divide 0..255"):
        pager.super_resolve(LOW * 255)
    for bad in (-1, np.nan, 1e9, "hot", True):
        with pytest.raises(ValueError, match="temperature must be a number in"):
            pager.super_resolve(LOW, temperature=bad)


@pytest.mark.parametrize(
    "est",
    [
        GMMCoreGenerator(temperature=1e9),
        ResolutionEnhancer(temperature=-0.1),
        ConditionalEnhancer(4, temperature=11),
    ],
)
def test_temperature_is_bounded(est):
    X, y = (IMAGES, None) if isinstance(est, GMMCoreGenerator) else (LOW, IMAGES)
    with pytest.raises(ValueError, match="temperature"):
        est.fit(X, y)


@pytest.mark.parametrize("bad", [(300, -5), (1,), (np.nan, 10), ("a", "b"), (-1, 5)])
@pytest.mark.parametrize("cls", [QualityBooster, ResolutionEnhancer])
def test_canny_thresholds_are_checked_at_fit(cls, bad):
    est = cls(canny_thresholds=bad)
    X, y = (IMAGES, IMAGES) if cls is QualityBooster else (LOW, IMAGES)
    with pytest.raises(ValueError, match="canny_thresholds must be two finite numbers"):
        est.fit(X, y)


@pytest.mark.parametrize("name", sorted(FITS))
def test_empty_image_arrays(name):
    est, X, y = FITS[name]
    with pytest.raises(ValueError, match="0 sample"):
        clone(est).fit(X[:0], None if y is None else y[:0])


def test_parameters_named_in_errors():
    with pytest.raises(ValueError, match="'reg' parameter"):
        QualityBooster(reg=0).fit(IMAGES, IMAGES)
    with pytest.raises(ValueError, match=r"n_stages=1000000 .* at most 4 stage"):
        SaabTransformer(n_stages=10**6).fit(IMAGES)
    core = clone(FITS["core"][0]).fit(IMAGES, LABELS)
    for bad in (True, 0, 2.5):
        with pytest.raises(ValueError, match="n_samples must be a positive integer"):
            core.sample(bad)


def test_cascade_plan_checked_before_fitting():
    images = resize(load_demo().images[:60], 12)
    core = GMMCoreGenerator(n_components=2, resolution=3)
    # PAGER's own booster takes a patch that divides every octave side (3 -> 6 -> 12)
    pager = PAGER(core, random_state=0).fit(images)
    assert [b.patch_size for b in pager.boosters_] == [2, 4]
    assert [b.stride for b in pager.boosters_] == [1, 2]  # half the patch, as 4 is to 8
    with pytest.raises(ValueError, match="booster's patch_size=8 does not divide the octave"):
        PAGER(core, booster=QualityBooster(patch_size=8), random_state=0).fit(images)
    with pytest.raises(ValueError, match="patch_size=4 and stride=3 do not tile the octave"):
        PAGER(core, booster=QualityBooster(4, stride=3), random_state=0).fit(images)
    tiled = PAGER(core, booster=QualityBooster(2, stride=1), random_state=0).fit(images)
    assert [(b.patch_size, b.stride) for b in tiled.boosters_] == [(2, 1), (2, 1)]


def test_attribute_generator_inputs():
    rng = np.random.default_rng(0)
    A = np.where(rng.random((40, 2)) < 0.5, -1, 1)
    est = AttributeGuidedGenerator(GMMCoreGenerator(n_components=1), n_clusters=2, random_state=0)
    with pytest.raises(ValueError, match="X holds no images"):
        clone(est).fit(IMAGES[:0], A[:0])
    with pytest.raises(ValueError, match="min_cluster_size"):
        clone(est).set_params(min_cluster_size=1).fit(IMAGES[:40], A)
    fitted = clone(est).fit(IMAGES[:40, ::2, ::2], A)
    with pytest.raises(ValueError, match="n_samples"):
        fitted.sample(True)
    for bad in ("x", [1, "a"], [[1, 0]], [1, 0, 1], [2, 0]):
        with pytest.raises(ValueError, match="query"):
            fitted.sample(2, query=bad)


def test_attribute_query_never_seen_warns():
    # two clusters: (+1, +1) and (-1, -1); (+1, -1) was never seen
    A = np.array([[1, 1]] * 20 + [[-1, -1]] * 20)
    est = AttributeGuidedGenerator(GMMCoreGenerator(n_components=1), n_clusters=2, random_state=0)
    est.fit(IMAGES[:40, ::2, ::2], A)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert est.select_cluster([1, 1]) == est.select_cluster([1, 0])
    with pytest.warns(UserWarning, match="agrees with 1 of them"):
        est.select_cluster([1, -1])


def test_grid_is_built_in_uint8():
    grid = image_grid(np.linspace(-1, 2, 5 * 4 * 4).reshape(5, 4, 4), 3, scale=2, pad=1)
    assert grid.dtype == np.uint8
    assert grid.shape == (2 * (8 + 1) + 1, 3 * (8 + 1) + 1, 3)
    assert grid[0].min() == 255  # the padding is white
    assert grid[1, 1].tolist() == [0, 0, 0]  # the first pixel is clipped to 0


def test_target_images_are_named_in_errors():
    est, X, y = FITS["booster"]
    with pytest.raises(ValueError, match="^y has integer dtype int64"):
        clone(est).fit(X, (y * 1000).astype(np.int64))
    with pytest.raises(ValueError, match="y must hold at least one image"):
        clone(est).fit(X, y[:, :0])
