"""Kill the payment run (SIGKILL) at many points on PostgreSQL, run it again, and check nothing broke.

Each trial starts from the same database (cloned from a template), kills ``tongban payrun``
at each named step and after random delays within a clean run's time, reruns it, then
checks: exactly one live payment per (entitlement, month, kind); balanced books; the bank
file byte-identical to a clean run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from tongban.benefits.models import Entitlement
from tongban.core.months import add_months
from tongban.regions.models import Region
from tongban.registry.models import Person
from tongban.registry.tests.factories import citizen_id

pytestmark = [
    pytest.mark.transactional,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SIGKILL trials clone PostgreSQL databases"
    ),
]

REGION, MONTH = "460200", "2026-11"
CHECKPOINTS = ["start", "inserted", "sent", "posted", "committed", "file"]
RANDOM_KILLS = 10  # besides the named points: SIGKILL after a random share of a clean run's time


def _seed(people: int) -> None:
    sanya = Region.objects.get(code=REGION)
    now = timezone.now()
    persons = Person.objects.bulk_create(
        Person(
            id_number=citizen_id("460200", date(1970, 1, 1) + timedelta(days=i), seq=i),
            name=f"测试{i}",
            birth_date=date(1985, 1, 1),
            sex="M",
            residence_region=sanya,
            bank_account="" if i % 97 == 0 else f"62220{i:014d}",
            created_at=now,
            updated_at=now,
        )
        for i in range(people)
    )
    Entitlement.objects.bulk_create(
        Entitlement(
            person=p,
            item_code="ui_benefit",
            application_reference=f"TBCRASH{i:08d}",
            paying_region=sanya,
            status="suspended" if i % 41 == 0 else "active",
            start_month=add_months(date(2026, 11, 1), -(i % 4)),
            end_month=add_months(date(2026, 11, 1), 12 - (i % 4)),
            months=12,
            monthly_amount_fen=164700,
            medical_premium_fen=22000,
            determined_on=date(2026, 11, 1),
            explanation={},
            parameter_set_version="crash",
            catalogue_version=1,
            created_at=now,
        )
        for i, p in enumerate(persons)
    )


def _admin() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres",
        dbname="postgres", autocommit=True,
    )  # fmt: skip


def _clone(admin: psycopg.Connection, template: str, name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _payrun(
    name: str, var: Path, *, kill_at: str | None = None, kill_after: float | None = None
) -> int:
    env = {
        **os.environ,
        "DATABASE_URL": _url(name),
        "TONGBAN_VAR_DIR": str(var),
        "TONGBAN_LOG_LEVEL": "CRITICAL",
    }
    env.pop("TONGBAN_PAYRUN_KILL_AT", None)
    if kill_at:
        env["TONGBAN_PAYRUN_KILL_AT"] = kill_at
    process = subprocess.Popen(
        [sys.executable, "-m", "tongban.cli", "payrun", "--region", REGION, "--month", MONTH],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    if kill_after is not None:
        time.sleep(kill_after)
        process.send_signal(signal.SIGKILL)
    return process.wait(timeout=300)


def _check(name: str) -> tuple[int, int, int]:
    with psycopg.connect(_url(name).replace("postgres://", "postgresql://")) as db:
        duplicates = _scalar(
            db,
            "SELECT COUNT(*) FROM (SELECT entitlement_id, period, kind FROM benefits_payment "
            "WHERE status NOT IN ('returned', 'cancelled') GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) d",
        )
        unbalanced = _scalar(
            db,
            "SELECT COUNT(*) FROM (SELECT entry_id FROM ledger_journalline GROUP BY entry_id "
            "HAVING SUM(debit_fen) <> SUM(credit_fen)) u",
        )
        payments = _scalar(db, "SELECT COUNT(*) FROM benefits_payment")
    return duplicates, unbalanced, payments


def _scalar(db: psycopg.Connection, sql: str) -> int:
    row = db.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_sigkill_at_many_points_then_rerun(reference_data_committed, tmp_path):
    _seed(3000)
    base = f"{connection.settings_dict['NAME']}_crash_base"
    connections.close_all()
    admin = _admin()
    clones: list[str] = []
    try:
        _clone(admin, connection.settings_dict["NAME"], base)
        clean = f"{base}_clean"
        _clone(admin, base, clean)
        clones.append(clean)
        started = time.perf_counter()
        assert _payrun(clean, tmp_path / "clean") == 0
        clean_run = time.perf_counter() - started  # the random kills land within a whole run
        expected = (tmp_path / "clean" / "bank" / REGION / f"{REGION}-{MONTH}.csv").read_bytes()
        expected_counts = _check(clean)
        assert expected_counts[:2] == (0, 0) and expected_counts[2] > 3000

        rng = random.Random(2026)
        trials: list[dict[str, Any]] = [{"kill_at": point} for point in CHECKPOINTS]
        trials += [{"kill_after": rng.uniform(0.1, 0.95) * clean_run} for _ in range(RANDOM_KILLS)]
        killed_mid_run = 0
        for n, trial in enumerate(trials):
            name = f"{base}_{n}"
            _clone(admin, base, name)
            clones.append(name)
            var = tmp_path / f"trial{n}"
            killed = _payrun(name, var, **trial)
            assert killed != 0 or "kill_after" in trial, trial  # a named point always kills it
            killed_mid_run += killed != 0 and "kill_after" in trial
            assert _payrun(name, var) == 0, trial
            assert _check(name) == expected_counts, trial
            produced = (var / "bank" / REGION / f"{REGION}-{MONTH}.csv").read_bytes()
            assert produced == expected, trial
            assert _payrun(name, var) == 0  # and a rerun of the finished month changes nothing
            assert _check(name) == expected_counts
        # Most random kills must have caught the run alive, or they tested nothing.
        assert killed_mid_run >= RANDOM_KILLS // 2, killed_mid_run
    finally:
        for name in [*clones, base]:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
