"""The monthly payment run of one regional fund (月度待遇发放): set-based, resumable, exactly once.

``payrun_execute(region_code, month)``:
1. takes a lock for (region, month) — a second run at the same time is refused;
2. creates the month's payments in one ``INSERT … SELECT``, each written once in the state
   the run leaves it in: every benefit month of every entitlement of the fund that is
   payable by that month and not yet paid (arrears included), medical premiums beside them,
   and one-off items once — sent with this run and the bank details they go to, settled at
   once (medical premiums), or held (a suspension from the month it holds, ``held_from``;
   a person without a bank account). The unique constraint on live payments per
   (entitlement, period, kind) makes a second insert a no-op;
3. re-issues returned payments whose bank details were corrected, and recovers open
   overpayments by offset against the new payments;
4. sends what is still scheduled (re-issues, released holds) with its bank details;
5. posts aggregated entries to the fund's book (one per subject, never one per person);
6. writes the bank file, ordered by reference, atomically; a rerun writes the same bytes.

Each step is idempotent and the run's ``stage`` records how far it got, so a run killed
at any point is finished by running it again. Nothing here reads the clock: the run date
is passed in.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
)

from tongban.benefits.models import (
    MEDICAL_SUBJECT,
    SUBJECTS,
    Entitlement,
    Overpayment,
    Payment,
    PaymentRun,
    Recovery,
)
from tongban.benefits.selectors import PAID_KINDS
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict
from tongban.core.months import add_months, month_of
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import require_transaction, unit_of_work
from tongban.ledger import services as ledger
from tongban.regions.selectors import region_get

LIVE = ("scheduled", "sent", "settled", "held")
ARREARS_MONTHS = 36  # how far back a run looks for unpaid months
PAYRUN_FINISHED = "benefits.payrun_finished"


class PayrunBusy(Conflict):
    default_code = "payrun_busy"


@dataclass(frozen=True)
class RunResult:
    run: PaymentRun
    created: int
    sent: int
    held: int
    total_fen: int
    file: Path
    resumed: bool
    rerun: bool  # the month was already finished: nothing new, the same file written again


Checkpoint = Callable[[str], None]


def _no_checkpoint(name: str) -> None:
    """Crash tests replace this to kill the process at a named point (see tests)."""
    kill_at = os.environ.get("TONGBAN_PAYRUN_KILL_AT")
    if kill_at and kill_at == name:
        os.kill(os.getpid(), 9)


def run_reference(region_code: str, month: date, sequence: int = 0) -> str:
    suffix = f"-S{sequence}" if sequence else ""
    return f"PR{region_code}{month:%Y%m}{suffix}"


BANK_FILE_HEADER = ("reference", "account_name", "bank_account", "amount_fen")  # the contract's
# A run's payments the bank pays: benefits and one-offs, without those kept back whole.
BANK_LINES = Q(kind__in=PAID_KINDS, amount_fen__gt=0)


def reissued_source_ref(run_ref: str) -> str:
    """The books' reference for the re-issues a run paid out of 暂收款 (2001)."""
    return f"{run_ref}/reissued"


def bank_file_path(region_code: str, month: date, sequence: int = 0) -> Path:
    suffix = f"-S{sequence}" if sequence else ""
    return Path(settings.BANK_DIR) / region_code / f"{region_code}-{month:%Y-%m}{suffix}.csv"


# ---- locking ------------------------------------------------------------------------------


@contextmanager
def run_lock(region_code: str, month: date) -> Iterator[None]:
    """One run per (region, month) at a time; released when the process dies, too."""
    key = f"payrun:{region_code}:{month:%Y-%m}"
    if connection.vendor == "postgresql":
        lock_id = (7301 << 32) | zlib.crc32(key.encode())  # one 64-bit key per (region, month)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s::bigint)", [lock_id])
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise PayrunBusy(
                f"The payment run of {region_code} for {month:%Y-%m} is already running."
            )
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [lock_id])
        return
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{key.replace(':', '-')}.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PayrunBusy(
                f"The payment run of {region_code} for {month:%Y-%m} is already running."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---- the steps ------------------------------------------------------------------------------


def _months_values(month: date) -> tuple[str, list[Any]]:
    months = [add_months(month, -i) for i in range(ARREARS_MONTHS, -1, -1)]
    rows = ", ".join(["(%s, %s)"] * len(months))
    params: list[Any] = []
    for m in months:
        params += [m, f"{m:%Y%m}"]
    return rows, params


def _concat(*parts: str) -> str:
    return " || ".join(parts)


def _text(expr: str) -> str:
    return f"CAST({expr} AS TEXT)" if connection.vendor == "sqlite" else f"({expr})::text"


def _leaving(payment: str, on: str, person: str) -> tuple[str, str, str, str]:
    """How a payment (the SQL name of its row) leaves the fund, as SQL for (status, resolved_on,
    account_name, bank_account): to the person's bank (``sent``, with the account it goes to),
    or settled ``on`` at once — medical premiums go to the medical insurance agency by
    inter-agency settlement, and a payment an overpayment kept back whole (0 fen) has nothing
    left to pay. Neither appears in the bank file (``BANK_LINES``)."""
    not_to_bank = f"({payment}.kind = 'medical' OR {payment}.amount_fen = 0)"
    return (
        f"CASE WHEN {not_to_bank} THEN 'settled' ELSE 'sent' END",
        f"CASE WHEN {not_to_bank} THEN {on} END",
        f"CASE WHEN {not_to_bank} THEN '' ELSE {person}.name END",
        f"CASE WHEN {not_to_bank} THEN '' ELSE {person}.bank_account END",
    )


def _without_account(payment: str, person: str) -> str:
    """SQL: the payment (the SQL name of its row) goes to the person's bank, and the person
    (likewise) has no account recorded, so it waits (held ``no_bank_account``)."""
    kinds = ", ".join(f"'{kind}'" for kind in PAID_KINDS)
    return f"({payment}.kind IN ({kinds}) AND {person}.bank_account = '')"


def _insert_new_payments(run: PaymentRun, region_id: int, now: datetime, on: date) -> int:
    """Every payable month and one-off of the fund up to the run's month, not yet paid,
    written once in the state the run leaves it in: sent with this run and the bank details
    it goes to (or settled, see ``_leaving``), or held — by a suspension from the month it
    holds (``held_from``; every month when none is recorded), or for want of a bank account.

    Live payments already there are skipped by the unique index (ON CONFLICT). The few
    payments that are no longer live (returned, cancelled) are read first into a small
    temporary table: a returned one waits for its re-issue, and a key paid before gets a
    reference of its own. Reading them from the table being inserted into, row by row,
    would scan the rows this very statement adds (quadratic on a fund's first run).
    """
    values, month_params = _months_values(run.month)

    def cast(sql_type: str) -> str:
        return "%s" if connection.vendor == "sqlite" else f"CAST(%s AS {sql_type})"

    cast_date = cast("date")
    table = Payment._meta.db_table
    held = (
        "((e.held_from IS NOT NULL AND m.month >= e.held_from) "
        "OR (e.held_from IS NULL AND e.status = 'suspended'))"
    )
    reference = _concat(
        "'P'", "r.code", "'-'", "m.ym", "'-'", _text("e.id"), "'-'", "k.letter",
        "COALESCE('-' || " + _text("gone.n") + ", '')",
    )  # fmt: skip
    subject_case = (
        "CASE e.item_code "
        + " ".join(f"WHEN '{item}' THEN '{code}'" for item, code in SUBJECTS.items())
        + " END"
    )
    returned = "MAX(CASE WHEN status = 'returned' THEN 1 ELSE 0 END)"
    prepare = [
        "DROP TABLE IF EXISTS _payrun_gone",
        f"CREATE TEMP TABLE _payrun_gone AS SELECT entitlement_id, period, kind, COUNT(*) AS n, "
        f"{returned} AS returned FROM {table} WHERE paying_region_id = %s "
        f"AND status IN ('returned', 'cancelled') GROUP BY entitlement_id, period, kind",
    ]
    no_account = _without_account("n", "p")
    status, resolved_on, account_name, bank_account = _leaving("n", "c.sent_on", "p")
    waiting = f"(n.held = 1 OR {no_account})"

    def unless_waiting(expr: str, otherwise: str = "NULL") -> str:
        return f"CASE WHEN {waiting} THEN {otherwise} ELSE {expr} END"

    sql = f"""
        INSERT INTO {table} (reference, entitlement_id, person_id, paying_region_id, item_code, kind,
            subject_code, period, amount_fen, status, hold_reason, run_id, account_name, bank_account,
            return_reason, offset_fen, created_at, sent_on, resolved_on)
        SELECT n.reference, n.entitlement_id, n.person_id, n.paying_region_id, n.item_code, n.kind,
            n.subject_code, n.period, n.amount_fen,
            {unless_waiting(status, "'held'")},
            CASE WHEN n.held = 1 THEN 'suspended' WHEN {no_account} THEN 'no_bank_account' ELSE '' END,
            {unless_waiting("c.run_id")}, {unless_waiting(account_name, "''")},
            {unless_waiting(bank_account, "''")}, '', 0, c.created_at,
            {unless_waiting("c.sent_on")}, {unless_waiting(resolved_on)}
        FROM (
            SELECT {reference} AS reference, e.id AS entitlement_id, e.person_id, e.paying_region_id,
                e.item_code, k.kind,
                CASE k.kind WHEN 'medical' THEN '{MEDICAL_SUBJECT}' ELSE {subject_case} END AS subject_code,
                m.month AS period,
                CASE k.kind WHEN 'benefit' THEN e.monthly_amount_fen WHEN 'medical' THEN e.medical_premium_fen
                    ELSE e.amount_fen END AS amount_fen,
                CASE WHEN {held} THEN 1 ELSE 0 END AS held
            FROM {Entitlement._meta.db_table} e
            JOIN regions_region r ON r.id = e.paying_region_id
            JOIN (VALUES {values}) AS m(month, ym) ON m.month >= e.start_month AND m.month < e.end_month
            JOIN (VALUES ('benefit', 'B'), ('medical', 'M'), ('one_off', 'O')) AS k(kind, letter)
              ON (k.kind = 'benefit' AND e.item_code IN ('ui_benefit', 'unemployment_subsidy'))
              OR (k.kind = 'medical' AND e.item_code = 'ui_benefit' AND e.medical_premium_fen IS NOT NULL)
              OR (k.kind = 'one_off' AND e.item_code NOT IN ('ui_benefit', 'unemployment_subsidy'))
            LEFT JOIN _payrun_gone gone
              ON gone.entitlement_id = e.id AND gone.period = m.month AND gone.kind = k.kind
            WHERE e.paying_region_id = %s AND e.status IN ('active', 'suspended', 'ended')
              AND m.month <= {cast_date}
              AND NOT EXISTS (SELECT 1 FROM _payrun_gone w WHERE w.entitlement_id = e.id
                AND w.period = m.month AND w.kind = k.kind AND w.returned = 1)
        ) AS n
        JOIN registry_person p ON p.id = n.person_id
        CROSS JOIN (SELECT {cast("bigint")} AS run_id, {cast_date} AS sent_on,
            {cast("timestamptz")} AS created_at) AS c
        WHERE true -- SQLite's upsert needs a WHERE to read the next ON as ON CONFLICT
        ON CONFLICT (entitlement_id, period, kind) WHERE NOT (status IN ('returned', 'cancelled'))
        DO NOTHING
    """
    if connection.vendor == "sqlite":
        sql = sql.replace("AS m(month, ym)", "AS m").replace("AS k(kind, letter)", "AS k")
        sql = sql.replace("(VALUES " + values + ")", _sqlite_values(values, ("month", "ym")), 1)
        sql = sql.replace(
            "(VALUES ('benefit', 'B'), ('medical', 'M'), ('one_off', 'O'))",
            "(SELECT 'benefit' AS kind, 'B' AS letter UNION ALL SELECT 'medical', 'M' "
            "UNION ALL SELECT 'one_off', 'O')",
        )
    with connection.cursor() as cursor:
        cursor.execute(prepare[0])
        cursor.execute(prepare[1], [region_id])
        cursor.execute("ANALYZE _payrun_gone")  # the planner's row estimates depend on it
        cursor.execute(sql, [*month_params, region_id, run.month, run.pk, on, now])
        inserted = int(cursor.rowcount)
        cursor.execute("DROP TABLE _payrun_gone")
        return inserted


def _sqlite_values(values: str, names: tuple[str, ...]) -> str:
    columns = ", ".join(f"column{i + 1} AS {name}" for i, name in enumerate(names))
    return f"(SELECT {columns} FROM (VALUES {values}))"


def _insert_reissues(run: PaymentRun, region_id: int, now: datetime) -> int:
    """Returned payments whose person's bank details have changed since: paid again."""
    returned = (
        Payment.objects.filter(paying_region_id=region_id, status="returned", reissue__isnull=True)
        .exclude(  # a suspension holds re-issues of its months too
            Q(entitlement__held_from__isnull=False, period__gte=F("entitlement__held_from"))
            | Q(entitlement__held_from__isnull=True, entitlement__status="suspended")
        )
        .select_related("person")
        .order_by("reference")
    )
    fresh = [
        Payment(
            reference=f"{p.reference}-R",
            entitlement_id=p.entitlement_id,
            person_id=p.person_id,
            paying_region_id=p.paying_region_id,
            item_code=p.item_code,
            kind=p.kind,
            subject_code=p.subject_code,
            period=p.period,
            amount_fen=p.amount_fen + p.offset_fen,
            status="scheduled",
            reissue_of=p,
            created_at=now,
        )
        for p in returned
        if p.person.bank_account and p.person.bank_account != p.bank_account
    ]
    Payment.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _offset_overpayments(run: PaymentRun, region_id: int, on: date) -> None:
    """Keep back what a person owes from their new benefit payments (Handling Regulation art. 46):
    the ones this run sends and the ones still to be sent. One kept back whole is settled at
    once (``_leaving``): nothing is left for the bank to pay."""
    owing = list(
        Overpayment.objects.filter(paying_region_id=region_id, status=Overpayment.Status.OPEN)
        .select_for_update()
        .order_by("id")
    )
    for overpayment in owing:
        payments = Payment.objects.filter(
            Q(status="scheduled") | Q(status="sent", run=run),
            person_id=overpayment.person_id,
            paying_region_id=region_id,
            kind__in=PAID_KINDS,
            reissue_of__isnull=True,
            offset_fen=0,
        ).order_by("period", "reference")
        for payment in payments:
            outstanding = overpayment.amount_fen - overpayment.recovered_fen
            if outstanding <= 0:
                break
            kept = min(outstanding, payment.amount_fen)
            changes: dict[str, Any] = {"amount_fen": payment.amount_fen - kept, "offset_fen": kept}
            if kept == payment.amount_fen and payment.status == "sent":
                changes |= {
                    "status": "settled",
                    "resolved_on": on,
                    "account_name": "",
                    "bank_account": "",
                }
            Payment.objects.filter(pk=payment.pk).update(**changes)
            Recovery.objects.create(
                overpayment=overpayment,
                method=Recovery.Method.OFFSET,
                amount_fen=kept,
                payment=payment,
                reference=f"{payment.reference}-OFFSET",
                recovered_on=on,
                created_at=clock.now(),
            )
            overpayment.recovered_fen += kept
        if overpayment.recovered_fen >= overpayment.amount_fen:
            overpayment.status = Overpayment.Status.RECOVERED
        overpayment.save(update_fields=["recovered_fen", "status"])


def _hold_without_account(region_id: int) -> None:
    """A payment to a person without a bank account waits; released once one is recorded."""
    table = Payment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'held', hold_reason = 'no_bank_account' "
            f"FROM registry_person p WHERE p.id = {table}.person_id "
            f"AND {table}.paying_region_id = %s AND {table}.status = 'scheduled' "
            f"AND {_without_account(table, 'p')}",
            [region_id],
        )
        cursor.execute(
            f"UPDATE {table} SET status = 'scheduled', hold_reason = '' "
            f"WHERE paying_region_id = %s AND status = 'held' AND hold_reason = 'no_bank_account' "
            f"AND person_id IN (SELECT id FROM registry_person WHERE bank_account <> '')",
            [region_id],
        )


def _send(run: PaymentRun, region_id: int, on: date) -> None:
    """Attach the payments still scheduled up to the run's month to this run, with their bank
    details: re-issues and payments whose hold was released (the month's new payments were
    written sent). See ``_leaving`` for those settled at once."""
    table = Payment._meta.db_table
    status, resolved_on, account_name, bank_account = _leaving(table, "%s", "p")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET run_id = %s, sent_on = %s, status = {status}, "
            f"resolved_on = {resolved_on}, account_name = {account_name}, "
            f"bank_account = {bank_account} "
            f"FROM registry_person p WHERE p.id = {table}.person_id "
            f"AND {table}.paying_region_id = %s AND {table}.status = 'scheduled' AND {table}.period <= %s",
            [run.pk, on, on, region_id, run.month],
        )


def _update_entitlements(run: PaymentRun, region_id: int, month: date, on: date) -> None:
    """Months paid (benefit payments sent or settled) of the entitlements this run paid, the
    date of an entitlement's first payment to reach the bank (supervision's "first payment
    within N days"), and the natural end of exhausted entitlements. One pass over the
    entitlements a run pays: a fund's first run touches each row once, not twice."""
    table = Entitlement._meta.db_table
    payments = Payment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET months_paid = counted.n, "
            f"first_paid_on = COALESCE({table}.first_paid_on, %s) FROM ("
            f"SELECT entitlement_id, COUNT(*) AS n FROM {payments} "
            f"WHERE kind = 'benefit' AND status IN ('sent', 'settled') AND entitlement_id IN "
            f"(SELECT entitlement_id FROM {payments} WHERE run_id = %s AND kind = 'benefit') "
            f"GROUP BY entitlement_id) AS counted WHERE counted.entitlement_id = {table}.id",
            [on, run.pk],
        )
        cursor.execute(
            f"UPDATE {table} SET first_paid_on = %s WHERE first_paid_on IS NULL "
            f"AND id IN (SELECT entitlement_id FROM {payments} WHERE run_id = %s "
            f"AND kind = 'one_off')",
            [on, run.pk],
        )
        cursor.execute(
            f"UPDATE {table} SET status = 'ended', end_reason = 'exhausted', ended_on = end_month "
            f"WHERE paying_region_id = %s AND status = 'active' AND end_month <= %s "
            f"AND NOT EXISTS (SELECT 1 FROM {payments} p WHERE p.entitlement_id = {table}.id "
            f"AND p.status IN ('scheduled', 'held'))",
            [region_id, add_months(month, 1)],
        )


def _post(run: PaymentRun, actor: Actor, on: date) -> None:
    """Aggregated entries for the run: expenditure per subject; re-issues from 暂收款; offsets."""
    totals = (
        Payment.objects.filter(run=run)
        .values(
            "subject_code",
            is_reissue=ExpressionWrapper(Q(reissue_of__isnull=False), output_field=BooleanField()),
        )
        .annotate(amount=Sum("amount_fen"), offset=Sum("offset_fen"))
    )
    expenditure: dict[str, int] = {}
    offsets: dict[str, int] = {}
    reissued = 0
    for row in totals:
        if row["is_reissue"]:
            reissued += row["amount"]
            continue
        expenditure[row["subject_code"]] = row["amount"]
        if row["offset"]:
            offsets[row["subject_code"]] = row["offset"]
    region_code = run.region.code
    if expenditure:
        ledger.payment_run_post(
            actor=actor,
            region_code=region_code,
            entry_date=on,
            run_ref=run.reference,
            amounts=expenditure,
        )
    for subject, amount in sorted(offsets.items()):
        ledger.overpayment_offset_post(
            actor=actor, region_code=region_code, entry_date=on, subject_code=subject,
            amount_fen=amount, source_ref=f"{run.reference}/{subject}",
        )  # fmt: skip
    if reissued:
        ledger.bank_return_repay(
            actor=actor, region_code=region_code, entry_date=on, amount_fen=reissued,
            source_ref=reissued_source_ref(run.reference),
        )  # fmt: skip


def first_paid_rebuild() -> int:
    """Recompute every entitlement's ``first_paid_on`` from its payments; in the caller's
    transaction (``tongban supervision rebuild``). Returns the number of entitlements."""
    require_transaction("first_paid_rebuild")
    first = (
        Payment.objects.filter(
            entitlement=OuterRef("pk"), kind__in=PAID_KINDS, sent_on__isnull=False
        )
        .order_by()
        .values("entitlement")
        .annotate(first=Min("sent_on"))
        .values("first")
    )
    return Entitlement.objects.update(first_paid_on=Subquery(first[:1]))


def bank_file_rows(run: PaymentRun) -> list[tuple[str, str, str, int]]:
    return list(
        Payment.objects.filter(BANK_LINES, run=run)
        .order_by("reference")
        .values_list("reference", "account_name", "bank_account", "amount_fen")
    )


def _write_file(run: PaymentRun) -> tuple[Path, str]:
    """The contract's bank file, written to a temporary name and renamed into place."""
    path = bank_file_path(run.region.code, run.month, run.sequence)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BANK_FILE_HEADER)
    writer.writerows(bank_file_rows(run))
    data = buffer.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".csv.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path, hashlib.sha256(data).hexdigest()


def _collect_and_post(
    run: PaymentRun, region: Any, actor: Actor, month: date, on: date, checkpoint: Checkpoint
) -> int:
    """Steps 2–5 in one transaction: create, re-issue, offset, hold, send, count, book."""
    with unit_of_work():
        now = clock.now()
        inserted = _insert_new_payments(run, region.pk, now, on)
        checkpoint("inserted")
        inserted += _insert_reissues(run, region.pk, now)
        _offset_overpayments(run, region.pk, on)
        _hold_without_account(region.pk)
        _send(run, region.pk, on)
        if run.sequence and not Payment.objects.filter(run=run).exists():
            raise NothingToPay(
                f"Nothing has become due for {region.code} in {month:%Y-%m} since the last run."
            )
        _update_entitlements(run, region.pk, month, on)
        checkpoint("sent")
        _post(run, actor, on)
        checkpoint("posted")
        PaymentRun.objects.filter(pk=run.pk).update(stage=PaymentRun.Stage.POSTED, sent_on=on)
    return inserted


class NothingToPay(Conflict):
    default_code = "nothing_to_pay"


def _run_to_do(
    region: Any, region_code: str, month: date, supplementary: bool
) -> tuple[PaymentRun, bool]:
    """The run to work on: an unfinished one of the month (resumed), the regular one, or — when
    asked for — a new supplementary run after the finished ones."""
    runs = list(PaymentRun.objects.filter(region=region, month=month).order_by("sequence"))
    unfinished = [r for r in runs if r.stage != PaymentRun.Stage.FINISHED]
    if unfinished:
        return unfinished[0], False
    if not runs:
        return (
            PaymentRun.objects.create(
                region=region, month=month, sequence=0,
                reference=run_reference(region_code, month), started_at=clock.now(),
            ),
            True,
        )  # fmt: skip
    if not supplementary:
        return runs[0], False
    sequence = runs[-1].sequence + 1
    return (
        PaymentRun.objects.create(
            region=region, month=month, sequence=sequence, kind=PaymentRun.Kind.SUPPLEMENTARY,
            reference=run_reference(region_code, month, sequence), started_at=clock.now(),
        ),
        True,
    )  # fmt: skip


def payrun_execute(
    *,
    actor: Actor,
    region_code: str,
    month: date,
    on: date,
    supplementary: bool = False,
    checkpoint: Checkpoint = _no_checkpoint,
) -> RunResult:
    """Run (or resume, or rerun) the payment run of ``region_code`` for ``month``.

    ``supplementary``: after the month's runs are finished, pay what has become due since
    (late decisions, corrected bank accounts) in a run and a bank file of its own.
    """
    month = month_of(month)
    region = region_get(code=region_code)
    with run_lock(region_code, month):
        with unit_of_work():
            run, created = _run_to_do(region, region_code, month, supplementary)
        resumed = not created and run.stage != PaymentRun.Stage.FINISHED
        rerun = not created and run.stage == PaymentRun.Stage.FINISHED
        inserted = 0
        checkpoint("start")
        if run.stage == PaymentRun.Stage.COLLECTING:
            try:
                inserted = _collect_and_post(run, region, actor, month, on, checkpoint)
            except NothingToPay:
                with unit_of_work():  # a supplementary run that found nothing leaves no trace
                    PaymentRun.objects.filter(pk=run.pk, stage=PaymentRun.Stage.COLLECTING).delete()
                raise
            run.stage = PaymentRun.Stage.POSTED
            checkpoint("committed")
        path, digest = _write_file(run)
        checkpoint("file")
        with unit_of_work():
            figures = Payment.objects.filter(run=run).aggregate(  # one pass over the run
                lines=Count("id", filter=BANK_LINES),
                total=Sum("amount_fen", filter=BANK_LINES),
                medical=Sum("amount_fen", filter=Q(kind="medical")),
            )
            lines, total, medical = figures["lines"], figures["total"] or 0, figures["medical"] or 0
            held = Payment.objects.filter(
                paying_region=region, status="held", period__lte=month
            ).count()
            first_finish = run.stage != PaymentRun.Stage.FINISHED
            PaymentRun.objects.filter(pk=run.pk).update(
                stage=PaymentRun.Stage.FINISHED,
                finished_at=run.finished_at or clock.now(),
                payments=lines,
                held=held,
                total_fen=total,
                medical_fen=medical,
                file_name=str(path.relative_to(settings.BANK_DIR)),
                file_sha256=digest,
            )
            if first_finish:
                audit_record(
                    actor=actor,
                    event_type="payment_run_finished",
                    subject_type="payment_run",
                    subject_id=run.reference,
                    data={"payments": lines, "total_fen": total, "file_sha256": digest},
                )
                outbox_emit(
                    PAYRUN_FINISHED,
                    {
                        "run": run.reference,
                        "region": region_code,
                        "month": f"{month:%Y-%m}",
                        "total_fen": total,
                    },
                )
        run.refresh_from_db()
    return RunResult(
        run=run, created=inserted, sent=run.payments, held=run.held, total_fen=run.total_fen,
        file=path, resumed=resumed, rerun=rerun,
    )  # fmt: skip
