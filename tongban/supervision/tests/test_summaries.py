"""The live summaries equal a recomputation from the base tables after every kind of move:
submission, system and human reviews, routing (and re-routing when the insured region
changed), returns from either stage, resubmission, withdrawal, a failed bundle, a rebuild."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from tongban.cases.models import Application, ApplicationTally, StageTally
from tongban.registry.tests.factories import EmployerFactory, SpellFactory, contribute, reason
from tongban.registry.tests.factories import region as region_of
from tongban.supervision.tests.scenario import (
    assert_tallies_match_recomputation,
    bundle,
    caseworker,
    claimant,
    decide,
    online,
    submit,
    window,
    withdraw,
)

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)


@pytest.fixture
def staff(db):
    return {
        "hk": caseworker("hk", "haikou-longhua", ["acceptor"]),
        "hk_agency": caseworker("hk_agency", "haikou-agency", ["acceptor", "reviewer"]),
        "sy": caseworker("sy", "sanya-agency", ["acceptor", "reviewer"]),
        "dz": caseworker("dz", "danzhou-agency", ["acceptor", "reviewer"]),
    }


def test_every_move_keeps_the_summaries_equal_to_the_base_tables(staff):
    # A window bundle: the claim returned by the re-review to the initial review, re-routed.
    p1 = claimant(insured="460200", elsewhere="460100")
    one = bundle(window(staff["hk"]), p1, DAY)
    decide(staff["hk"], one["unemployment_registration"], DAY)
    decide(staff["hk"], one["ui_benefit"], DAY)
    decide(staff["sy"], one["ui_benefit"], date(2026, 11, 23), "return", ["补充银行信息"])
    decide(staff["hk"], one["ui_benefit"], date(2026, 11, 24))
    decide(staff["sy"], one["ui_benefit"], date(2026, 11, 25))
    # An online bundle whose claim the initial reviewer rejects: the bundle fails together.
    p2 = claimant(insured="460100")
    two = bundle(window(staff["hk"]), p2, DAY)
    decide(staff["hk"], two["ui_benefit"], DAY, "reject", ["  与 单位 登记不符 "])
    assert Application.objects.get(pk=two["unemployment_registration"].pk).status == "rejected"
    # Returned to the applicant, who withdraws.
    p3 = claimant(insured="460100")
    three = submit(window(staff["hk"]), p3, "ui_certificate", DAY)
    decide(staff["hk"], three, DAY, "return", ["请补正"])
    withdraw(three, date(2026, 11, 24))
    # Online and decided by the system at once.
    p4 = claimant(insured="460100")
    submit(online(p4, "online_hall", None), p4, "employment_certificate", DAY)
    assert_tallies_match_recomputation()


def test_a_claim_whose_insured_region_changed_is_counted_where_it_is_routed(staff):
    """Insured in Sanya when accepted; a short job in Danzhou is recorded before the initial
    review, so the claim is routed to Danzhou, and its count moves with it."""
    person = claimant(insured="460200", elsewhere="460100")
    applications = bundle(window(staff["hk"]), person, DAY)
    decide(staff["hk"], applications["unemployment_registration"], DAY)
    claim = applications["ui_benefit"]
    assert claim.insured_region.code == "460200"
    sanya, danzhou = region_of("460200").pk, region_of("460400").pk
    counted = ApplicationTally.objects.get(insured_region_id=sanya, item_code="ui_benefit")
    assert counted.initial_review == 1
    job = SpellFactory(person=person, employer=EmployerFactory(region=region_of("460400")),
                       start_date=date(2026, 9, 7), end_date=date(2026, 10, 30),
                       reason=reason("dismissed"))  # fmt: skip
    contribute(job, 2)
    routed = decide(staff["hk"], claim, DAY)
    assert (routed.status, routed.insured_region.code) == ("re_review", "460400")
    rows = {r.insured_region_id: r for r in ApplicationTally.objects.filter(item_code="ui_benefit")}
    assert rows[sanya].initial_review == 0 and rows[sanya].re_review == 0
    assert rows[danzhou].re_review == 1
    assert_tallies_match_recomputation()


def test_the_rebuild_command_recomputes_drifted_summaries(staff):
    person = claimant(insured="460100")
    submit(window(staff["hk"]), person, "ui_certificate", DAY)
    ApplicationTally.objects.update(initial_review=7)  # drift, as after a bad restore
    StageTally.objects.create(day=DAY, office_id=1, office_region_id=1, item_code="x",
                              stage="initial_review", finished=3)  # fmt: skip
    call_command("supervision", "rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ApplicationTally.objects.get().initial_review == 1
    assert not StageTally.objects.exists()
    assert_tallies_match_recomputation()
