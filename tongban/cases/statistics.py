"""Reading the service figures for supervision: the summaries ``cases.tallies`` keeps live,
the open tasks, and the first payments of approved applications.

Two kinds of figures, two kinds of filter (docs/supervision.md):

- **applications** (volumes, channels, the cross-region matrix, decisions on time, outcomes,
  first payments) are the applications *submitted* in the period, chosen by a
  :class:`Selection`: all, accepted in a region, insured in a region, or handled by an office;
- **work** (time per stage, reasons given, backlog, overdue tasks) is what offices did in the
  period (or have open today), chosen by a :class:`Work`: every office, a region's, or one.

Periods are inclusive dates ``[start, end]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)

from tongban.benefits.selectors import first_paid_dates
from tongban.cases.models import (
    ONLINE_CHANNELS,
    Application,
    ApplicationMonthTally,
    ApplicationTally,
    Channel,
    ReasonTally,
    StageTally,
    Task,
)
from tongban.cases.tallies import APPLICATION_COUNTERS, STATUS_COLUMNS
from tongban.catalogue.selectors import items_list
from tongban.core.months import add_months

# The codes the figures built on these are made of: channels, statuses, counters.
__all__ = ["APPLICATION_COUNTERS", "ONLINE_CHANNELS", "STATUS_COLUMNS", "Channel"]


@dataclass(frozen=True)
class Selection:
    """Which applications a figure is about. All ``None``: the whole province."""

    accepting_region_id: int | None = None
    insured_region_id: int | None = None
    office_id: int | None = None
    # For an office: the region of the agency it is, so that the cases routed to it count
    # (a paying item insured in the agency's region is re-reviewed there). None: not an agency.
    agency_region_id: int | None = None

    def _regions(self) -> Q:
        """Accepted in, insured in: the same columns in the summaries and the applications."""
        q = Q()
        if self.accepting_region_id is not None:
            q &= Q(accepting_region_id=self.accepting_region_id)
        if self.insured_region_id is not None:
            q &= Q(insured_region_id=self.insured_region_id)
        return q

    def tally_filter(self) -> Q:
        if self.office_id is None:
            return self._regions()
        mine = Q(accepting_office_id=self.office_id)
        if self.agency_region_id is not None:
            mine |= Q(insured_region_id=self.agency_region_id, item_code__in=paying_items())
        return self._regions() & mine

    def application_filter(self) -> Q:
        if self.office_id is None:
            return self._regions()
        return self._regions() & (
            Q(accepting_office_id=self.office_id) | Q(reviewing_office_id=self.office_id)
        )


@dataclass(frozen=True)
class Work:
    """Whose work a figure is about: every office (both ``None``), a region's offices, or one."""

    region_id: int | None = None
    office_id: int | None = None

    def _filter(self, region: str, office: str) -> Q:
        q = Q()
        if self.region_id is not None:
            q &= Q(**{region: self.region_id})
        if self.office_id is not None:
            q &= Q(**{office: self.office_id})
        return q

    def tally_filter(self) -> Q:
        return self._filter("office_region_id", "office_id")

    def task_filter(self) -> Q:
        return self._filter("office__region_id", "office_id")


def paying_items() -> list[str]:
    return [i.code for i in items_list() if i.pays_money]


# ---- applications ----------------------------------------------------------------------------


MONTHLY_DIMENSIONS = frozenset(
    {"item_code", "channel", "accepting_region_id", "insured_region_id", "crossing"}
)


def application_totals(
    *, start: date, end: date, selection: Selection, by: Sequence[str]
) -> list[dict[str, Any]]:
    """The summary's counters added up for the applications submitted in ``[start, end]``,
    grouped by ``by`` (any of ``item_code``, ``channel``, ``accepting_region_id``,
    ``insured_region_id``, ``accepting_office_id``, ``day``, and ``crossing``: 1 when the
    accepting region is not the insured one, 0 when it is, -1 when insured nowhere).

    Whole months come from the monthly summary when neither the grouping nor the selection
    needs an office or a day; the days before and after them from the daily one: at most
    three GROUP BYs, added up here."""
    monthly = selection.office_id is None and set(by) <= MONTHLY_DIMENSIONS
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)
    after = add_months(end.replace(day=1), 1)  # the month after the end's
    last = (
        after
        if end == add_months(end.replace(day=1), 1) - timedelta(days=1)
        else end.replace(day=1)
    )
    parts: list[QuerySet[Any]] = []
    if monthly and first < last:
        parts.append(
            ApplicationMonthTally.objects.filter(
                selection.tally_filter(), month__gte=first, month__lt=last
            )
        )
        days = [(start, first - timedelta(days=1)), (last, end)]
    else:
        days = [(start, end)]
    parts += [
        ApplicationTally.objects.filter(selection.tally_filter(), day__gte=lo, day__lte=hi)
        for lo, hi in days
        if lo <= hi
    ]
    totals: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rows in parts:
        rows = rows.order_by()
        if "crossing" in by:
            rows = rows.annotate(crossing=_crossing())
        for row in rows.values(*by).annotate(**{c: Sum(c) for c in APPLICATION_COUNTERS}):
            key = tuple(row[k] for k in by)
            total = totals.setdefault(key, {**{k: row[k] for k in by},
                                            **dict.fromkeys(APPLICATION_COUNTERS, 0)})  # fmt: skip
            for counter in APPLICATION_COUNTERS:
                total[counter] += row[counter] or 0
    return list(totals.values())


def _crossing() -> Case:
    return Case(
        When(insured_region_id=0, then=Value(-1)),
        When(insured_region_id=F("accepting_region_id"), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class FirstPayments:
    """Approved paying applications of the period and when their first payment went out."""

    approved: int
    paid: int
    within: dict[int, int]  # days → how many were first paid within that many days

    @property
    def unpaid(self) -> int:
        return self.approved - self.paid


def first_payments(
    *, start: date, end: date, selection: Selection, within_days: Sequence[int]
) -> FirstPayments:
    """Of the approved applications that pay money, submitted in the period: how many have had a
    first payment, and how many within each of ``within_days`` calendar days of submission."""
    first = first_paid_dates().filter(application_reference=OuterRef("reference"))
    approved = (
        Application.objects.filter(
            selection.application_filter(),
            submitted_on__gte=start,
            submitted_on__lte=end,
            pays_money=True,
            status="approved",
        )
        .order_by()
        .annotate(first_paid_on=Subquery(first.values("first_paid_on")[:1]))
    )
    # Counted in Python over (submitted, first paid) pairs grouped by the gap in days: the
    # gap needs date arithmetic that differs between PostgreSQL and SQLite.
    gaps: dict[int | None, int] = {}
    for row in approved.values("submitted_on", "first_paid_on").annotate(n=Count("id")):
        paid_on = row["first_paid_on"]
        gap = (paid_on - row["submitted_on"]).days if paid_on else None
        gaps[gap] = gaps.get(gap, 0) + row["n"]
    total = sum(gaps.values())
    paid = total - gaps.get(None, 0)
    within = {
        days: sum(n for gap, n in gaps.items() if gap is not None and gap <= days)
        for days in within_days
    }
    return FirstPayments(approved=total, paid=paid, within=within)


def approved_applications() -> QuerySet[Any]:
    """Every approved application, as a subquery for the payment checks (by ``reference``)."""
    return Application.objects.filter(status="approved").values("reference")


def application_for_supervision(*, reference: str) -> Application | None:
    return (
        Application.objects.select_related(
            "person", "accepting_office__region", "reviewing_office__region", "insured_region"
        )
        .filter(reference=reference)
        .first()
    )


def application_selected(application: Application, selection: Selection) -> bool:
    """Whether one application belongs to a selection (the same rule as the figures)."""
    return Application.objects.filter(selection.application_filter(), pk=application.pk).exists()


# ---- work ------------------------------------------------------------------------------------


def stage_totals(*, start: date, end: date, work: Work, by: Sequence[str]) -> list[dict[str, Any]]:
    """Stages finished in ``[start, end]``, grouped by ``by`` (``item_code``, ``stage``,
    ``office_id``, ``office_region_id``): how many, working days (sum, longest), late."""
    return list(
        StageTally.objects.filter(work.tally_filter(), day__gte=start, day__lte=end)
        .order_by()
        .values(*by)
        .annotate(
            finished=Sum("finished"), days=Sum("days"), longest=Max("longest"), late=Sum("late")
        )
    )


def reason_totals(*, start: date, end: date, work: Work, limit: int = 50) -> list[dict[str, Any]]:
    """The reasons most given for rejections and returns in ``[start, end]``, most frequent first."""
    return list(
        ReasonTally.objects.filter(work.tally_filter(), day__gte=start, day__lte=end)
        .order_by()
        .values("outcome", "stage", "reason")
        .annotate(count=Sum("count"), items=Count("item_code", distinct=True))
        .order_by("-count", "outcome", "reason")[:limit]
    )


def backlog(*, as_of: date, work: Work) -> list[dict[str, Any]]:
    """Open tasks per office today: by stage, how many are overdue, the oldest due date."""
    return list(
        Task.objects.filter(work.task_filter(), is_open=True)
        .order_by()
        .values("office_id")
        .annotate(
            open=Count("id"),
            initial_review=Count("id", filter=Q(stage=Task.Stage.INITIAL_REVIEW)),
            re_review=Count("id", filter=Q(stage=Task.Stage.RE_REVIEW)),
            overdue=Count("id", filter=Q(due_date__lt=as_of)),
            oldest_due=Min("due_date"),
        )
    )


def overdue_tasks(*, as_of: date, work: Work, limit: int) -> QuerySet[Task]:
    """Open tasks past their due date, the longest overdue first (at most ``limit``)."""
    return (
        Task.objects.filter(work.task_filter(), is_open=True, due_date__lt=as_of)
        .select_related("office", "application__person", "application__accepting_office")
        .order_by("due_date", "id")[:limit]
    )
