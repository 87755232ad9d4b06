"""Benchmarks: `make bench` runs them (see bench/run.py)."""
