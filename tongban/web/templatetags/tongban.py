"""Template filters: money, masking, and picking the Chinese or English of a bilingual text."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from tongban.core.identifiers import mask_bank_account, mask_id_number, mask_name
from tongban.core.money import format_yuan
from tongban.web import labels

register = template.Library()


def english() -> bool:
    return (get_language() or "").startswith("en")


@register.filter
def yuan(amount_fen: int | None) -> str:
    return "" if amount_fen is None else format_yuan(int(amount_fen))


@register.filter
def masked_id(number: str | None) -> str:
    return mask_id_number(number or "")


@register.filter
def masked_account(number: str | None) -> str:
    return mask_bank_account(number or "")


@register.filter
def masked_name(name: str | None) -> str:
    return mask_name(name or "")


@register.filter
def bi(value: Any) -> str:
    """The zh or en of a dict or an object that has both (a rules reason, an explanation step)."""
    if value is None:
        return ""
    key = "en" if english() else "zh"
    if isinstance(value, dict):
        return str(value.get(key) or value.get("zh") or "")
    return str(getattr(value, key, "") or getattr(value, "zh", ""))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def _label(table: dict[str, Any], code: Any) -> str:
    found = table.get(str(code))
    return str(found) if found is not None else str(code)


@register.filter
def status_label(code: str) -> str:
    return _label(labels.STATUS, code)


@register.filter
def stage_label(code: str) -> str:
    return _label(labels.STAGE, code)


@register.filter
def outcome_label(code: str) -> str:
    return _label(labels.OUTCOME, code)


@register.filter
def channel_label(code: str) -> str:
    return _label(labels.CHANNEL, code)


@register.filter
def role_label(code: str) -> str:
    return _label(labels.ROLE, code)


@register.filter
def entitlement_status_label(code: str) -> str:
    return _label(labels.ENTITLEMENT_STATUS, code)


@register.filter
def payment_status_label(code: str) -> str:
    return _label(labels.PAYMENT_STATUS, code)


@register.filter
def return_reason_label(code: str) -> str:
    return _label(labels.RETURN_REASON, code or "other")


@register.filter
def hold_reason_label(code: str) -> str:
    return _label(labels.HOLD_REASON, code)


@register.filter
def finding_source_label(code: str) -> str:
    return _label(labels.FINDING_SOURCE, code)


@register.filter
def finding_status_label(code: str) -> str:
    return _label(labels.FINDING_STATUS, code)


@register.filter
def accessible(field: Any) -> Any:
    """Render a form field's widget; with errors it is marked invalid and points at them."""
    if field.errors:
        return field.as_widget(
            attrs={"aria-invalid": "true", "aria-describedby": f"{field.auto_id}_error"}
        )
    return field.as_widget()


@register.filter
def get_list(query: Any, key: str) -> list[str]:
    """All values of ``key`` in a QueryDict (the ticked boxes of a posted form)."""
    try:
        return list(query.getlist(key))
    except AttributeError:
        return []


@register.filter
def percentage(share: Any) -> str:
    """A share (0–1) as a percentage with one decimal."""
    if share is None or share == "":
        return "—"
    return f"{float(share) * 100:.1f}%"
