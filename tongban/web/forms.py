"""The few things an applicant adds to what the registry already knows, per item.

Nothing is uploaded: the forms take facts the registry cannot hold (a contested
separation reason, a certificate number, a completed course) and turn them into the
application's ``data``, which the service validates again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.cases.services import FUNERAL_RELATIONSHIPS
from tongban.cases.services import OTHER_FUNERAL_GRANTS as OTHER_GRANTS
from tongban.core import clock
from tongban.core.identifiers import InvalidIdentifier, parse_citizen_id, parse_uscc
from tongban.core.money import yuan_to_fen
from tongban.registry.selectors import separation_reasons_list

LEVELS = [
    ("junior", _("Junior (level 5)")),
    ("intermediate", _("Intermediate (level 4)")),
    ("senior", _("Senior (level 3)")),
]


class ServiceFields:
    """Maps the service's field names (``data.certificate.issued_on``) onto this form's."""

    service_fields: dict[str, str] = {}

    def attach(self, refusal: Any) -> None:
        """Show a service's field errors next to the fields they concern."""
        if refusal is None:
            return
        for name, message in refusal.fields.items():
            mine = self.service_fields.get(name)
            if mine is not None and mine in self.fields:  # type: ignore[attr-defined]
                self.add_error(mine, message)  # type: ignore[attr-defined]


class ItemData(ServiceFields, forms.Form):
    """Base: a form whose cleaned values become the application's ``data``."""

    def to_data(self) -> dict[str, Any]:
        return {}


class ContestData(ItemData):
    """The UI benefit: the person may contest the separation reason the employer recorded."""

    service_fields = {"data.contest.claimed_reason_code": "claimed_reason"}

    contest = forms.BooleanField(
        required=False,
        label=_("I did not leave of my own will: the employer's recorded reason is wrong"),
    )
    claimed_reason = forms.ChoiceField(required=False, label=_("What really happened"), choices=())
    statement = forms.CharField(
        required=False,
        max_length=500,
        label=_("In a few words (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claimed_reason"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (r.code, r.name) for r in separation_reasons_list() if r.involuntary
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("contest") and not cleaned.get("claimed_reason"):
            self.add_error("claimed_reason", _("Choose the reason you say is true."))
        return cleaned

    def to_data(self) -> dict[str, Any]:
        if not self.cleaned_data.get("contest"):
            return {}
        contest = {"claimed_reason_code": self.cleaned_data["claimed_reason"]}
        if self.cleaned_data.get("statement"):
            contest["statement"] = self.cleaned_data["statement"]
        return {"contest": contest}


class CertificateData(ItemData):
    service_fields = {"data.certificate.issued_on": "issued_on"}
    occupation = forms.CharField(max_length=60, label=_("Occupation on the certificate"))
    level = forms.ChoiceField(choices=LEVELS, label=_("Level"))
    number = forms.CharField(max_length=40, label=_("Certificate number"))
    issued_on = forms.DateField(
        label=_("Issued on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def to_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "certificate": {
                "occupation": c["occupation"],
                "level": c["level"],
                "number": c["number"],
                "issued_on": c["issued_on"].isoformat(),
            }
        }


class TrainingData(ItemData):
    service_fields = {"data.training.completed_on": "completed_on"}
    course = forms.CharField(max_length=80, label=_("Course"))
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    passed = forms.BooleanField(required=False, label=_("Passed the final assessment"))
    cost_yuan = forms.DecimalField(
        min_value=0, max_digits=9, decimal_places=2, label=_("Course fee (yuan)")
    )

    def to_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "training": {
                "course": c["course"],
                "completed_on": c["completed_on"].isoformat(),
                "passed": bool(c["passed"]),
                "cost_fen": yuan_to_fen(c["cost_yuan"]),
            }
        }


class RuralWorkerData(ItemData):
    rural_contract_worker = forms.BooleanField(
        required=True, label=_("I worked as a rural contract worker (农民合同制工人)")
    )

    def to_data(self) -> dict[str, Any]:
        return {"rural_contract_worker": True}


_RELATIONSHIP_LABELS = {
    "spouse": _("Spouse"),
    "child": _("Child"),
    "parent": _("Parent"),
    "sibling": _("Brother or sister"),
    "other": _("Other close relative"),
}
_OTHER_GRANT_LABELS = {
    "pension": _("Yes, from basic pension insurance"),
    "work_injury": _("Yes, from work-injury insurance"),
}
# The service's codes, each with its label (a code without one fails at import).
RELATIONSHIPS = [(code, _RELATIONSHIP_LABELS[code]) for code in FUNERAL_RELATIONSHIPS]
OTHER_FUNERAL_GRANTS = [("", pgettext_lazy("other funeral grant", "No"))] + [
    (code, _OTHER_GRANT_LABELS[code]) for code in OTHER_GRANTS
]


class FuneralData(ItemData):
    """The funeral grant and survivor pension: the application is the deceased person's (their ID
    card is the one found); the family member who claims shows their own ID and relationship."""

    service_fields = {"data.date_of_death": "date_of_death"}
    date_of_death = forms.DateField(
        label=_("Date of death"), widget=forms.DateInput(attrs={"type": "date"})
    )
    applicant_name = forms.CharField(max_length=40, label=_("Name of the family member who claims"))
    applicant_id_number = forms.CharField(max_length=18, label=_("Family member's ID number"))
    relationship = forms.ChoiceField(
        choices=[("", "—"), *RELATIONSHIPS], label=_("Their relationship to the deceased")
    )
    funeral_grant_elsewhere = forms.ChoiceField(
        required=False,
        choices=OTHER_FUNERAL_GRANTS,
        label=_("Has the family taken a funeral grant from another insurance?"),
    )

    def __init__(self, *args: Any, deceased_id_number: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deceased_id_number = deceased_id_number

    def clean_date_of_death(self) -> Any:
        day = self.cleaned_data["date_of_death"]
        if day > clock.today():
            raise forms.ValidationError(_("The date of death is in the future."), code="future")
        return day

    def clean_applicant_id_number(self) -> str:
        try:
            number = parse_citizen_id(
                self.cleaned_data.get("applicant_id_number") or "", as_of=clock.today()
            ).number
        except InvalidIdentifier as error:
            raise forms.ValidationError(_(error.message), code=error.code) from None
        if number == self.deceased_id_number:
            raise forms.ValidationError(
                _("This is the deceased person's own ID number; enter the family member's."),
                code="same_person",
            )
        return number

    def to_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        data: dict[str, Any] = {
            "date_of_death": c["date_of_death"].isoformat(),
            "applicant": {
                "name": c["applicant_name"],
                "id_number": c["applicant_id_number"],
                "relationship": c["relationship"],
            },
        }
        if c.get("funeral_grant_elsewhere"):
            data["funeral_grant_elsewhere"] = c["funeral_grant_elsewhere"]
        return data


DATA_FORMS: dict[str, type[ItemData]] = {
    "ui_benefit": ContestData,
    "skill_subsidy": CertificateData,
    "training_subsidy": TrainingData,
    "rural_worker_allowance": RuralWorkerData,
    "funeral_survivor": FuneralData,
}
# Nobody applies for the transfer: the bundle opens it when the relationship must move.
AUTOMATIC = {"ui_transfer"}
# The portal serves the signed-in person only: a re-employment report has its own page there
# (/me/new-job/), and a funeral grant is claimed by the family of a deceased recipient, who
# shows their own ID card at an office window (the portal says so).
NOT_IN_THE_PORTAL = AUTOMATIC | {"reemployment_report", "funeral_survivor"}


def data_form(item_code: str, data: Any = None, *, prefix: str | None = None) -> ItemData:
    return DATA_FORMS.get(item_code, ItemData)(data, prefix=prefix)


class ReemploymentForm(ServiceFields, forms.Form):
    service_fields = {"date": "start_date", "employer_uscc": "employer_uscc"}
    start_date = forms.DateField(
        label=_("First day of the new job"), widget=forms.DateInput(attrs={"type": "date"})
    )
    employer_uscc = forms.CharField(
        required=False,
        max_length=18,
        label=_("Employer's unified social credit code (if you know it)"),
    )

    def clean_employer_uscc(self) -> str | None:
        raw = self.cleaned_data.get("employer_uscc") or ""
        if not raw.strip():
            return None
        try:
            return parse_uscc(raw)
        except InvalidIdentifier as error:
            raise forms.ValidationError(_(error.message), code=error.code) from None


def window_form(
    item_code: str, data: Any = None, *, prefix: str | None = None, id_number: str
) -> ItemData | ReemploymentForm:
    """What is added at the window for ``item_code``, for the person with ``id_number``."""
    if item_code == "reemployment_report":
        return ReemploymentForm(data, prefix=prefix)
    if item_code == "funeral_survivor":
        return FuneralData(data, prefix=prefix, deceased_id_number=id_number)
    return data_form(item_code, data, prefix=prefix)
