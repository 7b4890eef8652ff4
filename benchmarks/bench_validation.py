"""Choose grey defaults on a validation split of the Fashion-MNIST training images.

The test set is never read here.  Every configuration is fitted on the first
50,000 training images (``--n-train``) and samples ``--n`` class-conditional
images (classes drawn uniformly, the same for every configuration); they are
compared with 5,000 of the last 10,000 training images (the validation
images; their Inception features are computed once and cached).  Each row
reports fit seconds, seconds per 10,000 samples, parameters, FID, k-NN
precision and recall, and the copy check: the median distance of the samples
to their nearest fitting image, divided by the validation images' (>= 0.95:
no copying).

Configurations are PAGER keyword arguments written as Python expressions,
one per ``--config``, e.g.::

    python -m benchmarks.bench_validation \\
        --config "core=GMMCoreGenerator(pca_variance=0.85, temperature=0.3)" \\
        --config "enhancer=ConditionalEnhancer(n_clusters=1024), booster='drop'"

An empty config is PAGER's defaults.  The super-resolution gain (PSNR of
``super_resolve`` at temperature 0 on the validation images, 16 -> 32 padded,
over Lanczos) is reported too.  Needs the optional FID extra.
"""

import argparse
import time

import numpy as np

import skpager
from benchmarks._harness import (
    CopyCheck,
    cached_inception_features,
    machine,
    markdown_table,
    pager_kwargs,
    psnr,
)
from skpager.datasets import load_fashion_mnist
from skpager.image import image_grid, pad_images, resize, save_png
from skpager.metrics import frechet_distance, inception_features, precision_recall

N_REFERENCE = 5000


def _validation(n_train):
    train = load_fashion_mnist()
    fit_x, fit_y = train.images[:n_train], train.target[:n_train]
    held = train.images[50000:]
    reference = held[np.random.RandomState(0).permutation(len(held))[:N_REFERENCE]]
    return fit_x, fit_y, reference


def evaluate(config, fit_x, fit_y, reference, ref_feat, copies, n, seed=0, grid=None):
    """Fit PAGER(**config) and measure it; returns a table row."""
    pager = skpager.PAGER(random_state=seed, n_jobs=2, **pager_kwargs(config))
    t0 = time.perf_counter()
    pager.fit(fit_x, fit_y)
    fit_s = time.perf_counter() - t0
    labels = np.random.RandomState(seed).choice(10, size=n)
    t0 = time.perf_counter()
    samples = pager.sample(n, y=labels)
    sample_s = time.perf_counter() - t0
    if grid is not None:
        order = np.concatenate([np.flatnonzero(labels == c)[:10] for c in range(10)])
        save_png(grid, image_grid(samples[order], 10, scale=3))
    low = resize(reference[:2000], 14)
    sr = pager.super_resolve(low)
    lanczos = resize(low, 28)
    gain = psnr(sr, reference[:2000]) - psnr(lanczos, reference[:2000])
    feat = inception_features(samples)
    precision, recall = precision_recall(ref_feat, feat)
    return {
        "config": config or "(defaults)",
        "fit s": fit_s,
        "s per 10k samples": sample_s * 10000 / n,
        "parameters": f"{pager.n_parameters_:,}",
        f"FID (N={n})": frechet_distance(ref_feat, feat),
        "precision": precision,
        "recall": recall,
        "NN ratio": copies.ratio(samples),
        "SR gain dB": gain,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", action="append", default=[], help="PAGER kwargs")
    parser.add_argument("--n", type=int, default=2000, help="samples per configuration")
    parser.add_argument("--n-train", type=int, default=50000, help="fitting images")
    parser.add_argument("--grid", default=None, help="PNG grid of the last configuration")
    parser.add_argument("--real", action="store_true", help="also score real fitting images")
    args = parser.parse_args(argv)
    fit_x, fit_y, reference = _validation(args.n_train)
    print(f"machine: {machine()}")
    ref_feat = cached_inception_features(reference, "fashion_validation")
    copies = CopyCheck(pad_images(fit_x, 28, 28), reference)
    rows = []
    for i, config in enumerate(args.config or [""]):
        grid = args.grid if i == len(args.config) - 1 else None
        rows.append(evaluate(config, fit_x, fit_y, reference, ref_feat, copies, args.n, grid=grid))
        print(markdown_table(rows[-1:], list(rows[0])), flush=True)
    if args.real:
        real = fit_x[np.random.RandomState(1).permutation(len(fit_x))[: args.n]]
        feat = inception_features(real)
        precision, recall = precision_recall(ref_feat, feat)
        rows.append(
            {
                "config": f"real fitting images ({args.n})",
                f"FID (N={args.n})": frechet_distance(ref_feat, feat),
                "precision": precision,
                "recall": recall,
            }
        )
    print(f"\n### Validation: N = {args.n} samples against {N_REFERENCE} validation images\n")
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
