"""The applicant's own moves: resubmit after a return, withdraw, report a new job."""

from __future__ import annotations

from datetime import date

from tongban.cases.facts import person_view_get
from tongban.cases.hooks import REEMPLOYMENT_REPORT_RECORDED, ReemploymentReportRecorded
from tongban.cases.models import (
    Application,
)
from tongban.cases.services.accepting import Acceptance, _accepting_office, _create, _item
from tongban.cases.services.deciding import _approve, _finish
from tongban.cases.workflow import transition
from tongban.core.actors import Actor
from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.core.hooks import publish
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint
from tongban.regions.selectors import (
    agency_for_region,
    region_get,
)
from tongban.registry.selectors import employer_get

REEMPLOYMENT_REPORTED = "cases.reemployment_reported"


def _by_applicant(
    *, actor: Actor, reference: str, person_id_number: str | None, outcome: str, as_of: date
) -> Application:
    """An applicant's own move on their open application (a portal or channel may name the person)."""
    application = (
        Application.objects.select_for_update(of=("self",)).filter(reference=reference).first()
    )
    if application is None or (
        person_id_number and application.person.id_number != person_id_number
    ):
        raise NotFound(f"No application {reference}.", code="unknown_application")
    transition(
        application,
        outcome=outcome,
        actor=actor,
        office_id=application.accepting_office_id,
        as_of=as_of,
    )
    _finish(application, as_of)
    return application


@entrypoint
def application_resubmit(
    *, actor: Actor, reference: str, person_id_number: str | None, as_of: date
) -> Application:
    """The applicant corrected what was asked: back to initial review, the clock running again."""
    return _by_applicant(
        actor=actor,
        reference=reference,
        person_id_number=person_id_number,
        outcome="resubmit",
        as_of=as_of,
    )


@entrypoint
def application_withdraw(
    *, actor: Actor, reference: str, person_id_number: str | None, as_of: date
) -> Application:
    """The applicant withdraws an open application (撤回)."""
    return _by_applicant(
        actor=actor,
        reference=reference,
        person_id_number=person_id_number,
        outcome="withdraw",
        as_of=as_of,
    )


@entrypoint
def reemployment_report_submit(
    *,
    acceptance: Acceptance,
    id_number: str,
    start_date: date,
    employer_uscc: str | None,
    as_of: date,
) -> Application:
    """A recipient reports a new job at any office or online; recorded, then routed to the payer."""
    if start_date > as_of:
        raise InvalidInput.of("date", "future_date", "The new job's start date is in the future.")
    item = _item("reemployment_report", acceptance.channel)
    view = person_view_get(id_number=id_number, as_of=as_of)
    person = view.person
    employer_name = None
    if employer_uscc:
        try:
            employer_name = employer_get(uscc=employer_uscc).name
        except NotFound:
            employer_name = None  # a new employer not yet known here is still a job
    office = _accepting_office(acceptance, person)
    data = {"date": start_date.isoformat(), "employer_uscc": employer_uscc or None}
    assessment = view.assessment(item_code=item.code, as_of=as_of, data=data)
    if not assessment.eligible:
        raise Conflict(
            "No benefit is being paid to this person, so there is nothing to stop: "
            + "; ".join(r.en for r in assessment.reasons if r.kind == "refusal"),
            code="not_receiving_benefit",
        )
    application = _create(
        acceptance=acceptance,
        item=item,
        view=view,
        office=office,
        data=data,
        as_of=as_of,
        bundle=None,
        registering=False,
    )
    recorder = (
        acceptance.actor
        if acceptance.staff
        else Actor(
            kind="system",
            label="re-employment report recorded (再就业报告)",
            office_code=office.code,
        )
    )
    _approve(
        application,
        item=item,
        view=view,
        actor=recorder,
        office_id=office.pk,
        checklist={c.code: True for c in item.initial_review} | {"_by": recorder.kind},
        reasons=[],
        assessment=assessment,
        as_of=as_of,
    )
    running = view.running_ui_entitlement()
    if running is not None:
        # Payments stop from the job's date at once (a suspension); the paying agency reviews
        # the report and its confirmation ends the benefit (integrity subscribes).
        publish(
            REEMPLOYMENT_REPORT_RECORDED,
            ReemploymentReportRecorded(
                reference=application.reference, person_id=person.pk, entitlement_id=running.pk,
                start_date=start_date, employer_uscc=employer_uscc or None,
                employer_name=employer_name, office_code=office.code, as_of=as_of,
            ),
        )  # fmt: skip
    entitlement_region = assessment.paying_region
    outbox_emit(
        REEMPLOYMENT_REPORTED,
        {
            "reference": application.reference,
            "person_id": person.pk,
            "date": start_date.isoformat(),
            "employer_uscc": employer_uscc,
            "employer_name": employer_name,
            "paying_region": entitlement_region,
            "paying_agency": agency_for_region(
                region_id=region_get(code=entitlement_region).pk
            ).code
            if entitlement_region
            else None,
        },
    )
    return application
