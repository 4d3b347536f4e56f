"""The clock stands at Thursday 2026-11-26 10:00 in Hainan, as in the case tests."""

from tongban.cases.tests.conftest import frozen_time

__all__ = ["frozen_time"]
