"""Reading the ledger: the chart, entries, and the reports of one fund or of the province.

Every report is one set-based ``GROUP BY`` over journal lines, which carry their book
and date so no join is needed; the chart (a few dozen accounts) is joined in Python.
``region_code=None`` means the province: every fund's books added up (汇总), with
inter-fund transfers shown on both sides, not eliminated.
Dates are inclusive ``as_of`` dates; periods are half-open ``[start, end)``.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When
from django.db.models.functions import Coalesce, TruncMonth

from tongban.core.errors import NotFound
from tongban.ledger.models import Account, AccountClass, Book, JournalEntry, JournalLine
from tongban.ledger.postings import SOURCE_BANK_RETURN, SOURCE_PAYMENT_RUN, SOURCE_RETURN_REPAID

DEBIT_CLASSES = frozenset({AccountClass.ASSET, AccountClass.EXPENDITURE})


def accounts_list() -> list[Account]:
    """The chart in its file's order (parents before their children)."""
    return list(Account.objects.order_by("sort_order", "code"))


def books_list() -> QuerySet[Book]:
    """Every fund's book with its fund and region, in the regions' order."""
    return Book.objects.select_related("fund__region").order_by(
        "fund__region__sort_order", "fund__region__code"
    )


def book_for_region(*, region_code: str) -> Book:
    book = books_list().filter(fund__region__code=region_code).first()
    if book is None:
        raise NotFound(f"No fund's book for region code {region_code!r}.", code="unknown_region")
    return book


def _lines(region_code: str | None) -> QuerySet[JournalLine]:
    lines = JournalLine.objects.all()
    if region_code is not None:
        lines = lines.filter(book_id=book_for_region(region_code=region_code).pk)
    return lines


def entry_get(*, entry_id: int) -> JournalEntry:
    entry = (
        JournalEntry.objects.select_related("book__fund__region")
        .prefetch_related("lines__account")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise NotFound(f"No journal entry #{entry_id}.", code="unknown_entry")
    result: JournalEntry = entry
    return result


def entry_for_source(*, region_code: str, source_type: str, source_ref: str) -> JournalEntry | None:
    """The entry booked for a cause (a payment run's subject, a return file), if any."""
    return (
        JournalEntry.objects.select_related("book")
        .filter(
            book=book_for_region(region_code=region_code),
            source_type=source_type,
            source_ref=source_ref,
        )
        .first()
    )


def entries_list(
    *, region_code: str | None, start: date, end: date, limit: int = 200
) -> list[JournalEntry]:
    """Entries dated in ``[start, end)``, newest first, with their lines and accounts."""
    entries = JournalEntry.objects.filter(entry_date__gte=start, entry_date__lt=end)
    if region_code is not None:
        entries = entries.filter(book=book_for_region(region_code=region_code))
    return list(
        entries.select_related("book__fund__region")
        .prefetch_related("lines__account")
        .order_by("-entry_date", "-id")[:limit]
    )


# --- the reports --------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    """One account of a report: totals of its lines, and its balance on its normal side.

    ``level`` is 0 for a top-level account; a parent's figures are the sums of its children.
    """

    code: str
    name_zh: str
    name_en: str
    account_class: str
    level: int
    is_postable: bool
    debit_fen: int
    credit_fen: int

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def net_debit_fen(self) -> int:
        return self.debit_fen - self.credit_fen

    @property
    def balance_fen(self) -> int:
        """Debit minus credit for assets and expenditure, credit minus debit for the rest."""
        sign = 1 if self.account_class in DEBIT_CLASSES else -1
        return sign * self.net_debit_fen

    @property
    def debit_balance_fen(self) -> int:
        return max(self.net_debit_fen, 0)

    @property
    def credit_balance_fen(self) -> int:
        return max(-self.net_debit_fen, 0)


def _totals(lines: QuerySet[JournalLine]) -> dict[int, tuple[int, int]]:
    """account id → (debits, credits): the one GROUP BY every report is made of."""
    rows = (
        lines.order_by()
        .values("account_id")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .values_list("account_id", "d", "c")
    )
    return {account_id: (int(d or 0), int(c or 0)) for account_id, d, c in rows}


def _rows(
    totals: dict[int, tuple[int, int]],
    accounts: list[Account],
    classes: Iterable[str] | None = None,
) -> list[AccountRow]:
    """Every account of the chart (of ``classes``) in order, parents summing their children."""
    wanted = set(classes) if classes is not None else None
    by_id = {a.pk: a for a in accounts}
    sums: dict[int, list[int]] = {a.pk: [0, 0] for a in accounts}
    for account_id, (debit, credit) in totals.items():
        account = by_id.get(account_id)
        while account is not None:
            sums[account.pk][0] += debit
            sums[account.pk][1] += credit
            account = by_id.get(account.parent_id) if account.parent_id else None
    levels: dict[int, int] = {}
    for account in accounts:  # parents come first in the chart's order
        levels[account.pk] = levels[account.parent_id] + 1 if account.parent_id else 0
    return [
        AccountRow(
            code=a.code,
            name_zh=a.name_zh,
            name_en=a.name_en,
            account_class=a.account_class,
            level=levels[a.pk],
            is_postable=a.is_postable,
            debit_fen=sums[a.pk][0],
            credit_fen=sums[a.pk][1],
        )
        for a in accounts
        if wanted is None or a.account_class in wanted
    ]


@dataclass(frozen=True)
class TrialBalance:
    """The trial balance (试算平衡表) as of a date: each account's debit or credit balance."""

    region_code: str | None
    as_of: date
    rows: list[AccountRow]

    @property
    def postable(self) -> list[AccountRow]:
        return [r for r in self.rows if r.is_postable]

    @property
    def debit_total_fen(self) -> int:
        return sum(r.debit_balance_fen for r in self.postable)

    @property
    def credit_total_fen(self) -> int:
        return sum(r.credit_balance_fen for r in self.postable)

    @property
    def balanced(self) -> bool:
        return self.debit_total_fen == self.credit_total_fen


def trial_balance(*, region_code: str | None, as_of: date) -> TrialBalance:
    """Balances of every account after all entries dated on or before ``as_of``."""
    totals = _totals(_lines(region_code).filter(entry_date__lte=as_of))
    return TrialBalance(region_code=region_code, as_of=as_of, rows=_rows(totals, accounts_list()))


def trial_balances_by_fund(*, as_of: date) -> dict[str, TrialBalance]:
    """Every fund's trial balance, region code → report, from one GROUP BY over all books."""
    rows = (
        JournalLine.objects.filter(entry_date__lte=as_of)
        .order_by()
        .values("book_id", "account_id")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .values_list("book_id", "account_id", "d", "c")
    )
    per_book: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for book_id, account_id, d, c in rows:
        per_book[book_id][account_id] = (int(d or 0), int(c or 0))
    accounts = accounts_list()
    return {
        book.fund.region.code: TrialBalance(
            region_code=book.fund.region.code,
            as_of=as_of,
            rows=_rows(per_book.get(book.pk, {}), accounts),
        )
        for book in books_list()
    }


@dataclass(frozen=True)
class IncomeExpenditure:
    """Income and expenditure by subject (收支表) for the half-open period ``[start, end)``."""

    region_code: str | None
    start: date
    end: date
    income: list[AccountRow]
    expenditure: list[AccountRow]

    @property
    def income_total_fen(self) -> int:
        return sum(r.balance_fen for r in self.income if r.is_postable)

    @property
    def expenditure_total_fen(self) -> int:
        return sum(r.balance_fen for r in self.expenditure if r.is_postable)

    @property
    def surplus_fen(self) -> int:
        return self.income_total_fen - self.expenditure_total_fen


def income_expenditure(*, region_code: str | None, start: date, end: date) -> IncomeExpenditure:
    """Income and expenditure per account in ``[start, end)``; reversals net out."""
    if end <= start:
        end = start
    totals = _totals(_lines(region_code).filter(entry_date__gte=start, entry_date__lt=end))
    rows = _rows(totals, accounts_list(), classes=(AccountClass.INCOME, AccountClass.EXPENDITURE))
    return IncomeExpenditure(
        region_code=region_code,
        start=start,
        end=end,
        income=[r for r in rows if r.account_class == AccountClass.INCOME],
        expenditure=[r for r in rows if r.account_class == AccountClass.EXPENDITURE],
    )


@dataclass(frozen=True)
class BalanceSheet:
    """Assets = liabilities + fund balance (资产负债表), as of a date.

    ``fund_balance_fen`` is the UI fund 3004 plus income less expenditure not yet closed into
    it: the fund's accumulated surplus (基金累计结余), equal to assets less liabilities.
    """

    region_code: str | None
    as_of: date
    assets: list[AccountRow]
    liabilities: list[AccountRow]
    fund: list[AccountRow]
    income_fen: int
    expenditure_fen: int

    @staticmethod
    def _sum(rows: list[AccountRow]) -> int:
        return sum(r.balance_fen for r in rows if r.is_postable)

    @property
    def assets_total_fen(self) -> int:
        return self._sum(self.assets)

    @property
    def liabilities_total_fen(self) -> int:
        return self._sum(self.liabilities)

    @property
    def surplus_fen(self) -> int:
        """Income less expenditure not closed into 3004 (本期结余, here: since the books opened)."""
        return self.income_fen - self.expenditure_fen

    @property
    def fund_balance_fen(self) -> int:
        return self._sum(self.fund) + self.surplus_fen

    @property
    def balanced(self) -> bool:
        return self.assets_total_fen == self.liabilities_total_fen + self.fund_balance_fen


def balance_sheet(*, region_code: str | None, as_of: date) -> BalanceSheet:
    rows = trial_balance(region_code=region_code, as_of=as_of).rows

    def of(kind: str) -> list[AccountRow]:
        return [r for r in rows if r.account_class == kind]

    def total(kind: str) -> int:
        return sum(r.balance_fen for r in of(kind) if r.is_postable)

    return BalanceSheet(
        region_code=region_code,
        as_of=as_of,
        assets=of(AccountClass.ASSET),
        liabilities=of(AccountClass.LIABILITY),
        fund=of(AccountClass.FUND_BALANCE),
        income_fen=total(AccountClass.INCOME),
        expenditure_fen=total(AccountClass.EXPENDITURE),
    )


# --- months of coverage -------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (later if negative), clamped to month end."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


@dataclass(frozen=True)
class Coverage:
    """Months of coverage (基金可支付月数) of a fund, as of a date.

    ``balance_fen``: the fund balance — 3004 plus all income less all expenditure booked
    on or before ``as_of`` (= assets less liabilities). ``expenditure_12m_fen``: the net
    debits to every expenditure account (5001xx, 5002, 5005; reversals net out) dated in the
    twelve months ending on ``as_of``, ``(as_of − 12 months, as_of]``. ``months`` =
    balance ÷ (expenditure_12m ÷ 12), to one decimal, half-up; None without expenditure.
    """

    region_code: str | None
    as_of: date
    balance_fen: int
    expenditure_12m_fen: int

    @property
    def monthly_expenditure_fen(self) -> int:
        return int((Decimal(self.expenditure_12m_fen) / 12).quantize(Decimal(1), ROUND_HALF_UP))

    @property
    def months(self) -> Decimal | None:
        if self.expenditure_12m_fen <= 0:
            return None
        return (Decimal(self.balance_fen) * 12 / Decimal(self.expenditure_12m_fen)).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )


def _coverage_rows(lines: QuerySet[JournalLine], as_of: date) -> QuerySet[Any, dict[str, Any]]:
    """(book, class) → fund-balance movements and last-12-month expenditure: one GROUP BY."""
    window_start = months_before(as_of, 12)
    recent = Case(
        When(entry_date__gt=window_start, then=F("debit_fen") - F("credit_fen")),
        default=0,
        output_field=IntegerField(),
    )
    return (
        lines.filter(entry_date__lte=as_of)
        .order_by()
        .values("book_id", "account_id")
        .annotate(
            d=Coalesce(Sum("debit_fen"), 0),
            c=Coalesce(Sum("credit_fen"), 0),
            recent=Coalesce(Sum(recent), 0),
        )
    )


def _coverage(rows: Iterable[dict[str, Any]], classes: dict[int, str]) -> tuple[int, int]:
    balance = expenditure = 0
    for row in rows:
        kind = classes[row["account_id"]]
        net_credit = int(row["c"]) - int(row["d"])
        if kind in (AccountClass.FUND_BALANCE, AccountClass.INCOME):
            balance += net_credit
        elif kind == AccountClass.EXPENDITURE:
            balance += net_credit
            expenditure += int(row["recent"])
    return balance, expenditure


def fund_coverage(*, region_code: str | None, as_of: date) -> Coverage:
    """Months of coverage of one fund, or of the province's funds taken together."""
    classes = dict(Account.objects.values_list("id", "account_class"))
    balance, expenditure = _coverage(_coverage_rows(_lines(region_code), as_of), classes)
    return Coverage(region_code, as_of, balance, expenditure)


def funds_coverage(*, as_of: date) -> list[Coverage]:
    """Months of coverage of every fund, in the regions' order, from one GROUP BY."""
    classes = dict(Account.objects.values_list("id", "account_class"))
    per_book: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in _coverage_rows(JournalLine.objects.all(), as_of):
        per_book[row["book_id"]].append(row)
    result = []
    for book in books_list():
        balance, expenditure = _coverage(per_book.get(book.pk, []), classes)
        result.append(Coverage(book.fund.region.code, as_of, balance, expenditure))
    return result


# --- monthly figures for the chart --------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: date  # the first day
    income_fen: int
    expenditure_fen: int
    balance_fen: int  # the fund balance at the month's end


def monthly_figures(
    *, region_code: str | None, start_month: date, months: int
) -> list[MonthFigures]:
    """Income, expenditure and closing fund balance for ``months`` months from ``start_month``."""
    first = start_month.replace(day=1)
    end = months_before(first, -months)
    classes = dict(Account.objects.values_list("id", "account_class"))
    lines = _lines(region_code)
    opening = 0
    for account_id, (debit, credit) in _totals(lines.filter(entry_date__lt=first)).items():
        if classes[account_id] in (
            AccountClass.FUND_BALANCE,
            AccountClass.INCOME,
            AccountClass.EXPENDITURE,
        ):
            opening += credit - debit
    rows = (
        lines.filter(entry_date__gte=first, entry_date__lt=end)
        .annotate(m=TruncMonth("entry_date"))
        .order_by()
        .values("m", "account_id")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .values_list("m", "account_id", "d", "c")
    )
    income: dict[date, int] = defaultdict(int)
    expenditure: dict[date, int] = defaultdict(int)
    fund_moves: dict[date, int] = defaultdict(int)
    for month, account_id, d, c in rows:
        key = month if isinstance(month, date) else date.fromisoformat(str(month)[:10])
        kind = classes[account_id]
        if kind == AccountClass.INCOME:
            income[key] += int(c or 0) - int(d or 0)
        elif kind == AccountClass.EXPENDITURE:
            expenditure[key] += int(d or 0) - int(c or 0)
        elif kind == AccountClass.FUND_BALANCE:
            fund_moves[key] += int(c or 0) - int(d or 0)
    figures = []
    balance = opening
    for i in range(months):
        month = months_before(first, -i)
        balance += income[month] - expenditure[month] + fund_moves[month]
        figures.append(MonthFigures(month, income[month], expenditure[month], balance))
    return figures


# --- every fund at once, for supervision -------------------------------------------------


def flows_by_fund(*, start: date, end: date) -> dict[str, tuple[int, int]]:
    """Region code → (income, expenditure) of each fund in ``[start, end)``, net of reversals,
    from one GROUP BY; every fund is present."""
    classes = dict(Account.objects.values_list("id", "account_class"))
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        JournalLine.objects.filter(entry_date__gte=start, entry_date__lt=end)
        .order_by()
        .values("book_id", "account_id")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .values_list("book_id", "account_id", "d", "c")
    )
    for book_id, account_id, d, c in rows:
        kind = classes[account_id]
        if kind == AccountClass.INCOME:
            totals[book_id][0] += int(c or 0) - int(d or 0)
        elif kind == AccountClass.EXPENDITURE:
            totals[book_id][1] += int(d or 0) - int(c or 0)
    return {
        book.fund.region.code: (totals[book.pk][0], totals[book.pk][1]) for book in books_list()
    }


def monthly_expenditure_by_fund(
    *, start_month: date, months: int, account_prefix: str = "5"
) -> dict[str, list[int]]:
    """Region code → net expenditure per month (``months`` months from ``start_month``) on the
    expenditure accounts whose code starts with ``account_prefix`` (``5001``: benefits paid)."""
    first = start_month.replace(day=1)
    end = months_before(first, -months)
    wanted = set(
        Account.objects.filter(
            account_class=AccountClass.EXPENDITURE, code__startswith=account_prefix
        ).values_list("id", flat=True)
    )
    rows = (
        JournalLine.objects.filter(entry_date__gte=first, entry_date__lt=end, account_id__in=wanted)
        .annotate(m=TruncMonth("entry_date"))
        .order_by()
        .values("book_id", "m")
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .values_list("book_id", "m", "d", "c")
    )
    per_book: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for book_id, month, d, c in rows:
        key = month if isinstance(month, date) else date.fromisoformat(str(month)[:10])
        per_book[book_id][key] += int(d or 0) - int(c or 0)
    series = [months_before(first, -i) for i in range(months)]
    return {book.fund.region.code: [per_book[book.pk][m] for m in series] for book in books_list()}


# --- payments as the books saw them, for the three-way reconciliation (三方对账) -------------

# The causes by which payments to people move money through the expenditure account (1003):
# payment runs (to each benefit subject), re-issues out of 暂收款, and bank returns into it.
PAYMENT_SOURCES = (SOURCE_PAYMENT_RUN, SOURCE_RETURN_REPAID, SOURCE_BANK_RETURN)


@dataclass(frozen=True)
class SourceMovement:
    """The debits and credits of one fund's entries for one cause, on one account and day."""

    region_code: str
    entry_date: date
    source_type: str
    source_ref: str
    account_code: str
    debit_fen: int
    credit_fen: int


def payment_movements(
    *, start: date, end: date, region_code: str | None = None
) -> list[SourceMovement]:
    """Lines dated in ``[start, end)`` of the entries booked for payments (``PAYMENT_SOURCES``),
    per fund, day, cause and account, from one GROUP BY. A reversal of such an entry counts
    under the cause it reverses, on its own date: the books no longer show that payment."""
    cause_type = Coalesce("entry__reversal_of__source_type", "entry__source_type")
    cause_ref = Coalesce("entry__reversal_of__source_ref", "entry__source_ref")
    lines = _lines(region_code).filter(
        Q(entry__source_type__in=PAYMENT_SOURCES)
        | Q(entry__reversal_of__source_type__in=PAYMENT_SOURCES),
        entry_date__gte=start,
        entry_date__lt=end,
    )
    rows = (
        lines.order_by()
        .values("book_id", "entry_date", "account_id", cause=cause_type, ref=cause_ref)
        .annotate(d=Sum("debit_fen"), c=Sum("credit_fen"))
        .values_list("book_id", "entry_date", "cause", "ref", "account_id", "d", "c")
    )
    regions = dict(Book.objects.values_list("id", "fund__region__code"))
    accounts = dict(Account.objects.values_list("id", "code"))
    return [
        SourceMovement(
            region_code=regions[book_id],
            entry_date=day,
            source_type=cause,
            source_ref=ref,
            account_code=accounts[account_id],
            debit_fen=int(d or 0),
            credit_fen=int(c or 0),
        )
        for book_id, day, cause, ref, account_id, d, c in rows
    ]
