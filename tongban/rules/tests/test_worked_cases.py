"""Run the worked cases of worked_cases.toml: facts → expected decision, one test per case."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tongban.rules import assess, stop_consequences
from tongban.rules.record import facts_from_record, facts_to_record
from tongban.rules.tests.builders import entitlement_from_dict, event_from_dict, facts_from_dict

CASES_FILE = Path(__file__).with_name("worked_cases.toml")
CASES: list[dict[str, Any]] = tomllib.loads(CASES_FILE.read_text(encoding="utf-8"))["case"]
ASSESSMENT_FIELDS = {
    "eligible", "pending", "months", "monthly_amount_fen", "amount_fen", "start",
    "paying_region", "medical_premium_fen", "reasons", "components",
}  # fmt: skip
STOP_FIELDS = {
    "last_payable_month", "months_payable", "months_cancelled", "months_preserved",
    "overpaid_months", "overpayment_fen",
}  # fmt: skip


def test_the_file_has_unique_ids_and_covers_every_paying_item_and_stops():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    items = {case["item"] for case in CASES}
    paying = {"ui_benefit", "unemployment_subsidy", "skill_subsidy", "funeral_survivor",
              "training_subsidy", "rural_worker_allowance"}  # fmt: skip
    assert paying | {"stop"} <= items
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_worked_case(case, params):
    expect = case["expect"]
    if case["item"] == "stop":
        unknown = set(expect) - STOP_FIELDS
        assert not unknown, f"{case['id']}: unknown expectations {unknown}"
        outcome = stop_consequences(
            entitlement_from_dict(case["entitlement"]), event_from_dict(case["event"]), params
        )
        actual: dict[str, Any] = {
            "last_payable_month": outcome.last_payable_month,
            "months_payable": outcome.months_payable,
            "months_cancelled": outcome.months_cancelled,
            "months_preserved": outcome.months_preserved,
            "overpaid_months": list(outcome.overpaid_months),
            "overpayment_fen": outcome.overpayment_fen,
        }
    else:
        unknown = set(expect) - ASSESSMENT_FIELDS
        assert not unknown, f"{case['id']}: unknown expectations {unknown}"
        result = assess(case["item"], facts_from_dict(case["person"]), params, case["as_of"])
        actual = {
            "eligible": result.eligible,
            "pending": result.pending,
            "months": result.months or 0,
            "monthly_amount_fen": result.monthly_amount_fen or 0,
            "amount_fen": result.amount_fen or 0,
            "start": result.start,
            "paying_region": result.paying_region,
            "medical_premium_fen": result.medical_premium_fen or 0,
            "reasons": list(result.reason_codes),
            "components": dict(result.components),
        }
    mismatches = {
        key: (value, actual[key]) for key, value in expect.items() if actual[key] != value
    }
    assert not mismatches, f"{case['id']} ({case['title']}): expected vs actual {mismatches}"


ASSESSED = [c for c in CASES if c["item"] != "stop"]


@pytest.mark.parametrize("case", ASSESSED, ids=[c["id"] for c in ASSESSED])
def test_every_worked_case_survives_its_record(case, params):
    """The recorded inputs of a determination (JSON) rebuild the same facts and decision."""
    facts = facts_from_dict(case["person"])
    record = json.loads(json.dumps(facts_to_record(facts)))
    assert facts_from_record(record) == facts
    again = assess(case["item"], facts_from_record(record), params, case["as_of"])
    assert again.to_dict() == assess(case["item"], facts, params, case["as_of"]).to_dict()


def test_a_record_of_every_kind_of_fact_round_trips():
    full = facts_from_dict(
        {
            "birth_date": date(1980, 2, 29), "sex": "F", "insured_region": "460200",
            "contributions": [{"from": date(2020, 1, 1), "months": 30, "region": "460100"},
                              {"from": date(2021, 6, 1), "months": 3, "region": "460200"}],
            "spells": [{"region": "460200", "employer": "91460000MA5T000001",
                        "start": date(2021, 6, 1), "end": "2024-01-01", "reason": "dismissed",
                        "involuntary": True, "contest": {"claimed": "dismissed"},
                        "rural_contract_worker": True}],
            "determinations": [{"on": date(2022, 1, 5), "months": 6, "paid": 2}],
            "registrations": [{"kind": "unemployment", "region": "460200",
                               "start": date(2024, 1, 3)}],
            "certificates": [{"occupation": "电工", "level": "senior",
                              "issued_on": date(2024, 2, 1), "verified": None}],
            "skill_subsidies_paid": [{"occupation": "电工", "level": "junior",
                                      "paid_on": date(2022, 3, 1)}],
            "training": [{"course": "育婴员", "completed_on": date(2024, 2, 2), "passed": True,
                          "cost_fen": 120000, "paid": True}],
            "other_payments": [{"item": "funeral_survivor", "key": "death",
                                "paid_on": date(2024, 3, 1)}],
            "subsidy_months_received": 4, "funeral_grant_elsewhere": "pension",
            "date_of_death": date(2024, 2, 20), "pension_start": date(2024, 5, 1),
            "entitlement": {"start_month": date(2024, 2, 1), "months": 12, "paid": 1,
                            "paying_region": "460200", "monthly_amount_fen": 164700,
                            "medical_premium_fen": 22000, "stopped_on": date(2024, 3, 1)},
            "subsidy_entitlement": {"start_month": date(2023, 1, 1), "months": 6,
                                    "paying_region": "460100"},
            "retirement_category": "female_worker",
        }
    )  # fmt: skip
    record = json.loads(json.dumps(facts_to_record(full)))
    assert facts_from_record(record) == full  # unsorted months: kept month by month
    full = replace(full, contributions=tuple(sorted(full.contributions)))  # as the cases give it
    record = json.loads(json.dumps(facts_to_record(full)))
    assert record["contribution_runs"] == [
        ["2020-01-01", "2022-06-01", "460100"], ["2021-06-01", "2021-08-01", "460200"],
    ]  # fmt: skip
    assert facts_from_record(record) == full
    with pytest.raises(ValueError, match="version"):
        facts_from_record({**record, "version": 99})
