"""Novelty detection with PAGER's likelihood: held-out classes and other datasets.

Held-out classes: for each Fashion-MNIST class ``c``, a PAGER is fitted on
``--n-fit`` training images of the other nine classes (lighter than the full
benchmark: ten fits); the held-out images of the nine classes are the
inliers, those of class ``c`` the novelties.  Other data: a PAGER fitted on
``--n-fit`` images of all ten classes scores ``--n-ood`` held-out
Fashion-MNIST images against scikit-learn's digits (8x8, enlarged to 28x28)
and CIFAR-10 test images (grey, 32 -> 28).  Held-out images are the test set,
or with ``--split validation`` the last 10,000 training images (the fits then
use the first 50,000); scores are chosen on the validation split.

Scores (higher = more normal), AUROC with the inliers as positives:

- ``log-likelihood``: ``PAGER.score_samples`` (core + every octave);
- ``core term`` and ``octave term``: the columns of ``PAGER.score_stages``
  (the core term is :class:`skpager.LikelihoodNoveltyDetector`'s default
  score, ``likelihood="coarse"``);
- ``coarse - fine``: the core term minus the octave term (a ratio of the two
  likelihoods);
- ``complexity-corrected``: the log-likelihood plus the image's PNG code
  length in nats (Serra et al., 2020: ``S(x) = -log p(x) - L(x)`` with ``L``
  a generic compressor's code length; here with the opposite sign, so that
  higher is more normal), and ``core + core-image code length`` the same
  correction of the core term at the core's resolution;
- scikit-learn's detectors on the pixels, fitted on the same images:
  ``IsolationForest``, ``LocalOutlierFactor(novelty=True)``, and a
  ``GaussianMixture(10)`` after ``PCA(50)``.

Run::

    python -m benchmarks.bench_novelty --split validation
    python -m benchmarks.bench_novelty
"""

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline

from benchmarks._harness import machine, markdown_table
from skpager import PAGER
from skpager.datasets import load_cifar10, load_fashion_mnist
from skpager.image import pad_images, resize

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def png_code_length(images):
    """Length in nats of every image's lossless PNG code, at 8 bits per value.

    A generic compressor's code length measures an image's complexity
    (Serra et al., 2020, "Input complexity and out-of-distribution detection
    with likelihood-based generative models"): smooth, simple images code
    short.

    ``images``: ``(n, H, W[, C])`` floats in [0, 1] (``uint8`` taken as
    is); returns the PNG file size (compression level 9) times ``8 log 2``.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = np.round(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8)
    if images.ndim == 4 and images.shape[3] == 3:
        images = images[..., ::-1]  # OpenCV writes BGR; the code length barely cares
    params = [cv2.IMWRITE_PNG_COMPRESSION, 9]
    sizes = np.array([len(cv2.imencode(".png", image, params)[1]) for image in images])
    return sizes * 8 * np.log(2.0)


def pager_scores(pager, images):
    """The PAGER-based scores of ``images``, ``{name: (n,)}``."""
    stages = pager.score_stages(images)
    core, octaves = stages[:, 0], stages[:, 1:].sum(axis=1)
    total = core + octaves
    side = pager.padded_side_
    core_images = resize(pad_images(images, side, side), pager.resolutions_[0])
    return {
        "log-likelihood": total,
        "core term": core,
        "octave term": octaves,
        "coarse - fine": core - octaves,
        "complexity-corrected": total + png_code_length(images),
        "core + core-image code length": core + png_code_length(core_images),
    }


def sklearn_scores(train, images):
    """Scores of scikit-learn's detectors fitted on ``train`` (pixels)."""
    flat_train = train.reshape(len(train), -1)
    flat = images.reshape(len(images), -1)
    detectors = {
        "IsolationForest": IsolationForest(random_state=0, n_jobs=2),
        "LocalOutlierFactor": LocalOutlierFactor(novelty=True, n_jobs=2),
        "PCA(50) + GaussianMixture(10)": make_pipeline(
            PCA(50, random_state=0),
            GaussianMixture(10, covariance_type="full", random_state=0),
        ),
    }
    return {name: det.fit(flat_train).score_samples(flat) for name, det in detectors.items()}


def auroc(inlier_scores, novel_scores):
    """AUROC of telling inliers (positives) from novelties by the score."""
    labels = np.r_[np.ones(len(inlier_scores)), np.zeros(len(novel_scores))]
    return float(roc_auc_score(labels, np.r_[inlier_scores, novel_scores]))


def fit_pager(images, labels):
    return PAGER(random_state=0, n_jobs=2).fit(images, labels)


def ood_sets(n):
    """Other data as 28x28 grey images in [0, 1]: sklearn's digits and,
    when ../shared is there, CIFAR-10 test images."""
    digits = load_digits().images[:n] / 16.0
    sets = {"digits (8x8 -> 28x28)": np.clip(resize(digits[..., None], 28), 0, 1)}
    folder = SHARED / "cifar-10-batches-py"
    if folder.exists():
        cifar = load_cifar10(folder, kind="test").images[:n]
        grey = cifar @ np.array([0.299, 0.587, 0.114])
        sets["CIFAR-10 (grey, 32 -> 28)"] = np.clip(resize(grey[..., None], 28), 0, 1)
    return sets


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "validation"], default="test")
    parser.add_argument("--n-fit", type=int, default=10000, help="training images per fit")
    parser.add_argument("--n-ood", type=int, default=2000, help="images per set, other data")
    parser.add_argument(
        "--classes", type=int, nargs="*", default=list(range(10)), help="held-out classes"
    )
    args = parser.parse_args(argv)
    print(machine())
    train = load_fashion_mnist()
    if args.split == "validation":
        fit_X, fit_y = train.images[:50000], train.target[:50000]
        held, held_y = train.images[50000:], train.target[50000:]
    else:
        test = load_fashion_mnist(kind="test")
        fit_X, fit_y = train.images, train.target
        held, held_y = test.images, test.target
    rng = np.random.RandomState(0)

    rows = []
    for c in args.classes:
        pool = np.flatnonzero(fit_y != c)
        rows_fit = np.sort(rng.choice(pool, size=min(args.n_fit, len(pool)), replace=False))
        t0 = time.perf_counter()
        pager = fit_pager(fit_X[rows_fit], fit_y[rows_fit])
        fit_s = time.perf_counter() - t0
        scores = pager_scores(pager, held)
        scores.update(sklearn_scores(fit_X[rows_fit], held))
        inlier = held_y != c
        row = {"held-out class": train.target_names[c], "PAGER fit s": fit_s}
        for name, s in scores.items():
            row[name] = auroc(s[inlier], s[~inlier])
        rows.append(row)
        print(row, flush=True)
    if rows:
        names = list(rows[0])[2:]
        mean = {"held-out class": "mean"}
        mean.update({k: float(np.mean([r[k] for r in rows])) for k in names})
        print(f"\nheld-out classes ({args.split} images; PAGER fitted on {args.n_fit} images)")
        print(markdown_table([*rows, mean], ["held-out class", *names, "PAGER fit s"]))

    # other data against held-out Fashion-MNIST images
    ood_rng = np.random.RandomState(1)  # its own draws: the same whichever classes ran
    rows_fit = np.sort(ood_rng.choice(len(fit_X), size=min(args.n_fit, len(fit_X)), replace=False))
    pager = fit_pager(fit_X[rows_fit], fit_y[rows_fit])
    inliers = held[: args.n_ood]
    base = pager_scores(pager, inliers)
    base.update(sklearn_scores(fit_X[rows_fit], inliers))
    ood_rows = []
    for set_name, images in ood_sets(args.n_ood).items():
        scores = pager_scores(pager, images)
        scores.update(sklearn_scores(fit_X[rows_fit], images))
        row = {"other data": set_name}
        for name, s in scores.items():
            row[name] = auroc(base[name], s)
        ood_rows.append(row)
        print(row, flush=True)
    print(f"\nother data against {len(inliers)} held-out Fashion-MNIST images")
    print(markdown_table(ood_rows, list(ood_rows[0])))


if __name__ == "__main__":
    main()
