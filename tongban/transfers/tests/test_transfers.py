"""The UI relationship moves by itself: a new spell elsewhere, or a recipient's residence move."""

from datetime import date

import pytest

from tongban.benefits.models import Entitlement, Payment
from tongban.benefits.payrun import payrun_execute
from tongban.benefits.tests.factories import entitlement
from tongban.cases.models import Application
from tongban.channels.services import client_create
from tongban.channels.tests.conftest import Api
from tongban.core.imports import import_file
from tongban.core.models import AuditEvent
from tongban.core.testing import TEST_ACTOR
from tongban.ledger.models import JournalEntry
from tongban.ledger.selectors import trial_balance
from tongban.registry.models import RelationshipMove
from tongban.registry.selectors import contribution_months_by_region, insured_region
from tongban.registry.tests.factories import EmployerFactory, region
from tongban.rules.params import ParameterSet, default_parameters
from tongban.transfers import services as transfer_services
from tongban.transfers.models import Transfer
from tongban.transfers.selectors import transfers_of_region
from tongban.transfers.services import person_residence_move

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
MONTHLY, MEDICAL = 164700, 22000


def hire_in(person, region_code, on="2026-11-20"):
    employer = EmployerFactory(region=region(region_code))
    api = Api(client_create(actor=TEST_ACTOR, kind="employer", name=None, uscc=employer.uscc).token)
    response = api.post("/hires", {"id_number": person.id_number, "date": on})
    assert response.status_code == 201, response.content
    return response.json()


def balance(region_code, code, on=date(2026, 12, 31)):
    rows = trial_balance(region_code=region_code, as_of=on).rows
    row = next((r for r in rows if r.code == code), None)
    return 0 if row is None else row.debit_fen - row.credit_fen


def balanced(region_code, on=date(2026, 12, 31)):
    report = trial_balance(region_code=region_code, as_of=on)
    return report.balanced and report.debit_total_fen > 0


# ---- a new spell in another region ----------------------------------------------------


def test_a_new_job_in_another_region_moves_the_relationship_by_itself(apis, worker):
    assert insured_region(person=worker, as_of=TODAY).code == "460200"  # Sanya
    body = hire_in(worker, "460100")  # a Haikou employer

    assert body["insured_region_code"] == "460100"  # the routing rule: the newest spell
    transfer = Transfer.objects.get(person=worker)
    assert (transfer.kind, transfer.status) == ("new_spell", "completed")
    assert (transfer.from_region.code, transfer.to_region.code) == ("460200", "460100")
    assert transfer.effective_date == date(2026, 11, 20)
    assert transfer.amount_fen == 0 and transfer.out_entry is None  # nobody's benefit moved
    # Item 7, done without an application by an explicit, audited system actor (免申即办).
    item7 = Application.objects.get(reference=transfer.application_reference)
    assert (item7.item_code, item7.status, item7.channel) == (
        "ui_transfer",
        "completed",
        "automatic",
    )
    assert item7.accepting_office.code == "haikou-agency"
    assert item7.insured_region.code == "460100"
    portal = (
        apis["channel"].get(f"/applications/{item7.reference}", id_number=worker.id_number).json()
    )
    assert portal["history"][-1]["actor"] == "automatic transfer (免申即办)"
    assert AuditEvent.objects.filter(
        event_type="transfer_completed", subject_id=transfer.reference, actor_kind="system"
    ).exists()
    # Both regions list it; contribution time keeps counting in both.
    assert transfer in transfers_of_region(region_code="460200")
    assert transfer in transfers_of_region(region_code="460100")
    assert contribution_months_by_region(person=worker) == {"460100": 48, "460200": 22}
    overview = apis["hk_acceptor"].get(f"/persons/{worker.id_number}/overview").json()
    assert overview["insured_region_code"] == "460100"
    assert overview["contribution_months_total"] == 70


def test_a_new_job_in_the_same_region_or_a_first_job_is_no_transfer(worker):
    hire_in(worker, "460200")
    assert not Transfer.objects.exists()
    from tongban.registry.tests.factories import PersonFactory

    newcomer = PersonFactory()
    hire_in(newcomer, "460100")
    assert not Transfer.objects.exists()  # an enrolment, not a transfer


def test_a_spells_file_moves_the_relationship_and_loading_it_again_adds_nothing(worker, tmp_path):
    employer = EmployerFactory(region=region("469002"))  # Qionghai
    path = tmp_path / "spells.csv"
    path.write_text(
        f"id_number,uscc,region_code,start_date\n{worker.id_number},{employer.uscc},469002,2026-11-02\n"
    )
    import_file(kind="spells", path=path, actor=TEST_ACTOR, as_of=TODAY)
    import_file(kind="spells", path=path, actor=TEST_ACTOR, as_of=TODAY)
    transfer = Transfer.objects.get()
    assert (transfer.from_region.code, transfer.to_region.code) == ("460200", "469002")
    assert Application.objects.filter(person=worker, item_code="ui_transfer").count() == 1


def test_a_historical_spell_that_changes_nothing_today_is_no_transfer(worker, tmp_path):
    employer = EmployerFactory(region=region("469002"))
    path = tmp_path / "spells.csv"
    path.write_text(
        "id_number,uscc,region_code,start_date,end_date,reason_code\n"
        f"{worker.id_number},{employer.uscc},469002,2019-01-01,2019-06-01,contract_expired\n"
    )
    import_file(kind="spells", path=path, actor=TEST_ACTOR, as_of=TODAY)
    assert not Transfer.objects.exists()


# ---- a recipient's residence moves ----------------------------------------------------


@pytest.fixture
def recipient(worker):
    worker.bank_account = "6222021234567890123"
    worker.residence_region = region("460200")
    worker.save()
    claim = entitlement(worker, region="460200", start=date(2026, 11, 1), months=18)
    return worker, claim


def run(region_code, month, on):
    return payrun_execute(actor=TEST_ACTOR, region_code=region_code, month=month, on=on)


def test_a_recipient_who_moves_takes_the_remaining_benefit_to_the_new_fund(apis, recipient):
    person, claim = recipient
    run("460200", date(2026, 11, 1), date(2026, 11, 25))  # Sanya pays November

    moved = person_residence_move(
        actor=TEST_ACTOR, id_number=person.id_number, region_code="460100", on=TODAY
    )

    transfer = moved.transfer
    assert (transfer.kind, transfer.status) == ("residence", "completed")
    assert transfer.switch_month == date(2026, 12, 1)  # from the next month
    assert transfer.months == 17
    assert (transfer.benefit_fen, transfer.medical_fen) == (17 * MONTHLY, 17 * MEDICAL)
    assert transfer.amounts_moved == "benefit_and_medical"
    assert transfer.amount_fen == 17 * (MONTHLY + MEDICAL)
    # The old entitlement ends where Sanya stops paying; the continuation is linked to it.
    claim.refresh_from_db()
    assert (claim.status, claim.end_reason, claim.end_month, claim.months) == (
        "ended", "transferred", date(2026, 12, 1), 1,
    )  # fmt: skip
    continuation = transfer.to_entitlement
    assert continuation.paying_region.code == "460100"
    assert (continuation.start_month, continuation.months) == (date(2026, 12, 1), 17)
    assert continuation.monthly_amount_fen == MONTHLY
    assert continuation.explanation["continues"] == claim.application_reference
    assert continuation.application_reference == transfer.application_reference
    # The books of both funds: a linked, balanced pair.
    out_entry, in_entry = transfer.out_entry, transfer.in_entry
    assert in_entry.transfer_pair_id == out_entry.pk
    assert balance("460200", "5002") == transfer.amount_fen  # 转移支出
    assert balance("460100", "4005") == -transfer.amount_fen  # 转移收入
    assert balanced("460200") and balanced("460100")
    assert (
        JournalEntry.objects.filter(source_type="transfer", source_ref=transfer.reference).count()
        == 2
    )
    # The relationship moved with the benefit: new claims go to Haikou.
    assert insured_region(person=person, as_of=TODAY).code == "460100"
    assert RelationshipMove.objects.get(person=person).source == transfer.reference
    # December: Haikou pays, Sanya does not; never both in one month.
    run("460200", date(2026, 12, 1), date(2026, 12, 25))
    run("460100", date(2026, 12, 1), date(2026, 12, 25))
    december = Payment.objects.filter(person=person, period=date(2026, 12, 1), kind="benefit")
    assert [(p.paying_region.code, p.amount_fen, p.status) for p in december] == [
        ("460100", MONTHLY, "sent")
    ]
    november = Payment.objects.get(person=person, period=date(2026, 11, 1), kind="benefit")
    assert november.paying_region.code == "460200"
    # Item 7 is in the portal, with the continuation.
    item7 = (
        apis["channel"]
        .get(f"/applications/{transfer.application_reference}", id_number=person.id_number)
        .json()
    )
    assert item7["item"] == "ui_transfer" and item7["status"] == "completed"
    assert item7["entitlement"]["paying_region"] == "460100"


def test_a_move_before_the_months_run_moves_that_month_too(recipient):
    person, claim = recipient  # November not yet paid
    transfer = person_residence_move(
        actor=TEST_ACTOR, id_number=person.id_number, region_code="469002", on=date(2026, 11, 10)
    ).transfer
    assert transfer.switch_month == date(2026, 11, 1) and transfer.months == 18
    claim.refresh_from_db()
    assert claim.months == 0 and claim.status == "ended"
    run("460200", date(2026, 11, 1), date(2026, 11, 25))
    run("469002", date(2026, 11, 1), date(2026, 11, 25))
    assert [
        p.paying_region.code
        for p in Payment.objects.filter(person=person, period=date(2026, 11, 1), kind="benefit")
    ] == ["469002"]


def test_a_persons_file_with_a_new_residence_moves_the_benefit_once(recipient, tmp_path):
    person, _claim = recipient
    path = tmp_path / "persons.csv"
    path.write_text(
        f"id_number,name,residence_region_code\n{person.id_number},{person.name},460400\n"
    )
    import_file(kind="persons", path=path, actor=TEST_ACTOR, as_of=TODAY)
    import_file(kind="persons", path=path, actor=TEST_ACTOR, as_of=TODAY)
    transfer = Transfer.objects.get(person=person)
    assert (transfer.to_region.code, transfer.status) == ("460400", "completed")
    assert Entitlement.objects.filter(person=person, status="active").get().paying_region.code == (
        "460400"
    )


def test_no_transfer_when_the_policy_keeps_the_benefit_where_it_was(recipient, monkeypatch):
    person, claim = recipient
    texts = default_parameters().texts()
    texts["transfers.toml"] = texts["transfers.toml"].replace(
        "effective_from = 2000-10-26\nvalue = true", "effective_from = 2000-10-26\nvalue = false"
    )
    monkeypatch.setattr(
        transfer_services, "default_parameters", lambda: ParameterSet.from_text(texts)
    )
    person_residence_move(
        actor=TEST_ACTOR, id_number=person.id_number, region_code="460100", on=TODAY
    )
    claim.refresh_from_db()
    assert claim.status == "active" and claim.paying_region.code == "460200"
    assert not Transfer.objects.exists()
    assert insured_region(person=person, as_of=TODAY).code == "460200"


def test_benefit_only_moves_only_the_benefit(recipient, monkeypatch):
    person, _claim = recipient
    texts = default_parameters().texts()
    texts["transfers.toml"] = texts["transfers.toml"].replace(
        'value = "benefit_and_medical"', 'value = "benefit_only"'
    )
    monkeypatch.setattr(
        transfer_services, "default_parameters", lambda: ParameterSet.from_text(texts)
    )
    transfer = person_residence_move(
        actor=TEST_ACTOR, id_number=person.id_number, region_code="460100", on=TODAY
    ).transfer
    assert transfer.amount_fen == transfer.benefit_fen == 18 * MONTHLY


def test_a_suspended_benefit_waits_for_its_review_before_it_moves(apis, recipient):
    from tongban.integrity.models import Finding

    person, _claim = recipient
    hire_in(person, "460200", on="2026-11-20")  # a Sanya job: suspended, no transfer
    moved = person_residence_move(
        actor=TEST_ACTOR, id_number=person.id_number, region_code="460100", on=TODAY
    )
    transfer = moved.transfer
    assert transfer.status == "waiting" and transfer.amount_fen == 0
    assert insured_region(person=person, as_of=TODAY).code == "460200"  # nothing moved yet
    finding = Finding.objects.get(person=person)
    response = apis["sy_reviewer"].post(
        f"/tasks/{finding.task_id}/decision", {"outcome": "reject", "reasons": ["a trial day"]}
    )
    assert response.status_code == 200, response.content
    transfer.refresh_from_db()
    assert transfer.status == "completed" and transfer.amount_fen > 0
    assert transfer.to_entitlement.paying_region.code == "460100"
    assert insured_region(person=person, as_of=TODAY).code == "460100"


def test_a_waiting_transfer_is_cancelled_when_the_benefit_ends(apis, recipient):
    from tongban.integrity.models import Finding

    person, _claim = recipient
    hire_in(person, "460200", on="2026-11-20")
    transfer = person_residence_move(
        actor=TEST_ACTOR, id_number=person.id_number, region_code="460100", on=TODAY
    ).transfer
    finding = Finding.objects.get(person=person)
    apis["sy_reviewer"].post(
        f"/tasks/{finding.task_id}/decision", {"outcome": "approve", "reasons": ["a real job"]}
    )
    transfer.refresh_from_db()
    assert transfer.status == "cancelled" and transfer.amount_fen == 0
    assert not Entitlement.objects.filter(person=person, paying_region__code="460100").exists()
    assert apis["hk_reviewer"].get("/transfers").json()[0]["status"] == "cancelled"
    assert apis["sy_reviewer"].get("/transfers").json()[0]["reference"] == transfer.reference
