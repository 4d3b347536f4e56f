"""Findings in the workbench: in the paying agency's queue, reviewed on their own page."""

import pytest
from django.test import Client

from tongban.benefits.models import Entitlement
from tongban.cases.tests.conftest import frozen_time, staff  # noqa: F401
from tongban.integrity.models import Finding
from tongban.integrity.tests.conftest import make_recipient
from tongban.integrity.tests.helpers import hire

pytestmark = pytest.mark.django_db


def page_of(user_staff):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_staff.user_id))
    return client


def test_a_finding_is_listed_reviewed_and_lifted_with_reasons(staff):  # noqa: F811 - the fixture
    person, claim = make_recipient()
    hire(person, "460100", on="2026-11-20")
    finding = Finding.objects.get(person=person)
    sanya = page_of(staff["sy_reviewer"])

    queue = sanya.get("/office/").content.decode()
    assert finding.reference in queue and "雇佣" not in queue  # a link to the finding page
    listing = sanya.get("/office/findings/").content.decode()
    assert finding.reference in listing and person.id_number not in listing
    page = sanya.get(f"/office/findings/{finding.reference}/")
    assert page.status_code == 200 and "记录审核决定" in page.content.decode()

    refused = sanya.post(
        f"/office/findings/{finding.reference}/",
        {"action": "decide", "outcome": "reject", "reasons": "", "submission_key": "a"},
    )
    assert refused.status_code == 422
    finding.refresh_from_db()
    assert finding.status == "open"
    lifted = sanya.post(
        f"/office/findings/{finding.reference}/",
        {
            "action": "decide",
            "outcome": "reject",
            "reasons": "核实为误报：同名同生日的另一人",
            "submission_key": "b",
        },
    )
    assert lifted.status_code == 302
    finding.refresh_from_db()
    claim.refresh_from_db()
    assert finding.status == "lifted" and claim.status == Entitlement.Status.ACTIVE


def test_other_regions_do_not_see_the_finding_and_a_finance_user_cannot_decide(staff):  # noqa: F811
    person, _ = make_recipient()
    hire(person, "460100", on="2026-11-20")
    finding = Finding.objects.get(person=person)
    assert (
        page_of(staff["hk_reviewer"]).get(f"/office/findings/{finding.reference}/").status_code
        == 404
    )
    finance = page_of(staff["sy_finance"])
    page = finance.get(f"/office/findings/{finding.reference}/").content.decode()
    assert "记录审核决定" not in page
    finance.post(
        f"/office/findings/{finding.reference}/",
        {"action": "decide", "outcome": "approve", "reasons": "x", "submission_key": "c"},
    )
    finding.refresh_from_db()
    assert finding.status == "open"
