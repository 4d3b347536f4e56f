"""The HTTP API, version 1 (``/api/v1``), as promised in shared/api/CONTRACT.md.

Handlers are thin: authenticate, check the client kind, call one service or
selector, shape the answer. Errors become problem documents (``problems.py``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.params import P, QueryEx

from tongban.benefits.selectors import payments_of
from tongban.cases import services as case_services
from tongban.cases.selectors import QueueFilter, Viewer, application_get, office_tasks, task_get
from tongban.cases.services import Acceptance
from tongban.catalogue.selectors import items_list
from tongban.channels import problems
from tongban.channels.auth import ClientAuth, actor_for, client_of, employer_of, require, staff_of
from tongban.channels.models import ApiClient
from tongban.channels.presenters import (
    application_out,
    finding_out,
    overview_out,
    spell_out,
    task_out,
    transfer_out,
)
from tongban.channels.schemas import (
    ApplicationIn,
    ApplicationOut,
    BundleIn,
    BundleOut,
    DecisionIn,
    FindingCountsOut,
    FindingOut,
    HireIn,
    ItemOut,
    OfficeOut,
    OverviewOut,
    PaymentOut,
    ReemploymentIn,
    RepaymentIn,
    SeparationIn,
    SeparationReasonOut,
    SpellChangeOut,
    StatisticsOut,
    StopIn,
    TaskOut,
    TransferOut,
)
from tongban.core import clock
from tongban.core.errors import Forbidden, InvalidInput, NotFound
from tongban.core.idempotency import fingerprint, idempotent_call
from tongban.core.identifiers import InvalidIdentifier, mask_id_number, parse_citizen_id
from tongban.integrity import services as integrity_services
from tongban.integrity.selectors import (
    finding_counts,
    finding_get,
    findings_by_task,
    findings_of_region,
)
from tongban.regions.selectors import offices_list, region_get
from tongban.registry import services as registry_services
from tongban.registry.selectors import insured_region, person_get, separation_reasons_list
from tongban.supervision.statistics import statistics_get
from tongban.transfers.selectors import transfers_of_region

api = NinjaAPI(
    title="Tongban (通办) API",
    version="1",
    description=(
        "Province-wide employment and unemployment-insurance services. "
        "The contract is shared/api/CONTRACT.md; errors are RFC 9457 problem documents."
    ),
    auth=ClientAuth(),
    urls_namespace="api",
)
problems.install(api)

CHANNEL, EMPLOYER, STAFF = (ApiClient.Kind.CHANNEL, ApiClient.Kind.EMPLOYER, ApiClient.Kind.STAFF)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    response = api.create_response(
        request,
        problems.problem_body(
            status=404, title="Not found", detail=str(error) or "Not found.", code="not_found"
        ),
        status=404,
    )
    response["Content-Type"] = problems.CONTENT_TYPE
    return response


def _write(request: HttpRequest, call: Any) -> HttpResponse:
    """Run a write once per Idempotency-Key and answer with its (stored) response."""
    status, body = idempotent_call(
        scope=f"client:{client_of(request).pk}",
        key=request.headers.get("Idempotency-Key"),
        request_hash=fingerprint(request.method or "POST", request.path, request.body),
        call=call,
        problem=problems.domain_problem,
    )
    response = api.create_response(request, body, status=status)
    if status >= 400:
        response["Content-Type"] = problems.CONTENT_TYPE
    return response


@api.get(
    "/items", response=list[ItemOut], tags=["reference"], summary="The catalogue of service items"
)
def get_items(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": item.code,
            "number": item.number,
            "name": str(item.name),
            "name_zh": item.name.zh,
            "name_en": item.name.en,
            "pays_money": item.pays_money,
            "materials": [str(m) for m in item.materials],
            "time_limit_working_days": item.time_limit_working_days,
            "applicants": [str(a) for a in item.applicants],
            "channels": list(item.channels),
            "catalogue_version": item.catalogue_version,
        }
        for item in items_list()
    ]


@api.get("/offices", response=list[OfficeOut], tags=["reference"], summary="Offices and agencies")
def get_offices(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": o.code,
            "name": o.name,
            "name_zh": o.name_zh,
            "name_en": o.name_en,
            "region_code": o.region.code,
            "is_insurance_agency": o.is_insurance_agency,
            "kind": o.kind,
        }
        for o in offices_list()
    ]


@api.get(
    "/separation-reasons",
    response=list[SeparationReasonOut],
    tags=["reference"],
    summary="Separation reasons (停保原因) and whether they qualify for UI benefit",
)
def get_separation_reasons(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "involuntary": r.involuntary,
        }
        for r in separation_reasons_list()
    ]


def _spell_change(spell: Any) -> dict[str, Any]:
    current = insured_region(person=spell.person, as_of=clock.today())
    return {
        "id_number": mask_id_number(spell.person.id_number),
        "insured_region_code": current.code if current else None,
        "spell": spell_out(spell),
    }


@api.post(
    "/hires",
    response={201: SpellChangeOut},
    tags=["employers"],
    summary="Start insurance (参保) for a person with the calling employer",
)
def post_hire(request: HttpRequest, payload: HireIn) -> HttpResponse:
    employer = employer_of(request)

    def call() -> tuple[int, Any]:
        spell = registry_services.employer_hire(
            actor=actor_for(request),
            employer=employer,
            id_number=payload.id_number,
            start_date=payload.date,
            as_of=clock.today(),
        )
        return 201, _spell_change(spell)

    return _write(request, call)


@api.post(
    "/separations",
    response={201: SpellChangeOut},
    tags=["employers"],
    summary="Stop insurance (停保) with the separation reason",
)
def post_separation(request: HttpRequest, payload: SeparationIn) -> HttpResponse:
    employer = employer_of(request)

    def call() -> tuple[int, Any]:
        spell = registry_services.employer_separate(
            actor=actor_for(request),
            employer=employer,
            id_number=payload.id_number,
            end_date=payload.date,
            reason_code=payload.reason_code,
        )
        return 201, _spell_change(spell)

    return _write(request, call)


@api.get(
    "/persons/{id_number}/overview",
    response=OverviewOut,
    tags=["persons"],
    summary="What the platform knows about a person, and what they can apply for",
)
def get_overview(request: HttpRequest, id_number: str) -> dict[str, Any]:
    require(request, CHANNEL, STAFF)
    return overview_out(id_number=id_number, as_of=clock.today(), actor=actor_for(request))


# ---- Cases: accept anywhere, review where responsible -------------------------------------


def _acceptance(request: HttpRequest, office: str | None) -> Acceptance:
    client = require(request, CHANNEL, STAFF)
    staff = staff_of(request)
    # A caseworker accepts at a window (the service checks the acceptor role).
    channel = "window" if staff is not None else (client.channel or "online_hall")
    return Acceptance(
        actor=actor_for(request),
        channel=channel,
        office_code=office,
        staff=staff,
        client_id=client.pk,
    )


@api.post(
    "/applications",
    response={201: ApplicationOut},
    tags=["cases"],
    summary="Apply for one item, at an office or online",
)
def post_application(request: HttpRequest, payload: ApplicationIn) -> HttpResponse:
    acceptance = _acceptance(request, payload.office)

    def call() -> tuple[int, Any]:
        application = case_services.application_submit(
            acceptance=acceptance,
            item_code=payload.item,
            id_number=payload.id_number,
            data=payload.data,
            as_of=clock.today(),
        )
        return 201, application_out(application)

    return _write(request, call)


@api.post(
    "/bundles",
    response={201: BundleOut},
    tags=["cases"],
    summary='The unemployment "one thing": registration + UI benefit (+ transfer), all or nothing',
)
def post_bundle(request: HttpRequest, payload: BundleIn) -> HttpResponse:
    acceptance = _acceptance(request, payload.office)

    def call() -> tuple[int, Any]:
        result = case_services.bundle_submit(
            acceptance=acceptance,
            kind=payload.kind,
            id_number=payload.id_number,
            as_of=clock.today(),
        )
        return 201, {
            "reference": result.bundle.reference,
            "kind": result.bundle.kind,
            "applications": [application_out(a) for a in result.applications],
        }

    return _write(request, call)


def _viewer(request: HttpRequest, id_number: str | None) -> Viewer:
    require(request, CHANNEL, STAFF)
    staff = staff_of(request)
    if staff is not None:
        return Viewer(staff=staff)
    if not id_number:
        raise InvalidInput.of(
            "id_number", "required", "A channel asks about its own person: pass ?id_number=."
        )
    try:
        return Viewer(person_id_number=parse_citizen_id(id_number).number)
    except InvalidIdentifier as error:
        raise InvalidInput.of("id_number", error.code, error.message) from None


@api.get(
    "/applications/{reference}",
    response=ApplicationOut,
    tags=["cases"],
    summary="Where an application is, its history, and once decided its entitlement",
)
def get_application(
    request: HttpRequest, reference: str, id_number: str | None = None
) -> dict[str, Any]:
    application = application_get(reference=reference, viewer=_viewer(request, id_number))
    return application_out(application)


def _applicant_move(
    request: HttpRequest, reference: str, id_number: str | None, service: Any
) -> HttpResponse:
    viewer = _viewer(request, id_number)
    application_get(reference=reference, viewer=viewer)

    def call() -> tuple[int, Any]:
        application = service(
            actor=actor_for(request),
            reference=reference,
            person_id_number=viewer.person_id_number,
            as_of=clock.today(),
        )
        return 200, application_out(application)

    return _write(request, call)


@api.post(
    "/applications/{reference}/resubmit",
    response={200: ApplicationOut},
    tags=["cases"],
    summary="After a return: the person corrected what was asked (extension)",
)
def post_resubmit(
    request: HttpRequest, reference: str, id_number: str | None = None
) -> HttpResponse:
    return _applicant_move(request, reference, id_number, case_services.application_resubmit)


@api.post(
    "/applications/{reference}/withdraw",
    response={200: ApplicationOut},
    tags=["cases"],
    summary="The person withdraws an open application (extension)",
)
def post_withdraw(
    request: HttpRequest, reference: str, id_number: str | None = None
) -> HttpResponse:
    return _applicant_move(request, reference, id_number, case_services.application_withdraw)


# The most one answer of a list holds: GET /tasks, /findings, /transfers (docs/api.md).
LIST_LIMIT = 500
Row = TypeVar("Row", bound=Model)
LimitQuery = QueryEx[int, P(ge=1, le=LIST_LIMIT, description=f"1 to {LIST_LIMIT} (extension)")]


def _cut(response: HttpResponse, rows: QuerySet[Row], limit: int) -> list[Row]:
    """At most ``limit`` rows; the ``X-Total-Count`` header says how many match, so a list
    that was cut shows it. One row more than asked is read to tell; only a cut list costs a
    COUNT query."""
    first = list(rows[: limit + 1])
    response["X-Total-Count"] = str(len(first) if len(first) <= limit else rows.count())
    return first[:limit]


# The stages GET /tasks lists unless asked for another (the contract names these three).
CONTRACT_TASK_STAGES = ("initial_review", "re_review", "finding_review")


@api.get(
    "/tasks",
    response=list[TaskOut],
    tags=["cases"],
    summary="Open tasks of my office, oldest first",
    description=(
        f"At most `limit` tasks (default and maximum {LIST_LIMIT}), the oldest first. The "
        "`X-Total-Count` header says how many open tasks match, so a list that was cut shows it; "
        "the filters `stage`, `item` and `overdue` narrow a long queue. Without `stage`, the "
        "contract's stages are listed (initial_review, re_review, finding_review); the agency's "
        "invitations to a deceased recipient's family are asked for with "
        "`stage=family_invitation` (extension)."
    ),
)
def get_tasks(
    request: HttpRequest,
    response: HttpResponse,
    stage: str | None = None,
    item: str | None = None,
    overdue: bool = False,
    limit: LimitQuery = LIST_LIMIT,
) -> list[dict[str, Any]]:
    require(request, STAFF)
    staff = staff_of(request)
    assert staff is not None  # require(STAFF) guarantees it
    today = clock.today()
    queue = office_tasks(
        office_id=staff.office.pk,
        as_of=today,
        filters=QueueFilter(stage, item, overdue, stages=CONTRACT_TASK_STAGES),
    )
    tasks = _cut(response, queue, limit)
    findings = findings_by_task(task_ids=[t.id for t in tasks if t.application_id is None])
    return [task_out(t, as_of=today, finding=findings.get(t.id)) for t in tasks]


@api.post(
    "/tasks/{task_id}/decision",
    response={200: ApplicationOut | FindingOut},
    tags=["cases"],
    summary="Decide a task of my office: approve, reject or return",
    description=(
        "A case review (initial_review, re_review) answers with the application. A "
        "finding_review answers with the finding: approve CONFIRMS it (the benefit ends from "
        "the event's date; later months are cancelled, months already paid become an "
        "overpayment), reject LIFTS it (the benefit runs again and held months are paid by the "
        "next run); both need reasons; return is refused. A family_invitation is closed with "
        "approve once the family has been contacted."
    ),
)
def post_decision(request: HttpRequest, task_id: int, payload: DecisionIn) -> HttpResponse:
    require(request, STAFF)
    staff = staff_of(request)
    assert staff is not None
    try:
        about_application = task_get(task_id=task_id).application_id is not None
    except NotFound:
        about_application = True  # the case service answers with its own 404

    if not about_application:

        def decide_finding() -> tuple[int, Any]:
            finding = integrity_services.subject_task_decide(
                actor=actor_for(request), staff=staff, task_id=task_id, outcome=payload.outcome,
                reasons=payload.reasons, as_of=clock.today(),
            )  # fmt: skip
            return 200, finding_out(finding_get(reference=finding.reference))

        return _write(request, decide_finding)

    def call() -> tuple[int, Any]:
        application = case_services.task_decide(
            actor=actor_for(request),
            staff=staff,
            task_id=task_id,
            outcome=payload.outcome,
            reasons=payload.reasons,
            checklist=payload.checklist,
            verification=payload.verification,
            as_of=clock.today(),
        )
        return 200, application_out(application)

    return _write(request, call)


@api.post(
    "/reemployment-reports",
    response={201: ApplicationOut},
    tags=["cases"],
    summary="A person reports a new job, at any office or online",
)
def post_reemployment(request: HttpRequest, payload: ReemploymentIn) -> HttpResponse:
    acceptance = _acceptance(request, payload.office)

    def call() -> tuple[int, Any]:
        application = case_services.reemployment_report_submit(
            acceptance=acceptance,
            id_number=payload.id_number,
            start_date=payload.date,
            employer_uscc=payload.employer_uscc,
            as_of=clock.today(),
        )
        return 201, application_out(application)

    return _write(request, call)


# ---- Money: payments, stops, repayments ------------------------------------------------


@api.get(
    "/persons/{id_number}/payments",
    response=list[PaymentOut],
    tags=["money"],
    summary="A person's payments, newest month first",
)
def get_payments(request: HttpRequest, id_number: str) -> list[dict[str, Any]]:
    require(request, CHANNEL, STAFF)
    person = person_get(id_number=id_number, as_of=clock.today())
    return [
        {
            "reference": p.reference,
            "item": p.item_code,
            "kind": p.kind,
            "month": f"{p.period:%Y-%m}",
            "amount_fen": p.amount_fen,
            "offset_fen": p.offset_fen,
            "status": p.status,
            "paying_region": p.paying_region.code,
            "sent_on": p.sent_on,
            "return_reason": p.return_reason or None,
        }
        for p in payments_of(person_id=person.pk)
    ]


@api.post(
    "/entitlements/{entitlement_id}/stop",
    response={200: ApplicationOut},
    tags=["money"],
    summary="A reviewer of the paying agency stops a benefit (extension)",
)
def post_stop(request: HttpRequest, entitlement_id: int, payload: StopIn) -> HttpResponse:
    require(request, STAFF)
    staff = staff_of(request)
    assert staff is not None

    def call() -> tuple[int, Any]:
        application = case_services.entitlement_stop_decide(
            actor=actor_for(request), staff=staff, entitlement_id=entitlement_id,
            kind=payload.kind, on=payload.date, reasons=payload.reasons, as_of=clock.today(),
        )  # fmt: skip
        return 200, application_out(application)

    return _write(request, call)


@api.post(
    "/overpayments/{overpayment_id}/repayments",
    response={201: dict[str, Any]},
    tags=["money"],
    summary="Finance at the paying agency records a repayment (extension)",
)
def post_repayment(request: HttpRequest, overpayment_id: int, payload: RepaymentIn) -> HttpResponse:
    require(request, STAFF)
    staff = staff_of(request)
    assert staff is not None

    def call() -> tuple[int, Any]:
        recovery = case_services.overpayment_repayment_record(
            actor=actor_for(request), staff=staff, overpayment_id=overpayment_id,
            amount_fen=payload.amount_fen, on=payload.date, reference=payload.reference,
        )  # fmt: skip
        overpayment = recovery.overpayment
        return 201, {
            "overpayment": overpayment.pk,
            "reference": recovery.reference,
            "amount_fen": recovery.amount_fen,
            "outstanding_fen": overpayment.outstanding_fen,
            "status": overpayment.status,
        }

    return _write(request, call)


# ---- Data moves instead of people: findings and transfers ---------------------------------


def _region_for(request: HttpRequest, region: str | None) -> str:
    """Staff see their own region's lists; a supervisor may name another region."""
    require(request, STAFF)
    staff = staff_of(request)
    assert staff is not None
    own = staff.office.region.code
    if region and region != own:
        if not staff.has_role("supervisor"):
            raise Forbidden(
                "Only a supervisor sees another region's lists.", code="not_your_region"
            )
        region_get(code=region)
        return region
    return own


@api.get(
    "/findings",
    response=list[FindingOut],
    tags=["integrity"],
    summary="Findings the region's agency decides, newest first (extension)",
    description=f"At most `limit` (default and maximum {LIST_LIMIT}); `X-Total-Count` says how many match.",
)
def get_findings(
    request: HttpRequest,
    response: HttpResponse,
    region: str | None = None,
    status: str | None = None,
    source: str | None = None,
    limit: LimitQuery = LIST_LIMIT,
) -> list[dict[str, Any]]:
    code = _region_for(request, region)
    rows = findings_of_region(region_code=code, status=status, source=source)
    return [finding_out(f) for f in _cut(response, rows, limit)]


@api.get(
    "/findings/counts",
    response=list[FindingCountsOut],
    tags=["integrity"],
    summary="Findings per paying region by status and source, for supervision (extension)",
)
def get_finding_counts(request: HttpRequest, region: str | None = None) -> list[dict[str, Any]]:
    require(request, STAFF)
    staff = staff_of(request)
    assert staff is not None
    if not staff.has_role("supervisor"):
        raise Forbidden("Supervision counts are for supervisors.", code="role_required")
    return [
        {
            "region_code": c.region_code,
            "open": c.open,
            "confirmed": c.confirmed,
            "lifted": c.lifted,
            "superseded": c.superseded,
            "overdue": c.overdue,
            "total": c.total,
            "by_source": c.by_source,
        }
        for c in finding_counts(as_of=clock.today(), region_code=region)
    ]


@api.get(
    "/findings/{reference}",
    response=FindingOut,
    tags=["integrity"],
    summary="One finding of the caller's region (extension)",
)
def get_finding(request: HttpRequest, reference: str) -> dict[str, Any]:
    code = _region_for(request, None)
    finding = finding_get(reference=reference)
    staff = staff_of(request)
    assert staff is not None
    if finding.paying_region.code != code and not staff.has_role("supervisor"):
        raise NotFound(f"No finding {reference} that you may see.", code="unknown_finding")
    return finding_out(finding)


@api.get(
    "/transfers",
    response=list[TransferOut],
    tags=["integrity"],
    summary="Transfers out of and into the region's fund, newest first (extension)",
    description=f"At most `limit` (default and maximum {LIST_LIMIT}); `X-Total-Count` says how many match.",
)
def get_transfers(
    request: HttpRequest,
    response: HttpResponse,
    region: str | None = None,
    limit: LimitQuery = LIST_LIMIT,
) -> list[dict[str, Any]]:
    code = _region_for(request, region)
    rows = transfers_of_region(region_code=code)
    return [transfer_out(t) for t in _cut(response, rows, limit)]


# ---- Supervision ----------------------------------------------------------------------------


@api.get(
    "/statistics",
    response=StatisticsOut,
    by_alias=True,
    tags=["supervision"],
    summary="Service figures for a period, and each fund's balance and months of coverage",
    description=(
        "For applications submitted from `from` to `to` (inclusive): accepted in `region` "
        "when given, else the province; or, as extensions, insured in `insured`, or handled "
        "by `office`. Funds as of `to`. A supervisor of the provincial centre may ask for "
        "anything; a regional supervisor for their region; an office head for their office. "
        "Definitions: docs/supervision.md."
    ),
)
def get_statistics(
    request: HttpRequest,
    period_from: QueryEx[str | None, P(alias="from", description="YYYY-MM-DD")] = None,
    period_to: QueryEx[str | None, P(alias="to", description="YYYY-MM-DD")] = None,
    region: str | None = None,
    insured: str | None = None,
    office: str | None = None,
) -> dict[str, Any]:
    require(request, STAFF)
    return statistics_get(
        actor=actor_for(request),
        staff=staff_of(request),
        start=period_from,
        end=period_to,
        region=region,
        insured=insured,
        office=office,
        today=clock.today(),
    )
