"""AttributeGuidedGenerator: clustering, query selection, CelebA format, errors."""

from pathlib import Path

import numpy as np
import pytest

from skpager import PAGER, AttributeGuidedGenerator, GMMCoreGenerator, ResolutionEnhancer
from skpager.datasets import load_celeba, load_demo

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="module")
def demo_attrs():
    demo = load_demo()
    keep = np.isin(demo.target, [5, 7, 9, 8, 1])  # footwear, bags, trousers
    X, y = demo.images[keep][::2], demo.target[keep][::2]
    A = np.stack([np.where(np.isin(y, [5, 7, 9]), 1, -1), np.where(y == 8, 1, -1)], axis=1)
    return X, y, A


@pytest.fixture(scope="module")
def fitted(demo_attrs):
    X, _, A = demo_attrs
    return AttributeGuidedGenerator(
        GMMCoreGenerator(resolution=14, n_components=3), n_clusters=5, random_state=0
    ).fit(X, A)


def test_one_generator_per_distinct_attribute_cluster(demo_attrs, fitted):
    X, y, A = demo_attrs
    # three distinct attribute rows: footwear, bag, neither (trouser)
    assert len(fitted.estimators_) == 3
    assert fitted.cluster_sizes_.sum() == len(X)
    assert set(map(tuple, np.rint(fitted.cluster_centers_).astype(int))) == {
        (1, -1),
        (-1, 1),
        (-1, -1),
    }


def test_query_selects_by_cosine_over_nonzero_entries(demo_attrs, fitted):
    X, y, A = demo_attrs
    bag = fitted.select_cluster([-1, 1])
    assert np.all(y[fitted.labels_ == bag] == 8)
    footwear = fitted.select_cluster([1, 0])
    assert set(np.unique(y[fitted.labels_ == footwear])) == {5, 7, 9}
    assert fitted.select_cluster([0, 0]) is None
    assert fitted.sample(4, query=[0, 0]).shape == (4, 14, 14, 1)
    a = fitted.sample(5, query=[-1, 1])
    np.testing.assert_array_equal(a, fitted.sample(5, query=[-1, 1]))


def test_small_clusters_are_merged_with_a_warning():
    rng = np.random.default_rng(0)
    X = rng.random((41, 4, 4))
    A = np.array([[1, 1]] * 20 + [[-1, -1]] * 20 + [[1, -1]])
    with pytest.warns(UserWarning, match="merged"):
        gen = AttributeGuidedGenerator(
            GMMCoreGenerator(n_components=1), n_clusters=3, min_cluster_size=2, random_state=0
        ).fit(X, A)
    assert len(gen.estimators_) == 2 and gen.cluster_sizes_.sum() == 41


@pytest.mark.parametrize(
    "A, match",
    [
        (np.zeros((10, 2)), "binary"),
        (np.ones((9, 2)), "10 images but A has 9"),
        (np.ones(10), "2-D"),
    ],
)
def test_bad_attributes(A, match):
    with pytest.raises(ValueError, match=match):
        AttributeGuidedGenerator(GMMCoreGenerator(n_components=1)).fit(np.zeros((10, 4)), A)


@pytest.mark.parametrize(
    "query, match", [([1, 0, 1], "2 values"), ([2, 0], "-1, 0"), ([[1, 0]], "2 values")]
)
def test_bad_queries(fitted, query, match):
    with pytest.raises(ValueError, match=match):
        fitted.sample(1, query=query)


@pytest.mark.skipif(
    not (SHARED / "celeba_sample").is_dir(), reason="../shared/data/celeba_sample not present"
)
def test_celeba_end_to_end_smoke():
    faces = load_celeba(SHARED / "celeba_sample", image_size=32)
    names = faces.attribute_names
    cols = [names.index("Male"), names.index("Smiling")]
    gen = AttributeGuidedGenerator(
        PAGER(
            core=GMMCoreGenerator(n_components=1, pca_variance=0.9),
            enhancer=ResolutionEnhancer(n_dc_components=2, n_ac_components=1, min_window=None),
            booster="drop",
        ),
        n_clusters=2,
        random_state=0,
    ).fit(faces.images, faces.attributes[:, cols])
    out = gen.sample(3, query=[1, 0])
    assert out.shape == (3, 32, 32, 3) and 0 <= out.min() and out.max() <= 1
