"""Transfers reuse the case fixtures: frozen time, caseworkers, API clients, a Sanya worker."""

from tongban.cases.tests.conftest import apis, frozen_time, staff, worker  # noqa: F401
