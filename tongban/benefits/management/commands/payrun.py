import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.benefits.payrun import payrun_execute
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.errors import DomainError
from tongban.core.money import format_yuan


class Command(BaseCommand):
    help = "Run (or resume) the monthly payment run of one regional fund; running it again pays nobody twice."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", required=True, help="GB/T 2260 code of the region (fund)")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--supplementary",
            action="store_true",
            help="after the month's run: pay what has become due since (late decisions, corrected accounts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", options["month"])
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise CommandError(f"--month must be YYYY-MM, not {options['month']!r}.")
        month = date(int(match.group(1)), int(match.group(2)), 1)
        try:
            result = payrun_execute(
                actor=Actor.operator("tongban payrun"),
                region_code=options["region"],
                month=month,
                on=clock.today(),
                supplementary=options["supplementary"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        run = result.run
        state = "resumed and finished" if result.resumed else "finished"
        if result.rerun:
            state = "already finished: nothing new, the same bank file written again"
        self.stdout.write(
            f"{run.reference}: {state}; {run.payments} payments, {format_yuan(run.total_fen)} "
            f"in the bank file {result.file}; medical premiums {format_yuan(run.medical_fen)}; "
            f"{run.held} held"
        )
