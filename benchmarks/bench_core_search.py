"""The grey default core's size search: stop at the first fall, or at the second.

The mixture that finds the components of PAGER's grey default core
(``LocalPCACoreGenerator`` runs ``GMMCoreGenerator(pca_variance=0.85,
covariance_type="full", component_selection="heldout")`` first; here that
core alone, on 16x16 cores of the Fashion-MNIST training images padded to
32x32) fits 1, 2, 4, ... components
per class on four fifths of the class and keeps the size with the best
held-out likelihood.  The search stops at the first size that does not
improve (the current rule); the previous rule tried one more size.  Both are
fitted in the same run: fit seconds, the sizes chosen per class, the
held-out log-likelihood of the 10,000 test cores, and whether the two models
sample the same images.  The rule is switched in this process only, so the
classes are fitted one after the other (``n_jobs=1``: joblib's worker
processes would import the module afresh and use the current rule).

Run::

    python -m benchmarks.bench_core_search
"""

import argparse

import numpy as np

import skpager._core
from benchmarks._harness import machine, markdown_table, measure_rss
from skpager import GMMCoreGenerator
from skpager.datasets import load_fashion_mnist
from skpager.image import pad_images


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    print(machine())
    train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
    X, y = pad_images(train.images, 32, 32), train.target
    X_test = pad_images(test.images, 32, 32)
    rows, samples = [], []
    current = skpager._core._PATIENCE
    for name, patience in [("stop at the first fall (current)", current), ("second fall", 2)]:
        skpager._core._PATIENCE = patience
        core = GMMCoreGenerator(
            16,
            pca_variance=0.85,
            covariance_type="full",
            component_selection="heldout",
            random_state=0,
            n_jobs=1,  # the rule is set in this process
        )
        record = {}
        with measure_rss(record):
            core.fit(X, y)
        samples.append(core.sample(1000, random_state=1))
        rows.append(
            {
                "search": name,
                "fit s": record["seconds"],
                "components per class": " ".join(map(str, core.n_components_)),
                "held-out log-lik": core.score(X_test, test.target),
            }
        )
        print(rows[-1], flush=True)
    skpager._core._PATIENCE = current
    print(markdown_table(rows, list(rows[0])))
    print(f"same samples: {np.array_equal(samples[0], samples[1])}")


if __name__ == "__main__":
    main()
