"""The books in Beancount's plain-text format, so an independent tool can check them.

Each fund's accounts become ``<Class>:F<region code>:A<account code>`` (Assets,
Liabilities, Equity for the fund balance, Income, Expenses); every entry becomes a
transaction in CNY, debits positive and credits negative. After the entries come
``balance`` assertions with *our* trial balance as of ``as_of``: ``bean-check``
recomputes every balance from the transactions and fails if one differs, if a
transaction does not balance, or if a posting names an account not opened.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from tongban.ledger.models import AccountClass, JournalEntry, JournalLine
from tongban.ledger.selectors import accounts_list, books_list, trial_balances_by_fund

ROOTS = {
    AccountClass.ASSET: "Assets",
    AccountClass.LIABILITY: "Liabilities",
    AccountClass.FUND_BALANCE: "Equity",
    AccountClass.INCOME: "Income",
    AccountClass.EXPENDITURE: "Expenses",
}
OPENED = date(1990, 1, 1)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{rest:02d}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def books_beancount(*, as_of: date) -> str:
    """Every fund's postable accounts, entries dated on or before ``as_of``, and balance assertions."""
    accounts = [a for a in accounts_list() if a.is_postable]
    books = list(books_list())
    names = {
        (book.pk, account.pk): f"{ROOTS[AccountClass(account.account_class)]}:"
        f"F{book.fund.region.code}:A{account.code}"
        for book in books
        for account in accounts
    }
    out = ['option "title" "Tongban UI funds"', 'option "operating_currency" "CNY"', ""]
    out += [f"{OPENED} open {name} CNY" for name in names.values()]
    out.append("")
    lines: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for entry_id, account_id, debit, credit in (
        JournalLine.objects.filter(entry_date__lte=as_of)
        .order_by("entry_id", "id")
        .values_list("entry_id", "account_id", "debit_fen", "credit_fen")
    ):
        lines[entry_id].append((account_id, debit, credit))
    for entry in JournalEntry.objects.filter(entry_date__lte=as_of).order_by("entry_date", "id"):
        out.append(
            f"{entry.entry_date} * {_quote(entry.description)} "
            f"#src-{entry.source_type.replace('_', '-')} ^entry-{entry.pk}"
        )
        for account_id, debit, credit in lines[entry.pk]:
            out.append(f"  {names[(entry.book_id, account_id)]}  {_yuan(debit - credit)} CNY")
        out.append("")
    # Beancount checks a balance at the start of the day: the day after as_of. Four decimals
    # make its tolerance 0.0001 yuan, so a balance one fen off fails (two would tolerate 0.01).
    check_day = as_of + timedelta(days=1)
    by_code = {a.code: a for a in accounts}
    reports = trial_balances_by_fund(as_of=as_of)
    for book in books:
        for row in reports[book.fund.region.code].postable:
            account = by_code[row.code]
            out.append(
                f"{check_day} balance {names[(book.pk, account.pk)]}  "
                f"{_yuan(row.net_debit_fen)}00 CNY"
            )
    return "\n".join(out) + "\n"
