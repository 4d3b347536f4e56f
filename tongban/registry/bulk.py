"""The set-based load paths of the registry, shared by ``tongban import`` and the demo generator.

Rows arrive validated and with foreign keys resolved; each function loads them
in one statement per batch through :func:`tongban.core.bulk.bulk_upsert` (COPY
on PostgreSQL). They require the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection

from tongban.core import clock
from tongban.core.bulk import bulk_upsert
from tongban.registry.models import Contribution, Employer, InsuranceSpell, Person

EmployerRow = tuple[str, str, int]  # uscc, name, region_id
PersonRow = tuple[str, str, date, str, int, str, str]
# id_number, name, birth_date, sex, residence_region_id, phone, bank_account
SpellRow = tuple[int, int, int, date, date | None, int | None]
# person_id, employer_id, region_id, start_date, end_date, reason_id
ContributionRow = tuple[int, int, int, date, int, int]
# person_id, employer_id, region_id, month, base_fen, amount_fen
SeparationRow = tuple[int, int, date, int]  # person_id, employer_id, end_date, reason_id


def employers_load(rows: Iterable[EmployerRow]) -> int:
    return bulk_upsert(
        table=Employer._meta.db_table,
        columns=("uscc", "name", "region_id"),
        rows=rows,
        conflict=("uscc",),
        update=("name", "region_id"),
        constants={"created_at": clock.now()},
    )


PERSON_COLUMNS = (
    "id_number",
    "name",
    "birth_date",
    "sex",
    "residence_region_id",
    "phone",
    "bank_account",
)


def persons_load(rows: Iterable[PersonRow]) -> int:
    now = clock.now()
    return bulk_upsert(
        table=Person._meta.db_table,
        columns=PERSON_COLUMNS,
        rows=rows,
        conflict=("id_number",),
        update=("name", "residence_region_id", "phone", "bank_account"),
        touch=("updated_at",),
        constants={"created_at": now, "updated_at": now},
    )


def spells_load(rows: Iterable[SpellRow]) -> int:
    return bulk_upsert(
        table=InsuranceSpell._meta.db_table,
        columns=("person_id", "employer_id", "region_id", "start_date", "end_date", "reason_id"),
        rows=rows,
        conflict=("person_id", "employer_id", "start_date"),
        update=("region_id", "end_date", "reason_id"),
        constants={"created_at": clock.now()},
    )


def contributions_load(rows: Iterable[ContributionRow]) -> int:
    return bulk_upsert(
        table=Contribution._meta.db_table,
        columns=("person_id", "employer_id", "region_id", "month", "base_fen", "amount_fen"),
        rows=rows,
        conflict=("person_id", "employer_id", "month"),
    )


def separations_apply(rows: list[SeparationRow]) -> list[int]:
    """Close the open spell of each (person, employer) with its end date and reason.

    Returns the ids of the spells closed. Rows whose spell is not open change nothing.
    """
    if not rows:
        return []
    table = InsuranceSpell._meta.db_table
    closed: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            batch = rows[start : start + 2000]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
            params: list[Any] = [v for row in batch for v in row]
            if connection.vendor == "postgresql":
                source = f"(VALUES {values}) AS s(person_id, employer_id, end_date, reason_id)"
                casts = "s.end_date::date", "s.reason_id::bigint"
                match = "s.person_id::bigint", "s.employer_id::bigint"
            else:
                source = f"(SELECT column1 AS person_id, column2 AS employer_id, column3 AS end_date, column4 AS reason_id FROM (VALUES {values})) AS s"
                casts = "s.end_date", "s.reason_id"
                match = "s.person_id", "s.employer_id"
            cursor.execute(
                f"UPDATE {table} SET end_date = {casts[0]}, reason_id = {casts[1]} "
                f"FROM {source} "
                f"WHERE {table}.person_id = {match[0]} AND {table}.employer_id = {match[1]} "
                f"AND {table}.end_date IS NULL AND {table}.start_date < {casts[0]} "
                f"RETURNING {table}.id",
                params,
            )
            closed.extend(r[0] for r in cursor.fetchall())
    return closed
