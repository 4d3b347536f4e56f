"""The pages in a real browser (headless Chromium): a claim from sign-in to "approved".

The walk: a claimant signs in, sees the claim is possible and applies for the
unemployment bundle online, choosing Haikou Longhua (the registration gets a recorded
system initial review; the claim pays money, so its initial review is a Longhua
caseworker's); the Haikou caseworker finds it in the queue and approves; a Sanya
caseworker re-reviews and approves; the claimant sees "approved, 18 months of ¥1,647.00".
Acceptance at the window, the wrong-office refusal, English and a 360-px phone have tests too.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tongban.cases.models import Application, Bundle
from tongban.cases.tests.conftest import sanya_worker
from tongban.core.testing import TEST_ACTOR
from tongban.regions.services import staff_create
from tongban.web.tests.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.transactional]

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "a-Long-pass-phrase-42"


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def site(reference_data_committed, live_server):
    """The reference data, the clock at a Thursday morning (moving on), caseworkers with passwords."""
    with time_machine.travel(NOW, tick=True):
        for username, office, roles in [
            ("hk_acceptor", "haikou-longhua", ["acceptor"]),
            ("sy_reviewer", "sanya-agency", ["acceptor", "reviewer"]),
            ("dz_caseworker", "danzhou-agency", ["acceptor", "reviewer"]),
        ]:
            staff_create(actor=TEST_ACTOR, username=username, office_code=office, roles=roles,
                         password=PASSWORD, full_name=username)  # fmt: skip
        yield live_server.url


def claimant_signs_in(page, url, id_number):
    page.goto(f"{url}/me/")
    assert "/signin/" in page.url
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_role("button", name="获取验证码").click()
    code = page.locator("#otp").inner_text()
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/me/")


def staff_signs_in(page, url, username, path="/office/"):
    page.goto(f"{url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}{path}")


def queue_link(page):
    return page.get_by_role("navigation", name="工作台").get_by_role("link", name="我的待办")


def approve(page):
    """Tick every check of the stage's checklist and approve."""
    for box in page.locator("fieldset.checklist input[type=checkbox]").all():
        box.check()
    page.get_by_role("button", name="通过", exact=True).click()


def test_a_claim_from_sign_in_to_approved(browser, site):
    url = site
    person = sanya_worker()
    claimant = browser.new_context(locale="zh-CN").new_page()

    # 1-2. The claimant signs in and sees that the claim is possible.
    claimant_signs_in(claimant, url, person.id_number)
    bundle_card = claimant.locator("section.highlight")
    assert "18个月，每月¥1,647.00" in bundle_card.inner_text()

    # 3. The claimant applies for the bundle, choosing the Haikou Longhua office (a double
    # click submits once).
    claimant.get_by_role("link", name="申请失业登记和失业保险金").click()
    claimant.get_by_label("负责初审的经办机构").select_option("haikou-longhua")
    claimant.get_by_role("button", name="提交申请").dblclick()
    claimant.wait_for_url(f"{url}/me/cases/**")
    assert Bundle.objects.filter(person=person).count() == 1
    claim = Application.objects.get(person=person, item_code="ui_benefit")
    assert claim.status == "initial_review" and claim.channel == "portal"
    registration = Application.objects.get(person=person, item_code="unemployment_registration")
    assert registration.status == "completed"  # the recorded system initial review
    # The claimant follows it: initial review in Haikou, with its due date.
    assert (
        "海口市龙华区社保服务站初审中，12月10日前办结" in claimant.locator(".timeline").inner_text()
    )

    # 4. The Haikou caseworker finds the claim in the queue and approves the initial review.
    haikou = browser.new_context(locale="zh-CN").new_page()
    staff_signs_in(haikou, url, "hk_acceptor")
    haikou.get_by_role("link", name=claim.reference).click()
    stale = browser.new_context(locale="zh-CN")
    stale.add_cookies(haikou.context.cookies())
    stale_page = stale.new_page()
    stale_page.goto(haikou.url)  # the same case open in a second tab
    approve(haikou)
    assert "初审通过，已转三亚市社会保险服务中心复核" in haikou.locator(".messages").inner_text()
    assert "该任务属于三亚市社会保险服务中心" in haikou.locator("#why-no-form").inner_text()

    # The wrong-office refusal, beside the form of the stale tab: approving once more is refused.
    approve(stale_page)
    assert "该任务已办结" in stale_page.locator("#refusal").inner_text()

    # 5. The Sanya caseworker re-reviews and approves.
    sanya = browser.new_context(locale="zh-CN").new_page()
    staff_signs_in(sanya, url, "sy_reviewer")
    sanya.get_by_label("环节").select_option("re_review")
    sanya.get_by_role("button", name="筛选").click()
    sanya.get_by_role("link", name=claim.reference).click()
    assert "海口市龙华区社保服务站" in sanya.locator(".case-head").inner_text()
    approve(sanya)
    assert "已核准" in sanya.locator(".case-head").inner_text()

    # 6. The claimant sees the decision.
    claimant.goto(f"{url}/me/")
    claimant.get_by_role("link", name="失业保险金申领").click()
    outcome = claimant.locator("#outcome").inner_text()
    assert "已核准：18个月，每月¥1,647.00" in outcome and "三亚市" in outcome


def test_the_wrong_office_is_told_whose_task_it_is(browser, site):
    url = site
    person = sanya_worker()
    haikou = browser.new_context(locale="zh-CN").new_page()
    staff_signs_in(haikou, url, "hk_acceptor", "/office/accept/")
    haikou.get_by_label("身份证号码（手工输入或读卡器读取）").fill(person.id_number)
    haikou.get_by_role("button", name="查询").click()
    haikou.get_by_role("button", name="受理失业“一件事”").click()
    haikou.wait_for_url(f"{url}/office/cases/**")
    reference = Application.objects.get(person=person, item_code="ui_benefit").reference
    sanya = browser.new_context(locale="zh-CN").new_page()
    staff_signs_in(sanya, url, "sy_reviewer", f"/office/cases/{reference}/")
    note = sanya.locator("#why-no-form").inner_text()
    assert "该任务属于海口市龙华区社保服务站" in note
    assert sanya.get_by_role("button", name="通过", exact=True).count() == 0
    danzhou = browser.new_context(locale="zh-CN").new_page()
    staff_signs_in(danzhou, url, "dz_caseworker", "/office/")
    response = danzhou.goto(f"{url}/office/cases/{reference}/")
    assert response.status == 404 and "找不到该办件" in danzhou.content()


def test_accepting_the_bundle_at_the_window_with_the_card_reader(browser, site):
    url = site
    person = sanya_worker()
    haikou = browser.new_context(locale="zh-CN").new_page()
    staff_signs_in(haikou, url, "hk_acceptor")
    haikou.get_by_role("link", name="窗口受理").click()
    haikou.get_by_label("身份证号码（手工输入或读卡器读取）").fill(
        f"姓名 {person.name}\n公民身份号码 {person.id_number[:6]} {person.id_number[6:14]} {person.id_number[14:]}\n"
    )
    haikou.get_by_role("button", name="查询").click()
    assert person.id_number not in haikou.content()  # masked
    haikou.get_by_role("button", name="受理失业“一件事”").click()
    haikou.wait_for_url(f"{url}/office/cases/**")
    claim = Application.objects.get(person=person, item_code="ui_benefit")
    assert claim.status == "initial_review" and claim.channel == "window"
    registration = Application.objects.get(person=person, item_code="unemployment_registration")
    assert registration.status == "initial_review"  # at the window, a caseworker's review
    queue_link(haikou).click()
    haikou.get_by_role("link", name=registration.reference).click()
    approve(haikou)
    assert "已办结" in haikou.locator(".case-head").inner_text()


def test_english_when_chosen(browser, site):
    url = site
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{url}/")
    assert "全省通办，只需身份证" in page.content()
    page.get_by_role("button", name="English").click()
    assert "Served anywhere in the province" in page.locator("h1").inner_text()
    page.get_by_role("button", name="中文").click()
    assert "全省通办" in page.locator("h1").inner_text()


def test_the_portal_fits_a_360_px_phone(browser, site):
    url = site
    person = sanya_worker()
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)  # fmt: skip
    page = context.new_page()
    claimant_signs_in(page, url, person.id_number)
    page.goto(f"{url}/me/apply/unemployment/")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(f"{url}/me/cases/**")
    case = page.url
    for path in ["/", "/signin/", "/me/", "/me/apply/unemployment/", "/me/apply/skill_subsidy/",
                 "/me/payments/", "/me/new-job/"]:  # fmt: skip
        page.goto(f"{url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    page.goto(case)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, case
