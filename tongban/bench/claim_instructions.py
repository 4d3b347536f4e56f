"""A claim's Python counted in instructions, to compare two versions of the claim path: it
repeats to within about a tenth of a per cent where timing on a shared machine drifts by tens
of per cent (docs/decisions/0209).

    python -m tongban.bench.claim_instructions prepare [--scale 1]
    python -m tongban.bench.claim_instructions compare BEFORE_DIR AFTER_DIR

``prepare`` builds the database ``bench_claims`` on the PostgreSQL server that
``DATABASE_URL`` names: the people of a synthetic province who could claim today, each
registered as unemployed at a Haikou window, and the bench's caseworkers (as
``tongban bench cases`` does).

``compare`` takes two checkouts of the project (``git worktree add``, any commit that has
``tongban/bench/bench_cases.py``) and, for each, runs 3
and then 13 claims (``tongban.bench.bench_cases._claim``) under ``valgrind --tool=callgrind``,
each run on a fresh copy of ``bench_claims``: both checkouts handle the same people in the
same state. A claim's Python is (instructions of 13 − instructions of 3) / 10, which leaves out
start-up and the first claim's compiling and caching. PostgreSQL's side is not counted (the
server is not under valgrind); nor is waiting. The checkouts run on this interpreter and its
installed packages.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

TEMPLATE = "bench_claims"
SMALL, LARGE = 3, 13


def _client_env(url: str) -> dict[str, str]:
    # Imported here, as is database_fresh: ``run`` (this file, in a checkout from before these
    # modules existed) only uses what every checkout has.
    from tongban.bench.pgclient import client_env

    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must name a PostgreSQL server (postgres://user@host:5432/db)")
    return client_env(dj_database_url.parse(url))


def _url_of(url: str, name: str) -> str:
    """``url`` naming the database ``name`` on the same server."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def prepare(url: str, scale: float) -> None:
    from tongban.bench.pgclient import database_fresh

    database_fresh(_client_env(url), TEMPLATE)
    os.environ["DATABASE_URL"] = _url_of(url, TEMPLATE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from tongban.bench import bench_cases
    from tongban.bench.scratch import BENCH_ACTOR, analyze
    from tongban.channels.setup import platform_init

    call_command("migrate", verbosity=0)
    platform_init(actor=BENCH_ACTOR, migrate=False, say=lambda _: None)
    ids, acceptor, _ = bench_cases.claimants_loaded(scale)
    for id_number in ids[:LARGE]:
        bench_cases._register(id_number, acceptor)
    analyze()
    print(f"{TEMPLATE}: {len(ids):,} people, the first {LARGE} registered")


def run(count: int) -> None:
    """``count`` claims, by the first registered people (in a copy of ``bench_claims``)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from tongban.bench import bench_cases
    from tongban.regions.selectors import staff_for_user
    from tongban.registry.models import Registration

    users = get_user_model().objects.filter(username__startswith="bench.")
    staff = {user.username: staff_for_user(user=user) for user in users}
    acceptor = staff.pop("bench.acceptor")
    reviewers = {info.office.code: info for info in staff.values() if info is not None}
    assert acceptor is not None
    people = (
        Registration.objects.filter(kind="unemployment")
        .order_by("person_id")
        .values_list("person__id_number", flat=True)
    )
    for id_number in people[:count]:
        status = bench_cases._claim(id_number, acceptor, reviewers)
        if status != "approved":
            sys.exit(f"a claim ended {status!r}, not approved: the two runs would differ")


def _instructions(checkout: Path, url: str, env: dict[str, str], count: int) -> int:
    from tongban.bench.pgclient import database_fresh

    copy = "bench_claims_run"
    database_fresh(env, copy, TEMPLATE)
    try:
        done = subprocess.run(
            # This file runs the claims, so a checkout from before it existed can be measured;
            # PYTHONPATH makes ``tongban`` the checkout's.
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
             sys.executable, __file__, "run", str(count)],
            cwd=checkout, capture_output=True, text=True,
            env={**os.environ, "DATABASE_URL": _url_of(url, copy), "PYTHONHASHSEED": "0",
                 "PYTHONPATH": str(checkout),
                 # numpy's OpenBLAS threads would spin for as long as the machine is slow
                 "OPENBLAS_NUM_THREADS": "1", "DJANGO_SETTINGS_MODULE": "tongban.settings"},
        )  # fmt: skip
    finally:
        subprocess.run(["dropdb", "--if-exists", copy], env=env, check=False, capture_output=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"the run in {checkout} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1))


def compare(url: str, before: Path, after: Path) -> None:
    env = _client_env(url)
    per_claim = {}
    for checkout in (before, after):
        if not (checkout / "tongban" / "bench" / "bench_cases.py").exists():
            sys.exit(f"{checkout} is not a checkout of this project")
        # Compiled first, so neither run pays for writing the checkout's bytecode.
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "tongban"], cwd=checkout, check=True
        )
        small = _instructions(checkout, url, env, SMALL)
        large = _instructions(checkout, url, env, LARGE)
        per_claim[checkout] = (large - small) / (LARGE - SMALL)
        print(f"{checkout}: {per_claim[checkout] / 1e6:,.2f} M instructions per claim")
    change = per_claim[after] / per_claim[before] - 1
    print(f"change: {change:+.1%}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tongban.bench.claim_instructions")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser("prepare", help=f"build the {TEMPLATE} database")
    prepare_parser.add_argument("--scale", type=float, default=1.0)
    compare_parser = commands.add_parser("compare", help="two checkouts, the same people")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    run_parser = commands.add_parser("run", help="(used by compare) run N claims")
    run_parser.add_argument("count", type=int)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if args.command == "run":
        run(args.count)
    elif args.command == "prepare":
        prepare(url, args.scale)
    else:
        compare(url, args.before.resolve(), args.after.resolve())


if __name__ == "__main__":
    main()
