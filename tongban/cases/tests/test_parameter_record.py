"""A decision keeps the exact parameter files it was decided under (政策参数), also when they
are newer than those in force at acceptance, so any entitlement can be recomputed."""

from __future__ import annotations

import pytest

from tongban.benefits.models import Entitlement
from tongban.cases import facts as case_facts
from tongban.cases.models import ParameterSetRecord
from tongban.cases.services import deciding
from tongban.cases.tests.conftest import sanya_worker
from tongban.cases.tests.test_send_back import decide, submit
from tongban.rules.params import ParameterSet, default_parameters

pytestmark = pytest.mark.django_db


def raised_minimum_wage(params: ParameterSet) -> ParameterSet:
    """A newer version: the class I minimum wage (Haikou, Sanya) rises to 1930 yuan from
    2026-11-01 (a test scenario, not a real figure)."""
    texts = params.texts()
    old = "effective_from = 2021-12-01\nvalue = 1730"
    assert old in texts["wages.toml"]
    texts["wages.toml"] = texts["wages.toml"].replace(
        old, "effective_from = 2021-12-01\neffective_to = 2026-11-01\nvalue = 1730", 1
    ) + (
        "\n[[minimum_wage.values]]\neffective_from = 2026-11-01\nvalue = 1730\n"
        'regions = { "460100" = 1930, "460200" = 1930 }\nstatus = "demo"\n'
        'source = "test scenario: a minimum-wage rise (not a real figure)"\n'
    )
    return ParameterSet.from_text(texts)


@pytest.fixture(autouse=True)
def nothing_recorded_in_this_process(monkeypatch):
    """Forget the versions an earlier test committed, so each test sees its own database."""
    monkeypatch.setattr(deciding, "_recorded_parameter_versions", set())


def recorded() -> dict[str, dict[str, str]]:
    return dict(ParameterSetRecord.objects.values_list("version", "texts"))


def test_a_re_review_under_newer_parameters_records_them(staff, worker, monkeypatch):
    haikou, sanya = staff["hk_acceptor"], staff["sy_reviewer"]
    accepted_under, newer = default_parameters(), raised_minimum_wage(default_parameters())
    assert newer.version != accepted_under.version

    # given: accepted and initially reviewed under the parameters of the time
    decide(haikou, submit(haikou, worker, "unemployment_registration"))
    claim = submit(haikou, worker, "ui_benefit")
    decide(haikou, claim)
    assert set(recorded()) == {accepted_under.version}

    # when: the parameter files change before the re-review
    monkeypatch.setattr(case_facts, "parameters", lambda: newer)
    assert decide(sanya, claim).status == "approved"

    # then: the entitlement was decided under the newer version, and its texts are kept
    entitlement = Entitlement.objects.get(application_reference=claim.reference)
    assert entitlement.parameter_set_version == newer.version
    assert entitlement.monthly_amount_fen == 173700  # 90% of 1930 yuan: the newer figure
    texts = recorded()
    assert set(texts) == {accepted_under.version, newer.version}
    assert texts[newer.version] == newer.texts()
    assert ParameterSet.from_text(texts[newer.version]).version == newer.version


def test_recording_the_parameters_at_a_decision_is_idempotent(staff, monkeypatch):
    haikou, sanya = staff["hk_acceptor"], staff["sy_reviewer"]
    newer = raised_minimum_wage(default_parameters())
    claims = []
    for person in (sanya_worker(), sanya_worker()):
        decide(haikou, submit(haikou, person, "unemployment_registration"))
        claims.append(submit(haikou, person, "ui_benefit"))
        decide(haikou, claims[-1])
    monkeypatch.setattr(case_facts, "parameters", lambda: newer)

    decide(sanya, claims[0])
    decide(sanya, claims[1], "reject", ["复核不予核准"])  # a refusal is decided under them too

    assert ParameterSetRecord.objects.filter(version=newer.version).count() == 1
    assert set(recorded()) == {default_parameters().version, newer.version}
