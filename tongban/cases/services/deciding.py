"""Deciding: initial review at the accepting office, routing to the insured region's agency,
re-review there; an approval creates the entitlement in that agency's own fund."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from tongban.benefits.services import entitlement_create
from tongban.cases import facts as case_facts
from tongban.cases.archive import archive_seal
from tongban.cases.facts import PersonView, application_decision
from tongban.cases.models import (
    OPEN_STATUSES,
    Application,
    ParameterSetRecord,
    Status,
    Task,
)
from tongban.cases.selectors import decision_refusal, task_with_application_locked
from tongban.cases.tallies import tally_reroute
from tongban.cases.workflow import transition
from tongban.catalogue.selectors import ItemDefinition, catalogue_current
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.canonical import CanonicalJson
from tongban.core.errors import Conflict, InvalidInput, NotFound
from tongban.core.outbox import outbox_emit
from tongban.core.prepared import Writes
from tongban.core.transactions import entrypoint
from tongban.regions.selectors import (
    StaffInfo,
)
from tongban.registry.services import registration_open
from tongban.rules.result import Assessment

if TYPE_CHECKING:
    from tongban.benefits.models import Entitlement

TRANSFER_COMPLETED = "cases.transfer_completed"


_recorded_parameter_versions: set[str] = set()


def _record_parameters() -> str:
    """Keep the exact parameter files of a version once, so any decision can be recomputed."""
    params = case_facts.parameters()
    if params.version in _recorded_parameter_versions:
        return params.version
    if not ParameterSetRecord.objects.filter(version=params.version).exists():
        try:
            with transaction.atomic():
                ParameterSetRecord.objects.create(
                    version=params.version, texts=params.texts(), recorded_at=clock.now()
                )
        except IntegrityError:
            pass  # recorded concurrently
    transaction.on_commit(lambda: _recorded_parameter_versions.add(params.version))
    return params.version


@entrypoint
def parameters_load() -> str:
    """``tongban init``: read and validate the policy parameter files (a broken file stops init,
    not the first assessment) and keep the exact texts of the current set; its version."""
    return _record_parameters()


def _seen(
    assessed: dict[str, Any],
    snapshot: dict[str, Any] | None = None,
    inputs: dict[str, Any] | None = None,
) -> CanonicalJson:
    """What a step records its actor saw: the assessment (``Assessment.to_dict()``, made once per
    step and shared with what else the step stores), the rules' inputs, the registry. The parts
    that are ``CanonicalJson`` already are not encoded again."""
    seen: dict[str, Any] = {"assessment": assessed}
    if inputs is not None:
        seen["inputs"] = inputs  # the rules engine's input, as recorded (rules.record)
    if snapshot is not None:
        seen["registry"] = snapshot
    return CanonicalJson.of(seen)


def _reasons_of(assessment: Assessment) -> list[dict[str, str]]:
    return [
        {"code": r.code, "zh": r.zh, "en": r.en} for r in assessment.reasons if r.kind != "note"
    ]


def _route(application: Application, as_of: date, view: PersonView) -> None:
    """Assign a paying item to the agency of the insured region (docs/routing.md)."""
    insured = view.insured_region(as_of)
    if insured is None:
        raise Conflict(
            "The person has never been insured, so there is no fund to pay from; reject instead.",
            code="no_insured_region",
        )
    previous = application.insured_region_id
    application.insured_region = insured
    reviewing = application.reviewing_office
    if reviewing is None or reviewing.region_id != insured.pk:
        application.reviewing_office = view.agency(insured)
    # Saved with the approval's status change (``transition``), in the same transaction.
    tally_reroute(application, previous_insured_region_id=previous)


def _approve(
    application: Application,
    *,
    item: ItemDefinition,
    view: PersonView,
    actor: Actor,
    office_id: int,
    checklist: dict[str, Any],
    reasons: list[dict[str, str]],
    assessment: Assessment,
    as_of: date,
    inputs: dict[str, Any] | None = None,
    task: Task | None = None,
) -> None:
    stage = application.status
    if stage == Status.INITIAL_REVIEW and application.pays_money:
        _route(application, as_of, view)
    # Encoded once: what the reviewer saw holds them, and so does the entitlement.
    assessed = CanonicalJson.of(assessment.to_dict())
    recorded = CanonicalJson(inputs) if inputs is not None else None
    # A re-review's approval sends the step's rows, the entitlement's audit and outbox rows and
    # the sealed archive in one round trip (the entitlement's insert goes first: its id).
    with Writes() as writes:
        step = transition(
            application,
            outcome="approve",
            actor=actor,
            office_id=office_id,
            reasons=reasons,
            checklist=checklist,
            seen=_seen(assessed, view.snapshot(as_of=as_of), recorded),
            as_of=as_of,
            task=task,
            writes=writes,
        )
        if application.status == Status.APPROVED:
            granted = _grant(
                application,
                actor=actor,
                assessment=assessment,
                assessed=assessed,
                as_of=as_of,
                inputs=recorded,
                writes=writes,
            )
            archive_seal(application, granted, writes, last_step=step)
    if application.status == Status.COMPLETED:
        _complete(application, actor=actor, as_of=as_of)
        _finish(application, as_of)


def _complete(application: Application, *, actor: Actor, as_of: date) -> None:
    """What a completed item that pays nothing does, at the accepting office."""
    person = application.person
    source = application.reference
    office = application.accepting_office
    registering = {
        "unemployment_registration": "unemployment",
        "employment_registration": "employment",
    }
    if application.item_code in registering:
        registration_open(
            actor=actor,
            person=person,
            kind=registering[application.item_code],
            region_id=office.region_id,
            office_id=office.pk,
            start_date=application.submitted_on,
            source=source,
        )
    elif application.item_code == "ui_transfer":
        outbox_emit(
            TRANSFER_COMPLETED,
            {
                "reference": source,
                "person_id": person.pk,
                "to_region": application.snapshot.get("insured_region"),
            },
        )


def _grant(
    application: Application,
    *,
    actor: Actor,
    assessment: Assessment,
    assessed: CanonicalJson,
    as_of: date,
    inputs: CanonicalJson | None = None,
    writes: Writes | None = None,
) -> Entitlement:
    """The re-review approved: the entitlement, in the reviewing agency's own fund, with the
    assessment (``assessed``: its ``to_dict()``) and the inputs it was computed from
    (``explanation.inputs``); its audit and outbox rows go with ``writes``."""
    reviewing = application.reviewing_office
    if reviewing is None or assessment.paying_region != reviewing.region.code:
        raise Conflict(
            "The paying region is not this agency's region: funds never cross. "
            "The person's insured region changed since routing; send the case back to initial review.",
            code="paying_region_mismatch",
        )
    details = dict(assessment.details)
    entitlement = entitlement_create(
        actor=actor,
        person_id=application.person_id,
        item_code=application.item_code,
        application_reference=application.reference,
        paying_region_id=reviewing.region_id,
        determined_on=as_of,
        start_month=assessment.start,
        months=assessment.months or 0,
        monthly_amount_fen=assessment.monthly_amount_fen,
        medical_premium_fen=assessment.medical_premium_fen,
        amount_fen=assessment.amount_fen,
        contribution_months_used=_as_int(details.get("contribution_months")),
        explanation=CanonicalJson.of(assessed, {"inputs": inputs} if inputs else {}),
        parameter_set_version=assessment.parameter_set_version,
        catalogue_version=application.catalogue_version,
        office_code=reviewing.code,
        writes=writes,
    )
    entitlement.paying_region = reviewing.region  # already loaded: the archive names it
    return entitlement


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _finish(application: Application, as_of: date) -> None:
    """Seal a finished case that granted nothing (an approval that grants seals its archive with
    the entitlement, in ``_approve``); a refused or withdrawn part of a bundle takes the rest
    with it."""
    if application.status in OPEN_STATUSES:
        return
    archive_seal(application)
    if application.bundle_id is None or application.status not in (
        Status.REJECTED,
        Status.WITHDRAWN,
    ):
        return
    system = Actor(
        kind="system",
        label="one-thing bundle (一件事)",
        office_code=application.accepting_office.code,
    )
    partners = (
        Application.objects.select_for_update(of=("self",))
        .filter(bundle_id=application.bundle_id, status__in=OPEN_STATUSES)
        .exclude(pk=application.pk)
        .select_related("person", "accepting_office", "bundle")
        .order_by("id")
    )
    for partner in partners:
        transition(
            partner,
            outcome="reject" if partner.status != Status.RETURNED else "withdraw",
            actor=system,
            office_id=partner.accepting_office_id,
            reasons=[
                {
                    "code": "bundle_failed",
                    "text": f"The bundle's {application.item_code} was {application.status}; "
                    "the parts of a bundle succeed or fail together.",
                }
            ],
            as_of=as_of,
        )
        archive_seal(partner)


@entrypoint
def task_decide(
    *,
    actor: Actor,
    staff: StaffInfo,
    task_id: int,
    outcome: str,
    reasons: list[str] | None,
    checklist: dict[str, Any] | None,
    verification: dict[str, Any] | None,
    as_of: date,
) -> Application:
    """A caseworker decides a task of their own office: approve, reject or return."""
    if outcome not in ("approve", "reject", "return"):
        raise InvalidInput.of("outcome", "outcome", "outcome must be approve, reject or return.")
    found = task_with_application_locked(task_id=task_id)
    if found is None:
        stage = Task.objects.filter(pk=task_id).values_list("stage", flat=True).first()
        if stage is None:
            raise NotFound(f"No task {task_id}.", code="unknown_task")
        raise Conflict(
            f"Task {task_id} is a {stage.replace('_', ' ')}, not a case review; "
            "its own service decides it.",
            code="not_a_case_task",
        )
    task, view = found
    application = task.application
    assert application is not None
    refusal = decision_refusal(task=task, application=application, staff=staff)
    if refusal is not None:
        raise refusal
    item = catalogue_current().item(application.item_code)
    clean_reasons = [r.strip() for r in (reasons or []) if r and r.strip()]
    if outcome in ("reject", "return") and not clean_reasons:
        raise InvalidInput.of(
            "reasons", "required", f"A {outcome} needs at least one reason the person can read."
        )
    checks = item.initial_review if task.stage == Task.Stage.INITIAL_REVIEW else item.re_review
    record = _checklist(checks, checklist, outcome)
    if verification:
        application.data = _verified(application, task, verification, as_of)
        application.save(update_fields=["data"])
    reason_rows = [{"code": "caseworker", "text": r} for r in clean_reasons]
    assessment, inputs = application_decision(application, view=view, as_of=as_of)
    # The parameters may be newer than those recorded at acceptance: keep the ones decided under.
    _record_parameters()
    if outcome != "approve":
        transition(
            application,
            outcome=outcome,
            actor=actor,
            office_id=staff.office.pk,
            reasons=reason_rows,
            checklist=record,
            seen=_seen(assessment.to_dict(), inputs=inputs),
            as_of=as_of,
            task=task,
        )
        _finish(application, as_of)
        return application
    if assessment.pending:
        raise Conflict(
            "The rules cannot decide yet: "
            + "; ".join(r.en for r in assessment.reasons if r.kind == "pending"),
            code="not_decidable",
            extra={"reasons": _reasons_of(assessment)},
        )
    if not assessment.eligible:
        raise Conflict(
            "The person is not eligible, so this cannot be approved: "
            + "; ".join(r.en.rstrip(".") for r in assessment.reasons if r.kind == "refusal")
            + ". Reject with these reasons, or return the case if something must be corrected.",
            code="not_eligible",
            extra={"reasons": _reasons_of(assessment)},
        )
    _approve(
        application,
        item=item,
        view=view,
        actor=actor,
        office_id=staff.office.pk,
        checklist=record,
        reasons=reason_rows,
        assessment=assessment,
        as_of=as_of,
        inputs=inputs,
        task=task,
    )
    return application


def _checklist(
    checks: tuple[Any, ...], given: dict[str, Any] | None, outcome: str
) -> dict[str, Any]:
    """The stage's checklist as recorded: every check named; an approval confirms them all."""
    codes = [c.code for c in checks]
    if given is None:
        return {code: outcome == "approve" for code in codes} | {"_given": False}
    unknown = sorted(set(given) - set(codes))
    if unknown:
        raise InvalidInput.of(
            f"checklist.{unknown[0]}",
            "unknown_check",
            f"{unknown[0]!r} is not on this stage's checklist ({', '.join(codes)}).",
        )
    if outcome == "approve":
        open_checks = [c for c in codes if given.get(c) is not True]
        if open_checks:
            raise InvalidInput.of(
                f"checklist.{open_checks[0]}",
                "unchecked",
                f"An approval needs every check confirmed; not confirmed: {', '.join(open_checks)}.",
            )
    return {code: bool(given.get(code, False)) for code in codes} | {"_given": True}


def _verified(
    application: Application, task: Task, verification: dict[str, Any], as_of: date
) -> dict[str, Any]:
    """A caseworker's re-verification of a contested separation reason (initial review only)."""
    outcome = verification.get("contest")
    if set(verification) != {"contest"} or outcome not in ("upheld", "rejected"):
        raise InvalidInput.of(
            "verification.contest",
            "verification",
            'verification is {"contest": "upheld" | "rejected"}.',
        )
    if task.stage != Task.Stage.INITIAL_REVIEW or not application.data.get("contest"):
        raise InvalidInput.of(
            "verification.contest",
            "no_contest",
            "Only the initial review re-verifies a contest, and only a contested case has one.",
        )
    return case_facts.with_contest_outcome(application.data, outcome, on=as_of)
