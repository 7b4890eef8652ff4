"""Timing, memory and table helpers shared by the benchmark scripts."""

import os
import platform
import time
import tracemalloc
from contextlib import contextmanager

import numpy as np


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
