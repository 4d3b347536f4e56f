"""Contribution rows per second: the demo generator and ``tongban import``, against raw COPY.

All three load the same rows into the same, empty ``registry_contribution`` table
(same indexes, same foreign keys) and include the commit, where PostgreSQL checks
the deferred foreign keys. The generator path includes generating the rows; the
import path includes reading, validating and resolving the CSV file.
"""

from __future__ import annotations

import io
import tempfile
from datetime import date
from pathlib import Path

from django.db import connection, transaction

from tongban.bench.registry import benchmark
from tongban.bench.report import write_section
from tongban.bench.scratch import BENCH_ACTOR, analyze, scratch_database, timed
from tongban.core.bulk import copy_text
from tongban.core.imports import import_file
from tongban.demo.load import load_province
from tongban.demo.synthetic import synthesize, write_csv
from tongban.registry.models import Contribution

AS_OF = date(2026, 11, 26)


def _expect(condition: bool, failure: str) -> None:
    if not condition:
        raise RuntimeError(f"benchmark invalid: {failure}")


def _truncate() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Contribution._meta.db_table}")


@benchmark("registry_load", needs_postgres=True)
def run(quick: bool) -> None:
    scale = 0.2 if quick else 1.0
    with scratch_database("registry"), tempfile.TemporaryDirectory() as tmp:
        province = synthesize(scale=scale, seed=2026, as_of=AS_OF)
        stats = load_province(province)  # employers, persons, spells, then contributions
        rows = stats.rows["contributions"]
        generator_seconds = stats.seconds["contributions"]
        analyze()

        # The same rows, resolved to ids and rendered as COPY text before the clock starts.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT person_id, employer_id, region_id, month, base_fen, amount_fen "
                f"FROM {Contribution._meta.db_table}"
            )
            resolved = cursor.fetchall()
        text = io.StringIO()
        for row in resolved:
            text.write("\t".join(map(copy_text, row)) + "\n")
        payload = text.getvalue()
        del resolved

        _truncate()

        statement = (
            f"COPY {Contribution._meta.db_table} "
            "(person_id, employer_id, region_id, month, base_fen, amount_fen) FROM STDIN"
        )

        def raw_copy() -> None:
            with (
                transaction.atomic(durable=True),
                connection.cursor() as cursor,
                cursor.cursor.copy(statement) as copy,
            ):
                for start in range(0, len(payload), 1 << 20):
                    copy.write(payload[start : start + (1 << 20)])

        copy_seconds = timed(raw_copy)
        _expect(Contribution.objects.count() == rows, "raw COPY loaded a different number of rows")

        _truncate()
        paths = write_csv(province, Path(tmp))
        del paths["employers"], paths["persons"], paths["spells"]
        summary = None

        def tongban_import() -> None:
            nonlocal summary
            summary = import_file(
                kind="contributions", path=paths["contributions"], actor=BENCH_ACTOR, as_of=AS_OF
            )

        import_seconds = timed(tongban_import)
        _expect(summary is not None and not summary.rejected, "the import rejected rows")
        _expect(
            Contribution.objects.count() == rows, "the import loaded a different number of rows"
        )
        again_seconds = timed(tongban_import)  # the same file again: nothing changes
        _expect(summary is not None and summary.changed == 0, "a second import changed rows")

    copy_rate = rows / copy_seconds
    generator_rate = rows / generator_seconds
    import_rate = rows / import_seconds
    body = f"""
{rows:,} contribution rows ({len(province.persons):,} people, synthetic scale {scale}) into an
empty `registry_contribution` (unique key, two indexes, three deferred foreign keys), commit included.

| path | seconds | rows/s | ratio to raw COPY |
|---|---:|---:|---:|
| raw `COPY` of the resolved rows (baseline) | {copy_seconds:.2f} | {copy_rate:,.0f} | 1.00 |
| demo generator → `registry.bulk.contributions_load` | {generator_seconds:.2f} | {generator_rate:,.0f} | **{generator_rate / copy_rate:.2f}** |
| `tongban import contributions` (CSV read, validated, resolved, loaded) | {import_seconds:.2f} | {import_rate:,.0f} | **{import_rate / copy_rate:.2f}** |
| the same import again (nothing changes) | {again_seconds:.2f} | {rows / again_seconds:,.0f} | {rows / again_seconds / copy_rate:.2f} |

Target (issue 2): at least 0.3× raw COPY for the generator and the import. Both paths
stage rows with COPY and insert them with one `INSERT … SELECT … ON CONFLICT DO NOTHING`
per 50,000-row chunk; neither saves a row at a time.
"""
    write_section(
        "registry_load",
        "Registry: contribution rows loaded per second (PostgreSQL)",
        body,
        command="DATABASE_URL=postgres://… tongban bench registry_load"
        + (" --quick" if quick else ""),
    )
