"""Small builders for person facts in tests and worked cases (plain data, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tongban.core.months import add_months
from tongban.rules.facts import (
    Certificate,
    Contest,
    ContributionMonth,
    Determination,
    Entitlement,
    OtherPayment,
    PersonFacts,
    Registration,
    SkillSubsidyPaid,
    Spell,
    StopEvent,
    TrainingRecord,
)

HAIKOU, SANYA, QIONGHAI, WENCHANG = "460100", "460200", "469002", "469005"


def months_from(start: date, count: int, region: str) -> tuple[ContributionMonth, ...]:
    """``count`` consecutive contribution months from ``start`` in ``region``."""
    return tuple((add_months(start, i), region) for i in range(count))


def separated(
    *,
    months: int,
    region: str = QIONGHAI,
    end: date = date(2024, 1, 1),
    involuntary: bool | None = True,
    reason: str | None = "contract_expired",
    contest: Contest | None = None,
    registered_on: date | None = date(2024, 1, 10),
    birth_date: date = date(1985, 4, 2),
    **extra: Any,
) -> PersonFacts:
    """A person whose one job (with ``months`` of contributions) ended on ``end``."""
    start = add_months(end, -months)
    spells = (Spell(region, "91460000MA5T000001", start, end, reason, involuntary, contest),)
    registrations = (Registration("unemployment", region, registered_on),) if registered_on else ()
    return PersonFacts(
        birth_date=birth_date,
        sex="M",
        insured_region_code=region,
        contributions=months_from(start, months, region),
        spells=spells,
        registrations=registrations,
        **extra,
    )


def _date(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def facts_from_dict(data: Mapping[str, Any]) -> PersonFacts:
    """Person facts from the worked-cases file's plain tables (see worked_cases.toml)."""
    contributions: list[ContributionMonth] = []
    for block in data.get("contributions", []):
        contributions.extend(months_from(block["from"], block["months"], block["region"]))
    spells = tuple(
        Spell(
            region_code=s["region"],
            employer=s["employer"],
            start=s["start"],
            end=_date(s.get("end")),
            reason_code=s.get("reason"),
            involuntary=s.get("involuntary"),
            contest=(
                Contest(s["contest"]["claimed"], s["contest"].get("outcome", "pending"))
                if "contest" in s
                else None
            ),
            rural_contract_worker=s.get("rural_contract_worker", False),
        )
        for s in data.get("spells", [])
    )
    return PersonFacts(
        birth_date=data["birth_date"],
        sex=data.get("sex", "M"),
        insured_region_code=data.get("insured_region"),
        contributions=tuple(contributions),
        spells=spells,
        determinations=tuple(
            Determination(
                determined_on=d["on"],
                months=d["months"],
                months_paid=d["paid"],
                contribution_months_used=d.get("contribution_months_used", 0),
                months_forfeited=d.get("forfeited", 0),
            )
            for d in data.get("determinations", [])
        ),
        registrations=tuple(
            Registration(r["kind"], r["region"], r["start"], _date(r.get("end")))
            for r in data.get("registrations", [])
        ),
        certificates=tuple(
            Certificate(c["occupation"], c["level"], c["issued_on"], c.get("verified"))
            for c in data.get("certificates", [])
        ),
        skill_subsidies_paid=tuple(
            SkillSubsidyPaid(p["occupation"], p["level"], p["paid_on"])
            for p in data.get("skill_subsidies_paid", [])
        ),
        training=tuple(
            TrainingRecord(
                t["course"], t["completed_on"], t["passed"], t["cost_fen"], t.get("paid", False)
            )
            for t in data.get("training", [])
        ),
        other_payments=tuple(
            OtherPayment(p["item"], p["key"], p["paid_on"]) for p in data.get("other_payments", [])
        ),
        unemployment_subsidy_months_received=data.get("subsidy_months_received", 0),
        funeral_grant_elsewhere=data.get("funeral_grant_elsewhere"),
        date_of_death=data.get("date_of_death"),
        pension_start=data.get("pension_start"),
        entitlement=entitlement_from_dict(data["entitlement"]) if "entitlement" in data else None,
        subsidy_entitlement=(
            entitlement_from_dict(data["subsidy_entitlement"])
            if "subsidy_entitlement" in data
            else None
        ),
        retirement_category=data.get("retirement_category"),
    )


def entitlement_from_dict(data: Mapping[str, Any]) -> Entitlement:
    return Entitlement(
        start_month=data["start_month"],
        months=data["months"],
        months_paid=data.get("paid", 0),
        paying_region=data["paying_region"],
        monthly_amount_fen=data.get("monthly_amount_fen"),
        medical_premium_fen=data.get("medical_premium_fen"),
        stopped_on=data.get("stopped_on"),
    )


def event_from_dict(data: Mapping[str, Any]) -> StopEvent:
    return StopEvent(kind=data["kind"], on=data["on"])
