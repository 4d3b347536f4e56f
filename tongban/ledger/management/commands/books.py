"""``tongban books --region CODE [--month YYYY-MM]``: a fund's trial balance as CSV."""

import csv
import re
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core import clock
from tongban.core.errors import NotFound
from tongban.core.months import month_end
from tongban.ledger.selectors import TrialBalance, trial_balance, trial_balances_by_fund

HEADER = ["account_code", "account_name", "debit_fen", "credit_fen"]
MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> date:
    """``YYYY-MM`` → the month's last day; refuses anything else."""
    match = MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise CommandError(f"--month must be YYYY-MM (e.g. 2026-05), not {text!r}.")
    return month_end(date(int(match.group(1)), int(match.group(2)), 1))


class Command(BaseCommand):
    help = (
        "Print a fund's trial balance as CSV (account_code, account_name, debit_fen, credit_fen) "
        "as of the end of --month (default: today). --region all prints every fund: the contract's "
        "four columns, then region_code; add --consolidated for the province's funds added up."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", required=True, help="a region code, or 'all'")
        parser.add_argument("--month", help="YYYY-MM; the balances as of that month's last day")
        parser.add_argument(
            "--consolidated",
            action="store_true",
            help="with --region all: one trial balance of all funds added up (contract columns)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_month(options["month"]) if options["month"] else clock.today()
        region = options["region"]
        if options["consolidated"] and region != "all":
            raise CommandError("--consolidated goes with --region all.")
        writer = csv.writer(self.stdout, lineterminator="\n")
        if region == "all" and not options["consolidated"]:
            writer.writerow([*HEADER, "region_code"])  # the contract's columns stay first
            for code, report in trial_balances_by_fund(as_of=as_of).items():
                for row in _rows(report):
                    writer.writerow([*row, code])
            return
        try:
            report = trial_balance(region_code=None if region == "all" else region, as_of=as_of)
        except NotFound as error:
            raise CommandError(
                f"{error.message} See GET /api/v1/offices for region codes."
            ) from None
        writer.writerow(HEADER)
        for row in _rows(report):
            writer.writerow(row)


def _rows(report: TrialBalance) -> list[list[object]]:
    """Postable accounts only (parents would count their children twice); names in Chinese."""
    return [[r.code, r.name_zh, r.debit_balance_fen, r.credit_balance_fen] for r in report.postable]
