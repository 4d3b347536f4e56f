"""The ledger on PostgreSQL: posting latency over a long run, and reports over 10 M lines.

1. Posting: 20,000 entries through ``entry_post``, each in its own transaction (the
   deferred balance trigger runs at every commit), starting from empty tables whose
   statistics were taken while empty — the case that once made a balance trigger slow
   down as the table grew (STYLE.md #13). p50/p99 of the first and the last 1,000 are
   compared; a few hundred postings with the balance trigger disabled give the baseline.
2. Reports: 10 M journal lines (5 M two-line entries over 19 books and five years) are
   generated in SQL; each report is timed against a bare ``GROUP BY`` over the same
   lines in the same run (median of five runs each). Then postings are timed again on
   top of the 10 M lines.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connection

from tongban.bench.registry import benchmark
from tongban.bench.report import percentile, write_section
from tongban.bench.scratch import BENCH_ACTOR, analyze, scratch_database
from tongban.core.transactions import unit_of_work
from tongban.ledger.selectors import (
    books_list,
    funds_coverage,
    trial_balance,
    trial_balances_by_fund,
)
from tongban.ledger.services import entry_post

START = date(2022, 1, 1)
AS_OF = date(2026, 12, 31)
REGION_WEIGHTS = (30, 11, 1, 10, 2, 6, 6, 6, 5, 3, 3, 5, 5, 2, 3, 5, 4, 2, 2)


def _expect(condition: bool, failure: str) -> None:
    if not condition:
        raise RuntimeError(f"benchmark invalid: {failure}")


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def _post_many(count: int, offset: int) -> tuple[list[float], list[float]]:
    """``count`` postings through the service, alternating funds, each committed on its own.

    Returns milliseconds per posting end to end, and of the deferred checks alone (the
    balance triggers and the foreign keys, fired by ``SET CONSTRAINTS ALL IMMEDIATE`` just
    before the commit), which other load on the machine disturbs far less.
    """
    codes = [b.fund.region.code for b in books_list()]
    totals, checks = [], []
    for i in range(count):
        amount = 10_000 + (offset + i) % 997
        lines = [("500101", amount, 0), ("500102", 1_000, 0), ("1003", 0, amount + 1_000)]
        started = time.perf_counter()
        with unit_of_work():
            entry_post(
                actor=BENCH_ACTOR,
                region_code=codes[(offset + i) % len(codes)],
                entry_date=AS_OF,
                description="bench",
                lines=lines,
                source_type="bench",
                source_ref=f"B{offset + i}",
            )
            checked = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checks.append((time.perf_counter() - checked) * 1000)
        totals.append((time.perf_counter() - started) * 1000)
    return totals, checks


def _trigger(enabled: bool) -> None:
    state = "ENABLE" if enabled else "DISABLE"
    _sql(f"ALTER TABLE ledger_journalline {state} TRIGGER ledger_line_balanced")


def _stats(run: tuple[list[float], list[float]]) -> str:
    totals, checks = run
    return (
        f"{percentile(totals, 50):.2f} | {percentile(totals, 99):.2f} | "
        f"{percentile(checks, 50):.3f} | {percentile(checks, 99):.3f}"
    )


def _median_seconds(run: Callable[[], object], times: int = 5) -> float:
    run()  # warm the cache once
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _generate_lines(entries: int) -> None:
    """``entries`` two-line entries (debit one account, credit another) spread over the books."""
    books = [b.pk for b in books_list()]
    weights = ",".join(
        f"({i}, {books[i]}, {sum(REGION_WEIGHTS[:i])}, {sum(REGION_WEIGHTS[: i + 1])})"
        for i in range(len(books))
    )
    accounts = [r[0] for r in _sql("SELECT id FROM ledger_account WHERE is_postable ORDER BY code")]
    days = (AS_OF - START).days + 1
    total = sum(REGION_WEIGHTS)
    base = int(_sql("SELECT coalesce(max(id), 0) FROM ledger_journalentry")[0][0])  # type: ignore[call-overload]
    _sql("SET session_replication_role = replica")  # generated data: no triggers, no FK checks
    try:
        _sql(
            f"""
            INSERT INTO ledger_journalentry (id, book_id, entry_date, description, source_type,
                source_ref, created_at, actor_kind, actor_label)
            SELECT %s + g, w.book_id, %s::date + (g * 7919 %% {days})::int, 'generated', 'bench_bulk', '',
                   now(), 'operator', 'bench'
            FROM generate_series(1::bigint, %s) AS g
            JOIN (VALUES {weights}) AS w(i, book_id, lo, hi)
              ON (g * 104729 %% {total}) >= w.lo AND (g * 104729 %% {total}) < w.hi
            """,
            [base, START, entries],
        )
        _sql(
            f"""
            INSERT INTO ledger_journalline (entry_id, book_id, entry_date, account_id,
                debit_fen, credit_fen)
            SELECT e.id, e.book_id, e.entry_date,
                   (ARRAY{accounts})[1 + ((e.id * 31 + side * 17) %% {len(accounts)})],
                   CASE WHEN side = 0 THEN 100 + e.id %% 100000 ELSE 0 END,
                   CASE WHEN side = 1 THEN 100 + e.id %% 100000 ELSE 0 END
            FROM ledger_journalentry e CROSS JOIN (VALUES (0), (1)) AS s(side)
            WHERE e.source_type = 'bench_bulk'
            """
        )
    finally:
        _sql("SET session_replication_role = origin")
    _sql(
        "SELECT setval(pg_get_serial_sequence('ledger_journalentry', 'id'), "
        "(SELECT max(id) FROM ledger_journalentry))"
    )


@benchmark("ledger", needs_postgres=True)
def run(quick: bool) -> None:
    postings = 2_000 if quick else 20_000
    entries = 500_000 if quick else 5_000_000
    window = postings // 20
    with scratch_database("ledger"):
        load_before = os.getloadavg()[0]
        analyze()  # statistics taken while the ledger is empty: the trap of STYLE.md #13
        totals, checks = _post_many(postings, 0)
        first = (totals[:window], checks[:window])
        last = (totals[-window:], checks[-window:])
        _expect(percentile(last[1], 50) < 3 * percentile(first[1], 50), "the checks slowed down")
        # The trigger off and on, interleaved in rounds so that other load hits both alike.
        off: tuple[list[float], list[float]] = ([], [])
        on: tuple[list[float], list[float]] = ([], [])
        rounds = 10
        for r in range(rounds):
            for enabled, into in ((False, off), (True, on)):
                _trigger(enabled)
                run_totals, run_checks = _post_many(
                    window // rounds, postings + (2 * r + enabled) * window
                )
                into[0].extend(run_totals)
                into[1].extend(run_checks)
        _trigger(True)

        started = time.perf_counter()
        _generate_lines(entries)
        _sql("VACUUM ANALYZE ledger_journalline")
        _sql("VACUUM ANALYZE ledger_journalentry")
        generate_seconds = time.perf_counter() - started
        lines = int(_sql("SELECT count(*) FROM ledger_journalline")[0][0])  # type: ignore[call-overload]
        _expect(lines >= 2 * entries, "the lines were not generated")

        haikou = books_list().get(fund__region__code="460100").pk
        bare_all = _median_seconds(
            lambda: _sql(
                "SELECT account_id, sum(debit_fen), sum(credit_fen) "
                "FROM ledger_journalline GROUP BY account_id"
            )
        )
        province = _median_seconds(lambda: trial_balance(region_code=None, as_of=AS_OF))
        _expect(
            trial_balance(region_code=None, as_of=AS_OF).balanced, "the province does not balance"
        )
        bare_book = _median_seconds(
            lambda: _sql(
                "SELECT account_id, sum(debit_fen), sum(credit_fen) FROM ledger_journalline "
                "WHERE book_id = %s GROUP BY account_id",
                [haikou],
            )
        )
        one_fund = _median_seconds(lambda: trial_balance(region_code="460100", as_of=AS_OF))
        bare_funds = _median_seconds(
            lambda: _sql(
                "SELECT book_id, account_id, sum(debit_fen), sum(credit_fen) "
                "FROM ledger_journalline GROUP BY book_id, account_id"
            )
        )
        by_fund = _median_seconds(lambda: trial_balances_by_fund(as_of=AS_OF))
        coverage = _median_seconds(lambda: funds_coverage(as_of=AS_OF))
        haikou_lines = int(
            _sql("SELECT count(*) FROM ledger_journalline WHERE book_id = %s", [haikou])[0][0]  # type: ignore[call-overload]
        )
        late = _post_many(window, postings + 3 * window * rounds)
        plan = "\n".join(
            str(r[0])
            for r in _sql(
                "EXPLAIN SELECT COALESCE(SUM(debit_fen) - SUM(credit_fen), 0) "
                "FROM ledger_journalline WHERE entry_id = 12345"
            )
        )

    load_after = os.getloadavg()[0]

    def ratio(report: float, bare: float) -> str:
        return f"**{report / bare:.2f}**"

    body = f"""
### Posting latency (`ledger.services.entry_post`, one three-line entry per transaction)

{postings:,} postings from empty tables analysed while empty, each committed on its own, so
the deferred balance trigger runs at every commit; audit row and outbox event included
(the Python service, its six statements and the commit: this is end-to-end latency).

| postings | p50 ms | p99 ms | deferred checks p50 ms | p99 ms |
|---|---:|---:|---:|---:|
| first {window:,} | {_stats(first)} |
| last {window:,} (table at {postings * 3:,} lines) | {_stats(last)} |
| {window:,} with the balance trigger disabled (baseline), interleaved with… | {_stats(off)} |
| …{window:,} with it enabled | {_stats(on)} |
| {window:,} on top of {lines:,} lines | {_stats(late)} |

"Deferred checks" is the time of `SET CONSTRAINTS ALL IMMEDIATE` just before each commit:
the balance and not-empty triggers plus the deferred foreign-key checks, i.e. what the
commit adds to a posting. End vs start, p50: **{percentile(last[1], 50) / percentile(first[1], 50):.2f}×**
for the deferred checks, {percentile(last[0], 50) / percentile(first[0], 50):.2f}× end to end (end-to-end
figures move with whatever else the machine is running: the load average was
{load_before:.1f} when the run began and {load_after:.1f} when it ended, on two cores). The trigger reads
only the entry's lines through the `entry_id` index (`SET enable_seqscan = off` on the function,
so a plan cached while the table was small cannot be a sequential scan that grows with
the table). The plan of its lookup on the full table, for reference:

```
{plan}
```

### Reports over {lines:,} journal lines

{entries:,} two-line entries over 19 books, {START} … {AS_OF}, generated in SQL in
{generate_seconds:.0f} s (vacuumed and analysed). Median of five runs, after one warm-up run.
Haikou's book holds {haikou_lines:,} lines.

| query | seconds | bare `GROUP BY` seconds | ratio |
|---|---:|---:|---:|
| province trial balance (`trial_balance(region_code=None, as_of=…)`) | {province:.2f} | {bare_all:.2f} | {ratio(province, bare_all)} |
| Haikou's trial balance (`trial_balance(region_code="460100", …)`) | {one_fund:.2f} | {bare_book:.2f} | {ratio(one_fund, bare_book)} |
| every fund's trial balance (`trial_balances_by_fund`) | {by_fund:.2f} | {bare_funds:.2f} | {ratio(by_fund, bare_funds)} |
| every fund's months of coverage (`funds_coverage`) | {coverage:.2f} | {bare_funds:.2f} | {ratio(coverage, bare_funds)} |

The bare baselines: `SELECT account_id, sum(debit_fen), sum(credit_fen) FROM ledger_journalline
GROUP BY account_id` (with `WHERE book_id = …` for one fund, and `GROUP BY book_id, account_id`
for every fund). Target (issue 6): a trial balance at most 2× the bare `GROUP BY`.
"""
    write_section(
        "ledger",
        "Ledger: posting latency and reports over 10 M lines (PostgreSQL)",
        body,
        command="DATABASE_URL=postgres://… tongban bench ledger" + (" --quick" if quick else ""),
    )
