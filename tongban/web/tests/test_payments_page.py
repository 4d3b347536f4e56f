from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from tongban.benefits.models import Payment, PaymentRun
from tongban.benefits.payrun import payrun_execute
from tongban.benefits.reconciliation import DIFFERENCES
from tongban.benefits.tests.factories import entitlement
from tongban.core.testing import TEST_ACTOR
from tongban.regions.services import staff_create
from tongban.registry.tests.factories import PersonFactory
from tongban.web.labels import RECONCILIATION_DIFFERENCE

pytestmark = pytest.mark.django_db


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


def test_the_page_lists_each_reconciliation_difference(time_machine, settings):
    time_machine.move_to("2026-11-26T10:00:00+08:00", tick=False)
    entitlement(PersonFactory(bank_account="6222021234567890123"))
    result = payrun_execute(actor=TEST_ACTOR, region_code="460200", month=date(2026, 11, 1),
                            on=date(2026, 11, 25))  # fmt: skip
    finance = login("syf", "sanya-agency", ["finance"])
    page = finance.get("/office/finance/payments/?region=460200").content.decode()
    assert "三方对账" in page and "无：平台、银行和账簿精确到分完全一致。" in page

    (Path(settings.BANK_DIR) / result.run.file_name).unlink()
    page = finance.get("/office/finance/payments/?region=460200").content.decode()
    assert "批次的银行文件缺失" in page and result.run.file_name in page
    assert "无：平台、银行和账簿精确到分完全一致。" not in page


def test_every_kind_of_difference_has_words_in_the_visitors_language():
    assert set(RECONCILIATION_DIFFERENCE) == set(DIFFERENCES)
