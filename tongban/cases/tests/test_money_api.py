"""Payments, stops and repayments through the API, with who may do them."""

from datetime import date

import pytest

from tongban.benefits.models import Entitlement, Overpayment
from tongban.benefits.payrun import payrun_execute
from tongban.cases.tests.test_reports_and_idempotency import approved_claim
from tongban.core.testing import TEST_ACTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(apis, worker):
    worker.bank_account = "6222021234567890123"
    worker.save()
    claim = approved_claim(apis, worker)
    payrun_execute(
        actor=TEST_ACTOR, region_code="460200", month=date(2026, 11, 1), on=date(2026, 11, 26)
    )
    return claim


def test_a_person_s_payments(apis, worker, paid):
    rows = apis["channel"].get(f"/persons/{worker.id_number}/payments").json()
    assert [
        (r["kind"], r["month"], r["amount_fen"], r["status"], r["paying_region"]) for r in rows
    ] == [
        ("benefit", "2026-11", 164700, "sent", "460200"),
        ("medical", "2026-11", 22000, "settled", "460200"),
    ]
    assert apis["anonymous"].get(f"/persons/{worker.id_number}/payments").status_code == 401


def test_only_the_paying_agency_s_reviewer_stops_a_benefit(apis, worker, paid):
    entitlement = Entitlement.objects.get(person=worker)
    body = {"kind": "emigration", "date": "2026-11-20", "reasons": ["本人已移居境外"]}
    for caller, code in (("hk_reviewer", "not_paying_agency"), ("sy_finance", "role_required")):
        response = apis[caller].post(f"/entitlements/{entitlement.pk}/stop", body)
        assert response.status_code == 403 and response.json()["code"] == code
    assert (
        apis["sy_reviewer"]
        .post(f"/entitlements/{entitlement.pk}/stop", {**body, "reasons": []})
        .status_code
        == 422
    )
    entitlement.refresh_from_db()
    assert entitlement.status == "active"
    stopped = apis["sy_reviewer"].post(f"/entitlements/{entitlement.pk}/stop", body)
    assert stopped.status_code == 200, stopped.content
    assert stopped.json()["entitlement"]["status"] == "ended"
    overpayment = Overpayment.objects.get(
        entitlement=entitlement
    )  # November was paid, October was the last month
    assert overpayment.amount_fen == 164700

    repay = {"amount_fen": 100000, "date": "2026-11-27", "reference": "RCPT-9"}
    assert (
        apis["sy_reviewer"].post(f"/overpayments/{overpayment.pk}/repayments", repay).status_code
        == 403
    )
    response = apis["sy_finance"].post(f"/overpayments/{overpayment.pk}/repayments", repay)
    assert response.status_code == 201, response.content
    assert response.json()["outstanding_fen"] == 64700
