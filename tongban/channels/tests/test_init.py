"""``tongban init`` loads every piece of reference data, the policy parameters included."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.cases import facts as case_facts
from tongban.cases.models import ParameterSetRecord
from tongban.cases.services import deciding
from tongban.channels.setup import platform_init
from tongban.core.testing import TEST_ACTOR
from tongban.rules.params import ParameterSet, default_parameters

pytestmark = pytest.mark.django_db


def test_init_records_the_policy_parameters_and_is_safe_to_run_again(monkeypatch):
    monkeypatch.setattr(deciding, "_recorded_parameter_versions", set())
    said: list[str] = []
    platform_init(actor=TEST_ACTOR, migrate=False, say=said.append)
    version = default_parameters().version
    assert f"policy parameters: version {version} (read, checked and recorded)" in said
    assert ParameterSetRecord.objects.get(version=version).texts == default_parameters().texts()
    platform_init(actor=TEST_ACTOR, migrate=False, say=said.append)
    assert ParameterSetRecord.objects.count() == 1


def test_a_broken_parameter_file_stops_init_with_its_name(monkeypatch):
    texts = dict(default_parameters().texts())
    name = next(iter(texts))
    texts[name] = texts[name] + "\n[[this is not toml"
    monkeypatch.setattr(case_facts, "parameters", lambda: ParameterSet(texts))
    with pytest.raises(CommandError, match=f"policy parameters: {name}"):
        call_command("init")
