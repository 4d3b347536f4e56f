"""Writing cases: accept anywhere, review where responsible, route to the insured region.

Each entry point is one durable transaction. Nothing is decided against the rules
engine: an approval is refused while the engine says the person is not eligible,
and a re-review approval creates the entitlement with the engine's figures in the
fund of the insured region (which is the reviewing agency's region: funds never cross).
"""

from tongban.cases.services.accepting import (
    FUNERAL_RELATIONSHIPS,
    OTHER_FUNERAL_GRANTS,
    Acceptance,
    BundleResult,
    application_submit,
    bundle_submit,
    new_reference,
)
from tongban.cases.services.applicant import (
    REEMPLOYMENT_REPORTED,
    application_resubmit,
    application_withdraw,
    reemployment_report_submit,
)
from tongban.cases.services.deciding import TRANSFER_COMPLETED, parameters_load, task_decide
from tongban.cases.services.money import entitlement_stop_decide, overpayment_repayment_record
from tongban.cases.services.subjects import (
    SUBJECT_STAGES,
    SubjectTask,
    subject_tasks_close,
    subject_tasks_open,
    ui_transfer_record,
)

__all__ = [
    "FUNERAL_RELATIONSHIPS",
    "OTHER_FUNERAL_GRANTS",
    "REEMPLOYMENT_REPORTED",
    "SUBJECT_STAGES",
    "TRANSFER_COMPLETED",
    "Acceptance",
    "BundleResult",
    "SubjectTask",
    "application_resubmit",
    "application_submit",
    "application_withdraw",
    "bundle_submit",
    "entitlement_stop_decide",
    "new_reference",
    "overpayment_repayment_record",
    "parameters_load",
    "reemployment_report_submit",
    "subject_tasks_close",
    "subject_tasks_open",
    "task_decide",
    "ui_transfer_record",
]
