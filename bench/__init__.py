"""Benchmarks: `python bench/run.py` prints every performance figure in one table."""
