from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.cases.archive import archive_verify


class Command(BaseCommand):
    help = (
        "Archives of finished cases: `tongban archive verify` re-checks every office's hash chain."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute every content hash and chain link")

    def handle(self, *args: Any, **options: Any) -> None:
        report = archive_verify()
        for problem in report.problems:
            self.stderr.write(problem)
        summary = f"{report.archives} archives in {report.offices} office chains"
        if not report.ok:
            raise CommandError(f"{len(report.problems)} problems in {summary}")
        self.stdout.write(f"ok: {summary} verified")
