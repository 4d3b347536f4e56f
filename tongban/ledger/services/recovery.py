"""Booking overpayments and their recovery (Handling Regulation art. 46).

- established: months paid after a stop are money the person owes the fund — a
  receivable in 暂付款: debit 1101, credit the benefit subject (the expenditure was not due);
- offset: a later payment is paid net; the part kept back clears the receivable —
  debit the benefit subject, credit 1101 (the payment run books the net part);
- repaid: the person pays back into the income account: debit 1002, credit 1101.
"""

from __future__ import annotations

from datetime import date

from tongban.core.actors import Actor
from tongban.core.errors import InvalidInput
from tongban.core.transactions import entrypoint
from tongban.ledger import postings
from tongban.ledger.models import JournalEntry
from tongban.ledger.postings import Line
from tongban.ledger.services.events import _single

SOURCE_OVERPAYMENT = "overpayment"
SOURCE_OFFSET = "overpayment_offset"
SOURCE_REPAID = "overpayment_repaid"


def _subject(subject_code: str) -> None:
    if subject_code not in postings.BENEFIT_SUBJECTS:
        raise InvalidInput.of(
            "subject_code", "not_benefit_subject", f"{subject_code!r} is not a benefit subject."
        )


def _receivable(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    subject_code: str,
    amount_fen: int,
    source_ref: str,
    established: bool,
) -> JournalEntry:
    """暂付款 1101 against the benefit subject: established (debit 1101) or cleared (credit 1101)."""
    _subject(subject_code)
    receivable = (Line.debit if established else Line.credit)(
        postings.TEMPORARY_PAYMENTS, amount_fen
    )
    subject = (Line.credit if established else Line.debit)(subject_code, amount_fen)
    return _single(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        description=f"{'多发待遇挂账' if established else '多发待遇抵扣'} {source_ref}",
        lines=[receivable, subject] if established else [subject, receivable],
        source_type=SOURCE_OVERPAYMENT if established else SOURCE_OFFSET,
        source_ref=source_ref,
    )


@entrypoint
def overpayment_post(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    subject_code: str,
    amount_fen: int,
    source_ref: str,
) -> JournalEntry:
    """An overpayment is established: debit 1101 暂付款, credit the benefit subject."""
    return _receivable(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        subject_code=subject_code,
        amount_fen=amount_fen,
        source_ref=source_ref,
        established=True,
    )


@entrypoint
def overpayment_offset_post(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    subject_code: str,
    amount_fen: int,
    source_ref: str,
) -> JournalEntry:
    """Kept back from later benefit: debit the benefit subject, credit 1101 暂付款."""
    return _receivable(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        subject_code=subject_code,
        amount_fen=amount_fen,
        source_ref=source_ref,
        established=False,
    )


@entrypoint
def overpayment_repaid_post(
    *, actor: Actor, region_code: str, entry_date: date, amount_fen: int, source_ref: str
) -> JournalEntry:
    """Repaid by the person into the income account: debit 1002, credit 1101 暂付款."""
    return _single(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        description=f"多发待遇退回 {source_ref}",
        lines=[
            Line.debit(postings.INCOME_DEPOSITS, amount_fen),
            Line.credit(postings.TEMPORARY_PAYMENTS, amount_fen),
        ],
        source_type=SOURCE_REPAID,
        source_ref=source_ref,
    )
