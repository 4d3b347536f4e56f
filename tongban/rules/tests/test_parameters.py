"""Parameter files: validation errors, versions, and rebuilding from recorded text."""

from datetime import date

import pytest

from tongban.rules import ParameterError, ParameterSet, assess, load_parameters
from tongban.rules.params import DEFAULT_DIRECTORY
from tongban.rules.tests.builders import separated


def edited(params, file_name, old, new):
    texts = params.texts()
    assert old in texts[file_name], old
    texts[file_name] = texts[file_name].replace(old, new, 1)
    return texts


def test_the_shipped_files_load(params):
    assert len(params.regions) == 19
    assert params.get("wages.minimum_wage", on=date(2024, 1, 1), region="460200").value == 183000
    assert params.get("wages.minimum_wage", on=date(2024, 1, 1), region="469030").value == 173000
    assert len(params.version) == 12


def test_rebuilt_from_recorded_text_is_the_same_set(params):
    again = ParameterSet.from_text(params.texts())
    assert again.version == params.version
    assert again.file_versions == params.file_versions
    facts = separated(months=70)
    assert assess("ui_benefit", facts, again, date(2024, 2, 1)) == assess(
        "ui_benefit", facts, params, date(2024, 2, 1)
    )


def test_comments_do_not_change_the_version_but_values_do(params):
    commented = ParameterSet.from_text(
        edited(params, "wages.toml", "title =", "# a new comment\ntitle =")
    )
    assert commented.version == params.version
    changed = ParameterSet.from_text(edited(params, "wages.toml", "value = 1730", "value = 1800"))
    assert changed.version != params.version
    assert changed.file_version("wages.toml") != params.file_version("wages.toml")
    assert changed.file_version("ui_benefit.toml") == params.file_version("ui_benefit.toml")


def test_a_new_minimum_wage_period_without_a_code_release(params):
    texts = edited(
        params,
        "wages.toml",
        "effective_from = 2021-12-01\nvalue = 1730",
        "effective_from = 2021-12-01\neffective_to = 2025-01-01\nvalue = 1730",
    )
    texts["wages.toml"] += (
        "\n[[minimum_wage.values]]\neffective_from = 2025-01-01\nvalue = 1830\n"
        'regions = { "460100" = 1930, "460200" = 1930 }\nstatus = "demo"\nsource = "test"\n'
    )
    raised = ParameterSet.from_text(texts)
    facts = separated(months=70)
    assert assess("ui_benefit", facts, raised, date(2024, 12, 31)).monthly_amount_fen == 155700
    assert assess("ui_benefit", facts, raised, date(2025, 1, 1)).monthly_amount_fen == 164700


OVERLAP = '\n[[minimum_wage.values]]\neffective_from = 2023-01-01\nvalue = 1800\nstatus = "demo"\nsource = "x"\n'


@pytest.mark.parametrize(
    ("file_name", "old", "new", "message"),
    [
        (
            "wages.toml",
            'regions = { "460100" = 1830',
            'regions = { "460999" = 1830',
            "region 460999 is not in regions.toml",
        ),
        (
            "wages.toml",
            'regions = { "460100" = 1830',
            'regions = { "HK" = 1830',
            "'HK' is not six digits",
        ),
        (
            "wages.toml",
            'status = "demo"\nsource = "POLICY.md §3',
            'status = "demo"\nsourc = "POLICY.md §3',
            "unknown keys",
        ),
        (
            "wages.toml",
            'source = "POLICY.md §3 [demo]: minimum wage',
            'source = "  "\nnote = "',
            "a source is required",
        ),
        ("wages.toml", "value = 660", "value = -660", "must not be negative"),
        ("wages.toml", "value = 660", "value = 660.001", "not an amount in whole fen"),
        (
            "wages.toml",
            'status = "demo"',
            'status = "guess"',
            "status must be law, national or demo",
        ),
        ("ui_benefit.toml", "value = 0.90", "value = -0.9", "must not be negative"),
        ("ui_benefit.toml", "value = 0.90", "value = 1.00", "would not be below the minimum wage"),
        ("ui_benefit.toml", "value = 24", "value = -24", "must not be negative"),
        (
            "ui_benefit.toml",
            "{ from_months = 60, months = 18 }",
            "{ from_months = 6, months = 18 }",
            "increasing",
        ),
        ("ui_benefit.toml", 'kind = "rate"', 'kind = "percent"', "kind must be one of"),
        ("ui_benefit.toml", "[rate]", "[rates]", "not a parameter the engine knows"),
        (
            "skill_subsidy.toml",
            "effective_to = 2019-01-01",
            "effective_to = 2016-01-01",
            "is not after effective_from",
        ),
        (
            "skill_subsidy.toml",
            "effective_to = 2019-01-01",
            "effective_to = 2019-06-01",
            "periods overlap",
        ),
        ("stops.toml", 'value = "month_before_event"', 'value = "next_month"', "is not one of"),
        ("funeral.toml", "value = 6", "value = true", "must be a whole number"),
        ("wages.toml", "[minimum_wage]", "[minimum_wage", "not valid TOML"),
        (
            "wages.toml",
            "effective_from = 2021-12-01",
            "effective_from = 2021-12-01T00:00:00",
            "must be a date",
        ),
    ],
)
def test_invalid_files_are_refused_with_a_clear_message(params, file_name, old, new, message):
    with pytest.raises(ParameterError, match=message):
        ParameterSet.from_text(edited(params, file_name, old, new))


def test_overlapping_periods_are_refused(params):
    texts = params.texts()
    texts["wages.toml"] += OVERLAP
    with pytest.raises(ParameterError, match=r"wages.toml: wages.minimum_wage: periods overlap"):
        ParameterSet.from_text(texts)


def test_missing_parameter_and_missing_region_list(params):
    texts = params.texts()
    del texts["funeral.toml"]
    with pytest.raises(ParameterError, match=r"funeral\.funeral_grant_months .* is missing"):
        ParameterSet.from_text(texts)
    texts = params.texts()
    del texts["regions.toml"]
    with pytest.raises(ParameterError, match="region list is missing"):
        ParameterSet.from_text(texts)


def test_duplicate_region_is_refused(params):
    texts = edited(params, "regions.toml", '{ code = "460200"', '{ code = "460100"')
    with pytest.raises(ParameterError, match="listed twice"):
        ParameterSet.from_text(texts)


def test_no_value_in_force_is_an_error(params):
    with pytest.raises(ParameterError, match="no value in force on 2020-01-01"):
        params.get("wages.minimum_wage", on=date(2020, 1, 1))


def test_load_from_a_directory(tmp_path):
    for path in DEFAULT_DIRECTORY.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_parameters(tmp_path).version == load_parameters().version
    with pytest.raises(ParameterError, match="no parameter files"):
        load_parameters(tmp_path / "missing")
