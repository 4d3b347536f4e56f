"""The three-way reconciliation (三方对账) of a fund's payments: the platform, the bank, the books.

For one fund and one day (or the days ``day`` … ``until``):

* **platform**: the payments to people sent to the bank those days (benefit and one-off; medical
  premiums are settled with the medical insurance agency, not through the bank), by what became
  of them since — sent = settled + returned + pending — each sent by one of the fund's runs of
  its day, for an entitlement of the fund;
* **bank**: the bank file of each of the fund's runs of those days, read back and checked against
  the hash the run recorded, line by line against the run's payments, and the run's own totals;
  the bank's answers are its return files (payments settled or returned);
* **books**: the fund's entries of those days for payments — each run's entry per subject and its
  re-issues (credit 1003 支出户存款), each day's return files (debit 1003, credit 2001 暂收款) —
  against the payments behind them, to the fen.

Every disagreement is a :class:`Difference` with the payment, run or booking it concerns and what
each side says; a reconciliation is ``balanced`` only when there is none. docs/payments.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum

from tongban.benefits.models import MEDICAL_SUBJECT, Payment, PaymentRun
from tongban.benefits.payrun import BANK_FILE_HEADER, bank_file_path, reissued_source_ref
from tongban.benefits.returns import returns_day_ref
from tongban.benefits.selectors import PAID_KINDS, SENT_STATUSES
from tongban.core.errors import NotFound
from tongban.ledger import postings
from tongban.ledger.selectors import payment_movements
from tongban.regions.selectors import region_ids_by_code

PaymentRow = Mapping[str, Any]  # a payment as read: reference, amount, fund, run, status, days

# What each kind of difference means (the pages say it in the visitor's language).
DIFFERENCES = {
    "not_with_bank": "sent to the bank, but now held, scheduled or cancelled",
    "not_in_run": "sent, but not by one of the fund's runs of that day",
    "other_fund": "paid by one fund for an entitlement or run of another",
    "not_in_bank_file": "a payment of the run missing from its bank file",
    "not_a_payment": "a line of the bank file that is no payment of the run",
    "bank_amount": "the bank file pays another amount",
    "bank_file_missing": "the run's bank file is missing",
    "bank_file_changed": "the bank file is not the one the run wrote",
    "run_total": "the run's recorded totals differ from its payments",
    "not_booked": "payments not booked in the fund's books",
    "booked_without_payment": "booked in the fund's books without payments behind it",
    "booked_amount": "booked with another amount",
    "booked_account": "booked against another account",
}


@dataclass(frozen=True)
class Difference:
    """One disagreement: its kind (``DIFFERENCES``), the fund and day, the payment, run or booking
    it concerns, and what the platform, the bank and the books each say (None: nothing there)."""

    region_code: str
    day: date
    kind: str
    reference: str
    platform_fen: int | None = None
    bank_fen: int | None = None
    ledger_fen: int | None = None

    @property
    def description(self) -> str:
        return DIFFERENCES[self.kind]


@dataclass(frozen=True)
class Reconciliation:
    """三方对账 for one fund: what was sent equals settled + returned + pending, and the platform,
    the bank files and the books agree on every payment.

    Payments sent to the bank on ``day`` — or, when ``until`` is given, on any day from ``day`` to
    ``until`` inclusive — by what became of them since; ``bank_*``: the lines of the bank files of
    the fund's runs of those days; ``ledger_fen``: what the books paid out of 1003 to people for
    those runs (medical premiums are not paid through the bank).
    """

    region_code: str
    day: date
    sent_count: int
    sent_fen: int
    settled_count: int
    settled_fen: int
    returned_count: int
    returned_fen: int
    pending_count: int
    pending_fen: int
    until: date | None = None
    bank_count: int = 0
    bank_fen: int = 0
    ledger_fen: int = 0
    differences: tuple[Difference, ...] = ()

    @property
    def balanced(self) -> bool:
        return (
            not self.differences
            and self.sent_count == self.settled_count + self.returned_count + self.pending_count
            and self.sent_fen == self.settled_fen + self.returned_fen + self.pending_fen
        )


FIGURES = ("sent_count", "sent_fen", "settled_count", "settled_fen", "returned_count",
           "returned_fen", "pending_count", "pending_fen", "bank_count", "bank_fen",
           "ledger_fen")  # fmt: skip


def reconciliations_sum(
    recs: list[Reconciliation], *, region_code: str, day: date, until: date | None
) -> Reconciliation:
    """Funds taken together (the province): their figures added up, their differences listed."""
    return Reconciliation(
        region_code=region_code,
        day=day,
        until=until,
        differences=tuple(d for r in recs for d in r.differences),
        **{f: sum(getattr(r, f) for r in recs) for f in FIGURES},
    )


def reconciliation(*, region_code: str, day: date) -> Reconciliation:
    """The fund's reconciliation of ``day``: what it sent that day, its bank files, its books."""
    found = _reconcile(start=day, end=day, until=None, region_code=region_code)
    return found.get(region_code) or reconciliations_sum(
        [], region_code=region_code, day=day, until=None
    )


def reconciliations(*, start: date, end: date) -> dict[str, Reconciliation]:
    """Every fund's reconciliation of the days from ``start`` to ``end`` (inclusive), region code →
    figures, from a fixed number of queries; funds with nothing sent, returned or booked for
    payments in those days are left out."""
    return _reconcile(start=start, end=end, until=end, region_code=None)


# ---- the sides --------------------------------------------------------------------------------


@dataclass
class _Fund:
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))
    differences: list[Difference] = field(default_factory=list)


class _Funds(defaultdict[str, _Fund]):
    def __init__(self) -> None:
        super().__init__(_Fund)

    def differ(self, code: str, day: date, kind: str, reference: str, **sides: int | None) -> None:
        self[code].differences.append(Difference(code, day, kind, reference, **sides))


def _bank_file(run: PaymentRun, region_code: str) -> tuple[dict[str, int] | None, str]:
    """The lines of the run's bank file (reference → amount, repeated lines added up) and its
    SHA-256; None when there is no file (or it is not a bank file at all)."""
    path = (
        Path(settings.BANK_DIR) / run.file_name
        if run.file_name
        else bank_file_path(region_code, run.month, run.sequence)
    )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, ""
    digest = hashlib.sha256(raw).hexdigest()
    lines: dict[str, int] = defaultdict(int)
    reader = csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"), newline=""))
    if tuple(next(reader, ())) != BANK_FILE_HEADER:
        return None, digest
    for row in reader:
        if not row:
            continue
        try:
            lines[row[0]] += int(row[3])
        except (IndexError, ValueError):
            lines[row[0]] += 0  # a line whose amount cannot be read pays nothing we can tell
    return dict(lines), digest


def _check_run(funds: _Funds, run: PaymentRun, code: str, to_bank: list[PaymentRow],
               medical_fen: int) -> None:  # fmt: skip
    """The run's bank file and recorded totals against the payments it sent to the bank."""
    day = _day(run)
    platform = {p["reference"]: p["amount_fen"] for p in to_bank}
    total = sum(platform.values())
    lines, digest = _bank_file(run, code)
    if lines is None:  # one difference for the file, not one for each of its payments
        funds.differ(code, day, "bank_file_missing", run.file_name or run.reference,
                     platform_fen=total)  # fmt: skip
    else:
        if run.file_sha256 and digest != run.file_sha256:
            funds.differ(code, day, "bank_file_changed", run.file_name, platform_fen=total,
                         bank_fen=sum(lines.values()))  # fmt: skip
        funds[code].figures["bank_count"] += len(lines)
        funds[code].figures["bank_fen"] += sum(lines.values())
        for reference in sorted(platform.keys() | lines.keys()):
            paid, filed = platform.get(reference), lines.get(reference)
            if filed is None:
                funds.differ(code, day, "not_in_bank_file", reference, platform_fen=paid)
            elif paid is None:
                funds.differ(code, day, "not_a_payment", reference, bank_fen=filed)
            elif paid != filed:
                funds.differ(code, day, "bank_amount", reference, platform_fen=paid,
                             bank_fen=filed)  # fmt: skip
    if run.stage != PaymentRun.Stage.FINISHED:
        return  # the run records its totals when it finishes; its missing file says enough
    if (run.payments, run.total_fen) != (len(platform), total):
        funds.differ(code, day, "run_total", run.reference, platform_fen=total,
                     bank_fen=run.total_fen)  # fmt: skip
    if run.medical_fen != medical_fen:
        funds.differ(code, day, "run_total", f"{run.reference}/{MEDICAL_SUBJECT}",
                     platform_fen=medical_fen, bank_fen=run.medical_fen)  # fmt: skip


# A booking's key: (fund, day, cause, reference); returns are taken together per day.
Key = tuple[str, date, str, str]


def _counter_account(source_type: str, source_ref: str) -> str:
    """The account each cause books against 1003: the run's subject, or 暂收款 2001."""
    if source_type == postings.SOURCE_PAYMENT_RUN:
        return source_ref.rsplit("/", 1)[-1]
    return postings.TEMPORARY_RECEIPTS


def _booked(start: date, end: date, region_code: str | None) -> dict[Key, list[int]]:
    """What the books moved for payments: key → [1003 amount, counter-account amount, amounts on
    any other account], each on the side the cause moves it (a run pays out of 1003; a return
    comes back into it)."""
    booked: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    movements = payment_movements(start=start, end=end + timedelta(days=1), region_code=region_code)
    for m in movements:
        comes_back = m.source_type == postings.SOURCE_BANK_RETURN
        reference = returns_day_ref(m.entry_date) if comes_back else m.source_ref
        key = (m.region_code, m.entry_date, m.source_type, reference)
        net_debit = m.debit_fen - m.credit_fen
        if m.account_code == postings.EXPENDITURE_DEPOSITS:
            booked[key][0] += net_debit if comes_back else -net_debit
        elif m.account_code == _counter_account(m.source_type, m.source_ref):
            booked[key][1] += -net_debit if comes_back else net_debit
        else:
            booked[key][2] += m.debit_fen + m.credit_fen
    return booked


def _check_books(funds: _Funds, expected: dict[Key, int], booked: dict[Key, list[int]]) -> None:
    """Each booking against the payments behind it, to the fen, both ways."""
    for key in sorted(expected.keys() | booked.keys()):
        code, day, source_type, reference = key
        platform = expected.get(key)
        books = booked.get(key)
        if books is None:
            if platform:
                funds.differ(code, day, "not_booked", reference, platform_fen=platform)
            continue
        paid, against, elsewhere = books
        if source_type != postings.SOURCE_BANK_RETURN and not reference.endswith(
            f"/{MEDICAL_SUBJECT}"
        ):
            funds[code].figures["ledger_fen"] += paid
        if platform is None and (paid or against or elsewhere):
            funds.differ(code, day, "booked_without_payment", reference, ledger_fen=paid)
        elif platform is not None and paid != platform:
            funds.differ(code, day, "booked_amount", reference, platform_fen=platform,
                         ledger_fen=paid)  # fmt: skip
        if against != paid or elsewhere:
            funds.differ(code, day, "booked_account", reference, platform_fen=platform,
                         ledger_fen=against)  # fmt: skip


def _reconcile(
    *, start: date, end: date, until: date | None, region_code: str | None
) -> dict[str, Reconciliation]:
    ids = region_ids_by_code()
    if region_code is not None and region_code not in ids:
        raise NotFound(f"No region with code {region_code!r}.", code="unknown_region")
    codes = {pk: code for code, pk in ids.items()}
    runs_sent = PaymentRun.objects.filter(sent_on__gte=start, sent_on__lte=end)
    own = Q()
    if region_code is not None:
        runs_sent = runs_sent.filter(region_id=ids[region_code])
        own = Q(paying_region_id=ids[region_code])
    runs = {r.pk: r for r in runs_sent.order_by("reference")}
    in_days = Q(sent_on__gte=start, sent_on__lte=end) | Q(
        status="returned", resolved_on__gte=start, resolved_on__lte=end
    )
    payments = (
        Payment.objects.filter(Q(run_id__in=list(runs)) | (own & in_days), kind__in=PAID_KINDS)
        .order_by("reference")
        .values("reference", "paying_region_id", "entitlement__paying_region_id", "run_id",
                "subject_code", "amount_fen", "status", "sent_on", "resolved_on", "reissue_of_id")
    )  # fmt: skip
    medical = (
        Payment.objects.filter(run_id__in=list(runs), kind="medical")
        .order_by()
        .values("run_id", "paying_region_id", "entitlement__paying_region_id")
        .annotate(amount=Sum("amount_fen"))
    )
    funds = _Funds()
    expected: dict[Key, int] = defaultdict(int)
    to_bank: dict[int, list[PaymentRow]] = defaultdict(list)
    for p in payments:
        code = codes[p["paying_region_id"]]
        run = runs.get(p["run_id"])
        day = p["sent_on"]
        if day is not None and start <= day <= end:
            _sent(funds[code].figures, p)
            if p["status"] not in SENT_STATUSES:
                funds.differ(code, day, "not_with_bank", p["reference"],
                             platform_fen=p["amount_fen"])  # fmt: skip
            if run is None or (run.region_id, run.sent_on) != (p["paying_region_id"], day):
                funds.differ(code, day, "not_in_run", p["reference"], platform_fen=p["amount_fen"])
            if p["entitlement__paying_region_id"] != p["paying_region_id"]:
                funds.differ(code, day, "other_fund", p["reference"], platform_fen=p["amount_fen"])
        if p["status"] == "returned" and p["resolved_on"] and start <= p["resolved_on"] <= end:
            expected[(code, p["resolved_on"], postings.SOURCE_BANK_RETURN,
                      returns_day_ref(p["resolved_on"]))] += p["amount_fen"]  # fmt: skip
        if run is not None and p["amount_fen"]:  # kept back whole: settled, not in the file
            to_bank[run.pk].append(p)
    medical_by_run: dict[int, int] = defaultdict(int)
    for row in medical:
        run = runs[row["run_id"]]
        medical_by_run[run.pk] += row["amount"]
        expected[(codes[run.region_id], _day(run), postings.SOURCE_PAYMENT_RUN,
                  f"{run.reference}/{MEDICAL_SUBJECT}")] += row["amount"]  # fmt: skip
        if {row["paying_region_id"], row["entitlement__paying_region_id"]} != {run.region_id}:
            funds.differ(codes[run.region_id], _day(run), "other_fund",
                         f"{run.reference}/{MEDICAL_SUBJECT}", platform_fen=row["amount"])  # fmt: skip
    for run in runs.values():
        code, day = codes[run.region_id], _day(run)
        for sent in to_bank[run.pk]:
            source = (
                (postings.SOURCE_RETURN_REPAID, reissued_source_ref(run.reference))
                if sent["reissue_of_id"]
                else (postings.SOURCE_PAYMENT_RUN, f"{run.reference}/{sent['subject_code']}")
            )
            expected[(code, day, *source)] += sent["amount_fen"]
            if sent["paying_region_id"] != run.region_id:
                funds.differ(code, day, "other_fund", sent["reference"],
                             platform_fen=sent["amount_fen"])  # fmt: skip
        _check_run(funds, run, code, to_bank[run.pk], medical_by_run[run.pk])
    _check_books(funds, expected, _booked(start, end, region_code))
    return {
        code: Reconciliation(
            region_code=code,
            day=start,
            until=until,
            differences=tuple(sorted(fund.differences, key=_in_order)),
            **fund.figures,
        )
        for code, fund in sorted(funds.items())
        if region_code is None or code == region_code
    }


def _in_order(difference: Difference) -> tuple[date, str, str]:
    return difference.day, difference.reference, difference.kind


def _day(run: PaymentRun) -> date:
    """The day the run sent its payments (runs are chosen by it, so it is there)."""
    assert run.sent_on is not None
    return run.sent_on


def _sent(figures: dict[str, int], payment: PaymentRow) -> None:
    """A payment sent in the days, counted by what became of it (any other status: neither)."""
    amount, status = payment["amount_fen"], payment["status"]
    figures["sent_count"] += 1
    figures["sent_fen"] += amount
    bucket = {"settled": "settled", "returned": "returned", "sent": "pending"}.get(status)
    if bucket:
        figures[f"{bucket}_count"] += 1
        figures[f"{bucket}_fen"] += amount
