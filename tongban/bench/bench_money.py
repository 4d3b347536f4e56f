"""The monthly payment run at scale, against plain SQL doing the same steps on the same tables.

1,000,000 active UI-benefit entitlements in one fund (each with a medical premium, so
2,000,000 payments a month), arrears from earlier months excluded. The baseline is the
same work written as bare statements with no application around them: insert the month's
payments, each sent with the bank details it goes to (premiums settled), count months paid,
total per subject, and export the bank file in reference order. Then Tongban's run on the same (emptied) tables,
a rerun of the finished month, and a fund of 50,000 for scale.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import date

from django.conf import settings
from django.db import connection, transaction

from tongban.bench.registry import benchmark
from tongban.bench.report import write_section
from tongban.bench.scratch import BENCH_ACTOR, analyze, scratch_database
from tongban.benefits.payrun import payrun_execute

MONTH = date(2026, 11, 1)
ON = date(2026, 11, 25)


def _seed(region_code: str, people: int, offset: int) -> None:
    """People with bank accounts and one running entitlement each, written by SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM regions_region WHERE code = %s", [region_code])
        (region_id,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO registry_person (id_number, name, birth_date, sex, residence_region_id, phone,
                bank_account, created_at, updated_at)
            SELECT 'B' || lpad(i::text, 17, '0'), '测试' || i, DATE '1980-01-01', 'M', %s, '',
                   '6222' || lpad(i::text, 15, '0'), now(), now()
            FROM generate_series(%s, %s) AS i
            """,
            [region_id, offset + 1, offset + people],
        )
        cursor.execute(
            """
            INSERT INTO benefits_entitlement (person_id, item_code, application_reference, paying_region_id,
                status, start_month, end_month, months, months_paid, months_forfeited, monthly_amount_fen,
                medical_premium_fen, contribution_months_used, determined_on, end_reason, explanation,
                parameter_set_version, catalogue_version, created_at)
            SELECT p.id, 'ui_benefit', 'TBBENCH' || p.id, %s, 'active', DATE '2026-11-01', DATE '2028-05-01',
                   18, 0, 0, 164700, 22000, 60, DATE '2026-11-01', '', '{}', 'bench', 1, now()
            FROM registry_person p WHERE p.residence_region_id = %s AND p.id_number LIKE 'B%%'
            """,
            [region_id, region_id],
        )


def _plain_sql(region_code: str) -> float:
    """The same steps as bare SQL: the baseline."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM regions_region WHERE code = %s", [region_code])
        (region_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO benefits_paymentrun (reference, region_id, month, kind, sequence, stage, started_at, "
            "payments, held, total_fen, medical_fen, file_name, file_sha256) VALUES "
            "('BASELINE', %s, DATE '2026-11-01', 'regular', 9, 'collecting', now(), 0, 0, 0, 0, '', '') "
            "RETURNING id",
            [region_id],
        )
        (run_id,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO benefits_payment (reference, entitlement_id, person_id, paying_region_id, item_code,
                kind, subject_code, period, amount_fen, status, hold_reason, run_id, account_name, bank_account,
                return_reason, offset_fen, created_at, sent_on, resolved_on)
            SELECT 'P' || %s || '-202611-' || e.id || '-' || k.letter, e.id, e.person_id, e.paying_region_id,
                   e.item_code, k.kind, k.subject, DATE '2026-11-01',
                   CASE k.kind WHEN 'benefit' THEN e.monthly_amount_fen ELSE e.medical_premium_fen END,
                   k.status, '', %s,
                   CASE k.kind WHEN 'benefit' THEN p.name ELSE '' END,
                   CASE k.kind WHEN 'benefit' THEN p.bank_account ELSE '' END,
                   '', 0, now(), DATE '2026-11-25',
                   CASE k.kind WHEN 'medical' THEN DATE '2026-11-25' END
            FROM benefits_entitlement e
            JOIN registry_person p ON p.id = e.person_id
            CROSS JOIN (VALUES ('benefit', 'B', '500101', 'sent'), ('medical', 'M', '500102', 'settled'))
                AS k(kind, letter, subject, status)
            WHERE e.paying_region_id = %s AND e.status = 'active'
              AND e.start_month <= DATE '2026-11-01' AND e.end_month > DATE '2026-11-01'
            """,
            [region_code, run_id, region_id],
        )
        cursor.execute(
            "UPDATE benefits_entitlement SET months_paid = months_paid + 1 WHERE id IN "
            "(SELECT entitlement_id FROM benefits_payment WHERE run_id = %s AND kind = 'benefit')",
            [run_id],
        )
        cursor.execute(
            "SELECT subject_code, SUM(amount_fen) FROM benefits_payment WHERE run_id = %s GROUP BY 1",
            [run_id],
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT reference, account_name, bank_account, amount_fen FROM benefits_payment "
            "WHERE run_id = %s AND kind = 'benefit' ORDER BY reference",
            [run_id],
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("reference", "account_name", "bank_account", "amount_fen"))
        writer.writerows(cursor.fetchall())
        (settings.BANK_DIR / "baseline.csv").write_text(buffer.getvalue())
    return time.perf_counter() - started


def _settle() -> None:
    """Both contenders start alike: no dead rows from the other's work, statistics fresh, and no
    checkpoint of the other's writes falling due in the middle of the measured run."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE benefits_entitlement, benefits_payment, registry_person")
            cursor.execute("CHECKPOINT")
    else:
        analyze()


def _reset() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE benefits_recovery, benefits_payment, benefits_paymentrun CASCADE")
        cursor.execute("UPDATE benefits_entitlement SET months_paid = 0")
    _settle()


def _ours(region_code: str) -> tuple[float, int]:
    started = time.perf_counter()
    result = payrun_execute(actor=BENCH_ACTOR, region_code=region_code, month=MONTH, on=ON)
    return time.perf_counter() - started, result.run.payments


@benchmark("payrun", needs_postgres=True)
def run(quick: bool) -> None:
    big = 50_000 if quick else 1_000_000
    settings.BANK_DIR.mkdir(parents=True, exist_ok=True)
    with scratch_database("payrun"):
        _seed("460100", big, 0)
        _seed("460200", 50_000, big)
        _settle()
        baseline = _plain_sql("460100")
        _reset()
        first, paid = _ours("460100")
        analyze()
        rerun, _ = _ours("460100")
        fifty, paid_fifty = _ours("460200")
    body = f"""
{big:,} running UI-benefit entitlements in the Haikou fund (each also pays a medical premium:
{2 * big:,} payments), {paid:,} lines in the bank file.

| what | seconds | ratio |
|---|---:|---:|
| plain SQL doing the same steps on the same tables (baseline) | {baseline:.1f} | 1.00 |
| `tongban payrun` — first run of the month | {first:.1f} | **{first / baseline:.2f}×** the baseline (target ≤ 2×) |
| the same run again (finished month: nothing new, same file) | {rerun:.2f} | **{rerun / first:.1%}** of the first run (target ≤ 10%) |
| a fund with 50,000 entitlements ({paid_fifty:,} bank lines) | {fifty:.1f} | |

Both write each payment once, sent with the bank details it goes to (premiums settled), and
count the months paid. Tongban's run does more than the baseline: arrears from 36 earlier
months, held months of suspended benefits, re-issues of returned payments, recovery offsets,
accounts without bank details, the end of exhausted entitlements, balanced ledger entries with
audit and outbox rows.
"""
    write_section(
        "payrun",
        "Payment runs at scale (PostgreSQL)",
        body,
        command="DATABASE_URL=postgres://… tongban bench payrun" + (" --quick" if quick else ""),
    )
