"""The HTTP API, version 1 (``/api/v1``), as promised in shared/api/CONTRACT.md.

Handlers are thin: authenticate, check the client kind, call one service or
selector, shape the answer. Errors become problem documents (``problems.py``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from tongban.catalogue.selectors import items_list
from tongban.channels import problems
from tongban.channels.auth import ClientAuth, actor_for, client_of, employer_of, require
from tongban.channels.models import ApiClient
from tongban.channels.presenters import overview_out, spell_out
from tongban.channels.schemas import (
    HireIn,
    ItemOut,
    OfficeOut,
    OverviewOut,
    SeparationIn,
    SeparationReasonOut,
    SpellChangeOut,
)
from tongban.channels.services import idempotent_call, request_fingerprint
from tongban.core import clock
from tongban.core.identifiers import mask_id_number
from tongban.regions.selectors import offices_list
from tongban.registry import services as registry_services
from tongban.registry.selectors import insured_spell, separation_reasons_list

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
        client=client_of(request),
        key=request.headers.get("Idempotency-Key"),
        fingerprint=request_fingerprint(request.method or "POST", request.path, request.body),
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
    current = insured_spell(person=spell.person, as_of=clock.today())
    return {
        "id_number": mask_id_number(spell.person.id_number),
        "insured_region_code": current.region.code if current else None,
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
