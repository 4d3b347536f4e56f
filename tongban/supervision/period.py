"""The period a figure covers: inclusive dates ``[start, end]``, checked before anything is read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tongban.core.errors import ErrorCollector
from tongban.supervision.parameters import thresholds


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def month_start(self) -> date:
        """The first day of the end's month (the month-to-date figures)."""
        return self.end.replace(day=1)

    @property
    def year_start(self) -> date:
        return self.end.replace(month=1, day=1)

    @property
    def after(self) -> date:
        """The day after the period: its half-open end."""
        return self.end + timedelta(days=1)


def _parse(raw: str | None, field: str, errors: ErrorCollector) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.add(field, "date", f"{raw!r} is not a date of the form YYYY-MM-DD.")
        return None


def period_parse(
    *, start: str | None, end: str | None, today: date, required: bool = False
) -> Period:
    """Check a requested period: ISO dates, ``from`` ≤ ``to`` ≤ today, not before the first
    day of province-wide handling, not longer than the longest period allowed. Without dates
    (when not ``required``): this month to date."""
    limits = thresholds()
    errors = ErrorCollector()
    first = _parse(start, "from", errors)
    last = _parse(end, "to", errors)
    if required:
        for field, value, raw in (("from", first, start), ("to", last, end)):
            if value is None and not raw:
                errors.add(field, "required", f"{field} is required (YYYY-MM-DD).")
    errors.raise_if_any("The period is not valid.")
    last = last or today
    first = first or last.replace(day=1)
    if last > today:
        errors.add("to", "future", f"The period ends in the future ({last}); today is {today}.")
    if first > last:
        errors.add("from", "order", f"The period starts ({first}) after it ends ({last}).")
    if first < limits.earliest_date:
        errors.add(
            "from",
            "too_early",
            f"Figures start on {limits.earliest_date}, when province-wide handling began.",
        )
    if (last - first).days + 1 > limits.longest_period_days:
        errors.add(
            "to",
            "too_long",
            f"A period covers at most {limits.longest_period_days} days; ask for a shorter one.",
        )
    errors.raise_if_any("The period is out of range.")
    return Period(first, last)
