"""Hypothesis drives random runs, returns, re-issues, stops and recoveries; the books stay right.

After every step: every entry balances and so does every book; no fund pays another
fund's person; at most one live payment per (entitlement, month, kind); for every fund and
day, sent = settled + returned + pending.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tongban.benefits.models import Entitlement, Overpayment, Payment
from tongban.benefits.payrun import payrun_execute
from tongban.benefits.reconciliation import reconciliation
from tongban.benefits.services import entitlement_stop, overpayment_repay
from tongban.benefits.tests.factories import entitlement
from tongban.core.imports import import_file
from tongban.core.months import add_months
from tongban.core.testing import TEST_ACTOR
from tongban.core.transactions import unit_of_work
from tongban.ledger.models import JournalLine
from tongban.registry.tests.factories import PersonFactory

REGIONS = ("460100", "460200")
FIRST = date(2026, 1, 1)


class Money(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.tmp = Path(tempfile.mkdtemp())
        self.month = 0
        self.people: list = []
        self.entitlements: list[int] = []
        self.returns = 0

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    @initialize()
    def people_and_benefits(self) -> None:
        for n in range(4):
            person = PersonFactory(bank_account=f"62220{n:014d}")
            self.people.append(person)
            e = entitlement(person, region=REGIONS[n % 2], start=FIRST, months=6)
            self.entitlements.append(e.pk)

    def _today(self) -> date:
        return add_months(FIRST, self.month).replace(day=25)

    @rule(region=st.sampled_from(REGIONS))
    def run_month(self, region: str) -> None:
        payrun_execute(
            actor=TEST_ACTOR,
            region_code=region,
            month=add_months(FIRST, self.month),
            on=self._today(),
        )

    @rule()
    def next_month(self) -> None:
        self.month = min(self.month + 1, 9)

    @rule(data=st.data())
    def bank_answers(self, data: st.DataObject) -> None:
        sent = list(
            Payment.objects.filter(status="sent")
            .order_by("reference")
            .values_list("reference", flat=True)
        )
        if not sent:
            return
        chosen = data.draw(st.lists(st.sampled_from(sent), min_size=1, max_size=4, unique=True))
        results = data.draw(
            st.lists(
                st.sampled_from(["settled", "returned"]), min_size=len(chosen), max_size=len(chosen)
            )
        )
        self.returns += 1
        path = self.tmp / f"returns{self.returns}.csv"
        rows = [
            f"{ref},{result},{'account_closed' if result == 'returned' else ''}"
            for ref, result in zip(chosen, results, strict=True)
        ]
        path.write_text("reference,result,reason_code\n" + "\n".join(rows) + "\n")
        summary = import_file(kind="bank_returns", path=path, actor=TEST_ACTOR, as_of=self._today())
        assert not summary.rejected, summary.lines()

    @rule(index=st.integers(0, 3), account=st.integers(1, 999))
    def correct_account(self, index: int, account: int) -> None:
        person = self.people[index]
        person.bank_account = f"6228{account:015d}"
        person.save(update_fields=["bank_account"])

    @rule(
        index=st.integers(0, 3),
        kind=st.sampled_from(["reemployment", "emigration", "imprisonment"]),
        day=st.integers(1, 28),
    )
    def stop(self, index: int, kind: str, day: int) -> None:
        e = Entitlement.objects.get(pk=self.entitlements[index])
        if e.status not in ("active", "suspended"):
            return
        on = add_months(FIRST, self.month).replace(day=day)
        if e.start_month is None or on < e.start_month:
            return
        with unit_of_work():
            entitlement_stop(
                actor=TEST_ACTOR,
                entitlement_id=e.pk,
                kind=kind,
                on=on,
                reasons=["test"],
                office_code="",
            )

    @rule(index=st.integers(0, 3))
    def claim_again(self, index: int) -> None:
        """A person whose benefit ended qualifies again later (offsets recover any debt)."""
        person = self.people[index]
        if Entitlement.objects.filter(person=person, status__in=["active", "suspended"]).exists():
            return
        e = entitlement(
            person, region=REGIONS[index % 2], start=add_months(FIRST, self.month), months=3
        )
        self.entitlements[index] = e.pk

    @precondition(lambda self: Overpayment.objects.filter(status="open").exists())
    @rule(part=st.integers(1, 200000))
    def repay(self, part: int) -> None:
        overpayment = Overpayment.objects.filter(status="open").order_by("id").first()
        amount = min(part, overpayment.outstanding_fen)
        overpayment_repay(actor=TEST_ACTOR, overpayment_id=overpayment.pk, amount_fen=amount, on=self._today(),
                          reference=f"R{overpayment.pk}-{overpayment.recovered_fen}")  # fmt: skip

    @invariant()
    def books_balance(self) -> None:
        unbalanced = (
            JournalLine.objects.values("entry_id")
            .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
            .exclude(d=F("c"))
        )
        assert not unbalanced.exists()
        for region in REGIONS:
            totals = JournalLine.objects.filter(entry__book__fund__region__code=region).aggregate(
                d=Sum("debit_fen"), c=Sum("credit_fen")
            )
            assert totals["d"] == totals["c"]

    @invariant()
    def funds_never_cross(self) -> None:
        assert not Payment.objects.exclude(paying_region=F("entitlement__paying_region")).exists()

    @invariant()
    def one_live_payment_per_month(self) -> None:
        doubled = (
            Payment.objects.exclude(status__in=["returned", "cancelled"])
            .values("entitlement_id", "period", "kind")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        assert not doubled.exists()

    @invariant()
    def the_bank_reconciles(self) -> None:
        days = (
            Payment.objects.filter(~Q(sent_on=None))
            .values_list("paying_region__code", "sent_on")
            .distinct()
        )
        for region, day in days:
            assert reconciliation(region_code=region, day=day).balanced


@pytest.mark.django_db
def test_money_stays_right_whatever_happens(settings_tmp):
    Money.TestCase.settings = settings(
        max_examples=25, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )  # fmt: skip
    Money.TestCase().runTest()


@pytest.fixture
def settings_tmp(settings, tmp_path):
    settings.BANK_DIR = tmp_path / "bank"
    settings.VAR_DIR = tmp_path
    return settings
