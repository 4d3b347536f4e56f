"""The claimant portal: sign-in, what I can claim, applying once, following a case."""

import re

import pytest
import time_machine
from django.test import Client

from tongban.cases.models import Application, Bundle
from tongban.cases.tests.test_refusals import state
from tongban.web.identity import PENDING_KEY
from tongban.web.tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def test_sign_in_is_a_labelled_simulation_and_returns_where_it_was_asked(worker):
    client = Client()
    response = client.get("/me/payments/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/me/payments/"
    page = text(client.get(response["Location"]))
    assert "模拟" in page and 'value="/me/payments/"' in page
    code_page = text(
        client.post("/signin/", {"id_number": worker.id_number, "next": "/me/payments/"})
    )
    code = re.search(r'id="otp">(\d{6})<', code_page).group(1)
    wrong = client.post("/signin/return/", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422 and "验证码不正确" in text(wrong)
    done = client.post("/signin/return/", {"code": code})
    assert done.status_code == 302 and done["Location"] == "/me/payments/"
    assert client.get("/me/payments/").status_code == 200


def test_sign_in_refuses_a_bad_number_and_keeps_what_was_typed(db):
    client = Client()
    response = client.post("/signin/", {"id_number": "460100199001010018", "next": "/me/"})
    assert response.status_code == 422
    page = text(response)
    assert "身份证号码校验位不正确" in page and 'value="460100199001010018"' in page
    assert 'aria-invalid="true"' in page


def test_sign_in_never_returns_to_another_site(worker):
    client = Client()
    sign_in(client, worker.id_number, next_url="https://evil.example/")
    assert client.get("/me/").status_code == 200
    client2 = Client()
    client2.post("/signin/", {"id_number": worker.id_number, "next": "https://evil.example/"})
    code = client2.session[PENDING_KEY]["code"]
    assert client2.post("/signin/return/", {"code": code})["Location"] == "/me/"


def test_an_expired_session_returns_to_the_same_page_after_sign_in(worker, claimant):
    assert claimant.get("/me/new-job/").status_code == 200
    with time_machine.travel("2026-11-26T11:00:00+08:00"):  # an hour later: the session expired
        response = claimant.get("/me/new-job/")
        assert response["Location"] == "/signin/?next=/me/new-job/"
        sign_in(claimant, worker.id_number, next_url="/me/new-job/")
        assert claimant.get("/me/new-job/").status_code == 200


def test_what_i_can_claim_says_yes_with_months_and_amount(claimant):
    page = text(claimant.get("/me/"))
    assert "18个月，每月¥1,647.00" in page
    assert "失业“一件事”" not in page  # the portal words it for the person
    assert "申请失业登记和失业保险金" in page


def test_what_i_can_claim_says_no_and_why(db):
    from tongban.cases.tests.conftest import sanya_worker

    person = sanya_worker(reason_code="voluntary_resignation")
    client = Client()
    sign_in(client, person.id_number)
    page = text(client.get("/me/"))
    assert "不可以" in page and "本人意愿中断就业" in page and "可以提出异议" in page


def test_applying_for_the_bundle_online_goes_to_the_chosen_office(claimant, worker):
    page = text(claimant.get("/me/apply/unemployment/"))
    assert re.search(r'<option value="haikou-agency" selected>', page)  # the residence's office
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    response = claimant.post(
        "/me/apply/unemployment/", {"office": "haikou-longhua", "submission_key": key}
    )
    assert response.status_code == 302
    claim = Application.objects.get(person=worker, item_code="ui_benefit")
    assert response["Location"] == f"/me/cases/{claim.reference}/"
    assert claim.channel == "portal" and claim.accepting_office.code == "haikou-longhua"
    # The claim pays money: Longhua's caseworker does its initial review (the registration,
    # which pays nothing, had a recorded system initial review).
    assert claim.status == "initial_review"
    registration = Application.objects.get(person=worker, item_code="unemployment_registration")
    assert registration.status == "completed"
    page = text(claimant.get(response["Location"]))
    assert "海口市龙华区社保服务站初审中，12月10日前办结" in page
    page = text(claimant.get(f"/me/cases/{registration.reference}/"))
    assert "系统自动比对数据完成" in page


def test_a_double_submit_creates_one_bundle(claimant, worker):
    body = {"office": "haikou-longhua", "submission_key": "one-key-for-both-clicks"}
    first = claimant.post("/me/apply/unemployment/", body)
    second = claimant.post("/me/apply/unemployment/", body)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Bundle.objects.filter(person=worker).count() == 1
    assert Application.objects.filter(person=worker, item_code="ui_benefit").count() == 1


def test_a_new_key_with_the_same_claim_is_refused_and_explained(claimant, worker):
    claimant.post("/me/apply/unemployment/", {"office": "haikou-longhua", "submission_key": "a"})
    before = state()
    again = claimant.post(
        "/me/apply/unemployment/", {"office": "haikou-longhua", "submission_key": "b"}
    )
    assert again.status_code == 422
    assert "该事项已有正在办理的申请" in text(again)
    assert state() == before


def test_form_errors_stand_next_to_the_field_and_keep_the_typed_values(claimant):
    before = state()
    response = claimant.post(
        "/me/apply/ui_benefit/",
        {
            "office": "sanya-jiyang",
            "contest": "on",
            "statement": "公司让我走的",
            "submission_key": "k",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="id_claimed_reason_error"' in page and "请选择您认为真实的离职原因" in page
    assert "公司让我走的" in page and 'name="contest" id="id_contest" checked' in page
    assert '<option value="sanya-jiyang" selected>' in page
    assert state() == before


def test_someone_elses_case_is_not_found(claimant, worker, office):
    from tongban.cases.tests.conftest import sanya_worker

    other = sanya_worker()
    office["hk_acceptor"].post("/office/accept/", {"action": "find", "id_text": other.id_number})
    office["hk_acceptor"].post(
        "/office/accept/", {"action": "accept", "what": "ui_certificate", "submission_key": "x"}
    )
    reference = Application.objects.get(person=other).reference
    assert claimant.get(f"/me/cases/{reference}/").status_code == 404


def test_payments_show_entitlements_and_leave_room_for_payments(claimant):
    page = text(claimant.get("/me/payments/"))
    assert "暂无待遇" in page and 'id="payments"' in page


def test_reporting_a_new_job_without_a_benefit_is_explained(claimant):
    before = state()
    response = claimant.post("/me/new-job/", {"start_date": "2026-11-20", "submission_key": "r"})
    assert response.status_code == 422
    assert "您目前没有在领取待遇" in text(response)
    assert state() == before
    bad = claimant.post(
        "/me/new-job/", {"start_date": "2026-11-20", "employer_uscc": "X", "submission_key": "s"}
    )
    assert "统一社会信用代码为18位" in text(bad) and 'value="X"' in text(bad)


def test_the_portal_works_in_english(claimant):
    claimant.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    page = text(claimant.get("/me/"))
    assert "18 months of ¥1,647.00 a month" in page and "What I can claim" in page
