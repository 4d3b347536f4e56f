"""PostgreSQL's client programs (``createdb``, ``pgbench``) for the benchmarks: the environment
that reaches the server of a Django database setting, and a fresh database. Imports nothing of
Django's, so it serves before setup."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping


def client_env(db: Mapping[str, object]) -> dict[str, str]:
    """``os.environ`` with PGHOST, PGPORT, PGUSER (and PGPASSWORD) of ``db`` (``HOST``, …)."""
    env = {**os.environ, "PGHOST": str(db.get("HOST") or "127.0.0.1"),
           "PGPORT": str(db.get("PORT") or 5432), "PGUSER": str(db.get("USER") or "postgres")}  # fmt: skip
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def database_fresh(env: dict[str, str], name: str, template: str | None = None) -> None:
    """Drop ``name`` if it exists and create it empty (or as a copy of ``template``)."""
    subprocess.run(["dropdb", "--if-exists", name], env=env, check=True, capture_output=True)
    command = ["createdb", name] + (["-T", template] if template else [])
    subprocess.run(command, env=env, check=True, capture_output=True)
