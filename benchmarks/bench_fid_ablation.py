"""Which sampling settings of a fitted PAGER give the lowest FID (quick mode)?

One class-conditional PAGER is fitted on Fashion-MNIST 60k (500 components per
class, ``pca_variance=0.99``); the settings below act at sampling time only,
so every row uses the same fitted model, the same 500 labels and the same
sampling seed, against the same 500 test images.  Also: real test images
downsampled to 14x14 and super-resolved, which bounds what the cascade can do
with a perfect core.  N = 500, so FID is biased upward (500 real training
images score ~39): compare rows, not with 10k-sample figures.

Run::

    python -m benchmarks.bench_fid_ablation
"""

import time

import numpy as np

from benchmarks._harness import machine, markdown_table
from skpager import PAGER, GMMCoreGenerator
from skpager.datasets import load_fashion_mnist
from skpager.image import crop_images, resize
from skpager.metrics import frechet_distance, inception_features, precision_recall

N = 500


def main():
    print(f"machine: {machine()}")
    train, test = load_fashion_mnist(), load_fashion_mnist(kind="test")
    rng = np.random.RandomState(0)
    reference = test.images[rng.permutation(len(test.images))[:N]]
    labels = rng.choice(10, size=N)
    others = test.images[rng.permutation(len(test.images))[:N]]
    ref_feat = inception_features(reference)
    pager = PAGER(
        core=GMMCoreGenerator(n_components=500, pca_variance=0.99), random_state=0, n_jobs=2
    )
    t0 = time.perf_counter()
    pager.fit(train.images, train.target)
    print(f"fitted in {time.perf_counter() - t0:.0f}s")
    enhancer, booster, core = pager.enhancers_[0], pager.boosters_[0], pager.core_
    rows = []

    def add(name, images):
        feat = inception_features(images)
        precision, recall = precision_recall(ref_feat, feat)
        fid = frechet_distance(ref_feat, feat)
        rows.append(
            {"images": name, f"FID (N={N})": fid, "precision": precision, "recall": recall}
        )
        print(f"{name}: {fid:.1f}", flush=True)

    def sample(core_t=1.0, enh_t=0.0, enh_mask=True, boost=True, boost_mask=True):
        core.temperature, enhancer.temperature, enhancer.edge_mask = core_t, enh_t, enh_mask
        booster.edge_mask = boost_mask
        saved = pager.boosters_
        if not boost:
            pager.boosters_ = [None]
        try:
            return pager.sample(N, y=labels, random_state=1)
        finally:
            pager.boosters_ = saved

    low = resize(others, 14)
    add("test images -> 14x14 -> Lanczos 28x28", np.clip(resize(low, 28), 0, 1))
    add("test images -> 14x14 -> super_resolve (temperature 0)", pager.super_resolve(low))
    add(
        "test images -> 14x14 -> super_resolve (temperature 0.3)",
        pager.super_resolve(low, temperature=0.3, random_state=1),
    )
    core_only = core.sample(N, y=labels, random_state=1).reshape((N,) + core.core_shape_)
    add("samples: core + Lanczos only", np.clip(crop_images(resize(core_only, 32), 28), 0, 1))
    add("samples: defaults (enhancer temperature 0)", sample())
    add("samples: enhancer temperature 0.1", sample(enh_t=0.1))
    add("samples: enhancer temperature 0.3", sample(enh_t=0.3))
    add("samples: no booster", sample(boost=False))
    add("samples: no enhancer edge mask", sample(enh_mask=False))
    add("samples: no booster edge mask", sample(boost_mask=False))
    add("samples: core temperature 0.8", sample(core_t=0.8))
    add(
        "samples: core temperature 0.8, no booster edge mask", sample(core_t=0.8, boost_mask=False)
    )
    print(f"\n### Sampling ablation, Fashion-MNIST, N = {N}\n")
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
