"""``python -m benchmarks``: the FID benchmark suite (see benchmarks/run.py)."""

from benchmarks.run import main

main()
