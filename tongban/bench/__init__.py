"""Benchmarks (``make bench``): measured figures, written to docs/benchmarks.md.

Never timed assertions in tests; every figure is measured here, each beside a
baseline measured in the same run on the same machine.
"""
