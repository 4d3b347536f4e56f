"""The posting rules (记账规则): which accounts each business event debits and credits.

Pure functions from amounts to lines, so a rule is stated once and read in one place
(docs/ledger.md lists them). Services post what these return; nothing here touches
the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from tongban.core.months import month_end

CASH: Final = "1001"
INCOME_DEPOSITS: Final = "1002"  # 收入户存款: premiums and other income arrive here
EXPENDITURE_DEPOSITS: Final = "1003"  # 支出户存款: every payment leaves from here
FISCAL_DEPOSITS: Final = "1004"  # 财政专户存款
TEMPORARY_PAYMENTS: Final = "1101"
TEMPORARY_RECEIPTS: Final = "2001"  # 暂收款: returned payments wait here to be paid again
PAYABLES: Final = "2002"
FUND_BALANCE: Final = "3004"  # 失业保险基金
PREMIUM_EMPLOYER: Final = "400101"
PREMIUM_PERSONAL: Final = "400102"
TRANSFER_IN: Final = "4005"
UI_BENEFIT: Final = "500101"
MEDICAL_PREMIUMS: Final = "500102"
TRANSFER_OUT: Final = "5002"

# The benefit expenditure sub-accounts a payment run may post to (5001xx).
BENEFIT_SUBJECTS: Final = frozenset(
    {"500101", "500102", "500103", "500104", "500105", "500106", "500107", "500108"}
)

# Source types: what caused an entry. Free text is allowed; these are the ones the platform uses.
SOURCE_MANUAL: Final = "manual"
SOURCE_OPENING: Final = "opening_balance"
SOURCE_PREMIUM: Final = "premium_income"
SOURCE_PAYMENT_RUN: Final = "payment_run"
SOURCE_BANK_RETURN: Final = "bank_return"
SOURCE_RETURN_REPAID: Final = "bank_return_repaid"
SOURCE_RETURN_CANCELLED: Final = "bank_return_cancelled"
SOURCE_TRANSFER: Final = "transfer"
SOURCE_REVERSAL: Final = "reversal"
SOURCE_DEPOSITS_MOVE: Final = "deposits_move"

# Money moves between the fund's own bank accounts (收支两条线): the income account pays into
# the fiscal special account (上缴财政专户), which allocates to the expenditure account (拨付).
DEPOSIT_MOVES: Final = frozenset(
    {(INCOME_DEPOSITS, FISCAL_DEPOSITS), (FISCAL_DEPOSITS, EXPENDITURE_DEPOSITS)}
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line to post: an account code and a positive debit or a positive credit in fen."""

    account_code: str
    debit_fen: int = 0
    credit_fen: int = 0

    @classmethod
    def debit(cls, account_code: str, amount_fen: int) -> Line:
        return cls(account_code, debit_fen=amount_fen)

    @classmethod
    def credit(cls, account_code: str, amount_fen: int) -> Line:
        return cls(account_code, credit_fen=amount_fen)

    def reversed(self) -> Line:
        return Line(self.account_code, debit_fen=self.credit_fen, credit_fen=self.debit_fen)


LineInput = Line | tuple[str, int, int]


def as_line(value: LineInput) -> Line:
    if isinstance(value, Line):
        return value
    account_code, debit_fen, credit_fen = value
    return Line(account_code, debit_fen=debit_fen, credit_fen=credit_fen)


@dataclass(frozen=True, slots=True)
class EntrySpec:
    """An entry to post in one fund's book (see ``entries_post_many``)."""

    region_code: str
    entry_date: date
    description: str
    lines: tuple[Line, ...]
    source_type: str
    source_ref: str = ""


def _nonzero(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.debit_fen or line.credit_fen]


def opening_balance(balances: Mapping[str, int]) -> list[Line]:
    """Opening balances (期初余额): debit each asset, credit the fund balance 3004 with the total."""
    lines = [Line.debit(code, amount) for code, amount in sorted(balances.items()) if amount]
    return [*lines, Line.credit(FUND_BALANCE, sum(balances.values()))]


def premium_income(*, employer_fen: int, personal_fen: int) -> list[Line]:
    """Premiums collected into the income account: debit 1002, credit 400101 / 400102."""
    return _nonzero(
        [
            Line.debit(INCOME_DEPOSITS, employer_fen + personal_fen),
            Line.credit(PREMIUM_EMPLOYER, employer_fen),
            Line.credit(PREMIUM_PERSONAL, personal_fen),
        ]
    )


def benefit_payment(*, subject_code: str, amount_fen: int) -> list[Line]:
    """A run's payments of one subject, paid from the expenditure account: debit 5001xx, credit 1003.

    Medical premiums paid for recipients (SIL art. 48) use the same rule with subject 500102.
    """
    return [Line.debit(subject_code, amount_fen), Line.credit(EXPENDITURE_DEPOSITS, amount_fen)]


def bank_return(*, amount_fen: int) -> list[Line]:
    """Returned payments (退票) come back to the expenditure account and wait as temporary receipts."""
    return [
        Line.debit(EXPENDITURE_DEPOSITS, amount_fen),
        Line.credit(TEMPORARY_RECEIPTS, amount_fen),
    ]


def bank_return_repaid(*, amount_fen: int) -> list[Line]:
    """A returned payment paid again to corrected bank details: debit 2001, credit 1003."""
    return [
        Line.debit(TEMPORARY_RECEIPTS, amount_fen),
        Line.credit(EXPENDITURE_DEPOSITS, amount_fen),
    ]


def bank_return_cancelled(*, subject_code: str, amount_fen: int) -> list[Line]:
    """A returned payment that will not be paid again reduces its expenditure: debit 2001, credit 5001xx."""
    return [Line.debit(TEMPORARY_RECEIPTS, amount_fen), Line.credit(subject_code, amount_fen)]


def transfer_out(*, amount_fen: int) -> list[Line]:
    """The old fund pays the transferred amount (转移支出): debit 5002, credit 1003."""
    return [Line.debit(TRANSFER_OUT, amount_fen), Line.credit(EXPENDITURE_DEPOSITS, amount_fen)]


def transfer_in(*, amount_fen: int) -> list[Line]:
    """The new fund receives it into its income account (转移收入): debit 1002, credit 4005."""
    return [Line.debit(INCOME_DEPOSITS, amount_fen), Line.credit(TRANSFER_IN, amount_fen)]


def deposits_move(*, from_code: str, to_code: str, amount_fen: int) -> list[Line]:
    """Money moved between the fund's own accounts (1002 → 1004, 1004 → 1003): debit to, credit from."""
    return [Line.debit(to_code, amount_fen), Line.credit(from_code, amount_fen)]


# --- whole entries, for services and for set-based callers (one entries_post_many call) -----


@dataclass(frozen=True)
class PremiumTotal:
    """One region's premiums for one month, employer and personal shares, in fen."""

    region_code: str
    month: date
    employer_fen: int
    personal_fen: int


def premium_income_entry(total: PremiumTotal) -> EntrySpec:
    """A month's premiums of one fund, dated the month's last day, booked once per month."""
    return EntrySpec(
        region_code=total.region_code,
        entry_date=month_end(total.month),
        description=f"{total.month:%Y-%m} 失业保险费收入",
        lines=tuple(
            premium_income(employer_fen=total.employer_fen, personal_fen=total.personal_fen)
        ),
        source_type=SOURCE_PREMIUM,
        source_ref=f"{total.month:%Y-%m}",
    )


def payment_run_entries(
    *, region_code: str, entry_date: date, run_ref: str, amounts: Mapping[str, int]
) -> list[EntrySpec]:
    """One entry per benefit subject of a run (zero amounts skipped), source ``<run>/<subject>``."""
    return [
        EntrySpec(
            region_code=region_code,
            entry_date=entry_date,
            description=f"支付批次 {run_ref} {subject}",
            lines=tuple(benefit_payment(subject_code=subject, amount_fen=amount)),
            source_type=SOURCE_PAYMENT_RUN,
            source_ref=f"{run_ref}/{subject}",
        )
        for subject, amount in sorted(amounts.items())
        if amount
    ]


def deposits_move_entry(
    *,
    region_code: str,
    entry_date: date,
    from_code: str,
    to_code: str,
    amount_fen: int,
    source_ref: str,
) -> EntrySpec:
    """Money moved between the fund's own accounts, booked once per reference and direction."""
    return EntrySpec(
        region_code=region_code,
        entry_date=entry_date,
        description=f"资金划转 {from_code}→{to_code} {source_ref}",
        lines=tuple(deposits_move(from_code=from_code, to_code=to_code, amount_fen=amount_fen)),
        source_type=SOURCE_DEPOSITS_MOVE,
        source_ref=f"{source_ref}/{from_code}-{to_code}",
    )
