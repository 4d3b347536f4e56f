"""The anomaly checks fire on anomalies planted behind the services' backs, and stay silent on
what the services themselves do — the November scenario paid, a stop with an overpayment, and
a whole demo province."""

from __future__ import annotations

import time
from datetime import date

import pytest

from tongban.benefits.models import Entitlement, Payment
from tongban.benefits.payrun import payrun_execute
from tongban.benefits.services import entitlement_stop
from tongban.cases.models import Application
from tongban.core.testing import TEST_ACTOR
from tongban.core.transactions import unit_of_work
from tongban.ledger import postings
from tongban.ledger.services import EntrySpec, entries_post_many
from tongban.regions.models import Region
from tongban.supervision.anomalies import anomaly_checks
from tongban.supervision.tests.scenario import assert_tallies_match_recomputation
from tongban.supervision.tests.test_figures import DAY, november, people

__all__ = ["november", "people"]
pytestmark = pytest.mark.django_db
NOVEMBER = date(2026, 11, 1)


def found(region_ids=None, as_of=DAY) -> dict[str, int]:
    return {c.code: c.found for c in anomaly_checks(region_ids=region_ids, as_of=as_of)}


def silent() -> dict[str, int]:
    return dict.fromkeys(
        ["payment_without_decision", "payment_from_another_fund", "payment_after_end",
         "expenditure_jump", "shared_bank_account"], 0,
    )  # fmt: skip


@pytest.fixture
def paid(november):
    """The November scenario, with Sanya's and Haikou's payment runs for November."""
    for region in ("460200", "460100"):
        payrun_execute(actor=TEST_ACTOR, region_code=region, month=NOVEMBER, on=DAY)
    return november


def _a_payment(region_code: str = "460200") -> Payment:
    payment = (
        Payment.objects.filter(kind="benefit", paying_region__code=region_code)
        .order_by("period", "reference")
        .first()
    )
    assert payment is not None
    return payment


def _clone(payment: Payment, **changes) -> Payment:
    fields = {f.attname: getattr(payment, f.attname) for f in Payment._meta.concrete_fields
              if f.attname not in ("id", "reissue_of_id")}  # fmt: skip
    fields.update(reference=payment.reference + "-X", **changes)
    return Payment.objects.create(**fields)


def test_the_services_make_nothing_to_report(paid):
    assert Payment.objects.filter(status="sent").count() == 3  # P1, P2 (Sanya), P4 (Haikou)
    assert found() == silent()


def test_a_payment_without_an_approved_decision(paid):
    payment = _a_payment()
    # An entitlement that no decision created, paid; and an approval undone behind the services.
    orphan = Entitlement.objects.get(pk=payment.entitlement_id)
    orphan.pk, orphan.application_reference = None, "TB20261126NOSUCH01"
    orphan.person_id = payment.person_id
    orphan.item_code = "skill_subsidy"  # not a second running UI benefit
    orphan.amount_fen, orphan.monthly_amount_fen, orphan.medical_premium_fen = 100000, None, None
    orphan.save()
    _clone(payment, entitlement_id=orphan.pk, kind="one_off", subject_code="500105")
    haikou = _a_payment("460100")
    Application.objects.filter(reference=haikou.entitlement.application_reference).update(
        status="rejected"
    )
    checks = {c.code: c for c in anomaly_checks(region_ids=None, as_of=DAY)}
    check = checks["payment_without_decision"]
    # The orphan's one-off, and the Haikou claim's benefit and the medical premium paid with it.
    assert check.found == 3 and check.alarm
    cases = {e.application_reference for e in check.evidence}
    assert cases == {"TB20261126NOSUCH01", haikou.entitlement.application_reference}
    # The evidence names the payment, masks the person, and the region's view sees its own.
    assert all(e.payment_reference and "*" in e.cells[2] for e in check.evidence)
    haikou_id = Region.objects.get(code="460100").pk
    assert found(region_ids=[haikou_id])["payment_without_decision"] == 2


def test_a_payment_from_another_fund(paid):
    payment = _a_payment()
    haikou = Region.objects.get(code="460100")
    _clone(payment, paying_region_id=haikou.pk, period=date(2026, 12, 1))
    result = found()
    assert result["payment_from_another_fund"] == 1
    assert {k: v for k, v in result.items() if k != "payment_from_another_fund"} == {
        k: 0 for k in silent() if k != "payment_from_another_fund"
    }
    # Both funds' supervisors see it: it was paid by Haikou for a Sanya entitlement.
    assert found(region_ids=[haikou.pk])["payment_from_another_fund"] == 1


def test_a_payment_after_the_entitlement_ended_but_not_an_overpayment(paid):
    payment = _a_payment()
    # Re-employment from 10 December: the November payment stands; nothing else is paid.
    with unit_of_work():
        entitlement_stop(actor=TEST_ACTOR, entitlement_id=payment.entitlement_id,
                         kind="reemployment", on=date(2026, 12, 10), reasons=["新工作"],
                         office_code="sanya-agency")  # fmt: skip
    assert found() == silent()
    # A payment for January, made behind the stop, is an alarm.
    _clone(payment, period=date(2027, 1, 1), sent_on=date(2027, 1, 25), status="sent")
    assert found()["payment_after_end"] == 1


def test_an_overpayment_after_a_stop_is_not_an_anomaly(paid):
    payment = _a_payment()
    # December is paid before the stop is known; the stop (re-employment on 1 December)
    # turns the December payment into an overpayment to recover: recorded, so no anomaly.
    payrun_execute(actor=TEST_ACTOR, region_code="460200", month=date(2026, 12, 1),
                   on=date(2026, 11, 26))  # fmt: skip
    with unit_of_work():
        result = entitlement_stop(actor=TEST_ACTOR, entitlement_id=payment.entitlement_id,
                                  kind="reemployment", on=date(2026, 11, 30), reasons=["新工作"],
                                  office_code="sanya-agency")  # fmt: skip
    assert result.overpayment is not None
    assert found()["payment_after_end"] == 0


def test_a_month_on_month_jump_in_benefit_expenditure(db):
    """Wenchang pays 100,000 yuan of benefits in September and 250,000 in October: +150%, and
    150,000 more, above both thresholds (+50%, 50,000 yuan). Wanning doubles and a bit from
    10,000 to 25,000: +150%, but only 15,000 more — under the amount, so not reported. A
    transfer-out is expenditure, but not benefit expenditure, so it is not compared."""
    entries = []
    for code, september, october in (("469005", 10_000_000, 25_000_000),
                                     ("469006", 1_000_000, 2_500_000)):  # fmt: skip
        for month, amount in ((date(2026, 9, 15), september), (date(2026, 10, 15), october)):
            entries.append(EntrySpec(
                region_code=code, entry_date=month, description="支付",
                lines=tuple(postings.benefit_payment(subject_code="500101", amount_fen=amount)),
                source_type=postings.SOURCE_PAYMENT_RUN, source_ref=f"T-{month:%Y-%m}/500101"))  # fmt: skip
    entries_post_many(actor=TEST_ACTOR, entries=entries)
    checks = {c.code: c for c in anomaly_checks(region_ids=None, as_of=DAY)}
    jump = checks["expenditure_jump"]
    assert jump.found == 1 and not jump.alarm
    assert jump.evidence[0].cells == ["469005", "2026-10", "¥100,000.00", "¥250,000.00", "+150%"]


def test_one_bank_account_paid_for_two_persons(november):
    p1 = november["one"]["ui_benefit"].person
    p2 = november["two"]["ui_benefit"].person
    p2.bank_account = p1.bank_account  # recorded for a second person: the services allow it
    p2.save(update_fields=["bank_account"])
    payrun_execute(actor=TEST_ACTOR, region_code="460200", month=NOVEMBER, on=DAY)
    check = {c.code: c for c in anomaly_checks(region_ids=None, as_of=DAY)}["shared_bank_account"]
    assert check.found == 1 and not check.alarm
    assert {e.application_reference for e in check.evidence} == {
        november["one"]["ui_benefit"].reference, november["two"]["ui_benefit"].reference,
    }  # fmt: skip
    assert all("*" in e.cells[-2] for e in check.evidence)  # the account is masked
    haikou = Region.objects.get(code="460100").pk
    assert found(region_ids=[haikou])["shared_bank_account"] == 0  # Sanya's fund paid them


@pytest.mark.slow
def test_the_demo_province_is_silent(db):
    from tongban.demo.province import demo_province

    started = time.perf_counter()
    demo_province(scale=0.05, seed=2026, as_of=DAY, say=lambda _: None)
    seconds = time.perf_counter() - started
    assert Payment.objects.filter(status="sent").exists()
    assert found() == silent(), f"loaded in {seconds:.1f} s"
    assert_tallies_match_recomputation()
