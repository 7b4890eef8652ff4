"""Peak memory of PAGER's fit, stage by stage.

Fits PAGER's defaults on Fashion-MNIST or, with ``--dataset cifar10``, the
CIFAR-10 training images in ``../shared`` (``--n-train`` images at most,
class-conditional, ``n_jobs`` from ``--n-jobs``) in this process while a
thread reads the process's resident set size (``VmRSS`` of
``/proc/self/status``) every 20 ms.  The stages are those of PAGER's own
``verbose`` log (core, enhancer, booster, sampling enhancer); each row gives
the RSS when the stage starts and its peak, so that a stage's working memory
is the difference.  The first row starts before the data are loaded and
covers loading (the float64 training images the loader returns, held by the
caller throughout), PAGER's input checks and the padding (28 -> 32 for Fashion-MNIST); the last
row is the RSS once the model is fitted.  Worker processes (``n_jobs > 1``)
are not counted: run with the default ``n_jobs=None`` for the whole fit in
one process.  Linux only.

Run::

    python -m benchmarks.bench_memory
    python -m benchmarks.bench_memory --dataset cifar10
"""

import argparse
import contextlib
import io
import re
import threading
import time

from benchmarks._harness import machine, markdown_table
from benchmarks.bench_pager import SHARED
from skpager import PAGER
from skpager.datasets import load_cifar10, load_fashion_mnist


def rss_mib():
    """Resident set size of this process in MiB (Linux).  Cheaper than
    the harness's ``_tree_rss_bytes``, which scans every process for
    workers: this one is read every 20 ms beside the fit."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class StageLog(io.TextIOBase):
    """A stdout that follows PAGER's verbose log and records, for every
    stage, the RSS at its start and its peak (sampled by a thread); the
    first stage, ``first``, started when the RSS was ``start`` MiB."""

    def __init__(self, first, start):
        self.rows = [{"stage": first, "RSS at start MiB": start, "peak MiB": rss_mib()}]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self):
        while not self._stop.is_set():
            row = self.rows[-1]
            row["peak MiB"] = max(row["peak MiB"], rss_mib())
            time.sleep(0.02)

    def write(self, text):
        for match in re.finditer(r"\[PAGER\]\s+[\d.]+s (.*)", text):
            now = rss_mib()
            self.rows[-1]["peak MiB"] = max(self.rows[-1]["peak MiB"], now)
            self.rows.append({"stage": match.group(1), "RSS at start MiB": now, "peak MiB": now})
        return len(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["fashion-mnist", "cifar10"], default="fashion-mnist")
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)
    print(machine())
    start = rss_mib()
    if args.dataset == "cifar10":
        train = load_cifar10(SHARED / "cifar-10-batches-py")
    else:
        train = load_fashion_mnist()
    X, y = train.images[: args.n_train], train.target[: args.n_train]
    pager = PAGER(random_state=0, n_jobs=args.n_jobs, verbose=1)
    t0 = time.perf_counter()
    first = f"loading ({X.nbytes / 2**20:.0f} MiB of {X.dtype} images), input checks, padding"
    with StageLog(first, start) as log, contextlib.redirect_stdout(log):
        pager.fit(X, y)
    fit_s = time.perf_counter() - t0
    rows = [r for r in log.rows if r["stage"] != "done"]
    rows.append({"stage": "fitted model", "RSS at start MiB": rss_mib(), "peak MiB": ""})
    peak = max(r["peak MiB"] for r in rows if r["peak MiB"] != "")
    print(
        f"\nPAGER defaults, {len(X):,} {args.dataset} images, n_jobs={args.n_jobs}: "
        f"fit {fit_s:.1f} s, peak RSS {peak:.0f} MiB (this process)"
    )
    for r in rows:
        for key in ("RSS at start MiB", "peak MiB"):
            if r[key] != "":
                r[key] = round(r[key])
    print(markdown_table(rows, ["stage", "RSS at start MiB", "peak MiB"]))


if __name__ == "__main__":
    main()
