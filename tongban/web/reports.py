"""Tables and charts shared by the finance and supervision pages: one table serves the page and
its Excel file (openpyxl); the charts are SVG drawn on the server, so no page needs JavaScript.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tongban.benefits.reconciliation import Difference
from tongban.core.money import format_yuan
from tongban.core.months import month_end
from tongban.ledger.selectors import MonthFigures
from tongban.web.labels import RECONCILIATION_DIFFERENCE


@dataclass(frozen=True)
class Cell:
    text: str
    value: object  # what goes into Excel: text, or yuan as Decimal
    numeric: bool = False
    number_format: str = "#,##0.00"  # Excel's, for numeric cells
    link: str = ""  # on the page, the text links here
    style: str = ""  # on the page, an inline style (the heat map's shade)


def money(fen: int) -> Cell:
    return Cell(format_yuan(fen, symbol=""), Decimal(fen) / 100, numeric=True)


def money_or_none(fen: int | None) -> Cell:
    """An amount, or — where that side has nothing."""
    return Cell("—", "", numeric=True) if fen is None else money(fen)


def text(value: object, *, link: str = "") -> Cell:
    return Cell(str(value), str(value), link=link)


def count(n: int, *, style: str = "", link: str = "") -> Cell:
    return Cell(f"{n:,}", n, numeric=True, number_format="#,##0", style=style, link=link)


def percent(share: Decimal | None) -> Cell:
    """A share (0–1) as a percentage with one decimal; — when there is nothing to divide."""
    if share is None:
        return Cell("—", "", numeric=True)
    return Cell(f"{share * 100:.1f}%", float(share), numeric=True, number_format="0.0%")


def decimal(value: Decimal | None) -> Cell:
    if value is None:
        return Cell("—", "", numeric=True)
    return Cell(str(value), float(value), numeric=True, number_format="0.0")


@dataclass(frozen=True)
class Row:
    cells: list[Cell]
    level: int = 0
    strong: bool = False


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""  # shown under the title (not in Excel)

    @property
    def header(self) -> list[tuple[str, bool]]:
        """Column names, each with whether its cells are numbers (right-aligned)."""
        first = self.rows[0].cells if self.rows else []
        return [(name, i < len(first) and first[i].numeric) for i, name in enumerate(self.columns)]


def xlsx_response(filename: str, heading: str, tables: list[Table]) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = filename[:31]
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True)
    for table in tables:
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append(
                [
                    c.value if c.numeric else ("  " * row.level if i == 1 else "") + str(c.value)
                    for i, c in enumerate(row.cells)
                ]
            )
            for column, cell in enumerate(row.cells, start=1):
                if cell.numeric:
                    sheet.cell(row=sheet.max_row, column=column).number_format = cell.number_format
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 36
    for letter in "CDEF":
        sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- the reconciliation's differences -------------------------------------------------------

DIFFERENCES_SHOWN = 200


def differences_table(differences: list[Difference]) -> Table:
    """Each disagreement of the three-way reconciliation with what each side says (the first
    ``DIFFERENCES_SHOWN``; the note says how many there are)."""
    rows = [
        Row([text(d.region_code), text(d.day), text(RECONCILIATION_DIFFERENCE[d.kind]),
             text(d.reference), money_or_none(d.platform_fen), money_or_none(d.bank_fen),
             money_or_none(d.ledger_fen)])
        for d in differences[:DIFFERENCES_SHOWN]
    ]  # fmt: skip
    note = (
        _("None: the platform, the bank and the books agree to the fen.")
        if not differences
        else _("%(shown)s of %(count)s differences shown.")
        % {"shown": len(rows), "count": len(differences)}
        if len(differences) > DIFFERENCES_SHOWN
        else ""
    )
    return Table(
        "differences",
        _("Reconciliation differences"),
        [_("Fund"), _("Day"), _("Difference"),
         pgettext("payment, run or booking", "Reference"), _("Platform (yuan)"),
         _("Bank (yuan)"), _("Books (yuan)")],
        rows,
        note=note,
    )  # fmt: skip


# --- the chart -----------------------------------------------------------------------------

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 280, 70, 70, 20, 40


def chart(figures: list[MonthFigures]) -> dict[str, Any]:
    """Bars for income and expenditure (left scale), a line for the balance (right scale)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    flows = max([f.income_fen for f in figures] + [f.expenditure_fen for f in figures] + [1])
    low = min([f.balance_fen for f in figures] + [0])
    high = max([f.balance_fen for f in figures] + [1])
    slot = plot_w / max(len(figures), 1)
    bar = slot * 0.35

    def y_flow(fen: int) -> float:
        return float(TOP + plot_h - plot_h * max(fen, 0) / flows)

    def y_balance(fen: int) -> float:
        return float(TOP + plot_h - plot_h * (fen - low) / (high - low or 1))

    months: list[dict[str, Any]] = []
    for i, f in enumerate(figures):
        x = LEFT + i * slot + slot / 2
        months.append(
            {
                "label": f"{f.month:%m}",
                "x": round(x, 1),
                "income": {
                    "x": round(x - bar, 1),
                    "y": round(y_flow(f.income_fen), 1),
                    "h": round(TOP + plot_h - y_flow(f.income_fen), 1),
                    "text": format_yuan(f.income_fen),
                },
                "spent": {
                    "x": round(x, 1),
                    "y": round(y_flow(f.expenditure_fen), 1),
                    "h": round(TOP + plot_h - y_flow(f.expenditure_fen), 1),
                    "text": format_yuan(f.expenditure_fen),
                },
                "balance": {
                    "y": round(y_balance(f.balance_fen), 1),
                    "text": format_yuan(f.balance_fen),
                },
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bar": round(bar, 1),
        "base": TOP + plot_h,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "months": months,
        "line": " ".join(f"{m['x']},{m['balance']['y']}" for m in months),
        "flow_max": format_yuan(flows),
        "balance_max": format_yuan(high),
        "balance_min": format_yuan(low),
        "first": f"{figures[0].month:%Y-%m}" if figures else "",
        "last": f"{figures[-1].month:%Y-%m}" if figures else "",
        "as_of_end": month_end(figures[-1].month) if figures else None,
    }
