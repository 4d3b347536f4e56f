"""Rules as code: pure eligibility, duration and amount calculations (no ORM, no clock).

Public API: :func:`assess` (every catalogue item), :func:`stop_consequences`,
:func:`reassess_ui_benefit_batch`, the facts in :mod:`tongban.rules.facts`, the result in
:mod:`tongban.rules.result` and the parameters in :mod:`tongban.rules.params`.
"""

from tongban.rules.batch import (
    UiBenefitArrays,
    UiBenefitArraysResult,
    UiBenefitBatch,
    UiBenefitBatchResult,
    reassess_ui_benefit_arrays,
    reassess_ui_benefit_batch,
)
from tongban.rules.engine import ITEM_CODES, UnknownItem, assess, assess_all
from tongban.rules.facts import (
    Certificate,
    Contest,
    Determination,
    Entitlement,
    OtherPayment,
    PersonFacts,
    Registration,
    SkillSubsidyPaid,
    Spell,
    StopEvent,
    TrainingRecord,
    with_unemployment_registration,
)
from tongban.rules.params import (
    ParameterError,
    ParameterSet,
    ParameterUse,
    default_parameters,
    load_parameters,
)
from tongban.rules.result import Assessment, Reason, Step, StopOutcome
from tongban.rules.stops import stop_consequences
from tongban.rules.ui_benefit import UiBenefitInputs, ui_benefit_inputs

__all__ = [
    "ITEM_CODES",
    "Assessment",
    "Certificate",
    "Contest",
    "Determination",
    "Entitlement",
    "OtherPayment",
    "ParameterError",
    "ParameterSet",
    "ParameterUse",
    "PersonFacts",
    "Reason",
    "Registration",
    "SkillSubsidyPaid",
    "Spell",
    "Step",
    "StopEvent",
    "StopOutcome",
    "TrainingRecord",
    "UiBenefitArrays",
    "UiBenefitArraysResult",
    "UiBenefitBatch",
    "UiBenefitBatchResult",
    "UiBenefitInputs",
    "UnknownItem",
    "assess",
    "assess_all",
    "default_parameters",
    "load_parameters",
    "reassess_ui_benefit_arrays",
    "reassess_ui_benefit_batch",
    "stop_consequences",
    "ui_benefit_inputs",
    "with_unemployment_registration",
]
