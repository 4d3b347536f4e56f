"""Hypothesis: whatever order the events arrive in, no suspended month is paid before a lift.

Events: payment runs and the turn of the month, hires (before or after a run), contribution
files and national comparison files (sometimes loaded twice), lifts and confirmations. After
every run: each benefit payment the run sent is for a month that no finding holds — every
finding about that benefit whose held months include it was lifted before the run.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tongban.benefits.models import Entitlement, Payment
from tongban.benefits.payrun import payrun_execute
from tongban.core.actors import Actor
from tongban.core.imports import import_file
from tongban.core.months import add_months, month_of
from tongban.core.testing import TEST_ACTOR
from tongban.integrity.models import Finding
from tongban.integrity.services import finding_decide
from tongban.integrity.tests.conftest import make_recipient
from tongban.regions.selectors import staff_for_user
from tongban.regions.services import staff_create
from tongban.registry.services import employer_hire
from tongban.registry.tests.factories import EmployerFactory, region

FIRST = date(2026, 11, 1)
PEOPLE = 3


class Suspensions(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.tmp = Path(tempfile.mkdtemp())
        self.month = 0
        self.people: list = []
        self.files: list[tuple[str, Path]] = []
        self.violations: list[str] = []

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    @initialize()
    def recipients_and_a_reviewer(self) -> None:
        for _ in range(PEOPLE):
            person, _claim = make_recipient(start=FIRST, months=6)
            self.people.append(person)
        member = staff_create(
            actor=TEST_ACTOR, username="prop_reviewer", office_code="sanya-agency",
            roles=["reviewer"], password=None,
        )  # fmt: skip
        self.staff = staff_for_user(user=member.user)
        self.actor = Actor(
            kind="staff", label="prop_reviewer", user_id=self.staff.user_id,
            office_code="sanya-agency",
        )  # fmt: skip
        self.employer = EmployerFactory(region=region("460200"))

    def _today(self) -> date:
        return add_months(FIRST, self.month).replace(day=25)

    def _day(self, day: int) -> date:
        return add_months(FIRST, self.month).replace(day=day)

    # ---- time and money
    @rule()
    def run_month(self) -> None:
        before = set(Payment.objects.filter(status="sent").values_list("id", flat=True))
        payrun_execute(
            actor=TEST_ACTOR, region_code="460200", month=add_months(FIRST, self.month),
            on=self._today(),
        )  # fmt: skip
        paid_now = Payment.objects.filter(status="sent", kind="benefit").exclude(id__in=before)
        for payment in paid_now:
            for finding in Finding.objects.filter(entitlement_id=payment.entitlement_id):
                held_from = month_of(finding.suspended_from or finding.event_date)
                if held_from <= payment.period and finding.status != "lifted":
                    self.violations.append(
                        f"{payment.reference} paid while {finding.reference} ({finding.status}) "
                        f"holds months from {held_from}"
                    )

    @rule()
    def next_month(self) -> None:
        self.month = min(self.month + 1, 6)

    # ---- evidence
    @rule(index=st.integers(0, PEOPLE - 1), day=st.integers(1, 25), here=st.booleans())
    def hire(self, index: int, day: int, here: bool) -> None:
        employer = EmployerFactory(region=region("460200" if here else "460100"))
        employer_hire(
            actor=TEST_ACTOR, employer=employer, id_number=self.people[index].id_number,
            start_date=self._day(day), as_of=self._today(),
        )  # fmt: skip

    @rule(index=st.integers(0, PEOPLE - 1), twice=st.booleans())
    def contributions(self, index: int, twice: bool) -> None:
        path = self.tmp / f"contributions{len(self.files)}.csv"
        path.write_text(
            "id_number,uscc,region_code,month,base_fen,amount_fen\n"
            f"{self.people[index].id_number},{self.employer.uscc},460200,"
            f"{add_months(FIRST, self.month):%Y-%m},500000,5000\n"
        )
        self._load("contributions", path, twice)

    @rule(
        index=st.integers(0, PEOPLE - 1),
        kind=st.sampled_from(["deaths", "new_hires", "imprisonments"]),
        day=st.integers(1, 25),
        twice=st.booleans(),
    )
    def comparison(self, index: int, kind: str, day: int, twice: bool) -> None:
        number = self.people[index].id_number
        on = self._day(day)
        header, row = {
            "deaths": ("id_number,date", f"{number},{on}"),
            "imprisonments": ("id_number,start_date", f"{number},{on}"),
            "new_hires": (
                "id_number,employer_name,province_code,start_date",
                f"{number},某公司,440000,{on}",
            ),
        }[kind]
        path = self.tmp / f"{kind}{len(self.files)}.csv"
        path.write_text(f"{header}\n{row}\n")
        self._load(kind, path, twice)

    @rule()
    def reload_a_file(self) -> None:
        if self.files:
            kind, path = self.files[len(self.files) // 2]
            import_file(kind=kind, path=path, actor=TEST_ACTOR, as_of=self._today())

    def _load(self, kind: str, path: Path, twice: bool) -> None:
        self.files.append((kind, path))
        for _ in range(2 if twice else 1):
            summary = import_file(kind=kind, path=path, actor=TEST_ACTOR, as_of=self._today())
            assert not summary.rejected, summary.lines()

    # ---- decisions
    @rule(index=st.integers(0, PEOPLE - 1), confirm=st.booleans())
    def decide(self, index: int, confirm: bool) -> None:
        finding = (
            Finding.objects.filter(person=self.people[index], status="open")
            .order_by("suspended_from", "id")
            .first()
        )
        if finding is None:
            return
        finding_decide(
            actor=self.actor, staff=self.staff, task_id=finding.task_id,
            outcome="approve" if confirm else "reject", reasons=["checked"], as_of=self._today(),
        )  # fmt: skip

    # ---- what must always hold
    @invariant()
    def no_suspended_month_paid_before_a_lift(self) -> None:
        assert not self.violations, self.violations

    @invariant()
    def a_benefit_ends_only_by_a_decision(self) -> None:
        for entitlement in Entitlement.objects.filter(status="ended").exclude(
            end_reason__in=["exhausted", "transferred"]
        ):
            assert Finding.objects.filter(
                entitlement=entitlement, status="confirmed", decided_by="prop_reviewer"
            ).exists()

    @invariant()
    def a_suspension_has_an_open_finding(self) -> None:
        for entitlement in Entitlement.objects.filter(status="suspended"):
            assert Finding.objects.filter(entitlement=entitlement, status="open").exists()


@pytest.mark.django_db
@pytest.mark.slow
def test_no_suspended_month_is_paid_unless_lifted_first():
    Suspensions.TestCase.settings = settings(
        max_examples=50, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )  # fmt: skip
    Suspensions.TestCase().runTest()
