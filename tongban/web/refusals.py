"""Refusals, explained: a service's ``DomainError`` as a translated message beside the form.

Services raise errors with a stable ``code`` and an English message (some with figures
in ``extra``). Pages show the message of the code in the visitor's language; a code
not listed here falls back to the catalogue's translation of the message itself
(identifier errors are in the catalogue) or to the message as written.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from tongban.core.errors import DomainError
from tongban.core.errors import NotFound as _NotFound
from tongban.regions.selectors import office_get

Problem = tuple[int, dict[str, Any]]

MESSAGES: dict[str, Any] = {
    # deciding a task
    "not_your_office": gettext_lazy(
        "This task belongs to %(office)s: it is in their queue, not in your office's."
    ),
    "task_closed": gettext_lazy("This task is already closed; it was decided before."),
    "role_required": gettext_lazy("Your roles do not include this kind of work."),
    "same_reviewer": gettext_lazy(
        "You did the initial review of this case; the re-review must be done by someone else."
    ),
    "not_eligible": gettext_lazy(
        "The person is not eligible, so this cannot be approved. Reject with the reasons "
        "below, or return the case if something must be corrected."
    ),
    "not_decidable": gettext_lazy("The rules cannot decide yet:"),
    "no_insured_region": gettext_lazy(
        "The person has never been insured, so there is no fund to pay from; reject instead."
    ),
    "paying_region_mismatch": gettext_lazy(
        "The paying region is no longer this agency's region (the person's insurance moved). "
        "Funds never cross: return the case to initial review, from where it is routed again."
    ),
    "transition_not_allowed": gettext_lazy("The case is no longer in a state that allows this."),
    "outcome": gettext_lazy("Choose approve, return or reject."),
    "required": gettext_lazy("This is required."),
    "unchecked": gettext_lazy("An approval needs every check confirmed."),
    "unknown_check": gettext_lazy("This check is not on the stage's checklist."),
    "verification": gettext_lazy("Say whether the contest is upheld or rejected."),
    "no_contest": gettext_lazy(
        "Only the initial review re-verifies a contest, and only a contested claim has one."
    ),
    # accepting and applying
    "duplicate_application": gettext_lazy(
        "There is already an open application for this item (%(existing_reference)s)."
    ),
    "not_own_office": gettext_lazy("A caseworker accepts at their own office only."),
    "unknown_office": gettext_lazy("Choose an office from the list."),
    "unknown_item": gettext_lazy("There is no such item in the catalogue."),
    "automatic_item": gettext_lazy(
        "This item is done by the system without an application (免申即办)."
    ),
    "channel_not_allowed": gettext_lazy("This item cannot be applied for here."),
    "unknown_person": gettext_lazy("No person with this ID number is known to the registry."),
    "unknown_bundle": gettext_lazy("There is no such bundle."),
    "unexpected": gettext_lazy(
        "This item takes no such information; it is pulled from the registry."
    ),
    "date": gettext_lazy("Enter a date, for example 2026-11-26."),
    "future_date": gettext_lazy("The date is in the future."),
    "not_receiving_benefit": gettext_lazy(
        "No benefit is being paid to you, so there is nothing to stop."
    ),
    # supervision
    "not_staff": gettext_lazy("Supervision is for staff of an office."),
    "out_of_scope": gettext_lazy(
        "These figures are outside what you may see: a regional supervisor sees their region, "
        "an office head their office."
    ),
    "no_fund_scope": gettext_lazy(
        "Fund figures and anomaly checks are for supervisors of a region or of the province."
    ),
    "unknown_region": gettext_lazy("There is no region with this code."),
    "one_view": gettext_lazy("Ask for one region, insured region or office at a time."),
    "unknown_case": gettext_lazy("There is no such case that you may see."),
    "unknown_payment": gettext_lazy("There is no such payment that you may see."),
    # anything
    "unknown_task": gettext_lazy("There is no such task."),
    "unknown_application": gettext_lazy("There is no such application that you may see."),
    "idempotency_key_reused": gettext_lazy(
        "This form was already sent with other values; reload the page and try again."
    ),
}
# Field errors whose message depends on the field as well as the code.
FIELD_MESSAGES: dict[tuple[str, str], Any] = {
    ("reasons", "required"): gettext_lazy(
        "A rejection or a return needs at least one reason the person can read."
    ),
    ("data.contest.claimed_reason_code", "required"): pgettext_lazy(
        "contest", "Choose the reason you say is true."
    ),
    # the period of the supervision pages
    ("to", "future"): gettext_lazy("The period ends after today."),
    ("from", "order"): gettext_lazy("The period starts after it ends."),
    ("from", "too_early"): gettext_lazy(
        "The period starts before province-wide handling began (25 June 2021)."
    ),
    ("to", "too_long"): gettext_lazy(
        "The period is longer than three years; ask for a shorter one."
    ),
}


def problem(error: DomainError) -> Problem:
    """A refusal as plain data, so an idempotent replay answers with the same refusal."""
    return error.status, {
        "code": error.code,
        "message": error.message,
        "errors": [{"field": e.field, "code": e.code, "message": e.message} for e in error.errors],
        "extra": error.extra,
    }


@dataclass(frozen=True)
class Refusal:
    """What a page shows: one message, messages per field, and the rules' reasons if any."""

    code: str
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    reasons: list[dict[str, str]] = field(default_factory=list)

    def for_field(self, name: str) -> str | None:
        return self.fields.get(name)


def _text(code: str, message: str, extra: dict[str, Any]) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return _(message) if message else message
    values = dict(extra)
    if "office" in values:
        with contextlib.suppress(_NotFound):
            values["office"] = office_get(code=str(values["office"])).name
    try:
        return str(template) % values if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def refusal_of(body: dict[str, Any]) -> Refusal:
    extra = body.get("extra") or {}
    fields = {}
    for e in body.get("errors") or []:
        template = FIELD_MESSAGES.get((e["field"], e["code"]))
        fields[e["field"]] = str(template) if template else _text(e["code"], e["message"], extra)
    return Refusal(
        code=body["code"],
        message=_text(body["code"], body["message"], extra),
        fields=fields,
        reasons=list(extra.get("reasons") or []),
    )


def explain(error: DomainError) -> Refusal:
    return refusal_of(problem(error)[1])
