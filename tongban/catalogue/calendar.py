"""Counting working days (工作日) with the province's calendar; pure functions over data.

A time limit of N working days from a date ends on the N-th working day *after*
that date (the day of the application does not count), as time limits are
counted in the Handling Regulation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


class CalendarGap(LookupError):
    """The calendar has no data for a year that a computation needs."""


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    provisional_years: frozenset[int] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            raise CalendarGap(f"The working-day calendar has no data for {day.year}.")
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``days`` ≥ 0; 0 returns ``start``)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``: how many working days after ``start`` ``end`` is."""
        if end <= start:
            return 0
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count
