"""The supervision pages' tables (each also an Excel sheet section) and small SVG figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from tongban.cases.statistics import application_totals
from tongban.catalogue.selectors import items_list
from tongban.core.identifiers import mask_id_number
from tongban.regions.selectors import offices_list, regions_list
from tongban.supervision.anomalies import Check
from tongban.supervision.figures import (
    CHANNELS,
    STAGES,
    Counts,
    Headline,
    Matrix,
    Outcomes,
    TimeFigures,
    share,
)
from tongban.supervision.funds import FundFigures, coverage_warning
from tongban.supervision.parameters import thresholds
from tongban.web.labels import CHANNEL, STAGE
from tongban.web.reports import (
    Cell,
    Row,
    Table,
    count,
    decimal,
    differences_table,
    money,
    percent,
    text,
)

if TYPE_CHECKING:
    from tongban.cases.statistics import FirstPayments
    from tongban.ledger.selectors import Coverage
    from tongban.web.supervision_views import Context


def _stage_label(code: str) -> str:
    return str(STAGE.get(code) or (_("Routing") if code == "routing" else code))


def _outcome_label(code: str) -> str:
    return {"reject": _("rejected"), "return": _("returned")}.get(code, code)


def by_item(figures: Headline) -> Table:
    """The contract's ``by_item``, with the online and on-time figures beside it."""
    rows = [_item_row(str(item.name), c) for item, c in figures.by_item]
    rows.append(_item_row(_("Total"), figures.totals, strong=True))
    return Table(
        "by_item",
        _("Applications submitted in the period, by item"),
        [_("Item"), _("Applications"), _("Approved or completed"), _("Rejected"), _("Open"),
         _("Withdrawn"), _("Online share"), _("Decided on time")],
        rows,
        note=_("Online share: online submissions ÷ all applications. Decided on time: "
               "decisions by the due date ÷ decisions."),
    )  # fmt: skip


def _item_row(name: str, c: Counts, *, strong: bool = False) -> Row:
    return Row(
        [text(name), count(c.applications), count(c.granted), count(c.rejected), count(c.open),
         count(c.withdrawn), percent(c.online_share), percent(c.on_time_share)],
        strong=strong,
    )  # fmt: skip


def by_channel(figures: Headline) -> Table:
    rows = []
    for item, c in [*figures.by_item, (None, figures.totals)]:
        name = str(item.name) if item else _("Total")
        rows.append(Row(
            [text(name), *[count(c.by_channel.get(ch, 0)) for ch in CHANNELS],
             count(c.applications), percent(c.online_share)],
            strong=item is None,
        ))  # fmt: skip
    return Table(
        "by_channel",
        _("Applications by item and channel"),
        [_("Item"), *[str(CHANNEL[ch]) for ch in CHANNELS], _("Total"), _("Online share")],
        rows,
        note=_("Online: the claimant portal, Alipay, the government services site, the online "
               "hall and employers' submissions. Automatic items (免申即办) count among all "
               "applications."),
    )  # fmt: skip


def by_place(ctx: Context) -> list[Table]:
    """Applications by accepting region (the province) or by accepting office (a region)."""
    period, view = ctx.period, ctx.view
    by_region = view.kind == "province"
    key = "accepting_region_id" if by_region else "accepting_office_id"
    rows = application_totals(start=period.start, end=period.end, selection=view.selection,
                              by=(key, "channel"))  # fmt: skip
    counts: dict[int, Counts] = defaultdict(Counts)
    for row in rows:
        counts[row[key]].add(row)
    places = (
        [(r.pk, r.name, r.code) for r in regions_list()]
        if by_region
        else [(o.pk, o.name, o.code) for o in offices_list() if o.pk in counts]
    )
    table = Table(
        "by_place",
        _("By accepting region") if by_region else _("By accepting office"),
        [_("Code"), _("Region") if by_region else _("Office"), _("Applications"),
         _("Online share"), _("Decided on time"), _("Mean working days to decision")],
        [
            Row([text(code), text(name), count(counts[pk].applications),
                 percent(counts[pk].online_share), percent(counts[pk].on_time_share),
                 decimal(counts[pk].mean_decision_days)])
            for pk, name, code in places
        ],
    )  # fmt: skip
    return [table]


def matrix_table(grid: Matrix, regions: list[Any]) -> Table:
    """A 19 × 19 heat map: rows accept, columns are insured; a deeper shade is more."""
    largest = grid.largest or 1

    def shade(n: int, diagonal: bool) -> str:
        if not n:
            return ""
        alpha = 0.12 + 0.78 * n / largest
        colour = "27,127,59" if diagonal else "11,92,173"
        ink = "#fff" if alpha > 0.55 else "inherit"
        return f"background:rgba({colour},{alpha:.2f});color:{ink};"

    rows = []
    for a in regions:
        cells = [text(a.name)]
        for i in regions:
            n = grid.cells.get((a.pk, i.pk), 0)
            cells.append(count(n, style=shade(n, a.pk == i.pk)) if n else Cell("·", 0, True, "0"))
        cells += [count(grid.uninsured.get(a.pk, 0)), count(grid.row_total(a.pk))]
        rows.append(Row(cells))
    totals = [text(_("Total"))] + [count(grid.column_total(i.pk)) for i in regions]
    totals += [count(sum(grid.uninsured.values())), count(grid.total)]
    rows.append(Row(totals, strong=True))
    return Table(
        "matrix",
        _("Accepting region (rows) × insured region (columns)"),
        [_("Accepted in ↓ / insured in →"), *[r.name for r in regions], _("Insured nowhere"),
         _("Total")],
        rows,
        note=_("Green: served where insured. Blue: served in another region; the insured "
               "region's agency re-reviews and pays."),
    )  # fmt: skip


def time_by_item(figures: TimeFigures) -> Table:
    rows = []
    for item, stages, decisions in figures.by_item:
        first, routing, second = (stages[s] for s in STAGES)
        rows.append(Row([
            text(item.name), count(item.time_limit_working_days), count(decisions.decided),
            percent(decisions.on_time_share), decimal(decisions.mean_decision_days),
            count(first.finished), decimal(first.mean_days), count(first.longest),
            percent(first.late_share), count(routing.finished), count(second.finished),
            decimal(second.mean_days), count(second.longest), percent(second.late_share),
        ]))  # fmt: skip
    return Table(
        "time_by_item",
        _("Time per stage against the time limit (working days)"),
        [_("Item"), _("Time limit"), _("Decided"), _("On time"), _("Mean days to decision"),
         _("Initial reviews"), _("Mean days"), _("Longest"), _("Finished late"),
         _("Routed"), _("Re-reviews"), _("Mean days"), _("Longest"), _("Finished late")],
        rows,
        note=_("Decisions: applications submitted in the period. Stages: finished in the "
               "period. Late: finished after the case's due date. Routing is automatic, in the "
               "transaction of the initial approval: it takes no working day."),
    )  # fmt: skip


def time_by_office(figures: TimeFigures, offices: dict[int, Any]) -> Table:
    rows = []
    for office_id, stages in sorted(figures.by_office.items(),
                                    key=lambda kv: offices[kv[0]].code):  # fmt: skip
        office = offices[office_id]
        cells = [text(office.code), text(office.name)]
        for stage in ("initial_review", "re_review"):
            s = stages[stage]
            cells += [count(s.finished), decimal(s.mean_days), percent(s.late_share)]
        rows.append(Row(cells))
    return Table(
        "time_by_office",
        _("Stages finished in the period, by office"),
        [_("Office code"), _("Office"), _("Initial reviews"), _("Mean days"), _("Finished late"),
         _("Re-reviews"), _("Mean days"), _("Finished late")],
        rows,
    )  # fmt: skip


def backlog(figures: TimeFigures, offices: dict[int, Any]) -> Table:
    rows = [
        Row([text(offices[r["office_id"]].code), text(offices[r["office_id"]].name),
             count(r["open"]), count(r["initial_review"]), count(r["re_review"]),
             count(r["overdue"]), text(r["oldest_due"] or "")])
        for r in sorted(figures.backlog, key=lambda r: (-r["overdue"], -r["open"]))
    ]  # fmt: skip
    return Table(
        "backlog",
        _("Today's backlog, by office"),
        [_("Office code"), _("Office"), _("Open tasks"), _("Initial review"), _("Re-review"),
         _("Overdue"), _("Earliest due date")],
        rows,
    )  # fmt: skip


def overdue(figures: TimeFigures, ctx: Context) -> Table:
    names = {i.code: str(i.name) for i in items_list()}
    rows = [
        Row([text(t.due_date), text(t.office.name), text(_stage_label(t.stage)),
             text(names.get(t.application.item_code, t.application.item_code)),
             text(t.application.reference, link=ctx.case_url(t.application.reference)),
             text(mask_id_number(t.application.person.id_number)),
             text(t.application.accepting_office.name)])
        for t in figures.overdue
    ]  # fmt: skip
    shown = len(rows)
    return Table(
        "overdue",
        _("Overdue tasks (%(shown)s of %(total)s)") % {"shown": shown, "total": figures.overdue_total},
        [_("Due"), _("Office"), _("Stage"), _("Item"), _("Case"), _("Person"), _("Accepted at")],
        rows,
    )  # fmt: skip


def decisions(figures: Outcomes) -> Table:
    rows = [
        Row([text(item.name), count(c.applications), count(c.approved), count(c.completed),
             count(c.rejected), count(c.withdrawn), count(c.initial_review), count(c.re_review),
             count(c.returned), percent(share(c.rejected, c.decided))])
        for item, c in figures.by_item
    ]  # fmt: skip
    return Table(
        "decisions",
        _("Outcomes of the applications submitted in the period"),
        [_("Item"), _("Applications"), _("Approved"), _("Completed"), _("Rejected"),
         _("Withdrawn"), _("In initial review"), _("In re-review"), _("Returned"),
         _("Rejected of decided")],
        rows,
    )  # fmt: skip


def reasons(figures: Outcomes) -> Table:
    known = {"bundle_failed": _("another part of the one-thing bundle failed")}
    rows = [
        Row([text(_outcome_label(r["outcome"])), text(_stage_label(r["stage"])),
             text(known.get(r["reason"], r["reason"])), count(r["count"]), count(r["items"])])
        for r in figures.reasons
    ]  # fmt: skip
    return Table(
        "reasons",
        _("Reasons given for rejections and returns decided in the period"),
        [_("Outcome"), _("Stage"), _("Reason"), _("Times"), _("Items")],
        rows,
    )  # fmt: skip


def first_payments(paid: FirstPayments) -> Table:
    rows = [
        Row([text(_("First paid within %(days)s days of the application") % {"days": days}),
             count(paid.within[days]), percent(share(paid.within[days], paid.approved))])
        for days in sorted(paid.within)
    ]  # fmt: skip
    rows += [
        Row([text(_("First paid at all")), count(paid.paid), percent(share(paid.paid, paid.approved))]),
        Row([text(_("Not paid yet")), count(paid.unpaid), percent(share(paid.unpaid, paid.approved))]),
        Row([text(_("Approved applications that pay money")), count(paid.approved), percent(Decimal(1) if paid.approved else None)], strong=True),
    ]  # fmt: skip
    return Table(
        "first_payments",
        _("First payments of the approved applications submitted in the period"),
        [_("Measure"), _("Applications"), _("Share")],
        rows,
        note=_("The first payment is the day the first payment to the person went to the bank; "
               "days are calendar days from the application."),
    )  # fmt: skip


def funds_summary(coverages: list[Coverage], together: Coverage, as_of: date) -> Table:
    names = {r.code: r.name for r in regions_list()}
    rows = [
        Row([text(c.region_code), text(names.get(c.region_code or "", "")), money(c.balance_fen),
             decimal(c.months), text(_("below threshold") if coverage_warning(c) else "")])
        for c in coverages
    ]  # fmt: skip
    if len(coverages) > 1:
        rows.append(Row([text(_("Province")), text(_("All funds")), money(together.balance_fen),
                         decimal(together.months), text("")], strong=True))  # fmt: skip
    return Table(
        "funds_summary",
        _("Funds as of %(date)s") % {"date": as_of},
        [_("Region"), _("Fund"), _("Fund balance (yuan)"), _("Months of coverage"),
         _("Warning")],
        rows,
        note=_("Warning below %(months)s months of coverage (data/thresholds.yaml).")
        % {"months": thresholds().coverage_warning_months},
    )  # fmt: skip


def funds_table(figures: FundFigures) -> Table:
    rows = [
        Row([text(r.region_code or _("Province")), text(r.name or _("All funds")),
             money(r.balance_fen), money(r.income_month_fen), money(r.expenditure_month_fen),
             money(r.income_year_fen), money(r.expenditure_year_fen),
             money(r.coverage.monthly_expenditure_fen), decimal(r.months),
             text(_("below threshold") if r.warning and r.region_code else "")],
            strong=r.region_code is None)
        for r in figures.rows
    ]  # fmt: skip
    return Table(
        "funds",
        _("Every fund as of %(date)s") % {"date": figures.period.end},
        [_("Region"), _("Fund"), _("Fund balance (yuan)"), _("Income, month to date"),
         _("Expenditure, month to date"), _("Income, year to date"),
         _("Expenditure, year to date"), _("Average monthly expenditure, last 12 months (yuan)"),
         _("Months of coverage"), _("Warning")],
        rows,
        note=_("Warning below %(months)s months of coverage (data/thresholds.yaml).")
        % {"months": thresholds().coverage_warning_months},
    )  # fmt: skip


def reconciliation(figures: FundFigures) -> list[Table]:
    """The three-way reconciliation of each fund, and its differences (the province's once)."""
    rows = []
    for r in figures.rows:
        b = r.reconciliation
        if b is None:
            continue
        rows.append(Row(
            [text(r.region_code or _("Province")), count(b.sent_count), money(b.sent_fen),
             money(b.bank_fen), money(b.ledger_fen), count(b.settled_count), money(b.settled_fen),
             count(b.returned_count), money(b.returned_fen), count(b.pending_count),
             money(b.pending_fen), count(len(b.differences)),
             text(_("balanced") if b.balanced else _("OUT OF BALANCE"))],
            strong=r.region_code is None,
        ))  # fmt: skip
    funds = [r.reconciliation for r in figures.rows if r.region_code and r.reconciliation]
    return [
        Table(
            "reconciliation",
            _("Three-way reconciliation of the payments sent in the period: platform, bank files "
              "and books agree; sent = settled + returned + pending"),
            [_("Fund"), _("Sent"), _("Sent (yuan)"), _("Bank files (yuan)"), _("Books (yuan)"),
             _("Settled"), _("Settled (yuan)"), _("Returned"), _("Returned (yuan)"), _("Pending"),
             _("Pending (yuan)"), _("Differences"), _("State")],
            rows,
        ),
        differences_table([d for b in funds for d in b.differences]),
    ]  # fmt: skip


def subjects(figures: FundFigures) -> list[Table]:
    month, year = figures.subjects_month, figures.subjects_year
    year_rows = {r.code: r for r in year.income + year.expenditure}
    result = []
    for key, title, rows in (
        ("income", _("Income by subject"), month.income),
        ("expenditure", _("Expenditure by subject"), month.expenditure),
    ):
        result.append(Table(
            key, title,
            [_("Account"), _("Name"), _("Month to date (yuan)"), _("Year to date (yuan)")],
            [Row([text(r.code), text(r.name), money(r.balance_fen),
                  money(year_rows[r.code].balance_fen)], level=r.level,
                 strong=not r.is_postable) for r in rows],
        ))  # fmt: skip
    return result


def anomaly_table(check: Check, ctx: Context) -> Table:
    rows = []
    for evidence in check.evidence:
        cells = [text(c) for c in evidence.cells]
        if evidence.payment_reference and cells:
            cells[0] = text(evidence.payment_reference,
                            link=ctx.payment_url(evidence.payment_reference))  # fmt: skip
        if evidence.application_reference and len(cells) > 1:
            cells[1] = text(evidence.application_reference,
                            link=ctx.case_url(evidence.application_reference))  # fmt: skip
        rows.append(Row(cells))
    return Table(f"check_{check.code}", f"{check.title} ({check.found})", check.columns, rows,
                 note=check.rule)  # fmt: skip


# ---- small SVG figures -----------------------------------------------------------------------


def share_bar(value: Decimal | None, goal: Decimal) -> dict[str, Any]:
    """A horizontal bar of a share with the goal marked (drawn by supervision/_share_bar.html)."""
    width = 300
    filled = 0 if value is None else round(float(value) * width, 1)
    return {
        "width": width,
        "filled": filled,
        "goal_x": round(float(goal) * width, 1),
        "met": value is not None and value > goal,
        "value": "—" if value is None else f"{value * 100:.1f}%",
        "goal": f"{goal * 100:.0f}%",
    }


def coverage_bars(figures: FundFigures) -> dict[str, Any]:
    """Months of coverage of every fund as bars, with the warning threshold as a line."""
    funds = [r for r in figures.rows if r.region_code]
    threshold = float(thresholds().coverage_warning_months)
    top = max([float(r.months or 0) for r in funds] + [threshold * 1.5])
    row_h, left, width = 22, 130, 460
    bars = []
    for i, r in enumerate(funds):
        months = float(r.months or 0)
        bars.append({
            "y": i * row_h, "w": round(width * months / top, 1), "label": r.name,
            "value": "—" if r.months is None else str(r.months), "warning": r.warning,
            "text_x": left + round(width * months / top, 1) + 4,
        })  # fmt: skip
    return {
        "bars": bars,
        "left": left,
        "height": row_h * len(funds) + 24,
        "width": left + width + 60,
        "threshold_x": left + round(width * threshold / top, 1),
        "threshold": thresholds().coverage_warning_months,
        "bottom": row_h * len(funds),
    }
