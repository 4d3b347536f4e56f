"""Request and response bodies of the HTTP API (the contract, in pydantic)."""

from __future__ import annotations

from datetime import date

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
    region_code: str
    is_insurance_agency: bool


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
    message: str


class ItemAssessmentOut(Schema):
    code: str
    eligible: bool
    reasons: list[ReasonOut]
    months: int | None = None
    amount_fen: int | None = None


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
