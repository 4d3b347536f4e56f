"""Run the worked cases of worked_cases.toml: facts → expected decision, one test per case."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tongban.rules import assess, stop_consequences
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
