"""The claimant portal: sign-in, what I can claim, applying once, following a case, my payments."""

import re
from datetime import date

import pytest
import time_machine
from django.test import Client

from tongban.benefits.models import Payment
from tongban.benefits.payrun import payrun_execute
from tongban.cases.models import Application, Bundle
from tongban.cases.tests.test_refusals import state
from tongban.core.imports import import_file
from tongban.core.testing import TEST_ACTOR
from tongban.web.identity import PENDING_KEY
from tongban.web.tests.conftest import sign_in
from tongban.web.tests.test_office import approved_at_the_window

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


def test_items_claimed_elsewhere_say_where_instead_of_being_left_out(claimant):
    page = text(claimant.get("/me/"))

    def item(code):
        rest = page[page.index(f'id="item-{code}"') :]
        return rest[: rest.find('id="item-', 1)]

    funeral = item("funeral_survivor")
    assert "家属携带死者和本人的身份证，到全省任一经办窗口办理" in funeral
    assert "没有查到该人员的死亡记录" not in funeral  # not the rules' answer about oneself
    assert "/me/apply/funeral_survivor/" not in page
    assert 'href="/me/new-job/"' in item("reemployment_report")
    assert claimant.get("/me/apply/reemployment_report/")["Location"] == "/me/new-job/"
    assert claimant.get("/me/apply/funeral_survivor/")["Location"] == "/me/#item-funeral_survivor"
    assert claimant.get("/me/apply/ui_transfer/").status_code == 404


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


# ---- My payments ----------------------------------------------------------------------------

NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


@pytest.fixture
def bank_dir(settings, tmp_path):
    settings.BANK_DIR = tmp_path / "bank"
    settings.VAR_DIR = tmp_path
    return tmp_path


def pay(month, on):
    payrun_execute(actor=TEST_ACTOR, region_code="460200", month=month, on=on)


def bank_answers(folder, on, **results):
    """The bank's return file: reference → "settled" or "returned:<reason>"."""
    path = folder / f"returns-{on}.csv"
    rows = [f"{ref},{result},{reason}" for ref, (result, _, reason) in (
        (ref, answer.partition(":")) for ref, answer in results.items()
    )]  # fmt: skip
    path.write_text("reference,result,reason_code\n" + "".join(f"{r}\n" for r in rows))
    summary = import_file(kind="bank_returns", path=path, actor=TEST_ACTOR, as_of=on)
    assert summary.changed == len(rows) and not summary.rejected


def benefit(person, month, *, reissue=False):
    return Payment.objects.get(
        person=person, kind="benefit", period=month, reissue_of__isnull=not reissue
    )


@pytest.fixture
def two_months_paid(office, worker, bank_dir):
    """November sent and returned by the bank (account closed); December sent and settled."""
    worker.bank_account = "6222021234567890123"
    worker.save()
    approved_at_the_window(office, worker)
    pay(NOV, date(2026, 11, 26))
    bank_answers(bank_dir, date(2026, 11, 27), **{
        benefit(worker, NOV).reference: "returned:account_closed"
    })  # fmt: skip
    with time_machine.travel("2026-12-28T10:00:00+08:00", tick=False):
        pay(DEC, date(2026, 12, 28))
        bank_answers(bank_dir, date(2026, 12, 29), **{benefit(worker, DEC).reference: "settled"})
        client = Client()
        sign_in(client, worker.id_number, next_url="/me/payments/")
        yield client


def test_my_payments_list_each_month_newest_first_and_say_what_to_do_when_returned(
    two_months_paid, worker, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):  # however many payments
        response = two_months_paid.get("/me/payments/")
    page = text(response)
    # The entitlement: 18 months of ¥1,647.00 from Sanya's fund; one month has reached the bank.
    assert '失业保险金申领 <span class="status e-active">正在享受</span>' in page
    assert re.search(r"每月金额</dt><dd>¥1,647.00<", page)
    assert re.search(r"累计已发放</dt><dd>¥1,647.00 <span[^>]*>1个月<", page)
    assert re.search(r"尚待发放</dt><dd>¥27,999.00 <span[^>]*>17个月<", page)
    assert "由您参保地三亚市的失业保险基金发放到您的银行账户" in page
    assert "每月¥220.00（已缴¥440.00）" in page
    # Each payment, newest first: December in the account, November returned by the bank.
    december, november = benefit(worker, DEC), benefit(worker, NOV)
    assert page.index(f'id="payment-{december.reference}"') < page.index(
        f'id="payment-{november.reference}"'
    )
    row = page[page.index(f'id="payment-{november.reference}"') :]
    row = row[: row.index("</li>")]
    assert "2026年11月" in row and "¥1,647.00" in row and "被银行退回" in row
    assert "三亚市失业保险基金" in row and "2026年11月26日发出" in row
    assert "账户已销户" in row and "***************0123" in row
    assert "怎么办：" in row and "到任一经办窗口更正登记的账户" in row
    row = page[page.index(f'id="payment-{december.reference}"') :]
    row = row[: row.index("</li>")]
    assert "2026年12月" in row and "已到账" in row and "怎么办" not in row
    assert "暂无待遇" not in page and "尚未发放" not in page


def test_my_payments_in_english(two_months_paid, worker):
    two_months_paid.post("/i18n/setlang/", {"language": "en", "next": "/me/payments/"})
    page = text(two_months_paid.get("/me/payments/"))
    assert "My payments" in page and "Paid so far" in page and "Still to come" in page
    assert "December 2026" in page and "in your account" in page
    assert "November 2026" in page and "returned by the bank" in page
    assert "the account is closed" in page and "What to do:" in page
    assert "Paid by the Sanya fund, where you were insured, to your bank account." in page


def test_a_returned_payment_paid_again_says_so(two_months_paid, worker, bank_dir):
    worker.bank_account = "6222027777777777777"  # corrected at an office
    worker.save()
    with time_machine.travel("2027-01-26T10:00:00+08:00", tick=False):
        pay(JAN, date(2027, 1, 26))
        client = Client()
        sign_in(client, worker.id_number, next_url="/me/payments/")
        page = text(client.get("/me/payments/"))
    reissue = benefit(worker, NOV, reissue=True)
    returned = benefit(worker, NOV)
    assert page.index(f'id="payment-{reissue.reference}"') < page.index(
        f'id="payment-{returned.reference}"'
    )
    row = page[page.index(f'id="payment-{returned.reference}"') :]
    row = row[: row.index("</li>")]
    assert "已按更正后的账户重新发放" in row and "怎么办" not in row
    assert re.search(r"累计已发放</dt><dd>¥4,941.00 <span[^>]*>3个月<", page)


def test_a_payment_held_for_want_of_a_bank_account_says_what_to_do(office, worker, bank_dir):
    approved_at_the_window(office, worker)  # the registry has no bank account for the worker
    client = Client()
    sign_in(client, worker.id_number)
    before = text(client.get("/me/payments/"))
    assert "尚未发放：第一笔（2026年11月）将在该月的月度发放时发到您的银行账户" in before
    assert "暂无待遇" not in before
    pay(NOV, date(2026, 11, 26))
    page = text(client.get("/me/payments/"))
    assert "暂停发放" in page and "请到任一经办窗口登记本人账户" in page
    assert "尚未发放" not in page


def test_no_payments_at_all_is_said_once(claimant):
    page = text(claimant.get("/me/payments/"))
    assert "暂无待遇，也没有发放记录" in page and 'class="payment"' not in page


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
