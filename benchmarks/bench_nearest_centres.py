"""Nearest-centre search of the ConditionalEnhancer, chunk sizes side by side.

``skpager._utils.nearest_centres`` scores rows against the centres in
float32, chunk by chunk, and rescores close calls in float64.  This times it
on the grey default's geometry (1,024 centres, 32 context features; random
Gaussian rows) for several chunk sizes, beside scikit-learn's
``pairwise_distances_argmin`` in the same run, and checks that every answer
agrees with scikit-learn's.  Prints a markdown table.

Run::

    python -m benchmarks.bench_nearest_centres [--rows 300000] [--centres 1024]
"""

import argparse

import numpy as np
from sklearn.metrics import pairwise_distances_argmin

from benchmarks._harness import machine, markdown_table, measure
from skpager._utils import nearest_centres


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300000)
    parser.add_argument("--centres", type=int, default=1024)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3, help="runs per method; median time")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(args.centres, args.features))
    X = rng.normal(size=(args.rows, args.features))
    print(
        f"{args.rows} rows, {args.centres} centres, {args.features} features, "
        f"median of {args.repeat} runs"
    )
    print(f"machine: {machine()}\n")

    methods = [
        ("sklearn pairwise_distances_argmin", lambda: pairwise_distances_argmin(X, centres))
    ]
    for chunk in (4096, 2048, 1024, 512, 256):
        methods.append(
            (
                f"nearest_centres(chunk={chunk})",
                lambda c=chunk: nearest_centres(X, centres, chunk=c),
            )
        )
    reference, rows = None, []
    for name, run in methods:
        records = []
        for _ in range(args.repeat):
            records.append({})
            with measure(records[-1]):
                answer = run()
        reference = answer if reference is None else reference
        rows.append(
            {
                "method": name,
                "seconds": float(np.median([r["seconds"] for r in records])),
                "peak MiB": float(np.median([r["peak_mib"] for r in records])),
                "same answer as sklearn": bool(np.array_equal(answer, reference)),
            }
        )
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
