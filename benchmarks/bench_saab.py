"""SaabTransformer vs PCA on Fashion-MNIST 60k padded to 32x32.

Fit + transform + inverse of a complete 5-stage Saab transform, side by side
with scikit-learn's ``PCA(svd_solver="full")`` (all 1024 components, the same
orthonormal change of basis done globally) on the same flattened data, in the
same run.  Prints a markdown table: seconds and peak traced memory.

Run::

    python -m benchmarks.bench_saab [--n-train 60000] [--dtype float64]
"""

import argparse

import numpy as np
from sklearn.decomposition import PCA

from benchmarks._harness import machine, markdown_table, measure
from skpager import SaabTransformer
from skpager.datasets import load_fashion_mnist
from skpager.image import pad_images


def _median(records, key):
    return float(np.median([r[key] for r in records]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--repeat", type=int, default=3, help="runs per method; median time")
    args = parser.parse_args(argv)

    images = load_fashion_mnist().images[: args.n_train]
    X = pad_images(images, 32, 32).reshape(len(images), -1).astype(args.dtype)
    print(
        f"Fashion-MNIST train, {X.shape[0]} images padded to 32x32, {args.dtype}, "
        f"median of {args.repeat} runs"
    )
    print(f"machine: {machine()}\n")

    rows = []
    for name, make in (
        ("SaabTransformer (5 stages)", lambda: SaabTransformer(image_shape=(32, 32))),
        ('PCA(svd_solver="full")', lambda: PCA(svd_solver="full")),
    ):
        fit_recs, inv_recs = [], []
        for _ in range(args.repeat):
            est = make()
            fit_recs.append({})
            inv_recs.append({})
            with measure(fit_recs[-1]):
                Z = est.fit_transform(X)
            with measure(inv_recs[-1]):
                X_back = est.inverse_transform(Z)
        rows.append(
            {
                "method": name,
                "fit+transform s": _median(fit_recs, "seconds"),
                "fit+transform peak MiB": _median(fit_recs, "peak_mib"),
                "inverse s": _median(inv_recs, "seconds"),
                "inverse peak MiB": _median(inv_recs, "peak_mib"),
                "max abs reconstruction error": float(np.abs(X_back - X).max()),
            }
        )
        del Z, X_back
    ratio = rows[0]["fit+transform s"] / rows[1]["fit+transform s"]
    print(markdown_table(rows, list(rows[0])))
    print(f"\nSaab fit+transform time / PCA fit+transform time = {ratio:.3f} (target <= 0.5)")


if __name__ == "__main__":
    main()
