"""The office workbench: my queue, accepting at the window, the case page.

Views are thin: they read through selectors and write through one service call per
POST (run once per submission key, ``writes.submit_once``). Every refusal a service
raises is shown, translated, next to the form that caused it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.benefits.selectors import entitlement_for_application
from tongban.cases import services as case_services
from tongban.cases.facts import application_assessment, item_outlooks, person_view
from tongban.cases.selectors import (
    QueueFilter,
    Viewer,
    application_get,
    applications_of_person,
    archive_of,
    bundle_applications,
    decision_refusal,
    history_of,
    office_tasks,
    open_task_of,
    task_stages,
)
from tongban.cases.services import Acceptance
from tongban.catalogue.selectors import catalogue_current, items_list
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_view
from tongban.core.errors import DomainError, NotFound
from tongban.integrity.selectors import findings_by_task
from tongban.regions.selectors import StaffInfo, office_get, regions_list, staff_for_user
from tongban.registry.selectors import person_by_pk, person_get, separation_reasons_list
from tongban.web.forms import AUTOMATIC, OTHER_FUNERAL_GRANTS, RELATIONSHIPS, window_form
from tongban.web.labels import STATUS
from tongban.web.lookup import find_citizen_id
from tongban.web.refusals import Refusal, explain
from tongban.web.timeline import insurance_chart
from tongban.web.writes import (
    KEY_FIELD,
    new_key,
    submit_application,
    submit_once,
    submit_reemployment_report,
)

PAGE_SIZE = 25  # rows of a paged workbench list (queue, findings, transfers; web/_pager.html)
WINDOW_PERSON = "tongban_window_person"
BUNDLE = "bundle:unemployment"

StaffView = Callable[..., HttpResponse]


def page_of(request: HttpRequest, rows: Any) -> Page[Any]:
    """The page of ``rows`` the request asks for (``?page=``; the last for one past the end)."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def staff_required(view: StaffView) -> Callable[..., HttpResponse]:
    """Signed in (else the login page, returning here after) and a member of an office."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = staff_for_user(user=request.user)
        if staff is None:
            return render(request, "office/not_staff.html", status=403)
        return view(request, staff, *args, **kwargs)

    return wrapper


def actor_of(staff: StaffInfo) -> Actor:
    return Actor(
        kind="staff",
        label=f"staff:{staff.username}",
        user_id=staff.user_id,
        office_code=staff.office.code,
    )


def _scope(staff: StaffInfo) -> str:
    return f"user:{staff.user_id}"


def case_url(reference: str) -> str:
    return reverse("web:office_case", args=[reference])


# ---- My queue -------------------------------------------------------------------------------


@staff_required
def queue(request: HttpRequest, staff: StaffInfo) -> HttpResponse:
    """Open tasks of my office, oldest first; filters for stage, item and overdue; paginated."""
    today, now = clock.today(), clock.now()
    catalogue = catalogue_current()
    stages = task_stages()
    stage = request.GET.get("stage") or None
    item = request.GET.get("item") or None
    filters = QueueFilter(
        stage=stage if stage in stages else None,
        item_code=item if item in catalogue.items else None,
        overdue_only=request.GET.get("overdue") == "1",
    )
    page = page_of(request, office_tasks(office_id=staff.office.pk, as_of=today, filters=filters))
    findings = findings_by_task(task_ids=[t.pk for t in page if t.application_id is None])
    rows = [
        {
            "task": task,
            "application": task.application,
            "finding": findings.get(task.pk),
            "person": task.application.person if task.application else task.person,
            "item": catalogue.items.get(task.application.item_code) if task.application else None,
            "overdue": task.due_date < today,
            "waiting": now - task.created_at,
        }
        for task in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "office/queue.html",
        {
            "staff": staff,
            "section": "queue",
            "page": page,
            "rows": rows,
            "filters": filters,
            "stages": stages,
            "items": items_list(),
            "query": query.urlencode(),
            "today": today,
        },
    )


# ---- Accept at the window -------------------------------------------------------------------


@staff_required
def accept(request: HttpRequest, staff: StaffInfo) -> HttpResponse:
    """Find a person by ID number (typed or pasted from the card reader), see what they can
    apply for and why, and accept an item or the unemployment bundle in one step."""
    today = clock.today()
    context: dict[str, Any] = {
        "staff": staff,
        "section": "accept",
        "find_text": "",
        "find_error": None,
    }
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "find":
        text = request.POST.get("id_text", "")
        try:
            person = person_get(id_number=find_citizen_id(text), as_of=today)
        except DomainError as error:
            context.update(find_text=text, find_error=explain(error))
            return render(request, "office/accept.html", context, status=422)
        request.session[WINDOW_PERSON] = person.pk
        return redirect("web:office_accept")
    if action == "clear":
        request.session.pop(WINDOW_PERSON, None)
        return redirect("web:office_accept")
    person_pk = request.session.get(WINDOW_PERSON)
    if person_pk is None:
        return render(request, "office/accept.html", context)
    person = person_by_pk(pk=person_pk)
    refusal: Refusal | None = None
    chosen: str | None = None
    form: Any = None
    revealed = False
    if action == "accept":
        chosen = request.POST.get("what", "")
        form = (
            None
            if chosen == BUNDLE
            else window_form(chosen, request.POST, prefix=chosen, id_number=person.id_number)
        )
        if form is not None and not form.is_valid():
            refusal = Refusal(code="invalid", message=_("Please correct the marked fields."))
        else:
            result, refusal = submit_once(
                request,
                scope=_scope(staff),
                call=lambda: _accept(staff, chosen or "", person.id_number, form, today),
            )
            if result is not None:
                messages.success(request, _("Accepted: %(reference)s.") % result)
                return redirect(result["redirect"])
            if form is not None:
                form.attach(refusal)
    elif action == "reveal":
        audit_view(
            actor=actor_of(staff),
            subject_type="person",
            subject_id=person.pk,
            what="id_number, bank_account (window)",
            office_code=staff.office.code,
        )
        revealed = True
    view = person_view(person)
    context.update(
        person=person,
        revealed=revealed,
        registry=_registry(view, today),
        offers=_offers(view, today, chosen, form if chosen else None),
        refusal=refusal,
        chosen=chosen,
        open_cases=[a for a in applications_of_person(id_number=person.id_number) if a.is_open],
        key=new_key(),
        key_field=KEY_FIELD,
        bundle=BUNDLE,
    )
    return render(request, "office/accept.html", context, status=422 if refusal else 200)


def _accept(
    staff: StaffInfo, chosen: str, id_number: str, form: Any, as_of: date
) -> dict[str, Any]:
    """One service call: the bundle, a re-employment report (which holds a running benefit for
    the payer's review), or one item with what the person or the family adds."""
    acceptance = Acceptance(actor_of(staff), "window", None, staff)
    if chosen == "reemployment_report":
        return submit_reemployment_report(
            acceptance,
            id_number=id_number,
            start_date=form.cleaned_data["start_date"],
            employer_uscc=form.cleaned_data["employer_uscc"],
            as_of=as_of,
            url_for=case_url,
        )
    return submit_application(
        acceptance,
        item_code=None if chosen == BUNDLE else chosen,
        bundle_kind="unemployment" if chosen == BUNDLE else None,
        id_number=id_number,
        data=form.to_data() if form is not None else None,
        as_of=as_of,
        url_for=case_url,
    )


def _offers(view: Any, as_of: date, chosen: str | None, chosen_form: Any) -> list[dict[str, Any]]:
    """Every item with the rules' answer and, where it takes any, the form of what to add."""
    catalogue = catalogue_current()
    offers = []
    for outlook in item_outlooks(view.assessments(as_of=as_of)):
        item = catalogue.items.get(outlook.code)
        if item is None:
            continue
        form = (
            chosen_form
            if chosen == outlook.code and chosen_form is not None
            else window_form(outlook.code, prefix=outlook.code, id_number=view.person.id_number)
        )
        offers.append(
            {
                "item": item,
                "outlook": outlook,
                "form": form,
                "can_apply": outlook.code not in AUTOMATIC and "window" in item.channels,
                "key": new_key(),
            }
        )
    return sorted(offers, key=lambda o: o["item"].number)


def _registry(view: Any, as_of: date) -> dict[str, Any]:
    """What the registry says: spells per region on a time axis, and the separation reason."""
    record = view.record
    insured = record.insured_spell(as_of)
    contributions = record.contributions_until(as_of)
    regions = {r.code: r for r in regions_list()}
    months_by_region: dict[str, set[date]] = {}
    for month, code in contributions:
        months_by_region.setdefault(code, set()).add(month)
    return {
        "insured": insured,
        "chart": insurance_chart(
            spells=record.spells, contributions=contributions, insured=insured, as_of=as_of
        ),
        "months_total": len({m for m, _ in contributions}),
        "months_by_region": [
            (regions.get(code), len(months)) for code, months in sorted(months_by_region.items())
        ],
        "registrations": record.registrations,
        "separation": insured if insured is not None and insured.end_date else None,
        "entitlements": view.entitlements,
    }


# ---- The case page --------------------------------------------------------------------------


@staff_required
def case(request: HttpRequest, staff: StaffInfo, reference: str) -> HttpResponse:
    """Registry, rules explanation, checklist, decision form, history and archive seal."""
    today = clock.today()
    try:
        application = application_get(reference=reference, viewer=Viewer(staff=staff))
    except NotFound:
        return render(
            request,
            "office/case_missing.html",
            {"reference": reference, "staff": staff},
            status=404,
        )
    refusal: Refusal | None = None
    revealed = False
    posted = None
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "reveal":
        audit_view(
            actor=actor_of(staff),
            subject_type="person",
            subject_id=application.person_id,
            what=f"id_number, bank_account (case {application.reference})",
            office_code=staff.office.code,
        )
        revealed = True
    elif action == "decide":
        posted = request.POST
        result, refusal = submit_once(
            request,
            scope=_scope(staff),
            call=lambda: _decide(request, staff, application.reference, today),
        )
        if result is not None:
            messages.success(request, _decision_message(result))
            return redirect(result["redirect"])
    context = _case_context(application, staff, today)
    context.update(revealed=revealed, refusal=refusal, posted=posted)
    return render(request, "office/case.html", context, status=422 if refusal else 200)


def _decide(request: HttpRequest, staff: StaffInfo, reference: str, as_of: date) -> dict[str, Any]:
    post = request.POST
    try:
        task_id = int(post.get("task", ""))
    except ValueError:
        raise NotFound("No such task.", code="unknown_task") from None
    checks = post.getlist("check_codes")
    ticked = set(post.getlist("checks"))
    contest = post.get("contest_outcome") or None
    application = case_services.task_decide(
        actor=actor_of(staff),
        staff=staff,
        task_id=task_id,
        outcome=post.get("outcome", ""),
        reasons=post.get("reasons", "").splitlines(),
        checklist={code: code in ticked for code in checks},
        verification={"contest": contest} if contest else None,
        as_of=as_of,
    )
    reviewing = application.reviewing_office
    return {
        "reference": application.reference,
        "status": application.status,
        "outcome": post.get("outcome", ""),
        "reviewing_office": reviewing.code if reviewing is not None else None,
        "redirect": case_url(application.reference),
    }


def _decision_message(result: dict[str, Any]) -> str:
    if result["status"] == "re_review" and result["reviewing_office"]:
        office = office_get(code=result["reviewing_office"])
        return _("Initial review approved; routed to %(office)s for re-review.") % {
            "office": office.name
        }
    return _("Decided: the case is now %(status)s.") % {
        "status": STATUS.get(result["status"], result["status"])
    }


def _case_context(application: Any, staff: StaffInfo, today: date) -> dict[str, Any]:
    catalogue = catalogue_current()
    item = catalogue.items.get(application.item_code)
    task = open_task_of(application)
    history = history_of(application)
    view = person_view(application.person)
    if application.is_open:
        assessment = application_assessment(application, view=view, as_of=today).to_dict()
        assessed_on = today
    else:  # what the last decision saw
        seen: dict[str, Any] = next(
            (t.seen for t in reversed(history) if t.seen.get("assessment")), {}
        )
        assessment = seen.get("assessment") or application.snapshot.get("assessment", {})
        assessed_on = None
    refusal_now = (
        decision_refusal(task=task, application=application, staff=staff) if task else None
    )
    checks: tuple[Any, ...] = ()
    if task is not None and item is not None:
        checks = item.initial_review if task.stage == "initial_review" else item.re_review
    data = application.data if isinstance(application.data, dict) else {}
    contest = data.get("contest")
    reasons = {r.code: r for r in separation_reasons_list()}
    return {
        "staff": staff,
        "application": application,
        "person": application.person,
        "item": item,
        "task": task,
        "overdue": task is not None and task.due_date < today,
        "refusal_now": explain(refusal_now) if refusal_now is not None else None,
        "checks": checks,
        "contest": contest,
        "contest_reason": reasons.get(contest.get("claimed_reason_code")) if contest else None,
        "contest_form": bool(
            task is not None
            and task.stage == "initial_review"
            and application.item_code == "ui_benefit"
            and contest
        ),
        "family": _family(data),
        "assessment": assessment,
        "assessed_on": assessed_on,
        "registry": _registry(view, today),
        "history": history,
        "entitlement": entitlement_for_application(reference=application.reference),
        "archive": archive_of(application),
        "partners": (
            [
                a
                for a in bundle_applications(bundle_id=application.bundle_id)
                if a.pk != application.pk
            ]
            if application.bundle_id
            else []
        ),
        "catalogue": catalogue,
        "key": new_key(),
        "key_field": KEY_FIELD,
    }


def _family(data: dict[str, Any]) -> dict[str, Any] | None:
    """Who claims a funeral grant for the deceased, as the family gave it at the window."""
    applicant = data.get("applicant")
    if not isinstance(applicant, dict):
        return None
    death = data.get("date_of_death")
    relationship = str(applicant.get("relationship") or "")
    return {
        "name": applicant.get("name") or "",
        "id_number": applicant.get("id_number") or "",
        "relationship": dict(RELATIONSHIPS).get(relationship, relationship),
        "date_of_death": date.fromisoformat(death) if death else None,
        "other_grant": dict(OTHER_FUNERAL_GRANTS).get(data.get("funeral_grant_elsewhere") or ""),
    }
