import importlib
import pkgutil
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

import tongban.bench
from tongban.bench.registry import BENCHMARKS


class Command(BaseCommand):
    help = "Run the benchmarks and write docs/benchmarks.md (PostgreSQL ones need DATABASE_URL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
        parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
        parser.add_argument("--list", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        for module in pkgutil.iter_modules(tongban.bench.__path__):
            if module.name.startswith("bench_"):
                importlib.import_module(f"tongban.bench.{module.name}")
        if options["list"]:
            for name, bench in sorted(BENCHMARKS.items()):
                self.stdout.write(f"{name}{' (PostgreSQL)' if bench.needs_postgres else ''}")
            return
        names = options["names"] or sorted(BENCHMARKS)
        unknown = [n for n in names if n not in BENCHMARKS]
        if unknown:
            raise CommandError(f"Unknown benchmarks: {', '.join(unknown)}; see --list.")
        for name in names:
            bench = BENCHMARKS[name]
            if bench.needs_postgres and connection.vendor != "postgresql":
                self.stdout.write(f"{name}: skipped, it needs PostgreSQL (set DATABASE_URL)")
                continue
            self.stdout.write(f"{name}: running…")
            bench.run(options["quick"])
            self.stdout.write(f"{name}: done, written to docs/benchmarks.md")
