"""Benchmarks against the original CDK design; run with `make bench`."""
