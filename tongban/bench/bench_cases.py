"""Claims per second through the service layer, against pgbench TPC-B in the same run.

One claim is the whole flow of the source document: a person accepted at a Haikou
window with the unemployment bundle (registration + UI benefit + transfer when
needed), the initial reviews at Haikou, the routing, the re-review at the insured
region's agency and the entitlement. Worker processes each take their own claimants.

Then the HTTP API: the highest rate of ``POST /applications`` that the server
sustains (closed loop), and the latency at half that rate (open loop, latency
measured from the scheduled send time so that a slow server cannot hide its queue).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from multiprocessing.synchronize import Barrier

from django.conf import settings
from django.db import connection, connections

from tongban.bench.pgclient import client_env, database_fresh
from tongban.bench.registry import benchmark
from tongban.bench.report import percentile, write_section
from tongban.bench.scratch import BENCH_ACTOR, analyze, scratch_database
from tongban.cases.models import Application, Task
from tongban.cases.selectors import open_task_of
from tongban.cases.services import Acceptance, application_submit, task_decide
from tongban.channels.services import client_create
from tongban.core.actors import Actor
from tongban.demo.load import load_province
from tongban.demo.synthetic import Province, synthesize
from tongban.regions.selectors import StaffInfo, offices_list, staff_for_user
from tongban.regions.services import staff_create

AS_OF = date(2026, 11, 26)
# Worker processes for the claims, each level on its own share of the people. pgbench has 8
# clients; the service is measured at the number of processes that gives it the most, as a
# deployment would size its workers to the cores (docs/benchmarks.md shows every level).
WORKER_COUNTS = (8, 2, 4)
WARM_UP = 5  # claims each worker takes before the clock starts (psycopg prepares at the fifth)


def _claimants_only(province: Province) -> Province:
    """A province of just the people who could claim today (their spells and contributions)."""
    keep = set(province.claimants)
    index = {old: new for new, old in enumerate(sorted(keep))}
    small = Province(seed=province.seed, scale=province.scale, as_of=province.as_of)
    small.employers = province.employers
    small.persons = [province.persons[i] for i in sorted(keep)]
    for spell in province.spells:
        if spell.person in keep:
            spell.person = index[spell.person]
            small.spells.append(spell)
    small.claimants = list(range(len(small.persons)))
    return small


def _staff() -> tuple[StaffInfo, dict[str, StaffInfo]]:
    acceptor = staff_create(
        actor=BENCH_ACTOR, username="bench.acceptor", office_code="haikou-longhua",
        roles=["acceptor"], password=None,
    )  # fmt: skip
    reviewers = {}
    for office in offices_list():
        if office.is_insurance_agency:
            member = staff_create(
                actor=BENCH_ACTOR, username=f"bench.{office.code}", office_code=office.code,
                roles=["reviewer"], password=None,
            )  # fmt: skip
            info = staff_for_user(user=member.user)
            assert info is not None
            reviewers[office.code] = info
    accepting = staff_for_user(user=acceptor.user)
    assert accepting is not None
    return accepting, reviewers


def _actor(info: StaffInfo) -> Actor:
    return Actor(
        kind="staff", label=info.username, user_id=info.user_id, office_code=info.office.code
    )


def claimants_loaded(scale: float) -> tuple[list[str], StaffInfo, dict[str, StaffInfo]]:
    """Into the current (empty, initialised) database: the people of a synthetic province who
    could claim today and the bench's caseworkers; their ID numbers, the Haikou acceptor and
    each agency's reviewer."""
    province = _claimants_only(synthesize(scale=scale, seed=2026, as_of=AS_OF))
    load_province(province)
    acceptor, reviewers = _staff()
    analyze()
    return [p.id_number for p in province.persons], acceptor, reviewers


def _register(id_number: str, acceptor: StaffInfo) -> None:
    """Before the clock: the person registers as unemployed at the Haikou window."""
    registration = application_submit(
        acceptance=Acceptance(_actor(acceptor), "window", None, acceptor),
        item_code="unemployment_registration", id_number=id_number, data=None, as_of=AS_OF,
    )  # fmt: skip
    task = open_task_of(registration)
    assert task is not None
    task_decide(
        actor=_actor(acceptor), staff=acceptor, task_id=task.pk, outcome="approve",
        reasons=None, checklist=None, verification=None, as_of=AS_OF,
    )  # fmt: skip


def _claim(id_number: str, acceptor: StaffInfo, reviewers: dict[str, StaffInfo]) -> str:
    """One claim: submitted at a Haikou window, initial review, routing, re-review, decision.
    Each step's caseworker decides the task the step before opened (the services say which:
    ``open_task_of`` reads it from the application they return)."""
    claim = application_submit(
        acceptance=Acceptance(_actor(acceptor), "window", None, acceptor),
        item_code="ui_benefit", id_number=id_number, data=None, as_of=AS_OF,
    )  # fmt: skip
    task = open_task_of(claim)
    assert task is not None
    claim = task_decide(
        actor=_actor(acceptor), staff=acceptor, task_id=task.pk, outcome="approve",
        reasons=None, checklist=None, verification=None, as_of=AS_OF,
    )  # fmt: skip
    if claim.status != "re_review" or claim.reviewing_office is None:
        return claim.status
    reviewer = reviewers[claim.reviewing_office.code]
    task = open_task_of(claim)
    assert task is not None
    final = task_decide(
        actor=_actor(reviewer), staff=reviewer, task_id=task.pk, outcome="approve",
        reasons=None, checklist=None, verification=None, as_of=AS_OF,
    )  # fmt: skip
    return final.status


@dataclass(frozen=True)
class WorkerResult:
    seconds: float
    claims: int  # timed
    statuses: dict[str, int]  # what every claim ended in, those before the clock included
    python_cpu: float  # the worker process's own CPU seconds, timed claims only
    database_cpu: float | None  # its PostgreSQL backend's, when the server is on this machine


def _cpu_of_backend() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (from /proc: a local server only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _claims(
    ids: Sequence[str],
    acceptor: StaffInfo,
    reviewers: dict[str, StaffInfo],
    statuses: dict[str, int],
) -> None:
    """Each claim of ``ids``, counted in ``statuses`` by what it ended in."""
    for id_number in ids:
        status = _claim(id_number, acceptor, reviewers)
        statuses[status] = statuses.get(status, 0) + 1


def _worker(
    args: tuple[
        list[str], StaffInfo, dict[str, StaffInfo], Barrier, multiprocessing.Queue[WorkerResult]
    ],
) -> None:
    ids, acceptor, reviewers, start, out = args
    connections.close_all()
    # Before the clock, as pgbench's rate leaves out its connections: the connection, and the
    # first claims, until psycopg has prepared the claim's statements (the fifth run of each).
    statuses: dict[str, int] = {}
    _claims(ids[:WARM_UP], acceptor, reviewers, statuses)
    start.wait()
    database_before = _cpu_of_backend()
    python_before = time.process_time()
    started = time.perf_counter()
    timed = ids[WARM_UP:]
    _claims(timed, acceptor, reviewers, statuses)
    seconds = time.perf_counter() - started
    python_cpu = time.process_time() - python_before
    database_after = _cpu_of_backend()
    database_cpu = (
        database_after - database_before
        if database_before is not None and database_after is not None
        else None
    )
    out.put(WorkerResult(seconds, len(timed), statuses, python_cpu, database_cpu))
    connections.close_all()


@dataclass
class Pgbench:
    tps: float
    command: str


def _pgbench(seconds: int) -> Pgbench:
    env = client_env(connection.settings_dict)
    name = "bench_pgbench"
    database_fresh(env, name)
    try:
        subprocess.run(
            ["pgbench", "-i", "-s", "10", "-q", name], env=env, check=True, capture_output=True
        )
        command = f"pgbench -c 8 -j 2 -T {seconds} (TPC-B, scale 10)"
        out = subprocess.run(
            ["pgbench", "-c", "8", "-j", "2", "-T", str(seconds), name],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        match = re.search(r"tps = ([0-9.]+)", out)
        if match is None:
            raise RuntimeError(f"pgbench printed no tps:\n{out}")
        return Pgbench(float(match.group(1)), command)
    finally:
        subprocess.run(["dropdb", "--if-exists", name], env=env, check=False, capture_output=True)


@dataclass(frozen=True)
class Throughput:
    workers: int
    claims_per_second: float
    wall: float
    claims: int  # timed
    statuses: dict[str, int]  # what every claim ended in, those before the clock included
    python_ms: float  # CPU per claim, all workers together
    database_ms: float | None


def _level_row(t: Throughput, tps: float, *, best: bool) -> str:
    database = f"{t.database_ms:,.1f} ms" if t.database_ms is not None else "not read"
    # The cores the claims kept busy: their CPU per claim times the claims per second.
    busy = (
        f"{(t.python_ms + t.database_ms) * t.claims_per_second / 1000:.2f}"
        if t.database_ms is not None
        else "not read"
    )
    ratio = f"{t.claims_per_second / tps:.3f}"
    rate = f"{t.claims_per_second:,.1f}"
    if best:
        ratio, rate = f"**{ratio}**", f"**{rate}**"
    return (
        f"| {t.workers} | {t.claims:,} | {t.wall:.1f} s | {rate} | {ratio} "
        f"| {t.python_ms:,.1f} ms | {database} | {busy} |"
    )


def _outcomes(parts: Sequence[WorkerResult | Throughput]) -> dict[str, int]:
    """The statuses the claims ended in, added up over workers or over levels."""
    total: dict[str, int] = {}
    for part in parts:
        for status, n in part.statuses.items():
            total[str(status)] = total.get(str(status), 0) + n
    return total


def _service_throughput(
    ids: list[str], acceptor: StaffInfo, reviewers: dict[str, StaffInfo], workers: int
) -> Throughput:
    connections.close_all()
    context = multiprocessing.get_context("fork")
    out: multiprocessing.Queue[WorkerResult] = context.Queue()
    start = context.Barrier(workers + 1)  # the workers, warmed up, and the clock
    shares = [ids[i::workers] for i in range(workers)]
    processes = [
        context.Process(target=_worker, args=((share, acceptor, reviewers, start, out),))
        for share in shares
    ]
    for process in processes:
        process.start()
    start.wait()
    started = time.perf_counter()
    results = [out.get() for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    timed = sum(r.claims for r in results)
    database = [r.database_cpu for r in results]
    return Throughput(
        workers=workers,
        claims_per_second=timed / wall,
        wall=wall,
        claims=timed,
        statuses=_outcomes(results),
        python_ms=1000 * sum(r.python_cpu for r in results) / timed,
        database_ms=(
            1000 * sum(d for d in database if d is not None) / timed
            if None not in database
            else None
        ),
    )


# ---- the HTTP API ------------------------------------------------------------------------------


def _serve(port: int) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    url = f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "TONGBAN_LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(
        [sys.executable, "-m", "tongban.cli", "serve", "--port", str(port), "--threads", "8"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            probe.request("GET", "/api/v1/openapi.json")
            probe.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def _post(conn: http.client.HTTPConnection, token: str, id_number: str) -> int:
    body = json.dumps({"item": "ui_benefit", "id_number": id_number, "office": "haikou-longhua"})
    conn.request("POST", "/api/v1/applications", body,
                 {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
    response = conn.getresponse()
    response.read()
    return response.status


def _closed_loop(
    port: int, token: str, ids: Sequence[str], clients: int
) -> tuple[float, dict[int, int]]:
    """As fast as ``clients`` connections can go: the sustainable rate."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    shares = [list(ids[i::clients]) for i in range(clients)]

    def run(share: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for id_number in share:
            status = _post(conn, token, id_number)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=run, args=(s,)) for s in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(ids) / (time.perf_counter() - started), statuses


def _open_loop(
    port: int, token: str, ids: Sequence[str], rate: float
) -> tuple[list[float], dict[int, int]]:
    """Requests at a fixed rate; each latency counts from its scheduled time."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    slots = [(start + i / rate, id_number) for i, id_number in enumerate(ids)]
    senders = 32
    shares = [slots[i::senders] for i in range(senders)]

    def run(share: list[tuple[float, str]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for scheduled, id_number in share:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            status = _post(conn, token, id_number)
            with lock:
                latencies.append(time.perf_counter() - scheduled)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=run, args=(s,)) for s in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


@benchmark("cases", needs_postgres=True)
def run(quick: bool) -> None:
    scale = 1.0 if quick else 4.0
    pgbench_seconds = 10 if quick else 30
    # pgbench before and after the claims: a shared machine's speed drifts within minutes, and
    # the ratio is taken against the mean of the two.
    pgbench_before = _pgbench(pgbench_seconds)
    with scratch_database("cases"):
        ids, acceptor, reviewers = claimants_loaded(scale)
        for id_number in ids:
            _register(id_number, acceptor)
        levels = len(WORKER_COUNTS)
        measured = [
            _service_throughput(ids[k::levels], acceptor, reviewers, workers)
            for k, workers in enumerate(WORKER_COUNTS)
        ]
        throughput = max(measured, key=lambda t: t.claims_per_second)
        applications = Application.objects.count()
        open_tasks = Task.objects.filter(is_open=True).count()

        # The API: fresh people (a second synthetic province, whole) so each POST is a new case.
        api_people = synthesize(scale=0.1 if quick else 0.3, seed=7, as_of=AS_OF)
        load_province(api_people)
        analyze()
        token = client_create(
            actor=BENCH_ACTOR, kind="channel", name="bench", channel="alipay"
        ).token
        port = 8765
        server = _serve(port)
        try:
            people = [p.id_number for p in api_people.persons]
            half = len(people) // 2
            max_rate, closed_statuses = _closed_loop(port, token, people[:half], clients=8)
            rate = max_rate / 2
            latencies, open_statuses = _open_loop(port, token, people[half:], rate)
        finally:
            server.terminate()
            server.wait(timeout=10)
    pgbench_after = _pgbench(pgbench_seconds)
    tps = (pgbench_before.tps + pgbench_after.tps) / 2
    cores = os.cpu_count() or 1
    # CPU a claim may take, Python and PostgreSQL together, for the target ratio on these cores.
    allowed_ms = 1000 * cores / (0.05 * tps)
    rows = "\n".join(_level_row(t, tps, best=t is throughput) for t in measured)
    body = f"""
### Claims through the service layer

{len(ids):,} people who could claim today (synthetic, scale {scale}), registered as unemployed
beforehand (not timed). Each claim is taken through the whole flow: the UI-benefit application
accepted at a Haikou window, the initial review at Haikou, the routing, the re-review and decision
at the insured region's agency, the entitlement in its fund. The people are split into
{levels} equal shares, one for each number of worker processes; the ratio takes the level that
handled the most claims per second. Each worker takes its first {WARM_UP} claims before the clock
starts, as pgbench's rate leaves out its connections: its connection, and its first runs of each
statement, until psycopg has prepared it (at the fifth). The claims column counts the timed
ones. Outcomes of all claims: {_outcomes(measured)}; {applications:,} applications,
{open_tasks} tasks left open.

pgbench TPC-B (`{pgbench_after.command}`, same server, same run): **{tps:,.0f}** transactions
per second, the mean of {pgbench_before.tps:,.0f} before the claims and {pgbench_after.tps:,.0f}
after. The target allows **{allowed_ms:,.1f} ms** of CPU per claim on {cores} cores, Python and
PostgreSQL together (the cores divided by 0.05 × the pgbench rate).

| worker processes | claims | wall | claims per second | **ratio** (target ≥ 0.05) | CPU per claim: workers (Python) | CPU per claim: their PostgreSQL backends | cores busy (of {cores}) |
|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}

A claim is three write transactions (submit, initial review, re-review), each computing the
rules engine's assessment and recording what the caseworker saw, with its audit rows, outbox
events, task changes and, at the end, the entitlement and the sealed archive. CPU per claim is
the process time of the workers and of their PostgreSQL backends (read from `/proc`: a server
on this machine), divided by the claims. More processes than cores cost CPU per claim (context
switches, caches, lock waits), so the best level is usually the one nearest the cores. Cores
busy is the CPU per claim times the claims per second; the rest of the cores' time was idle
while the claims waited (for the commits' WAL flushes, for the other side of each round trip)
or went to other processes.

### The HTTP API: `POST /applications` (channel client, UI benefit, waitress with 8 threads)

| measure | value |
|---|---:|
| sustained rate, 8 clients as fast as they go ({half:,} requests; statuses {closed_statuses}) | {max_rate:,.1f} req/s |
| open-loop rate (half of it) | {rate:,.1f} req/s |
| p50 latency at that rate | {statistics.median(latencies) * 1000:,.0f} ms |
| p99 latency at that rate ({len(latencies):,} requests; statuses {open_statuses}) | {percentile(latencies, 99) * 1000:,.0f} ms |

The load generator runs on the same two cores as the server and the database.
"""
    write_section(
        "cases",
        "Case handling: claims per second and the API (PostgreSQL)",
        body,
        command="DATABASE_URL=postgres://… tongban bench cases" + (" --quick" if quick else ""),
    )
