"""Timing, memory, table and copy-check helpers shared by the benchmark scripts."""

import hashlib
import os
import platform
import threading
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.neighbors import NearestNeighbors


@contextmanager
def measure(record):
    """Time a block and record its peak traced memory (numpy allocations included).

    Fills ``record["seconds"]`` and ``record["peak_mib"]``.
    """
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield record
    finally:
        record["seconds"] = time.perf_counter() - start
        record["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


def machine():
    """One line describing this machine."""
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(
            f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        )
    except ImportError:  # pragma: no cover
        blas = "unknown BLAS"
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, {blas}"
    )


def n_channels(images):
    """Channels of ``(n, h, w[, C])`` images (1 without a channel axis)."""
    return images.shape[3] if images.ndim == 4 else 1


class CopyCheck:
    """How close images sit to the training images, against test images.

    Distances are to the nearest training image, in pixels.  ``ratio(images)``
    is the median distance of ``images`` divided by that of the test images
    (~1 for images that copy nothing); ``near(images)`` the fraction of
    ``images`` closer than 95% of the test images (~0.05).
    """

    def __init__(self, train_images, test_images):
        self.index = NearestNeighbors(n_neighbors=1).fit(_flat(train_images))
        test = self.distances(test_images)
        self.test_median, self.threshold = np.median(test), np.percentile(test, 5)

    def distances(self, images):
        """Distance of every image to its nearest training image."""
        return self.index.kneighbors(_flat(images))[0][:, 0]

    def ratio(self, images):
        """Median distance of ``images`` over the test images'."""
        return np.median(self.distances(images)) / self.test_median

    def near(self, images):
        """Fraction of ``images`` closer than 95% of the test images."""
        return float(np.mean(self.distances(images) < self.threshold))


def psnr(images, truth):
    """PSNR in dB of ``images`` (clipped to [0, 1]) against ``truth``."""
    return float(10 * np.log10(1 / np.mean((np.clip(images, 0, 1) - truth) ** 2)))


def _flat(images):
    return np.asarray(images).reshape(len(images), -1)


def pager_kwargs(config):
    """PAGER's keyword arguments from a command-line ``--config`` text such
    as ``"core=LocalPCACoreGenerator(), booster='drop'"`` (skpager's public
    names in scope; empty: none).  The text is evaluated: a trusted
    command-line expression, never a file's content."""
    import skpager

    namespace = {name: getattr(skpager, name) for name in skpager.__all__}
    return eval(f"dict({config})", namespace)


def markdown_table(rows, columns):
    """Format a list of dicts as a markdown table with the given columns."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = []
        for col in columns:
            value = row.get(col, "")
            cells.append(f"{value:.3g}" if isinstance(value, float) else str(value))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _tree_rss_bytes(root=None):
    """Resident memory of a process and all its descendants (Linux /proc)."""
    root = os.getpid() if root is None else root
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo, page = 0, [root], os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return total


@contextmanager
def measure_rss(record, interval=0.2):
    """Time a block and sample the peak RSS of this process tree (joblib workers included).

    Fills ``record["seconds"]`` and ``record["peak_rss_mib"]``.
    """
    peak = [_tree_rss_bytes()]
    stop = threading.Event()

    def sampler():
        while not stop.wait(interval):
            peak[0] = max(peak[0], _tree_rss_bytes())

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    start = time.perf_counter()
    try:
        yield record
    finally:
        record["seconds"] = time.perf_counter() - start
        stop.set()
        thread.join()
        record["peak_rss_mib"] = max(peak[0], _tree_rss_bytes()) / 2**20


CACHE = Path.home() / ".cache" / "skpager-bench"


def image_digests(images):
    """One 64-bit digest per image (a random linear hash of its bytes, mod 2**64)."""
    rows = np.ascontiguousarray(images).reshape(len(images), -1).view(np.uint8)
    weights = np.random.RandomState(0).randint(1, 2**62, size=rows.shape[1], dtype=np.int64)
    with np.errstate(over="ignore"):
        return (rows.astype(np.uint64) * (2 * weights.astype(np.uint64) + 1)).sum(axis=1)


def cached_inception_features(images, tag):
    """Inception features of a fixed reference set, cached on disk by content.

    The file name holds ``tag`` and a digest of the images, so a different
    reference set never reads another's features.  Beside each file, the
    digests of its images (:func:`image_digests`): a set whose every image
    is in one cached set of the same ``tag`` (a subset of the test images,
    in any order) reads its rows from there, since an image's features do
    not depend on the other images of its batch.
    """
    from skpager.metrics import inception_features

    CACHE.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(np.ascontiguousarray(images).tobytes()).hexdigest()[:16]
    path = CACHE / f"{tag}_{digest}.npy"
    digests = image_digests(images)
    index = path.with_suffix(".digests.npy")
    if path.exists():
        if not index.exists():  # a file cached before the digests were kept
            np.save(index, digests)
        return np.load(path)
    for other in sorted(CACHE.glob(f"{tag}_*.digests.npy")):
        known = np.load(other)
        order = np.argsort(known)
        where = np.searchsorted(known, digests, sorter=order).clip(0, len(known) - 1)
        rows = order[where]
        if np.array_equal(known[rows], digests):
            return np.load(str(other).replace(".digests.npy", ".npy"))[rows]
    features = inception_features(images)
    np.save(path, features)
    np.save(index, digests)
    return features
