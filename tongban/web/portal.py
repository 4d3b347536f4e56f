"""The claimant portal: sign in, see what I can claim, apply, follow my case, my payments.

The person is whoever the identity provider verified (``identity.claimant_of``); every
read is of that person only, and every write is one service call on the ``portal``
channel, done once per submission key under the person's scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.benefits.selectors import (
    entitlement_for_application,
    entitlements_of,
    payments_of,
)
from tongban.cases.facts import item_outlooks, person_view
from tongban.cases.selectors import (
    Viewer,
    application_get,
    applications_of_person,
    bundle_applications,
    history_of,
    open_task_of,
)
from tongban.cases.services import Acceptance
from tongban.catalogue.selectors import catalogue_current, items_list
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.errors import NotFound
from tongban.core.identifiers import mask_id_number
from tongban.regions.selectors import default_office_for_region, offices_list, regions_list
from tongban.registry.selectors import person_by_pk
from tongban.web import identity
from tongban.web.forms import NOT_IN_THE_PORTAL, ReemploymentForm, data_form
from tongban.web.identity import Claimant
from tongban.web.refusals import Refusal
from tongban.web.statement import statements
from tongban.web.timeline import case_steps
from tongban.web.writes import (
    KEY_FIELD,
    new_key,
    submit_application,
    submit_once,
    submit_reemployment_report,
)

BUNDLE = "unemployment"


def claimant_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in through the identity provider, else to sign-in and back to this page after."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        claimant = identity.claimant_of(request)
        if claimant is None:
            return redirect(f"{reverse('web:signin')}?next={quote(request.get_full_path())}")
        return view(request, claimant, *args, **kwargs)

    return wrapper


def actor_of(claimant: Claimant) -> Actor:
    return Actor(
        kind="person",
        label=f"person:{mask_id_number(claimant.id_number)} (portal, {claimant.method})",
        person_id_number=claimant.id_number,
    )


def _case_url(reference: str) -> str:
    return reverse("web:portal_case", args=[reference])


# ---- Front page and sign-in ----------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """What can be done, anywhere in the province."""
    return render(
        request,
        "portal/home.html",
        {
            "items": items_list(),
            "regions": regions_list(),
            "claimant": identity.claimant_of(request),
        },
    )


def signin(request: HttpRequest) -> HttpResponse:
    next_url = identity.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    return identity.provider().start(request, next_url=next_url)


def signin_return(request: HttpRequest) -> HttpResponse:
    return identity.provider().finish(request)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    identity.sign_out(request)
    return redirect("web:portal_home")


# ---- What I can claim ----------------------------------------------------------------------


@claimant_required
def me(request: HttpRequest, claimant: Claimant) -> HttpResponse:
    """Each item: "yes, N months of ¥X" or "no, because …"; and my applications."""
    today = clock.today()
    person = person_by_pk(pk=claimant.person_id)
    view = person_view(person)
    catalogue = catalogue_current()
    outlooks = {o.code: o for o in item_outlooks(view.assessments(as_of=today))}
    items = [
        {
            "item": item,
            "outlook": outlooks.get(item.code),
            "can_apply": item.code not in NOT_IN_THE_PORTAL and "portal" in item.channels,
        }
        for item in items_list()
    ]
    return render(
        request,
        "portal/me.html",
        {
            "claimant": claimant,
            "section": "me",
            "person": person,
            "items": items,
            "ui": outlooks.get("ui_benefit"),
            "bundle": catalogue.bundles.get(BUNDLE),
            "applications": list(applications_of_person(id_number=claimant.id_number)[:50]),
            "catalogue": catalogue,
            "receiving": view.running_ui_entitlement(),
        },
    )


# ---- Apply ---------------------------------------------------------------------------------


@claimant_required
def apply(request: HttpRequest, claimant: Claimant, what: str) -> HttpResponse:
    """Apply for one item or the unemployment bundle, choosing the office of the initial review."""
    today = clock.today()
    catalogue = catalogue_current()
    bundle = catalogue.bundles.get(BUNDLE) if what == BUNDLE else None
    item = catalogue.items.get(what)
    if what == "reemployment_report":
        return redirect("web:portal_reemployment")  # a new job has its own page
    if what == "funeral_survivor":  # the family claims at a window: the item says how
        return redirect(f"{reverse('web:portal_me')}#item-{what}")
    if bundle is None and (
        item is None or what in NOT_IN_THE_PORTAL or "portal" not in item.channels
    ):
        return render(request, "portal/not_found.html", {"claimant": claimant}, status=404)
    person = person_by_pk(pk=claimant.person_id)
    default_office = default_office_for_region(region_id=person.residence_region_id)
    posted = request.POST if request.method == "POST" else None
    form = data_form(what, posted) if item is not None else None
    office_code = (posted.get("office") if posted is not None else None) or default_office.code
    refusal: Refusal | None = None
    if posted is not None:
        if form is not None and not form.is_valid():
            refusal = Refusal(code="invalid", message=_("Please correct the marked fields."))
        else:
            result, refusal = submit_once(
                request,
                scope=claimant.scope,
                call=lambda: submit_application(
                    Acceptance(actor_of(claimant), "portal", office_code),
                    item_code=None if bundle is not None else what,
                    bundle_kind=BUNDLE if bundle is not None else None,
                    id_number=claimant.id_number,
                    data=form.to_data() if form is not None else None,
                    as_of=today,
                    url_for=_case_url,
                ),
            )
            if result is not None:
                messages.success(
                    request, _("Your application was received: %(reference)s.") % result
                )
                return redirect(result["redirect"])
            if form is not None:
                form.attach(refusal)
    outlook = {o.code: o for o in item_outlooks(person_view(person).assessments(as_of=today))}.get(
        "ui_benefit" if bundle is not None else what
    )
    return render(
        request,
        "portal/apply.html",
        {
            "claimant": claimant,
            "person": person,
            "what": what,
            "item": item,
            "bundle": bundle,
            "bundle_items": [catalogue.items[c] for c in bundle.items] if bundle else [],
            "outlook": outlook,
            "form": form,
            "offices": _offices_by_region(),
            "office_code": office_code,
            "default_office": default_office,
            "refusal": refusal,
            "key": new_key(),
            "key_field": KEY_FIELD,
        },
        status=422 if refusal else 200,
    )


def _offices_by_region() -> list[tuple[Any, list[Any]]]:
    groups: dict[int, tuple[Any, list[Any]]] = {}
    for office in offices_list():
        groups.setdefault(office.region_id, (office.region, []))[1].append(office)
    return list(groups.values())


# ---- Follow my case ------------------------------------------------------------------------


@claimant_required
def case(request: HttpRequest, claimant: Claimant, reference: str) -> HttpResponse:
    """Where my case is: each stage, at which office, due when; once decided, what I get."""
    try:
        application = application_get(
            reference=reference, viewer=Viewer(person_id_number=claimant.id_number)
        )
    except NotFound:
        return render(request, "portal/not_found.html", {"claimant": claimant}, status=404)
    task = open_task_of(application)
    history = history_of(application)
    catalogue = catalogue_current()
    return render(
        request,
        "portal/case.html",
        {
            "claimant": claimant,
            "application": application,
            "item": catalogue.items.get(application.item_code),
            "steps": case_steps(application, history, task),
            "task": task,
            "entitlement": entitlement_for_application(reference=application.reference),
            "partners": [
                (a, catalogue.items.get(a.item_code))
                for a in bundle_applications(bundle_id=application.bundle_id)
                if a.pk != application.pk
            ]
            if application.bundle_id
            else [],
        },
    )


# ---- My payments ---------------------------------------------------------------------------


@claimant_required
def payments(request: HttpRequest, claimant: Claimant) -> HttpResponse:
    """Per entitlement: months, monthly amount, paid so far, what is left; then each payment,
    newest first, with its status in plain words and what to do when the bank returned it."""
    catalogue = catalogue_current()
    return render(
        request,
        "portal/payments.html",
        {
            "claimant": claimant,
            "section": "payments",
            "statements": statements(
                entitlements_of(person_id=claimant.person_id),
                payments_of(person_id=claimant.person_id),
                catalogue.items,
            ),
        },
    )


# ---- Report re-employment ------------------------------------------------------------------


@claimant_required
def reemployment(request: HttpRequest, claimant: Claimant) -> HttpResponse:
    """I found a job: the report stops my benefit from the right month, wherever I am."""
    today = clock.today()
    person = person_by_pk(pk=claimant.person_id)
    default_office = default_office_for_region(region_id=person.residence_region_id)
    form = ReemploymentForm(request.POST if request.method == "POST" else None)
    refusal: Refusal | None = None
    if request.method == "POST":
        if not form.is_valid():
            refusal = Refusal(code="invalid", message=_("Please correct the marked fields."))
        else:
            cleaned = form.cleaned_data
            result, refusal = submit_once(
                request,
                scope=claimant.scope,
                call=lambda: submit_reemployment_report(
                    Acceptance(actor_of(claimant), "portal", default_office.code),
                    id_number=claimant.id_number,
                    start_date=cleaned["start_date"],
                    employer_uscc=cleaned["employer_uscc"],
                    as_of=today,
                    url_for=_case_url,
                ),
            )
            if result is not None:
                messages.success(
                    request, _("Thank you: your new job is recorded (%(reference)s).") % result
                )
                return redirect(result["redirect"])
            form.attach(refusal)
    return render(
        request,
        "portal/reemployment.html",
        {
            "claimant": claimant,
            "section": "job",
            "form": form,
            "refusal": refusal,
            "receiving": person_view(person).running_ui_entitlement(),
            "key": new_key(),
            "key_field": KEY_FIELD,
        },
        status=422 if refusal else 200,
    )
