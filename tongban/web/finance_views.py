"""Finance and supervision pages (基金财务与监督): the fund's books, read through ledger selectors.

Only staff with the finance or supervisor role see them, and only their own region's
fund; an administrator (the ``admin`` role) and the staff of the provincial centre (ADR
0401) may pick any fund or the whole province. Every table is also served as an Excel file
(``?format=xlsx``); the monthly chart is SVG (``web.reports``), so the pages need no JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tongban.core import clock
from tongban.core.money import format_yuan
from tongban.ledger.selectors import (
    AccountRow,
    balance_sheet,
    fund_coverage,
    funds_coverage,
    income_expenditure,
    monthly_figures,
    months_before,
    trial_balance,
)
from tongban.regions.selectors import StaffInfo, regions_list, staff_for_user
from tongban.web.reports import Cell, Row, Table, chart, money, text, xlsx_response

FINANCE_ROLES = frozenset({"finance", "supervisor", "admin"})
PROVINCE = "all"


# --- who may see which fund ---------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The fund a page shows (``region_code`` None: the province) and the funds one may pick."""

    staff: StaffInfo
    region_code: str | None
    choices: list[tuple[str, str]]

    @property
    def label(self) -> str:
        if self.region_code is None:
            return _("All funds of the province")
        return dict(self.choices).get(self.region_code, self.region_code)


def _scope(request: HttpRequest) -> Scope | HttpResponse:
    staff = staff_for_user(user=request.user)
    if staff is None or not staff.roles & FINANCE_ROLES:
        return render(request, "finance/forbidden.html", {"staff": staff}, status=403)
    own = PROVINCE if staff.office.is_provincial else staff.region.code
    wanted = request.GET.get("region") or own
    if staff.has_role("admin") or staff.office.is_provincial:
        choices = [(PROVINCE, _("All funds of the province"))] + [
            (r.code, r.name) for r in regions_list()
        ]
    else:
        choices = [(own, staff.region.name)]
    if wanted not in dict(choices):
        return render(request, "finance/forbidden.html", {"staff": staff}, status=403)
    return Scope(staff, None if wanted == PROVINCE else wanted, choices)


def finance_page(view: Callable[..., HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Log in, then have a finance, supervisor or admin role; passes the scope to the view."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        scope = _scope(request)
        if isinstance(scope, HttpResponse):
            return scope
        return view(request, scope)

    return wrapper


def render_report(
    request: HttpRequest,
    scope: Scope,
    *,
    page: str,
    heading: str,
    tables: list[Table],
    filename: str,
    form: dict[str, Any],
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    if request.GET.get("format") == "xlsx" and status == 200:
        return xlsx_response(filename, f"{scope.label} · {heading}", tables)
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(
        request,
        "finance/report.html",
        {
            "scope": scope,
            "page": page,
            "heading": heading,
            "tables": tables,
            "form": form,
            "xlsx_query": query.urlencode(),
            **(extra or {}),
        },
        status=status,
    )


def _account_rows(rows: list[AccountRow], columns: Callable[[AccountRow], list[Cell]]) -> list[Row]:
    return [
        Row([text(r.code), text(r.name), *columns(r)], level=r.level, strong=not r.is_postable)
        for r in rows
    ]


# --- reading the query string --------------------------------------------------------------


def _date(request: HttpRequest, name: str, default: date, errors: list[str]) -> date:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("Dates are written YYYY-MM-DD, e.g. 2026-05-31."))
        return default


def _month(request: HttpRequest, name: str, default: date, errors: list[str]) -> date:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    try:
        return date.fromisoformat(f"{raw}-01")
    except ValueError:
        errors.append(_("Months are written YYYY-MM, e.g. 2026-05."))
        return default


# --- the pages -----------------------------------------------------------------------------


@finance_page
def overview(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The fund at a glance: balance, months of coverage, and a 12-month chart."""
    errors: list[str] = []
    as_of = _date(request, "as_of", clock.today(), errors)
    coverage = fund_coverage(region_code=scope.region_code, as_of=as_of)
    first = months_before(as_of.replace(day=1), 11)
    figures = monthly_figures(region_code=scope.region_code, start_month=first, months=12)
    table = Table(
        "monthly",
        _("Monthly income, expenditure and balance"),
        [_("Month"), _("Income (yuan)"), _("Expenditure (yuan)"), _("Fund balance (yuan)")],
        [
            Row(
                [
                    text(f"{m.month:%Y-%m}"),
                    money(m.income_fen),
                    money(m.expenditure_fen),
                    money(m.balance_fen),
                ]
            )
            for m in figures
        ],
    )
    return render_report(
        request,
        scope,
        page="overview",
        heading=_("Fund overview"),
        tables=[table],
        filename=f"fund-{scope.region_code or PROVINCE}-{as_of}",
        form={"as_of": as_of.isoformat(), "errors": errors},
        extra={
            "coverage": {
                "balance": format_yuan(coverage.balance_fen),
                "monthly": format_yuan(coverage.monthly_expenditure_fen),
                "months": coverage.months,
            },
            "chart": chart(figures),
        },
        status=400 if errors else 200,
    )


@finance_page
def trial_balance_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    errors: list[str] = []
    as_of = _date(request, "as_of", clock.today(), errors)
    report = trial_balance(region_code=scope.region_code, as_of=as_of)
    rows = _account_rows(
        report.rows, lambda r: [money(r.debit_balance_fen), money(r.credit_balance_fen)]
    )
    rows.append(
        Row(
            [
                text(""),
                text(_("Total")),
                money(report.debit_total_fen),
                money(report.credit_total_fen),
            ],
            strong=True,
        )
    )
    table = Table(
        "trial_balance",
        _("Trial balance as of %(date)s") % {"date": as_of},
        [_("Account"), _("Name"), _("Debit balance (yuan)"), _("Credit balance (yuan)")],
        rows,
    )
    return render_report(
        request,
        scope,
        page="trial_balance",
        heading=_("Trial balance"),
        tables=[table],
        filename=f"trial-balance-{scope.region_code or PROVINCE}-{as_of}",
        form={"as_of": as_of.isoformat(), "errors": errors},
        extra={"balanced": report.balanced},
        status=400 if errors else 200,
    )


@finance_page
def income_expenditure_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    errors: list[str] = []
    today = clock.today()
    start = _month(request, "from", today.replace(month=1, day=1), errors)
    last = _month(request, "to", today.replace(day=1), errors)
    if last < start:
        errors.append(_("The period ends before it starts."))
        last = start
    end = months_before(last, -1)
    report = income_expenditure(region_code=scope.region_code, start=start, end=end)

    def amount(r: AccountRow) -> list[Cell]:
        return [money(r.balance_fen)]

    columns = [_("Account"), _("Name"), _("Amount (yuan)")]
    income = Table("income", _("Income"), columns, _account_rows(report.income, amount))
    income.rows.append(
        Row([text(""), text(_("Total income")), money(report.income_total_fen)], strong=True)
    )
    spent = Table(
        "expenditure", _("Expenditure"), columns, _account_rows(report.expenditure, amount)
    )
    spent.rows.append(
        Row(
            [text(""), text(_("Total expenditure")), money(report.expenditure_total_fen)],
            strong=True,
        )
    )
    spent.rows.append(
        Row([text(""), text(_("Surplus of the period")), money(report.surplus_fen)], strong=True)
    )
    return render_report(
        request,
        scope,
        page="income_expenditure",
        heading=_("Income and expenditure %(start)s to %(end)s")
        % {"start": f"{start:%Y-%m}", "end": f"{last:%Y-%m}"},
        tables=[income, spent],
        filename=f"income-expenditure-{scope.region_code or PROVINCE}-{start:%Y-%m}-{last:%Y-%m}",
        form={"from": f"{start:%Y-%m}", "to": f"{last:%Y-%m}", "errors": errors},
        status=400 if errors else 200,
    )


@finance_page
def balance_sheet_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    errors: list[str] = []
    as_of = _date(request, "as_of", clock.today(), errors)
    sheet = balance_sheet(region_code=scope.region_code, as_of=as_of)

    def amount(r: AccountRow) -> list[Cell]:
        return [money(r.balance_fen)]

    columns = [_("Account"), _("Name"), _("Balance (yuan)")]
    assets = Table("assets", _("Assets"), columns, _account_rows(sheet.assets, amount))
    assets.rows.append(
        Row([text(""), text(_("Total assets")), money(sheet.assets_total_fen)], strong=True)
    )
    claims = Table(
        "liabilities",
        _("Liabilities and fund balance"),
        columns,
        _account_rows(sheet.liabilities, amount) + _account_rows(sheet.fund, amount),
    )
    claims.rows += [
        Row(
            [text(""), text(_("Total liabilities")), money(sheet.liabilities_total_fen)],
            strong=True,
        ),
        Row(
            [
                text(""),
                text(_("Income less expenditure not yet closed into the fund")),
                money(sheet.surplus_fen),
            ]
        ),
        Row([text(""), text(_("Fund balance")), money(sheet.fund_balance_fen)], strong=True),
        Row(
            [
                text(""),
                text(_("Total liabilities and fund balance")),
                money(sheet.liabilities_total_fen + sheet.fund_balance_fen),
            ],
            strong=True,
        ),
    ]
    return render_report(
        request,
        scope,
        page="balance_sheet",
        heading=_("Balance sheet"),
        tables=[assets, claims],
        filename=f"balance-sheet-{scope.region_code or PROVINCE}-{as_of}",
        form={"as_of": as_of.isoformat(), "errors": errors},
        extra={"balanced": sheet.balanced},
        status=400 if errors else 200,
    )


@finance_page
def coverage_page(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Months of coverage of the fund; the province view lists every fund."""
    errors: list[str] = []
    as_of = _date(request, "as_of", clock.today(), errors)
    names = dict(scope.choices) | {r.code: r.name for r in regions_list()}
    if scope.region_code is None:
        coverages = [*funds_coverage(as_of=as_of), fund_coverage(region_code=None, as_of=as_of)]
    else:
        coverages = [fund_coverage(region_code=scope.region_code, as_of=as_of)]
    rows = [
        Row(
            [
                text(c.region_code or ""),
                text(names.get(c.region_code or PROVINCE, "")),
                money(c.balance_fen),
                money(c.monthly_expenditure_fen),
                Cell(str(c.months) if c.months is not None else "—", c.months or "", numeric=True),
            ],
            strong=c.region_code is None,
        )
        for c in coverages
    ]
    table = Table(
        "coverage",
        _("Months of coverage as of %(date)s") % {"date": as_of},
        [
            _("Region"),
            _("Fund"),
            _("Fund balance (yuan)"),
            _("Average monthly expenditure, last 12 months (yuan)"),
            _("Months of coverage"),
        ],
        rows,
    )
    return render_report(
        request,
        scope,
        page="coverage",
        heading=_("Months of coverage"),
        tables=[table],
        filename=f"coverage-{scope.region_code or PROVINCE}-{as_of}",
        form={"as_of": as_of.isoformat(), "errors": errors},
        status=400 if errors else 200,
    )
