"""The one place the interface layer reads the time from.

Domain code never calls this: it takes ``as_of``/``effective_date`` arguments.
Views, API handlers and commands call :func:`now`/:func:`today` and pass the
values down. Tests freeze time with ``time-machine``, or swap the clock with
:func:`use` (a simulated day for the demo, say).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return timezone.now()


class FixedClock:
    """A clock that always says the same instant (aware datetime)."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = instant

    def now(self) -> datetime:
        return self.instant


_clock: Clock = SystemClock()


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return _clock.now()


def today() -> date:
    """Today's date in the province (Asia/Shanghai)."""
    return _clock.now().astimezone(LOCAL_ZONE).date()


@contextmanager
def use(clock: Clock) -> Iterator[Clock]:
    """Use ``clock`` inside the block."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous
