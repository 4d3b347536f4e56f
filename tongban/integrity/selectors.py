"""Reading findings: a region's list, one finding, the findings behind tasks, supervision counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from tongban.core.errors import NotFound
from tongban.integrity.models import Finding


def _base() -> QuerySet[Finding]:
    return Finding.objects.select_related(
        "person", "paying_region", "office", "entitlement", "application", "task"
    )


def findings_of_region(
    *,
    region_code: str,
    status: str | None = None,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Finding]:
    """The findings a region's agency decides (it pays the benefit), newest first."""
    rows = _base().filter(paying_region__code=region_code)
    if status:
        rows = rows.filter(status=status)
    if source:
        rows = rows.filter(source=source)
    if since is not None:
        rows = rows.filter(found_on__gte=since)
    if until is not None:
        rows = rows.filter(found_on__lt=until)
    return rows.order_by("-created_at", "-id")


def findings_of_person(*, person_id: int) -> QuerySet[Finding]:
    return _base().filter(person_id=person_id).order_by("created_at", "id")


def finding_get(*, reference: str) -> Finding:
    finding = _base().filter(reference=reference).first()
    if finding is None:
        raise NotFound(f"No finding {reference}.", code="unknown_finding")
    return finding


def findings_by_task(*, task_ids: Iterable[int]) -> dict[int, Finding]:
    """Task id → the finding it is about (its review, or the family invitation); one query."""
    ids = set(task_ids)
    if not ids:
        return {}
    found: dict[int, Finding] = {}
    for finding in _base().filter(Q(task_id__in=ids) | Q(family_task_id__in=ids)):
        for task_id in (finding.task_id, finding.family_task_id):
            if task_id in ids:
                found[task_id] = finding
    return found


@dataclass(frozen=True)
class RegionFindingCounts:
    region_code: str
    open: int = 0
    confirmed: int = 0
    lifted: int = 0
    superseded: int = 0
    overdue: int = 0  # open reviews past their due date
    by_source: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.open + self.confirmed + self.lifted + self.superseded


def finding_counts(
    *,
    as_of: date,
    region_code: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[RegionFindingCounts]:
    """Findings per paying region, by status and source, for the supervision view (two GROUP BYs)."""
    rows = Finding.objects.all()
    if region_code:
        rows = rows.filter(paying_region__code=region_code)
    if since is not None:
        rows = rows.filter(found_on__gte=since)
    if until is not None:
        rows = rows.filter(found_on__lt=until)
    by_status: dict[str, Counter[str]] = {}
    for code, status, n in (
        rows.order_by()
        .values_list("paying_region__code", "status")
        .annotate(n=Count("id"))
        .values_list("paying_region__code", "status", "n")
    ):
        by_status.setdefault(code, Counter())[status] += n
    by_source: dict[str, Counter[str]] = {}
    for code, source, n in (
        rows.order_by()
        .values_list("paying_region__code", "source")
        .annotate(n=Count("id"))
        .values_list("paying_region__code", "source", "n")
    ):
        by_source.setdefault(code, Counter())[source] += n
    overdue = Counter(
        rows.filter(status=Finding.Status.OPEN, task__due_date__lt=as_of).values_list(
            "paying_region__code", flat=True
        )
    )
    return [
        RegionFindingCounts(
            region_code=code,
            open=by_status[code]["open"],
            confirmed=by_status[code]["confirmed"],
            lifted=by_status[code]["lifted"],
            superseded=by_status[code]["superseded"],
            overdue=overdue[code],
            by_source=dict(sorted(by_source.get(code, Counter()).items())),
        )
        for code in sorted(by_status)
    ]


@dataclass(frozen=True)
class FindingTotals:
    open_by_source: dict[str, int]
    closed_in_period: int


def finding_totals(*, region_ids: list[int] | None, start: date, end: date) -> FindingTotals:
    """For the supervision view: findings open now by source, and those decided from ``start``
    to ``end`` (inclusive), about benefits paid by ``region_ids`` (None: every fund)."""
    rows = Finding.objects.order_by()
    if region_ids is not None:
        rows = rows.filter(paying_region_id__in=region_ids)
    open_by_source = dict(
        rows.filter(status=Finding.Status.OPEN)
        .values_list("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    closed = (
        rows.exclude(status=Finding.Status.OPEN)
        .filter(decided_on__gte=start, decided_on__lte=end)
        .count()
    )
    return FindingTotals(
        open_by_source=dict(sorted(open_by_source.items())), closed_in_period=closed
    )
