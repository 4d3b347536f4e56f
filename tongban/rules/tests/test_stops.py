"""Stop events: effective date, last payable month, cancelled months and overpayments."""

from datetime import date

import pytest

from tongban.rules import Entitlement, ParameterSet, StopEvent, stop_consequences
from tongban.rules.tests.builders import QIONGHAI

RUNNING = Entitlement(date(2024, 1, 1), 12, 4, QIONGHAI, 155700, 20000)  # Jan–Apr paid


def test_reemployment_mid_month_stops_after_the_previous_month(params):
    outcome = stop_consequences(RUNNING, StopEvent("reemployment", date(2024, 3, 15)), params)
    assert outcome.effective_on == date(2024, 3, 15)
    assert outcome.last_payable_month == date(2024, 2, 1)
    assert outcome.months_payable == 2
    assert outcome.months_cancelled == 10
    assert outcome.months_preserved == 10  # unclaimed, may be added to a later determination
    assert outcome.overpaid_months == (date(2024, 3, 1), date(2024, 4, 1))
    assert outcome.overpayment_fen == 2 * 155700
    assert outcome.medical_premium_overpaid_fen == 2 * 20000
    step = outcome.explanation[0]
    assert step.parameters[0].name == "stops.last_payable_month"
    assert "Regulation art. 15" in step.source
    assert dict(outcome.parameter_versions) == {"stops.toml": params.file_version("stops.toml")}


@pytest.mark.parametrize(
    "kind", ["conscription", "emigration", "pension_start", "imprisonment", "refusal"]
)
def test_other_events_forfeit_the_remaining_months(params, kind):
    outcome = stop_consequences(RUNNING, StopEvent(kind, date(2024, 6, 1)), params)
    assert outcome.last_payable_month == date(2024, 5, 1)
    assert outcome.months_payable == 5
    assert outcome.months_cancelled == 7
    assert outcome.months_preserved == 0
    assert outcome.overpaid_months == ()
    assert outcome.overpayment_fen == 0


def test_event_before_the_first_month_cancels_everything(params):
    outcome = stop_consequences(RUNNING, StopEvent("reemployment", date(2023, 12, 20)), params)
    assert outcome.last_payable_month is None
    assert outcome.months_payable == 0
    assert len(outcome.overpaid_months) == 4


def test_event_after_the_end_changes_nothing(params):
    outcome = stop_consequences(RUNNING, StopEvent("reemployment", date(2025, 3, 1)), params)
    assert outcome.months_payable == 12
    assert outcome.months_cancelled == 0


def test_the_month_rule_is_a_parameter(params):
    texts = params.texts()
    texts["stops.toml"] = texts["stops.toml"].replace(
        'value = "month_before_event"', 'value = "event_month"'
    )
    event_month = ParameterSet.from_text(texts)
    outcome = stop_consequences(RUNNING, StopEvent("reemployment", date(2024, 3, 15)), event_month)
    assert outcome.last_payable_month == date(2024, 3, 1)
    assert outcome.overpaid_months == (date(2024, 4, 1),)
