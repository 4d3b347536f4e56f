"""`make screenshots`: pictures of the main pages in docs/screenshots/, in Chinese (and one in English).

Skipped in the ordinary test run; the make target sets TONGBAN_SCREENSHOTS=1. It walks the same
story as the browser tests, photographing each page on the way.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from tongban.benefits.payrun import payrun_execute
from tongban.cases.models import Application
from tongban.cases.tests.conftest import sanya_worker
from tongban.core.testing import TEST_ACTOR
from tongban.web.tests.test_browser import (
    NOW,
    approve,
    browser,
    claimant_signs_in,
    queue_link,
    site,
    staff_signs_in,
)

__all__ = ["browser", "site"]
pytestmark = [
    pytest.mark.browser,
    pytest.mark.transactional,
    pytest.mark.skipif(
        not os.environ.get("TONGBAN_SCREENSHOTS"), reason="run by `make screenshots`"
    ),
]
OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def test_screenshots(browser, site):
    url = site
    person = sanya_worker()
    person.name, person.bank_account = "王小明", "6217000000001234567"
    person.save()
    contested = sanya_worker(reason_code="voluntary_resignation")
    contested.name = "李海燕"
    contested.save()
    phone = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2,
                                is_mobile=True, has_touch=True).new_page()  # fmt: skip
    phone.goto(f"{url}/")
    shot(phone, "portal-home-phone")
    claimant_signs_in(phone, url, person.id_number)
    shot(phone, "portal-claims-phone")
    phone.goto(f"{url}/me/apply/unemployment/")
    shot(phone, "portal-apply-phone")

    desk = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    staff_signs_in(desk, url, "hk_acceptor", "/office/accept/")
    desk.get_by_label("身份证号码（手工输入或读卡器读取）").fill(
        f"姓名 王小明\n公民身份号码 {person.id_number}\n签发机关 海口市公安局"
    )
    desk.get_by_role("button", name="查询").click()
    shot(desk, "office-accept")
    desk.get_by_role("button", name="受理失业“一件事”").click()
    claim = Application.objects.get(person=person, item_code="ui_benefit")
    # A second claim, contested, so the queue and the case page show a contest.
    desk.goto(f"{url}/office/accept/")
    desk.get_by_role("button", name="办理下一位").click()
    desk.get_by_label("身份证号码（手工输入或读卡器读取）").fill(contested.id_number)
    desk.get_by_role("button", name="查询").click()
    desk.locator("#offer-unemployment_registration").get_by_role("button").click()
    registration = Application.objects.get(person=contested, item_code="unemployment_registration")
    desk.goto(f"{url}/office/cases/{registration.reference}/")
    approve(desk)
    desk.goto(f"{url}/office/accept/")
    offer = desk.locator("#offer-ui_benefit")
    offer.locator("summary").click()
    offer.get_by_label("我并非本人意愿离职：单位登记的离职原因有误").check()
    offer.get_by_label("实际离职原因").select_option("employer_rescinded")
    offer.get_by_label("简要说明（选填）").fill("公司以业务调整为由单方解除合同，并非本人辞职。")
    offer.get_by_role("button").click()
    queue_link(desk).click()
    shot(desk, "office-queue")
    contested_claim = Application.objects.get(person=contested, item_code="ui_benefit")
    desk.goto(f"{url}/office/cases/{contested_claim.reference}/")
    shot(desk, "office-case-contested")
    desk.goto(f"{url}/office/cases/{claim.reference}/")
    shot(desk, "office-case-initial-review")

    phone.goto(f"{url}/me/cases/{claim.reference}/")
    shot(phone, "portal-case-initial-review-phone")

    registration = Application.objects.get(person=person, item_code="unemployment_registration")
    desk.goto(f"{url}/office/cases/{registration.reference}/")
    approve(desk)
    desk.goto(f"{url}/office/cases/{claim.reference}/")
    approve(desk)
    sanya = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    staff_signs_in(sanya, url, "sy_reviewer", f"/office/cases/{claim.reference}/")
    shot(sanya, "office-case-re-review")
    approve(sanya)
    shot(sanya, "office-case-approved")

    phone.goto(f"{url}/me/cases/{claim.reference}/")
    shot(phone, "portal-case-approved-phone")
    # Sanya's fund runs November: the payments page shows the month on its way to the bank.
    payrun_execute(actor=TEST_ACTOR, region_code="460200", month=date(2026, 11, 1), on=NOW.date())
    phone.goto(f"{url}/me/payments/")
    shot(phone, "portal-payments-phone")

    english = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    claimant_signs_in(english, url, person.id_number)
    english.get_by_role("button", name="English").click()
    english.goto(f"{url}/me/cases/{claim.reference}/")
    shot(english, "portal-case-approved-english")


def test_supervision_screenshots(browser, site):
    """The supervision dashboards over a small demo province (its cases and payment runs)."""
    from tongban.demo.province import DEMO_PASSWORD, demo_province

    url = site
    demo_province(scale=0.1, seed=2026, as_of=NOW.date(), say=lambda _: None)

    def signed_in(username, path):
        page = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
        page.goto(f"{url}/accounts/login/?next={path}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{url}{path}")
        return page

    province = signed_in("province.supervisor", "/office/supervision/")
    shot(province, "supervision-province-overview")
    for name, path in [("matrix", "matrix/"), ("time", "time/"), ("funds", "funds/"),
                       ("anomalies", "anomalies/"), ("volumes", "volumes/")]:  # fmt: skip
        province.goto(f"{url}/office/supervision/{path}")
        shot(province, f"supervision-province-{name}")
    province.get_by_role("button", name="English").click()
    province.goto(f"{url}/office/supervision/")
    shot(province, "supervision-province-overview-english")
    region = signed_in("haikou.supervisor", "/office/supervision/")
    shot(region, "supervision-haikou-overview")
    region.goto(f"{url}/office/supervision/funds/")
    shot(region, "supervision-haikou-funds")
