"""UI benefit (失业保险金): conditions, duration bands and their boundaries, carry-over, amount."""

from dataclasses import replace
from datetime import date

import pytest

from tongban.core.months import add_months
from tongban.rules import (
    Contest,
    Determination,
    Entitlement,
    Registration,
    Spell,
    assess,
    with_unemployment_registration,
)
from tongban.rules.tests.builders import HAIKOU, QIONGHAI, months_from, separated

AS_OF = date(2024, 2, 1)


@pytest.mark.parametrize(
    ("months", "eligible", "duration"),
    [
        (11, False, None),
        (12, True, 12),
        (59, True, 12),
        (60, True, 18),
        (119, True, 18),
        (120, True, 24),
    ],
)
def test_duration_band_boundaries(params, months, eligible, duration):
    # given a person with exactly `months` of contributions, separated involuntarily
    facts = separated(months=months)
    # when
    result = assess("ui_benefit", facts, params, AS_OF)
    # then
    assert result.eligible is eligible
    assert result.months == duration
    if not eligible:
        assert result.reason_codes == ("contribution_under_one_year",)
        assert "还差1个月" in result.reasons[0].zh


def test_amount_is_90_percent_of_the_paying_regions_minimum_wage(params):
    class_two = assess("ui_benefit", separated(months=24, region=QIONGHAI), params, AS_OF)
    class_one = assess("ui_benefit", separated(months=24, region=HAIKOU), params, AS_OF)
    assert class_two.monthly_amount_fen == 155700  # 1730 × 0.9
    assert class_one.monthly_amount_fen == 164700  # 1830 × 0.9
    assert class_one.medical_premium_fen == 22000
    assert class_two.medical_premium_fen == 20000
    assert class_one.paying_region == HAIKOU


def test_start_is_the_month_of_unemployment_registration(params):
    result = assess(
        "ui_benefit", separated(months=24, registered_on=date(2024, 1, 25)), params, AS_OF
    )
    assert result.start == date(2024, 1, 1)


def test_months_in_two_regions_in_the_same_month_count_once(params):
    facts = separated(months=12)
    doubled = replace(
        facts, contributions=facts.contributions + months_from(date(2023, 1, 1), 12, HAIKOU)
    )
    assert assess("ui_benefit", doubled, params, AS_OF).months == 12


def test_voluntary_separation_is_refused_with_a_way_to_contest(params):
    facts = separated(months=36, involuntary=False, reason="voluntary_resignation")
    result = assess("ui_benefit", facts, params, AS_OF)
    assert not result.eligible
    assert not result.pending
    assert result.reason_codes == ("voluntary_separation",)
    assert "本人自愿离职" in result.reasons[0].zh
    assert "contest" in result.reasons[0].en
    assert result.months is None


def test_contest_pending_is_not_yet_decidable(params):
    contest = Contest("employer_proposed_agreed", "pending")
    facts = separated(
        months=36, involuntary=False, reason="worker_proposed_agreed", contest=contest
    )
    result = assess("ui_benefit", facts, params, AS_OF)
    assert not result.eligible
    assert result.pending
    assert result.reason_codes == ("contest_pending",)
    assert result.months == 12  # what would be paid if the contest is upheld


def test_contested_voluntary_reason_found_involuntary_is_paid(params):
    contest = Contest("employer_proposed_agreed", "upheld", date(2024, 1, 20))
    facts = separated(
        months=36, involuntary=False, reason="worker_proposed_agreed", contest=contest
    )
    result = assess("ui_benefit", facts, params, AS_OF)
    assert result.eligible
    assert result.months == 12
    assert result.reason_codes == ("contest_upheld",)
    step = next(s for s in result.explanation if s.rule == "ui_benefit.involuntary")
    assert dict(step.figures)["status"] == "involuntary"


def test_contest_rejected_keeps_the_refusal(params):
    contest = Contest("employer_proposed_agreed", "rejected")
    facts = separated(months=36, involuntary=False, contest=contest)
    assert assess("ui_benefit", facts, params, AS_OF).reason_codes == ("contest_rejected",)


def test_missing_separation_reason_is_pending(params):
    facts = separated(months=36, involuntary=None, reason=None)
    result = assess("ui_benefit", facts, params, AS_OF)
    assert result.pending
    assert result.reason_codes == ("separation_reason_missing",)


def test_not_registered_then_hypothetical_registration_today(params):
    facts = separated(months=36, registered_on=None)
    refused = assess("ui_benefit", facts, params, AS_OF)
    assert refused.reason_codes == ("not_registered_unemployed",)
    bundled = assess("ui_benefit", with_unemployment_registration(facts, on=AS_OF), params, AS_OF)
    assert bundled.eligible
    assert bundled.start == AS_OF


def test_with_unemployment_registration_keeps_an_open_one():
    facts = separated(months=36)
    assert with_unemployment_registration(facts, on=AS_OF) is facts


def test_employed_person_is_refused(params):
    facts = separated(months=36)
    working = replace(
        facts, spells=(*facts.spells, Spell(QIONGHAI, "new employer", date(2024, 1, 20)))
    )
    assert "employed" in assess("ui_benefit", working, params, AS_OF).reason_codes


def test_carry_over_is_added_and_capped_at_24(params):
    # 10 years since the last determination (24 months) plus 6 months left unclaimed → capped at 24
    determination = Determination(
        date(2013, 6, 15), months=12, months_paid=6, contribution_months_used=60
    )
    facts = replace(separated(months=120), determinations=(determination,))
    result = assess("ui_benefit", facts, params, AS_OF)
    assert result.months == 24
    assert "carry_over_capped" in result.reason_codes
    assert dict(result.details) == {
        "months_new": 24,
        "months_carried": 6,
        "contribution_months": 120,
    }


def test_carry_over_below_the_cap_is_added(params):
    determination = Determination(
        date(2018, 6, 15), months=12, months_paid=4, contribution_months_used=30
    )
    facts = replace(separated(months=59), determinations=(determination,))
    result = assess("ui_benefit", facts, params, AS_OF)
    assert result.months == 12 + 8
    assert "carry_over_added" in result.reason_codes


def test_contribution_time_used_by_a_determination_is_cleared(params):
    # 30 months before a determination in June 2021, then 30 more months: only the 30 new count
    old = months_from(date(2019, 1, 1), 30, QIONGHAI)
    new = months_from(date(2021, 7, 1), 30, QIONGHAI)
    determination = Determination(
        date(2021, 6, 10), months=12, months_paid=12, contribution_months_used=30
    )
    facts = replace(
        separated(months=30),
        contributions=old + new,
        determinations=(determination,),
    )
    result = assess("ui_benefit", facts, params, AS_OF)
    assert dict(result.details)["contribution_months"] == 30
    assert result.months == 12


def test_re_unemployed_within_a_year_may_claim_the_unclaimed_months(params):
    determination = Determination(
        date(2023, 1, 10), months=12, months_paid=3, contribution_months_used=40
    )
    facts = replace(separated(months=8), determinations=(determination,))
    result = assess("ui_benefit", facts, params, AS_OF)
    assert result.eligible
    assert result.months == 9
    assert "unclaimed_months_reclaimed" in result.reason_codes
    step = next(s for s in result.explanation if s.rule == "ui_benefit.duration")
    assert "MOLSS Order 8" in step.source


def test_short_new_time_and_nothing_unclaimed_is_refused(params):
    determination = Determination(
        date(2023, 1, 10), months=12, months_paid=12, contribution_months_used=40
    )
    facts = replace(separated(months=8), determinations=(determination,))
    result = assess("ui_benefit", facts, params, AS_OF)
    assert result.reason_codes == ("contribution_under_one_year",)
    assert "自上次核定（2023年1月10日）以来" in result.reasons[0].zh


def test_already_receiving_and_receiving_subsidy_are_refused(params):
    facts = separated(months=36)
    receiving = replace(facts, entitlement=Entitlement(date(2024, 1, 1), 12, 1, QIONGHAI))
    assert "already_receiving" in assess("ui_benefit", receiving, params, AS_OF).reason_codes
    on_subsidy = replace(facts, subsidy_entitlement=Entitlement(date(2024, 1, 1), 6, 1, QIONGHAI))
    assert "receiving_subsidy" in assess("ui_benefit", on_subsidy, params, AS_OF).reason_codes


def test_unknown_insured_region_is_refused(params):
    facts = replace(separated(months=36), insured_region_code=None)
    result = assess("ui_benefit", facts, params, AS_OF)
    assert "no_insured_region" in result.reason_codes
    assert result.monthly_amount_fen is None


def test_explanation_names_parameters_with_version_and_source(params):
    result = assess("ui_benefit", separated(months=36), params, AS_OF)
    amount = next(s for s in result.explanation if s.rule == "ui_benefit.amount")
    wage = next(p for p in amount.parameters if p.name == "wages.minimum_wage")
    assert wage.value == 173000
    assert wage.status == "demo"
    assert "POLICY.md §3" in wage.source
    assert wage.version == params.file_version("wages.toml")
    assert "Regulation art. 18" in amount.source
    assert dict(result.parameter_versions)["ui_benefit.toml"] == params.file_version(
        "ui_benefit.toml"
    )
    assert result.parameter_set_version == params.version
    bounds = next(s for s in result.explanation if s.rule == "ui_benefit.bounds")
    assert dict(bounds.figures)["holds"] is True
    premium = next(s for s in result.explanation if s.rule == "ui_benefit.medical_premium")
    assert dict(premium.figures)["total_fen"] == 12 * 20000


def test_to_dict_is_plain_data(params):
    import json

    data = assess("ui_benefit", separated(months=36), params, AS_OF).to_dict()
    assert json.loads(json.dumps(data))["monthly_amount_fen"] == 155700


def test_registration_is_only_counted_while_open(params):
    facts = separated(months=36)
    closed = replace(
        facts,
        registrations=(
            Registration("unemployment", QIONGHAI, date(2024, 1, 10), date(2024, 1, 20)),
        ),
    )
    assert "not_registered_unemployed" in assess("ui_benefit", closed, params, AS_OF).reason_codes


def test_months_count_only_up_to_as_of(params):
    facts = separated(months=11)
    later = replace(facts, contributions=(*facts.contributions, (add_months(AS_OF, 1), QIONGHAI)))
    assert not assess("ui_benefit", later, params, AS_OF).eligible
