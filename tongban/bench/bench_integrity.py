"""Integrity at scale: the national comparison against plain SQL, and the cost of real-time checks.

1. **National comparison.** 1,000,000 running UI benefits (1,200,000 people) against a
   10,000,000-row deaths file: ``tongban import deaths`` (read, check, load, match, findings
   with their suspensions, tasks, audit rows and notices) against a plain SQL semi-join of the
   same file in the same run (``COPY`` into an unlogged table, then ``WHERE id_number IN
   (watched people)``). DuckDB on the same extract (the file and the watched ID numbers as
   CSV) is reported as a reference, from its own virtual environment (ADR 0302).
2. **Real-time checks.** ``tongban import contributions`` with the checks on, against the same
   import with the hook muted; the ratio of rows per second. Runs alternate (off, on, off, on)
   on an emptied contributions table, and each "on" file brings different recipients, so each
   run finds and suspends the same number of benefits.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from tongban.bench.registry import benchmark
from tongban.bench.report import write_section
from tongban.bench.scratch import BENCH_ACTOR, analyze, scratch_database, timed
from tongban.core.hooks import muted
from tongban.core.imports import ImportSummary, import_file
from tongban.registry.hooks import CONTRIBUTIONS_RECORDED

AS_OF = date(2026, 11, 26)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
DUCKDB_VERSION = "1.4.1"
DUCKDB_VENV = Path(settings.BASE_DIR) / "var" / "bench" / "duckdb-venv"
UNKNOWN_ADDRESSES = ("110105", "310104", "440305", "510107", "330106", "420106")


def _expect(condition: bool, failure: str) -> None:
    if not condition:
        raise RuntimeError(f"benchmark invalid: {failure}")


def _sum(text: str, offset: int = 0) -> int:
    return sum(int(c) * w for c, w in zip(text, WEIGHTS[offset:], strict=False))


# ---- the population ---------------------------------------------------------------------------


def _seed(people: int, recipients: int) -> None:
    """People with valid ID numbers (Haikou address code), the first ``recipients`` of them
    receiving UI benefit from Sanya's fund since November 2026; written by SQL."""
    digits = " + ".join(
        f"{w} * (ascii(substr(body, {i + 1}, 1)) - 48)" for i, w in enumerate(WEIGHTS)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM regions_region")
        regions = dict(cursor.fetchall())
        cursor.execute(
            f"""
            INSERT INTO registry_person (id_number, name, birth_date, sex, residence_region_id,
                phone, bank_account, created_at, updated_at)
            SELECT body || substr('10X98765432', (({digits}) %% 11) + 1, 1), '测试' || i, born,
                   CASE WHEN i %% 2 = 1 THEN 'M' ELSE 'F' END, %s, '', '6222' || lpad(i::text, 15, '0'),
                   now(), now()
            FROM (
                SELECT i, DATE '1966-01-01' + (i %% 15000) AS born,
                       '460100' || to_char(DATE '1966-01-01' + (i %% 15000), 'YYYYMMDD')
                       || lpad(((i / 15000) %% 500 * 2 + i %% 2)::text, 3, '0') AS body
                FROM generate_series(1, %s) AS i
            ) AS s
            """,
            [regions["460100"], people],
        )
        cursor.execute(
            """
            INSERT INTO benefits_entitlement (person_id, item_code, application_reference,
                paying_region_id, status, start_month, end_month, months, months_paid,
                months_forfeited, monthly_amount_fen, medical_premium_fen,
                contribution_months_used, determined_on, end_reason, explanation,
                parameter_set_version, catalogue_version, created_at)
            SELECT p.id, 'ui_benefit', 'TBBENCH' || p.id, %s, 'active', DATE '2026-11-01',
                   DATE '2028-05-01', 18, 0, 0, 164700, 22000, 60, DATE '2026-11-01', '', '{}',
                   'bench', 1, now()
            FROM registry_person p ORDER BY p.id LIMIT %s
            """,
            [regions["460200"], recipients],
        )


def _ids(order: str, limit: int, offset: int = 0) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_number FROM registry_person ORDER BY id {order} LIMIT %s OFFSET %s",
            [limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def _deaths_file(path: Path, rows: int, watched: list[str], known: list[str]) -> int:
    """A deaths file: mostly people unknown here (valid numbers from other provinces), some
    known people without benefit, ``watched`` recipients (the true matches), and a few
    malformed lines. Returns the number of malformed lines."""
    prefix_sums = {}
    births = [date.fromordinal(date(1950, 1, 1).toordinal() + k) for k in range(0, 20000, 3)]
    for address in UNKNOWN_ADDRESSES:
        for born in births:
            body = f"{address}{born:%Y%m%d}"
            prefix_sums[body] = _sum(body)
    prefixes = list(prefix_sums.items())
    seq_sums = [(f"{s:03d}", _sum(f"{s:03d}", 14)) for s in range(1000)]
    check = "10X98765432"
    days = [f"2026-{m:02d}-{d:02d}" for m in range(1, 11) for d in range(1, 29)]
    special = {}
    step = max(1, rows // (len(watched) + len(known) + 100))
    position = 7
    for number in watched:
        special[position] = f"{number},2026-11-10\n"
        position += step
    for number in known:
        special[position] = f"{number},2026-10-03\n"
        position += step
    malformed = 0
    for n in range(100):
        special[position] = ("ABC,2026-10-02\n", f"{known[0]},2026-02-30\n")[n % 2]
        position += step
        malformed += 1
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id_number,date\n")
        buffer: list[str] = []
        n_prefix, n_seq, n_days = len(prefixes), len(seq_sums), len(days)
        for i in range(rows):
            line = special.get(i)
            if line is None:
                body, total = prefixes[(i * 7919) % n_prefix]
                seq, seq_total = seq_sums[(i // n_prefix) % n_seq]
                line = f"{body}{seq}{check[(total + seq_total) % 11]},{days[i % n_days]}\n"
            buffer.append(line)
            if len(buffer) >= 100_000:
                out.write("".join(buffer))
                buffer = []
        out.write("".join(buffer))
    return malformed


# ---- 1. the national comparison ------------------------------------------------------------


def _plain_semi_join(path: Path) -> tuple[float, int]:
    """COPY the file into an unlogged table and semi-join it with the watched people."""
    started = time.perf_counter()
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        # The same session settings as the import's scan (integrity.comparison), so the
        # baseline gets the parallel plan too.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
        cursor.execute("CREATE UNLOGGED TABLE bench_plain (id_number text, date text)")
        with (
            cursor.cursor.copy(
                "COPY bench_plain FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
            path.open("rb") as source,
        ):
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        cursor.execute(
            "SELECT c.id_number, c.date FROM bench_plain c WHERE c.id_number IN ("
            "SELECT p.id_number FROM registry_person p JOIN benefits_entitlement e "
            "ON e.person_id = p.id WHERE e.status IN ('active', 'suspended'))"
        )
        matched = len(cursor.fetchall())
        cursor.execute("DROP TABLE bench_plain")
    return time.perf_counter() - started, matched


def ensure_duckdb() -> Path | str:
    """DuckDB's Python, in its own venv under var/bench (installed when missing), or an error."""
    python = DUCKDB_VENV / "bin" / "python"
    try:
        if not python.exists():
            base = shutil.which("python3.11") or sys.executable
            subprocess.run([base, "-m", "venv", str(DUCKDB_VENV)], check=True, capture_output=True)
        probe = subprocess.run(
            [str(python), "-c", "import importlib.metadata as m; print(m.version('duckdb'))"],
            capture_output=True,
            text=True,
        )
        if probe.stdout.strip() != DUCKDB_VERSION:
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={DUCKDB_VERSION}"],
                check=True,
                capture_output=True,
                text=True,
            )
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        return f"DuckDB unavailable: {str(detail).strip().splitlines()[-1:]}"
    return python


DUCKDB_SCRIPT = """
import json, sys, time, duckdb
file, watched = sys.argv[1], sys.argv[2]
best = None
for _ in range(2):
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    rows = con.execute(
        "SELECT c.id_number, c.date FROM read_csv(?, header = true, "
        "columns = {'id_number': 'VARCHAR', 'date': 'VARCHAR'}) c "
        "WHERE c.id_number IN (SELECT id_number FROM read_csv(?, header = true, "
        "columns = {'id_number': 'VARCHAR'}))",
        [file, watched],
    ).fetchall()
    seconds = time.perf_counter() - started
    con.close()
    best = seconds if best is None else min(best, seconds)
print(json.dumps({"seconds": best, "matched": len(rows), "version": duckdb.__version__}))
"""


def _duckdb(path: Path, tmp: Path) -> dict[str, object] | str:
    python = ensure_duckdb()
    if isinstance(python, str):
        return python
    watched = tmp / "watched.csv"
    with connection.cursor() as cursor, watched.open("w") as out:
        out.write("id_number\n")
        cursor.execute(
            "SELECT p.id_number FROM registry_person p JOIN benefits_entitlement e "
            "ON e.person_id = p.id WHERE e.status IN ('active', 'suspended')"
        )
        while rows := cursor.fetchmany(100_000):
            out.write("".join(f"{r[0]}\n" for r in rows))
    script = tmp / "duckdb_peer.py"
    script.write_text(DUCKDB_SCRIPT)
    completed = subprocess.run(
        [str(python), str(script), str(path), str(watched)], capture_output=True, text=True
    )
    if completed.returncode != 0:
        return f"DuckDB failed: {completed.stderr.strip().splitlines()[-1:]}"
    result: dict[str, object] = json.loads(completed.stdout)
    return result


# ---- 2. real-time checks on a contributions import ------------------------------------------


def _contributions_file(path: Path, numbers: list[str], recipients: list[str], uscc: str) -> int:
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("id_number,uscc,region_code,month,base_fen,amount_fen\n")
        for number in numbers:
            for month in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10"):
                out.write(f"{number},{uscc},460100,{month},500000,5000\n")
                rows += 1
        for number in recipients:  # paid while receiving benefit: each one a finding
            out.write(f"{number},{uscc},460100,2026-11,500000,5000\n")
            rows += 1
    return rows


def _load_contributions(path: Path, rows: int) -> None:
    summary = import_file(kind="contributions", path=path, actor=BENCH_ACTOR, as_of=AS_OF)
    _expect(summary.changed == rows and not summary.rejected, summary.lines()[0])


def _undo_findings() -> None:
    """Between trials: the findings, their tasks, notices and suspensions undone (bench only)."""
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("DELETE FROM integrity_finding")
        cursor.execute("DELETE FROM cases_task")
        cursor.execute("DELETE FROM core_outboxmessage")
        cursor.execute("DELETE FROM core_recordednotice")
        cursor.execute(
            "UPDATE benefits_entitlement SET status = 'active', held_from = NULL "
            "WHERE status = 'suspended'"
        )


def _truncate_contributions() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_contribution")


@benchmark("integrity", needs_postgres=True)
def run(quick: bool) -> None:
    recipients = 100_000 if quick else 1_000_000
    people = recipients + recipients // 5
    file_rows = 1_000_000 if quick else 10_000_000
    true_matches = 100 if quick else 1_000
    contribution_people = 20_000 if quick else 100_000
    checked_recipients = 100 if quick else 500
    with scratch_database("integrity"), tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _seed(people, recipients)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO registry_employer (uscc, name, region_id, created_at) "
                "SELECT '91460100MA5T00000H', '海口基准企业', id, now() FROM regions_region "
                "WHERE code = '460100'"
            )
        analyze()
        watched = _ids("ASC", true_matches, offset=recipients // 3)
        known = _ids("DESC", 10 * true_matches)  # people without benefit
        path = tmp / "deaths.csv"
        malformed = _deaths_file(path, file_rows, watched, known)

        # 1. The comparison: two trials, each plain SQL then tongban import on the same state
        # (the findings of the first trial undone between them); then the same file again.
        plain_runs: list[float] = []
        import_runs: list[float] = []
        summary: ImportSummary | None = None

        def tongban_import() -> None:
            nonlocal summary
            summary = import_file(kind="deaths", path=path, actor=BENCH_ACTOR, as_of=AS_OF)

        for trial in range(2):
            if trial:
                _undo_findings()
            plain_seconds, plain_matched = _plain_semi_join(path)
            _expect(plain_matched == true_matches, f"plain SQL matched {plain_matched}")
            plain_runs.append(plain_seconds)
            import_runs.append(timed(tongban_import))
            assert summary is not None
            first = summary
            _expect(first.changed == true_matches, f"the import found {first.changed} matches")
            _expect(
                len({e.row for e in first.rejected}) == malformed,
                f"rows rejected: {first.lines()[:4]}",
            )
        again_seconds = timed(tongban_import)
        assert summary is not None
        _expect(summary.changed == 0, "loading the file again changed something")
        peer = _duckdb(path, tmp)

        # 2. Real-time checks on a contributions import.
        others = _ids("DESC", contribution_people, offset=10 * true_matches)
        first_half = _ids("ASC", checked_recipients, offset=recipients // 2)
        second_half = _ids("ASC", checked_recipients, offset=recipients // 2 + checked_recipients)
        files = []
        for n, chosen in enumerate((first_half, second_half)):
            file = tmp / f"contributions{n}.csv"
            rows = _contributions_file(file, others, chosen, "91460100MA5T00000H")
            files.append(file)
        off_runs: list[float] = []
        on_runs: list[float] = []
        findings_before = _count("integrity_finding")
        for file in files:
            _truncate_contributions()
            with muted(CONTRIBUTIONS_RECORDED):
                off_runs.append(timed(partial(_load_contributions, file, rows)))
            _truncate_contributions()
            on_runs.append(timed(partial(_load_contributions, file, rows)))
        found = _count("integrity_finding") - findings_before
        _expect(found == 2 * checked_recipients, f"the checks found {found} benefits")

    off = statistics.median(off_runs)
    on = statistics.median(on_runs)
    plain_best = min(plain_runs)
    import_seconds = min(import_runs)
    duck = (
        f"| DuckDB {peer['version']} on the same extract (read_csv + semi-join, 2 threads, "
        f"best of 2; reference) | {peer['seconds']:.2f} | {file_rows / float(peer['seconds']):,.0f} "  # type: ignore[arg-type]
        f"| {float(peer['seconds']) / plain_best:.2f} |"  # type: ignore[arg-type]
        if isinstance(peer, dict)
        else f"| DuckDB | — | — | {peer} |"
    )
    body = f"""
### 1. National comparison: {recipients:,} running benefits against a {file_rows:,}-row file

{people:,} people; {recipients:,} running UI benefits; a deaths file of {file_rows:,} rows
({true_matches:,} true matches, {len(known):,} known people without benefit,
{malformed} malformed lines, the rest people unknown here). Times include the commit.

| path | seconds | rows/s | ratio to plain SQL |
|---|---:|---:|---:|
| plain SQL: `COPY` into an unlogged table + `WHERE id_number IN (watched)` (baseline, best of 2: {", ".join(f"{t:.2f}" for t in plain_runs)}) | {plain_best:.2f} | {file_rows / plain_best:,.0f} | 1.00 |
| `tongban import deaths`: read, check every line, load, match, {true_matches:,} findings with suspensions, tasks, audit rows and notices (best of 2: {", ".join(f"{t:.2f}" for t in import_runs)}) | {import_seconds:.2f} | {file_rows / import_seconds:,.0f} | **{import_seconds / plain_best:.2f}** |
| the same file again (nothing new) | {again_seconds:.2f} | {file_rows / again_seconds:,.0f} | {again_seconds / plain_best:.2f} |
{duck}

Target: at most 1.5× the plain semi-join. Summary of the import: {first.lines()[0]}

### 2. Real-time checks: contributions import with the checks on and off

{rows:,} contribution rows per file ({contribution_people:,} people × 5 months, and
{checked_recipients} recipients paid a November contribution, each of whom the checks find,
suspend and send to review). Median of two runs each, alternating, on an emptied table.

| import | seconds | rows/s |
|---|---:|---:|
| checks off (hook muted) | {off:.2f} | {rows / off:,.0f} |
| checks on | {on:.2f} | {rows / on:,.0f} |
| **ratio on / off** | | **{off / on:.2f}** |

Target: at least 0.8×. The check costs one look-up of running benefits per 50,000-row chunk
(the chunk's person ids, set-based), then work only for the recipients among them.
"""
    write_section(
        "integrity",
        "Integrity: national comparison and real-time checks (PostgreSQL)",
        body,
        command="DATABASE_URL=postgres://… tongban bench integrity" + (" --quick" if quick else ""),
    )


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return int(cursor.fetchone()[0])
