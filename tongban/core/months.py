"""Calendar helpers for benefit months (月): first-of-month dates and whole-month arithmetic.

Benefit months are calendar months; a month is written as the date of its first day.
"""

from __future__ import annotations

from datetime import date, timedelta


def month_of(day: date) -> date:
    """The month containing ``day``, as its first day."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the day is clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _days_in_month(year, month0 + 1)
    return date(year, month0 + 1, min(day.day, last))


def month_end(day: date) -> date:
    """The last day of the month of ``day``."""
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


def months_between(start_month: date, end_month: date) -> int:
    """Whole calendar months from ``start_month`` to ``end_month`` (negative if before)."""
    return (end_month.year - start_month.year) * 12 + (end_month.month - start_month.month)


def full_years_between(start: date, end: date) -> int:
    """Completed years from ``start`` to ``end`` (anniversary-based, ``end`` exclusive)."""
    years = end.year - start.year
    if add_months(start, 12 * years) > end:
        years -= 1
    return max(0, years)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days
