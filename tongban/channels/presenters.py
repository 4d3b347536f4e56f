"""Shaping domain objects into the contract's JSON (masked where the contract says so)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import get_language

from tongban.cases.facts import item_outlooks, person_assessments
from tongban.core.actors import Actor
from tongban.core.identifiers import mask_id_number, mask_name
from tongban.registry.selectors import (
    contribution_months_by_region,
    contribution_months_total,
    insured_region,
    person_get,
    registrations_of,
    spells_of,
)


def spell_out(spell: Any) -> dict[str, Any]:
    reason = spell.reason
    return {
        "region_code": spell.region.code,
        "employer_uscc": spell.employer.uscc,
        "employer_name": spell.employer.name,
        "start_date": spell.start_date,
        "end_date": spell.end_date,
        "separation_reason": (
            {
                "code": reason.code,
                "name": reason.name,
                "name_zh": reason.name_zh,
                "name_en": reason.name_en,
                "involuntary": reason.involuntary,
            }
            if reason
            else None
        ),
    }


def overview_out(*, id_number: str, as_of: date, actor: Actor) -> dict[str, Any]:
    """The registry's view of a person; eligibility per item arrives with the rules engine."""
    person = person_get(id_number=id_number, as_of=as_of)
    current = insured_region(person=person, as_of=as_of)
    by_region = contribution_months_by_region(person=person, until=as_of)
    return {
        "id_number": mask_id_number(person.id_number),
        "name": mask_name(person.name),
        "sex": person.sex,
        "birth_date": person.birth_date,
        "residence_region_code": person.residence_region.code,
        "insured_region_code": current.code if current else None,
        "contribution_months_total": contribution_months_total(person=person, until=as_of),
        "contribution_months_by_region": [
            {"region_code": code, "months": months} for code, months in sorted(by_region.items())
        ],
        "spells": [spell_out(s) for s in spells_of(person=person)],
        "registrations": [
            {
                "kind": r.kind,
                "region_code": r.region.code,
                "start_date": r.start_date,
                "end_date": r.end_date,
            }
            for r in registrations_of(person=person)
        ],
        "items": items_out(person_assessments(person=person, as_of=as_of)),
        "items_note": (
            "Whether the person could have each item if they applied today "
            "(the UI benefit as the unemployment bundle, which registers them). "
            "An estimate from the registry; the decision is the agency's."
        ),
    }


def items_out(assessments: dict[str, Any]) -> list[dict[str, Any]]:
    english = (get_language() or "").startswith("en")
    return [
        {
            "code": o.code,
            "eligible": o.eligible,
            "pending": o.pending,
            "reasons": [
                {"code": r.code, "kind": r.kind, "message": r.en if english else r.zh}
                for r in o.reasons
            ],
            "months": o.months,
            "amount_fen": o.amount_fen,
            "amount_is_monthly": o.amount_is_monthly,
            "paying_region": o.paying_region,
        }
        for o in item_outlooks(assessments)
    ]


def _office_name(office: Any) -> str | None:
    return office.name if office is not None else None


def application_out(application: Any) -> dict[str, Any]:
    """The contract's view of an application (ID masked), with its history and entitlement."""
    from tongban.benefits.selectors import entitlement_for_application
    from tongban.cases.selectors import archive_of, history_of, open_task_of

    task = open_task_of(application)
    entitlement = entitlement_for_application(reference=application.reference)
    archive = archive_of(application)
    return {
        "reference": application.reference,
        "status": application.status,
        "item": application.item_code,
        "id_number": mask_id_number(application.person.id_number),
        "channel": application.channel,
        "bundle": application.bundle.reference if application.bundle else None,
        "accepting_office": application.accepting_office.code,
        "accepting_office_name": application.accepting_office.name,
        "reviewing_office": application.reviewing_office.code
        if application.reviewing_office
        else None,
        "reviewing_office_name": _office_name(application.reviewing_office),
        "insured_region_code": application.insured_region.code
        if application.insured_region
        else None,
        "submitted_at": application.submitted_at,
        "due_date": application.due_date,
        "current_task": (
            {
                "id": task.id,
                "stage": task.stage,
                "office": task.office.code,
                "office_name": task.office.name,
                "due_date": task.due_date,
            }
            if task
            else None
        ),
        "history": [
            {
                "stage": t.stage,
                "office": t.office.code if t.office else None,
                "office_name": _office_name(t.office),
                "outcome": t.outcome,
                "actor": t.actor_label if t.actor_kind == "system" else t.actor_kind,
                "reasons": t.reasons,
                "at": t.at,
            }
            for t in history_of(application)
        ],
        "entitlement": (
            {
                "item": entitlement.item_code,
                "months": entitlement.months,
                "months_paid": entitlement.months_paid,
                "months_remaining": entitlement.months_remaining,
                "monthly_amount_fen": entitlement.monthly_amount_fen,
                "medical_premium_fen": entitlement.medical_premium_fen,
                "amount_fen": entitlement.amount_fen,
                "start_month": f"{entitlement.start_month:%Y-%m}"
                if entitlement.start_month
                else None,
                "paying_region": entitlement.paying_region.code,
                "status": entitlement.status,
                "explanation": entitlement.explanation.get("explanation", []),
            }
            if entitlement
            else None
        ),
        "archive": (
            {
                "office": application.accepting_office.code,
                "sequence": archive.sequence,
                "sealed_at": archive.sealed_at,
                "sha256": archive.content_sha256,
                "chain_hash": archive.chain_hash,
            }
            if archive
            else None
        ),
    }


def task_out(task: Any, *, as_of: date, finding: Any | None = None) -> dict[str, Any]:
    """A task of ``GET /tasks``: a case review, or a task about a finding (``finding``)."""
    application = task.application
    if application is None:
        subject = finding.entitlement if finding is not None else None
        return {
            "id": task.id,
            "reference": task.reference,
            "stage": task.stage,
            "item": (
                subject.item_code
                if subject is not None
                else (finding.application.item_code if finding and finding.application else "")
            ),
            "id_number": mask_id_number(task.person.id_number),
            "due_date": task.due_date,
            "overdue": task.due_date < as_of,
            "accepting_office": None,
            "created_at": task.created_at,
            "finding": (
                {
                    "source": finding.source,
                    "event_date": finding.event_date,
                    "status": finding.status,
                    "suspended_from": finding.suspended_from,
                    "entitlement_id": finding.entitlement_id,
                    "application": finding.application.reference if finding.application else None,
                }
                if finding is not None
                else None
            ),
        }
    return {
        "id": task.id,
        "reference": application.reference,
        "stage": task.stage,
        "item": application.item_code,
        "id_number": mask_id_number(application.person.id_number),
        "due_date": task.due_date,
        "overdue": task.due_date < as_of,
        "accepting_office": application.accepting_office.code,
        "created_at": task.created_at,
    }


def finding_out(finding: Any) -> dict[str, Any]:
    """A finding, ID masked; the evidence as recorded (it holds no full ID number)."""
    entitlement = finding.entitlement
    return {
        "reference": finding.reference,
        "status": finding.status,
        "source": finding.source,
        "stop_kind": finding.stop_kind,
        "id_number": mask_id_number(finding.person.id_number),
        "paying_region": finding.paying_region.code,
        "office": finding.office.code,
        "event_date": finding.event_date,
        "suspended_from": finding.suspended_from,
        "found_on": finding.found_on,
        "evidence": finding.evidence,
        "entitlement": (
            {
                "id": entitlement.pk,
                "item": entitlement.item_code,
                "status": entitlement.status,
                "start_month": f"{entitlement.start_month:%Y-%m}"
                if entitlement.start_month
                else None,
                "end_month": f"{entitlement.end_month:%Y-%m}" if entitlement.end_month else None,
                "application": entitlement.application_reference,
            }
            if entitlement is not None
            else None
        ),
        "application": finding.application.reference if finding.application else None,
        "task_id": finding.task_id,
        "task_open": bool(finding.task and finding.task.is_open),
        "family_task_id": finding.family_task_id,
        "decided_on": finding.decided_on,
        "decided_by": finding.decided_by or None,
        "decision_reasons": finding.decision_reasons,
        "overpayment_fen": finding.overpayment_fen,
    }


def transfer_out(transfer: Any) -> dict[str, Any]:
    return {
        "reference": transfer.reference,
        "kind": transfer.kind,
        "status": transfer.status,
        "id_number": mask_id_number(transfer.person.id_number),
        "from_region": transfer.from_region.code,
        "to_region": transfer.to_region.code,
        "effective_date": transfer.effective_date,
        "application": transfer.application_reference or None,
        "switch_month": f"{transfer.switch_month:%Y-%m}" if transfer.switch_month else None,
        "months": transfer.months,
        "amount_fen": transfer.amount_fen,
        "benefit_fen": transfer.benefit_fen,
        "medical_fen": transfer.medical_fen,
        "note": transfer.note,
    }
