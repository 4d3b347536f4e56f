"""The demo province a new colleague opens: every demo case goes through, and the agencies
have findings to decide and transfers to see (loaded through the operator's import files)."""

from datetime import date

import pytest

from tongban.integrity.models import Finding
from tongban.transfers.models import Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_walks_every_case_through_and_leaves_signals_to_decide():
    from tongban.demo.province import demo_province

    said: list[str] = []
    demo_province(scale=0.05, seed=2026, as_of=date(2026, 11, 26), say=said.append)

    assert not [line for line in said if "refused" in line], said  # right caseworker, right office
    findings = Finding.objects.filter(status="open")
    assert {f.source for f in findings} == {"hire", "death", "new_hire"}
    assert all(f.task_id for f in findings)  # each in the paying agency's queue
    moved = list(Transfer.objects.values_list("from_region__code", "to_region__code"))
    assert moved and all(a != b for a, b in moved)
    # The relationship left the paying fund for the region of the new job.
    hired = {f.person_id for f in findings if f.source == "hire"}
    assert len(hired) == len(moved)
