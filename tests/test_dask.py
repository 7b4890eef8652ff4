"""Fitting on a Dask cluster through joblib gives the model of ``n_jobs=1``.

Needs the optional ``dask`` extra (``pip install "skpager[dask]"``); CI
installs it.
"""

import joblib
import numpy as np
import pytest

from skpager import (
    PAGER,
    AttributeGuidedGenerator,
    ConditionalEnhancer,
    GMMCoreGenerator,
    QualityBooster,
)
from skpager.datasets import load_demo

distributed = pytest.importorskip(
    "distributed", reason='the optional dask extra is not installed (pip install "skpager[dask]")'
)


def _pager(n_jobs):
    return PAGER(
        core=GMMCoreGenerator(n_components=4, pca_variance=0.9, covariance_type="full"),
        enhancer=ConditionalEnhancer(32, max_windows=30000),
        booster=QualityBooster(n_clusters=8, edge_mask=False, stride=4, n_neighbors=1),
        n_jobs=n_jobs,
        random_state=0,
    )


def test_fit_on_a_local_dask_cluster_matches_one_process():
    data = load_demo()
    X, y = data.images[:1500], data.target[:1500]
    attributes = np.where(np.eye(2)[(y >= 5).astype(int)] > 0, 1, -1)
    local = _pager(1).fit(X, y)
    local_attr = AttributeGuidedGenerator(
        GMMCoreGenerator(n_components=3), n_clusters=2, random_state=0
    ).fit(X, attributes)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_backend("dask"),
    ):
        remote = _pager(-1).fit(X, y)
        remote_attr = AttributeGuidedGenerator(
            GMMCoreGenerator(n_components=3), n_clusters=2, n_jobs=-1, random_state=0
        ).fit(X, attributes)
        workers = set(client.scheduler_info()["workers"])
    # the per-class core fits, the booster's per-cluster indexes and the
    # per-cluster generators ran as tasks on the cluster's worker processes
    assert len(tasks.data) >= 3 and {t["worker"] for t in tasks.data} <= workers
    np.testing.assert_allclose(
        remote.sample(40, random_state=1), local.sample(40, random_state=1), rtol=0, atol=1e-9
    )
    assert remote.score(X[:50], y[:50]) == pytest.approx(local.score(X[:50], y[:50]), rel=1e-9)
    np.testing.assert_allclose(
        remote_attr.sample(10, random_state=2),
        local_attr.sample(10, random_state=2),
        rtol=0,
        atol=1e-9,
    )
