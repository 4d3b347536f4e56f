"""Properties of the UI-benefit rules that must hold for every person (Hypothesis)."""

import json
from dataclasses import replace
from datetime import date

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tongban.rules import (
    Determination,
    ParameterError,
    ParameterSet,
    UiBenefitArrays,
    UiBenefitBatch,
    assess,
    default_parameters,
    reassess_ui_benefit_arrays,
    reassess_ui_benefit_batch,
    ui_benefit_inputs,
    with_unemployment_registration,
)
from tongban.rules.record import facts_from_record, facts_to_record
from tongban.rules.tests.builders import separated
from tongban.rules.tests.strategies import REGIONS, as_of_dates, claimants, regions

PARAMS = default_parameters()


@given(claimants())
def test_months_never_exceed_24(case):
    facts, as_of = case
    result = assess("ui_benefit", facts, PARAMS, as_of)
    assert result.months is None or 1 <= result.months <= 24
    assert result.eligible == (
        not result.pending and not any(r.kind == "refusal" for r in result.reasons)
    )


@given(st.integers(0, 300), st.integers(0, 60), st.integers(0, 24), st.booleans())
def test_months_never_decrease_as_contribution_time_grows(months, more, unclaimed, earlier):
    # an earlier determination (long before the new contributions) may leave months unclaimed
    previous = Determination(date(1990, 1, 10), 24, 24 - unclaimed, 120)

    def duration(total: int) -> int:
        facts = separated(months=total)
        if earlier:
            facts = replace(facts, determinations=(previous,))
        return assess("ui_benefit", facts, PARAMS, date(2024, 2, 1)).months or 0

    assert duration(months + more) >= duration(months)


@given(regions, as_of_dates)
def test_amount_between_minimum_living_standard_and_minimum_wage(region, as_of):
    facts = separated(
        months=40, region=region, end=date(2021, 12, 1), registered_on=date(2021, 12, 1)
    )
    result = assess("ui_benefit", facts, PARAMS, as_of)
    assert result.eligible
    amount = result.monthly_amount_fen
    floor = PARAMS.integer("wages.minimum_living_standard", on=as_of, region=region)
    wage = PARAMS.integer("wages.minimum_wage", on=as_of, region=region)
    assert amount is not None
    assert floor <= amount < wage


@settings(max_examples=60)
@given(
    st.integers(500, 5000),
    st.integers(0, 3000),
    st.decimals(min_value="0.10", max_value="1.20", places=2),
    regions,
)
def test_invariant_holds_for_any_parameter_set_that_loads(wage_yuan, floor_yuan, rate, region):
    texts = PARAMS.texts()
    texts["wages.toml"] = texts["wages.toml"].replace("value = 1730", f"value = {wage_yuan}", 1)
    texts["wages.toml"] = texts["wages.toml"].replace("value = 660", f"value = {floor_yuan}", 1)
    texts["ui_benefit.toml"] = texts["ui_benefit.toml"].replace(
        "value = 0.90", f"value = {rate}", 1
    )
    try:
        params = ParameterSet.from_text(texts)
    except ParameterError:
        assume(False)
        return
    facts = separated(months=40, region=region)
    result = assess("ui_benefit", facts, params, date(2024, 2, 1))
    floor = params.integer("wages.minimum_living_standard", on=date(2024, 2, 1), region=region)
    wage = params.integer("wages.minimum_wage", on=date(2024, 2, 1), region=region)
    assert result.monthly_amount_fen is not None
    assert floor <= result.monthly_amount_fen < wage


@settings(max_examples=50)
@given(claimants())
def test_a_determination_recomputed_from_its_record_is_the_same(case):
    facts, as_of = case
    decided = assess("ui_benefit", facts, PARAMS, as_of)
    # the case app records the facts, as_of and the exact parameter texts, as JSON …
    record = json.loads(json.dumps({
        "inputs": facts_to_record(facts), "as_of": as_of.isoformat(),
        "texts": PARAMS.texts(), "versions": dict(decided.parameter_versions),
    }))  # fmt: skip
    # … and years later rebuilds the facts and the parameters from that record
    inputs = facts_from_record(record["inputs"])
    assert inputs == facts
    rebuilt = ParameterSet.from_text(record["texts"])
    again = assess("ui_benefit", inputs, rebuilt, date.fromisoformat(record["as_of"]))
    assert again.figures() == decided.figures()
    assert again.to_dict() == decided.to_dict()
    assert dict(again.parameter_versions) == record["versions"]
    assert again.parameter_set_version == decided.parameter_set_version


@given(st.lists(claimants(), min_size=1, max_size=25))
def test_batch_gives_the_same_figures_as_single_assessments(cases):
    as_of = date(2025, 6, 1)
    people = [
        with_unemployment_registration(f, on=as_of) if i % 2 else f
        for i, (f, _) in enumerate(cases)
    ]
    inputs = [ui_benefit_inputs(f, PARAMS, as_of) for f in people]
    batch = reassess_ui_benefit_batch(UiBenefitBatch.from_inputs(inputs), PARAMS, as_of)
    for index, facts in enumerate(people):
        single = assess("ui_benefit", facts, PARAMS, as_of)
        assert batch.row(index) == (
            single.eligible,
            single.months,
            single.monthly_amount_fen,
            single.medical_premium_fen,
        )


def test_batch_without_status_column_and_with_repeated_inputs():
    as_of = date(2024, 2, 1)
    batch = UiBenefitBatch(
        paying_region=list(REGIONS) * 3,
        contribution_months=[11, 12, 60] * 19,
        unclaimed_months=[0, 0, 20] * 19,
    )
    result = reassess_ui_benefit_batch(batch, PARAMS, as_of)
    assert result.months[:3] == [None, 12, 24]
    assert result.monthly_amount_fen[1] == 164700  # Haikou
    assert result.evaluations == 3 + 19
    assert result.eligible[:3] == [False, True, True]


@given(
    st.lists(st.tuples(regions, st.integers(0, 400), st.integers(0, 30)), min_size=1, max_size=60),
    as_of_dates,
)
def test_the_numpy_columns_give_the_python_batchs_figures(rows, as_of):
    """Current recipients (every other condition met): the array form and the list form agree,
    row by row (0 in the arrays where the lists say None)."""
    codes = tuple(sorted({r for r, _, _ in rows}))
    listed = reassess_ui_benefit_batch(
        UiBenefitBatch(
            paying_region=[r for r, _, _ in rows],
            contribution_months=[c for _, c, _ in rows],
            unclaimed_months=[u for _, _, u in rows],
        ),
        PARAMS,
        as_of,
    )
    arrays = reassess_ui_benefit_arrays(
        UiBenefitArrays(
            region_codes=codes,
            region_index=np.array([codes.index(r) for r, _, _ in rows], dtype=np.int64),
            contribution_months=np.array([c for _, c, _ in rows], dtype=np.int64),
            unclaimed_months=np.array([u for _, _, u in rows], dtype=np.int64),
        ),
        PARAMS,
        as_of,
    )
    for index in range(len(rows)):
        assert (
            bool(arrays.eligible[index]),
            int(arrays.months[index]) or None,
            int(arrays.monthly_amount_fen[index]) or None,
            int(arrays.medical_premium_fen[index]) or None,
        ) == listed.row(index)
