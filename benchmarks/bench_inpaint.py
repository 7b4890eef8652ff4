"""Inpainting: PAGER.inpaint against OpenCV and a nearest-training-image fill.

A default PAGER (``PAGER(random_state=0)`` fitted with labels, but
``inpaint`` called without them: the observed pixels decide the class) is
fitted on the training images of Fashion-MNIST (or with ``--dataset cifar10``
the 30,000 CIFAR-10 images of ../shared); ``--n`` held-out images (the test
set, or with ``--split validation`` the last sixth of the training images,
the model then being fitted on the rest) get four masks:

- ``centre``: the centre square of half the side (14x14 on 28x28);
- ``right``: the right half;
- ``random``: every pixel missing with probability 1/2;
- ``blocks``: four 8x8 squares at random places (they may overlap).

Methods: ``PAGER.inpaint`` at temperature 0 (conditional mean) and 1 (a draw),
OpenCV's ``cv2.inpaint`` (Telea, Navier-Stokes; radius 3, on 8-bit images),
and the nearest training image on the observed pixels, whose pixels fill the
hole.  Columns: PSNR over all hole pixels (pooled squared error), accuracy of
a classifier trained on real training images (PCA(50) + RBF SVC on 10,000 of
them) on the completed images, and FID of the first ``--n-fid`` completions
against the test images (10,000 for Fashion-MNIST, the 1,000 of CIFAR-10;
the protocol's cached reference; the uncorrupted images give the floor).
FID needs the optional FID extra; ``--n-fid 0`` skips it.

Run::

    python -m benchmarks.bench_inpaint --n 1000 --n-fid 500
    python -m benchmarks.bench_inpaint --dataset cifar10 --n 500 --n-fid 0
    python -m benchmarks.bench_inpaint --figure docs/inpaint_fashion.png --n-fid 0
    python -m benchmarks.bench_inpaint --dataset cifar10 --n 500 --n-fid 0 \\
        --config "core=LocalPCACoreGenerator(), enhancer=ConditionalEnhancer(1024)"

``--config`` gives PAGER's keyword arguments instead of the defaults;
``--unlabelled`` fits it without the training labels (one model of all
the images instead of one per class)::

    python -m benchmarks.bench_inpaint --dataset cifar10 --n 300 --n-fid 0 --unlabelled \\
        --config "core=GMMCoreGenerator(32, n_components=1, component_selection='fixed', \\
        covariance_type='full', pca_variance=0.999)"

``--figure`` writes, per mask, the first eight images: holed, Telea,
``PAGER.inpaint`` at temperature 0, a draw at temperature 1, the truth.
"""

import argparse
import time

import cv2
import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from benchmarks._harness import machine, markdown_table, pager_kwargs
from skpager import PAGER
from skpager.image import image_grid, save_png


def make_masks(n, side=28, seed=0):
    """The four masks of the benchmark, ``{name: (n, side, side) bool}``."""
    rng = np.random.RandomState(seed)
    centre = np.zeros((n, side, side), dtype=bool)
    centre[:, side // 4 : side // 4 + side // 2, side // 4 : side // 4 + side // 2] = True
    right = np.zeros((n, side, side), dtype=bool)
    right[:, :, side // 2 :] = True
    random = rng.rand(n, side, side) < 0.5
    blocks = np.zeros((n, side, side), dtype=bool)
    corners = rng.randint(0, side - 8 + 1, size=(n, 4, 2))
    rows = np.arange(side)
    for k in range(4):  # a loop over the four squares, vectorised over images
        top, left = corners[:, k, 0, None], corners[:, k, 1, None]
        in_rows = (rows >= top) & (rows < top + 8)
        in_cols = (rows >= left) & (rows < left + 8)
        blocks |= in_rows[:, :, None] & in_cols[:, None, :]
    return {"centre": centre, "right": right, "random": random, "blocks": blocks}


def opencv_fill(images, masks, flag):
    """``cv2.inpaint`` (radius 3) of every image, on its 8-bit version
    (colour images in OpenCV's BGR order)."""
    out = np.empty_like(images)
    for i, (image, mask) in enumerate(zip(images, masks, strict=True)):
        byte = np.round(image * 255).astype(np.uint8)
        if byte.ndim == 3:
            byte = np.ascontiguousarray(byte[..., ::-1])
        filled = cv2.inpaint(byte, mask.astype(np.uint8), 3, flag) / 255.0
        out[i] = filled[..., ::-1] if filled.ndim == 3 else filled
    return np.where(_pixels(masks, images), out, images)


def _pixels(masks, images):
    """``masks`` broadcastable against ``images`` (one mask for all channels)."""
    return masks[..., None] if images.ndim == 4 else masks


def nearest_image_fill(images, masks, train, chunk=256):
    """Fill every hole with the pixels of the training image nearest on the
    observed pixels (squared distance over the observed pixels)."""
    flat = train.reshape(len(train), -1)
    sq = flat**2
    out = images.copy()
    for start in range(0, len(images), chunk):
        part = images[start : start + chunk]
        missing = np.broadcast_to(_pixels(masks[start : start + chunk], images), part.shape)
        x = part.reshape(len(part), -1)
        o = (~missing).reshape(len(part), -1).astype(np.float64)
        dist = (o * x**2).sum(axis=1)[:, None] - 2 * (o * x) @ flat.T + o @ sq.T
        best = flat[np.argmin(dist, axis=1)].reshape(part.shape)
        out[start : start + chunk] = np.where(missing, best, part)
    return out


def hole_psnr(out, truth, masks):
    """PSNR in dB of the hole pixels, pooled over all images."""
    err = np.mean((np.clip(out, 0, 1)[masks] - truth[masks]) ** 2)  # every channel
    return float(10 * np.log10(1 / err))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="images to inpaint")
    parser.add_argument("--n-fid", type=int, default=500, help="completions per FID (0: none)")
    parser.add_argument(
        "--fid-methods", default="", help="FID only for methods whose name holds this text"
    )
    parser.add_argument("--split", choices=["test", "validation"], default="test")
    parser.add_argument("--dataset", choices=["fashion-mnist", "cifar10"], default="fashion-mnist")
    parser.add_argument("--figure", default=None, help="PNG of holes, completions and draws")
    parser.add_argument(
        "--config",
        default="",
        help="PAGER's keyword arguments, e.g. \"core=LocalPCACoreGenerator(), booster='drop'\" "
        "(a trusted command-line expression; empty: the defaults)",
    )
    parser.add_argument(
        "--unlabelled", action="store_true", help="fit PAGER without the training labels"
    )
    args = parser.parse_args(argv)
    print(machine())
    from benchmarks.run import _load

    train, test = _load(args.dataset)
    grey = args.dataset == "fashion-mnist"
    images = train.images[..., 0] if grey else train.images
    if args.split == "validation":
        n_fit = len(images) * 5 // 6
        fit_X, fit_y = images[:n_fit], train.target[:n_fit]
        held = images[n_fit : n_fit + args.n]
        held_y = train.target[n_fit : n_fit + args.n]
    else:
        fit_X, fit_y = images, train.target
        held = (test.images[..., 0] if grey else test.images)[: args.n]
        held_y = test.target[: args.n]
    side = held.shape[1]

    t0 = time.perf_counter()
    pager = PAGER(random_state=0, n_jobs=2, **pager_kwargs(args.config))
    pager.fit(fit_X, None if args.unlabelled else fit_y)
    labelled = "without labels" if args.unlabelled else "with labels"
    print(f"PAGER({args.config or 'defaults'}), fitted {labelled}", flush=True)
    print(f"PAGER fit {time.perf_counter() - t0:.0f}s", flush=True)
    classifier = make_pipeline(PCA(50, random_state=0), SVC())
    n_clf = min(10000, len(fit_X))
    classifier.fit(fit_X[:n_clf].reshape(n_clf, -1), fit_y[:n_clf])
    clean_acc = classifier.score(held.reshape(len(held), -1), held_y)
    print(f"classifier accuracy on the uncorrupted images: {clean_acc:.3f}", flush=True)

    ref_feat = None
    if args.n_fid:
        from benchmarks._harness import cached_inception_features
        from benchmarks.run import _protocol
        from skpager.metrics import frechet_distance, inception_features

        n_ref = 10000 if grey else 1000
        _, reference, _, _ = _protocol(args.dataset, n_ref, n_reference=n_ref)
        ref_feat = cached_inception_features(reference, f"{args.dataset}_test")

        def fid(out):
            feat = inception_features(out[: args.n_fid].reshape((-1,) + reference.shape[1:]))
            return frechet_distance(ref_feat, feat)

    rows = []
    if ref_feat is not None and not args.fid_methods:
        rows.append({"mask": "none", "method": "uncorrupted images", "FID": fid(held)})
        rows[-1]["accuracy"] = clean_acc
    figure = []
    for name, masks in make_masks(len(held), side).items():
        methods = {}
        t0 = time.perf_counter()
        methods["PAGER.inpaint, temperature 0"] = pager.inpaint(held, masks)
        seconds = {"PAGER.inpaint, temperature 0": time.perf_counter() - t0}
        t0 = time.perf_counter()
        methods["PAGER.inpaint, temperature 1"] = pager.inpaint(
            held, masks, temperature=1.0, random_state=0
        )
        seconds["PAGER.inpaint, temperature 1"] = time.perf_counter() - t0
        for label, flag in [("Telea", cv2.INPAINT_TELEA), ("Navier-Stokes", cv2.INPAINT_NS)]:
            t0 = time.perf_counter()
            methods[f"cv2.inpaint {label}"] = opencv_fill(held, masks, flag)
            seconds[f"cv2.inpaint {label}"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        methods["nearest training image"] = nearest_image_fill(held, masks, fit_X)
        seconds["nearest training image"] = time.perf_counter() - t0
        for method, out in methods.items():
            row = {
                "mask": name,
                "method": method,
                "hole %": 100 * masks.mean(),
                "PSNR hole dB": hole_psnr(out, held, masks),
                "accuracy": classifier.score(out.reshape(len(out), -1), held_y),
                "s / 1k images": 1000 * seconds[method] / len(held),
            }
            if ref_feat is not None and args.fid_methods in method:
                row["FID"] = fid(out)
            rows.append(row)
            print(row, flush=True)
        if args.figure:
            draw = pager.inpaint(held[:8], masks[:8], temperature=1.0, random_state=1)
            figure += [
                np.where(_pixels(masks[:8], held), 0.5, held[:8]),
                methods["cv2.inpaint Telea"][:8],
                methods["PAGER.inpaint, temperature 0"][:8],
                draw,
                held[:8],
            ]
    columns = ["mask", "method", "hole %", "PSNR hole dB", "accuracy", "FID", "s / 1k images"]
    print(f"\n{args.split} images: {len(held)}; FID of the first {args.n_fid} completions")
    print(markdown_table(rows, columns))
    if args.figure:
        stacked = np.concatenate(figure)
        grid = image_grid(stacked[..., None] if grey else stacked, 8, scale=2)
        save_png(args.figure, grid)
        print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
