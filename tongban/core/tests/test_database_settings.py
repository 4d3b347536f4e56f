"""How ``DATABASE_URL`` becomes Django's database settings (ADR 0205)."""

from __future__ import annotations

from tongban import settings

URL = "postgres://tongban@db.example:5432/tongban"


def test_without_a_url_it_is_sqlite_under_var(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert settings._database()["ENGINE"] == "django.db.backends.sqlite3"


def test_postgresql_binds_on_the_server_and_prepares_what_repeats(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.delenv("TONGBAN_PG_PREPARED", raising=False)
    config = settings._database()
    assert config["NAME"] == "tongban"
    assert config["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv("TONGBAN_PG_PREPARED", "off")
    options = settings._database().get("OPTIONS", {})
    assert isinstance(options, dict)
    assert "server_side_binding" not in options
