"""Request and response bodies of the HTTP API (the contract, in pydantic)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class ItemOut(Schema):
    code: str
    number: int
    name: str
    name_zh: str
    name_en: str
    pays_money: bool
    materials: list[str]
    time_limit_working_days: int
    applicants: list[str]
    channels: list[str]
    catalogue_version: int


class OfficeOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    region_code: str = Field(
        description="The region the office is in (the provincial centre's seat)"
    )
    is_insurance_agency: bool
    kind: str = Field(
        description="agency (re-reviews and pays), service (accepts), province (the provincial centre)"
    )


class SeparationReasonOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    involuntary: bool


class HireIn(Schema):
    id_number: str = Field(max_length=40)
    date: date


class SeparationIn(Schema):
    id_number: str = Field(max_length=40)
    date: date
    reason_code: str = Field(max_length=40)


class SpellOut(Schema):
    region_code: str
    employer_uscc: str
    employer_name: str
    start_date: date
    end_date: date | None
    separation_reason: SeparationReasonOut | None


class SpellChangeOut(Schema):
    id_number: str
    insured_region_code: str | None
    spell: SpellOut


class RegionMonthsOut(Schema):
    region_code: str
    months: int


class RegistrationOut(Schema):
    kind: str
    region_code: str
    start_date: date
    end_date: date | None


class ReasonOut(Schema):
    code: str
    kind: str = Field(description="refusal, pending (not decidable yet) or note")
    message: str


class ItemAssessmentOut(Schema):
    code: str
    eligible: bool
    pending: bool = False
    reasons: list[ReasonOut]
    months: int | None = None
    amount_fen: int | None = Field(
        default=None, description="monthly for monthly items, else one-off"
    )
    amount_is_monthly: bool = False
    paying_region: str | None = None


class OverviewOut(Schema):
    id_number: str
    name: str
    sex: str
    birth_date: date
    residence_region_code: str
    insured_region_code: str | None
    contribution_months_total: int
    contribution_months_by_region: list[RegionMonthsOut]
    spells: list[SpellOut]
    registrations: list[RegistrationOut]
    items: list[ItemAssessmentOut] | None
    items_note: str | None = None


class ApplicationIn(Schema):
    item: str = Field(max_length=40)
    id_number: str = Field(max_length=40)
    office: str | None = Field(default=None, max_length=40)
    data: dict[str, Any] | None = None


class BundleIn(Schema):
    kind: str = Field(max_length=32)
    id_number: str = Field(max_length=40)
    office: str | None = Field(default=None, max_length=40)


class DecisionIn(Schema):
    outcome: str = Field(max_length=16, description="approve, reject or return")
    reasons: list[str] | None = None
    checklist: dict[str, bool] | None = None
    verification: dict[str, str] | None = Field(
        default=None,
        description='re-verification of a contested separation reason: {"contest": "upheld"|"rejected"}',
    )


class ReemploymentIn(Schema):
    id_number: str = Field(max_length=40)
    date: date
    employer_uscc: str | None = Field(default=None, max_length=18)
    office: str | None = Field(default=None, max_length=40)


class HistoryOut(Schema):
    stage: str
    office: str | None
    office_name: str | None
    outcome: str
    actor: str
    reasons: list[dict[str, Any]]
    at: datetime


class EntitlementOut(Schema):
    item: str
    months: int
    months_paid: int
    months_remaining: int
    monthly_amount_fen: int | None
    medical_premium_fen: int | None
    amount_fen: int | None
    start_month: str | None
    paying_region: str
    status: str
    explanation: list[dict[str, Any]]


class ApplicationOut(Schema):
    reference: str
    status: str
    item: str
    id_number: str
    channel: str
    bundle: str | None
    accepting_office: str
    accepting_office_name: str
    reviewing_office: str | None
    reviewing_office_name: str | None
    insured_region_code: str | None
    submitted_at: datetime
    due_date: date
    current_task: dict[str, Any] | None
    history: list[HistoryOut]
    entitlement: EntitlementOut | None
    archive: dict[str, Any] | None


class BundleOut(Schema):
    reference: str
    kind: str
    applications: list[ApplicationOut]


class FindingBriefOut(Schema):
    source: str
    event_date: date
    status: str
    suspended_from: date | None
    entitlement_id: int | None
    application: str | None


class TaskOut(Schema):
    id: int
    reference: str = Field(description="the application's, or the finding's reference")
    stage: str = Field(description="initial_review, re_review, finding_review or family_invitation")
    item: str
    id_number: str
    due_date: date
    overdue: bool
    accepting_office: str | None = Field(description="null for a task about a finding")
    created_at: datetime
    finding: FindingBriefOut | None = None


class FindingOut(Schema):
    reference: str
    status: str = Field(description="open, confirmed, lifted or superseded")
    source: str
    stop_kind: str
    id_number: str
    paying_region: str
    office: str
    event_date: date
    suspended_from: date | None
    found_on: date
    evidence: dict[str, Any]
    entitlement: dict[str, Any] | None
    application: str | None
    task_id: int | None
    task_open: bool
    family_task_id: int | None
    decided_on: date | None
    decided_by: str | None
    decision_reasons: list[str]
    overpayment_fen: int


class FindingCountsOut(Schema):
    region_code: str
    open: int
    confirmed: int
    lifted: int
    superseded: int
    overdue: int
    total: int
    by_source: dict[str, int]


class TransferOut(Schema):
    reference: str
    kind: str = Field(description="new_spell or residence")
    status: str = Field(description="completed, waiting or cancelled")
    id_number: str
    from_region: str
    to_region: str
    effective_date: date
    application: str | None = Field(description="item 7 (ui_transfer), done by the system")
    switch_month: str | None
    months: int
    amount_fen: int
    benefit_fen: int
    medical_fen: int
    note: str


class PaymentOut(Schema):
    reference: str
    item: str
    kind: str = Field(
        description="benefit (to the person), medical (premium paid for them), one_off"
    )
    month: str
    amount_fen: int
    offset_fen: int = Field(description="kept back to recover an earlier overpayment")
    status: str
    paying_region: str
    sent_on: date | None
    return_reason: str | None


class StopIn(Schema):
    kind: str = Field(
        max_length=20,
        description="reemployment, conscription, emigration, pension_start, imprisonment, refusal, death, other_province_benefit",
    )
    date: date
    reasons: list[str]


class RepaymentIn(Schema):
    amount_fen: int
    date: date
    reference: str = Field(max_length=60, description="the receipt number")


class ItemStatisticsOut(Schema):
    code: str
    applications: int
    approved: int = Field(description="approved (an entitlement) or completed (pays nothing, done)")
    rejected: int
    open: int = Field(description="in initial review, in re-review, or returned for correction")
    withdrawn: int
    online: int
    automatic: int
    decided: int = Field(description="approved, completed or rejected")
    on_time: int = Field(description="decided on or before the due date")


class FundStatisticsOut(Schema):
    region_code: str
    balance_fen: int
    months_of_coverage: float | None = Field(
        description="fund balance ÷ average monthly expenditure of the last 12 months; "
        "null when nothing was spent"
    )


class FundTotalOut(Schema):
    balance_fen: int
    months_of_coverage: float | None


class ChannelStatisticsOut(Schema):
    channel: str
    applications: int


class IntegrityFindingsOut(Schema):
    connected: bool = Field(description="false until data comparison (integrity) is wired in")
    open: int | None
    open_by_kind: dict[str, int]


class StatisticsOut(Schema):
    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")
    region: str | None = Field(description="the accepting region asked for; null: the province")
    view: str = Field(description="province, region:CODE, insured:CODE or office:CODE")
    applications: int
    online_share: float | None = Field(
        description="online submissions (portal, alipay, gov_site, online_hall, employer_api) "
        "÷ all applications (the contract's channel submissions ÷ all); null without any"
    )
    cross_region_share: float | None = Field(
        description="paying items accepted in another region than the insured one ÷ paying "
        "items of people insured somewhere"
    )
    on_time_share: float | None = Field(
        description="decided on or before the due date ÷ decided (approved, completed, rejected)"
    )
    by_item: list[ItemStatisticsOut]
    funds: list[FundStatisticsOut]
    online_goal: float
    by_channel: list[ChannelStatisticsOut]
    counts: dict[str, int]
    funds_total: FundTotalOut | None
    integrity_findings: IntegrityFindingsOut
