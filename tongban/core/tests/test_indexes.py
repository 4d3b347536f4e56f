"""Indexes: what the models declare is built, and no index twins (PostgreSQL): every index is
written with every row, so none may be redundant.

Django gives a foreign key its own index and a ``unique`` or indexed text column a second,
``varchar_pattern_ops`` one for ``LIKE``. Beside a composite index that starts with the same
column, or where nothing searches with ``LIKE``, they only cost writes (docs/decisions/0207).
"""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's catalogue"
)

# The rows every claim writes (submit, initial review, re-review), the summary rows it adds to
# included: no LIKE index on them.
CLAIM_TABLES = [
    "cases_application", "cases_task", "cases_transition", "cases_archive", "core_auditevent",
    "core_outboxmessage", "benefits_entitlement", "cases_applicationtally",
    "cases_applicationmonthtally", "cases_stagetally", "cases_reasontally",
]  # fmt: skip

_INDEXES = """
SELECT i.indrelid::regclass::text, c.relname, i.indisunique, i.indpred IS NOT NULL,
       i.indkey::int2[], am.amname,
       EXISTS (SELECT 1 FROM unnest(i.indclass) oc JOIN pg_opclass o ON o.oid = oc
               WHERE o.opcname LIKE '%%pattern_ops')
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema()
"""


def _indexes() -> list[tuple[str, str, bool, bool, list[int], str, bool]]:
    with connection.cursor() as cursor:
        cursor.execute(_INDEXES)
        return [tuple(row) for row in cursor.fetchall()]


@postgresql_only
def test_no_index_is_a_prefix_of_another_on_the_same_table():
    """A plain B-tree index whose columns begin another plain one on the same table (a foreign
    key's own index beside a composite one) serves nothing the other does not. Django's own
    tables (``auth_``, ``django_``) are left as Django makes them."""
    plain = [
        (table, name, unique, columns)
        for table, name, unique, partial, columns, method, pattern in _indexes()
        if method == "btree" and not partial and not pattern
        and not table.startswith(("auth_", "django_"))
    ]  # fmt: skip
    twins = [
        f"{table}.{name} (a prefix of {other})"
        for table, name, unique, columns in plain
        if not unique
        for o_table, other, _, o_columns in plain
        if o_table == table and other != name and o_columns[: len(columns)] == columns
    ]
    assert len(plain) > 50  # the whole schema was read
    assert twins == []


@postgresql_only
def test_the_rows_a_claim_writes_have_no_like_index():
    like = [
        f"{table}.{name}"
        for table, name, *_, pattern in _indexes()
        if pattern and table in CLAIM_TABLES
    ]
    assert like == []


def test_every_constraint_and_index_the_models_declare_is_in_the_database():
    """The migrations built what the models say: every named constraint and index, every
    ``unique`` field's unique index, every indexed field's index. Django drops a foreign key's
    indexes by column when it loses ``db_index``, and once took a partial unique constraint's
    index with them (ADR 0207); the migrations now drop indexes by name."""
    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model.__module__.startswith("tongban."):
                continue
            meta = model._meta
            present = connection.introspection.get_constraints(cursor, meta.db_table)
            declared = {c.name for c in meta.constraints} | {i.name for i in meta.indexes}
            missing += [f"{meta.db_table}.{name}" for name in sorted(declared - set(present))]
            for field in meta.local_concrete_fields:
                column = [field.column]
                if (
                    field.unique
                    and not field.primary_key
                    and not any(c["unique"] and c["columns"] == column for c in present.values())
                ):
                    missing.append(f"{meta.db_table}.{field.column} (unique)")
                if (
                    field.db_index
                    and not field.unique
                    and not any(c["index"] and c["columns"][:1] == column for c in present.values())
                ):
                    missing.append(f"{meta.db_table}.{field.column} (index)")
    assert missing == []
