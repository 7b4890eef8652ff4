"""The ``skpager`` command: ``demo``, ``fit`` and ``sample``.

Run ``skpager --help`` (or ``python -m skpager --help``).  User mistakes
(missing data, bad arguments, unreadable model files) print one line and exit
with status 2; nothing downloads.
"""

import argparse
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from . import __version__
from ._persist import check_model_path, load_model, save_model

_DATASETS = ("demo", "fashion-mnist", "mnist", "cifar10", "celeba")


class UserError(Exception):
    """A mistake of the user's: reported as one line, exit status 2."""


def _load_dataset(name, n_train, seed, image_size=None):
    """Return (images (n, H, W, C) in [0, 1], labels or None, label names or None)."""
    from . import datasets

    if name == "demo":
        bunch = datasets.load_demo()
    elif name == "fashion-mnist":
        bunch = datasets.load_fashion_mnist()
    elif name == "mnist":
        bunch = datasets.load_mnist()
    elif name == "cifar10":
        bunch = datasets.load_cifar10(_shared_data("cifar-10-batches-py"))
    elif name == "celeba":
        bunch = datasets.load_celeba(_shared_data("celeba_sample"), attributes=False)
    else:
        bunch = _load_path(Path(name), image_size)
    images, labels = bunch.images, bunch.get("target")
    names = bunch.get("target_names")
    if n_train is not None and n_train < len(images):
        keep = np.sort(np.random.default_rng(seed).permutation(len(images))[:n_train])
        images = images[keep]
        labels = None if labels is None else labels[keep]
    return images, labels, names


def _shared_data(folder):
    import os

    for base in (os.environ.get("SKPAGER_DATA"), Path.home() / "skpager_data", "../shared/data"):
        if base and (Path(base) / folder).is_dir():
            return Path(base) / folder
    raise FileNotFoundError(
        f"{folder} not found in $SKPAGER_DATA, ~/skpager_data or ../shared/data; "
        "pass its folder as --dataset PATH instead."
    )


def _load_path(path, image_size=None):
    from sklearn.utils import Bunch

    from . import datasets

    if not path.exists():
        raise UserError(
            f"--dataset {path}: no such dataset name, file or folder "
            f"(names: {', '.join(_DATASETS)})."
        )
    if path.is_dir():
        if any(path.glob("train-images-idx3-ubyte*")):
            return datasets.load_mnist(path=path)
        if any(path.glob("data_batch_*")):
            return datasets.load_cifar10(path)
        if (path / "img_align_celeba").is_dir():
            return datasets.load_celeba(path, attributes=False)
        try:
            return datasets.load_image_folder(path, image_size=image_size)
        except FileNotFoundError:
            raise UserError(
                f"--dataset {path}: found no image files (PNG, JPEG, ...), class folders of "
                "them, IDX files, CIFAR-10 batches or CelebA."
            ) from None
    if path.suffix in (".npy", ".npz"):
        try:
            data = np.load(path)  # allow_pickle=False: object arrays are refused
        except (ValueError, OSError, EOFError) as exc:
            raise UserError(f"--dataset {path}: not a readable numpy file ({exc}).") from None
        if path.suffix == ".npz":
            keys = list(data.keys())
            image_key = next((k for k in ("images", "X") if k in keys), None)
            if image_key is None:
                raise UserError(
                    f"--dataset {path}: a .npz needs the images under 'images' (or 'X'), "
                    f"and optionally labels under 'labels' (or 'y'); it holds {keys}."
                )
            label_key = next((k for k in ("labels", "y") if k in keys), None)
            images = data[image_key]
            labels = None if label_key is None else data[label_key]
        else:
            images, labels = data, None
        if images.ndim not in (3, 4) or images.dtype.kind not in "biuf":
            raise UserError(
                f"--dataset {path}: images must be a numeric array (n, H, W) or (n, H, W, C); "
                f"got {images.dtype} {images.shape}."
            )
        if labels is not None and labels.shape != (len(images),):
            raise UserError(
                f"--dataset {path}: labels must hold one value per image ({len(images)}); "
                f"got shape {labels.shape}."
            )
        if images.ndim == 3:
            images = images[..., None]
        # floats must be in [0, 1], integers are pixel values: the estimators'
        # one rule (skpager.image conventions) applies when PAGER fits them
        return Bunch(images=images, target=labels, target_names=None)
    raise UserError(f"--dataset {path}: expected a folder, a .npy or a .npz file.")


def _fit(args, verbose=1, output=None):
    from ._pager import PAGER

    t0 = time.perf_counter()
    images, labels, names = _load_dataset(
        args.dataset, args.n_train, args.seed, getattr(args, "image_size", None)
    )
    print(
        f"loaded {len(images)} images {images.shape[1:]} from {args.dataset} "
        f"({'with' if labels is not None else 'without'} labels) "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    given = {
        "resolution": args.resolution,
        "n_components": args.n_components,
        "pca_variance": args.pca_variance,
    }
    given = {k: v for k, v in given.items() if v is not None}
    candidates = getattr(args, "core_candidates", None)
    if getattr(args, "recipe", False):
        from ._recipes import make_refined_pager

        options = {} if candidates is None else {"n_candidates": candidates}
        model = make_refined_pager(
            n_jobs=args.n_jobs, random_state=args.seed, verbose=verbose, **options
        )
        # matcher -> refiner -> PAGER -> resampler -> core
        model.generator.generator.core.generator.set_params(**given)
    else:
        core = PAGER.default_stages(1 if images.ndim == 3 else images.shape[3])["core"]
        core.set_params(**given)
        if candidates is not None:
            from ._resampler import DensityRatioResampler

            core = DensityRatioResampler(core, n_candidates=candidates)
        model = PAGER(core=core, random_state=args.seed, n_jobs=args.n_jobs, verbose=verbose)
    t1 = time.perf_counter()
    model.fit(images, labels)
    pager = _pager_of(model)
    kind = "make_refined_pager() over PAGER" if model is not pager else "PAGER"
    print(
        f"fitted {kind} {pager.resolutions_[0]} -> {model.image_shape_[0]} "
        f"({model.n_parameters_:,} parameters) in {time.perf_counter() - t1:.1f}s"
    )
    bundle = {
        "skpager_version": __version__,
        "model": model,
        "label_names": names,
        "dataset": str(args.dataset),
    }
    if output is not None:
        save_model(bundle, output)
        print(f"model written to {Path(output).resolve()}")
    return bundle


def _read_model(path):
    path = check_model_path(path)
    if not path.is_file():
        raise UserError(f"model file {path} does not exist; create it with `skpager fit`.")
    bundle = load_model(path)
    if not isinstance(bundle, dict) or not isinstance(bundle.get("model"), _model_types()):
        raise UserError(
            f"{path} is not an skpager model file of this version; write one with `skpager fit`."
        )
    return bundle


def _model_types():
    """The models a model file may hold: PAGER, or the refining recipe."""
    from ._matcher import HistogramMatcher
    from ._pager import PAGER

    return (PAGER, HistogramMatcher)


def _pager_of(model):
    """The fitted PAGER of a model: itself, or the one at the bottom of the
    refining recipe (matcher -> refiner -> PAGER)."""
    while not hasattr(model, "core_"):
        model = model.generator_
    return model


def _classes_of(model):
    """What holds a model's ``classes_`` and ``class_prior_``: PAGER's core,
    or the recipe's outer estimator."""
    return model.core_ if hasattr(model, "core_") else model


def _label_index(bundle, label):
    source, names = _classes_of(bundle["model"]), bundle["label_names"]
    if source.classes_ is None:
        raise UserError("this model was fitted without labels; drop --label.")
    if names is not None and label in names:
        return source.classes_[names.index(label)]
    try:
        value = int(label)
    except ValueError:
        value = None
    if value is None or value not in source.classes_:
        choices = names if names is not None else source.classes_.tolist()
        raise UserError(f"unknown --label {label!r}; choose one of {choices}.")
    return value


def _label_text(bundle, y):
    """The name of every class value in ``y`` (its number when the model
    file holds no names)."""
    classes, names = list(_classes_of(bundle["model"]).classes_), bundle["label_names"]
    return [names[classes.index(v)] if names else str(v) for v in y]


def _grid_labels(bundle, y, per_row):
    if y is None:
        return None
    return _label_text(bundle, y)[::per_row]


def _sample_labels(bundle, n, label, seed, *, sort):
    """The class of every image (None for a model fitted without labels):
    ``--label`` for all, else drawn with the training frequencies."""
    source = _classes_of(bundle["model"])
    if label is not None:
        return np.full(n, _label_index(bundle, label))
    if source.classes_ is None:
        return None
    y = np.random.RandomState(seed).choice(source.classes_, size=n, p=source.class_prior_)
    return np.sort(y) if sort else y


class _Progress:
    """Images done and images per second on stderr (updated in place on a
    terminal, every tenth of the run otherwise)."""

    def __init__(self, n):
        self.n, self.done, self.t0 = n, 0, time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.next_report = n / 10

    def update(self, count):
        self.done += count
        rate = self.done / max(time.perf_counter() - self.t0, 1e-9)
        if self.tty:
            end = "\n" if self.done == self.n else ""
            print(f"\r{self.done}/{self.n} images, {rate:.0f} images/s", end=end, file=sys.stderr)
        elif self.done >= self.next_report or self.done == self.n:
            print(f"{self.done}/{self.n} images, {rate:.0f} images/s", file=sys.stderr)
            self.next_report += self.n / 10

    @property
    def seconds(self):
        return time.perf_counter() - self.t0


def _to_uint8(images):
    return np.rint(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8)


def _file_shape(model):
    """``(H, W)`` for grey models, ``(H, W, C)`` for colour ones."""
    h, w, c = model.image_shape_
    return (h, w) if c == 1 else (h, w, c)


def _stream(bundle, n, y, seed, batch_size, write):
    """Sample ``n`` images in batches, hand each (as uint8, ``(m, H, W)`` or
    ``(m, H, W, C)``) to ``write(start, images)``; returns the seconds taken."""
    model = bundle["model"]
    shape = _file_shape(model)
    progress = _Progress(n)
    start = 0
    for batch in model.iter_samples(n, batch_size=batch_size, y=y, random_state=seed):
        write(start, _to_uint8(batch).reshape((len(batch),) + shape))
        start += len(batch)
        progress.update(len(batch))
    return progress.seconds


def _sample_grid(bundle, n, label, seed, output, batch_size):
    from ._grid import image_grid, save_png

    model = bundle["model"]
    y = _sample_labels(bundle, n, label, seed, sort=True)
    images = np.empty((n,) + _file_shape(model), dtype=np.uint8)

    def write(start, batch):
        images[start : start + len(batch)] = batch

    seconds = _stream(bundle, n, y, seed, batch_size, write)
    per_row = int(np.ceil(np.sqrt(n)))
    grid = image_grid(images, per_row, row_labels=_grid_labels(bundle, y, per_row))
    path = save_png(output, grid)
    print(
        f"sampled {n} images {model.image_shape_} in {seconds:.2f}s "
        f"({n / seconds:.0f} images/s); grid written to {path.resolve()}"
    )
    return path


def _sample_npy(bundle, n, label, seed, output, batch_size):
    """Images as one uint8 ``.npy`` file written batch by batch (and the
    labels beside it), so that memory does not grow with ``n``: the header
    first, then each batch appended (plain writes, not a memory map, whose
    written pages would count in the process's memory)."""
    from numpy.lib import format as npy

    model = bundle["model"]
    y = _sample_labels(bundle, n, label, seed, sort=False)
    header = {"descr": npy.dtype_to_descr(np.dtype(np.uint8)), "fortran_order": False}
    header["shape"] = (n,) + _file_shape(model)
    with open(output, "wb") as file:
        npy.write_array_header_1_0(file, header)

        def write(start, batch):
            file.write(np.ascontiguousarray(batch).tobytes())

        seconds = _stream(bundle, n, y, seed, batch_size, write)
    extra = ""
    if y is not None:
        labels_path = output.with_name(output.stem + "_labels.npy")
        np.save(labels_path, y)
        extra = f", labels in {labels_path.resolve()}"
    print(
        f"sampled {n} images {model.image_shape_} in {seconds:.2f}s "
        f"({n / seconds:.0f} images/s); uint8 array written to {output.resolve()}{extra}"
    )


def _sample_folder(bundle, n, label, seed, output, batch_size):
    """One PNG file per image (and ``labels.csv``), written batch by batch."""
    import csv

    import cv2

    model = bundle["model"]
    y = _sample_labels(bundle, n, label, seed, sort=False)
    output.mkdir(exist_ok=True)
    width = len(str(n - 1))
    names = None if y is None else _label_text(bundle, y)
    table_file = open(output / "labels.csv", "w", newline="") if y is not None else nullcontext()
    with table_file as table:
        writer = csv.writer(table) if y is not None else None
        if writer is not None:
            writer.writerow(["file", "label"])

        def write(start, batch):
            for k, image in enumerate(batch):  # one file per image: a loop over files
                name = f"{start + k:0{width}d}.png"
                pixels = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
                if not cv2.imwrite(str(output / name), pixels):
                    raise OSError(f"could not write {output / name}")
                if writer is not None:
                    writer.writerow([name, names[start + k]])

        seconds = _stream(bundle, n, y, seed, batch_size, write)
    print(
        f"sampled {n} images {model.image_shape_} in {seconds:.2f}s "
        f"({n / seconds:.0f} images/s); PNG files written to {output.resolve()}"
    )


def _cmd_demo(args):
    from ._grid import check_png_path, image_grid, save_png

    check_png_path(args.output)  # before the fit, not after
    args.dataset, args.n_train, args.resolution = "demo", None, None
    args.n_components, args.pca_variance, args.n_jobs = None, None, 2  # the defaults
    args.recipe, args.core_candidates = True, None
    print(
        "skpager demo: class-conditional make_refined_pager() (PAGER, 16x16 core -> 28x28, "
        "refined and matched) on the bundled 5,000-image Fashion-MNIST subset"
    )
    bundle = _fit(args, verbose=0)
    model = bundle["model"]
    y = np.repeat(_classes_of(model).classes_, args.per_class)
    images = model.sample(len(y), y=y, random_state=args.seed)
    images = images.reshape((len(y),) + model.image_shape_)
    grid = image_grid(images, args.per_class, row_labels=bundle["label_names"])
    path = save_png(args.output, grid)
    print(
        f"wrote {len(y)} samples ({args.per_class} per class, one class per row) to "
        f"{path.resolve()}"
    )


def _cmd_fit(args):
    output = check_model_path(args.output)  # before a long fit, not after
    if not output.parent.is_dir():
        raise UserError(f"--output {output}: folder {output.parent} does not exist.")
    _fit(args, output=output)


def _cmd_sample(args):
    from ._grid import check_png_path

    output = Path(args.output)
    if output.suffix.lower() == ".png":
        kind = _sample_grid
        check_png_path(output)  # before loading and sampling, not after
    elif output.suffix.lower() == ".npy":
        kind = _sample_npy
    elif output.is_dir() or (output.suffix == "" and not output.exists()):
        kind = _sample_folder
    elif output.exists():
        raise UserError(f"--output {output} is a file; give a folder, a .npy or a .png name.")
    else:
        raise UserError(
            f"--output {output}: images are written as PNG; the name must end in .png (one "
            "grid) or .npy (an array), or be a folder name without a suffix."
        )
    if output.suffix.lower() != ".png" and not output.parent.is_dir():
        raise UserError(f"--output {output}: folder {output.parent} does not exist.")
    if args.n < 1:
        raise UserError(f"-n must be a positive number of images; got {args.n}.")
    bundle = _read_model(args.model)
    kind(bundle, args.n, args.label, args.seed, output, args.batch_size)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def build_parser():
    """The argument parser of the ``skpager`` command."""
    parser = argparse.ArgumentParser(
        prog="skpager", description="PAGER image generation with scikit-learn estimators."
    )
    parser.add_argument("--version", action="version", version=f"skpager {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="fit on the bundled data and write a sample grid")
    demo.add_argument("--output", default="samples.png", help="PNG file (default samples.png)")
    demo.add_argument("--per-class", type=_positive_int, default=8, help="samples per class")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_cmd_demo)

    fit = sub.add_parser("fit", help="fit a model and save it (a .skops file)")
    fit.add_argument(
        "--dataset",
        required=True,
        help=f"one of {', '.join(_DATASETS)}, or a folder (image files, or one sub-folder "
        "of image files per class) / .npy / .npz file",
    )
    fit.add_argument(
        "--image-size",
        type=_positive_int,
        default=None,
        help="for a folder of image files: centre-crop and resample every image to this side",
    )
    fit.add_argument("--output", required=True, help="model file, e.g. model.skops")
    fit.add_argument("--n-train", type=_positive_int, default=None)
    fit.add_argument(
        "--resolution",
        type=_positive_int,
        default=None,
        help="core side (default 16 for grey, 4 for colour)",
    )
    fit.add_argument(
        "--n-components",
        type=_positive_int,
        default=None,
        help="mixture components per class (default: PAGER's core default)",
    )
    fit.add_argument(
        "--pca-variance",
        type=float,
        default=None,
        help="share of variance kept before the mixture (default: PAGER's core default)",
    )
    fit.add_argument(
        "--core-candidates",
        type=_positive_int,
        default=None,
        metavar="K",
        help="resample the core: K candidate cores per sample, one kept by a classifier's "
        "density-ratio estimate (DensityRatioResampler; the model then has no likelihood; "
        "default: no resampling)",
    )
    fit.add_argument(
        "--recipe",
        action="store_true",
        help="fit make_refined_pager() (PAGER with a resampled local-PCA core, refined and "
        "matched; chosen on grey images; no likelihood, super-resolution or inpainting) "
        "instead of PAGER; --resolution, --n-components and --pca-variance set its core, "
        "--core-candidates its number of candidates (default 12)",
    )
    fit.add_argument("--n-jobs", type=int, default=None)
    fit.add_argument("--seed", type=int, default=0)
    fit.set_defaults(func=_cmd_fit)

    sample = sub.add_parser(
        "sample",
        help="sample images from a saved model into a PNG grid, a .npy file or a folder",
    )
    sample.add_argument("model", help="file written by `skpager fit`")
    sample.add_argument("-n", type=int, default=64, help="number of images")
    sample.add_argument(
        "--output",
        default="grid.png",
        help="NAME.png: one grid; NAME.npy: a uint8 array of shape (n, H, W) (grey) or "
        "(n, H, W, C) (colour) written "
        "as the batches come (labels in NAME_labels.npy); any other name: a folder of "
        "PNG files (labels in labels.csv)",
    )
    sample.add_argument(
        "--batch-size",
        type=_positive_int,
        default=4096,
        help="images per batch: memory is set by it, the images are the same for any value",
    )
    sample.add_argument("--label", default=None, help="class name or number")
    sample.add_argument("--seed", type=int, default=0)
    sample.set_defaults(func=_cmd_sample)
    return parser


def main(argv=None):
    """Entry point of the ``skpager`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (UserError, FileNotFoundError, ValueError, OSError) as exc:
        print(f"skpager {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("skpager: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
