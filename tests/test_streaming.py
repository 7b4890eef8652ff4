"""Sampling in batches: the same seed gives the same images whatever the batch
size, ``offset`` reads a later part of a seed's stream, and each image
depends on the seed and its position only.

"The same" is to floating-point rounding (``SAME``): every image's random
numbers are the same, but BLAS may sum a product in another order for
another number of rows (differences of about 1e-16).
"""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skpager import (
    PAGER,
    AttributeGuidedGenerator,
    ConditionalEnhancer,
    GMMCoreGenerator,
    QualityBooster,
    ResolutionEnhancer,
)
from skpager.datasets import load_demo

SAME = {"rtol": 0, "atol": 1e-9}

_DEMO = load_demo()
X, Y = _DEMO.images[:600], _DEMO.target[:600]


def _core():
    return GMMCoreGenerator(n_components=3, pca_variance=0.9, covariance_type="full")


_FITTED = {}


def fitted(name):
    """Small fitted models, built once per test session."""
    if name not in _FITTED:
        if name == "core":
            model = _core().set_params(random_state=0).fit(X, Y)
        elif name == "pager":  # the grey default's structure, small
            model = PAGER(
                core=_core(),
                enhancer=ConditionalEnhancer(16, max_windows=20000),
                booster=QualityBooster(n_clusters=5, edge_mask=False, stride=4, n_neighbors=1),
                random_state=0,
            ).fit(X, Y)
        elif name == "paper":  # draws in the enhancer too
            model = PAGER(
                core=_core(),
                enhancer=ResolutionEnhancer(n_dc_components=4, max_windows=3000, temperature=1.0),
                booster="drop",
                random_state=0,
            ).fit(X, Y)
        else:
            attributes = np.where(np.eye(3)[Y % 3] > 0, 1, -1)
            model = AttributeGuidedGenerator(
                _core(), n_clusters=3, min_cluster_size=10, random_state=0
            ).fit(X, attributes)
        _FITTED[name] = model
    return _FITTED[name]


@pytest.mark.parametrize("name", ["core", "pager", "paper", "attributes"])
@settings(max_examples=6, deadline=None)
@given(n=st.integers(1, 40), batch_size=st.integers(1, 17), seed=st.integers(0, 2**31 - 2))
def test_batches_give_the_images_of_one_call(name, n, batch_size, seed):
    model = fitted(name)
    whole = model.sample(n, random_state=seed)
    batches = list(model.iter_samples(n, batch_size=batch_size, random_state=seed))
    assert [len(b) for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
    np.testing.assert_allclose(np.concatenate(batches), whole, **SAME)


@pytest.mark.parametrize("name", ["core", "pager", "paper", "attributes"])
def test_offset_reads_a_later_part_of_the_stream(name):
    model = fitted(name)
    whole = model.sample(30, random_state=7)
    np.testing.assert_allclose(model.sample(12, random_state=7, offset=9), whole[9:21], **SAME)
    np.testing.assert_allclose(model.sample(1, random_state=7, offset=29), whole[29:], **SAME)
    # another seed is another stream
    assert not np.allclose(model.sample(30, random_state=8), whole)


@pytest.mark.parametrize("name", ["core", "pager"])
def test_labels_per_batch(name):
    model = fitted(name)
    y = np.random.RandomState(0).randint(10, size=25)
    whole = model.sample(25, y=y, random_state=3)
    batches = model.iter_samples(25, batch_size=10, y=y, random_state=3)
    np.testing.assert_allclose(np.concatenate(list(batches)), whole, **SAME)
    # image i depends on its class and position only: same class, same image
    y2 = y.copy()
    y2[5:] = (y2[5:] + 1) % 10
    np.testing.assert_allclose(model.sample(25, y=y2, random_state=3)[:5], whole[:5], **SAME)


def test_core_returns_labels_per_batch():
    core = fitted("core")
    images, labels = core.sample(20, random_state=1, return_labels=True)
    parts = list(core.iter_samples(20, batch_size=6, random_state=1, return_labels=True))
    np.testing.assert_allclose(np.concatenate([p[0] for p in parts]), images, **SAME)
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), labels)
    # the classes follow the training frequencies
    _, many = core.sample(4000, random_state=2, return_labels=True)
    freq = np.bincount(many, minlength=10) / 4000
    np.testing.assert_allclose(freq, core.class_prior_, atol=0.03)


def test_attribute_query_batches():
    model = fitted("attributes")
    query = [1, 0, 0]
    whole = model.sample(15, query=query, random_state=4)
    batches = model.iter_samples(15, batch_size=4, query=query, random_state=4)
    np.testing.assert_allclose(np.concatenate(list(batches)), whole, **SAME)


def test_random_state_instance_is_read_once():
    model = fitted("pager")
    a = model.sample(8, random_state=np.random.RandomState(5))
    b = np.concatenate(
        list(model.iter_samples(8, batch_size=3, random_state=np.random.RandomState(5)))
    )
    np.testing.assert_allclose(a, b, **SAME)


@pytest.mark.parametrize("name", ["core", "pager", "attributes"])
def test_sampling_argument_errors(name):
    model = fitted(name)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        model.iter_samples(5, batch_size=0)
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        model.iter_samples(0)
    with pytest.raises(ValueError, match="offset must be a non-negative integer"):
        model.sample(3, offset=-1)
    with pytest.raises(ValueError, match="offset must be a non-negative integer"):
        model.sample(3, offset=1.5)
    if name != "attributes":
        with pytest.raises(ValueError, match=r"y must be one label or one per sample \(5\)"):
            model.iter_samples(5, y=[0, 1])


class _CoreWithoutOffset(GMMCoreGenerator):
    """A core following the stage contract without ``offset``."""

    def sample(self, n_samples=1, y=None, random_state=None):
        return super().sample(n_samples, y, random_state)


def test_core_without_offset_samples_in_one_batch():
    pager = PAGER(
        core=_CoreWithoutOffset(n_components=2, resolution=8),
        enhancer=ConditionalEnhancer(8, max_windows=5000),
        booster="drop",
        random_state=0,
    ).fit(X[:200])
    assert pager.sample(10, random_state=0).shape == (10, 28, 28, 1)
    # more images than PAGER's internal batch: one batch for such a core
    assert pager.sample(5000, random_state=0).shape == (5000, 28, 28, 1)
    with pytest.raises(ValueError, match="has no offset keyword"):
        pager.sample(3, offset=2)
    with pytest.raises(ValueError, match="has no offset keyword"):
        pager.iter_samples(10, batch_size=3)


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [(info["filepath"], info["num_threads"]) for info in threadpool_info()]


@pytest.mark.parametrize("name", ["pager", "paper"])
def test_threaded_batches_give_the_images_of_one_job(name, monkeypatch):
    """``n_jobs=2`` draws PAGER's batches in threads: the same images, in
    order, as one job; BLAS and OpenMP limits are back as they were after."""
    import skpager._pager as pager_module

    model = fitted(name)
    # several internal batches on a small request
    monkeypatch.setattr(pager_module, "_SAMPLE_BATCH", 7)
    y = np.random.RandomState(1).randint(10, size=40)
    whole = model.sample(40, y=y, random_state=11, offset=3)
    before = _blas_threads()
    threaded = copy.deepcopy(model).set_params(n_jobs=2)
    np.testing.assert_allclose(threaded.sample(40, y=y, random_state=11, offset=3), whole, **SAME)
    batches = list(threaded.iter_samples(43, batch_size=5, y=np.r_[[0, 1, 2], y], random_state=11))
    assert [len(b) for b in batches] == [5] * 8 + [3]
    np.testing.assert_allclose(np.concatenate(batches)[3:], whole, **SAME)
    # a generator left unfinished releases the limits when it is closed
    unfinished = threaded.iter_samples(20, batch_size=2, random_state=0)
    next(unfinished)
    unfinished.close()
    assert _blas_threads() == before


@settings(max_examples=20, deadline=None)
@given(n=st.integers(0, 12), n_jobs=st.sampled_from([None, 1, 2, 3, -1]))
def test_threaded_map_keeps_order(n, n_jobs):
    from skpager._utils import threaded_map

    before = _blas_threads()
    args = [(i, i + 1) for i in range(n)]
    assert list(threaded_map(lambda a, b: a * b, args, n_jobs)) == [a * b for a, b in args]
    assert _blas_threads() == before


def test_threaded_map_errors_and_early_close():
    import threading

    from skpager._utils import threaded_map

    before = _blas_threads()
    started = []
    lock = threading.Lock()

    def work(i):
        with lock:
            started.append(i)
        if i == 3:
            raise ValueError("bad item 3")
        return np.ones(1000) @ np.ones(1000)  # BLAS inside the threads

    with pytest.raises(ValueError, match="bad item 3"):
        list(threaded_map(work, [(i,) for i in range(10)], 2))
    assert _blas_threads() == before
    # two calls per thread ahead of the consumer, no more
    started.clear()
    batches = threaded_map(work, [(i,) for i in range(4, 40)], 2)
    assert next(batches) == 1000.0
    batches.close()
    assert len(started) <= 5
    assert _blas_threads() == before
