"""Real-time checks: a hire or a contribution month for a recipient suspends, a reviewer decides."""

from datetime import date

import pytest

from tongban.benefits.models import Entitlement, Overpayment, Payment
from tongban.cases.models import Task
from tongban.core.imports import import_file
from tongban.core.models import AuditEvent, OutboxMessage, RecordedNotice
from tongban.core.outbox import outbox_deliver
from tongban.core.testing import TEST_ACTOR
from tongban.integrity.models import Finding
from tongban.integrity.tests.conftest import make_recipient
from tongban.integrity.tests.helpers import decide, finding_task, hire, run
from tongban.registry.tests.factories import EmployerFactory, region
from tongban.transfers.models import Transfer

pytestmark = pytest.mark.django_db

NOV, DEC, JAN = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)


def test_a_hire_for_a_recipient_suspends_and_opens_a_review_at_the_paying_agency(apis, recipient):
    person, claim = recipient
    hire(person, "460100", on="2026-11-20")  # a Haikou employer reports the new job

    claim.refresh_from_db()
    assert claim.status == "suspended"
    finding = Finding.objects.get(person=person)
    assert (finding.source, finding.status, finding.stop_kind) == ("hire", "open", "reemployment")
    assert finding.event_date == finding.suspended_from == date(2026, 11, 20)
    assert finding.paying_region.code == "460200" and finding.office.code == "sanya-agency"
    assert finding.evidence["reported_by"] == "employer"
    assert finding.evidence["region"] == "460100"
    # The review task is in the paying agency's queue, as the contract lists it.
    task = finding_task(apis["sy_reviewer"], finding.reference)
    assert task["id"] == finding.task_id
    assert task["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert task["due_date"] == "2026-12-10"  # 10 working days
    assert task["item"] == "ui_benefit" and task["finding"]["source"] == "hire"
    assert finding.reference not in {
        t["reference"] for t in apis["hk_reviewer"].get("/tasks").json()
    }
    # A notice is queued with the change, and recorded by the demo notifier after commit.
    assert OutboxMessage.objects.filter(topic="core.notice").count() == 1
    outbox_deliver()
    notice = RecordedNotice.objects.get(key=f"finding:{finding.reference}:held")
    assert "暂停" in notice.text_zh and notice.phone_masked.endswith("8000")
    assert AuditEvent.objects.filter(event_type="entitlement_suspended").exists()
    # The relationship moved too (a new spell in Haikou), but the benefit did not.
    transfer = Transfer.objects.get(person=person)
    assert transfer.to_region.code == "460100" and transfer.amount_fen == 0
    # The run holds the month; nothing is paid while the finding is open.
    run()
    november = Payment.objects.get(entitlement=claim, period=NOV, kind="benefit")
    assert (november.status, november.hold_reason) == ("held", "suspended")


def test_confirm_ends_the_benefit_from_the_hire_and_recovers_months_paid_after_it(apis, recipient):
    person, claim = recipient
    run()  # November paid
    run(month=DEC, on=date(2026, 12, 24))  # December paid
    hire(person, "460100", on="2026-11-20")
    task = finding_task(apis["sy_reviewer"])

    response = decide(apis["sy_reviewer"], task["id"], "approve", ["the employer confirmed it"])

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "confirmed" and body["decision_reasons"] == [
        "the employer confirmed it"
    ]
    claim.refresh_from_db()
    assert (claim.status, claim.end_reason, claim.ended_on) == (
        "ended", "reemployment", date(2026, 11, 20),
    )  # fmt: skip
    # month_before_event: October was the last payable month, so November and December are owed.
    overpayment = Overpayment.objects.get(entitlement=claim)
    assert overpayment.amount_fen == 2 * 164700 == body["overpayment_fen"]
    assert not Task.objects.get(pk=task["id"]).is_open
    outbox_deliver()
    assert RecordedNotice.objects.filter(template="benefit_ended").exists()
    assert AuditEvent.objects.filter(event_type="finding_confirmed", actor_kind="staff").exists()


def test_lift_resumes_and_the_next_run_pays_the_held_months(apis, recipient):
    person, claim = recipient
    hire(person, "460100", on="2026-11-20")
    run()  # November held
    task = finding_task(apis["sy_reviewer"])

    response = decide(apis["sy_reviewer"], task["id"], "reject", ["a one-day trial, not a job"])

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "lifted"
    claim.refresh_from_db()
    assert claim.status == "active"
    assert Payment.objects.get(entitlement=claim, period=NOV, kind="benefit").status == "scheduled"
    run(month=DEC, on=date(2026, 12, 24))
    paid = Payment.objects.filter(entitlement=claim, kind="benefit", status="sent")
    assert sorted(p.period for p in paid) == [NOV, DEC]


def test_a_contribution_month_during_the_benefit_suspends_once(apis, recipient, tmp_path):
    person, claim = recipient
    employer = EmployerFactory(region=region("460200"))
    path = tmp_path / "contributions.csv"
    path.write_text(
        "id_number,uscc,region_code,month,base_fen,amount_fen\n"
        f"{person.id_number},{employer.uscc},460200,2026-09,500000,5000\n"  # before: normal
        f"{person.id_number},{employer.uscc},460200,2026-11,500000,5000\n"  # during: a wage
    )
    import_file(kind="contributions", path=path, actor=TEST_ACTOR, as_of=date(2026, 11, 26))
    import_file(kind="contributions", path=path, actor=TEST_ACTOR, as_of=date(2026, 11, 26))

    finding = Finding.objects.get(person=person)
    assert (finding.source, finding.event_date) == ("contribution", NOV)
    assert finding.evidence["months"] == ["2026-11"]
    claim.refresh_from_db()
    assert claim.status == "suspended"
    # A lift, then a later month: new evidence, a new finding.
    decide(apis["sy_reviewer"], finding.task_id, "reject", ["back pay for October's work"])
    claim.refresh_from_db()
    assert claim.status == "active"
    import_file(kind="contributions", path=path, actor=TEST_ACTOR, as_of=date(2026, 11, 26))
    assert Finding.objects.filter(person=person).count() == 1  # the lifted months stay lifted
    later = tmp_path / "later.csv"
    later.write_text(
        "id_number,uscc,region_code,month,base_fen,amount_fen\n"
        f"{person.id_number},{employer.uscc},460200,2026-12,500000,5000\n"
    )
    import_file(kind="contributions", path=later, actor=TEST_ACTOR, as_of=date(2027, 1, 5))
    second = Finding.objects.filter(person=person).latest("id")
    assert (second.event_date, second.evidence["months"]) == (DEC, ["2026-11", "2026-12"])
    claim.refresh_from_db()
    assert claim.status == "suspended"


def test_the_earliest_finding_is_decided_first(apis, recipient, tmp_path):
    person, claim = recipient
    hire(person, "460100", on="2026-12-07")  # a job in December
    employer = EmployerFactory(region=region("460200"))
    path = tmp_path / "c.csv"
    path.write_text(
        "id_number,uscc,region_code,month,base_fen,amount_fen\n"
        f"{person.id_number},{employer.uscc},460200,2026-11,500000,5000\n"
    )
    import_file(kind="contributions", path=path, actor=TEST_ACTOR, as_of=date(2026, 12, 8))
    december, november = Finding.objects.filter(person=person).order_by("id")
    response = decide(apis["sy_reviewer"], december.task_id, "approve", ["a job"])
    assert response.status_code == 409 and response.json()["code"] == "earlier_finding_open"
    decide(apis["sy_reviewer"], november.task_id, "reject", ["back pay"])
    run()  # November is paid now, December not yet due
    assert Payment.objects.get(entitlement=claim, period=NOV, kind="benefit").status == "sent"
    claim.refresh_from_db()
    assert claim.status == "suspended"  # December's finding still holds the rest
    assert decide(apis["sy_reviewer"], december.task_id, "approve", ["a job"]).status_code == 200
    claim.refresh_from_db()
    assert (claim.status, claim.ended_on) == ("ended", date(2026, 12, 7))


def test_the_persons_own_report_suspends_and_the_paying_agency_decides(apis, recipient):
    person, claim = recipient
    response = apis["dz_caseworker"].post(  # reported at any office: here, Danzhou's
        "/reemployment-reports", {"id_number": person.id_number, "date": "2026-11-20"}
    )
    assert response.status_code == 201, response.content
    report = response.json()["reference"]

    claim.refresh_from_db()
    assert claim.status == "suspended"  # payments stop at once; nothing ends without a decision
    finding = Finding.objects.get(person=person)
    assert (finding.source, finding.status, finding.stop_kind) == (
        "reemployment_report", "open", "reemployment",
    )  # fmt: skip
    assert finding.suspended_from == date(2026, 11, 20) and finding.office.code == "sanya-agency"
    assert (
        finding.evidence["report"] == report and finding.evidence["reported_at"] == "danzhou-agency"
    )
    task = finding_task(apis["sy_reviewer"], finding.reference)
    outbox_deliver()
    assert RecordedNotice.objects.filter(
        template="benefit_held", text_zh__contains="您报告了再就业"
    ).exists()

    assert (
        decide(apis["sy_reviewer"], task["id"], "approve", ["本人报告，已核实"]).status_code == 200
    )
    claim.refresh_from_db()
    assert (claim.status, claim.end_reason) == ("ended", "reemployment")
    assert claim.end_month == date(
        2026, 11, 1
    )  # the job began on 20 November: October was the last


def test_a_later_report_waits_behind_an_earlier_finding(apis):
    person, claim = make_recipient(start=date(2026, 9, 1))
    hire(person, "460100", on="2026-10-05")
    run(month=date(2026, 10, 1), on=date(2026, 10, 25))  # September paid, October held
    first = Finding.objects.get(person=person)
    # The person reports a job from 20 November (a different, later date): a second review.
    response = apis["hk_acceptor"].post(
        "/reemployment-reports", {"id_number": person.id_number, "date": "2026-11-20"}
    )
    assert response.status_code == 201, response.content
    second = Finding.objects.exclude(pk=first.pk).get(person=person)
    assert (first.status, second.source) == ("open", "reemployment_report")
    run()  # November: still held on the October evidence
    october = Payment.objects.get(entitlement=claim, period=date(2026, 10, 1), kind="benefit")
    assert october.status == "held"

    decide(apis["sy_reviewer"], first.task_id, "approve", ["the hire is confirmed"])
    october.refresh_from_db()
    assert october.status == "cancelled"
    claim.refresh_from_db()
    assert claim.end_month == date(2026, 10, 1)
    second.refresh_from_db()
    assert second.status == "superseded"  # the benefit had already ended for the earlier job
    assert not Task.objects.get(pk=second.task_id).is_open


def test_the_persons_report_of_a_job_the_employer_reported_is_the_same_finding(apis, recipient):
    person, claim = recipient
    hire(person, "460100", on="2026-11-20")
    finding = Finding.objects.get(person=person)

    response = apis["hk_acceptor"].post(
        "/reemployment-reports", {"id_number": person.id_number, "date": "2026-11-20"}
    )

    assert response.status_code == 201, response.content
    assert Finding.objects.filter(person=person).count() == 1  # the same job, the same review
    claim.refresh_from_db()
    assert claim.status == "suspended"
    decide(apis["sy_reviewer"], finding.task_id, "approve", ["本人报告与单位参保一致"])
    claim.refresh_from_db()
    assert (claim.status, claim.end_reason) == ("ended", "reemployment")
    assert AuditEvent.objects.filter(event_type="entitlement_stopped").count() == 1


def test_a_hire_after_the_benefit_ended_or_before_it_began_finds_nothing(recipient):
    person, claim = recipient
    hire(person, "460100", on="2028-06-01")  # after the last month (April 2028)
    assert not Finding.objects.exists()
    claim.refresh_from_db()
    assert claim.status == "active"


def test_two_findings_keep_the_benefit_suspended_until_both_are_lifted(apis, recipient, tmp_path):
    person, claim = recipient
    hire(person, "460100", on="2026-11-20")
    employer = EmployerFactory(region=region("460200"))
    path = tmp_path / "c.csv"
    path.write_text(
        "id_number,uscc,region_code,month,base_fen,amount_fen\n"
        f"{person.id_number},{employer.uscc},460200,2026-11,500000,5000\n"
    )
    import_file(kind="contributions", path=path, actor=TEST_ACTOR, as_of=date(2026, 11, 26))
    first, second = Finding.objects.filter(person=person).order_by("id")
    decide(apis["sy_reviewer"], first.task_id, "reject", ["not a job"])
    claim.refresh_from_db()
    assert claim.status == "suspended"  # the second is still open
    decide(apis["sy_reviewer"], second.task_id, "reject", ["a refund, not a wage"])
    claim.refresh_from_db()
    assert claim.status == "active"


def test_the_paying_agency_reviewer_decides_nobody_else_and_a_refusal_changes_nothing(
    apis, recipient
):
    person, claim = recipient
    hire(person, "460100", on="2026-11-20")
    finding = Finding.objects.get(person=person)
    refused = {
        "anonymous": 401,
        "channel": 403,
        "hk_acceptor": 403,  # another office
        "hk_reviewer": 403,  # another agency
        "sy_acceptor": 403,  # the paying region, but not its agency
        "sy_finance": 403,  # the agency, without the reviewer role
        "sy_supervisor": 403,
    }
    for who, status in refused.items():
        response = decide(apis[who], finding.task_id, "approve")
        assert response.status_code == status, (who, response.content)
    assert decide(apis["sy_reviewer"], finding.task_id, "approve", reasons=[]).status_code == 422
    assert decide(apis["sy_reviewer"], finding.task_id, "return").status_code == 422
    finding.refresh_from_db()
    claim.refresh_from_db()
    assert finding.status == "open" and claim.status == "suspended"
    assert Task.objects.get(pk=finding.task_id).is_open
    assert not AuditEvent.objects.filter(event_type__startswith="finding_c").exists()
    # The second reviewer of the agency may decide.
    assert decide(apis["sy_reviewer2"], finding.task_id, "approve").status_code == 200


def test_case_tasks_and_finding_tasks_share_one_id_sequence(apis, recipient, worker):
    person, _ = recipient
    response = apis["hk_acceptor"].post(
        "/applications", {"item": "ui_certificate", "id_number": worker.id_number}
    )
    assert response.status_code == 201
    hire(person, "460100", on="2026-11-20")
    ids = list(Task.objects.order_by("id").values_list("id", "stage"))
    assert len({i for i, _ in ids}) == len(ids)
    case_task = next(i for i, stage in ids if stage == "initial_review")
    # The case task is still decided by the case service, and a finding task by integrity.
    assert decide(apis["hk_acceptor"], case_task, "approve").json()["status"] == "completed"
    assert Entitlement.objects.get(pk=recipient[1].pk).status == "suspended"
