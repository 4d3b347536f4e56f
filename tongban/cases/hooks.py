"""What case handling publishes through ``core.hooks`` inside the transaction of a change.

Integrity subscribes: a person's own report of a new job suspends the benefit it concerns
and opens a review at the paying agency in the same transaction as the report, or neither
happens (issue 7: only a caseworker's recorded decision ends a benefit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

REEMPLOYMENT_REPORT_RECORDED = "cases.reemployment_report_recorded"


@dataclass(frozen=True, slots=True)
class ReemploymentReportRecorded:
    """A recipient reported a new job (再就业报告) at an office, online or through a channel."""

    reference: str  # the report's application
    person_id: int
    entitlement_id: int  # the running benefit the job concerns
    start_date: date
    employer_uscc: str | None
    employer_name: str | None
    office_code: str  # where it was reported
    as_of: date
