"""PAGER on Fashion-MNIST and CIFAR-10: super-resolution ablations and generation.

Part 1 (``--part sr``): deterministic super-resolution (temperature 0) of the
Fashion-MNIST test images (28x28 padded to 32x32), 16x16 -> 32x32, against
plain Lanczos upsampling, with ablations: edge mask on/off, sub-window
recursion on/off, booster on/off.  PSNR on the cropped 28x28 images.

Part 2 (``--part gen``): class-conditional generation, paper settings (16x16
grey core with 500 components per class for Fashion-MNIST; 4x4 colour core for
CIFAR-10): fit seconds, peak RSS (process tree), seconds for 10k samples,
parameters, and a Fréchet distance in pixel space between 10k samples and the
test set (a model-free sanity figure; FID is issue 5), with the same figure for
a PCA + GaussianMixture pixel-space baseline fitted in the same run.  Sample
grids go to docs/.

Run::

    python -m benchmarks.bench_pager --part sr [--dataset cifar10]
    python -m benchmarks.bench_pager --part gen --dataset fashion-mnist
    python -m benchmarks.bench_pager --part gen --dataset cifar10
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture

from benchmarks._harness import machine, markdown_table, measure_rss, n_channels, psnr
from skpager import PAGER, GMMCoreGenerator, QualityBooster, ResolutionEnhancer
from skpager.datasets import load_cifar10, load_fashion_mnist
from skpager.image import crop_images, image_grid, pad_images, resize, save_png
from skpager.metrics import frechet_distance

DOCS = Path(__file__).resolve().parents[1] / "docs"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def part_sr(args):
    if args.dataset == "fashion-mnist":  # 28x28 padded to 32x32, scored on the 28x28 crop
        train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
        X = pad_images(train.images[: args.n_train], 32, 32)
        X_test = pad_images(test.images[: args.n_test], 32, 32)
        truth = test.images[: args.n_test]
        side = 16

        def crop(images):
            return crop_images(images, 28, 28)

    else:  # CIFAR-10, the middle octave 8 -> 16 of the 4 -> 32 cascade
        folder = SHARED / "cifar-10-batches-py"
        train, test = load_cifar10(folder), load_cifar10(folder, kind="test")
        X = resize(train.images[: args.n_train], 16)
        X_test = truth = resize(test.images[: args.n_test], 16)
        side = 8

        def crop(images):
            return images

    low, low_test = resize(X, side), resize(X_test, side)
    rows = [
        {
            "method": f"Lanczos {side}->{2 * side}",
            "PSNR dB": psnr(crop(resize(low_test, 2 * side)), truth),
        }
    ]
    variants = [
        ("enhancer (mask, recursion to 2x2)", {}, True),
        ("enhancer, no edge mask", {"edge_mask": False}, True),
        ("enhancer, no recursion (min_window=None)", {"min_window": None}, True),
        ("enhancer, no mask, no recursion", {"edge_mask": False, "min_window": None}, True),
    ]
    for name, params, _ in variants:
        t0 = time.perf_counter()
        enh = ResolutionEnhancer(temperature=0, random_state=0, n_jobs=2, **params).fit(low, X)
        fit_s = time.perf_counter() - t0
        out = enh.transform(low_test)
        rows.append({"method": name, "PSNR dB": psnr(crop(out), truth), "fit s": fit_s})
        if not params:
            base_enh, base_out = enh, out
    subset = np.random.RandomState(0).permutation(len(low))[:10000]  # as PAGER does
    enhanced_train = base_enh.transform(low[subset])
    for name, params in (
        ("enhancer + booster (defaults: 2 neighbours)", {}),
        ("enhancer + booster, no edge mask", {"edge_mask": False}),
        ("enhancer + booster, 5 neighbours", {"n_neighbors": 5}),
        ("enhancer + booster, reg=0.1", {"reg": 0.1}),
        ("enhancer + booster, raw store (pca_variance=None)", {"pca_variance": None}),
        ("enhancer + booster, pca_variance=0.95", {"pca_variance": 0.95}),
        ("enhancer + booster, least-squares part only (temperature=0)", {"temperature": 0.0}),
    ):
        t0 = time.perf_counter()
        booster = QualityBooster(random_state=0, n_jobs=2, **params)
        booster.fit(enhanced_train, X[subset])
        fit_s = time.perf_counter() - t0
        rows.append(
            {
                "method": name,
                "PSNR dB": psnr(crop(booster.transform(base_out)), truth),
                "fit s": fit_s,
                "booster parameters": f"{booster.n_parameters_:,}",
            }
        )
    lanczos = rows[0]["PSNR dB"]
    for row in rows:
        row["vs Lanczos dB"] = f"{row['PSNR dB'] - lanczos:+.2f}"
        row["PSNR dB"] = f"{row['PSNR dB']:.2f}"
    print(
        f"{args.dataset}: enhancers fit on {len(X)} train images, boosters on the enhanced "
        f"versions of {len(subset)} of them (as PAGER does); PSNR on {len(X_test)} test images, "
        "temperature 0"
    )
    print(
        markdown_table(rows, ["method", "PSNR dB", "vs Lanczos dB", "fit s", "booster parameters"])
    )


def _baseline(X, y, n_samples, labels, seed=0):
    """PCA(0.99) + GaussianMixture(diag) per class in pixel space."""
    flat = X.reshape(len(X), -1)
    parts = []
    rng = np.random.RandomState(seed)
    for c in np.unique(y):
        pca = PCA(0.99, svd_solver="full").fit(flat[y == c])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gmm = GaussianMixture(
                min(100, (y == c).sum()), covariance_type="diag", random_state=seed
            ).fit(pca.transform(flat[y == c]))
        gmm.random_state = rng
        n = int(np.sum(labels == c))
        if n:
            parts.append(pca.inverse_transform(gmm.sample(n)[0]))
    out = np.concatenate(parts)
    return np.clip(out[rng.permutation(len(out))], 0, 1)


def _super_resolve_grid(pager, test, path):
    """Real test images (one per class), and the same from 8x8 / 4x4 by Lanczos and by PAGER.

    Shows how much structure the cascade keeps or invents at each input size
    (inputs smaller than the core are skipped).
    """
    first = [np.flatnonzero(test.target == c)[0] for c in range(10)]
    real = test.images[first]
    rows, labels = [real], ["real 32x32"]
    psnrs = []
    for side in (8, 4):
        if side < pager.resolutions_[0]:
            continue
        low = resize(real, side)
        lanczos, ours = np.clip(resize(low, 32), 0, 1), pager.super_resolve(low)
        rows += [lanczos, ours]
        labels += [f"{side}x{side} -> Lanczos", f"{side}x{side} -> PAGER"]
        low_all = resize(test.images, side)
        psnrs.append(
            f"{side}x{side} -> 32x32 PSNR on {len(test.images)} test images: Lanczos "
            f"{psnr(resize(low_all, 32), test.images):.2f} dB, "
            f"PAGER super_resolve {psnr(pager.super_resolve(low_all), test.images):.2f} dB"
        )
    save_png(path, image_grid(np.concatenate(rows), 10, row_labels=labels, scale=3))
    print("\n".join(psnrs))


def part_gen(args):
    if args.dataset == "fashion-mnist":
        train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
        core = GMMCoreGenerator(n_components=500, pca_variance=0.99)
    else:
        train = load_cifar10(SHARED / "cifar-10-batches-py")
        test = load_cifar10(SHARED / "cifar-10-batches-py", kind="test")
        core = GMMCoreGenerator(n_components=500, pca_variance=0.99)
    core.set_params(resolution=args.core_resolution)
    X, y = train.images[: args.n_train], train.target[: args.n_train]
    print(
        f"{args.dataset}: {len(X)} train images {X.shape[1:]}, {args.n_samples} samples, "
        f"reference: {len(test.images)} test images"
    )
    print(f"machine: {machine()}\n")
    tag = "" if args.core_resolution is None else f"_core{args.core_resolution}"
    rows = []
    labels = np.random.RandomState(1).choice(10, size=args.n_samples)
    enhancer = None  # PAGER's default (exemplar AC for colour images)
    if args.no_edge_mask:
        enhancer = PAGER.default_stages(n_channels(X))["enhancer"].set_params(edge_mask=False)
    pager = PAGER(core=core, enhancer=enhancer, random_state=0, n_jobs=2, verbose=1)
    fit = {}
    with measure_rss(fit):
        pager.fit(X, y)
    reference = test.images.reshape(len(test.images), -1)
    # the enhancers' temperature only acts at sampling time (boosters learn from the
    # conditional mean), so one fit serves every temperature
    for temperature in args.temperatures:
        for enhancer in pager.enhancers_:
            enhancer.set_params(temperature=temperature)
        t0 = time.perf_counter()
        samples = pager.sample(args.n_samples, y=labels)
        sample_s = time.perf_counter() - t0
        rows.append(
            {
                "method": f"PAGER, enhancer temperature {temperature}"
                + (", no edge mask" if args.no_edge_mask else ""),
                "fit s": fit["seconds"],
                "fit peak RSS MiB": fit["peak_rss_mib"],
                f"s per {args.n_samples} samples": sample_s,
                "parameters": f"{pager.n_parameters_:,}",
                "pixel FD": frechet_distance(samples.reshape(len(samples), -1), reference),
            }
        )
        if not args.no_edge_mask:
            grid = pager.sample(100, y=np.repeat(np.arange(10), 10), random_state=2)
            save_png(
                DOCS / f"samples_{args.dataset}{tag}_T{temperature}.png",
                image_grid(grid, 10, row_labels=train.target_names, scale=3),
            )
    if args.dataset == "cifar10" and not args.no_edge_mask:
        _super_resolve_grid(pager, test, DOCS / f"super_resolve_{args.dataset}{tag}.png")
    sizes = {
        "core": pager.core_.n_parameters_,
        "enhancers": sum(e.n_parameters_ for e in pager.enhancers_),
        "boosters": sum(b.n_parameters_ for b in pager.boosters_ if b is not None),
    }
    print("parameters by module: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    if args.no_edge_mask:
        print(markdown_table(rows, list(rows[0])))
        return
    fit = {}
    with measure_rss(fit):
        base = _baseline(X, y, args.n_samples, labels)
    rows.append(
        {
            "method": "baseline: PCA(0.99) + GaussianMixture(100, diag) per class on pixels",
            "fit s": fit["seconds"],
            "fit peak RSS MiB": fit["peak_rss_mib"],
            "pixel FD": frechet_distance(base, test.images.reshape(len(test.images), -1)),
        }
    )
    real = train.images[-args.n_samples :].reshape(args.n_samples, -1)
    rows.append(
        {
            "method": f"real training images ({args.n_samples})",
            "pixel FD": frechet_distance(real, test.images.reshape(len(test.images), -1)),
        }
    )
    print(markdown_table(rows, list(rows[0])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["sr", "gen"], required=True)
    parser.add_argument("--dataset", choices=["fashion-mnist", "cifar10"], default="fashion-mnist")
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--n-samples", type=int, default=10000)
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.0, 0.3, 1.0])
    parser.add_argument("--core-resolution", type=int, default=None, help="core image side")
    parser.add_argument(
        "--no-edge-mask",
        action="store_true",
        help="ablation: enhancer mask off (already off in the colour default)",
    )
    args = parser.parse_args(argv)
    part_sr(args) if args.part == "sr" else part_gen(args)


if __name__ == "__main__":
    main()
