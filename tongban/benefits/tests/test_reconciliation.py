"""The three-way reconciliation (三方对账): platform payments, bank files and the fund's books.

A clean month reconciles on every day; each kind of difference is found, named with the payment,
run or booking it concerns, and what each side says.
"""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from tongban.benefits.models import Payment, PaymentRun
from tongban.benefits.payrun import payrun_execute
from tongban.benefits.reconciliation import (
    reconciliation,
    reconciliations,
)
from tongban.benefits.tests.factories import entitlement
from tongban.core.imports import import_file
from tongban.core.testing import TEST_ACTOR
from tongban.ledger import services as ledger
from tongban.ledger.selectors import entry_for_source
from tongban.regions.models import Region
from tongban.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
SENT, ANSWERED, AGAIN = date(2026, 11, 25), date(2026, 11, 27), date(2026, 12, 25)


def run(region="460200", month=NOV, on=SENT):
    return payrun_execute(actor=TEST_ACTOR, region_code=region, month=month, on=on).run


@pytest.fixture
def month():
    """Two people of Sanya's fund paid for November: a UI benefit (with its medical premium)
    and a one-off skill subsidy; the run, its bank file and its books."""
    first = PersonFactory(bank_account="6222021234567890123")
    second = PersonFactory(bank_account="6222028888888888888")
    entitlement(first)
    entitlement(second, item="skill_subsidy", amount_fen=150000)
    the_run = run()
    return the_run, {p.item_code: p for p in Payment.objects.exclude(kind="medical")}


def differences(
    region: str, day: date
) -> list[tuple[str, str, int | None, int | None, int | None]]:
    return [
        (d.kind, d.reference, d.platform_fen, d.bank_fen, d.ledger_fen)
        for d in reconciliation(region_code=region, day=day).differences
    ]


def bank_file(the_run: PaymentRun) -> Path:
    return Path(settings.BANK_DIR) / the_run.file_name


def returns(tmp_path: Path, lines: str, on: date = ANSWERED) -> None:
    path = tmp_path / f"returns-{on}.csv"
    path.write_text("reference,result,reason_code\n" + lines)
    summary = import_file(kind="bank_returns", path=path, actor=TEST_ACTOR, as_of=on)
    assert not summary.rejected, summary.lines()


def test_a_month_with_a_return_and_its_reissue_agrees_on_every_day(month, tmp_path):
    _, paid = month
    ui, skill = paid["ui_benefit"], paid["skill_subsidy"]
    sent = reconciliation(region_code="460200", day=SENT)
    assert sent.balanced and not sent.differences
    assert (sent.sent_count, sent.bank_count) == (2, 2)
    assert sent.sent_fen == sent.bank_fen == sent.ledger_fen == 164700 + 150000

    returns(tmp_path, f"{ui.reference},returned,account_closed\n{skill.reference},settled,\n")
    answered = reconciliation(region_code="460200", day=ANSWERED)
    assert answered.balanced and answered.sent_count == 0
    sent = reconciliation(region_code="460200", day=SENT)
    assert sent.balanced and (sent.settled_fen, sent.returned_fen) == (150000, 164700)

    ui.person.bank_account = "6222027777777777777"
    ui.person.save()
    run(month=DEC, on=AGAIN)
    again = reconciliation(region_code="460200", day=AGAIN)
    assert again.balanced, again.differences
    assert again.sent_fen == again.bank_fen == again.ledger_fen == 2 * 164700  # December + re-issue
    period = reconciliations(start=NOV, end=date(2026, 12, 31))
    assert set(period) == {"460200"} and period["460200"].balanced
    assert period["460200"].until == date(2026, 12, 31)


def test_a_payment_missing_from_the_bank_file_is_named(month):
    the_run, paid = month
    ui = paid["ui_benefit"]
    path = bank_file(the_run)
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                            if not line.startswith(ui.reference)))  # fmt: skip
    found = differences("460200", SENT)
    assert ("not_in_bank_file", ui.reference, 164700, None, None) in found
    assert ("bank_file_changed", the_run.file_name, 314700, 150000, None) in found
    assert not reconciliation(region_code="460200", day=SENT).balanced


def test_a_bank_line_that_is_no_payment_and_a_changed_amount_are_named(month):
    the_run, paid = month
    skill = paid["skill_subsidy"]
    path = bank_file(the_run)
    text = (
        path.read_text().replace(",150000\n", ",150001\n") + "P460200-202611-999-O,某人,6222,5000\n"
    )
    path.write_text(text)
    found = differences("460200", SENT)
    assert ("bank_amount", skill.reference, 150000, 150001, None) in found
    assert ("not_a_payment", "P460200-202611-999-O", None, 5000, None) in found


def test_a_missing_bank_file_and_wrong_run_totals_are_named(month):
    the_run, _ = month
    bank_file(the_run).unlink()
    PaymentRun.objects.filter(pk=the_run.pk).update(total_fen=1, medical_fen=0)
    found = differences("460200", SENT)
    assert ("bank_file_missing", the_run.file_name, 314700, None, None) in found
    assert ("run_total", the_run.reference, 314700, 1, None) in found
    assert ("run_total", f"{the_run.reference}/500102", 22000, 0, None) in found
    assert len(found) == 3  # the file, not each of its payments
    assert reconciliation(region_code="460200", day=SENT).bank_fen == 0


def test_a_sent_payment_held_again_or_paid_by_another_fund_is_named(month):
    _, paid = month
    ui, skill = paid["ui_benefit"], paid["skill_subsidy"]
    Payment.objects.filter(pk=ui.pk).update(status="held")
    haikou = Region.objects.get(code="460100")
    Payment.objects.filter(pk=skill.pk).update(paying_region=haikou)  # booked to the wrong fund
    sanya = differences("460200", SENT)
    assert ("not_with_bank", ui.reference, 164700, None, None) in sanya
    assert ("other_fund", skill.reference, 150000, None, None) in sanya
    haikou_found = differences("460100", SENT)
    assert ("not_in_run", skill.reference, 150000, None, None) in haikou_found
    assert ("other_fund", skill.reference, 150000, None, None) in haikou_found
    figures = reconciliation(region_code="460100", day=SENT)
    assert (figures.sent_fen, figures.bank_fen, figures.ledger_fen) == (150000, 0, 0)


def test_a_run_the_books_missed_is_named(monkeypatch):
    monkeypatch.setattr(ledger, "payment_run_post", lambda **kwargs: {})
    entitlement(PersonFactory(bank_account="6222021234567890123"))
    the_run = run()
    found = differences("460200", SENT)
    assert ("not_booked", f"{the_run.reference}/500101", 164700, None, None) in found
    assert ("not_booked", f"{the_run.reference}/500102", 22000, None, None) in found
    assert reconciliation(region_code="460200", day=SENT).ledger_fen == 0


def test_a_reversed_booking_another_amount_and_a_booking_without_payments_are_named(month):
    the_run, _ = month
    entry = entry_for_source(region_code="460200", source_type="payment_run",
                             source_ref=f"{the_run.reference}/500105")  # fmt: skip
    assert entry is not None
    ledger.entry_reverse(actor=TEST_ACTOR, entry_id=entry.pk, entry_date=SENT)
    ledger.payment_run_post(actor=TEST_ACTOR, region_code="460200", entry_date=SENT,
                            run_ref="PR460200202699", amounts={"500101": 777})  # fmt: skip
    found = differences("460200", SENT)
    assert ("booked_amount", f"{the_run.reference}/500105", 150000, None, 0) in found
    assert ("booked_without_payment", "PR460200202699/500101", None, None, 777) in found
    assert reconciliation(region_code="460200", day=SENT).ledger_fen == 164700 + 777


def test_a_run_booked_to_another_fund_or_subject_is_named(monkeypatch):
    booked = ledger.payment_run_post

    def into_haikou(**kwargs):
        return booked(**{**kwargs, "region_code": "460100"})

    monkeypatch.setattr(ledger, "payment_run_post", into_haikou)
    entitlement(PersonFactory(bank_account="6222021234567890123"))
    the_run = run()
    assert ("not_booked", f"{the_run.reference}/500101", 164700, None, None) in differences(
        "460200", SENT
    )
    assert ("booked_without_payment", f"{the_run.reference}/500101", None, None, 164700) in (
        differences("460100", SENT)
    )

    monkeypatch.setattr(ledger, "payment_run_post", lambda **kwargs: {})
    other = entitlement(PersonFactory(bank_account="6222028888888888888"), region="460400")
    later = run(region="460400")
    assert other.monthly_amount_fen == 164700
    ledger.entry_post(actor=TEST_ACTOR, region_code="460400", entry_date=SENT, description="错记",
                      lines=[("500107", 164700, 0), ("1003", 0, 164700)],
                      source_type="payment_run", source_ref=f"{later.reference}/500101")  # fmt: skip
    found = differences("460400", SENT)
    assert ("booked_account", f"{later.reference}/500101", 164700, None, 0) in found


def test_returns_the_books_missed_are_named(month, tmp_path, monkeypatch):
    _, paid = month
    ui = paid["ui_benefit"]
    monkeypatch.setattr(ledger, "bank_return_post", lambda **kwargs: None)
    returns(tmp_path, f"{ui.reference},returned,account_frozen\n")
    assert differences("460200", ANSWERED) == [
        ("not_booked", "returns-20261127", 164700, None, None)
    ]
