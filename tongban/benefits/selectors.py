"""Reading entitlements and payments; for supervision, first payments and the anomaly checks."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum

from tongban.benefits.models import MONTHLY_ITEMS, Entitlement, Overpayment, Payment, PaymentRun
from tongban.core.errors import NotFound
from tongban.core.instances import attach
from tongban.core.jsonrows import from_json_row, json_functions, json_list, json_row
from tongban.core.prepared import Prepared
from tongban.regions.selectors import region_from_json, row_sql
from tongban.rules import facts as rf


def entitlement_for_application(*, reference: str) -> Entitlement | None:
    return (
        Entitlement.objects.select_related("paying_region")
        .filter(application_reference=reference)
        .first()
    )


def rules_entitlement(entitlement: Entitlement) -> rf.Entitlement:
    """The rules engine's view of a monthly entitlement (its paying region loaded)."""
    assert entitlement.start_month is not None, "a monthly entitlement has a first month"
    return rf.Entitlement(
        start_month=entitlement.start_month,
        months=entitlement.months,
        months_paid=entitlement.months_paid,
        paying_region=entitlement.paying_region.code,
        monthly_amount_fen=entitlement.monthly_amount_fen,
        medical_premium_fen=entitlement.medical_premium_fen,
    )


_ENTITLEMENTS_OF = Prepared(  # read at every step of every claim (core.prepared)
    lambda person_id: (
        Entitlement.objects.select_related("paying_region")
        .filter(person_id=person_id)
        .order_by("determined_on", "id")
    ),
    int,
)


def entitlements_of(*, person_id: int) -> list[Entitlement]:
    return _ENTITLEMENTS_OF.all(person_id)


@functools.cache
def entitlements_list_sql(vendor: str, person_id_sql: str) -> str:
    """A scalar subquery: the entitlements of the person whose id is ``person_id_sql`` (SQL), as
    a JSON aggregate with their paying regions, for a statement that reads more about the
    person (``cases.facts.person_view``); ``vendor`` only keys the cache."""
    build, _, agg = json_functions()
    region, region_row = row_sql("region", "r")
    return (
        f"(SELECT {agg}({build}('entitlement', {json_row(Entitlement, 't')}, "
        f"'region', {region_row})) FROM {Entitlement._meta.db_table} t "
        f"JOIN {region} r ON r.id = t.paying_region_id WHERE t.person_id = {person_id_sql})"
    )


def entitlements_from_list(value: object) -> list[Entitlement]:
    """What :func:`entitlements_of` gives, from the value of :func:`entitlements_list_sql`."""
    entitlements = []
    for item in json_list(value):
        entitlement = from_json_row(Entitlement, item["entitlement"])
        attach(entitlement, "paying_region", region_from_json(item["region"]))
        entitlements.append(entitlement)
    return sorted(entitlements, key=lambda e: (e.determined_on, e.pk))


def running_ui_entitlement(*, person_id: int) -> Entitlement | None:
    return (
        Entitlement.objects.select_related("paying_region")
        .filter(person_id=person_id, item_code="ui_benefit", status__in=["active", "suspended"])
        .first()
    )


def payments_of(*, person_id: int) -> QuerySet[Payment]:
    """A person's payments, newest benefit month first (medical premiums included)."""
    return (
        Payment.objects.select_related("paying_region", "entitlement")
        .filter(person_id=person_id)
        .order_by("-period", "reference")
    )


def payment_runs(*, region_code: str | None = None) -> QuerySet[PaymentRun]:
    runs = PaymentRun.objects.select_related("region").order_by(
        "-month", "region__code", "sequence"
    )
    return runs.filter(region__code=region_code) if region_code else runs


def overpayments_open(*, region_code: str | None = None) -> QuerySet[Overpayment]:
    rows = Overpayment.objects.select_related("paying_region", "person").filter(
        status=Overpayment.Status.OPEN
    )
    return rows.filter(paying_region__code=region_code) if region_code else rows


def entitlement_get(*, entitlement_id: int) -> Entitlement:
    entitlement = (
        Entitlement.objects.select_related("paying_region").filter(pk=entitlement_id).first()
    )
    if entitlement is None:
        raise NotFound(f"No entitlement {entitlement_id}.", code="unknown_entitlement")
    return entitlement


def overpayment_get(*, overpayment_id: int) -> Overpayment:
    overpayment = (
        Overpayment.objects.select_related("paying_region").filter(pk=overpayment_id).first()
    )
    if overpayment is None:
        raise NotFound(f"No overpayment {overpayment_id}.", code="unknown_overpayment")
    return overpayment


RUNNING = ("active", "suspended")


def running_entitlements_for(*, person_ids: Iterable[int]) -> list[Entitlement]:
    """Running monthly entitlements (UI benefit, unemployment subsidy) of these people, set-based:
    one query per few thousand ids. Real-time checks and transfers look only at these."""
    ids = sorted(set(person_ids))
    found: list[Entitlement] = []
    for start in range(0, len(ids), 5000):
        found.extend(
            Entitlement.objects.select_related("paying_region")
            .filter(
                person_id__in=ids[start : start + 5000],
                status__in=RUNNING,
                item_code__in=MONTHLY_ITEMS,
            )
            .order_by("person_id", "id")
        )
    return found


def entitlements_by_ids(*, ids: Iterable[int]) -> dict[int, Entitlement]:
    return {
        e.pk: e for e in Entitlement.objects.select_related("paying_region").filter(pk__in=set(ids))
    }


def running_person_ids_sql() -> str:
    """SQL selecting the person ids with a running monthly entitlement (for set-based matching
    that joins a staging table; the statement belongs to the owner of the table)."""
    items = ", ".join(f"'{code}'" for code in MONTHLY_ITEMS)
    return (
        f"SELECT person_id FROM {Entitlement._meta.db_table} "
        f"WHERE status IN ('active', 'suspended') AND item_code IN ({items})"
    )


# ---- supervision: first payments and the checks the books should make impossible ----------
# Payments to people (not the medical premiums paid for them) that left, or will leave, the fund.
PAID_KINDS = ("benefit", "one_off")
LIVE_STATUSES = ("scheduled", "sent", "settled", "held")
SENT_STATUSES = ("sent", "settled", "returned")


def first_paid_dates() -> QuerySet[Entitlement]:
    """Entitlements with the day their first payment went to the bank (None: not yet)."""
    return Entitlement.objects.order_by()


def first_paid_recomputed() -> dict[int, date | None]:
    """Entitlement id → the first ``sent_on`` of its payments to the person, from the payments."""
    first = dict(
        Payment.objects.filter(kind__in=PAID_KINDS, sent_on__isnull=False)
        .order_by()
        .values("entitlement_id")
        .annotate(first=Min("sent_on"))
        .values_list("entitlement_id", "first")
    )
    return {pk: first.get(pk) for pk in Entitlement.objects.values_list("pk", flat=True)}


def _payments(region_ids: Iterable[int] | None) -> QuerySet[Payment]:
    # Ordered by fund and month first: no index serves that order, so the planner finds the
    # (few) matches with hash joins and sorts them, instead of walking every payment in
    # reference order hoping to meet the first of them soon.
    rows = Payment.objects.select_related("entitlement", "paying_region", "person").order_by(
        "paying_region_id", "period", "reference"
    )
    return rows if region_ids is None else rows.filter(paying_region_id__in=list(region_ids))


def payments_without_decision(
    *, approved: QuerySet[Any], region_ids: Iterable[int] | None
) -> QuerySet[Payment]:
    """Payments (not cancelled) whose entitlement's application is not among ``approved`` (a
    queryset of the approved applications, rows with a ``reference``): no application, or one
    that was never approved. An anti-join (NOT EXISTS), whatever the number of approvals."""
    decided = approved.filter(reference=OuterRef("entitlement__application_reference"))
    return _payments(region_ids).exclude(status="cancelled").filter(~Exists(decided))


def payments_from_another_fund(*, region_ids: Iterable[int] | None) -> QuerySet[Payment]:
    """Payments booked to a fund other than their entitlement's paying region, or made by a
    run of another fund."""
    rows = _payments(None).exclude(status="cancelled")
    rows = rows.filter(
        ~Q(paying_region_id=F("entitlement__paying_region_id"))
        | (Q(run__isnull=False) & ~Q(run__region_id=F("paying_region_id")))
    )
    if region_ids is None:
        return rows
    ids = list(region_ids)
    return rows.filter(Q(paying_region_id__in=ids) | Q(entitlement__paying_region_id__in=ids))


def payments_after_end(*, region_ids: Iterable[int] | None) -> list[Payment]:
    """Payments (not cancelled or returned) for months after their entitlement ended, except
    the months recorded as an overpayment to recover. Those are the only such payments the
    books allow: a stop cancels the months not yet paid, and the months already paid become an
    overpayment (with the medical premium paid beside each)."""
    candidates = list(
        _payments(region_ids).filter(
            entitlement__status=Entitlement.Status.ENDED,
            period__gte=F("entitlement__end_month"),
            status__in=LIVE_STATUSES,
        )
    )
    if not candidates:
        return []
    recovered: set[tuple[int, str]] = set()
    for entitlement_id, months in Overpayment.objects.filter(
        entitlement_id__in={p.entitlement_id for p in candidates}
    ).values_list("entitlement_id", "months"):
        recovered |= {(entitlement_id, str(m.get("month", ""))) for m in months or []}
    return [p for p in candidates if (p.entitlement_id, f"{p.period:%Y-%m}") not in recovered]


@dataclass(frozen=True)
class SharedAccount:
    """One bank account that received benefit for more than one person."""

    bank_account: str
    persons: int
    payments: int
    amount_fen: int
    sample: list[Payment]


def shared_bank_accounts(
    *, region_ids: Iterable[int] | None, sample: int = 20
) -> list[SharedAccount]:
    """Accounts that payments to several different persons were sent to (returned ones too)."""
    sent = Payment.objects.filter(kind__in=PAID_KINDS, status__in=SENT_STATUSES).exclude(
        bank_account=""
    )
    if region_ids is not None:
        sent = sent.filter(paying_region_id__in=list(region_ids))
    # One pass finds the accounts whose payments went to more than one person (lowest and
    # highest person differ) without counting distinct persons for every account.
    shared = list(
        sent.order_by()
        .values("bank_account")
        .annotate(first=Min("person_id"), last=Max("person_id"), payments=Count("id"),
                  amount=Sum("amount_fen"))
        .filter(first__lt=F("last"))
    )  # fmt: skip
    persons = dict(
        sent.filter(bank_account__in=[row["bank_account"] for row in shared])
        .order_by()
        .values("bank_account")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("bank_account", "n")
    )
    for row in shared:
        row["persons"] = persons[row["bank_account"]]
    shared.sort(key=lambda row: (-row["persons"], row["bank_account"]))
    result = []
    for row in shared:
        rows = list(
            sent.filter(bank_account=row["bank_account"])
            .select_related("entitlement", "paying_region", "person")
            .order_by("person_id", "period", "reference")[:sample]
        )
        result.append(
            SharedAccount(row["bank_account"], row["persons"], row["payments"],
                          int(row["amount"] or 0), rows)
        )  # fmt: skip
    return result


def payment_get(*, reference: str) -> Payment:
    payment = (
        Payment.objects.select_related("entitlement", "paying_region", "person", "run")
        .filter(reference=reference)
        .first()
    )
    if payment is None:
        raise NotFound(f"No payment {reference}.", code="unknown_payment")
    return payment


def payments_of_entitlement(*, entitlement_id: int) -> QuerySet[Payment]:
    return (
        Payment.objects.select_related("paying_region")
        .filter(entitlement_id=entitlement_id)
        .order_by("period", "kind", "reference")
    )
