"""The workbench queue page with 1,000 open tasks in the office (target: p99 < 150 ms).

The page is rendered in-process through Django's test client (session, login, the staff
lookup, the count, one page of 25 rows, the template), so the figure is the server's
own time without the network. The baseline, in the same run, is the same page for a
caseworker whose office has no open task: what the queue's rows add to it.
"""

from __future__ import annotations

import statistics
import time
from datetime import date

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongban.bench.registry import benchmark
from tongban.bench.report import percentile, write_section
from tongban.bench.scratch import BENCH_ACTOR, analyze, scratch_database
from tongban.cases.models import Task
from tongban.cases.services import Acceptance, application_submit
from tongban.core.actors import Actor
from tongban.demo.load import load_province
from tongban.demo.synthetic import synthesize
from tongban.regions.selectors import StaffInfo, staff_for_user
from tongban.regions.services import staff_create

AS_OF = date(2026, 11, 26)
TASKS = 1000


def _staff(username: str, office: str) -> tuple[StaffInfo, Client]:
    member = staff_create(
        actor=BENCH_ACTOR, username=username, office_code=office, roles=["acceptor"], password=None
    )
    info = staff_for_user(user=member.user)
    assert info is not None
    client = Client()
    client.force_login(member.user)
    return info, client


def _fill_queue(acceptor: StaffInfo, id_numbers: list[str]) -> None:
    actor = Actor(kind="staff", label=acceptor.username, user_id=acceptor.user_id,
                  office_code=acceptor.office.code)  # fmt: skip
    items = ("employment_certificate", "ui_certificate")
    for i, id_number in enumerate(id_numbers):
        application_submit(
            acceptance=Acceptance(actor, "window", None, acceptor),
            item_code=items[i % 2], id_number=id_number, data=None, as_of=AS_OF,
        )  # fmt: skip


def _measure(client: Client, path: str, rounds: int) -> list[float]:
    for _ in range(20):  # warm caches (catalogue, templates, connections)
        client.get(path)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


def _queries(client: Client, path: str) -> int:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured.captured_queries)


@benchmark("web_queue")
def run(quick: bool) -> None:
    tasks = 200 if quick else TASKS
    rounds = 100 if quick else 400
    with scratch_database("web"):
        province = synthesize(scale=0.06 if quick else 0.08, seed=2026, as_of=AS_OF)
        load_province(province)
        people = [p.id_number for p in province.persons][:tasks]
        assert len(people) == tasks, f"only {len(people)} people; raise the scale"
        acceptor, busy = _staff("bench.queue", "haikou-longhua")
        _, idle = _staff("bench.idle", "sanya-jiyang")
        started = time.perf_counter()
        _fill_queue(acceptor, people)
        fill_seconds = time.perf_counter() - started
        analyze()
        open_tasks = Task.objects.filter(office_id=acceptor.office.pk, is_open=True).count()
        pages = {
            "first page": "/office/",
            "filtered (stage and item)": "/office/?stage=initial_review&item=employment_certificate",
            "last page": f"/office/?page={(open_tasks + 24) // 25}",
        }
        rows = []
        for name, path in pages.items():
            timings = _measure(busy, path, rounds)
            rows.append((name, path, timings, _queries(busy, path)))
        baseline = _measure(idle, "/office/", rounds)
        baseline_queries = _queries(idle, "/office/")
    first_p99 = percentile(rows[0][2], 99)
    table = "\n".join(
        f"| {name} (`{path}`) | {statistics.median(t):.1f} | {percentile(t, 99):.1f} | {q} |"
        for name, path, t, q in rows
    )
    body = f"""
{open_tasks:,} open tasks in the Haikou Longhua office's queue (window acceptances of two
certificate items, {fill_seconds:.1f} s to create through the service), 25 rows a page.
Each page requested {rounds} times after 20 warm-up requests, in-process (Django test client,
logged-in caseworker, database sessions), so the figures are the server's time without the network.

| page | p50 ms | p99 ms | queries |
|---|---:|---:|---:|
{table}
| baseline: the same page, an office with no open task | {statistics.median(baseline):.1f} | {percentile(baseline, 99):.1f} | {baseline_queries} |

Target: p99 < 150 ms for the queue with 1,000 open tasks — **{first_p99:.1f} ms** for the
first page ({first_p99 / max(percentile(baseline, 99), 0.001):.1f}× the empty-queue baseline).
The query count does not grow with the number of tasks (pinned in
`tongban/web/tests/test_office.py::test_the_queue_page_reads_a_fixed_number_of_rows`).
"""
    write_section(
        "web_queue",
        f"Workbench queue page with {open_tasks:,} open tasks ({connection.vendor})",
        body,
        command=("DATABASE_URL=postgres://… " if connection.vendor == "postgresql" else "")
        + "tongban bench web_queue"
        + (" --quick" if quick else ""),
    )
