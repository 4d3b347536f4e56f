from datetime import date

import pytest

from tongban.catalogue.calendar import CalendarGap
from tongban.catalogue.models import CalendarDay
from tongban.catalogue.selectors import due_date, working_calendar
from tongban.catalogue.services import CatalogueFileError, calendar_days_from

pytestmark = pytest.mark.django_db


def test_holidays_and_make_up_days():
    calendar = working_calendar()
    assert not calendar.is_working_day(date(2026, 10, 1))  # National Day
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange
    assert not calendar.is_working_day(date(2026, 11, 28))  # an ordinary Saturday
    assert calendar.is_working_day(date(2026, 11, 26))
    assert not calendar.is_working_day(date(2025, 1, 29))  # Spring Festival 2025


def test_ten_working_days_across_the_national_day_week():
    # Applied on Friday 2026-09-25 (a Mid-Autumn holiday): the count starts after it.
    # Working days: 28, 29, 30 Sep; (1-7 Oct off); 8, 9 Oct; Sat 10 Oct (make-up); 12, 13, 14, 15 Oct.
    assert due_date(start=date(2026, 9, 25), working_days=10) == date(2026, 10, 15)


def test_ten_working_days_in_an_ordinary_fortnight():
    assert due_date(start=date(2026, 11, 26), working_days=10) == date(2026, 12, 10)


def test_working_days_between_counts_after_the_start():
    calendar = working_calendar()
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1
    assert calendar.working_days_between(date(2026, 10, 8), date(2026, 10, 8)) == 0


def test_the_calendar_index_counts_working_days():
    first = CalendarDay.objects.get(day=date(2026, 9, 30))
    later = CalendarDay.objects.get(day=date(2026, 10, 15))
    # After 30 Sep: 8, 9, 10 (make-up Saturday), 12, 13, 14, 15 October.
    assert later.working_index - first.working_index == 7
    assert CalendarDay.objects.filter(day__year=2027, provisional=True).count() == 365


def test_outside_the_calendar_is_an_error_not_a_guess():
    with pytest.raises(CalendarGap):
        working_calendar().is_working_day(date(2028, 1, 3))


def test_an_inconsistent_calendar_file_is_refused():
    data = {"years": {2026: {"status": "official", "holidays": [], "workdays": ["2026-11-26"]}}}
    with pytest.raises(CatalogueFileError, match="is a weekday"):
        calendar_days_from(data)
    data = {"years": {2026: {"status": "guess", "holidays": [], "workdays": []}}}
    with pytest.raises(CatalogueFileError, match="official or provisional"):
        calendar_days_from(data)
