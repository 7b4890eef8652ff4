"""Which of the enhancer's steps help once it copies exemplar AC (CIFAR-10)?

PAGER's colour default copies the AC of stored training windows; the paper's
enhancer then multiplies the AC by a Canny edge mask of the DC and refines
the result on sub-windows down to 2x2.  This script fits one PAGER per
combination of those two steps (``edge_mask`` on/off, ``min_window`` 2 or
None, everything else PAGER's colour default) with the protocol of
``python -m benchmarks --dataset cifar10``: the same seed, labels and 1,000
test images as reference, N = 1,000, FID, k-NN precision/recall, the copy
check (NN distance / test's) and the share of samples closer to a training
image than 95% of the test images are (~0.05 for images that copy nothing).

Run::

    python -m benchmarks.bench_enhancer_steps
"""

import time

from benchmarks._harness import CopyCheck, machine, markdown_table
from benchmarks.run import _protocol
from skpager import PAGER, GMMCoreGenerator
from skpager.metrics import frechet_distance, inception_features, precision_recall
from skpager.pager import default_enhancer

VARIANTS = [
    ("edge mask, sub-window levels (the paper's steps)", {"edge_mask": True, "min_window": 2}),
    ("sub-window levels only", {"edge_mask": False, "min_window": 2}),
    ("edge mask only", {"edge_mask": True, "min_window": None}),
    ("neither (PAGER's colour default)", {"edge_mask": False, "min_window": None}),
]


def main():
    train, reference, labels, _ = _protocol("cifar10", 1000)
    print(f"machine: {machine()}", flush=True)
    t0 = time.perf_counter()
    ref = inception_features(reference)
    print(f"reference features: {len(reference)} images in {time.perf_counter() - t0:.0f}s")
    check = CopyCheck(train.images, reference)
    rows = []
    for name, params in VARIANTS:
        pager = PAGER(
            core=GMMCoreGenerator(n_components=500, pca_variance=0.99),
            enhancer=default_enhancer(3).set_params(**params),
            random_state=0,
            n_jobs=2,
        )
        t0 = time.perf_counter()
        pager.fit(train.images, train.target)
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        samples = pager.sample(len(labels), y=labels)
        sample_s = time.perf_counter() - t0
        feat = inception_features(samples)
        precision, recall = precision_recall(ref, feat)
        rows.append(
            {
                "enhancer steps after the copied AC": name,
                "fit s": fit_s,
                "s per 1000 samples": sample_s,
                "parameters": f"{pager.n_parameters_:,}",
                "FID (N=1000)": frechet_distance(ref, feat),
                "precision": precision,
                "recall": recall,
                "NN distance / test's": check.ratio(samples),
                "closer than 95% of test": check.near(samples),
            }
        )
        print(f"{name}: done", flush=True)
    print()
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
