from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.errors import DomainError
from tongban.core.imports import import_file, import_kinds


class Command(BaseCommand):
    help = "Load a CSV file of KIND (tongban import KIND FILE.csv); prints a summary and every rejected row."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", help=f"one of: {', '.join(import_kinds())}")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            summary = import_file(
                kind=options["kind"],
                path=path,
                actor=Actor.operator(f"tongban import {options['kind']}"),
                as_of=clock.today(),
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        for line in summary.lines():
            self.stdout.write(line)
