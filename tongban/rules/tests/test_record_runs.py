"""Contribution months are recorded as runs of consecutive months in one region: the fewest
runs, and exactly the months back (``rules.record``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tongban.core.months import add_months
from tongban.rules.record import _months, _runs

REGIONS = ("460100", "460200", "469005")
months = st.builds(
    lambda n: add_months(date(2015, 1, 1), n), st.integers(min_value=0, max_value=140)
)
contributions = st.sets(st.tuples(months, st.sampled_from(REGIONS)), max_size=120)


def _runs_by_date_arithmetic(given_months):
    """The definition: a month extends its region's run when it is the month after the last."""
    runs: list[list[Any]] = []
    for region, month in sorted((r, m) for m, r in given_months):
        if runs and runs[-1][2] == region and add_months(runs[-1][1], 1) == month:
            runs[-1][1] = month
        else:
            runs.append([month, month, region])
    return [[a.isoformat(), b.isoformat(), r] for a, b, r in runs]


@given(contributions)
def test_runs_are_the_fewest_and_give_the_months_back(given_months):
    recorded = _runs(tuple(sorted(given_months)))
    assert recorded == _runs_by_date_arithmetic(given_months)
    assert _months(recorded) == tuple(sorted(given_months))


@given(st.sets(st.tuples(st.dates(date(2020, 1, 1), date(2022, 12, 31)), st.sampled_from(REGIONS))))
def test_any_dates_come_back_as_they_were(given_days):
    # Not a month's first day (never stored: a database check) stands alone, and comes back.
    assert _months(_runs(tuple(sorted(given_days)))) == tuple(sorted(given_days))


def test_a_year_across_new_year_in_one_region_is_one_run():
    year = [(add_months(date(2025, 7, 1), n), "460100") for n in range(12)]
    assert _runs(tuple(year)) == [["2025-07-01", "2026-06-01", "460100"]]
