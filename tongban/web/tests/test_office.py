"""The workbench: the queue, the window, the case page; who may do what; refusals explained."""

import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tongban.benefits.models import Entitlement
from tongban.cases.models import Application, Bundle, Task
from tongban.cases.tests.conftest import sanya_worker
from tongban.cases.tests.test_refusals import state
from tongban.core.models import AuditEvent, OutboxMessage
from tongban.registry.tests.factories import citizen_id
from tongban.web.tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def find(client, id_text):
    response = client.post("/office/accept/", {"action": "find", "id_text": id_text})
    assert response.status_code == 302, text(response)
    return text(client.get("/office/accept/"))


def accept(client, what, key, **data):
    return client.post(
        "/office/accept/", {"action": "accept", "what": what, "submission_key": key, **data}
    )


def task_of(reference):
    return Task.objects.get(application__reference=reference, is_open=True)


def decide(client, reference, outcome="approve", *, key=None, checks=None, **extra):
    task = task_of(reference)
    page = text(client.get(f"/office/cases/{reference}/"))
    codes = re.findall(r'name="check_codes" value="([a-z_]+)"', page)
    body = {
        "action": "decide", "task": task.pk, "outcome": outcome, "check_codes": codes,
        "checks": codes if checks is None else checks, "submission_key": key or f"k{task.pk}{outcome}",
        **extra,
    }  # fmt: skip
    return client.post(f"/office/cases/{reference}/", body)


def approved_at_the_window(office, person):
    """The person's unemployment bundle, accepted in Haikou, re-reviewed and approved in Sanya."""
    hk = office["hk_acceptor"]
    find(hk, person.id_number)
    assert accept(hk, "bundle:unemployment", f"bundle-{person.pk}").status_code == 302
    registration = Application.objects.get(person=person, item_code="unemployment_registration")
    claim = Application.objects.get(person=person, item_code="ui_benefit")
    assert decide(hk, registration.reference).status_code == 302
    assert decide(hk, claim.reference).status_code == 302
    assert decide(office["sy_reviewer"], claim.reference).status_code == 302


@pytest.fixture
def window_claim(office, worker):
    """The worker's unemployment bundle, accepted at the Haikou Longhua window."""
    hk = office["hk_acceptor"]
    find(hk, worker.id_number)
    response = accept(hk, "bundle:unemployment", "bundle-1")
    assert response.status_code == 302, text(response)
    return Application.objects.get(person=worker, item_code="ui_benefit").reference


def test_the_window_finds_the_number_in_the_card_readers_text(office, worker):
    spaced = " ".join([worker.id_number[:6], worker.id_number[6:14], worker.id_number[14:]])
    page = find(office["hk_acceptor"], f"姓名 测试\n出生 1990年1月1日\n公民身份号码 {spaced}\n")
    assert worker.name in page
    assert worker.id_number not in page  # masked by default
    assert worker.id_number[:4] + "*" * 10 + worker.id_number[-4:] in page
    assert "18个月，每月¥1,647.00" in page


def test_the_window_refuses_a_wrong_number_and_keeps_it(office):
    response = office["hk_acceptor"].post(
        "/office/accept/", {"action": "find", "id_text": "460100199001010018"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "身份证号码校验位不正确" in page and ">460100199001010018</textarea>" in page


def test_accepting_the_bundle_at_the_window_waits_for_a_human_initial_review(office, window_claim):
    claim = Application.objects.get(reference=window_claim)
    assert claim.status == "initial_review" and claim.channel == "window"
    queue = text(office["hk_acceptor"].get("/office/"))
    assert window_claim in queue and "海口市龙华区社保服务站" in queue


def test_a_double_submit_at_the_window_accepts_once(office, worker):
    hk = office["hk_acceptor"]
    find(hk, worker.id_number)
    first, second = (
        accept(hk, "bundle:unemployment", "same"),
        accept(hk, "bundle:unemployment", "same"),
    )
    assert first["Location"] == second["Location"]
    assert Bundle.objects.filter(person=worker).count() == 1


def test_the_walk_of_a_claim_through_the_workbench(office, window_claim):
    hk, sy = office["hk_acceptor"], office["sy_reviewer"]
    registration = Application.objects.get(
        bundle__applications__reference=window_claim, item_code="unemployment_registration"
    )
    assert decide(hk, registration.reference).status_code == 302
    response = decide(hk, window_claim)
    assert response.status_code == 302
    assert "初审通过，已转三亚市社会保险服务中心复核" in text(hk.get(response["Location"]))
    page = text(sy.get(f"/office/cases/{window_claim}/"))
    assert "复核" in page and "海口市龙华区社保服务站" in page
    assert decide(sy, window_claim).status_code == 302
    page = text(sy.get(f"/office/cases/{window_claim}/"))
    assert "已核准" in page and "¥1,647.00" in page
    assert "档案序号" in page and "#" in page


def test_an_unticked_check_is_explained_next_to_the_checklist(office, window_claim):
    hk = office["hk_acceptor"]
    before = state()
    response = decide(hk, window_claim, checks=["identity"], reasons="第一行")
    assert response.status_code == 422
    page = text(response)
    assert 'id="checklist_error"' in page and "核准前须确认全部审核要点" in page
    assert "第一行</textarea>" in page and 'value="identity" checked' in page
    assert state() == before


def test_a_rejection_without_a_reason_is_explained_next_to_the_reasons(office, window_claim):
    before = state()
    response = decide(office["hk_acceptor"], window_claim, "reject")
    assert response.status_code == 422
    assert 'id="reasons_error"' in text(response) and "至少填写一条" in text(response)
    assert state() == before


def test_a_contest_is_shown_and_re_verified_at_initial_review(office, db):
    person = sanya_worker(reason_code="voluntary_resignation")
    hk = office["hk_acceptor"]
    find(hk, person.id_number)
    registration = accept(hk, "unemployment_registration", "r")
    decide(
        hk, Application.objects.get(person=person, item_code="unemployment_registration").reference
    )
    response = accept(hk, "ui_benefit", "c", **{
        "ui_benefit-contest": "on", "ui_benefit-claimed_reason": "employer_rescinded",
        "ui_benefit-statement": "单位单方解除合同",
    })  # fmt: skip
    assert response.status_code == 302, text(response)
    assert registration.status_code == 302
    reference = Application.objects.get(person=person, item_code="ui_benefit").reference
    page = text(hk.get(f"/office/cases/{reference}/"))
    assert (
        "申请人对离职原因提出异议" in page
        and "单位单方解除合同" in page
        and "用人单位依法解除劳动合同" in page
    )
    assert 'name="contest_outcome"' in page
    refused = decide(hk, reference)
    assert refused.status_code == 422 and "规则暂时无法判定" in text(refused)
    assert decide(hk, reference, contest_outcome="upheld", submission_key="v").status_code == 302
    assert Application.objects.get(reference=reference).status == "re_review"


# ---- Items with a form of their own at the window: a funeral grant, a new job ----------------


SPOUSE = citizen_id("460100", date(1991, 3, 8), male=False)


def funeral(**fields):
    return {f"funeral_survivor-{name}": value for name, value in fields.items()}


def test_the_family_claims_a_funeral_grant_at_a_window_and_the_paying_region_re_reviews(
    office, worker
):
    # given: a recipient of Sanya's fund died; the family comes to the Haikou Longhua window
    approved_at_the_window(office, worker)
    hk = office["hk_acceptor"]
    page = find(hk, worker.id_number)
    offer = page[page.index('id="offer-funeral_survivor"') :]
    offer = offer[: offer.index("</form>")]
    assert "家属补充的信息" in offer and 'name="funeral_survivor-date_of_death"' in offer
    # when
    response = accept(hk, "funeral_survivor", "f1", **funeral(
        date_of_death="2026-11-20", applicant_name="王芳", applicant_id_number=SPOUSE,
        relationship="spouse", funeral_grant_elsewhere="",
    ))  # fmt: skip
    # then: the application is the deceased's, initial review here, re-review by the payer
    assert response.status_code == 302, text(response)
    grant = Application.objects.get(person=worker, item_code="funeral_survivor")
    assert response["Location"] == f"/office/cases/{grant.reference}/"
    assert (grant.status, grant.channel) == ("initial_review", "window")
    assert grant.accepting_office.code == "haikou-longhua"
    assert grant.reviewing_office.code == "sanya-agency"
    assert grant.data == {
        "date_of_death": "2026-11-20",
        "applicant": {"name": "王芳", "id_number": SPOUSE, "relationship": "spouse"},
    }
    assert task_of(grant.reference).office.code == "haikou-longhua"
    case = text(hk.get(response["Location"]))
    assert "家属申领" in case and "王芳" in case and "配偶" in case and "2026年11月20日" in case
    assert SPOUSE not in case and SPOUSE[:4] + "*" * 10 + SPOUSE[-4:] in case
    assert "¥19,764.00" in case  # funeral grant and survivor pension: 6 + 6 months of ¥1,647.00
    routed = decide(hk, grant.reference)
    assert "初审通过，已转三亚市社会保险服务中心复核" in text(hk.get(routed["Location"]))
    grant.refresh_from_db()
    assert grant.status == "re_review" and task_of(grant.reference).office.code == "sanya-agency"


def test_a_funeral_grant_with_bad_details_is_explained_field_by_field(office, worker):
    hk = office["hk_acceptor"]
    find(hk, worker.id_number)
    before = state()
    response = accept(hk, "funeral_survivor", "f2", **funeral(
        date_of_death="2026-12-01", applicant_name="", applicant_id_number=worker.id_number,
        relationship="",
    ))  # fmt: skip
    assert response.status_code == 422
    page = text(response)
    assert "请修改标出的内容" in page
    assert 'id="id_funeral_survivor-date_of_death_error"' in page and "死亡日期不能晚于今天" in page
    assert 'id="id_funeral_survivor-applicant_id_number_error"' in page
    assert "这是死者本人的身份证号码" in page
    assert 'id="id_funeral_survivor-applicant_name_error"' in page
    assert 'id="id_funeral_survivor-relationship_error"' in page
    assert 'value="2026-12-01"' in page  # what was typed is kept
    wrong_digit = SPOUSE[:-1] + ("0" if SPOUSE[-1] != "0" else "1")
    response = accept(hk, "funeral_survivor", "f3", **funeral(
        date_of_death="2026-11-20", applicant_name="王芳", applicant_id_number=wrong_digit,
        relationship="spouse",
    ))  # fmt: skip
    assert response.status_code == 422 and "身份证号码校验位不正确" in text(response)
    assert state() == before


def test_a_new_job_reported_at_any_window_holds_the_benefit_for_the_payers_review(office, worker):
    # given: Sanya pays the benefit; the person reports the new job in Danzhou
    approved_at_the_window(office, worker)
    dz = office["dz_caseworker"]
    find(dz, worker.id_number)
    # when
    response = accept(dz, "reemployment_report", "j1", **{
        "reemployment_report-start_date": "2026-11-20", "reemployment_report-employer_uscc": "",
    })  # fmt: skip
    # then: recorded and completed at once in Danzhou; the benefit held from that day, and
    # the review (whose confirmation ends it) in the Sanya agency's queue
    assert response.status_code == 302, text(response)
    report = Application.objects.get(person=worker, item_code="reemployment_report")
    assert (report.status, report.channel) == ("completed", "window")
    assert report.accepting_office.code == "danzhou-agency" and report.reviewing_office is None
    entitlement = Entitlement.objects.get(person=worker, item_code="ui_benefit")
    assert entitlement.status == "suspended"
    review = Task.objects.get(stage="finding_review", person=worker, is_open=True)
    assert review.office.code == "sanya-agency"
    event = OutboxMessage.objects.get(
        topic="cases.reemployment_reported", payload__reference=report.reference
    )
    assert event.payload["paying_agency"] == "sanya-agency"


def test_a_new_job_with_bad_details_or_no_benefit_is_explained_and_changes_nothing(office, worker):
    approved_at_the_window(office, worker)
    dz = office["dz_caseworker"]
    find(dz, worker.id_number)
    before = state()
    future = accept(dz, "reemployment_report", "j2", **{
        "reemployment_report-start_date": "2026-12-01",
    })  # fmt: skip
    assert future.status_code == 422
    assert 'id="id_reemployment_report-start_date_error"' in text(future)
    assert "日期不能晚于今天" in text(future)
    bad_code = accept(dz, "reemployment_report", "j3", **{
        "reemployment_report-start_date": "2026-11-20", "reemployment_report-employer_uscc": "X",
    })  # fmt: skip
    assert bad_code.status_code == 422 and "统一社会信用代码为18位" in text(bad_code)
    assert 'id="id_reemployment_report-employer_uscc_error"' in text(bad_code)
    assert state() == before
    assert Entitlement.objects.get(person=worker).status == "active"
    # Someone who receives nothing has nothing to stop.
    other = sanya_worker()
    find(dz, other.id_number)
    refused = accept(dz, "reemployment_report", "j4", **{
        "reemployment_report-start_date": "2026-11-20",
    })  # fmt: skip
    assert refused.status_code == 422 and "您目前没有在领取待遇" in text(refused)
    assert state() == before


# ---- Who may do what: a refusal changes nothing --------------------------------------------

CASE_VIEW = {"hk_acceptor": 200, "sy_reviewer": 200, "dz_caseworker": 404, "hk_reviewer": 404}


@pytest.mark.parametrize(
    "who", ["anonymous", "claimant", "hk_acceptor", "sy_reviewer", "dz_caseworker"]
)
def test_who_may_see_and_decide_an_initial_review(office, worker, window_claim, who):
    client = {"anonymous": Client(), "claimant": Client()}.get(who) or office[who]
    if who == "claimant":
        sign_in(client, worker.id_number)
    path = f"/office/cases/{window_claim}/"
    response = client.get(path)
    if who in ("anonymous", "claimant"):
        assert (
            response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"
        )
    else:
        assert response.status_code == CASE_VIEW[who]
    if who == "sy_reviewer":  # the paying agency sees the case it will re-review, not the form
        assert "该任务属于海口市龙华区社保服务站" in text(response)
        assert 'name="outcome"' not in text(response)
    if who == "hk_acceptor":
        return
    before = state()
    task = task_of(window_claim)
    refused = client.post(
        path, {"action": "decide", "task": task.pk, "outcome": "approve", "submission_key": who}
    )
    assert refused.status_code in (302, 404, 422)
    if refused.status_code == 422:
        assert "该任务属于海口市龙华区社保服务站" in text(refused)
    assert state() == before


@pytest.mark.parametrize("who", ["hk_acceptor", "sy_reviewer", "sy_acceptor", "dz_caseworker"])
def test_who_may_decide_a_re_review(office, window_claim, who):
    hk = office["hk_acceptor"]
    decide(hk, window_claim)
    path = f"/office/cases/{window_claim}/"
    page = office[who].get(path)
    before = state()
    if who in ("sy_acceptor", "dz_caseworker"):  # not routed there
        assert page.status_code == 404
    else:
        assert page.status_code == 200
    if who == "hk_acceptor":  # the accepting office still sees its case, and why it cannot decide
        assert "该任务属于三亚市社会保险服务中心" in text(page) and 'name="outcome"' not in text(
            page
        )
    if who == "sy_reviewer":
        assert 'name="outcome"' in text(page)
        return
    response = office[who].post(path, {
        "action": "decide", "task": task_of(window_claim).pk, "outcome": "approve", "submission_key": "z",
    })  # fmt: skip
    assert response.status_code in (404, 422)
    if response.status_code == 422:
        assert "该任务属于三亚市社会保险服务中心" in text(response)
    assert state() == before


def test_a_stale_form_gets_the_wrong_office_refusal_beside_it(office, window_claim):
    hk = office["hk_acceptor"]
    task = task_of(window_claim).pk
    decide(hk, window_claim)  # routed to Sanya; the Haikou page in another tab still has the form
    before = state()
    sanya_task = task_of(window_claim).pk
    response = hk.post(f"/office/cases/{window_claim}/", {
        "action": "decide", "task": sanya_task, "outcome": "approve", "submission_key": "stale",
    })  # fmt: skip
    assert response.status_code == 422
    assert "该任务属于三亚市社会保险服务中心，在其待办中" in text(response)
    assert state() == before
    assert task != sanya_task


def test_the_initial_reviewer_may_not_re_review(office, worker):
    sy = office["sy_reviewer"]
    find(sy, worker.id_number)
    accept(sy, "bundle:unemployment", "b")
    reference = Application.objects.get(person=worker, item_code="ui_benefit").reference
    decide(
        sy, Application.objects.get(person=worker, item_code="unemployment_registration").reference
    )
    decide(sy, reference)
    page = text(sy.get(f"/office/cases/{reference}/"))
    assert "本件由您初审，复核须由其他人员办理" in page and 'name="outcome"' not in page


# ---- Privacy --------------------------------------------------------------------------------


def test_numbers_are_masked_and_a_full_view_is_a_recorded_post(office, worker, window_claim):
    worker.bank_account = "6217000000001234567"
    worker.save()
    hk = office["hk_acceptor"]
    path = f"/office/cases/{window_claim}/"
    page = text(hk.get(path))
    assert worker.id_number not in page and worker.bank_account not in page
    assert "***************4567" in page
    audits = AuditEvent.objects.filter(event_type="view_full_record").count()
    revealed = text(hk.post(path, {"action": "reveal"}))
    assert worker.id_number in revealed and worker.bank_account in revealed
    event = AuditEvent.objects.filter(event_type="view_full_record").latest("id")
    assert AuditEvent.objects.filter(event_type="view_full_record").count() == audits + 1
    assert event.subject_id == str(worker.pk) and event.office_code == "haikou-longhua"
    assert event.actor_label == "staff:hk_acceptor"
    assert worker.id_number not in str(event.data)
    assert worker.id_number not in text(hk.get(path))  # masked again on the next visit


def test_an_unrelated_office_cannot_reveal(office, window_claim):
    audits = AuditEvent.objects.count()
    assert (
        office["dz_caseworker"]
        .post(f"/office/cases/{window_claim}/", {"action": "reveal"})
        .status_code
        == 404
    )
    assert AuditEvent.objects.count() == audits


# ---- The queue ------------------------------------------------------------------------------


def _many_tasks(office, n):
    hk = office["hk_acceptor"]
    for i in range(n):
        person = sanya_worker()
        find(hk, person.id_number)
        accept(hk, "ui_certificate" if i % 2 else "employment_certificate", f"q{i}")


def test_the_queue_filters_and_pages(office):
    _many_tasks(office, 30)
    hk = office["hk_acceptor"]
    page = text(hk.get("/office/"))
    assert "30项待办" in page and "第1页，共2页" in page
    assert len(re.findall(r'href="/office/cases/TB', page)) == 25
    only = text(hk.get("/office/?item=ui_certificate"))
    assert "15项待办" in only and "就业创业证申领" not in only.split("<tbody>")[1]
    assert "没有符合条件的待办任务" in text(hk.get("/office/?overdue=1"))
    assert "30项待办" in text(hk.get("/office/?stage=initial_review&page=2"))
    assert (
        text(hk.get("/office/?stage=nonsense&item=nonsense&page=x")).count('href="/office/cases/TB')
        == 25
    )


def test_overdue_tasks_are_marked(office, time_machine):
    _many_tasks(office, 1)
    time_machine.move_to("2026-12-20T10:00:00+08:00")
    hk = Client()
    hk.force_login(get_user_model().objects.get(username="hk_acceptor"))
    page = text(hk.get("/office/?overdue=1"))
    assert "已超期" in page and "1项待办" in page


@pytest.mark.parametrize("n", [2, 40])
def test_the_queue_page_reads_a_fixed_number_of_rows(office, django_assert_max_num_queries, n):
    _many_tasks(office, n)
    hk = office["hk_acceptor"]
    hk.get("/office/")  # warm the catalogue cache
    with django_assert_max_num_queries(7):
        assert hk.get("/office/?stage=initial_review").status_code == 200


def test_the_workbench_speaks_english_when_chosen(office):
    hk = office["hk_acceptor"]
    hk.post("/i18n/setlang/", {"language": "en", "next": "/office/"})
    page = text(hk.get("/office/"))
    assert "My queue" in page and "Accept at the window" in page and "我的待办" not in page


def test_an_expired_session_returns_to_the_case_after_login(window_claim, time_machine):
    from tongban.core.testing import TEST_ACTOR
    from tongban.regions.services import staff_create

    staff_create(actor=TEST_ACTOR, username="hk2", office_code="haikou-longhua",
                 roles=["acceptor"], password="a-Long-pass-phrase-42")  # fmt: skip
    client = Client()
    path = f"/office/cases/{window_claim}/"
    assert (
        client.post(
            "/accounts/login/", {"username": "hk2", "password": "a-Long-pass-phrase-42"}
        ).status_code
        == 302
    )
    assert client.get(path).status_code == 200
    time_machine.move_to("2026-11-27T09:00:00+08:00")  # the next morning: the session has expired
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"
    back = client.post(
        response["Location"], {"username": "hk2", "password": "a-Long-pass-phrase-42", "next": path}
    )
    assert back["Location"] == path
    assert client.get(path).status_code == 200
