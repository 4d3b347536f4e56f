"""The supervision dashboards in a real browser (headless Chromium): the province's and a region's.

A provincial supervisor opens the overview, sees the figures of the day and the heat map,
switches to one region with the page's chooser, and sees a decision taken meanwhile counted
on reload. A Sanya supervisor sees Sanya's figures, the cases its fund pays for, and a
clear refusal when asking for Haikou's.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tongban.core.testing import TEST_ACTOR
from tongban.regions.services import staff_create
from tongban.supervision.tests.scenario import bundle, caseworker, claimant, decide, window
from tongban.web.tests.browser import chromium
from tongban.web.tests.test_browser import NOW, PASSWORD, staff_signs_in

pytestmark = [pytest.mark.browser, pytest.mark.transactional]
DAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def site(reference_data_committed, live_server):
    """Two supervisors who can sign in, and two claims accepted in Haikou: one insured in
    Sanya (approved by Sanya), one insured in Haikou (waiting for its initial review)."""
    with time_machine.travel(NOW, tick=True):
        for username, office in (("sheng", "hainan-province"), ("sanya_jd", "sanya-agency")):
            staff_create(actor=TEST_ACTOR, username=username, office_code=office,
                         roles=["supervisor"], password=PASSWORD, full_name=username)  # fmt: skip
        acceptor = caseworker("hk_window", "haikou-longhua", ["acceptor"])
        reviewer = caseworker("sy_agency", "sanya-agency", ["acceptor", "reviewer"])
        sanya_insured = bundle(
            window(acceptor), claimant(insured="460200", elsewhere="460100"), DAY
        )
        decide(acceptor, sanya_insured["unemployment_registration"], DAY)
        decide(acceptor, sanya_insured["ui_benefit"], DAY)
        decide(reviewer, sanya_insured["ui_benefit"], DAY)
        waiting = bundle(window(acceptor), claimant(insured="460100"), DAY)
        yield {"url": live_server.url, "acceptor": acceptor, "waiting": waiting}


def figure(page, name):
    return page.locator(f"#fig-{name}").inner_text()


def test_the_provincial_dashboard(browser, site):
    url = site["url"]
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    staff_signs_in(page, url, "sheng", "/office/supervision/")
    assert page.locator("h1").first.inner_text() == "概况"
    assert "全省" in page.locator("main").inner_text()
    # Five applications (two bundles, one with a transfer), all at the window: no online share.
    assert figure(page, "applications") == "5"
    assert figure(page, "cross") == "50.0%"  # of the two claims, one insured in Sanya
    assert page.locator("svg[role=img]").first.is_visible()
    # Live: a decision taken now is in the figures on the next look.
    before = page.locator("#table-by_item").inner_text()
    decide(site["acceptor"], site["waiting"]["unemployment_registration"], DAY)
    page.reload()
    assert page.locator("#table-by_item").inner_text() != before
    # The heat map: Haikou serves one person insured in Sanya.
    page.get_by_role("link", name="异地通办矩阵").click()
    heat = page.locator("#table-matrix")
    assert "受理地 ↓ / 参保地 →" in heat.inner_text()
    assert heat.locator("td[style*='background']").count() == 2  # Haikou→Sanya, Haikou→Haikou
    # One region, chosen on the page.
    page.get_by_label("统计范围").select_option("region:460100")
    page.get_by_role("button", name="查询").click()
    assert "海口市受理" in page.locator("main").inner_text()
    page.get_by_role("link", name="基金", exact=True).click()
    assert "可支付月数" in page.locator("#table-funds").inner_text()


def test_a_regional_dashboard(browser, site):
    url = site["url"]
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    staff_signs_in(page, url, "sanya_jd", "/office/supervision/")
    assert "三亚市受理" in page.locator("main").inner_text()
    assert figure(page, "applications") == "0"  # nothing was accepted in Sanya
    choices = page.get_by_label("统计范围").locator("option").all_inner_texts()
    assert "全省" not in choices and "参保地为三亚市（由其基金支付）" in choices
    page.get_by_label("统计范围").select_option("insured:460200")
    page.get_by_role("button", name="查询").click()
    assert figure(page, "applications") == "3"  # the Sanya-insured bundle, accepted in Haikou
    response = page.goto(f"{url}/office/supervision/?region=460100")
    assert response.status == 403
    assert "超出您的查看范围" in page.locator("[role=alert]").inner_text()
    assert page.locator("#fig-applications").count() == 0
