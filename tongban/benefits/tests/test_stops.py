"""Stops cancel what is not yet paid; months paid after a stop are an overpayment to recover."""

from datetime import date

import pytest

from tongban.benefits.models import Overpayment, Payment, Recovery
from tongban.benefits.payrun import bank_file_path
from tongban.benefits.reconciliation import reconciliation
from tongban.benefits.services import entitlement_stop, overpayment_repay
from tongban.benefits.tests.factories import entitlement
from tongban.benefits.tests.test_payrun import balance, run
from tongban.core.errors import Conflict, InvalidInput
from tongban.core.testing import TEST_ACTOR
from tongban.core.transactions import unit_of_work
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def stop(e, kind, on):
    with unit_of_work():
        return entitlement_stop(
            actor=TEST_ACTOR,
            entitlement_id=e.pk,
            kind=kind,
            on=on,
            reasons=["test"],
            office_code="sanya-agency",
        )


def test_a_stop_before_the_run_cancels_later_months():
    person = PersonFactory(bank_account="6222021234567890123")
    e = entitlement(person, start=date(2026, 10, 1))
    result = stop(e, "reemployment", date(2026, 11, 10))
    e.refresh_from_db()
    assert (e.status, e.end_month, e.end_reason) == ("ended", date(2026, 11, 1), "reemployment")
    assert e.months_forfeited == 0  # re-employment keeps the unclaimed months for later
    assert result.overpayment is None
    run()
    assert list(
        Payment.objects.filter(entitlement=e, kind="benefit").values_list("period", flat=True)
    ) == [date(2026, 10, 1)]


def test_months_paid_after_the_stop_become_an_overpayment_offset_later():
    person = PersonFactory(bank_account="6222021234567890123")
    first = entitlement(person, start=date(2026, 9, 1))
    run()  # pays September, October, November
    result = stop(first, "emigration", date(2026, 10, 15))  # last payable month: September
    overpayment = result.overpayment
    assert overpayment.amount_fen == 2 * 164700
    assert [m["month"] for m in overpayment.months] == ["2026-10", "2026-11"]
    first.refresh_from_db()
    assert first.months_forfeited == 18 - 1
    assert balance("460200", "1101") == 2 * 164700
    # Later the person qualifies again: the new benefit is kept back until the debt is cleared.
    entitlement(person, start=date(2026, 12, 1))
    run(month=date(2026, 12, 1), on=date(2026, 12, 25))
    december = Payment.objects.get(
        person=person,
        period=date(2026, 12, 1),
        kind="benefit",
        entitlement__start_month=date(2026, 12, 1),
    )
    assert (december.amount_fen, december.offset_fen) == (0, 164700)
    # Kept back whole: settled at once, nothing for the bank to pay, the books still agree.
    assert (december.status, december.bank_account) == ("settled", "")
    assert (december.resolved_on, december.run.month) == (date(2026, 12, 25), date(2026, 12, 1))
    assert december.reference not in bank_file_path("460200", date(2026, 12, 1)).read_text()
    assert reconciliation(region_code="460200", day=date(2026, 12, 25)).balanced
    overpayment.refresh_from_db()
    assert overpayment.recovered_fen == 164700 and overpayment.status == "open"
    assert balance("460200", "1101") == 164700
    # The rest is repaid at the counter.
    overpayment_repay(
        actor=TEST_ACTOR,
        overpayment_id=overpayment.pk,
        amount_fen=164700,
        on=date(2027, 1, 5),
        reference="RCPT-1",
    )
    overpayment.refresh_from_db()
    assert overpayment.status == "recovered"
    assert balance("460200", "1101", on=date(2027, 1, 31)) == 0
    assert set(Recovery.objects.values_list("method", flat=True)) == {"offset", "repayment"}


def test_stop_refusals():
    person = PersonFactory()
    e = entitlement(person)
    with pytest.raises(InvalidInput):
        stop(e, "holiday", date(2026, 11, 10))
    with pytest.raises(InvalidInput):
        stop(e, "pension_start", date(2026, 1, 1))
    stop(e, "pension_start", date(2026, 11, 20))
    with pytest.raises(Conflict, match="not running"):
        stop(e, "pension_start", date(2026, 11, 21))


def test_repayment_refusals():
    person = PersonFactory(bank_account="6222021234567890123")
    e = entitlement(person, start=date(2026, 10, 1))
    run()
    overpayment = stop(e, "imprisonment", date(2026, 10, 20)).overpayment
    with pytest.raises(InvalidInput, match="outstanding"):
        overpayment_repay(
            actor=TEST_ACTOR,
            overpayment_id=overpayment.pk,
            amount_fen=10**9,
            on=date(2026, 12, 1),
            reference="R",
        )
    overpayment_repay(
        actor=TEST_ACTOR,
        overpayment_id=overpayment.pk,
        amount_fen=1,
        on=date(2026, 12, 1),
        reference="R",
    )
    with pytest.raises(Conflict):
        overpayment_repay(
            actor=TEST_ACTOR,
            overpayment_id=overpayment.pk,
            amount_fen=1,
            on=date(2026, 12, 1),
            reference="R",
        )
    assert Overpayment.objects.get().recovered_fen == 1
