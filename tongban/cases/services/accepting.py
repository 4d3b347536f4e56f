"""Accepting: any office (or an online channel) accepts an item or the unemployment bundle;
the registry and the rules engine's assessment are pulled, nothing is brought."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

from django.db import IntegrityError

from tongban.cases.facts import PersonView, application_decision, person_view, person_view_get
from tongban.cases.models import (
    ONLINE_CHANNELS,
    OPEN_STATUSES,
    Application,
    Bundle,
    Status,
)
from tongban.cases.services.deciding import _approve, _record_parameters, _seen
from tongban.cases.workflow import DuplicateApplication, transition
from tongban.catalogue.selectors import ItemDefinition, catalogue_current, due_date, item_get
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.canonical import CanonicalJson
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.core.identifiers import InvalidIdentifier, parse_citizen_id
from tongban.core.instances import new
from tongban.core.transactions import entrypoint
from tongban.regions.selectors import (
    StaffInfo,
    default_office_for_region,
    office_get,
)
from tongban.rules.facts import Level
from tongban.rules.result import Assessment

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
# Who may claim a funeral grant for the deceased, and the other schemes that may have paid one
# (the family takes only one: then UI pays none, SIL art. 49). The window offers the same codes.
FUNERAL_RELATIONSHIPS = ("spouse", "child", "parent", "sibling", "other")
CERTIFICATE_LEVELS = get_args(Level)
OTHER_FUNERAL_GRANTS = ("pension", "work_injury")


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
    # Encoded once: the snapshot holds it, and so does what the submission records as seen.
    assessed = CanonicalJson.of(assessment.to_dict())
    snapshot = CanonicalJson.of(view.snapshot(as_of=as_of), {"assessment": assessed})
    insured = view.insured_region(as_of)
    application = new(
        Application,
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
        reviewing_office=(view.agency(insured) if item.pays_money and insured else None),
        data=data,
        snapshot=snapshot,
        submitted_at=clock.now(),
        submitted_on=as_of,
        due_date=due_date(start=as_of, working_days=item.time_limit_working_days),
    )
    for _attempt in range(3):
        try:
            transition(
                application,
                outcome="submit",
                actor=acceptance.actor,
                office_id=office.pk,
                seen=_seen(assessed),
                as_of=as_of,
            )
            break
        except DuplicateApplication:
            existing = Application.objects.filter(
                person=person, item_code=item.code, status__in=OPEN_STATUSES
            ).first()
            if existing is not None:
                raise Conflict(
                    f"{person.name} already has an open application for this item "
                    f"({existing.reference}).",
                    code="duplicate_application",
                    extra={"existing_reference": existing.reference},
                ) from None
            # Nothing was written and nothing is open now: the random reference was taken, or
            # the open application was decided after the insert saw it. Again, afresh.
            application.reference = new_reference("TB", as_of)
    else:  # three refusals with nothing open: a bug, not the applicant's doing
        raise IntegrityError("a new application was refused three times with nothing open")
    _record_parameters()
    return application


def _approve_as_system(
    application: Application,
    item: ItemDefinition,
    view: PersonView,
    assessment: Assessment,
    as_of: date,
    label: str,
    inputs: dict[str, Any] | None = None,
) -> None:
    """An approval by the system, at the accepting office, as an explicit and audited actor."""
    system = Actor(kind="system", label=label, office_code=application.accepting_office.code)
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
        inputs=inputs,
    )


def _system_initial_review(
    application: Application, item: ItemDefinition, as_of: date, view: PersonView
) -> None:
    """An online application whose data checks all pass gets a recorded system initial review."""
    if application.channel not in ONLINE_CHANNELS or not item.system_initial_review:
        return
    if application.data.get("contest"):
        return  # a contested separation reason needs a caseworker's re-verification
    assessment, inputs = application_decision(application, view=view, as_of=as_of)
    if not assessment.eligible or assessment.pending:
        return  # a person decides; the system never refuses on its own (PIPL art. 24)
    _approve_as_system(
        application, item, view, assessment, as_of, "system initial review (系统初审)", inputs
    )


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
    view = person_view_get(id_number=id_number, as_of=as_of)
    person = view.person
    office = _accepting_office(acceptance, person)
    application = _create(
        acceptance=acceptance,
        item=item,
        view=view,
        office=office,
        data=_clean_data(item.code, data, person_id_number=person.id_number),
        as_of=as_of,
        bundle=None,
        registering=False,
    )
    _system_initial_review(application, item, as_of, view)
    return application


def _clean_data(
    item_code: str, data: dict[str, Any] | None, *, person_id_number: str
) -> dict[str, Any]:
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
    if item_code == "funeral_survivor":
        _validate_family(data, person_id_number)
    return data


def _validate_shapes(data: dict[str, Any]) -> None:
    """The values the rules engine reads from a certificate and a training record: a wrong
    type is the caller's error (422 with the field), never the engine's."""
    level = data.get("certificate", {}).get("level", "junior")
    if level not in CERTIFICATE_LEVELS:
        raise InvalidInput.of(
            "data.certificate.level",
            "choice",
            f"level is one of {', '.join(CERTIFICATE_LEVELS)}.",
        )
    training = data.get("training", {})
    cost = training.get("cost_fen", 0)
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise InvalidInput.of(
            "data.training.cost_fen", "amount", "cost_fen is a whole number of fen, 0 or more."
        )
    if not isinstance(training.get("passed", False), bool):
        raise InvalidInput.of("data.training.passed", "boolean", "passed is true or false.")


def _validate_family(data: dict[str, Any], deceased_id_number: str) -> None:
    """The family member who claims (optional online, given at the window), and another scheme's
    funeral grant. An empty answer to the latter is "none": it must not cost the family the grant."""
    if data.get("funeral_grant_elsewhere") in ("", None):
        data.pop("funeral_grant_elsewhere", None)
    elif data["funeral_grant_elsewhere"] not in OTHER_FUNERAL_GRANTS:
        raise InvalidInput.of(
            "data.funeral_grant_elsewhere",
            "choice",
            f"funeral_grant_elsewhere is one of {', '.join(OTHER_FUNERAL_GRANTS)}, or left out.",
        )
    if "applicant" not in data:
        return
    applicant = data["applicant"]
    if not isinstance(applicant, dict) or set(applicant) - {"name", "id_number", "relationship"}:
        raise InvalidInput.of(
            "data.applicant",
            "applicant",
            "applicant is {name, id_number, relationship}: the family member who claims.",
        )
    if not str(applicant.get("name") or "").strip():
        raise InvalidInput.of("data.applicant.name", "required", "The claimant's name is required.")
    try:
        number = parse_citizen_id(str(applicant.get("id_number") or "")).number
    except InvalidIdentifier as error:
        raise InvalidInput.of("data.applicant.id_number", error.code, error.message) from None
    if number == deceased_id_number:
        raise InvalidInput.of(
            "data.applicant.id_number",
            "same_person",
            "This is the deceased person's own ID number; give the family member's.",
        )
    if applicant.get("relationship") not in FUNERAL_RELATIONSHIPS:
        raise InvalidInput.of(
            "data.applicant.relationship",
            "choice",
            f"relationship is one of {', '.join(FUNERAL_RELATIONSHIPS)}.",
        )
    data["applicant"] = {
        "name": str(applicant["name"]).strip(),
        "id_number": number,
        "relationship": applicant["relationship"],
    }


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
    _validate_shapes(data)
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
    view = person_view_get(id_number=id_number, as_of=as_of)
    person = view.person
    office = _accepting_office(acceptance, person)
    bundle = Bundle.objects.create(
        reference=new_reference("TBB", as_of),
        kind=kind,
        person=person,
        accepting_office=office,
        channel=acceptance.channel,
        submitted_at=clock.now(),
    )
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
    assessment = view.assessment(item_code=item.code, as_of=as_of)
    _approve_as_system(application, item, view, assessment, as_of, "automatic transfer (免申即办)")
