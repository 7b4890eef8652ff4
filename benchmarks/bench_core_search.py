"""The grey default core's size search: its EM budget, current and previous.

PAGER's grey default core, ``LocalPCACoreGenerator()`` (16x16 cores of the
Fashion-MNIST training images padded to 32x32, class-conditional), chooses
each class's number of components by held-out likelihood: 1, 2, 4, ...
components are fitted on four fifths of the class, scored on the other
fifth, and the search stops at the first size that does not improve; the
chosen size is then fitted on the whole class.

- current: the candidates' EM stops at the search tolerance
  (``skpager._core._SEARCH_TOL``, 1e-2 in mean log-likelihood per sample),
  and EM on the whole class starts from the best candidate's parameters
  and runs to the model's ``tol`` (1e-3);
- previous: every candidate's EM runs to ``tol``, and the chosen size is
  fitted on the whole class afresh (from its own k-means start).

Both are fitted in the same run, one after the other: fit seconds, the sizes
chosen per class, the mean log-likelihood per image of held-out images, and
the largest difference between 1,000 samples of the same seed.  The previous
search is set in this process only, so the classes are fitted one after the
other (``n_jobs=1``: joblib's worker processes would import the module
afresh).  ``--validation`` fits on the first 50,000 training images and
scores the last 10,000 (for choosing); by default the model is fitted on
the 60,000 training images and scores the 10,000 test images.

Run::

    python -m benchmarks.bench_core_search
    python -m benchmarks.bench_core_search --validation
"""

import argparse
import contextlib

import numpy as np

import skpager._core
from benchmarks._harness import machine, markdown_table, measure_rss
from skpager import LocalPCACoreGenerator
from skpager.datasets import load_fashion_mnist
from skpager.image import pad_images


@contextlib.contextmanager
def previous_search():
    """The search before the search tolerance, in this process: candidates
    to ``tol`` (no looser search tolerance) and the chosen size fitted
    afresh (``fit_mixture`` without the best candidate as its start)."""
    core = skpager._core
    tolerance, fit = core._SEARCH_TOL, core.fit_mixture

    def fit_afresh(*args, init=None, **params):
        return fit(*args, **params)

    core._SEARCH_TOL, core.fit_mixture = 0.0, fit_afresh
    try:
        yield
    finally:
        core._SEARCH_TOL, core.fit_mixture = tolerance, fit


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--validation",
        action="store_true",
        help="fit on the first 50,000 training images, score the last 10,000",
    )
    args = parser.parse_args(argv)
    print(machine())
    train = load_fashion_mnist()
    X, y = pad_images(train.images, 32, 32), train.target
    if args.validation:
        X, y, X_held, y_held = X[:50000], y[:50000], X[50000:], y[50000:]
        held_name = "validation log-lik / image"
    else:
        test = load_fashion_mnist(kind="test")
        X_held, y_held = pad_images(test.images, 32, 32), test.target
        held_name = "test log-lik / image"
    rows, samples = [], []
    for name, search in [("current", contextlib.nullcontext), ("previous", previous_search)]:
        core = LocalPCACoreGenerator(16, random_state=0, n_jobs=1)
        record = {}
        with search(), measure_rss(record):
            core.fit(X, y)
        samples.append(core.sample(1000, y=np.arange(1000) % 10, random_state=1))
        rows.append(
            {
                "search": name,
                "fit s": record["seconds"],
                "components per class": " ".join(map(str, core.n_components_)),
                held_name: core.score(X_held, y_held),
            }
        )
        print(rows[-1], flush=True)
    print(markdown_table(rows, list(rows[0])))
    print(f"largest sample difference: {np.abs(samples[0] - samples[1]).max():.3g}")


if __name__ == "__main__":
    main()
