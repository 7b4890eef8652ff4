"""Sampling speed with one job and with threads: ``PAGER(n_jobs=1)`` against ``n_jobs=2``.

Fits, on the Fashion-MNIST training images (``--n-train``, class-conditional,
``n_jobs=2``), PAGER's defaults and the User Guide's refining recipe
(PAGER whose core is ``DensityRatioResampler(LocalPCACoreGenerator(
temperature=1.3), n_candidates=12)``, then ``SubspaceRefiner(...,
residual_weight=0.7)`` over it and ``HistogramMatcher`` over the
refiner), then times ``sample(--n)`` of each, alternately with one job
and with ``n_jobs=2`` (PAGER's batches drawn in two threads),
``--repeat`` times, classes drawn uniformly; the recipe's rows add the
refinement and the match of the same samples (one job).  No test image
is read.  Reports the fastest and the slowest of the repeats, and the
largest difference between the two ways' images (rounding only: BLAS on
one thread or two).

Run::

    python -m benchmarks.bench_sampling --n 10000 --repeat 3
"""

import argparse
import time

import numpy as np
from sklearn.frozen import FrozenEstimator

from benchmarks._harness import machine, markdown_table
from skpager import (
    PAGER,
    DensityRatioResampler,
    HistogramMatcher,
    LocalPCACoreGenerator,
    SubspaceRefiner,
)
from skpager.datasets import load_fashion_mnist


def _timed(function):
    start = time.perf_counter()
    out = function()
    return time.perf_counter() - start, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="images per sampling call")
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}", flush=True)
    train = load_fashion_mnist()
    X, y = train.images[: args.n_train], train.target[: args.n_train]
    labels = np.random.RandomState(0).randint(10, size=args.n)

    defaults = PAGER(random_state=0, n_jobs=2).fit(X, y)
    core = DensityRatioResampler(LocalPCACoreGenerator(temperature=1.3), n_candidates=12)
    recipe = PAGER(core=core, random_state=0, n_jobs=2).fit(X, y)
    refiner = SubspaceRefiner(
        FrozenEstimator(recipe), residual_weight=0.7, n_jobs=2, random_state=0
    ).fit(X, y)
    matcher = HistogramMatcher(FrozenEstimator(refiner), random_state=0).fit(X, y)
    print("fitted", flush=True)

    rows = []
    for name, pager, refine in [
        ("PAGER defaults", defaults, False),
        ("recipe (12 cores at T 1.3, SubspaceRefiner w 0.7, HistogramMatcher)", recipe, True),
    ]:
        times = {1: [], 2: []}
        images = {}
        for _ in range(args.repeat):
            for n_jobs in (1, 2):
                pager.set_params(n_jobs=n_jobs)
                seconds, out = _timed(lambda p=pager: p.sample(args.n, y=labels, random_state=0))
                if refine:
                    more, out = _timed(
                        lambda s=out: matcher.match(refiner.refine(s, labels), labels)
                    )
                    seconds += more
                times[n_jobs].append(seconds)
                images[n_jobs] = out
        pager.set_params(n_jobs=2)
        diff = float(np.abs(images[1] - images[2]).max())
        for n_jobs in (1, 2):
            fast, slow = min(times[n_jobs]), max(times[n_jobs])
            rows.append(
                {
                    "model": name,
                    "sampling": "one job (previous)" if n_jobs == 1 else "n_jobs=2 (threads)",
                    f"s per {args.n:,} (fastest-slowest)": f"{fast:.2f}-{slow:.2f}",
                    "images/s (fastest)": f"{args.n / fast:,.0f}",
                    "max pixel difference": "" if n_jobs == 1 else f"{diff:.1e}",
                }
            )
            print(rows[-1], flush=True)
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
