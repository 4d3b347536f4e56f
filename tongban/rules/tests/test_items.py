"""The other eleven items: subsidies, funeral grant, allowances and the non-paying services."""

from dataclasses import replace
from datetime import date

import pytest

from tongban.rules import (
    ITEM_CODES,
    Certificate,
    Determination,
    Entitlement,
    OtherPayment,
    PersonFacts,
    Registration,
    SkillSubsidyPaid,
    Spell,
    TrainingRecord,
    UnknownItem,
    assess,
    assess_all,
)
from tongban.rules.facts import Level
from tongban.rules.tests.builders import HAIKOU, QIONGHAI, months_from, separated

AS_OF = date(2024, 2, 1)


def employee(months: int = 48, **extra) -> PersonFacts:
    """Someone in insured work since ``months`` ago in Qionghai."""
    start = date(2024, 2, 1).replace(year=2024 - months // 12)
    return PersonFacts(
        birth_date=date(1990, 5, 5),
        sex="F",
        insured_region_code=QIONGHAI,
        contributions=months_from(start, months, QIONGHAI),
        spells=(Spell(QIONGHAI, "employer", start),),
        **extra,
    )


def test_every_catalogue_item_is_assessed(params):
    results = assess_all(separated(months=36), params, AS_OF)
    assert tuple(results) == ITEM_CODES
    assert len(ITEM_CODES) == 12
    for code, result in results.items():
        assert result.item == code
        for reason in result.reasons:
            assert reason.zh
            assert reason.en


def test_unknown_item_is_refused(params):
    with pytest.raises(UnknownItem):
        assess("pension", separated(months=36), params, AS_OF)


# -- unemployment subsidy ------------------------------------------------------------------
def test_subsidy_after_ui_benefit_ran_out(params):
    spent = Determination(date(2022, 1, 10), months=12, months_paid=12, contribution_months_used=36)
    facts = replace(separated(months=36, end=date(2022, 1, 1)), determinations=(spent,))
    result = assess("unemployment_subsidy", facts, params, AS_OF)
    assert result.eligible
    assert result.months == 6
    assert result.monthly_amount_fen == 124560  # 80% of 1557.00
    assert result.start == AS_OF
    assert "ui_benefit_ran_out" in result.reason_codes


def test_subsidy_for_someone_not_qualifying_for_ui(params):
    result = assess("unemployment_subsidy", separated(months=8), params, AS_OF)
    assert result.eligible
    assert result.months == 6


def test_subsidy_is_exclusive_with_ui_benefit(params):
    result = assess("unemployment_subsidy", separated(months=36, registered_on=None), params, AS_OF)
    assert result.reason_codes == ("qualifies_for_ui_benefit",)


def test_subsidy_months_already_used(params):
    facts = replace(separated(months=8), unemployment_subsidy_months_received=6)
    assert (
        "subsidy_months_used" in assess("unemployment_subsidy", facts, params, AS_OF).reason_codes
    )
    partly = replace(separated(months=8), unemployment_subsidy_months_received=4)
    assert assess("unemployment_subsidy", partly, params, AS_OF).months == 2


def test_subsidy_outside_its_window(params):
    result = assess(
        "unemployment_subsidy",
        separated(months=8, end=date(2019, 1, 1), registered_on=None),
        params,
        date(2020, 2, 1),
    )
    assert "subsidy_outside_window" in result.reason_codes


# -- skill-upgrading subsidy ---------------------------------------------------------------
def test_skill_subsidy_caps_by_level(params):
    levels: tuple[tuple[Level, int], ...] = (
        ("junior", 100000),
        ("intermediate", 150000),
        ("senior", 200000),
    )
    for level, fen in levels:
        facts = employee(certificates=(Certificate("电工", level, date(2023, 9, 1), True),))
        result = assess("skill_subsidy", facts, params, AS_OF)
        assert result.eligible
        assert result.amount_fen == fen
        assert result.paying_region == QIONGHAI


def test_certificate_twelve_months_old_is_in_time_and_one_day_more_is_late(params):
    facts = employee(certificates=(Certificate("电工", "junior", date(2023, 2, 1), True),))
    assert assess("skill_subsidy", facts, params, date(2024, 2, 1)).eligible
    late = assess("skill_subsidy", facts, params, date(2024, 2, 2))
    assert not late.eligible
    assert late.reason_codes == ("certificate_window_passed",)
    assert "2024-02-01" in late.reasons[0].en


def test_skill_contribution_threshold_is_dated(params):
    # 24 months of contributions: short of the 36 months of the 2017 rule, enough under the 2019 rule
    start = date(2016, 6, 1)
    facts = PersonFacts(
        birth_date=date(1990, 5, 5),
        sex="F",
        insured_region_code=QIONGHAI,
        contributions=months_from(start, 24, QIONGHAI),
        spells=(Spell(QIONGHAI, "employer", start),),
        certificates=(Certificate("电工", "junior", date(2018, 9, 1), True),),
    )
    assert (
        "skill_contribution_short"
        in assess("skill_subsidy", facts, params, date(2018, 10, 1)).reason_codes
    )
    facts2 = replace(facts, certificates=(Certificate("电工", "junior", date(2019, 3, 1), True),))
    assert assess("skill_subsidy", facts2, params, date(2019, 4, 1)).eligible


def test_one_subsidy_per_occupation_and_level(params):
    cert = Certificate("电工", "intermediate", date(2023, 9, 1), True)
    facts = employee(
        certificates=(cert,),
        skill_subsidies_paid=(SkillSubsidyPaid("电工", "intermediate", date(2023, 10, 1)),),
    )
    assert assess("skill_subsidy", facts, params, AS_OF).reason_codes == (
        "already_paid_same_level",
    )


def test_no_lower_level_after_a_higher_one(params):
    cert = Certificate("电工", "junior", date(2023, 9, 1), True)
    facts = employee(
        certificates=(cert,),
        skill_subsidies_paid=(SkillSubsidyPaid("电工", "senior", date(2022, 10, 1)),),
    )
    assert assess("skill_subsidy", facts, params, AS_OF).reason_codes == (
        "lower_level_after_higher",
    )


def test_at_most_three_a_year(params):
    paid = tuple(SkillSubsidyPaid(f"工种{i}", "junior", date(2024, 1, 10 + i)) for i in range(2))
    certs = (
        Certificate("焊工", "junior", date(2023, 12, 1), True),
        Certificate("厨师", "junior", date(2024, 1, 5), True),
    )
    result = assess(
        "skill_subsidy", employee(certificates=certs, skill_subsidies_paid=paid), params, AS_OF
    )
    assert result.eligible
    assert result.amount_fen == 100000
    assert result.components == (("焊工:junior", 100000),)
    assert [(r.code, r.kind) for r in result.reasons] == [("yearly_limit_reached", "note")]


def test_certificate_must_be_verified(params):
    unchecked = employee(certificates=(Certificate("电工", "junior", date(2023, 9, 1), None),))
    result = assess("skill_subsidy", unchecked, params, AS_OF)
    assert result.pending
    not_found = employee(certificates=(Certificate("电工", "junior", date(2023, 9, 1), False),))
    assert assess("skill_subsidy", not_found, params, AS_OF).reason_codes == (
        "certificate_not_found",
    )


def test_skill_subsidy_needs_insured_work(params):
    facts = replace(
        separated(months=48), certificates=(Certificate("电工", "junior", date(2023, 9, 1), True),)
    )
    assert "not_insured_employee" in assess("skill_subsidy", facts, params, AS_OF).reason_codes


# -- funeral grant and survivor pension ----------------------------------------------------
def receiving(start: date = date(2023, 3, 1), months: int = 12, **extra) -> PersonFacts:
    return replace(
        separated(months=48, end=date(2023, 3, 1), registered_on=start),
        entitlement=Entitlement(start, months, 6, QIONGHAI, 155700, 20000),
        **extra,
    )


def test_death_on_the_last_day_of_receipt_counts(params):
    # 12 months from March 2023: the last day of receipt is 29 February 2024
    facts = receiving(date_of_death=date(2024, 2, 29))
    result = assess("funeral_survivor", facts, params, date(2024, 3, 10))
    assert result.eligible
    assert result.amount_fen == 2 * 6 * 155700
    assert dict(result.components) == {"funeral_grant": 934200, "survivor_pension": 934200}


def test_death_the_day_after_receipt_ended_does_not(params):
    facts = receiving(date_of_death=date(2024, 3, 1))
    result = assess("funeral_survivor", facts, params, date(2024, 3, 10))
    assert result.reason_codes == ("death_not_during_receipt",)


def test_only_one_funeral_grant(params):
    facts = receiving(date_of_death=date(2023, 10, 3), funeral_grant_elsewhere="work_injury")
    result = assess("funeral_survivor", facts, params, date(2023, 11, 1))
    assert result.eligible
    assert dict(result.components) == {"funeral_grant": 0, "survivor_pension": 934200}
    assert "funeral_grant_elsewhere" in result.reason_codes


def test_no_death_recorded(params):
    assert assess("funeral_survivor", receiving(), params, AS_OF).reason_codes == ("not_deceased",)


# -- rural contract worker allowance -------------------------------------------------------
def rural(years: int, **extra) -> PersonFacts:
    start = date(2024 - years, 1, 1)
    return PersonFacts(
        birth_date=date(1980, 1, 1),
        sex="M",
        insured_region_code=QIONGHAI,
        contributions=months_from(start, 12 * years, QIONGHAI),
        spells=(
            Spell(
                QIONGHAI,
                "农场",
                start,
                date(2024, 1, 1),
                "contract_expired",
                True,
                rural_contract_worker=True,
            ),
        ),
        **extra,
    )


@pytest.mark.parametrize(
    ("years", "amount"), [(1, 77850), (3, 233550), (24, 1868400), (30, 1868400)]
)
def test_rural_allowance_half_a_month_per_year_capped_at_12(params, years, amount):
    result = assess("rural_worker_allowance", rural(years), params, AS_OF)
    assert result.eligible
    assert result.amount_fen == amount


def test_rural_allowance_needs_a_full_year_and_is_paid_once(params):
    facts = rural(1)
    short = replace(facts, spells=(replace(facts.spells[0], start=date(2023, 1, 2)),))
    assert (
        "rural_under_one_year"
        in assess("rural_worker_allowance", short, params, AS_OF).reason_codes
    )
    paid = replace(
        facts,
        other_payments=(
            OtherPayment("rural_worker_allowance", "农场:2023-01-01", date(2024, 1, 20)),
        ),
    )
    assert (
        "rural_already_paid" in assess("rural_worker_allowance", paid, params, AS_OF).reason_codes
    )


# -- training subsidy ----------------------------------------------------------------------
def test_training_subsidy_pays_the_cost_up_to_the_cap(params):
    courses = (
        TrainingRecord("电工上岗", date(2024, 1, 20), True, 120000),
        TrainingRecord("叉车", date(2024, 1, 25), True, 300000),
    )
    result = assess(
        "training_subsidy", replace(separated(months=24), training=courses), params, AS_OF
    )
    assert result.eligible
    assert result.amount_fen == 120000 + 150000


def test_training_not_passed_or_paid(params):
    failed = (TrainingRecord("电工上岗", date(2024, 1, 20), False, 120000),)
    assert assess(
        "training_subsidy", replace(separated(months=24), training=failed), params, AS_OF
    ).reason_codes == ("training_not_passed",)
    paid = (TrainingRecord("电工上岗", date(2024, 1, 20), True, 120000, subsidy_paid=True),)
    assert assess(
        "training_subsidy", replace(separated(months=24), training=paid), params, AS_OF
    ).reason_codes == ("training_already_paid",)


# -- non-paying items ----------------------------------------------------------------------
def test_unemployment_registration_needs_working_age_and_no_job(params):
    assert assess(
        "unemployment_registration", separated(months=24, registered_on=None), params, AS_OF
    ).eligible
    assert "employed" in assess("unemployment_registration", employee(), params, AS_OF).reason_codes
    old = separated(months=24, registered_on=None, birth_date=date(1963, 1, 1))
    assert (
        "over_retirement_age"
        in assess("unemployment_registration", old, params, AS_OF).reason_codes
    )
    young = separated(months=0, registered_on=None, birth_date=date(2009, 3, 1))
    assert (
        "under_working_age"
        in assess("unemployment_registration", young, params, AS_OF).reason_codes
    )


def test_retirement_age_rises_gradually_from_2025(params):
    # a man born in May 1965 retires at 60 years and 2 months: July 2025
    man = separated(months=24, registered_on=None, birth_date=date(1965, 5, 15))
    assert assess("unemployment_registration", man, params, date(2025, 7, 14)).eligible
    later = assess("unemployment_registration", man, params, date(2025, 7, 15))
    assert "over_retirement_age" in later.reason_codes


def test_already_registered(params):
    assert assess(
        "unemployment_registration", separated(months=24), params, AS_OF
    ).reason_codes == ("already_registered_unemployed",)


def test_employment_registration(params):
    assert assess("employment_registration", employee(), params, AS_OF).eligible
    registered = employee(registrations=(Registration("employment", QIONGHAI, date(2020, 1, 1)),))
    assert (
        "already_registered_employed"
        in assess("employment_registration", registered, params, AS_OF).reason_codes
    )


def test_ui_transfer_is_never_applied_for(params):
    result = assess("ui_transfer", separated(months=24), params, AS_OF)
    assert not result.eligible
    assert result.reason_codes == ("transfer_automatic",)
    moved = replace(receiving(), insured_region_code=HAIKOU)
    result = assess("ui_transfer", moved, params, date(2023, 6, 1))
    assert dict(result.details) == {
        "transfer_needed": True,
        "from_region": QIONGHAI,
        "to_region": HAIKOU,
    }
    assert "海口" in result.reasons[1].zh


def test_reemployment_report_applies_to_a_recipient(params):
    assert assess("reemployment_report", receiving(), params, date(2023, 6, 1)).eligible
    assert assess("reemployment_report", separated(months=24), params, AS_OF).reason_codes == (
        "not_receiving_benefit",
    )


def test_certificates(params):
    assert assess("employment_certificate", employee(), params, AS_OF).eligible
    assert assess("ui_certificate", employee(), params, AS_OF).eligible
    nobody = PersonFacts(birth_date=date(1990, 1, 1), sex="M")
    assert assess("ui_certificate", nobody, params, AS_OF).reason_codes == ("no_insurance_history",)
