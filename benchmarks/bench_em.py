"""The full-covariance EM of the grey cores: skpager's, or scikit-learn's.

``fit_mixture`` fits full-covariance mixtures with ``fit_full_mixture``
(the EM of :class:`~sklearn.mixture.GaussianMixture`, both steps one
product over the features' pairwise products), and
:class:`~skpager.LocalPCACoreGenerator` reads its mixture's PCA
coordinates off the class's larger PCA (one SVD per class).  This fits
PAGER's grey default core (``LocalPCACoreGenerator()`` on 16x16 cores of the
Fashion-MNIST training images padded to 32x32) and ``SubspaceRefiner``'s
default model (``LocalPCACoreGenerator(feature_variance=0.95,
local_variance=0.99)`` on the 28x28 images) both ways in the same run:
"previous" sends every mixture to scikit-learn and fits the two PCAs, as
before the change.  Reported: fit seconds and peak RSS (one process,
``n_jobs=1``: the switch is set in this process only), the components per
class, the mean log-likelihood of the 10,000 test images, and the largest
difference between the two models' samples (same seed).

Run::

    python -m benchmarks.bench_em
"""

import argparse

import numpy as np

import skpager._local_core
import skpager._mixture
from benchmarks._harness import machine, markdown_table, measure_rss
from skpager import LocalPCACoreGenerator
from skpager.datasets import load_fashion_mnist
from skpager.image import pad_images


def _fit(template, X, y, X_test, y_test, previous):
    products, leading = skpager._mixture._PRODUCTS_BYTES, skpager._local_core._leading_coordinates
    if previous:
        skpager._mixture._PRODUCTS_BYTES = -1  # every mixture to scikit-learn

        def no_shared_pca(*args):
            return None

        skpager._local_core._leading_coordinates = no_shared_pca
    try:
        record = {}
        with measure_rss(record):
            core = template.fit(X, y)
    finally:
        skpager._mixture._PRODUCTS_BYTES = products
        skpager._local_core._leading_coordinates = leading
    return core, record, core.score(X_test, y_test)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=None, help="fit on the first N images")
    args = parser.parse_args(argv)
    print(machine())
    train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
    X, y = train.images[: args.n_train], train.target[: args.n_train]
    models = [
        ("PAGER's grey core (16x16)", LocalPCACoreGenerator(16), 32),
        (
            "SubspaceRefiner's model (28x28)",
            LocalPCACoreGenerator(feature_variance=0.95, local_variance=0.99),
            28,
        ),
    ]
    rows = []
    for name, template, side in models:
        images, test_images = pad_images(X, side, side), pad_images(test.images, side, side)
        samples = []
        for previous in (True, False):
            core = template.set_params(random_state=0, n_jobs=1)
            core, record, score = _fit(core, images, y, test_images, test.target, previous)
            samples.append(np.asarray(core.sample(1000, random_state=1)))
            rows.append(
                {
                    "model": name,
                    "EM": "scikit-learn, two PCAs (previous)" if previous else "skpager (current)",
                    "fit s": record["seconds"],
                    "peak RSS MiB": record["peak_rss_mib"],
                    "components per class": " ".join(map(str, core.n_components_)),
                    "test log-lik / image": score,
                }
            )
        rows[-1]["max sample difference"] = float(np.abs(samples[0] - samples[1]).max())
    columns = [
        "model",
        "EM",
        "fit s",
        "peak RSS MiB",
        "components per class",
        "test log-lik / image",
        "max sample difference",
    ]
    print(markdown_table(rows, columns))


if __name__ == "__main__":
    main()
