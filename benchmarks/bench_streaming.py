"""Streaming generation: peak memory and throughput of ``skpager sample`` to a .npy.

Fits PAGER's defaults on Fashion-MNIST (``--n-train`` images, class-conditional),
saves the model, then runs, each in its own process with the machine otherwise
idle, and samples the process's resident memory every 0.1 s:

- ``skpager sample MODEL -n N --output x.npy`` (``iter_samples`` in batches of
  ``--batch-size``, a uint8 array written as the batches come) for every
  ``--n``;
- the baseline in the same run: ``PAGER.sample(N)`` in one call, the whole
  float64 result held in memory, for the ``--n-memory`` sizes.

Run::

    python -m benchmarks.bench_streaming --n 10000 --n 200000 --n-memory 10000 --n-memory 20000

Prints a markdown table: images, how, seconds, images per second, peak RSS.
"""

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import skpager
from benchmarks._harness import _tree_rss_bytes, machine, markdown_table
from skpager import PAGER, save_model
from skpager.datasets import load_fashion_mnist

_IN_MEMORY = (
    "import sys; from skpager import load_model; "
    "m = load_model(sys.argv[1])['model']; m.sample(int(sys.argv[2]), random_state=0)"
)


def run_measured(command):
    """Run ``command``; return (seconds, peak RSS in MiB of its process tree)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sampler():
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss_bytes(process.pid))

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    thread.join()
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{err.decode()}")
    return seconds, peak[0] / 2**20, out.decode()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", default=[], help="streamed images")
    parser.add_argument(
        "--n-memory", type=int, action="append", default=[], help="images of one sample call"
    )
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--batch-size", type=int, default=4096)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    train = load_fashion_mnist()
    pager = PAGER(random_state=0).fit(train.images[: args.n_train], train.target[: args.n_train])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model.skops"
        bundle = {
            "skpager_version": skpager.__version__,
            "model": pager,
            "label_names": list(train.target_names),
            "dataset": "fashion-mnist",
        }
        save_model(bundle, model)
        for n in args.n_memory:
            seconds, rss, _ = run_measured([sys.executable, "-c", _IN_MEMORY, str(model), str(n)])
            rows.append(
                {
                    "images": f"{n:,}",
                    "how": "`PAGER.sample(n)`, one array in memory (baseline)",
                    "seconds": seconds,
                    "images/s": n / seconds,
                    "peak RSS MiB": rss,
                }
            )
            print(markdown_table(rows[-1:], list(rows[0])), flush=True)
        for n in args.n:
            output = Path(tmp) / "samples.npy"
            command = [sys.executable, "-m", "skpager", "sample", str(model), "-n", str(n)]
            command += ["--output", str(output), "--batch-size", str(args.batch_size)]
            seconds, rss, _ = run_measured(command)
            rows.append(
                {
                    "images": f"{n:,}",
                    "how": f"`skpager sample --output x.npy` (batches of {args.batch_size})",
                    "seconds": seconds,
                    "images/s": n / seconds,
                    "peak RSS MiB": rss,
                }
            )
            output.unlink()
            print(markdown_table(rows[-1:], list(rows[0])), flush=True)
    print("\n### Streaming generation (whole process: start-up, model loading, sampling)\n")
    print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
