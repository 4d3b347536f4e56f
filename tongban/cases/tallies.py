"""The summaries supervision reads (docs/supervision.md), kept live and rebuilt on demand.

``workflow.transition`` calls :func:`tally_transition` inside the transaction of every
status change; ``services._route`` calls :func:`tally_reroute` when the insured region of an
open application changes. Each adds to its summary rows with upserts (``INSERT … ON CONFLICT
DO UPDATE``, the same SQL on PostgreSQL and SQLite), written together in one statement on
PostgreSQL (:class:`_Rows`), so a decision is counted when it commits and rolled back with
it. :func:`tallies_recomputed` derives the same rows from the base tables;
:func:`tallies_rebuild` replaces the summaries with them.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, IntegerField, Max, Model, Q, Sum
from django.db.models.functions import Coalesce

from tongban.cases.models import (
    Application,
    ApplicationMonthTally,
    ApplicationTally,
    ReasonTally,
    StageTally,
    Task,
    Transition,
)
from tongban.catalogue.calendar import CalendarGap
from tongban.catalogue.selectors import working_calendar, working_index_of
from tongban.core.prepared import Writes, joined
from tongban.core.transactions import require_transaction
from tongban.regions.selectors import office_region_id

STATUS_COLUMNS = (
    "initial_review",
    "re_review",
    "returned",
    "approved",
    "completed",
    "rejected",
    "withdrawn",
)
DECIDED = ("approved", "completed", "rejected")  # a decision; a withdrawal is not one
STAGE_OUTCOMES = ("approve", "reject", "return")  # what finishes a review stage
REASON_OUTCOMES = ("reject", "return")
ROUTING = "routing"
APPLICATION_COUNTERS = (*STATUS_COLUMNS, "on_time", "decision_days")
COUNTERS: dict[type[Model], tuple[str, ...]] = {
    ApplicationTally: APPLICATION_COUNTERS,
    ApplicationMonthTally: APPLICATION_COUNTERS,
    StageTally: ("finished", "days", "longest", "late"),
    ReasonTally: ("count",),
}
KEYS: dict[type[Model], tuple[str, ...]] = {
    ApplicationTally: (
        "day", "accepting_office_id", "accepting_region_id", "insured_region_id", "item_code",
        "channel",
    ),
    ApplicationMonthTally: (
        "month", "accepting_region_id", "insured_region_id", "item_code", "channel",
    ),
    StageTally: ("day", "office_id", "office_region_id", "item_code", "stage"),
    ReasonTally: ("day", "office_id", "office_region_id", "item_code", "stage", "outcome", "reason"),
}  # fmt: skip
CONFLICT: dict[type[Model], tuple[str, ...]] = {
    ApplicationTally: ("day", "accepting_office_id", "insured_region_id", "item_code", "channel"),
    ApplicationMonthTally: (
        "month",
        "accepting_region_id",
        "insured_region_id",
        "item_code",
        "channel",
    ),
    StageTally: ("day", "office_id", "item_code", "stage"),
    ReasonTally: ("day", "office_id", "item_code", "stage", "outcome", "reason"),
}
LARGEST = frozenset({"longest"})  # kept as the largest value seen, not a sum


def working_days(start: date, end: date) -> int:
    """Working days in ``(start, end]``; 0 where the calendar has no data for the years."""
    try:
        return working_calendar().working_days_between(start, end)
    except CalendarGap:
        return 0


def reason_label(reason: Mapping[str, Any]) -> str:
    """What a reason is counted under: a caseworker's words (spaces tidied), or the system's code."""
    code = str(reason.get("code") or "")
    if code and code != "caseworker":
        return code[:200]
    words = " ".join(str(reason.get("text") or reason.get("zh") or "").split())
    return words[:200] or "—"


def _upsert(
    model: type[Model], key: Mapping[str, Any], add: Mapping[str, int], vendor: str
) -> tuple[str, list[Any]]:
    """The statement that adds ``add`` to the summary row ``key`` (creating it), row-locked, on
    a database of kind ``vendor``."""
    counters = COUNTERS[model]
    values = [key[c] for c in KEYS[model]] + [int(add.get(c, 0)) for c in counters]
    added = tuple(c for c in counters if c in add)
    return _upsert_sql(model, added, vendor), values


@functools.cache
def _upsert_sql(model: type[Model], added: tuple[str, ...], vendor: str) -> str:
    """The text of :func:`_upsert`'s statement, written once per summary, counters and database."""
    table = model._meta.db_table
    columns = [*KEYS[model], *COUNTERS[model]]
    largest = "GREATEST" if vendor == "postgresql" else "MAX"
    updates = ", ".join(
        f"{c} = {largest}({table}.{c}, EXCLUDED.{c})"
        if c in LARGEST
        else f"{c} = {table}.{c} + EXCLUDED.{c}"
        for c in added
    )
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(CONFLICT[model])}) DO UPDATE SET {updates}"
    )


class _Rows:
    """The summary rows one status change adds to, merged row by row, then written together
    (``core.prepared.Writes``: one statement on PostgreSQL, one per row elsewhere). Merged
    first because one statement must not change the same row twice."""

    def __init__(self) -> None:
        self._rows: dict[tuple[Any, ...], tuple[type[Model], dict[str, Any], dict[str, int]]] = {}

    def add(self, model: type[Model], key: Mapping[str, Any], add: Mapping[str, int]) -> None:
        row = (model, *(key[c] for c in CONFLICT[model]))
        if row not in self._rows:
            self._rows[row] = (model, dict(key), dict(add))
            return
        merged = self._rows[row][2]
        for column, value in add.items():
            if column in LARGEST and column in merged:
                merged[column] = max(merged[column], value)
            else:
                merged[column] = merged.get(column, 0) + value

    def count(self, key: Mapping[str, Any], delta: Mapping[str, int]) -> None:
        """Add one application's change to the day's row and to the month's."""
        self.add(ApplicationTally, key, delta)
        self.add(ApplicationMonthTally, _month_key(key), delta)

    def write(self, writes: Writes | None = None) -> None:
        """Add the upserts to ``writes``, the step's batch (it must hold no other write of these
        rows), or send them now."""
        with joined(writes) as batch:
            vendor = batch.db.vendor
            for model, key, add in self._rows.values():
                batch.add(*_upsert(model, key, add, vendor))


def _month_key(key: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "month": key["day"].replace(day=1),
        **{k: key[k] for k in KEYS[ApplicationMonthTally] if k != "month"},
    }


def _application_key(application: Application) -> dict[str, Any]:
    return {
        "day": application.submitted_on,
        "accepting_office_id": application.accepting_office_id,
        "accepting_region_id": application.accepting_region_id,
        "insured_region_id": application.insured_region_id or 0,
        "item_code": application.item_code,
        "channel": application.channel,
    }


def _region_of(application: Application, office_id: int) -> int:
    """The region of an office that worked on the case, without a query for the usual two."""
    if office_id == application.accepting_office_id:
        return application.accepting_region_id
    if office_id == application.reviewing_office_id and application.insured_region_id:
        return application.insured_region_id  # the reviewing office is that region's agency
    return office_region_id(office_id=office_id)


@dataclass(frozen=True)
class ClosedTask:
    """An open task that the status change closes (as it was before it closed)."""

    office_id: int
    stage: str
    opened_on: date | None
    due_date: date


def tally_transition(
    application: Application,
    *,
    source: str,
    target: str,
    outcome: str,
    office_id: int | None,
    closed: Sequence[ClosedTask],
    reasons: list[dict[str, str]],
    as_of: date,
    writes: Writes | None = None,
) -> None:
    """Count one status change in the summaries, inside its transaction (with the rest of the
    change's ``writes``, when given)."""
    require_transaction("tally_transition")
    rows = _Rows()
    delta: dict[str, int] = {target: 1}
    if source:
        delta[source] = delta.get(source, 0) - 1
    if target in DECIDED:
        delta["on_time"] = int(as_of <= application.due_date)
        delta["decision_days"] = working_days(application.submitted_on, as_of)
    rows.count(_application_key(application), delta)

    item = application.item_code
    if outcome in STAGE_OUTCOMES:
        for task in closed:
            took = working_days(task.opened_on, as_of) if task.opened_on else 0
            rows.add(
                StageTally,
                {"day": as_of, "office_id": task.office_id,
                 "office_region_id": _region_of(application, task.office_id),
                 "item_code": item, "stage": task.stage},
                {"finished": 1, "days": took, "longest": took, "late": int(as_of > task.due_date)},
            )  # fmt: skip
    if target == "re_review":
        # Routing happens in this very transaction: the re-review task opens the day the
        # initial review approves, so it takes no working days (docs/routing.md).
        rows.add(
            StageTally,
            {"day": as_of, "office_id": application.accepting_office_id,
             "office_region_id": application.accepting_region_id, "item_code": item,
             "stage": ROUTING},
            {"finished": 1, "days": 0, "longest": 0, "late": int(as_of > application.due_date)},
        )  # fmt: skip
    if outcome in REASON_OUTCOMES:
        # Counted at the office that held the task the decision closed (as the recomputation
        # does), which is the deciding caseworker's own office.
        if closed:
            deciding = closed[0].office_id
        else:
            deciding = office_id if office_id is not None else application.accepting_office_id
        stage = source  # initial_review or re_review: the status names its stage
        for label, count in sorted(Counter(reason_label(r) for r in reasons).items()):
            rows.add(
                ReasonTally,
                {"day": as_of, "office_id": deciding,
                 "office_region_id": _region_of(application, deciding), "item_code": item,
                 "stage": stage, "outcome": outcome, "reason": label},
                {"count": count},
            )  # fmt: skip
    rows.write(writes)


def tally_reroute(application: Application, *, previous_insured_region_id: int | None) -> None:
    """The insured region of an open application changed (routing): move its count."""
    require_transaction("tally_reroute")
    if (previous_insured_region_id or 0) == (application.insured_region_id or 0):
        return
    status = application.status
    before = _application_key(application) | {"insured_region_id": previous_insured_region_id or 0}
    rows = _Rows()
    rows.count(before, {status: -1})
    rows.count(_application_key(application), {status: 1})
    rows.write()


# ---- recomputation from the base tables ----------------------------------------------------


def _working_days_sql(start: str, end: str) -> Any:
    """Working days between two date columns, 0 outside the calendar (as :func:`working_days`)."""
    return Coalesce(working_index_of(end) - working_index_of(start), 0, output_field=IntegerField())


def _application_rows() -> list[dict[str, Any]]:
    decided = Q(status__in=DECIDED)
    counts = {c: Count("id", filter=Q(status=c)) for c in STATUS_COLUMNS}
    rows = (
        Application.objects.order_by()
        .annotate(
            insured_key=Coalesce("insured_region_id", 0),
            took=_working_days_sql("submitted_on", "decided_on"),
        )
        .values("submitted_on", "accepting_office_id", "accepting_region_id", "insured_key",
                "item_code", "channel")
        .annotate(
            **counts,
            on_time=Count("id", filter=decided & Q(decided_on__lte=F("due_date"))),
            decision_days=Coalesce(Sum("took", filter=decided), 0),
        )
    )  # fmt: skip
    return [
        {"day": r.pop("submitted_on"), "insured_region_id": r.pop("insured_key"), **r} for r in rows
    ]


def _stage_rows() -> list[dict[str, Any]]:
    finished = (
        Task.objects.order_by()
        .filter(closed_on__isnull=False, outcome__in=STAGE_OUTCOMES)
        .annotate(took=_working_days_sql("opened_on", "closed_on"))
        .values("closed_on", "office_id", "office__region_id", "application__item_code", "stage")
        .annotate(
            finished=Count("id"),
            days=Coalesce(Sum("took"), 0),
            longest=Coalesce(Max("took"), 0),
            late=Count("id", filter=Q(closed_on__gt=F("due_date"))),
        )
    )
    routed = (
        Task.objects.order_by()
        .filter(stage=Task.Stage.RE_REVIEW)
        .values(
            "opened_on",
            "application__accepting_office_id",
            "application__accepting_region_id",
            "application__item_code",
        )
        .annotate(finished=Count("id"), late=Count("id", filter=Q(opened_on__gt=F("due_date"))))
    )
    rows = [
        {"day": r["closed_on"], "office_id": r["office_id"],
         "office_region_id": r["office__region_id"], "item_code": r["application__item_code"],
         "stage": r["stage"], "finished": r["finished"], "days": r["days"],
         "longest": r["longest"], "late": r["late"]}
        for r in finished
    ]  # fmt: skip
    # Routing is late when it happens after the due date as it stood then: the re-review
    # task keeps that date, while a later return may move the application's on.
    rows += [
        {"day": r["opened_on"], "office_id": r["application__accepting_office_id"],
         "office_region_id": r["application__accepting_region_id"],
         "item_code": r["application__item_code"], "stage": ROUTING,
         "finished": r["finished"], "days": 0, "longest": 0, "late": r["late"]}
        for r in routed
    ]  # fmt: skip
    return rows


def _reason_rows() -> list[dict[str, Any]]:
    """Reasons of rejections and returns, each dated by the task its decision closed."""
    tasks = {
        (t["application_id"], t["closed_at"]): t
        for t in Task.objects.filter(outcome__in=REASON_OUTCOMES).values(
            "application_id", "closed_at", "closed_on", "office_id", "office__region_id",
            "stage", "application__item_code",
        )
    }  # fmt: skip
    counts: Counter[tuple[Any, ...]] = Counter()
    for t in Transition.objects.filter(outcome__in=REASON_OUTCOMES).values(
        "application_id", "at", "outcome", "reasons"
    ):
        task = tasks.get((t["application_id"], t["at"]))
        if task is None:
            continue  # a decision that closed no task is not a review stage's
        for reason in t["reasons"] or []:
            counts[
                (task["closed_on"], task["office_id"], task["office__region_id"],
                 task["application__item_code"], task["stage"], t["outcome"],
                 reason_label(reason))
            ] += 1  # fmt: skip
    return [dict(zip(KEYS[ReasonTally], key, strict=True), count=n) for key, n in counts.items()]


def _by_month(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    months: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in days:
        key = _month_key(row)
        total = months.setdefault(
            tuple(key.values()), {**key, **dict.fromkeys(APPLICATION_COUNTERS, 0)}
        )
        for counter in APPLICATION_COUNTERS:
            total[counter] += row[counter]
    return list(months.values())


def tallies_recomputed() -> dict[type[Model], list[dict[str, Any]]]:
    """The summaries as the base tables say they should be (rows with all counters zero left out)."""
    days = _application_rows()
    result = {
        ApplicationTally: days,
        ApplicationMonthTally: _by_month(days),
        StageTally: _stage_rows(),
        ReasonTally: _reason_rows(),
    }
    return {model: [r for r in rows if _nonzero(model, r)] for model, rows in result.items()}


def tallies_stored() -> dict[type[Model], list[dict[str, Any]]]:
    """The summaries as stored (rows whose counters are all zero left out)."""
    return {
        model: [
            r
            for r in model.objects.order_by().values(*KEYS[model], *COUNTERS[model])  # type: ignore[attr-defined]
            if _nonzero(model, r)
        ]
        for model in COUNTERS
    }


def _nonzero(model: type[Model], row: Mapping[str, Any]) -> bool:
    return any(row[c] for c in COUNTERS[model])


@dataclass(frozen=True)
class RebuildResult:
    rows: dict[str, int]


def tallies_rebuild() -> RebuildResult:
    """Replace every summary row with the recomputation; in the caller's transaction."""
    require_transaction("tallies_rebuild")
    computed = tallies_recomputed()
    written: dict[str, int] = {}
    for model, rows in computed.items():
        model.objects.all().delete()  # type: ignore[attr-defined]
        model.objects.bulk_create([model(**r) for r in rows], batch_size=5000)  # type: ignore[attr-defined]
        written[model.__name__] = len(rows)
    return RebuildResult(written)
