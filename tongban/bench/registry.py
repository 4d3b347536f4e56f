"""The benchmarks ``tongban bench`` knows, by name. Each module registers its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable[[bool], None]  # argument: quick (smaller sizes, for a smoke run)
    needs_postgres: bool


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, needs_postgres: bool = False
) -> Callable[[Callable[[bool], None]], Callable[[bool], None]]:
    def register(run: Callable[[bool], None]) -> Callable[[bool], None]:
        BENCHMARKS[name] = Benchmark(name, run, needs_postgres)
        return run

    return register
