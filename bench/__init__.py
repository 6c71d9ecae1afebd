"""Benchmarks at S/M/L sizes from the project's own generator; see ``python -m bench --help``."""
