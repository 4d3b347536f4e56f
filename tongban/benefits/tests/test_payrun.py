"""Monthly payment runs: exactly once, resumable, one fund's book each, bank files and returns."""

import threading
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from tongban.benefits.models import Entitlement, Payment, PaymentRun
from tongban.benefits.payrun import (
    NothingToPay,
    PayrunBusy,
    bank_file_path,
    payrun_execute,
    run_lock,
)
from tongban.benefits.reconciliation import reconciliation
from tongban.benefits.tests.factories import entitlement
from tongban.core.imports import import_file
from tongban.core.testing import TEST_ACTOR
from tongban.ledger.selectors import trial_balance
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def run(region="460200", month=NOV, on=date(2026, 11, 25)):
    return payrun_execute(actor=TEST_ACTOR, region_code=region, month=month, on=on)


def balance(region, code, on=date(2026, 12, 31)):
    row = next(r for r in trial_balance(region_code=region, as_of=on).rows if r.code == code)
    return row.debit_fen - row.credit_fen


@pytest.fixture
def claimant():
    return PersonFactory(bank_account="6222021234567890123")


def test_a_run_pays_the_month_posts_the_fund_and_writes_the_bank_file(claimant):
    e = entitlement(claimant)
    result = run()
    payments = {p.kind: p for p in Payment.objects.filter(entitlement=e)}
    assert set(payments) == {"benefit", "medical"}
    benefit = payments["benefit"]
    assert (benefit.status, benefit.amount_fen, benefit.period) == ("sent", 164700, NOV)
    assert benefit.reference == f"P460200-202611-{e.pk}-B"
    assert benefit.bank_account == "6222021234567890123"
    assert payments["medical"].status == "settled"  # paid to the medical insurance agency
    e.refresh_from_db()
    assert e.months_paid == 1
    assert balance("460200", "500101") == 164700
    assert balance("460200", "500102") == 22000
    assert balance("460200", "1003") == -(164700 + 22000)
    assert balance("460100", "500101") == 0  # no other fund pays
    lines = result.file.read_text().splitlines()
    assert lines == [
        "reference,account_name,bank_account,amount_fen",
        f"{benefit.reference},{claimant.name},6222021234567890123,164700",
    ]
    assert result.file == bank_file_path("460200", NOV)


def test_a_rerun_creates_nothing_and_writes_the_same_file(claimant):
    entitlement(claimant)
    first = run()
    content = first.file.read_bytes()
    before = (Payment.objects.count(), balance("460200", "1003"))
    again = run()
    assert again.rerun and again.created == 0
    assert (Payment.objects.count(), balance("460200", "1003")) == before
    assert again.file.read_bytes() == content
    assert PaymentRun.objects.count() == 1


def test_arrears_and_the_next_month(claimant):
    e = entitlement(claimant, start=date(2026, 9, 1))
    run()
    assert sorted(Payment.objects.filter(entitlement=e, kind="benefit").values_list("period", flat=True)) == [
        date(2026, 9, 1), date(2026, 10, 1), NOV,
    ]  # fmt: skip
    run(month=DEC, on=date(2026, 12, 25))
    e.refresh_from_db()
    assert e.months_paid == 4


def test_suspended_entitlements_are_held_and_no_account_waits(claimant):
    entitlement(claimant, status="suspended")
    other = PersonFactory(bank_account="")
    entitlement(other, region="460200")
    result = run()
    held = Payment.objects.filter(status="held", kind__in=["benefit"])
    assert {p.hold_reason for p in held} == {"suspended", "no_bank_account"}
    assert result.file.read_text().count("\n") == 1  # header only
    other.bank_account = "6222029999999999999"
    other.save()
    run(month=DEC, on=date(2026, 12, 25))
    assert Payment.objects.filter(person=other, kind="benefit", status="sent").count() == 2


def test_the_end_of_an_entitlement(claimant):
    e = entitlement(claimant, start=date(2026, 10, 1), months=2)
    run()
    e.refresh_from_db()
    assert (e.status, e.months_paid, e.end_reason) == ("ended", 2, "exhausted")
    run(month=DEC, on=date(2026, 12, 25))
    assert Payment.objects.filter(entitlement=e, kind="benefit").count() == 2


def test_one_off_items_are_paid_once(claimant):
    e = entitlement(claimant, item="skill_subsidy", amount_fen=150000, start=NOV)
    run()
    run(month=DEC, on=date(2026, 12, 25))
    payments = Payment.objects.filter(entitlement=e)
    assert [(p.kind, p.amount_fen, p.status) for p in payments] == [("one_off", 150000, "sent")]
    assert balance("460200", "500105") == 150000


def test_two_runs_of_the_same_month_at_once_one_is_refused(claimant):
    """Another process (here: a thread with its own database session) holds the run's lock."""
    entitlement(claimant)
    holding, release = threading.Event(), threading.Event()

    def other_run():
        try:
            with run_lock("460200", NOV):
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(PayrunBusy, match="already running"):
            run()
        # The command says so; `tongban payrun` turns a CommandError into exit status 1.
        with pytest.raises(CommandError, match="460200 for 2026-11 is already running"):
            call_command("payrun", "--region", "460200", "--month", "2026-11")
        assert not Payment.objects.exists()
    finally:
        release.set()
        thread.join()
    run()  # once the other run is done, this one goes ahead
    assert Payment.objects.exists()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "returns.csv"
    path.write_text(text)
    return path


def test_returns_are_booked_reissued_after_correction_and_reconcile(claimant, tmp_path):
    entitlement(claimant)
    other = PersonFactory(bank_account="6222028888888888888")
    entitlement(other)
    run()
    mine = Payment.objects.get(person=claimant, kind="benefit")
    theirs = Payment.objects.get(person=other, kind="benefit")
    day = date(2026, 11, 25)
    assert reconciliation(region_code="460200", day=day).pending_count == 2
    text = f"reference,result,reason_code\n{mine.reference},returned,account_closed\n{theirs.reference},settled,\nP-NOPE,settled,\n"
    summary = import_file(
        kind="bank_returns", path=write(tmp_path, text), actor=TEST_ACTOR, as_of=date(2026, 11, 27)
    )
    assert (summary.changed, [e.code for e in summary.rejected]) == (2, ["unknown_payment"])
    mine.refresh_from_db()
    assert (mine.status, mine.return_reason) == ("returned", "account_closed")
    assert balance("460200", "2001") == -164700  # waiting as a temporary receipt
    figures = reconciliation(region_code="460200", day=day)
    assert figures.balanced and (
        figures.settled_count,
        figures.returned_count,
        figures.pending_count,
    ) == (1, 1, 0)
    again = import_file(
        kind="bank_returns", path=write(tmp_path, text), actor=TEST_ACTOR, as_of=date(2026, 11, 27)
    )
    assert again.changed == 0 and balance("460200", "2001") == -164700
    Entitlement.objects.get(person=claimant).refresh_from_db()
    assert Entitlement.objects.get(person=claimant).months_paid == 0

    # No correction yet: nothing is paid again. After the correction, the next run does it.
    run(month=DEC, on=date(2026, 12, 25))
    assert not Payment.objects.filter(reissue_of=mine).exists()
    claimant.bank_account = "6222027777777777777"
    claimant.save()
    run(month=date(2027, 1, 1), on=date(2027, 1, 25))
    reissue = Payment.objects.get(reissue_of=mine)
    assert (reissue.reference, reissue.status, reissue.bank_account) == (
        f"{mine.reference}-R",
        "sent",
        "6222027777777777777",
    )
    assert balance("460200", "2001", on=date(2027, 1, 31)) == 0
    assert (
        balance("460200", "500101", on=date(2027, 1, 31)) == 164700 * 6
    )  # expensed once per month


def test_a_bad_return_file_is_reported_row_by_row(claimant, tmp_path):
    entitlement(claimant)
    run()
    reference = Payment.objects.get(kind="benefit").reference
    text = f"reference,result,reason_code\n{reference},lost,\n{reference},returned,gremlins\n,settled,\n"
    summary = import_file(
        kind="bank_returns", path=write(tmp_path, text), actor=TEST_ACTOR, as_of=date(2026, 11, 27)
    )
    assert [(e.row, e.code) for e in summary.rejected] == [
        (2, "result"),
        (3, "unknown_reason"),
        (4, "required"),
    ]
    assert Payment.objects.get(kind="benefit").status == "sent"


def test_the_payrun_command(claimant, capsys):
    entitlement(claimant)
    call_command("payrun", region="460200", month="2026-11")
    assert "PR460200202611: finished; 1 payments, ¥1,647.00" in capsys.readouterr().out
    call_command("payrun", region="460200", month="2026-11")
    assert "already finished" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("payrun", region="460200", month="2026-13")
    with pytest.raises(CommandError, match="Unknown region"):
        call_command("payrun", region="999999", month="2026-11")


def test_a_late_decision_is_paid_by_a_supplementary_run(claimant):
    entitlement(claimant)
    run()
    late = PersonFactory(bank_account="6222020000000000042")
    entitlement(late)  # approved after the month's run
    assert run().rerun  # the regular run stays as it was
    extra = payrun_execute(
        actor=TEST_ACTOR, region_code="460200", month=NOV, on=date(2026, 11, 28), supplementary=True
    )
    assert extra.run.reference == "PR460200202611-S1" and extra.run.payments == 1
    assert extra.file.name == "460200-2026-11-S1.csv"
    assert Payment.objects.get(person=late, kind="benefit").run == extra.run
    with pytest.raises(NothingToPay):
        payrun_execute(
            actor=TEST_ACTOR,
            region_code="460200",
            month=NOV,
            on=date(2026, 11, 28),
            supplementary=True,
        )
    assert PaymentRun.objects.count() == 2
