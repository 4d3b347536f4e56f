"""``tallies._Rows``: a change's summary rows, merged row by row and written together (one
statement on PostgreSQL), add up as separate upserts would."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.cases.models import ApplicationMonthTally, ApplicationTally, StageTally
from tongban.cases.tallies import _Rows
from tongban.regions.models import Office

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 26)


def test_rows_of_one_change_are_merged_and_added_to_what_is_stored():
    office = Office.objects.get(code="haikou-longhua")
    stage = {"day": DAY, "office_id": office.pk, "office_region_id": office.region_id,
             "item_code": "ui_benefit", "stage": "initial_review"}  # fmt: skip
    application = {"day": DAY, "accepting_office_id": office.pk,
                   "accepting_region_id": office.region_id, "insured_region_id": 0,
                   "item_code": "ui_benefit", "channel": "window"}  # fmt: skip
    first = _Rows()
    first.add(StageTally, stage, {"finished": 1, "days": 3, "longest": 3, "late": 0})
    first.write()

    # when: one change adds to the same row twice, and to two other tables
    rows = _Rows()
    rows.add(StageTally, stage, {"finished": 1, "days": 5, "longest": 5, "late": 1})
    rows.add(StageTally, stage, {"finished": 1, "days": 2, "longest": 2, "late": 0})
    rows.count(application, {"initial_review": 1})
    rows.write()

    # then
    stored = StageTally.objects.get(office_id=office.pk, stage="initial_review")
    assert (stored.finished, stored.days, stored.longest, stored.late) == (3, 10, 5, 1)
    assert ApplicationTally.objects.get(day=DAY).initial_review == 1
    assert ApplicationMonthTally.objects.get(month=date(2026, 11, 1)).initial_review == 1
