from tongban.core.identifiers import parse_citizen_id, parse_uscc
from tongban.registry.tests.factories import citizen_id, uscc


def test_factory_identifiers_are_valid():
    for _ in range(50):
        assert parse_citizen_id(citizen_id()).number
        assert parse_uscc(uscc())
