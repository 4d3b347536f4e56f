"""Writing cases: accept anywhere, review where responsible, route to the insured region.

Each entry point is one durable transaction. Nothing is decided against the rules
engine: an approval is refused while the engine says the person is not eligible,
and a re-review approval creates the entitlement with the engine's figures in the
fund of the insured region (which is the reviewing agency's region: funds never cross).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from tongban.benefits.selectors import entitlement_get, overpayment_get
from tongban.benefits.services import entitlement_create, entitlement_stop, overpayment_repay
from tongban.cases import facts as case_facts
from tongban.cases.archive import archive_seal
from tongban.cases.facts import PersonView, application_assessment, person_view
from tongban.cases.models import (
    ONLINE_CHANNELS,
    OPEN_STATUSES,
    Application,
    Bundle,
    Channel,
    ParameterSetRecord,
    Status,
    Task,
)
from tongban.cases.selectors import decision_refusal
from tongban.cases.tallies import tally_reroute
from tongban.cases.workflow import transition
from tongban.catalogue.selectors import ItemDefinition, catalogue_current, due_date, item_get
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint, require_transaction
from tongban.regions.selectors import (
    StaffInfo,
    agency_for_region,
    default_office_for_region,
    office_get,
    region_get,
)
from tongban.registry.selectors import employer_get, person_by_pk, person_get
from tongban.registry.services import registration_open
from tongban.rules.result import Assessment

REEMPLOYMENT_REPORTED = "cases.reemployment_reported"
TRANSFER_COMPLETED = "cases.transfer_completed"
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


@dataclass(frozen=True)
class Acceptance:
    """Where and how an application comes in: the office that accepts it, and by which door."""

    actor: Actor
    channel: str
    office_code: str | None  # None: the default office for the person's residence
    staff: StaffInfo | None = None
    client_id: int | None = None


def new_reference(prefix: str, on: date) -> str:
    tail = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}{on:%Y%m%d}{tail}"


def _accepting_office(acceptance: Acceptance, person: Any) -> Any:
    if acceptance.staff is not None:
        if not acceptance.staff.has_role("acceptor"):
            raise Forbidden("Accepting applications needs the acceptor role.", code="role_required")
        own = acceptance.staff.office
        if acceptance.office_code and acceptance.office_code != own.code:
            raise Forbidden(
                f"A caseworker accepts at their own office ({own.code}), not at {acceptance.office_code}.",
                code="not_own_office",
            )
        return own
    if acceptance.office_code:
        try:
            return office_get(code=acceptance.office_code)
        except NotFound:
            raise InvalidInput.of(
                "office",
                "unknown_office",
                f"Unknown office {acceptance.office_code!r}; see GET /offices.",
            ) from None
    return default_office_for_region(region_id=person.residence_region_id)


def _item(code: str, channel: str) -> ItemDefinition:
    try:
        item = item_get(code)
    except NotFound:
        raise InvalidInput.of(
            "item", "unknown_item", f"Unknown item {code!r}; see GET /items."
        ) from None
    if channel not in item.channels:
        if item.channels == ("automatic",):
            raise InvalidInput.of(
                "item",
                "automatic_item",
                "This item is done by the system without an application (免申即办).",
            )
        raise InvalidInput.of(
            "item",
            "channel_not_allowed",
            f"{item.name.en} cannot be applied for through {channel}.",
        )
    return item


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


def _seen(assessment: Assessment, snapshot: dict[str, Any] | None = None) -> dict[str, Any]:
    seen: dict[str, Any] = {"assessment": assessment.to_dict()}
    if snapshot is not None:
        seen["registry"] = snapshot
    return seen


def _reasons_of(assessment: Assessment) -> list[dict[str, str]]:
    return [
        {"code": r.code, "zh": r.zh, "en": r.en} for r in assessment.reasons if r.kind != "note"
    ]


def _create(
    *,
    acceptance: Acceptance,
    item: ItemDefinition,
    view: PersonView,
    office: Any,
    data: dict[str, Any],
    as_of: date,
    bundle: Bundle | None,
    registering: bool,
) -> Application:
    """Create one application in status initial review (or fail on a duplicate)."""
    person = view.person
    assessment = view.assessment(
        item_code=item.code, as_of=as_of, data=data, registering=registering
    )
    snapshot = view.snapshot(as_of=as_of)
    snapshot["assessment"] = assessment.to_dict()
    insured = view.insured_region(as_of)
    application = Application(
        reference=new_reference("TB", as_of),
        person=person,
        item_code=item.code,
        catalogue_version=item.catalogue_version,
        pays_money=item.pays_money,
        bundle=bundle,
        channel=acceptance.channel,
        client_id=acceptance.client_id,
        submitted_by_user_id=acceptance.actor.user_id,
        accepting_office=office,
        accepting_region=office.region,
        insured_region=insured,
        reviewing_office=(
            agency_for_region(region_id=insured.pk) if item.pays_money and insured else None
        ),
        data=data,
        snapshot=snapshot,
        submitted_at=clock.now(),
        submitted_on=as_of,
        due_date=due_date(start=as_of, working_days=item.time_limit_working_days),
    )
    try:
        with transaction.atomic():
            transition(
                application,
                outcome="submit",
                actor=acceptance.actor,
                office_id=office.pk,
                seen=_seen(assessment),
                as_of=as_of,
            )
    except IntegrityError:
        existing = Application.objects.filter(
            person=person, item_code=item.code, status__in=OPEN_STATUSES
        ).first()
        if existing is None:
            raise
        raise Conflict(
            f"{person.name} already has an open application for this item ({existing.reference}).",
            code="duplicate_application",
            extra={"existing_reference": existing.reference},
        ) from None
    _record_parameters()
    return application


def _system_initial_review(
    application: Application, item: ItemDefinition, as_of: date, view: PersonView
) -> None:
    """An online application whose data checks all pass gets a recorded system initial review."""
    if application.channel not in ONLINE_CHANNELS or not item.system_initial_review:
        return
    if application.data.get("contest"):
        return  # a contested separation reason needs a caseworker's re-verification
    assessment = application_assessment(application, view=view, as_of=as_of)
    if not assessment.eligible or assessment.pending:
        return  # a person decides; the system never refuses on its own (PIPL art. 24)
    system = Actor(
        kind="system",
        label="system initial review (系统初审)",
        office_code=application.accepting_office.code,
    )
    _approve(
        application,
        item=item,
        view=view,
        actor=system,
        office_id=application.accepting_office_id,
        checklist={c.code: True for c in item.initial_review} | {"_by": "system"},
        reasons=[],
        assessment=assessment,
        as_of=as_of,
    )


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
    application.reviewing_office = agency_for_region(region_id=insured.pk)
    application.save(update_fields=["insured_region", "reviewing_office"])
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
) -> None:
    stage = application.status
    if stage == Status.INITIAL_REVIEW and application.pays_money:
        _route(application, as_of, view)
    transition(
        application,
        outcome="approve",
        actor=actor,
        office_id=office_id,
        reasons=reasons,
        checklist=checklist,
        seen=_seen(assessment, view.snapshot(as_of=as_of)),
        as_of=as_of,
    )
    if application.status == Status.COMPLETED:
        _complete(application, actor=actor, as_of=as_of)
    elif application.status == Status.APPROVED:
        _grant(application, actor=actor, assessment=assessment, as_of=as_of)
    _finish(application, as_of)


def _complete(application: Application, *, actor: Actor, as_of: date) -> None:
    """What a completed item that pays nothing does, at the accepting office."""
    person = application.person
    source = application.reference
    office = application.accepting_office
    if application.item_code == "unemployment_registration":
        registration_open(
            actor=actor,
            person=person,
            kind="unemployment",
            region_id=office.region_id,
            office_id=office.pk,
            start_date=application.submitted_on,
            source=source,
        )
    elif application.item_code == "employment_registration":
        registration_open(
            actor=actor,
            person=person,
            kind="employment",
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


def _grant(application: Application, *, actor: Actor, assessment: Assessment, as_of: date) -> None:
    """The re-review approved: the entitlement, in the reviewing agency's own fund."""
    reviewing = application.reviewing_office
    if reviewing is None or assessment.paying_region != reviewing.region.code:
        raise Conflict(
            "The paying region is not this agency's region: funds never cross. "
            "The person's insured region changed since routing; send the case back to initial review.",
            code="paying_region_mismatch",
        )
    details = dict(assessment.details)
    entitlement_create(
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
        explanation=assessment.to_dict(),
        parameter_set_version=assessment.parameter_set_version,
        catalogue_version=application.catalogue_version,
        office_code=reviewing.code,
    )


def _as_int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _finish(application: Application, as_of: date) -> None:
    """Seal a finished case; a refused or withdrawn part of a bundle takes the rest with it."""
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
def application_submit(
    *,
    acceptance: Acceptance,
    item_code: str,
    id_number: str,
    data: dict[str, Any] | None,
    as_of: date,
) -> Application:
    """Accept one application at an office (a window) or from an online channel."""
    item = _item(item_code, acceptance.channel)
    person = person_get(id_number=id_number, as_of=as_of)
    office = _accepting_office(acceptance, person)
    view = person_view(person)
    application = _create(
        acceptance=acceptance,
        item=item,
        view=view,
        office=office,
        data=_clean_data(item.code, data),
        as_of=as_of,
        bundle=None,
        registering=False,
    )
    _system_initial_review(application, item, as_of, view)
    return application


def _clean_data(item_code: str, data: dict[str, Any] | None) -> dict[str, Any]:
    """Keep only what the item uses, validated; everything else is pulled, not brought."""
    data = dict(data or {})
    allowed = {
        "ui_benefit": {"contest"},
        "unemployment_subsidy": set(),
        "skill_subsidy": {"certificate"},
        "funeral_survivor": {"applicant", "date_of_death", "funeral_grant_elsewhere"},
        "training_subsidy": {"training"},
        "rural_worker_allowance": {"rural_contract_worker"},
        "reemployment_report": {"date", "employer_uscc"},
    }.get(item_code, set())
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput.of(
            f"data.{unknown[0]}",
            "unexpected",
            f"{item_code} takes no {unknown[0]!r}; it is pulled from the registry.",
        )
    _validate_dates(data)
    return data


def _validate_dates(data: dict[str, Any]) -> None:
    def check(path: str, value: Any) -> None:
        try:
            date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput.of(
                path, "date", f"{value!r} is not a date of the form YYYY-MM-DD."
            ) from None

    for key in ("date_of_death", "date"):
        if key in data:
            check(f"data.{key}", data[key])
    for key, field in (("certificate", "issued_on"), ("training", "completed_on")):
        if key in data:
            if not isinstance(data[key], dict) or field not in data[key]:
                raise InvalidInput.of(
                    f"data.{key}.{field}", "required", f"{key}.{field} is required."
                )
            check(f"data.{key}.{field}", data[key][field])
    contest = data.get("contest")
    if contest is not None and (
        not isinstance(contest, dict) or not contest.get("claimed_reason_code")
    ):
        raise InvalidInput.of(
            "data.contest.claimed_reason_code",
            "required",
            "A contest names the reason the person says is true (claimed_reason_code).",
        )
    if isinstance(contest, dict):
        contest.pop("outcome", None)  # only a caseworker's re-verification sets it
        contest.pop("decided_on", None)


def _transfer_needed(view: PersonView, as_of: date) -> bool:
    """The relationship must move when contributions sit in a region other than the insured one."""
    insured = view.insured_region(as_of)
    return insured is not None and any(
        region != insured.code for _, region in view.record.contributions_until(as_of)
    )


@dataclass(frozen=True)
class BundleResult:
    bundle: Bundle
    applications: list[Application]


@entrypoint
def bundle_submit(
    *, acceptance: Acceptance, kind: str, id_number: str, as_of: date
) -> BundleResult:
    """The unemployment "one thing": registration + UI benefit (+ transfer), all or nothing."""
    catalogue = catalogue_current()
    definition = catalogue.bundles.get(kind)
    if definition is None:
        raise InvalidInput.of(
            "kind", "unknown_bundle", f"Unknown bundle {kind!r}; the one bundle is 'unemployment'."
        )
    person = person_get(id_number=id_number, as_of=as_of)
    office = _accepting_office(acceptance, person)
    bundle = Bundle.objects.create(
        reference=new_reference("TBB", as_of),
        kind=kind,
        person=person,
        accepting_office=office,
        channel=acceptance.channel,
        submitted_at=clock.now(),
    )
    view = person_view(person)
    applications = []
    for code in definition.items:
        if code == "ui_transfer" and not _transfer_needed(view, as_of):
            continue
        channel = "automatic" if code == "ui_transfer" else acceptance.channel
        item = catalogue.item(code)
        sub = Acceptance(
            acceptance.actor, channel, office.code, acceptance.staff, acceptance.client_id
        )
        applications.append(
            _create(
                acceptance=sub,
                item=item,
                view=view,
                office=office,
                data={},
                as_of=as_of,
                bundle=bundle,
                registering=code == "ui_benefit",
            )
        )
    for application in applications:
        item = catalogue.item(application.item_code)
        if application.item_code == "ui_transfer":
            _automatic(application, item, as_of, view)
        else:
            _system_initial_review(application, item, as_of, view)
            if application.status == Status.COMPLETED:
                view = person_view(person)  # the registration just opened: read it back
    return BundleResult(bundle, applications)


def _automatic(
    application: Application, item: ItemDefinition, as_of: date, view: PersonView
) -> None:
    """免申即办: the system completes the transfer at once, as an explicit, audited actor."""
    system = Actor(
        kind="system",
        label="automatic transfer (免申即办)",
        office_code=application.accepting_office.code,
    )
    assessment = view.assessment(item_code=item.code, as_of=as_of)
    _approve(
        application,
        item=item,
        view=view,
        actor=system,
        office_id=application.accepting_office_id,
        checklist={c.code: True for c in item.initial_review} | {"_by": "system"},
        reasons=[],
        assessment=assessment,
        as_of=as_of,
    )


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
    found = Task.objects.filter(pk=task_id).values_list("application_id", "stage").first()
    if found is None:
        raise NotFound(f"No task {task_id}.", code="unknown_task")
    application_id, stage = found
    if application_id is None:
        raise Conflict(
            f"Task {task_id} is a {stage.replace('_', ' ')}, not a case review; "
            "its own service decides it.",
            code="not_a_case_task",
        )
    # Lock in a fixed order: the application, then its task.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related(
            "person__residence_region",
            "accepting_office__region",
            "reviewing_office__region",
            "bundle",
        )
        .get(pk=application_id)
    )
    task = Task.objects.select_for_update(of=("self",)).select_related("office").get(pk=task_id)
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
    view = person_view(application.person)
    assessment = application_assessment(application, view=view, as_of=as_of)
    if outcome != "approve":
        transition(
            application,
            outcome=outcome,
            actor=actor,
            office_id=staff.office.pk,
            reasons=reason_rows,
            checklist=record,
            seen=_seen(assessment),
            as_of=as_of,
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
            + "; ".join(r.en for r in assessment.reasons if r.kind == "refusal")
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
    person = person_get(id_number=id_number, as_of=as_of)
    employer_name = None
    if employer_uscc:
        try:
            employer_name = employer_get(uscc=employer_uscc).name
        except NotFound:
            employer_name = None  # a new employer not yet known here is still a job
    office = _accepting_office(acceptance, person)
    data = {"date": start_date.isoformat(), "employer_uscc": employer_uscc or None}
    view = person_view(person)
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
        # The person's own report of a new job stops the benefit from that date.
        entitlement_stop(
            actor=recorder, entitlement_id=running.pk, kind="reemployment", on=start_date,
            reasons=[f"re-employment reported ({application.reference})"], office_code=office.code,
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


# ---- tasks about subjects of other contexts (findings, family invitations) ------------------


@dataclass(frozen=True)
class SubjectTask:
    """A task to open in an office's queue about a subject another context owns."""

    stage: str
    office_id: int
    person_id: int
    reference: str
    due_date: date


SUBJECT_STAGES = (Task.Stage.FINDING_REVIEW, Task.Stage.FAMILY_INVITATION)


def subject_tasks_open(*, tasks: list[SubjectTask]) -> list[Task]:
    """Open tasks about other contexts' subjects, set-based, in the caller's transaction.

    Returns the tasks in the order given (with ids), for the subjects to link to them.
    """
    require_transaction("subject_tasks_open")
    for spec in tasks:
        if spec.stage not in SUBJECT_STAGES:
            raise ValueError(f"{spec.stage} is not a stage about another context's subject")
    now = clock.now()
    return Task.objects.bulk_create(
        [
            Task(
                stage=spec.stage,
                office_id=spec.office_id,
                person_id=spec.person_id,
                reference=spec.reference,
                created_at=now,
                due_date=spec.due_date,
            )
            for spec in tasks
        ],
        batch_size=2000,
    )


def subject_tasks_close(*, task_ids: list[int]) -> int:
    """Close open subject tasks (decided, or their subject was settled otherwise)."""
    require_transaction("subject_tasks_close")
    return Task.objects.filter(pk__in=task_ids, is_open=True, application__isnull=True).update(
        is_open=False, closed_at=clock.now()
    )


@entrypoint
def ui_transfer_record(
    *, person_id: int, to_region_id: int, data: dict[str, Any], as_of: date
) -> Application:
    """Item 7 done without an application (免申即办): the UI relationship moved to
    ``to_region_id``. An application accepted by that region's agency, completed at once by the
    system as an explicit, audited actor; the person sees it in the portal like any other."""
    item = catalogue_current().item("ui_transfer")
    person = person_by_pk(pk=person_id)
    office = agency_for_region(region_id=to_region_id)
    system = Actor(kind="system", label="automatic transfer (免申即办)", office_code=office.code)
    view = person_view(person)
    application = _create(
        acceptance=Acceptance(system, "automatic", office.code),
        item=item,
        view=view,
        office=office,
        data=data,
        as_of=as_of,
        bundle=None,
        registering=False,
    )
    _automatic(application, item, as_of, view)
    return application


__all__ = [
    "Acceptance",
    "BundleResult",
    "Channel",
    "DomainError",
    "application_resubmit",
    "application_submit",
    "application_withdraw",
    "bundle_submit",
    "reemployment_report_submit",
    "subject_tasks_close",
    "subject_tasks_open",
    "task_decide",
    "ui_transfer_record",
]


def _paying_agency_staff(staff: StaffInfo, region_id: int, role: str, what: str) -> None:
    if staff.office.region_id != region_id or not staff.office.is_insurance_agency:
        raise Forbidden(
            f"Only the paying region's agency {what}; you work at {staff.office.name_zh}.",
            code="not_paying_agency",
        )
    if not staff.has_role(role):
        raise Forbidden(f"This needs the {role} role.", code="role_required")


@entrypoint
def entitlement_stop_decide(
    *,
    actor: Actor,
    staff: StaffInfo,
    entitlement_id: int,
    kind: str,
    on: date,
    reasons: list[str],
    as_of: date,
) -> Application:
    """A reviewer of the paying agency decides that a stop event ends a benefit (a human decision)."""
    entitlement = entitlement_get(entitlement_id=entitlement_id)
    _paying_agency_staff(staff, entitlement.paying_region_id, "reviewer", "stops this benefit")
    clean = [r.strip() for r in reasons if r and r.strip()]
    if not clean:
        raise InvalidInput.of(
            "reasons", "required", "A stop needs the reasons the person will read."
        )
    if on > as_of:
        raise InvalidInput.of(
            "date", "future_date", "A stop is decided for an event that has happened."
        )
    entitlement_stop(
        actor=actor, entitlement_id=entitlement_id, kind=kind, on=on, reasons=clean,
        office_code=staff.office.code,
    )  # fmt: skip
    return Application.objects.select_related(
        "person", "accepting_office__region", "reviewing_office__region", "insured_region", "bundle"
    ).get(reference=entitlement.application_reference)


@entrypoint
def overpayment_repayment_record(
    *,
    actor: Actor,
    staff: StaffInfo,
    overpayment_id: int,
    amount_fen: int,
    on: date,
    reference: str,
) -> Any:
    """Finance at the paying agency records a repayment of an overpayment (a receipt)."""
    overpayment = overpayment_get(overpayment_id=overpayment_id)
    _paying_agency_staff(staff, overpayment.paying_region_id, "finance", "records this repayment")
    return overpayment_repay(
        actor=actor,
        overpayment_id=overpayment_id,
        amount_fen=amount_fen,
        on=on,
        reference=reference,
    )
