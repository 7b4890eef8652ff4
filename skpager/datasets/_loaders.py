"""Loaders for the image datasets PAGER is evaluated on.  Nothing downloads."""

import os
from importlib import resources
from pathlib import Path

import cv2
import numpy as np
from sklearn.utils import Bunch

from .._image import resize
from .._utils import check_positive_int
from ._idx import read_idx
from ._safe_pickle import load_restricted

__all__ = [
    "load_demo",
    "load_fashion_mnist",
    "load_mnist",
    "load_cifar10",
    "load_celeba",
    "load_image_folder",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")

FASHION_MNIST_CLASSES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
_DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
_IDX_PREFIX = {"train": "train", "test": "t10k"}


def _check_kind(kind):
    if kind not in ("train", "test"):
        raise ValueError(f"kind must be 'train' or 'test'; got {kind!r}.")


def _find_file(directory, stem):
    for name in (stem + ".gz", stem):
        if (directory / name).is_file():
            return directory / name
    return None


def _search_dirs(name, path):
    if path is not None:
        return [Path(path).expanduser()]
    dirs = []
    if os.environ.get("SKPAGER_DATA"):
        dirs.append(Path(os.environ["SKPAGER_DATA"]).expanduser() / name)
    dirs.append(Path.home() / "skpager_data" / name)
    if name == "fashion-mnist":
        dirs.append(_DEBIAN_FASHION_MNIST)
    return dirs


def _load_idx_pair(name, path, kind, how_to_get, prefix=None):
    _check_kind(kind)
    prefix = prefix or _IDX_PREFIX[kind]
    images_stem, labels_stem = f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"
    dirs = _search_dirs(name, path)
    for directory in dirs:
        images, labels = _find_file(directory, images_stem), _find_file(directory, labels_stem)
        if images is not None and labels is not None:
            return _check_idx_pair(read_idx(images), read_idx(labels), images, labels) + (
                directory,
            )
    looked = ", ".join(str(d) for d in dirs)
    raise FileNotFoundError(
        f"{name} ({kind}) not found: looked for {images_stem}[.gz] and {labels_stem}[.gz] in "
        f"{looked}. {how_to_get} skpager never downloads data."
    )


def _check_idx_pair(images, labels, images_file, labels_file):
    """MNIST-style IDX pair: uint8 images (n, h, w), labels 0-9 (n,)."""
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{images_file} must hold uint8 images of shape (n, height, width); got a "
            f"{images.dtype} array of shape {images.shape}."
        )
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or (labels.size and labels.max() > 9):
        raise ValueError(f"{labels_file} must hold one integer label 0-9 per image.")
    if len(labels) != len(images):
        raise ValueError(
            f"{images_file} holds {len(images)} images but {labels_file} holds "
            f"{len(labels)} labels."
        )
    return images, labels


def _bunch(images, target, target_names, description, **extra):
    if images.ndim == 3:
        images = images[..., None]
    images = images.astype(np.float64) / 255.0 if images.dtype == np.uint8 else images
    return Bunch(
        images=images,
        data=images.reshape(len(images), -1),
        target=target,
        target_names=list(target_names) if target_names is not None else None,
        DESCR=description,
        **extra,
    )


def load_fashion_mnist(path=None, kind="train"):
    """Load Fashion-MNIST from its standard IDX files (gzip or raw).

    Searched in order: ``path``, ``$SKPAGER_DATA/fashion-mnist``,
    ``~/skpager_data/fashion-mnist``, ``/usr/share/datasets/fashion-mnist``
    (Debian package ``dataset-fashion-mnist``).

    Parameters
    ----------
    path : str or Path, default=None
        Folder holding ``train-images-idx3-ubyte[.gz]`` etc.
    kind : {"train", "test"}, default="train"
        60,000 training or 10,000 test images.

    Returns
    -------
    data : Bunch
        ``images`` (n, 28, 28, 1) floats in [0, 1], ``data`` (n, 784),
        ``target`` (n,) int labels, ``target_names``, ``DESCR``.

    Raises
    ------
    FileNotFoundError
        With where the files were looked for and how to get them.
    """
    images, labels, directory = _load_idx_pair(
        "fashion-mnist",
        path,
        kind,
        "Install them with `apt-get install dataset-fashion-mnist` (Debian) or put the four "
        "IDX files from github.com/zalandoresearch/fashion-mnist in one of those folders.",
    )
    return _bunch(
        images,
        labels.astype(np.int64),
        FASHION_MNIST_CLASSES,
        f"Fashion-MNIST ({kind}), Zalando SE, MIT licence; read from {directory}.",
    )


def load_mnist(path=None, kind="train"):
    """Load MNIST from its standard IDX files (gzip or raw).

    Searched in order: ``path``, ``$SKPAGER_DATA/mnist``, ``~/skpager_data/mnist``.

    Parameters
    ----------
    path : str or Path, default=None
        Folder holding ``train-images-idx3-ubyte[.gz]`` etc.
    kind : {"train", "test"}, default="train"
        60,000 training or 10,000 test images.

    Returns
    -------
    data : Bunch
        ``images`` (n, 28, 28, 1) floats in [0, 1], ``data`` (n, 784),
        ``target`` (n,) int labels, ``target_names`` ("0" .. "9"), ``DESCR``.

    Raises
    ------
    FileNotFoundError
        With where the files were looked for and how to get them.
    """
    images, labels, directory = _load_idx_pair(
        "mnist",
        path,
        kind,
        "Put the four MNIST IDX files (train-images-idx3-ubyte.gz, ...) in one of those folders.",
    )
    return _bunch(
        images,
        labels.astype(np.int64),
        [str(d) for d in range(10)],
        f"MNIST ({kind}); read from {directory}.",
    )


def load_demo(kind="train"):
    """Load the small Fashion-MNIST subset that ships with skpager.

    500 training and 100 test images per class, the first of each class in
    the official files.  Fashion-MNIST is (c) 2017 Zalando SE, MIT licence
    (see ``skpager/datasets/data/README.md``).

    Parameters
    ----------
    kind : {"train", "test"}, default="train"
        5,000 training or 1,000 test images.

    Returns
    -------
    data : Bunch
        Same fields as :func:`load_fashion_mnist`.
    """
    _check_kind(kind)
    folder = resources.files("skpager.datasets") / "data"
    with resources.as_file(folder) as directory:
        images_file = Path(directory) / f"fashion-{kind}-images-idx3-ubyte.gz"
        labels_file = Path(directory) / f"fashion-{kind}-labels-idx1-ubyte.gz"
        images, labels = _check_idx_pair(
            read_idx(images_file), read_idx(labels_file), images_file, labels_file
        )
    return _bunch(
        images,
        labels.astype(np.int64),
        FASHION_MNIST_CLASSES,
        f"Fashion-MNIST subset ({kind}) bundled with skpager; Zalando SE, MIT licence.",
    )


def load_cifar10(path, kind="train"):
    """Load CIFAR-10 from the official "python version" batches.

    Parameters
    ----------
    path : str or Path
        The ``cifar-10-batches-py`` folder (``data_batch_*``, ``test_batch``,
        ``batches.meta``).
    kind : {"train", "test"}, default="train"
        All ``data_batch_*`` files present, or ``test_batch``.

    Returns
    -------
    data : Bunch
        ``images`` (n, 32, 32, 3) RGB floats in [0, 1], ``data`` (n, 3072)
        channel-last, ``target``, ``target_names``, ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When the folder or its batches are missing.
    """
    _check_kind(kind)
    directory = Path(path).expanduser()
    files = (
        sorted(directory.glob("data_batch_*")) if kind == "train" else [directory / "test_batch"]
    )
    files = [f for f in files if f.is_file()]
    if not files:
        raise FileNotFoundError(
            f"No CIFAR-10 {kind} batches in {directory}: expected the official python "
            "version (cifar-10-batches-py/ with data_batch_1.. and test_batch). "
            "skpager never downloads data."
        )
    data, labels = [], []
    for file in files:
        rows, batch_labels = _cifar_batch(load_restricted(file), file)
        data.append(rows)
        labels.extend(batch_labels)
    # rows are 1024 R, 1024 G, 1024 B (row-major planes) -> channel last
    images = np.concatenate(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    names = None
    meta = directory / "batches.meta"
    if meta.is_file():
        names = _cifar_names(load_restricted(meta), meta)
    return _bunch(
        np.ascontiguousarray(images),
        np.asarray(labels, dtype=np.int64),
        names,
        f"CIFAR-10 ({kind}), {len(labels)} images; read from {directory}.",
    )


def _cifar_batch(batch, file):
    """``(rows, labels)`` of a CIFAR-10 batch dict, checked."""
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise ValueError(f"{file} is not a CIFAR-10 batch: expected a dict with data and labels.")
    rows, labels = batch[b"data"], batch[b"labels"]
    if not isinstance(rows, np.ndarray) or rows.dtype != np.uint8 or rows.ndim != 2:
        raise ValueError(f"{file}: data must be a uint8 array of rows of 3072 values.")
    if rows.shape[1] != 3072:
        raise ValueError(f"{file}: data rows hold {rows.shape[1]} values, not 3072.")
    if not isinstance(labels, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10 for v in labels
    ):
        raise ValueError(f"{file}: labels must be a list of integers 0-9.")
    if len(labels) != len(rows):
        raise ValueError(f"{file} has {len(rows)} images but {len(labels)} labels.")
    return rows, labels


def _cifar_names(meta, file):
    names = meta.get(b"label_names") if isinstance(meta, dict) else None
    if not isinstance(names, list) or not all(isinstance(n, bytes | str) for n in names):
        raise ValueError(f"{file}: label_names must be a list of names.")
    return [n.decode("latin-1") if isinstance(n, bytes) else n for n in names]


def load_celeba(path, image_size=32, attributes=True):
    """Load aligned CelebA faces, centre-cropped and resized.

    Parameters
    ----------
    path : str or Path
        Folder with ``img_align_celeba/`` (JPEG files) and, for attributes,
        ``list_attr_celeba.txt`` in the official format.
    image_size : int, default=32
        Side of the square output images.  The 178x218 faces are centre-cropped
        to 178x178, then resampled with the package's Lanczos resampler.
    attributes : bool, default=True
        Whether to read the 40 binary attributes.

    Returns
    -------
    data : Bunch
        ``images`` (n, image_size, image_size, 3) RGB floats in [0, 1],
        ``data``, ``filenames``, and with ``attributes=True`` ``attributes``
        (n, 40) in {-1, +1} and ``attribute_names``.

    Raises
    ------
    FileNotFoundError
        When the image folder or the attribute file is missing.
    """
    check_positive_int(image_size, "image_size")
    directory = Path(path).expanduser()
    image_dir = directory / "img_align_celeba"
    files = sorted(image_dir.glob("*.jpg")) if image_dir.is_dir() else []
    if not files:
        raise FileNotFoundError(
            f"No CelebA images in {image_dir}: expected img_align_celeba/*.jpg and "
            "list_attr_celeba.txt from the official aligned CelebA release. "
            "skpager never downloads data."
        )
    crops = [_square_crop(_read_image(file, colour=True)) for file in files]
    images = _resample(crops, image_size)
    bunch = _bunch(images, None, None, f"CelebA sample, {len(files)} aligned faces from {path}.")
    bunch.filenames = [f.name for f in files]
    if attributes:
        bunch.attributes, bunch.attribute_names = _read_celeba_attributes(
            directory / "list_attr_celeba.txt", bunch.filenames
        )
    return bunch


def _read_image(file, colour):
    """One image file as uint8 ``(h, w, 3)`` RGB (``colour``) or ``(h, w, 1)``."""
    flag = cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE
    image = cv2.imread(str(file), flag)
    if image is None:
        raise ValueError(f"Cannot decode {file} as an image.")
    if colour:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return image[..., None]


def _square_crop(image):
    """The centred square of the largest side that fits."""
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def _resample(crops, image_size):
    """Square uint8 crops of any sizes -> floats ``(n, image_size, image_size, C)``
    in [0, 1]; each crop is resampled from its own size with the package's
    Lanczos resampler (crops already at ``image_size`` are kept exactly)."""
    channels = crops[0].shape[-1]
    images = np.empty((len(crops), image_size, image_size, channels))
    for side in {c.shape[0] for c in crops}:
        rows = [i for i, c in enumerate(crops) if c.shape[0] == side]
        stack = np.stack([crops[i] for i in rows]).astype(np.float64) / 255.0
        images[rows] = stack if side == image_size else np.clip(resize(stack, image_size), 0, 1)
    return images


def _image_files(directory):
    return sorted(
        f for f in directory.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES
    )


def load_image_folder(path, *, image_size=None, colour=None):
    """Load a folder of image files (PNG, JPEG, ...), with classes from sub-folders.

    Two layouts are read.  A folder of image files gives unlabelled images
    (``target`` is None).  A folder of sub-folders, one per class, each
    holding image files, gives class-labelled images: the classes are the
    sub-folder names in sorted order, ``target`` their index (the layout of
    torchvision's ``ImageFolder`` and Keras's ``image_dataset_from_directory``).
    Files are read with OpenCV, which decodes pixels only (a file cannot run
    code).

    Parameters
    ----------
    path : str or Path
        The folder.
    image_size : int, default=None
        Side of the square output images.  Every image is centre-cropped to
        a square and resampled from its own size with the package's Lanczos
        resampler.  None requires square images of one size and keeps them
        as they are.
    colour : bool, default=None
        True reads RGB, False grey.  None reads grey when every file is a
        grey image (one channel, or three equal channels) and RGB otherwise.

    Returns
    -------
    data : Bunch
        ``images`` (n, H, W, C) floats in [0, 1], ``data`` (the same, one
        row per image), ``target`` (n,) class indices or None,
        ``target_names`` (the class folder names) or None, ``filenames``
        (paths relative to ``path``) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When ``path`` is not a folder or holds no image file.
    ValueError
        When a file cannot be decoded, a folder mixes image files and class
        folders, or (with ``image_size=None``) images are not square or not
        of one size.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import cv2
    >>> import numpy as np
    >>> from skpager.datasets import load_image_folder
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("cats", "dogs"):
    ...     (folder / name).mkdir()
    ...     for i in range(3):
    ...         cv2.imwrite(str(folder / name / f"{i}.png"), np.full((8, 8), 40 * i, np.uint8))
    True
    True
    True
    True
    True
    True
    >>> data = load_image_folder(folder)
    >>> data.images.shape, data.target_names, data.target.tolist()
    ((6, 8, 8, 1), ['cats', 'dogs'], [0, 0, 0, 1, 1, 1])
    """
    if image_size is not None:
        check_positive_int(image_size, "image_size")
    if colour is not None and not isinstance(colour, bool | np.bool_):
        raise ValueError(f"colour must be True, False or None; got {colour!r}.")
    directory = Path(path).expanduser()
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is not a folder.")
    files = _image_files(directory)
    # each class folder is listed once: {folder: its image files}
    listed = {d: _image_files(d) for d in sorted(directory.iterdir()) if d.is_dir()}
    classes = [d for d, found in listed.items() if found]
    if files and classes:
        raise ValueError(
            f"{directory} holds both image files and class folders "
            f"({', '.join(d.name for d in classes[:3])}): use one layout."
        )
    if classes:
        per_class = [listed[d] for d in classes]
        files = [f for group in per_class for f in group]
        target = np.repeat(np.arange(len(classes)), [len(g) for g in per_class])
        names = [d.name for d in classes]
    else:
        target = names = None
    if not files:
        raise FileNotFoundError(
            f"No image files in {directory} (nor in class sub-folders); expected files "
            f"ending in {', '.join(IMAGE_SUFFIXES)}."
        )
    raw = [_read_image(f, colour=True) for f in files]
    if colour is None:
        colour = not all(
            np.array_equal(r[..., 0], r[..., 1]) and np.array_equal(r[..., 0], r[..., 2])
            for r in raw
        )
    if not colour:
        raw = [r[..., :1] for r in raw]
    if image_size is None:
        shapes = {r.shape[:2] for r in raw}
        if len(shapes) > 1 or any(h != w for h, w in shapes):
            raise ValueError(
                f"The images in {directory} are not square images of one size (sizes "
                f"{sorted(shapes)[:4]}): pass image_size to centre-crop and resample them."
            )
        image_size = raw[0].shape[0]
    images = _resample([_square_crop(r) for r in raw], image_size)
    description = f"{len(files)} images from {directory}" + (
        f" in {len(names)} classes." if names else "."
    )
    bunch = _bunch(images, target, names, description)
    bunch.filenames = [str(f.relative_to(directory)) for f in files]
    return bunch


def _read_celeba_attributes(file, filenames):
    if not file.is_file():
        raise FileNotFoundError(
            f"{file} not found: CelebA attributes come in list_attr_celeba.txt "
            "(pass attributes=False to load the images only)."
        )
    lines = file.read_text(errors="replace").splitlines()
    fmt = (
        "the CelebA format is a count line, a line of attribute names, then one line per "
        "image: its file name and one -1/1 value per attribute"
    )
    if len(lines) < 2 or not lines[1].split():
        raise ValueError(f"{file} is not in the CelebA format: {fmt}.")
    names = lines[1].split()
    rows = {}
    for number, line in enumerate(lines[2:], start=3):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != len(names) + 1 or any(v not in ("-1", "1") for v in parts[1:]):
            raise ValueError(
                f"{file}, line {number}: expected a file name and {len(names)} values of -1 "
                f"or 1; {fmt}."
            )
        rows[parts[0]] = parts[1:]
    missing = [f for f in filenames if f not in rows]
    if missing:
        raise ValueError(f"{file} has no attribute row for {missing[:3]} ({len(missing)} files).")
    attrs = np.array([[int(v) for v in rows[f]] for f in filenames], dtype=np.int64)
    return attrs.reshape(len(filenames), len(names)), names
