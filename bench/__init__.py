"""Benchmarks: `make bench` (python -m bench) runs every module here and prints figures.
Timings live here, never in tests."""
