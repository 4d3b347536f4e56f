import pytest

from tongban.rules.params import ParameterSet, default_parameters


@pytest.fixture(scope="session")
def params() -> ParameterSet:
    return default_parameters()
