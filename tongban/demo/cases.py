"""Cases and payments for the demo province, made through the real services, in the past.

Services take ``as_of``, so the demo can replay the last weeks: people who lost their
jobs register and claim a few days later at an office of the region they live in (or
online), the initial review happens there, the insured region's agency re-reviews, and
each fund runs its monthly payments. Some cases are left open in every stage so that
the queues have work in them. Deterministic: the same province gives the same cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from tongban.benefits.payrun import payrun_execute
from tongban.benefits.selectors import entitlements_of
from tongban.cases.selectors import open_task_of
from tongban.cases.services import Acceptance, bundle_submit, task_decide
from tongban.core.actors import Actor
from tongban.core.errors import DomainError
from tongban.core.months import add_months, month_of
from tongban.demo.synthetic import Province
from tongban.regions.selectors import StaffInfo, offices_list, staff_for_user
from tongban.registry.selectors import person_get

ACTOR = Actor.operator("tongban demo")


@dataclass
class DemoCases:
    approved: int = 0
    at_re_review: int = 0
    at_initial_review: int = 0
    refused: int = 0
    runs: int = 0
    regions_paying: set[str] = field(default_factory=set)
    untouched: list[str] = field(default_factory=list)
    recipients: list[tuple[str, str]] = field(default_factory=list)  # (ID number, paying region)


def _staff(username: str) -> StaffInfo:
    from django.contrib.auth import get_user_model

    info = staff_for_user(user=get_user_model().objects.get(username=username))
    if info is None:
        raise RuntimeError(f"demo login {username} has no office")
    return info


def _actor(info: StaffInfo) -> Actor:
    return Actor(
        kind="staff",
        label=f"staff:{info.username}",
        user_id=info.user_id,
        office_code=info.office.code,
    )


def _decide(task_id: int, staff: StaffInfo, on: date) -> None:
    task_decide(
        actor=_actor(staff), staff=staff, task_id=task_id, outcome="approve",
        reasons=None, checklist=None, verification=None, as_of=on,
    )  # fmt: skip


def demo_cases(province: Province, *, say: Callable[[str], None] = print) -> DemoCases:
    """Walk the province's claimants through the flow; leave some cases open at each stage."""
    rng = random.Random(province.seed + 1)
    acceptors: dict[str, StaffInfo] = {}
    reviewers: dict[str, StaffInfo] = {}
    for office in offices_list():
        if office.is_insurance_agency:
            slug = office.code.removesuffix("-agency")
            acceptors[office.region.code] = _staff(f"{slug}.acceptor")
            reviewers[office.code] = _staff(f"{slug}.reviewer")
    # In Haikou and Sanya people are accepted at the district service offices.
    acceptors["460100"] = _staff("haikou.acceptor")
    acceptors["460200"] = _staff("sanya.acceptor")
    result = DemoCases()
    as_of = province.as_of
    spells_by_person: dict[int, date] = {}
    for spell in province.spells:
        if spell.end is not None:
            spells_by_person[spell.person] = max(
                spells_by_person.get(spell.person, spell.end), spell.end
            )
    for n, index in enumerate(province.claimants):
        if n % 7 == 3:
            result.untouched.append(province.persons[index].id_number)  # could still claim today
            continue
        separated = spells_by_person.get(index)
        if separated is None:
            continue
        applied = min(as_of, separated + timedelta(days=rng.randint(2, 9)))
        person = person_get(id_number=province.persons[index].id_number)
        residence = person.residence_region.code
        staff = acceptors[residence]
        stage = "approved" if n % 10 < 6 else ("re_review" if n % 10 < 8 else "initial_review")
        try:
            online = n % 7 != 0  # most people apply online (the seed: above 80%)
            # Online too, the person picks the office near home whose caseworker does the
            # initial review; the agency then re-reviews with another pair of eyes.
            acceptance = (
                Acceptance(
                    Actor(kind="person", label="portal (demo)", person_id_number=person.id_number),
                    "portal",
                    staff.office.code,
                )
                if online
                else Acceptance(_actor(staff), "window", None, staff)
            )
            bundle = bundle_submit(
                acceptance=acceptance,
                kind="unemployment",
                id_number=person.id_number,
                as_of=applied,
            )
            claim = next(a for a in bundle.applications if a.item_code == "ui_benefit")
            for application in bundle.applications:
                task = open_task_of(application)
                if task is None or (stage == "initial_review" and application is claim):
                    continue
                if task.stage == "initial_review":
                    _decide(task.pk, staff, applied)
            claim.refresh_from_db()
            if stage == "approved" and claim.status == "re_review":
                task = open_task_of(claim)
                assert task is not None
                assert claim.reviewing_office is not None
                reviewer = reviewers[claim.reviewing_office.code]
                _decide(task.pk, reviewer, min(as_of, applied + timedelta(days=2)))
            claim.refresh_from_db()
        except DomainError as error:
            say(f"  demo case for a claimant refused: {error.message}")
            result.refused += 1
            continue
        if claim.status == "approved":
            result.approved += 1
            for entitlement in entitlements_of(person_id=person.pk):
                result.regions_paying.add(entitlement.paying_region.code)
                if entitlement.item_code == "ui_benefit":
                    result.recipients.append((person.id_number, entitlement.paying_region.code))
        elif claim.status == "re_review":
            result.at_re_review += 1
        elif claim.status == "initial_review":
            result.at_initial_review += 1
    first = min((add_months(month_of(as_of), -2)), month_of(as_of))
    for region in sorted(result.regions_paying):
        month = first
        while month <= month_of(as_of):
            payrun_execute(
                actor=ACTOR, region_code=region, month=month, on=min(as_of, month.replace(day=25))
            )
            result.runs += 1
            month = add_months(month, 1)
    say(
        f"  cases: {result.approved} approved and paid, {result.at_re_review} waiting for re-review, "
        f"{result.at_initial_review} waiting for initial review; {result.runs} payment runs"
    )
    return result
