"""Attribute-guided generation: does the chosen generator satisfy the query?

Binary attributes are derived from the class labels, one PAGER is fitted per
k-means cluster of attribute vectors (``AttributeGuidedGenerator``), and for
each query we sample images and ask a classifier trained on real images
(logistic regression on pixels) whether the predicted class satisfies the
query.  For reference, the same classifier's rate on real test images of the
queried classes is printed beside it (its ceiling).

Fashion-MNIST attributes: footwear (sandal, sneaker, ankle boot), upper body
(T-shirt, pullover, dress, coat, shirt), bag.  CIFAR-10 attributes: vehicle
(airplane, automobile, ship, truck), four-legged (cat, deer, dog, horse),
flies (airplane, bird).

Run::

    python -m benchmarks.bench_attributes [--dataset fashion-mnist|cifar10]
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from benchmarks._harness import machine, markdown_table, n_channels
from skpager import PAGER, AttributeGuidedGenerator, GMMCoreGenerator
from skpager.datasets import load_cifar10, load_fashion_mnist

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

GROUPS = {
    "fashion-mnist": {"footwear": [5, 7, 9], "upper body": [0, 2, 3, 4, 6], "bag": [8]},
    "cifar10": {"vehicle": [0, 1, 8, 9], "four-legged": [3, 4, 5, 7], "flies": [0, 2]},
}


def attributes(labels, groups):
    return np.stack([np.where(np.isin(labels, g), 1, -1) for g in groups.values()], axis=1)


def satisfies(classes, query, groups):
    ok = np.ones(len(classes), dtype=bool)
    for value, members in zip(query, groups.values(), strict=True):
        if value != 0:
            ok &= np.isin(classes, members) == (value > 0)
    return ok


def _enhancer(channels):
    """PAGER's default enhancer for ``channels``, fitted on fewer windows."""
    enhancer = PAGER.default_stages(channels)["enhancer"]
    if "max_windows" in enhancer.get_params():
        enhancer.set_params(max_windows=10000)
    return enhancer


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=list(GROUPS), default="fashion-mnist")
    parser.add_argument("--n-samples", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.dataset == "fashion-mnist":
        train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
    else:
        train = load_cifar10(SHARED / "cifar-10-batches-py")
        test = load_cifar10(SHARED / "cifar-10-batches-py", kind="test")
    groups = GROUPS[args.dataset]
    A = attributes(train.target, groups)
    print(f"{args.dataset}: {len(train.images)} images, attributes {list(groups)}")
    print(f"machine: {machine()}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegression(max_iter=200).fit(train.data[::3], train.target[::3])
    test_pred = clf.predict(test.data)
    print(
        f"classifier accuracy on real test images (10 classes): "
        f"{np.mean(test_pred == test.target):.3f}"
    )
    gen = AttributeGuidedGenerator(
        PAGER(
            core=GMMCoreGenerator(n_components=100, pca_variance=0.95),
            # PAGER's default for the data's colour (exemplar windows for colour)
            enhancer=_enhancer(n_channels(train.images)),
        ),
        n_clusters=8,
        random_state=0,
    )
    t0 = time.perf_counter()
    gen.fit(train.images, A)
    print(
        f"fitted {len(gen.estimators_)} generators in {time.perf_counter() - t0:.1f}s; "
        f"cluster sizes {gen.cluster_sizes_.tolist()}\n"
    )
    rows = []
    n_attr = A.shape[1]
    queries = [tuple(int(v) for v in row) for row in np.eye(n_attr, dtype=int) * 2 - 1]
    queries += [tuple(int(v) for v in np.eye(n_attr, dtype=int)[i]) for i in range(n_attr)]
    queries += [tuple(-1 for _ in range(n_attr))]
    for query in queries:
        samples = gen.sample(args.n_samples, query=query, random_state=1)
        pred = clf.predict(samples.reshape(len(samples), -1))
        real = satisfies(test.target, query, groups)
        rows.append(
            {
                "query": " ".join(
                    f"{name}={v:+d}" for name, v in zip(groups, query, strict=True) if v != 0
                ),
                "samples satisfying": float(np.mean(satisfies(pred, query, groups))),
                "real test images of those classes, classified satisfying": float(
                    np.mean(satisfies(test_pred[real], query, groups))
                )
                if real.any()
                else "",
            }
        )
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
