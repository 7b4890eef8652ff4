"""Benchmark scripts: speed and memory, always beside a baseline in the same run."""
