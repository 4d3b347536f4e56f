"""Who may see which figures (ADR 0401), and what a request asks to see.

- a **provincial supervisor** (the ``supervisor`` role at the provincial centre) sees
  everything: the province, any region, any office, every fund;
- a **regional supervisor** (the ``supervisor`` role at any other office) sees their region:
  the applications accepted there, those insured there wherever they were accepted (the
  ones its fund pays for), the work of its offices, and its fund;
- an **office head** (the ``head`` role) sees their office: the applications it accepted or
  re-reviews, and its work. Fund figures and anomaly checks are for supervisors.

A request names at most one of ``region`` (accepted in that region, the contract's meaning),
``insured`` (insured in that region) or ``office``; a refusal says why and shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext as _

from tongban.cases.statistics import Selection, Work
from tongban.core.errors import Forbidden, InvalidInput, NotFound
from tongban.regions.selectors import StaffInfo, office_get, offices_list, region_get, regions_list

if TYPE_CHECKING:
    from tongban.regions.models import Office, Region

Level = Literal["province", "region", "office"]
Kind = Literal["province", "region", "insured", "office"]
SUPERVISION_ROLES = frozenset({"supervisor", "head"})


@dataclass(frozen=True)
class Scope:
    """What one member of staff may see."""

    staff: StaffInfo
    level: Level

    @property
    def region(self) -> Region:
        return self.staff.office.region

    @property
    def office(self) -> Office:
        return self.staff.office

    @property
    def sees_funds(self) -> bool:
        return self.level in ("province", "region")

    def region_ids(self) -> list[int] | None:
        """The funds (regions) this scope may see; None: all of them."""
        if self.level == "province":
            return None
        return [self.region.pk] if self.level == "region" else []


def scope_for(staff: StaffInfo | None) -> Scope:
    """The scope of a caseworker, or a refusal for anyone without a supervision role."""
    if staff is None:
        raise Forbidden("Supervision is for staff of an office.", code="not_staff")
    if staff.has_role("supervisor"):
        return Scope(staff, "province" if staff.office.is_provincial else "region")
    if staff.has_role("head"):
        return Scope(staff, "office")
    raise Forbidden(
        "Supervision needs the supervisor role (or the office-head role for one's own office).",
        code="role_required",
    )


@dataclass(frozen=True)
class View:
    """The figures asked for, within a scope: which applications, whose work, which funds."""

    kind: Kind
    key: str  # "province", "region:460100", "insured:460100", "office:haikou-longhua"
    selection: Selection
    work: Work
    region: Region | None = None
    office: Office | None = None

    @property
    def fund_region_code(self) -> str | None:
        """The fund the view's money figures are about (None: every fund of the province)."""
        if self.kind == "province":
            return None
        return self.region.code if self.region is not None else None

    def fund_region_ids(self) -> list[int] | None:
        """The funds whose findings and money this view shows (None: every fund). An office
        view shows its region's fund when the office is the region's paying agency."""
        if self.kind == "province":
            return None
        if self.kind == "office":
            agency = self.office is not None and self.office.is_insurance_agency
            return [self.office.region_id] if agency and self.office is not None else []
        return [self.region.pk] if self.region is not None else []

    @property
    def label(self) -> str:
        if self.kind == "province":
            return _("The province")
        if self.kind == "region" and self.region is not None:
            return _("Accepted in %(region)s") % {"region": self.region.name}
        if self.kind == "insured" and self.region is not None:
            return _("Insured in %(region)s (paid by its fund)") % {"region": self.region.name}
        if self.office is not None:
            return _("Office: %(office)s") % {"office": self.office.name}
        return self.key


def province_view() -> View:
    return View("province", "province", Selection(), Work())


def region_view(region: Region) -> View:
    return View(
        "region",
        f"region:{region.code}",
        Selection(accepting_region_id=region.pk),
        Work(region_id=region.pk),
        region=region,
    )


def insured_view(region: Region) -> View:
    return View(
        "insured",
        f"insured:{region.code}",
        Selection(insured_region_id=region.pk),
        Work(region_id=region.pk),
        region=region,
    )


def office_view(office: Office) -> View:
    agency_region = office.region_id if office.is_insurance_agency else None
    return View(
        "office",
        f"office:{office.code}",
        Selection(office_id=office.pk, agency_region_id=agency_region),
        Work(office_id=office.pk),
        region=office.region,
        office=office,
    )


def _region(field: str, code: str) -> Region:
    try:
        return region_get(code=code)
    except NotFound:
        raise InvalidInput.of(
            field, "unknown_region", f"Unknown region code {code!r}; see GET /offices."
        ) from None


def _office(code: str) -> Office:
    try:
        return office_get(code=code)
    except NotFound:
        raise InvalidInput.of(
            "office", "unknown_office", f"Unknown office code {code!r}; see GET /offices."
        ) from None


def _out_of_scope(scope: Scope, what: str) -> Forbidden:
    if scope.level == "region":
        mine = f"region {scope.region.code} (region={scope.region.code} or insured={scope.region.code})"
    else:
        mine = f"office {scope.office.code}"
    return Forbidden(
        f"You may see {mine}, not {what}.", code="out_of_scope", extra={"scope": scope.level}
    )


def view_for(
    scope: Scope,
    *,
    region: str | None = None,
    insured: str | None = None,
    office: str | None = None,
    default_to_own: bool = True,
) -> View:
    """The view a request asks for, or a refusal: unknown codes are invalid input (422), codes
    outside the scope are forbidden (403). Without a choice: the scope's own view, or — when
    ``default_to_own`` is False (the API: no region means the province) — the province."""
    given = [(name, value) for name, value in (("region", region), ("insured", insured),
                                               ("office", office)) if value]  # fmt: skip
    if len(given) > 1:
        raise InvalidInput.of(
            given[1][0], "one_view", "Ask for one of region, insured or office, not several."
        )
    if region:
        chosen = region_view(_region("region", region))
    elif insured:
        chosen = insured_view(_region("insured", insured))
    elif office:
        chosen = office_view(_office(office))
    elif default_to_own:
        return own_view(scope)
    else:
        chosen = province_view()
    if not may_see(scope, chosen):
        raise _out_of_scope(scope, chosen.key)
    return chosen


def own_view(scope: Scope) -> View:
    if scope.level == "province":
        return province_view()
    if scope.level == "region":
        return region_view(scope.region)
    return office_view(scope.office)


def may_see(scope: Scope, view: View) -> bool:
    if scope.level == "province":
        return True
    if scope.level == "region":
        if view.kind in ("region", "insured"):
            return view.region is not None and view.region.pk == scope.region.pk
        return (
            view.kind == "office"
            and view.office is not None
            and (view.office.region_id == scope.region.pk)
        )
    return view.kind == "office" and view.office is not None and view.office.pk == scope.office.pk


def view_choices(scope: Scope) -> list[tuple[str, str]]:
    """The views a scope may pick, as (key, label), for the page's chooser (``view=KEY``)."""
    views: list[View] = []
    if scope.level == "province":
        views.append(province_view())
        regions = list(regions_list())
        views += [region_view(r) for r in regions]
        views += [insured_view(r) for r in regions]
        views += [office_view(o) for o in offices_list() if not o.is_provincial]
    elif scope.level == "region":
        views += [region_view(scope.region), insured_view(scope.region)]
        views += [
            office_view(o)
            for o in offices_list().filter(region_id=scope.region.pk)
            if not o.is_provincial
        ]
    else:
        views.append(office_view(scope.office))
    return [(v.key, v.label) for v in views]


def query_of(view: View) -> str:
    """The query string that asks for ``view`` (empty for the province)."""
    if view.kind == "province":
        return ""
    if view.kind == "office" and view.office is not None:
        return f"office={view.office.code}"
    assert view.region is not None
    return f"{view.kind}={view.region.code}"
