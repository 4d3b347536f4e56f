"""The chart of accounts (会计科目), loaded from data, and one book per regional fund."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.transactions import entrypoint
from tongban.ledger.models import Account, AccountClass, Book, JournalLine, Side
from tongban.regions.selectors import regions_list

# --- the chart of accounts and the books ------------------------------------------------


class ChartFileError(ValueError):
    """The chart of accounts file is not valid; nothing was loaded."""


@dataclass(frozen=True)
class ChartLoad:
    accounts: int
    changed: int
    sha256: str


def chart_validate(data: dict[str, Any]) -> None:
    """Refuse a chart with duplicate codes, unknown parents, classes or sides, or misnested codes."""
    problems: list[str] = []
    entries = data.get("accounts") or []
    codes = [str(e.get("code")) for e in entries]
    if len(set(codes)) != len(codes):
        problems.append("account codes are not unique")
    by_code = {str(e.get("code")): e for e in entries}
    for entry in entries:
        code = str(entry.get("code"))
        if not code.isdigit():
            problems.append(f"account {code!r}: the code must be digits")
        if entry.get("class") not in AccountClass.values:
            problems.append(f"account {code}: unknown class {entry.get('class')!r}")
        if entry.get("side") not in Side.values:
            problems.append(f"account {code}: unknown side {entry.get('side')!r}")
        if not entry.get("zh") or not entry.get("en"):
            problems.append(f"account {code}: needs a Chinese and an English name")
        parent = entry.get("parent")
        if parent is not None:
            parent = str(parent)
            if parent not in by_code:
                problems.append(f"account {code}: unknown parent {parent}")
            elif codes.index(parent) > codes.index(code):
                problems.append(f"account {code}: its parent {parent} must come before it")
            elif not code.startswith(parent) or by_code[parent].get("class") != entry.get("class"):
                problems.append(f"account {code}: must extend its parent's code and class")
    if problems:
        raise ChartFileError("; ".join(problems))


@entrypoint
def chart_load(*, actor: Actor, source: str | None = None) -> ChartLoad:
    """Create or update the accounts of ``data/accounts.yaml``; loading it again changes nothing.

    An account that already has postings may not become a parent: its balance would vanish
    from the reports, which add up postable accounts only.
    """
    text = (
        source
        if source is not None
        else resources.files("tongban.ledger").joinpath("data/accounts.yaml").read_text("utf-8")
    )
    data = yaml.safe_load(text)
    chart_validate(data)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    entries = data["accounts"]
    parents = {str(e["parent"]) for e in entries if e.get("parent") is not None}
    existing = {a.code: a for a in Account.objects.all()}
    posted = set(
        JournalLine.objects.filter(account__code__in=parents)
        .values_list("account__code", flat=True)
        .distinct()
    )
    if posted:
        raise ChartFileError(f"accounts {sorted(posted)} have postings and cannot become parents")
    changed = 0
    for order, entry in enumerate(entries):
        code = str(entry["code"])
        values = {
            "parent": existing[str(entry["parent"])] if entry.get("parent") is not None else None,
            "name_zh": entry["zh"],
            "name_en": entry["en"],
            "account_class": entry["class"],
            "normal_side": entry["side"],
            "is_postable": code not in parents,
            "sort_order": order,
        }
        account = existing.get(code)
        if account is None:
            existing[code] = Account.objects.create(code=code, **values)
            changed += 1
        elif any(getattr(account, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(account, key, value)
            account.save()
            changed += 1
    if changed:
        audit_record(
            actor=actor,
            event_type="ledger_chart_loaded",
            subject_type="chart_of_accounts",
            subject_id=data.get("version", 1),
            data={"sha256": digest, "accounts": len(entries), "changed": changed},
        )
    return ChartLoad(accounts=len(entries), changed=changed, sha256=digest)


@entrypoint
def books_open(*, actor: Actor) -> int:
    """Open a book for every regional fund that has none; returns how many were opened."""
    have = set(Book.objects.values_list("fund_id", flat=True))
    new = [
        Book(fund=region.fund, code=region.fund.code, created_at=clock.now())
        for region in regions_list().select_related("fund")
        if region.fund.pk not in have
    ]
    Book.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor,
            event_type="ledger_books_opened",
            subject_type="book",
            subject_id="all",
            data={"books": [b.code for b in new]},
        )
    return len(new)
