"""Super-resolution 16 -> 32 of the Fashion-MNIST test images, at temperature 0.

Every model is fitted on the 60,000 training images (28x28 zero-padded to
32x32, low resolution = Lanczos 32 -> 16) and applied to the test images;
PSNR on the 28x28 crops, and its gain over Lanczos upsampling.  Rows: the
paper's enhancer and booster as a Pipeline, the conditional enhancer alone
and as a Pipeline with a booster at temperature 0 (least-squares detail),
PAGER's grey octave as a Pipeline (as PAGER configures it, and with 2,048
clusters over 1,000,000 windows), and ``PAGER.super_resolve`` of a default
PAGER (14x14 -> 28x28, the same cascade that samples).

Run::

    python -m benchmarks.bench_superres
    python -m benchmarks.bench_superres --figure docs/super_resolve_fashion.png

``--figure`` also writes the first ten test images: the 14x14 input
(nearest-neighbour enlarged), Lanczos, ``PAGER.super_resolve`` and the truth.
"""

import argparse
import time

import numpy as np
from sklearn.pipeline import make_pipeline

from benchmarks._harness import machine, markdown_table, psnr
from skpager import PAGER, ConditionalEnhancer, QualityBooster, ResolutionEnhancer
from skpager.datasets import load_fashion_mnist
from skpager.image import crop_images, image_grid, pad_images, resize, save_png


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--figure", default=None, help="PNG file of inputs and outputs")
    args = parser.parse_args(argv)
    train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
    X = pad_images(train.images[: args.n_train], 32, 32)
    X_test = pad_images(test.images, 32, 32)
    low, low_test = resize(X, 16), resize(X_test, 16)
    truth = test.images

    def score(name, out, fit_s=None):
        out = crop_images(out, 28, 28)
        return {"method": name, "PSNR dB": psnr(out, truth), "fit s": fit_s}

    rows = [score("Lanczos 16 -> 32", resize(low_test, 32))]
    models = [
        (
            "paper: ResolutionEnhancer + QualityBooster (Pipeline)",
            make_pipeline(ResolutionEnhancer(random_state=0), QualityBooster(random_state=0)),
        ),
        ("ConditionalEnhancer(1024) alone", ConditionalEnhancer(1024, random_state=0)),
        (
            "ConditionalEnhancer(1024) + QualityBooster(temperature=0) (Pipeline)",
            make_pipeline(
                ConditionalEnhancer(1024, random_state=0),
                QualityBooster(temperature=0.0, random_state=0),
            ),
        ),
        (
            "PAGER's grey octave as a Pipeline: ConditionalEnhancer(1024, max_windows=500000) "
            "+ QualityBooster(edge_mask=False, stride=4, n_neighbors=1, temperature=0)",
            make_pipeline(
                ConditionalEnhancer(1024, max_windows=500000, random_state=0),
                QualityBooster(
                    edge_mask=False, stride=4, n_neighbors=1, temperature=0.0, random_state=0
                ),
            ),
        ),
        (
            "the same Pipeline with ConditionalEnhancer(2048, max_windows=1000000)",
            make_pipeline(
                ConditionalEnhancer(2048, max_windows=1000000, random_state=0),
                QualityBooster(
                    edge_mask=False, stride=4, n_neighbors=1, temperature=0.0, random_state=0
                ),
            ),
        ),
    ]
    for name, model in models:
        t0 = time.perf_counter()
        model.fit(low, X)
        rows.append(score(name, model.transform(low_test), time.perf_counter() - t0))
        print(rows[-1], flush=True)
    t0 = time.perf_counter()
    pager = PAGER(random_state=0, n_jobs=2).fit(train.images[: args.n_train], train.target)
    fit_s = time.perf_counter() - t0
    low14 = resize(test.images, 14)
    sr = pager.super_resolve(low14)
    if args.figure is not None:
        first = slice(0, 10)
        panels = [
            np.clip(np.repeat(np.repeat(low14[first], 2, axis=1), 2, axis=2), 0, 1),
            np.clip(resize(low14[first], 28), 0, 1),
            sr[first],
            truth[first],
        ]
        labels = ["14x14 input", "Lanczos", "super_resolve", "truth"]
        grid = image_grid(np.concatenate(panels), 10, row_labels=labels, scale=3)
        save_png(args.figure, grid)
    rows.append(
        {
            "method": "PAGER defaults, super_resolve 14 -> 28",
            "PSNR dB": psnr(sr, truth),
            "fit s": fit_s,
        }
    )
    rows.append(
        {
            "method": "Lanczos 14 -> 28",
            "PSNR dB": psnr(resize(low14, 28), truth),
        }
    )
    lanczos = {"16 -> 32": rows[0]["PSNR dB"], "14 -> 28": rows[-1]["PSNR dB"]}
    for row in rows:
        side = "14 -> 28" if "14 -> 28" in row["method"] else "16 -> 32"
        row["gain over Lanczos dB"] = row["PSNR dB"] - lanczos[side]
    print(f"machine: {machine()}")
    print(f"\n### Fashion-MNIST test images, fitted on {len(X)} training images\n")
    print(markdown_table(rows, ["method", "PSNR dB", "gain over Lanczos dB", "fit s"]))


if __name__ == "__main__":
    main()
