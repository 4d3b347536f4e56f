"""The service figures, each defined once (docs/supervision.md) and shared by the pages and the
API: volumes and channels, the online share, the cross-region matrix, decisions on time, time
per stage, backlog, outcomes and reasons, first payments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tongban.cases.statistics import (
    APPLICATION_COUNTERS,
    ONLINE_CHANNELS,
    STATUS_COLUMNS,
    Channel,
    FirstPayments,
    application_totals,
    backlog,
    first_payments,
    overdue_tasks,
    paying_items,
    reason_totals,
    stage_totals,
)
from tongban.catalogue.selectors import ItemDefinition, items_list
from tongban.supervision.parameters import thresholds
from tongban.supervision.period import Period
from tongban.supervision.scope import View

# Online: every channel through which a person or an employer applies without coming to a
# window — the claimant portal is one (the seed's "online handling"). Automatic items (免申即办)
# are counted apart, but the contract's online share divides by all applications.
ONLINE = (*ONLINE_CHANNELS, Channel.EMPLOYER_API.value)
OFFLINE = (Channel.WINDOW.value,)
AUTOMATIC = (Channel.AUTOMATIC.value,)
CHANNELS = (*OFFLINE, *ONLINE, *AUTOMATIC)
STAGES = ("initial_review", "routing", "re_review")


def share(part: int, whole: int) -> Decimal | None:
    """part ÷ whole to four decimals (half-up); None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def mean(total: int, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Counts:
    """Applications of a group by status, channel and timeliness (all submitted in the period)."""

    initial_review: int = 0
    re_review: int = 0
    returned: int = 0
    approved: int = 0
    completed: int = 0
    rejected: int = 0
    withdrawn: int = 0
    on_time: int = 0
    decision_days: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        for name in APPLICATION_COUNTERS:
            setattr(self, name, getattr(self, name) + int(row.get(name) or 0))
        channel = row.get("channel")
        if channel is not None:
            self.by_channel[channel] = self.by_channel.get(channel, 0) + _status_total(row)

    @property
    def applications(self) -> int:
        return self.open + self.granted + self.rejected + self.withdrawn

    @property
    def open(self) -> int:
        return self.initial_review + self.re_review + self.returned

    @property
    def granted(self) -> int:
        """Approved (an entitlement) or completed (an item that pays nothing, done)."""
        return self.approved + self.completed

    @property
    def decided(self) -> int:
        return self.approved + self.completed + self.rejected

    @property
    def online(self) -> int:
        return sum(self.by_channel.get(c, 0) for c in ONLINE)

    @property
    def automatic(self) -> int:
        return sum(self.by_channel.get(c, 0) for c in AUTOMATIC)

    @property
    def online_share(self) -> Decimal | None:
        """The contract's ``online_share``: online submissions ÷ all applications (the
        automatic transfers count in the denominator: they are applications too)."""
        return share(self.online, self.applications)

    @property
    def on_time_share(self) -> Decimal | None:
        return share(self.on_time, self.decided)

    @property
    def mean_decision_days(self) -> Decimal | None:
        return mean(self.decision_days, self.decided)


def _status_total(row: dict[str, Any]) -> int:
    """Applications of a summary row, whatever their status."""
    return sum(int(row.get(s) or 0) for s in STATUS_COLUMNS)


@dataclass
class Headline:
    """The contract's figures (``GET /statistics``) and what the overview shows beside them."""

    period: Period
    totals: Counts
    by_item: list[tuple[ItemDefinition, Counts]]
    cross_region: int
    routed: int  # applications for paying items whose person is insured somewhere

    @property
    def cross_region_share(self) -> Decimal | None:
        return share(self.cross_region, self.routed)

    @property
    def online_goal(self) -> Decimal:
        return thresholds().online_share_goal

    @property
    def online_goal_met(self) -> bool | None:
        value = self.totals.online_share
        return None if value is None else value > self.online_goal


def headline(*, period: Period, view: View) -> Headline:
    """Every headline figure from one GROUP BY over the live summary."""
    rows = application_totals(
        start=period.start, end=period.end, selection=view.selection,
        by=("item_code", "channel", "crossing"),
    )  # fmt: skip
    paying = set(paying_items())
    totals = Counts()
    per_item: dict[str, Counts] = defaultdict(Counts)
    cross = routed = 0
    for row in rows:
        totals.add(row)
        per_item[row["item_code"]].add(row)
        if row["item_code"] in paying and row["crossing"] >= 0:
            routed += _status_total(row)
            cross += _status_total(row) if row["crossing"] == 1 else 0
    by_item = [(item, per_item.get(item.code) or Counts()) for item in items_list()]
    return Headline(period, totals, by_item, cross, routed)


# ---- the cross-region matrix ---------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    """Applications by accepting region (rows) and insured region (columns): who serves whom."""

    cells: dict[tuple[int, int], int]  # (accepting region id, insured region id) → count
    uninsured: dict[int, int]  # accepting region id → applications of people insured nowhere
    paying_only: bool

    def row_total(self, region_id: int) -> int:
        return sum(n for (a, _), n in self.cells.items() if a == region_id)

    def column_total(self, region_id: int) -> int:
        return sum(n for (_, i), n in self.cells.items() if i == region_id)

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    @property
    def across(self) -> int:
        return sum(n for (a, i), n in self.cells.items() if a != i)

    @property
    def largest(self) -> int:
        return max(self.cells.values(), default=0)


def matrix(*, period: Period, view: View, paying_only: bool = True) -> Matrix:
    rows = application_totals(
        start=period.start, end=period.end, selection=view.selection,
        by=("item_code", "accepting_region_id", "insured_region_id"),
    )  # fmt: skip
    paying = set(paying_items())
    cells: dict[tuple[int, int], int] = defaultdict(int)
    uninsured: dict[int, int] = defaultdict(int)
    for row in rows:
        if paying_only and row["item_code"] not in paying:
            continue
        n = _status_total(row)
        if row["insured_region_id"]:
            cells[(row["accepting_region_id"], row["insured_region_id"])] += n
        else:
            uninsured[row["accepting_region_id"]] += n
    return Matrix(dict(cells), dict(uninsured), paying_only)


# ---- time -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageFigures:
    finished: int
    days: int
    longest: int
    late: int

    @property
    def mean_days(self) -> Decimal | None:
        return mean(self.days, self.finished)

    @property
    def late_share(self) -> Decimal | None:
        return share(self.late, self.finished)


def _stage(rows: Iterable[dict[str, Any]]) -> StageFigures:
    finished = days = longest = late = 0
    for r in rows:
        finished += int(r["finished"] or 0)
        days += int(r["days"] or 0)
        longest = max(longest, int(r["longest"] or 0))
        late += int(r["late"] or 0)
    return StageFigures(finished, days, longest, late)


@dataclass(frozen=True)
class TimeFigures:
    by_item: list[tuple[ItemDefinition, dict[str, StageFigures], Counts]]
    by_office: dict[int, dict[str, StageFigures]]
    backlog: list[dict[str, Any]]
    overdue: list[Any]
    overdue_total: int


def time_figures(*, period: Period, view: View, today: date) -> TimeFigures:
    """Stages finished in the period (by item and by office), decisions on time for the
    applications of the period, today's backlog and overdue tasks."""
    stages = stage_totals(start=period.start, end=period.end, work=view.work,
                          by=("item_code", "stage", "office_id"))  # fmt: skip
    per_item: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    per_office: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in stages:
        per_item[row["item_code"]][row["stage"]].append(row)
        per_office[row["office_id"]][row["stage"]].append(row)
    decisions = {c.code: counts for c, counts in headline(period=period, view=view).by_item}
    by_item = [
        (item, {s: _stage(per_item[item.code][s]) for s in STAGES}, decisions[item.code])
        for item in items_list()
    ]
    by_office = {
        office: {s: _stage(rows[s]) for s in STAGES} for office, rows in per_office.items()
    }
    queue = backlog(as_of=today, work=view.work)
    overdue_total = sum(row["overdue"] for row in queue)
    overdue = list(overdue_tasks(as_of=today, work=view.work, limit=thresholds().evidence_limit))
    return TimeFigures(by_item, by_office, queue, overdue, overdue_total)


# ---- outcomes and payments -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcomes:
    by_item: list[tuple[ItemDefinition, Counts]]
    reasons: list[dict[str, Any]]


def outcomes(*, period: Period, view: View) -> Outcomes:
    """Decisions by item for the applications of the period; the reasons given for rejections
    and returns decided in the period."""
    return Outcomes(
        headline(period=period, view=view).by_item,
        reason_totals(start=period.start, end=period.end, work=view.work,
                      limit=thresholds().evidence_limit),
    )  # fmt: skip


def payment_figures(*, period: Period, view: View) -> FirstPayments:
    """First payments of the approved paying applications submitted in the period."""
    return first_payments(
        start=period.start, end=period.end, selection=view.selection,
        within_days=sorted(thresholds().first_payment_days),
    )  # fmt: skip
