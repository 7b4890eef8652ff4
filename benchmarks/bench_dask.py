"""Fit PAGER's defaults on one process, on joblib's processes, and on a Dask cluster.

Fashion-MNIST (``--n-train`` images, class-conditional), the package defaults,
with the machine otherwise idle:

- ``n_jobs=1``;
- ``n_jobs=2`` on joblib's default (loky) processes;
- ``n_jobs=-1`` inside ``joblib.parallel_backend("dask")`` on a
  ``distributed.LocalCluster`` of ``--workers`` single-threaded worker
  processes (cluster start-up not counted).

For each: fit seconds, the Dask tasks that ran, and whether 100 samples equal
those of the ``n_jobs=1`` model.  Needs the
optional ``dask`` extra.

Run::

    python -m benchmarks.bench_dask
"""

import argparse
import time

import joblib
import numpy as np

from benchmarks._harness import machine, markdown_table
from skpager import PAGER
from skpager.datasets import load_fashion_mnist


def _fit(X, y, n_jobs):
    start = time.perf_counter()
    pager = PAGER(random_state=0, n_jobs=n_jobs).fit(X, y)
    return pager, time.perf_counter() - start


def main(argv=None):
    import distributed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    train = load_fashion_mnist()
    X, y = train.images[: args.n_train], train.target[: args.n_train]
    rows = []
    reference, seconds = _fit(X, y, 1)
    expected = reference.sample(100, random_state=1)
    rows.append({"how": "`n_jobs=1`", "fit s": seconds, "tasks": ""})
    pager, seconds = _fit(X, y, 2)
    same = np.allclose(pager.sample(100, random_state=1), expected, rtol=0, atol=1e-9)
    rows.append({"how": "`n_jobs=2` (loky)", "fit s": seconds, "tasks": ""})
    rows[-1]["same samples"] = same
    rows[0]["same samples"] = True
    with (
        distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(lambda: __import__("skpager"))  # warm the workers' imports
        with distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
            pager, seconds = _fit(X, y, -1)
    same = np.allclose(pager.sample(100, random_state=1), expected, rtol=0, atol=1e-9)
    rows.append(
        {
            "how": f"Dask `LocalCluster` ({args.workers} worker processes, 1 thread each)",
            "fit s": seconds,
            "tasks": len(stream.data),
            "same samples": same,
        }
    )
    print(f"\n### PAGER defaults, Fashion-MNIST {args.n_train:,} images\n")
    print(markdown_table(rows, ["how", "fit s", "tasks", "same samples"]))


if __name__ == "__main__":
    main()
