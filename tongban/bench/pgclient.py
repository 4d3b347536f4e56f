"""The environment PostgreSQL's client programs (``createdb``, ``pgbench``) need to reach the
server of a Django database setting. Imports nothing of Django's, so it serves before setup."""

from __future__ import annotations

import os
from collections.abc import Mapping


def client_env(db: Mapping[str, object]) -> dict[str, str]:
    """``os.environ`` with PGHOST, PGPORT, PGUSER (and PGPASSWORD) of ``db`` (``HOST``, …)."""
    env = {**os.environ, "PGHOST": str(db.get("HOST") or "127.0.0.1"),
           "PGPORT": str(db.get("PORT") or 5432), "PGUSER": str(db.get("USER") or "postgres")}  # fmt: skip
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env
