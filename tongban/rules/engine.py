"""``assess``: one entry point for the twelve catalogue items."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Final

from tongban.rules.facts import PersonFacts
from tongban.rules.one_off import assess_funeral_survivor, assess_rural_worker_allowance
from tongban.rules.params import ParameterSet
from tongban.rules.result import Assessment
from tongban.rules.services import (
    assess_employment_certificate,
    assess_employment_registration,
    assess_reemployment_report,
    assess_ui_certificate,
    assess_ui_transfer,
    assess_unemployment_registration,
)
from tongban.rules.subsidies import (
    assess_skill_subsidy,
    assess_training_subsidy,
    assess_unemployment_subsidy,
)
from tongban.rules.trace import Trace
from tongban.rules.ui_benefit import assess_ui_benefit

ASSESSORS: Final[Mapping[str, Callable[[Trace, PersonFacts], Assessment]]] = {
    "employment_registration": assess_employment_registration,
    "unemployment_registration": assess_unemployment_registration,
    "ui_benefit": assess_ui_benefit,
    "unemployment_subsidy": assess_unemployment_subsidy,
    "skill_subsidy": assess_skill_subsidy,
    "funeral_survivor": assess_funeral_survivor,
    "ui_transfer": assess_ui_transfer,
    "reemployment_report": assess_reemployment_report,
    "employment_certificate": assess_employment_certificate,
    "training_subsidy": assess_training_subsidy,
    "rural_worker_allowance": assess_rural_worker_allowance,
    "ui_certificate": assess_ui_certificate,
}
ITEM_CODES: Final = tuple(ASSESSORS)


class UnknownItem(KeyError):
    """The item code is not one of the catalogue's twelve."""


def assess(item_code: str, facts: PersonFacts, params: ParameterSet, as_of: date) -> Assessment:
    """Whether ``facts``' person can have ``item_code`` on ``as_of``, how much, and why."""
    try:
        assessor = ASSESSORS[item_code]
    except KeyError:
        raise UnknownItem(f"unknown item {item_code!r}; known: {', '.join(ITEM_CODES)}") from None
    return assessor(Trace(params, as_of, item_code), facts)


def assess_all(facts: PersonFacts, params: ParameterSet, as_of: date) -> dict[str, Assessment]:
    """Every item, e.g. for a person's overview page."""
    return {code: assess(code, facts, params, as_of) for code in ITEM_CODES}
