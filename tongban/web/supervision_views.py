"""Supervision pages (监督): the province's live view of service quality and of every fund.

Every page takes ``from``/``to`` (inclusive dates; default: this month to date) and one of
``region`` (accepted there), ``insured`` (insured there) or ``office``, within the viewer's
scope (ADR 0401); ``?format=xlsx`` downloads the page's tables. Every view, and every
refusal, is audited. The figures come from ``tongban.supervision`` — the same definitions
as ``GET /statistics`` (docs/supervision.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.benefits.selectors import (
    entitlement_for_application,
    payment_get,
    payments_of_entitlement,
)
from tongban.cases.selectors import history_of
from tongban.cases.statistics import application_for_supervision, application_selected
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.errors import DomainError, InvalidInput, NotFound
from tongban.regions.selectors import StaffInfo, offices_list, regions_list, staff_for_user
from tongban.supervision.anomalies import anomaly_checks
from tongban.supervision.figures import headline, matrix, outcomes, payment_figures, time_figures
from tongban.supervision.funds import coverage_warning, fund_coverages, fund_figures
from tongban.supervision.integrity import finding_counts
from tongban.supervision.parameters import thresholds
from tongban.supervision.period import Period, period_parse
from tongban.supervision.scope import (
    Scope,
    View,
    insured_view,
    office_view,
    query_of,
    region_view,
    scope_for,
    view_choices,
    view_for,
)
from tongban.supervision.services import supervision_view_record
from tongban.web import supervision_tables as tables
from tongban.web.refusals import explain
from tongban.web.reports import Table, chart, xlsx_response

PAGES = (
    ("overview", "web:supervision_overview"),
    ("volumes", "web:supervision_volumes"),
    ("matrix", "web:supervision_matrix"),
    ("time", "web:supervision_time"),
    ("outcomes", "web:supervision_outcomes"),
    ("payments", "web:supervision_payments"),
    ("funds", "web:supervision_funds"),
    ("anomalies", "web:supervision_anomalies"),
)


def _page_titles() -> dict[str, str]:
    return {
        "overview": _("Overview"),
        "volumes": _("Volumes and channels"),
        "matrix": _("Who serves whom"),
        "time": _("Time and backlog"),
        "outcomes": _("Outcomes and reasons"),
        "payments": _("First payments"),
        "funds": _("Funds"),
        "anomalies": _("Anomaly checks"),
        "case": _("Case"),
        "payment": _("Payment"),
    }


def _actor(staff: StaffInfo) -> Actor:
    return Actor(kind="staff", label=f"staff:{staff.username}", user_id=staff.user_id,
                 office_code=staff.office.code)  # fmt: skip


@dataclass(frozen=True)
class Context:
    """What a supervision page knows once the request is accepted."""

    request: HttpRequest
    staff: StaffInfo
    scope: Scope
    view: View
    period: Period
    page: str

    def url(self, name: str, *args: str) -> str:
        """A supervision URL for the same view and period."""
        query = "&".join(
            q for q in (query_of(self.view), f"from={self.period.start}", f"to={self.period.end}") if q
        )  # fmt: skip
        return f"{reverse(name, args=args)}?{query}"

    def case_url(self, reference: str) -> str:
        return reverse("web:supervision_case", args=[reference])

    def payment_url(self, reference: str) -> str:
        return reverse("web:supervision_payment", args=[reference])


def _query(request: HttpRequest) -> dict[str, str]:
    return {k: str(v) for k, v in request.GET.items() if k != "format" and v}


def _refused(request: HttpRequest, staff: StaffInfo | None, page: str, error: DomainError,
             extra: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
    if staff is not None:
        supervision_view_record(actor=_actor(staff), page=f"web:{page}", query=_query(request),
                                refused=error.code)  # fmt: skip
    return render(
        request,
        "supervision/refused.html",
        {"staff": staff, "section": "supervision", "refusal": explain(error), "page": page,
         "title": _page_titles().get(page, ""), **(extra or {})},
        status=error.status,
    )  # fmt: skip


def _view_params(request: HttpRequest) -> dict[str, str | None]:
    """``region``, ``insured`` or ``office`` from the query — or from the page's chooser,
    which sends ``view=region:CODE`` (``view=province`` for the whole province)."""
    params = {k: request.GET.get(k) or None for k in ("region", "insured", "office")}
    chosen = request.GET.get("view") or ""
    if chosen and not any(params.values()) and chosen != "province":
        kind, _sep, code = chosen.partition(":")
        if kind not in params or not code:
            raise InvalidInput.of("view", "unknown_view", f"Unknown view {chosen!r}.")
        params[kind] = code
    return params


def supervision_page(page: str) -> Callable[..., Callable[..., HttpResponse]]:
    """Sign in; a supervision scope; a view and a period the scope allows (else a refusal,
    audited); the page records its view in ``_respond``."""

    def decorate(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(handler)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = staff_for_user(user=request.user)
            try:
                scope = scope_for(staff)
            except DomainError as error:
                return _refused(request, staff, page, error)
            assert staff is not None  # scope_for refuses anyone else
            try:
                asked = _view_params(request)
                view = view_for(scope, region=asked["region"], insured=asked["insured"],
                                office=asked["office"],
                                default_to_own=request.GET.get("view") != "province")  # fmt: skip
                period = period_parse(start=request.GET.get("from") or None,
                                      end=request.GET.get("to") or None, today=clock.today())  # fmt: skip
            except DomainError as error:
                return _refused(request, staff, page, error, {"scope": scope})
            return handler(Context(request, staff, scope, view, period, page), *args, **kwargs)

        return wrapper

    return decorate


def _respond(ctx: Context, *, tables_: list[Table], extra: dict[str, Any] | None = None,
             template: str = "supervision/page.html") -> HttpResponse:  # fmt: skip
    title = _page_titles()[ctx.page]
    # What was shown is recorded once it is certain to be shown; refusals by _refused.
    supervision_view_record(actor=_actor(ctx.staff), page=f"web:{ctx.page}",
                            query=_query(ctx.request))  # fmt: skip
    if ctx.request.GET.get("format") == "xlsx":
        name = f"supervision-{ctx.page}-{ctx.view.key.replace(':', '-')}-{ctx.period.start}-{ctx.period.end}"
        heading = f"{title} · {ctx.view.label} · {ctx.period.start} – {ctx.period.end}"
        return xlsx_response(name, heading, tables_)
    query = ctx.request.GET.copy()
    query["format"] = "xlsx"
    titles = _page_titles()
    return render(
        ctx.request,
        template,
        {
            "staff": ctx.staff,
            "section": "supervision",
            "ctx": ctx,
            "scope": ctx.scope,
            "view": ctx.view,
            "period": ctx.period,
            "page": ctx.page,
            "title": title,
            "tabs": [
                (name, titles[name], ctx.url(url_name), name == ctx.page)
                for name, url_name in PAGES
                if ctx.scope.sees_funds or name not in ("funds", "anomalies")
            ],
            "choices": view_choices(ctx.scope),
            "chosen": ctx.view.key,
            "tables": tables_,
            "xlsx_query": query.urlencode(),
            "thresholds": thresholds(),
            **(extra or {}),
        },
    )


# ---- the pages ---------------------------------------------------------------------------------


@supervision_page("overview")
def overview(ctx: Context) -> HttpResponse:
    """The headline figures (as GET /statistics), the funds at a glance, integrity findings."""
    figures = headline(period=ctx.period, view=ctx.view)
    shown = [tables.by_item(figures)]
    warnings = None
    if ctx.scope.sees_funds and ctx.view.kind != "office":
        coverages, together = fund_coverages(as_of=ctx.period.end,
                                             region_code=ctx.view.fund_region_code)  # fmt: skip
        shown.append(tables.funds_summary(coverages, together, ctx.period.end))
        warnings = sum(1 for c in coverages if coverage_warning(c))
    return _respond(
        ctx,
        tables_=shown,
        template="supervision/overview.html",
        extra={
            "figures": figures,
            "online_bar": tables.share_bar(figures.totals.online_share,
                                           thresholds().online_share_goal),
            "warnings": warnings,
            "integrity": finding_counts(region_ids=ctx.view.fund_region_ids(),
                                        start=ctx.period.start, end=ctx.period.end),
        },
    )  # fmt: skip


@supervision_page("volumes")
def volumes(ctx: Context) -> HttpResponse:
    figures = headline(period=ctx.period, view=ctx.view)
    return _respond(ctx, tables_=[tables.by_channel(figures), *tables.by_place(ctx)])


@supervision_page("matrix")
def cross_region(ctx: Context) -> HttpResponse:
    paying_only = ctx.request.GET.get("items") != "all"
    grid = matrix(period=ctx.period, view=ctx.view, paying_only=paying_only)
    table = tables.matrix_table(grid, list(regions_list()))
    links = {"paying": ctx.url("web:supervision_matrix"),
             "all": ctx.url("web:supervision_matrix") + "&items=all"}  # fmt: skip
    return _respond(ctx, tables_=[table], template="supervision/matrix.html",
                    extra={"grid": grid, "paying_only": paying_only, "links": links})  # fmt: skip


@supervision_page("time")
def time(ctx: Context) -> HttpResponse:
    figures = time_figures(period=ctx.period, view=ctx.view, today=clock.today())
    offices = {o.pk: o for o in offices_list()}
    return _respond(
        ctx,
        tables_=[
            tables.time_by_item(figures),
            tables.time_by_office(figures, offices),
            tables.backlog(figures, offices),
            tables.overdue(figures, ctx),
        ],
    )


@supervision_page("outcomes")
def outcome_page(ctx: Context) -> HttpResponse:
    figures = outcomes(period=ctx.period, view=ctx.view)
    return _respond(ctx, tables_=[tables.decisions(figures), tables.reasons(figures)])


@supervision_page("payments")
def payments(ctx: Context) -> HttpResponse:
    return _respond(ctx, tables_=[tables.first_payments(payment_figures(period=ctx.period,
                                                                        view=ctx.view))])  # fmt: skip


@supervision_page("funds")
def funds(ctx: Context) -> HttpResponse:
    if not ctx.scope.sees_funds or ctx.view.kind == "office":
        return _refused(ctx.request, ctx.staff, "funds", _no_funds(), {"scope": ctx.scope})
    figures = fund_figures(period=ctx.period, region_code=ctx.view.fund_region_code)
    return _respond(
        ctx,
        tables_=[tables.funds_table(figures), *tables.reconciliation(figures),
                 *tables.subjects(figures)],
        template="supervision/funds.html",
        extra={"figures": figures, "chart": chart(figures.trend),
               "coverage_bars": tables.coverage_bars(figures)
               if ctx.view.fund_region_code is None else None},
    )  # fmt: skip


def _no_funds() -> DomainError:
    return DomainError(
        "Fund figures and anomaly checks are for supervisors of a region or of the province.",
        code="no_fund_scope",
    )


@supervision_page("anomalies")
def anomalies(ctx: Context) -> HttpResponse:
    if not ctx.scope.sees_funds or ctx.view.kind == "office":
        return _refused(ctx.request, ctx.staff, "anomalies", _no_funds(), {"scope": ctx.scope})
    region_ids = ctx.view.fund_region_ids()
    checks = anomaly_checks(region_ids=region_ids, as_of=ctx.period.end)
    return _respond(
        ctx,
        tables_=[tables.anomaly_table(check, ctx) for check in checks],
        template="supervision/anomalies.html",
        extra={"checks": checks,
               "integrity": finding_counts(region_ids=region_ids, start=ctx.period.start,
                                           end=ctx.period.end)},
    )  # fmt: skip


# ---- evidence: one case, one payment ------------------------------------------------------------


def _case_views(scope: Scope, application: Any) -> bool:
    """A case is in scope if it is in any view the scope may see (accepted, insured, office)."""
    if scope.level == "province":
        return True
    if scope.level == "region":
        candidates = [region_view(scope.region), insured_view(scope.region)]
    else:
        candidates = [office_view(scope.office)]
    return any(application_selected(application, v.selection) for v in candidates)


@supervision_page("case")
def case(ctx: Context, reference: str) -> HttpResponse:
    """A case as evidence: facts, history, entitlement and payments (numbers masked)."""
    application = application_for_supervision(reference=reference)
    if application is None or not _case_views(ctx.scope, application):
        return _refused(ctx.request, ctx.staff, "case",
                        NotFound(f"No case {reference} that you may see.", code="unknown_case"),
                        {"scope": ctx.scope})  # fmt: skip
    entitlement = entitlement_for_application(reference=reference)
    return _respond(
        ctx,
        tables_=[],
        template="supervision/case.html",
        extra={
            "application": application,
            "history": history_of(application),
            "entitlement": entitlement,
            "payments": list(payments_of_entitlement(entitlement_id=entitlement.pk))
            if entitlement
            else [],
        },
    )


@supervision_page("payment")
def payment(ctx: Context, reference: str) -> HttpResponse:
    """A payment as evidence, with its entitlement and a link to its case if there is one."""
    try:
        found = payment_get(reference=reference)
    except NotFound as error:
        return _refused(ctx.request, ctx.staff, "payment", error, {"scope": ctx.scope})
    application = application_for_supervision(reference=found.entitlement.application_reference)
    allowed = (
        ctx.scope.level == "province"
        or (
            ctx.scope.level == "region"
            and ctx.scope.region.pk in (found.paying_region_id, found.entitlement.paying_region_id)
        )
        or (application is not None and _case_views(ctx.scope, application))
    )
    if not allowed:
        return _refused(ctx.request, ctx.staff, "payment",
                        NotFound(f"No payment {reference} that you may see.",
                                 code="unknown_payment"), {"scope": ctx.scope})  # fmt: skip
    return _respond(ctx, tables_=[], template="supervision/payment.html",
                    extra={"payment": found, "application": application})  # fmt: skip
