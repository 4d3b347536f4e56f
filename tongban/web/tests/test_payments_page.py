import pytest
from django.test import Client

from tongban.benefits.models import Payment, PaymentRun
from tongban.benefits.tests.factories import entitlement
from tongban.core.testing import TEST_ACTOR
from tongban.regions.services import staff_create
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bank_dir(settings, tmp_path):
    settings.BANK_DIR = tmp_path / "bank"
    settings.VAR_DIR = tmp_path


def login(username, office, roles):
    member = staff_create(
        actor=TEST_ACTOR, username=username, office_code=office, roles=roles, password=None
    )
    client = Client()
    client.force_login(member.user)
    return client


def test_finance_runs_its_own_fund_once_and_others_only_look(time_machine):
    time_machine.move_to("2026-11-26T10:00:00+08:00", tick=False)
    entitlement(PersonFactory(bank_account="6222021234567890123"))
    finance = login("syf", "sanya-agency", ["finance"])
    page = finance.get("/office/finance/payments/")
    assert page.status_code == 200 and "运行本月发放" in page.content.decode()
    form = {"month": "2026-11", "submission_key": "k1"}
    response = finance.post("/office/finance/payments/?region=460200", form)
    assert response.status_code == 302
    again = finance.post("/office/finance/payments/?region=460200", form)  # a double click
    assert again.status_code == 302
    assert PaymentRun.objects.count() == 1 and Payment.objects.filter(kind="benefit").count() == 1
    listing = finance.get(response["Location"]).content.decode()
    assert "PR460200202611" in listing and "1,647.00" in listing

    supervisor = login("sys", "sanya-agency", ["supervisor"])
    refused = supervisor.post(
        "/office/finance/payments/?region=460200", {"month": "2026-12", "submission_key": "k2"}
    )
    assert refused.status_code == 422 and PaymentRun.objects.count() == 1
    future = finance.post(
        "/office/finance/payments/?region=460200", {"month": "2027-01", "submission_key": "k3"}
    )
    assert future.status_code == 422 and PaymentRun.objects.count() == 1
    haikou = login("hkf", "haikou-agency", ["finance"])
    assert haikou.get("/office/finance/payments/?region=460200").status_code == 403
    assert Payment.objects.filter(paying_region__code="460100").count() == 0
