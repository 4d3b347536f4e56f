"""Writing findings (比对疑点): raised set-based with a suspension, decided by a person.

``findings_raise`` is the one path every check takes — the real-time hooks (a hire, a
contribution month) and the national comparison files alike: in the caller's transaction
it drops evidence already recorded, opens a ``finding_review`` task at the deciding agency
(the paying region's), writes the findings, suspends the running benefits (payments held
from the event's month), audits, and queues a notice to each person in the outbox. Every
step is one statement per batch, so a file with thousands of matches costs a few queries.

``finding_decide`` is the human decision (PIPL art. 24), by a reviewer of that agency, with
reasons: **confirm** ends the benefit from the event's date (``benefits.entitlement_stop``:
later months cancelled, months already paid become an overpayment to recover); **lift**
resumes it, and the months held are paid by the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from tongban.benefits.hooks import EntitlementEnded
from tongban.benefits.selectors import entitlement_get, running_entitlements_for
from tongban.benefits.services import (
    Suspension,
    entitlement_holds_cancel,
    entitlement_holds_release,
    entitlement_resume,
    entitlement_stop,
    entitlements_suspend,
)
from tongban.cases.hooks import ReemploymentReportRecorded
from tongban.cases.selectors import task_get
from tongban.cases.services import (
    SubjectTask,
    new_reference,
    subject_tasks_close,
    subject_tasks_open,
)
from tongban.catalogue.selectors import due_date
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import AuditItem, audit_record, audit_record_many
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.core.notices import Notice, notice_queue
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint, require_transaction
from tongban.integrity import notices as texts
from tongban.integrity.models import Finding
from tongban.regions.selectors import StaffInfo, agency_for_region
from tongban.registry.hooks import ContributionsRecorded, SpellsStarted
from tongban.registry.selectors import contribution_months_for, persons_by_ids

FINDING_RAISED = "integrity.finding_raised"
FINDING_DECIDED = "integrity.finding_decided"
REVIEW_WORKING_DAYS = 10  # the agency decides within 10 working days (demo, like a claim)
FAMILY_WORKING_DAYS = 10
REAL_TIME = Actor.system("real-time check (实时比对)")
FINDING_LOCK = 7302  # the advisory-lock class of findings, per person

# The stop a confirmation decides, by the finding's source (Regulation art. 15; SIL art. 51).
STOP_KIND = {
    Finding.Source.HIRE: "reemployment",
    Finding.Source.REEMPLOYMENT_REPORT: "reemployment",
    Finding.Source.CONTRIBUTION: "reemployment",
    Finding.Source.NEW_HIRE: "reemployment",
    Finding.Source.DEATH: "death",
    Finding.Source.PENSION_START: "pension_start",
    Finding.Source.IMPRISONMENT: "imprisonment",
    Finding.Source.OTHER_PROVINCE_BENEFIT: "other_province_benefit",
}

# outcome of POST /tasks/{id}/decision → what it does to a finding
DECISIONS = {"approve": "confirm", "reject": "lift"}


@dataclass(frozen=True)
class Candidate:
    """Evidence that may become a finding: about a running entitlement or an open application.

    ``dedup_key`` names the evidence: the same key twice (a file loaded again, the same hire
    reported by the employer and by the national file) adds nothing.
    """

    person_id: int
    source: str
    event_date: date
    dedup_key: str
    evidence: dict[str, Any] = field(default_factory=dict)
    entitlement: Any | None = None
    application: Any | None = None


def _deciding_region(candidate: Candidate) -> int:
    if candidate.entitlement is not None:
        return int(candidate.entitlement.paying_region_id)
    application = candidate.application
    assert application is not None  # a candidate has one subject
    return int(application.insured_region_id or application.accepting_region_id)


def _known_keys(keys: Iterable[str]) -> set[str]:
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 5000):
        found.update(
            Finding.objects.filter(dedup_key__in=wanted[start : start + 5000]).values_list(
                "dedup_key", flat=True
            )
        )
    return found


def findings_raise(*, actor: Actor, candidates: list[Candidate], found_on: date) -> list[Finding]:
    """Record new findings, open their reviews, suspend, audit and notify; set-based.

    In the caller's transaction (a hire, an import). Returns only the findings created.
    """
    require_transaction("findings_raise")
    if not candidates:
        return []
    if connection.vendor == "postgresql":
        # The same evidence from two transactions at once (a file loaded twice, a hire and the
        # national file): the second waits for the first per person, then finds the key taken.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::bigint << 32 | k) "
                "FROM unnest(%s::bigint[]) AS k ORDER BY k",
                [FINDING_LOCK, sorted({c.person_id for c in candidates})],
            )
    known = _known_keys(c.dedup_key for c in candidates)
    fresh: list[Candidate] = []
    for candidate in candidates:
        if candidate.dedup_key in known:
            continue
        known.add(candidate.dedup_key)
        fresh.append(candidate)
    if not fresh:
        return []
    agencies: dict[int, Any] = {}
    for candidate in fresh:
        region_id = _deciding_region(candidate)
        if region_id not in agencies:
            agencies[region_id] = agency_for_region(region_id=region_id)
    references = [new_reference("FD", found_on) for _ in fresh]
    review_due = due_date(start=found_on, working_days=REVIEW_WORKING_DAYS)
    tasks = subject_tasks_open(
        tasks=[
            SubjectTask(
                stage="finding_review",
                office_id=agencies[_deciding_region(c)].pk,
                person_id=c.person_id,
                reference=reference,
                due_date=review_due,
            )
            for c, reference in zip(fresh, references, strict=True)
        ]
    )
    now = clock.now()
    findings = Finding.objects.bulk_create(
        [
            Finding(
                reference=reference,
                person_id=c.person_id,
                source=c.source,
                stop_kind=STOP_KIND[Finding.Source(c.source)],
                entitlement=c.entitlement,
                application=c.application,
                paying_region_id=_deciding_region(c),
                office=agencies[_deciding_region(c)],
                event_date=c.event_date,
                suspended_from=(
                    max(c.event_date, c.entitlement.start_month) if c.entitlement else None
                ),
                evidence=c.evidence,
                dedup_key=c.dedup_key,
                task=task,
                found_on=found_on,
                created_at=now,
            )
            for c, reference, task in zip(fresh, references, tasks, strict=True)
        ],
        batch_size=2000,
    )
    entitlement_findings = [f for f in findings if f.entitlement_id is not None]
    entitlements_suspend(
        actor=actor,
        suspensions=[
            Suspension(
                entitlement_id=f.entitlement_id,  # type: ignore[arg-type]
                from_date=f.suspended_from or f.event_date,
                reference=f.reference,
                office_code=f.office.code,
            )
            for f in entitlement_findings
        ],
    )
    audit_record_many(
        actor=actor,
        items=[
            AuditItem(
                event_type="finding_raised",
                subject_type="finding",
                subject_id=f.reference,
                office_code=f.office.code,
                data={
                    "source": f.source,
                    "person_id": f.person_id,
                    "entitlement_id": f.entitlement_id,
                    "application_id": f.application_id,
                    "event_date": f.event_date.isoformat(),
                    "suspended_from": f.suspended_from.isoformat() if f.suspended_from else None,
                    "task_id": f.task_id,
                },
            )
            for f in findings
        ],
    )
    outbox_emit(  # one event for the batch: consumers read the findings it names
        FINDING_RAISED,
        {
            "findings": [
                {
                    "reference": f.reference,
                    "source": f.source,
                    "person_id": f.person_id,
                    "paying_region_id": f.paying_region_id,
                }
                for f in findings
            ]
        },
    )
    people = persons_by_ids(ids=[f.person_id for f in entitlement_findings])
    notice_queue(
        texts.held(finding=f, person=people[f.person_id], agency=f.office)
        for f in entitlement_findings
    )
    return findings


# ---- real-time checks (hooks, in the transaction of the registry change) ------------------


def _work_key(entitlement_id: int, start: date) -> str:
    """The evidence of a job for a benefit: the employer's hire and the person's own report of
    the same job share it, so whichever comes second adds nothing."""
    return f"work:e{entitlement_id}:{start.isoformat()}"


def on_spells_started(event: SpellsStarted) -> None:
    """A hire (参保) overlapping a running benefit: suspend and review."""
    running = running_entitlements_for(person_ids={s.person_id for s in event.spells})
    if not running:
        return
    by_person: dict[int, list[Any]] = defaultdict(list)
    for entitlement in running:
        by_person[entitlement.person_id].append(entitlement)
    candidates = []
    for spell in event.spells:
        for entitlement in by_person.get(spell.person_id, ()):
            if spell.start_date >= entitlement.end_month:
                continue  # a job after the benefit's last month
            if spell.end_date is not None and spell.end_date <= entitlement.start_month:
                continue  # a job that ended before the benefit began
            candidates.append(
                Candidate(
                    person_id=spell.person_id,
                    source=Finding.Source.HIRE,
                    event_date=max(spell.start_date, entitlement.start_month),
                    dedup_key=_work_key(entitlement.pk, spell.start_date),
                    evidence={
                        "check": "real_time",
                        "reported_by": event.source,
                        "spell_id": spell.spell_id,
                        "employer": spell.employer_name,
                        "employer_uscc": spell.employer_uscc,
                        "region": spell.region_code,
                        "start_date": spell.start_date.isoformat(),
                        "end_date": spell.end_date.isoformat() if spell.end_date else None,
                    },
                    entitlement=entitlement,
                )
            )
    findings_raise(actor=REAL_TIME, candidates=candidates, found_on=event.as_of)


def on_reemployment_reported(event: ReemploymentReportRecorded) -> None:
    """The person's own report of a new job: suspend from its date and review, like a hire
    (the same key: one finding for the same job)."""
    entitlement = entitlement_get(entitlement_id=event.entitlement_id)
    first_month = entitlement.start_month or event.start_date  # a monthly benefit has one
    findings_raise(
        actor=Actor(
            kind="system", label="re-employment report (再就业报告)", office_code=event.office_code
        ),
        candidates=[
            Candidate(
                person_id=event.person_id,
                source=Finding.Source.REEMPLOYMENT_REPORT,
                event_date=max(event.start_date, first_month),
                dedup_key=_work_key(entitlement.pk, event.start_date),
                evidence={
                    "check": "real_time",
                    "reported_by": "the person",
                    "report": event.reference,
                    "reported_at": event.office_code,
                    "employer": event.employer_name,
                    "employer_uscc": event.employer_uscc,
                    "start_date": event.start_date.isoformat(),
                },
                entitlement=entitlement,
            )
        ],
        found_on=event.as_of,
    )


def on_contributions_recorded(event: ContributionsRecorded) -> None:
    """Contributions paid for a benefit month mean a wage was paid: suspend and review.

    Set-based: one look-up of running benefits for the chunk's people; the contributions and
    earlier findings of the few recipients among them only.
    """
    running = running_entitlements_for(person_ids=event.person_ids)
    if not running:
        return
    since = min(e.start_month for e in running if e.start_month is not None)
    months = contribution_months_for(person_ids=[e.person_id for e in running], since=since)
    covered: dict[int, set[str]] = defaultdict(set)
    for entitlement_id, evidence in Finding.objects.filter(
        entitlement_id__in=[e.pk for e in running], source=Finding.Source.CONTRIBUTION
    ).values_list("entitlement_id", "evidence"):
        covered[entitlement_id].update(evidence.get("months", []))
    candidates = []
    for entitlement in running:
        start, end = entitlement.start_month, entitlement.end_month
        if start is None or end is None:
            continue
        during = [
            (m, region, employer)
            for m, region, employer in months.get(entitlement.person_id, [])
            if start <= m < end
        ]
        new = sorted({m for m, _, _ in during if f"{m:%Y-%m}" not in covered[entitlement.pk]})
        if not new:
            continue
        first = new[0]
        candidates.append(
            Candidate(
                person_id=entitlement.person_id,
                source=Finding.Source.CONTRIBUTION,
                event_date=first,
                dedup_key=f"contribution:e{entitlement.pk}:{first:%Y-%m}",
                evidence={
                    "check": "real_time",
                    "reported_by": event.source,
                    "months": sorted({f"{m:%Y-%m}" for m, _, _ in during}),
                    "employers": sorted({employer for m, _, employer in during if m in new}),
                    "regions": sorted({region for m, region, _ in during if m in new}),
                },
                entitlement=entitlement,
            )
        )
    findings_raise(actor=REAL_TIME, candidates=candidates, found_on=event.as_of)


def on_entitlement_ended(event: EntitlementEnded) -> None:
    """The benefit ended (a decision, or the person's own report): open findings whose event is
    on or after the stop have nothing left to decide. One about an earlier event stays open:
    the months it holds before the stop are still a person's decision."""
    settled = list(
        Finding.objects.select_for_update(of=("self",))
        .filter(
            entitlement_id=event.entitlement_id,
            status=Finding.Status.OPEN,
            suspended_from__gte=event.on,
        )
        .order_by("id")
    )
    if not settled:
        return
    now = clock.now()
    for finding in settled:
        finding.status = Finding.Status.SUPERSEDED
        finding.decided_at = now
        finding.decided_on = event.on
        finding.decided_by = f"system: the benefit ended ({event.kind})"
        finding.save(update_fields=["status", "decided_at", "decided_on", "decided_by"])
    subject_tasks_close(task_ids=[f.task_id for f in settled if f.task_id])
    audit_record_many(
        actor=Actor.system("integrity"),
        items=[
            AuditItem(
                event_type="finding_superseded",
                subject_type="finding",
                subject_id=f.reference,
                data={"entitlement_id": event.entitlement_id, "ended_by": event.kind},
            )
            for f in settled
        ],
    )


# ---- the decision ----------------------------------------------------------------------


def _paying_agency_reviewer(staff: StaffInfo, finding: Finding, task: Any) -> None:
    if task.office_id != staff.office.pk:
        raise Forbidden(
            f"This task belongs to {task.office.name_zh} ({task.office.code}), not to your office.",
            code="not_your_office",
        )
    if not staff.office.is_insurance_agency or staff.office.region_id != finding.paying_region_id:
        raise Forbidden(
            "Only the paying region's agency decides a finding.", code="not_paying_agency"
        )
    if not staff.has_role("reviewer"):
        raise Forbidden("Deciding a finding needs the reviewer role.", code="role_required")


def _reasons(reasons: list[str] | None, what: str) -> list[str]:
    clean = [r.strip() for r in (reasons or []) if r and r.strip()]
    if not clean:
        raise InvalidInput.of(
            "reasons", "required", f"{what} needs at least one reason the person can read."
        )
    return clean


@entrypoint
def subject_task_decide(
    *,
    actor: Actor,
    staff: StaffInfo,
    task_id: int,
    outcome: str,
    reasons: list[str] | None,
    as_of: date,
) -> Finding:
    """Decide a task about a finding: ``finding_review`` (approve = confirm, reject = lift) or
    ``family_invitation`` (approve = the family was invited)."""
    task = task_get(task_id=task_id)
    if task.stage == "family_invitation":
        return _family_invitation_done(
            actor=actor, staff=staff, task=task, outcome=outcome, reasons=reasons, as_of=as_of
        )
    if task.stage != "finding_review":
        raise Conflict(f"Task {task_id} is not about a finding.", code="not_a_finding_task")
    return finding_decide(
        actor=actor, staff=staff, task_id=task_id, outcome=outcome, reasons=reasons, as_of=as_of
    )


@entrypoint
def finding_decide(
    *,
    actor: Actor,
    staff: StaffInfo,
    task_id: int,
    outcome: str,
    reasons: list[str] | None,
    as_of: date,
) -> Finding:
    """A reviewer of the paying agency confirms (``approve``) or lifts (``reject``) a finding."""
    if outcome not in DECISIONS:
        raise InvalidInput.of(
            "outcome",
            "outcome",
            "A finding is confirmed (approve: the benefit ends) or lifted (reject: it runs "
            "again); it cannot be returned.",
        )
    # Lock in a fixed order: the finding, then (through cases) its task.
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("office", "person", "paying_region")
        .filter(task_id=task_id)
        .first()
    )
    if finding is None:
        raise NotFound(f"No finding under task {task_id}.", code="unknown_task")
    task = task_get(task_id=task_id)
    _paying_agency_reviewer(staff, finding, task)
    if not finding.is_open or not task.is_open:
        raise Conflict(
            f"Finding {finding.reference} is already {finding.status}.", code="finding_closed"
        )
    decision = DECISIONS[outcome]
    clean = _reasons(reasons, "Confirming a finding" if decision == "confirm" else "Lifting")
    if decision == "confirm" and finding.entitlement_id is not None:
        earlier = (
            Finding.objects.filter(
                entitlement_id=finding.entitlement_id,
                status=Finding.Status.OPEN,
                suspended_from__lt=finding.suspended_from,
            )
            .order_by("suspended_from")
            .first()
        )
        if earlier is not None:
            raise Conflict(
                f"Finding {earlier.reference} about the same benefit is earlier "
                f"({earlier.suspended_from}); decide it first, so the benefit ends at the "
                "right date.",
                code="earlier_finding_open",
                extra={"earlier": earlier.reference},
            )
    finding.status = Finding.Status.CONFIRMED if decision == "confirm" else Finding.Status.LIFTED
    finding.decided_on = as_of
    finding.decided_at = clock.now()
    finding.decided_by = actor.label[:150]
    finding.decided_by_user_id = actor.user_id
    finding.decision_reasons = clean
    finding.save()
    subject_tasks_close(task_ids=[task_id])
    if decision == "confirm":
        _confirm(finding, actor=actor, staff=staff, reasons=clean, as_of=as_of)
    else:
        _lift(finding, actor=actor, staff=staff, reasons=clean, as_of=as_of)
    audit_record(
        actor=actor,
        event_type=f"finding_{finding.status}",
        subject_type="finding",
        subject_id=finding.reference,
        office_code=staff.office.code,
        data={
            "outcome": outcome,
            "reasons": clean,
            "entitlement_id": finding.entitlement_id,
            "overpayment_fen": finding.overpayment_fen,
        },
    )
    outbox_emit(
        FINDING_DECIDED,
        {"reference": finding.reference, "status": finding.status, "person_id": finding.person_id},
    )
    return finding


def _confirm(
    finding: Finding, *, actor: Actor, staff: StaffInfo, reasons: list[str], as_of: date
) -> None:
    if finding.entitlement_id is None:
        return  # an open application: the caseworker rejects the claim in its own review
    entitlement = entitlement_get(entitlement_id=finding.entitlement_id)
    if entitlement.status in ("active", "suspended"):
        on = max(finding.event_date, entitlement.start_month or finding.event_date)
        result = entitlement_stop(
            actor=actor, entitlement_id=entitlement.pk, kind=finding.stop_kind, on=on,
            reasons=[f"finding {finding.reference}", *reasons], office_code=staff.office.code,
        )  # fmt: skip
        if result.overpayment is not None:
            finding.overpayment_fen = result.overpayment.amount_fen
            finding.save(update_fields=["overpayment_fen"])
        # No earlier finding is open (see finding_decide): months before the end are payable.
        entitlement_holds_release(
            actor=actor, entitlement_id=entitlement.pk, before=result.entitlement.end_month,
            reference=finding.reference, office_code=staff.office.code,
        )  # fmt: skip
    else:
        # It ended for another reason, later than this event: the months held from the event
        # on are not due. (A month paid before the suspension stays paid: see docs/integrity.md.)
        entitlement_holds_cancel(
            actor=actor, entitlement_id=entitlement.pk,
            from_month=finding.suspended_from or finding.event_date,
            reference=finding.reference, office_code=staff.office.code,
        )  # fmt: skip
    notices = [texts.ended(finding=finding, agency=finding.office, reasons=reasons)]
    if finding.source == Finding.Source.DEATH:
        notices.append(_invite_family(finding, as_of=as_of))
    notice_queue(notices)


def _invite_family(finding: Finding, *, as_of: date) -> Notice:
    """A recipient died: the agency invites the family to claim the funeral grant and survivor
    pension (Regulation art. 20) — a task in its queue and a notice."""
    (task,) = subject_tasks_open(
        tasks=[
            SubjectTask(
                stage="family_invitation",
                office_id=finding.office_id,
                person_id=finding.person_id,
                reference=finding.reference,
                due_date=due_date(start=as_of, working_days=FAMILY_WORKING_DAYS),
            )
        ]
    )
    finding.family_task = task
    finding.save(update_fields=["family_task"])
    return texts.family_invitation(finding=finding, agency=finding.office)


def _lift(
    finding: Finding, *, actor: Actor, staff: StaffInfo, reasons: list[str], as_of: date
) -> None:
    if finding.entitlement_id is None:
        return
    others = [
        f.suspended_from or f.event_date
        for f in Finding.objects.filter(
            entitlement_id=finding.entitlement_id, status=Finding.Status.OPEN
        )
    ]
    entitlement = entitlement_get(entitlement_id=finding.entitlement_id)
    if entitlement.status == "suspended" and not others:
        entitlement_resume(
            actor=actor, entitlement_id=entitlement.pk, office_code=staff.office.code,
            reasons=[f"finding {finding.reference} lifted", *reasons], on=as_of,
        )  # fmt: skip
    else:
        # Months before the earliest finding still open are payable; later ones stay held.
        entitlement_holds_release(
            actor=actor, entitlement_id=entitlement.pk, before=min(others) if others else None,
            reference=finding.reference, office_code=staff.office.code,
        )  # fmt: skip
    notice_queue([texts.lifted(finding=finding, agency=finding.office, still_held=bool(others))])


def _family_invitation_done(
    *,
    actor: Actor,
    staff: StaffInfo,
    task: Any,
    outcome: str,
    reasons: list[str] | None,
    as_of: date,
) -> Finding:
    if outcome != "approve":
        raise InvalidInput.of(
            "outcome", "outcome", "An invitation task is closed with approve once the family "
            "has been contacted.",
        )  # fmt: skip
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("office")
        .filter(family_task_id=task.pk)
        .first()
    )
    if finding is None:
        raise NotFound(f"No finding under task {task.pk}.", code="unknown_task")
    if task.office_id != staff.office.pk:
        raise Forbidden("This task belongs to another office.", code="not_your_office")
    if not (staff.has_role("acceptor") or staff.has_role("reviewer")):
        raise Forbidden("This needs a caseworker's role.", code="role_required")
    if not task.is_open:
        raise Conflict("This task is already closed.", code="task_closed")
    subject_tasks_close(task_ids=[task.pk])
    audit_record(
        actor=actor,
        event_type="family_invited",
        subject_type="finding",
        subject_id=finding.reference,
        office_code=staff.office.code,
        data={"reasons": [r for r in (reasons or []) if r], "on": as_of.isoformat()},
    )
    return finding


__all__ = [
    "DECISIONS",
    "Candidate",
    "finding_decide",
    "findings_raise",
    "on_contributions_recorded",
    "on_entitlement_ended",
    "on_spells_started",
    "subject_task_decide",
]
