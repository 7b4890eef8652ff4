"""GMMCoreGenerator on Fashion-MNIST 60k with the paper's MNIST-style settings.

16x16 grey cores (28x28 padded to 32x32, downsampled), one diagonal-covariance
mixture of 500 components per class.  Beside it, in the same run, the baseline
a user might write instead: scikit-learn ``GaussianMixture`` per class on the
16x16 pixels directly (same K, same EM settings).  Both are exact densities
over 16x16 images, so their held-out log-likelihoods compare directly.

Prints: fit seconds, peak RSS of the process tree (joblib workers included),
samples per second, parameters, held-out mean log-likelihood on the 10k test
images, and a Fréchet distance between 10k samples and the test cores in the
16x16 pixel space (a cheap, model-free sanity figure, not FID).  A second table
varies the sampling temperature.

Run::

    python -m benchmarks.bench_core [--n-train 60000] [--n-components 500]
"""

import argparse
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture

from benchmarks._harness import machine, markdown_table, measure_rss
from skpager import GMMCoreGenerator
from skpager.datasets import load_fashion_mnist
from skpager.image import pad_images, resize
from skpager.metrics import frechet_distance


def _n_parameters(gmm):
    """Free parameters of a fitted diagonal GaussianMixture (weights, means, variances)."""
    k, d = gmm.means_.shape
    return k - 1 + 2 * k * d


def _pixel_gmm(X, y, k, seed, n_jobs):
    def fit_one(c):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return GaussianMixture(k, covariance_type="diag", random_state=seed).fit(X[y == c])

    return Parallel(n_jobs=n_jobs)(delayed(fit_one)(c) for c in range(10))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n-components", type=int, default=500)
    parser.add_argument("--n-samples", type=int, default=10000)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args(argv)

    train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
    X = pad_images(train.images[: args.n_train], 32, 32)
    y = train.target[: args.n_train]
    X_test = pad_images(test.images, 32, 32)
    core_test = resize(X_test, 16).reshape(len(X_test), -1)
    rng = np.random.RandomState(0)
    labels = rng.choice(10, size=args.n_samples)
    print(
        f"Fashion-MNIST: {len(X)} train images (32x32 padded) -> 16x16 cores, "
        f"K={args.n_components} per class, diag; {args.n_samples} samples; n_jobs={args.n_jobs}"
    )
    print(f"machine: {machine()}\n")

    rows = []
    settings = (
        ("skpager GMMCoreGenerator (Saab basis)", None),
        ("skpager GMMCoreGenerator, pca_variance=0.85 (authors')", 0.85),
        ("skpager GMMCoreGenerator, pca_variance=0.99", 0.99),
    )
    for name, pca_variance in settings:
        gen = GMMCoreGenerator(
            resolution=16,
            n_components=args.n_components,
            pca_variance=pca_variance,
            random_state=0,
            n_jobs=args.n_jobs,
        )
        fit = {}
        with measure_rss(fit):
            gen.fit(X, y)
        smp = {}
        with measure_rss(smp):
            samples = gen.sample(args.n_samples, y=labels)
        rows.append(
            {
                "method": name,
                "fit s": fit["seconds"],
                "fit peak RSS MiB": fit["peak_rss_mib"],
                "samples/s": args.n_samples / smp["seconds"],
                "parameters": f"{gen.n_parameters_:,}",
                "held-out log-lik": gen.score(X_test, test.target),
                "pixel FD": frechet_distance(samples.reshape(len(samples), -1), core_test),
            }
        )
        if pca_variance == 0.99:
            paper_gen = gen

    # baseline: pixel-space GaussianMixture per class
    core_train = resize(X, 16).reshape(len(X), -1)
    fit = {}
    with measure_rss(fit):
        gmms = _pixel_gmm(core_train, y, args.n_components, 0, args.n_jobs)
    smp = {}
    with measure_rss(smp):
        parts = [gmms[c].sample(int(np.sum(labels == c)))[0] for c in range(10)]
        baseline_samples = np.clip(np.concatenate(parts), 0, 1)
    ll = np.array([gmms[c].score_samples(core_test[test.target == c]).sum() for c in range(10)])
    rows.append(
        {
            "method": "baseline: GaussianMixture on 16x16 pixels",
            "fit s": fit["seconds"],
            "fit peak RSS MiB": fit["peak_rss_mib"],
            "samples/s": args.n_samples / smp["seconds"],
            "parameters": f"{sum(_n_parameters(g) for g in gmms):,}",
            "held-out log-lik": float(ll.sum() / len(core_test)),
            "pixel FD": frechet_distance(baseline_samples, core_test),
        }
    )
    print(markdown_table(rows, list(rows[0])))

    # temperature: class fidelity vs diversity
    clf = LogisticRegression(max_iter=300).fit(core_train, y)
    print(
        f"\nclassifier (logistic regression on real 16x16 cores) test accuracy: "
        f"{clf.score(core_test, test.target):.3f}\n"
    )
    trows = []
    for temperature in (0.3, 0.5, 0.7, 1.0):
        paper_gen.set_params(temperature=temperature)
        samples = paper_gen.sample(args.n_samples, y=labels).reshape(args.n_samples, -1)
        trows.append(
            {
                "temperature": temperature,
                "class accuracy of samples": clf.score(samples, labels),
                "pixel FD to test": frechet_distance(samples, core_test),
                "mean pixel std across samples": float(samples.std(axis=0).mean()),
            }
        )
    print(markdown_table(trows, list(trows[0])))
    print(f"(real test cores: mean pixel std {core_test.std(axis=0).mean():.3f})")


if __name__ == "__main__":
    main()
