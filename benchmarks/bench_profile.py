"""Where PAGER's fit and sample spend their time: per stage and per function.

Fits PAGER's defaults on Fashion-MNIST (``--n-train`` images, class-conditional,
``n_jobs=None``) under cProfile, then samples ``--n`` images under cProfile,
with the machine otherwise idle.  Prints:

- the fit's stages (from PAGER's own ``verbose`` log): core, enhancer, booster;
- the functions with the most cumulative time in the fit and in sampling
  (skpager's and scikit-learn's, and numpy/BLAS calls that stand out), as a
  share of the whole.

Run::

    python -m benchmarks.bench_profile
"""

import argparse
import contextlib
import cProfile
import io
import pstats
import re
import time

from benchmarks._harness import machine, markdown_table
from skpager import PAGER
from skpager.datasets import load_fashion_mnist


def _stages(log, total):
    """Rows (stage, seconds) from PAGER's verbose log lines ``[PAGER] t s message``."""
    marks = [
        (float(m.group(1)), m.group(2)) for m in re.finditer(r"\[PAGER\]\s+([\d.]+)s (.*)", log)
    ]
    rows = []
    for (start, name), (stop, _) in zip(marks[:-1], marks[1:], strict=True):
        rows.append({"stage": name, "seconds": stop - start, "share": (stop - start) / total})
    return rows  # the last mark is PAGER's "done"


def _top(profile, total, n):
    stats = pstats.Stats(profile)
    rows = []
    for (path, line, name), (_, _, _, cumulative, _) in stats.stats.items():
        if "skpager" not in path and "sklearn" not in path and "~" != path:
            continue
        where = path.split("site-packages/")[-1].split("/work/")[-1]
        rows.append({"function": f"`{name}` ({where}:{line})", "cumulative s": cumulative})
    rows.sort(key=lambda r: -r["cumulative s"])
    for row in rows:
        row["share"] = row["cumulative s"] / total
    return rows[:n]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--n", type=int, default=10000, help="samples")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    train = load_fashion_mnist()
    X, y = train.images[: args.n_train], train.target[: args.n_train]
    pager = PAGER(random_state=0, verbose=1)
    log = io.StringIO()
    fit_profile = cProfile.Profile()
    start = time.perf_counter()
    with contextlib.redirect_stdout(log):
        fit_profile.runcall(pager.fit, X, y)
    fit_s = time.perf_counter() - start
    sample_profile = cProfile.Profile()
    start = time.perf_counter()
    sample_profile.runcall(pager.sample, args.n, random_state=0)
    sample_s = time.perf_counter() - start
    print(f"\n### Fit, {args.n_train:,} images: {fit_s:.1f} s (under cProfile)\n")
    print(markdown_table(_stages(log.getvalue(), fit_s), ["stage", "seconds", "share"]))
    print()
    print(
        markdown_table(_top(fit_profile, fit_s, args.top), ["function", "cumulative s", "share"])
    )
    print(f"\n### Sampling {args.n:,} images: {sample_s:.1f} s (under cProfile)\n")
    rows = _top(sample_profile, sample_s, args.top)
    print(markdown_table(rows, ["function", "cumulative s", "share"]))


if __name__ == "__main__":
    main()
