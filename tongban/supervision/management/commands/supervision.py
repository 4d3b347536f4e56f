from typing import Any

from django.core.management.base import BaseCommand

from tongban.core.actors import Actor
from tongban.supervision.services import summaries_rebuild


class Command(BaseCommand):
    help = (
        "Supervision summaries: `tongban supervision rebuild` recomputes them from the base tables."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="recompute the live summaries from the base tables")

    def handle(self, *args: Any, **options: Any) -> None:
        result = summaries_rebuild(actor=Actor.operator("tongban supervision rebuild"))
        rows = ", ".join(f"{name} {n:,} rows" for name, n in result.rows.items())
        self.stdout.write(
            f"rebuilt: {rows}; first payment dates of {result.entitlements:,} entitlements"
        )
