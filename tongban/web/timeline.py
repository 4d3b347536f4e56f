"""What the pages draw: where a case is (the claimant's timeline) and an insurance history chart.

Plain functions from domain objects to small display records; the templates only lay them out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _


@dataclass
class CaseStep:
    """One stage of a case as the claimant sees it."""

    key: str  # submission, initial_review, re_review, decision
    title: str
    state: str  # done, current, upcoming, stopped
    office: Any = None  # an Office
    due: date | None = None
    at: Any = None  # a datetime
    by_system: bool = False
    outcome: str = ""
    reasons: list[dict[str, str]] = field(default_factory=list)


def _last(history: list[Any], stage: str) -> Any:
    rows = [t for t in history if t.stage == stage]
    return rows[-1] if rows else None


def case_steps(application: Any, history: list[Any], task: Any) -> list[CaseStep]:
    """Submitted → initial review (accepting office) → re-review (insured region's agency,
    for an item that pays) → decision, each done, current, still to come or stopped."""
    status = application.status
    submitted = _last(history, "submission")
    steps = [
        CaseStep(
            "submission",
            _("Submitted"),
            "done",
            office=application.accepting_office,
            at=submitted.at if submitted else application.submitted_at,
        )
    ]
    initial = _last(history, "initial_review")
    if status in ("initial_review", "returned"):
        initial_state = "current"
    elif initial is not None:
        initial_state = "done" if initial.outcome == "approve" else "stopped"
    else:
        initial_state = "stopped"  # withdrawn or refused before any review
    steps.append(
        CaseStep(
            "initial_review",
            _("Initial review"),
            initial_state,
            office=application.accepting_office,
            due=task.due_date if task is not None and task.stage == "initial_review" else None,
            at=initial.at if initial is not None and initial_state != "current" else None,
            by_system=bool(initial is not None and initial.actor_kind == "system"),
            outcome="returned" if status == "returned" else (initial.outcome if initial else ""),
            reasons=list(initial.reasons) if initial is not None else [],
        )
    )
    if application.pays_money:
        re_review = _last(history, "re_review")
        if status == "re_review":
            re_state = "current"
        elif re_review is not None and status in ("approved", "rejected"):
            re_state = "done" if re_review.outcome == "approve" else "stopped"
        else:
            re_state = "upcoming" if application.is_open else "stopped"
        steps.append(
            CaseStep(
                "re_review",
                _("Re-review"),
                re_state,
                office=application.reviewing_office,
                due=task.due_date if task is not None and task.stage == "re_review" else None,
                at=re_review.at if re_review is not None and re_state != "current" else None,
                outcome=re_review.outcome if re_review is not None else "",
                reasons=list(re_review.reasons) if re_review is not None else [],
            )
        )
    final = history[-1] if history and not application.is_open else None
    steps.append(
        CaseStep(
            "decision",
            _("Decision"),
            "done" if final is not None else "upcoming",
            at=application.decided_at,
            outcome=status if final is not None else "",
            reasons=list(final.reasons) if final is not None else [],
        )
    )
    # Once a case has stopped, later stages will not come.
    stopped = False
    for step in steps:
        if stopped and step.state == "upcoming":
            step.state = "stopped"
        stopped = stopped or step.state == "stopped"
    return steps


@dataclass(frozen=True)
class Bar:
    left: float  # percent of the chart's width
    width: float
    employer: str
    start: date
    end: date | None
    reason: Any  # a SeparationReason or None
    holds_relationship: bool


@dataclass(frozen=True)
class ChartRow:
    region: Any  # a Region
    months: int  # contribution months in the region
    bars: list[Bar]


@dataclass(frozen=True)
class InsuranceChart:
    start: date
    end: date
    years: list[tuple[int, float]]  # (year, percent from the left)
    rows: list[ChartRow]


def insurance_chart(
    *,
    spells: list[Any],
    contributions: list[tuple[date, str]],
    insured: Any,
    as_of: date,
) -> InsuranceChart | None:
    """Insurance spells per region on one time axis, from the first spell's year to ``as_of``."""
    if not spells:
        return None
    start = date(min(s.start_date for s in spells).year, 1, 1)
    end: date = max(as_of, *(s.end_date for s in spells if s.end_date))
    span: int = max((end - start).days, 1)

    def pct(day: date) -> float:
        return round(100.0 * (day - start).days / span, 2)

    months: dict[str, set[date]] = defaultdict(set)
    for month, code in contributions:
        months[code].add(month)
    regions: dict[str, Any] = {}
    bars: dict[str, list[Bar]] = defaultdict(list)
    for spell in spells:
        regions[spell.region.code] = spell.region
        left = pct(spell.start_date)
        right = pct(min(spell.end_date or end, end))
        bars[spell.region.code].append(
            Bar(
                left=left,
                width=max(right - left, 0.6),
                employer=spell.employer.name,
                start=spell.start_date,
                end=spell.end_date,
                reason=spell.reason,
                holds_relationship=insured is not None and spell.pk == insured.pk,
            )
        )
    years = [(y, pct(date(y, 1, 1))) for y in range(start.year, end.year + 1)]
    step = max(1, len(years) // 8)  # at most about eight labels
    return InsuranceChart(
        start=start,
        end=end,
        years=years[::step],
        rows=[
            ChartRow(region=regions[code], months=len(months.get(code, ())), bars=bars[code])
            for code in sorted(regions, key=lambda c: bars[c][0].start)
        ],
    )
