"""Which sampling settings of a fitted PAGER give the lowest FID (quick mode)?

One class-conditional PAGER is fitted on Fashion-MNIST 60k (500 components per
class, ``pca_variance=0.99``); the settings below act at sampling time only,
so every row uses the same fitted model, the same 500 labels and the same
sampling seed, against the same 500 test images.  Also: real test images
downsampled to 14x14 and super-resolved, which bounds what the cascade can do
with a perfect core.  N = 500, so FID is biased upward (500 real training
images score ~39): compare rows, not with 10k-sample figures.

``--dataset cifar10``: the same on CIFAR-10 (colour 32x32 from a 4x4 core),
fitted on 29,000 of the 30,000 training images; N = 1,000 against the 1,000
test images in ``../shared/data``, and the 1,000 held-out training images are
the real images that are downsampled and super-resolved.  Its rows also
report how many images sit closer to a training image than 95% of the test
images do (pixel distance; ~0.05 for images that copy nothing).

Run::

    python -m benchmarks.bench_fid_ablation [--dataset cifar10]
"""

import argparse
import contextlib
import copy
import time

import numpy as np

from benchmarks._harness import CopyCheck, machine, markdown_table
from benchmarks.bench_pager import SHARED
from skpager import PAGER, GMMCoreGenerator
from skpager.datasets import load_cifar10, load_fashion_mnist
from skpager.image import crop_images, resize
from skpager.metrics import frechet_distance, inception_features, precision_recall

N = 500


def _calibrated(booster, calibrate=True):
    """A copy of a fitted booster with calibrated gains (or, if False, gains 1)."""
    booster = copy.copy(booster).set_params(calibrate=calibrate)
    booster.gains_ = booster._gains()
    return booster


@contextlib.contextmanager
def _calibrated_boosters(pager, calibrate=True):
    """Within the block, every booster of a fitted PAGER is a copy with
    calibrated gains (``calibrate=False``: the paper's gain of 1)."""
    saved = pager.boosters_
    pager.boosters_ = [_calibrated(b, calibrate) for b in saved]
    try:
        yield pager
    finally:
        pager.boosters_ = saved


@contextlib.contextmanager
def _cifar_settings(pager, boost=True, calibrate=True, core_t=1.0, per_class=True, masks=True):
    """Within the block, a fitted colour PAGER samples with these settings.

    ``boost=False`` removes the boosters, ``calibrate`` picks their gains
    (calibrated: PAGER's colour default; False: the paper's gain of 1),
    ``per_class=False`` searches one exemplar store for all classes and
    ``masks=False`` turns every edge mask off.  Everything is restored after.
    """
    saved_core_t, saved_boosters = pager.core_.temperature, pager.boosters_
    saved_levels = [(e.edge_mask, e.levels_[0].exemplar_labels) for e in pager.enhancers_]
    pager.core_.temperature = core_t
    boosters = [_calibrated(b, calibrate) if boost else None for b in saved_boosters]
    pager.boosters_ = boosters
    for enhancer in pager.enhancers_:
        enhancer.edge_mask = masks
        if not per_class:  # one store for all classes, as before the labels were kept
            enhancer.levels_[0].exemplar_labels = None
    for booster in boosters:
        if booster is not None:  # a copy: the fitted booster keeps its mask
            booster.edge_mask = masks
    try:
        yield pager
    finally:
        pager.core_.temperature, pager.boosters_ = saved_core_t, saved_boosters
        for enhancer, (mask, stored) in zip(pager.enhancers_, saved_levels, strict=True):
            enhancer.edge_mask = mask
            enhancer.levels_[0].exemplar_labels = stored


def _scorer(ref_feat, rows, copies=None):
    """``add(name, images)``: FID, precision and recall against ``ref_feat``, as a row
    (and the ``CopyCheck.near`` fraction when ``copies`` is given)."""

    def add(name, images):
        feat = inception_features(images)
        precision, recall = precision_recall(ref_feat, feat)
        fid = frechet_distance(ref_feat, feat)
        row = {
            "images": name,
            f"FID (N={len(ref_feat)})": fid,
            "precision": precision,
            "recall": recall,
        }
        message = f"{name}: FID {fid:.1f}, precision {precision:.3g}, recall {recall:.3g}"
        if copies is not None:
            near = copies.near(images)
            row["closer to training than 95% of test"] = near
            message += f", closer than 95% of test {near:.3g}"
        rows.append(row)
        print(message, flush=True)

    return add


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
    add = _scorer(ref_feat, rows)

    def sample(core_t=1.0, enh_t=0.0, enh_mask=True, boost=True, boost_mask=True, calibrate=False):
        core.temperature, enhancer.temperature, enhancer.edge_mask = core_t, enh_t, enh_mask
        booster.edge_mask = boost_mask
        saved = pager.boosters_
        pager.boosters_ = [_calibrated(booster, calibrate) if boost else None]
        try:
            return pager.sample(N, y=labels, random_state=1)
        finally:
            pager.boosters_ = saved

    low = resize(others, 14)
    add("test images -> 14x14 -> Lanczos 28x28", np.clip(resize(low, 28), 0, 1))
    add("test images -> 14x14 -> super_resolve (temperature 0)", pager.super_resolve(low))
    with _calibrated_boosters(pager):
        add("test images -> 14x14 -> super_resolve, calibrated booster", pager.super_resolve(low))
    add(
        "test images -> 14x14 -> super_resolve (temperature 0.3)",
        pager.super_resolve(low, temperature=0.3, random_state=1),
    )
    core_only = core.sample(N, y=labels, random_state=1).reshape((N,) + core.core_shape_)
    add("samples: core + Lanczos only", np.clip(crop_images(resize(core_only, 32), 28), 0, 1))
    add("samples: defaults (enhancer temperature 0)", sample())
    add("samples: enhancer temperature 0.1", sample(enh_t=0.1))
    add("samples: enhancer temperature 0.3", sample(enh_t=0.3))
    add("samples: calibrated booster gains", sample(calibrate=True))
    add("samples: no booster", sample(boost=False))
    add("samples: no enhancer edge mask", sample(enh_mask=False))
    add("samples: no booster edge mask", sample(boost_mask=False))
    add("samples: core temperature 0.8", sample(core_t=0.8))
    add(
        "samples: core temperature 0.8, no booster edge mask", sample(core_t=0.8, boost_mask=False)
    )
    print(f"\n### Sampling ablation, Fashion-MNIST, N = {N}\n")
    print(markdown_table(rows, list(rows[0])))


def main_cifar10():
    folder = SHARED / "cifar-10-batches-py"
    train, test = load_cifar10(folder), load_cifar10(folder, kind="test")
    n = len(test.images)
    X, y, held_out = train.images[:-n], train.target[:-n], train.images[-n:]
    held_out_y = train.target[-n:]
    print(f"machine: {machine()}\nCIFAR-10: fit on {len(X)}, N = {n}")
    ref_feat = inception_features(test.images)
    labels = np.random.RandomState(0).choice(10, size=n)
    pager = PAGER(
        core=GMMCoreGenerator(n_components=500, pca_variance=0.99), random_state=0, n_jobs=2
    )
    t0 = time.perf_counter()
    pager.fit(X, y)
    print(f"fitted in {time.perf_counter() - t0:.0f}s")
    rows = []
    add = _scorer(ref_feat, rows, CopyCheck(X, test.images))

    def sample(**settings):
        with _cifar_settings(pager, **settings):
            return pager.sample(n, y=labels, random_state=1)

    add(f"held-out training images ({n})", held_out)
    for side in (8, 4):
        low = resize(held_out, side)
        add(f"held-out images -> {side}x{side} -> Lanczos 32x32", np.clip(resize(low, 32), 0, 1))
        add(f"held-out images -> {side}x{side} -> super_resolve", pager.super_resolve(low))
        add(  # the path samples take: copied AC from the store, within the class
            f"held-out images -> {side}x{side} -> super_resolve, exemplars (as sampling)",
            pager.super_resolve(low, y=held_out_y, exemplars=True),
        )
        with _calibrated_boosters(pager, calibrate=False):
            add(
                f"held-out images -> {side}x{side} -> super_resolve, paper boosters (gain 1)",
                pager.super_resolve(low),
            )
    add("samples: defaults (calibrated boosters)", sample())
    add("samples: the paper's boosters (gain 1)", sample(calibrate=False))
    add("samples: no booster", sample(boost=False))
    add("samples: core temperature 0.8", sample(core_t=0.8))
    add("samples: one exemplar store for all classes", sample(per_class=False))
    add("samples: no edge masks (enhancers and boosters)", sample(masks=False))
    print(f"\n### Sampling ablation, CIFAR-10, N = {n}\n")
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["fashion-mnist", "cifar10"], default="fashion-mnist")
    if parser.parse_args().dataset == "cifar10":
        main_cifar10()
    else:
        main()
