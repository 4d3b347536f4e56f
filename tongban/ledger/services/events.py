"""The business events, each posted by its rule from :mod:`tongban.ledger.postings`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from tongban.core.actors import Actor
from tongban.core.errors import InvalidInput
from tongban.core.transactions import entrypoint
from tongban.ledger import postings
from tongban.ledger.models import AccountClass, JournalEntry
from tongban.ledger.postings import Line, PremiumTotal
from tongban.ledger.services.posting import _accounts, _post_once, _spec

# --- the business events (docs/ledger.md, "Posting rules") --------------------------------


@entrypoint
def payment_run_post(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    run_ref: str,
    amounts: Mapping[str, int],
) -> dict[str, JournalEntry]:
    """Book a payment run of one fund: one entry per benefit subject, never one per person.

    ``amounts`` maps a 5001xx subject to the run's total in fen for it (subjects with 0 are
    skipped). Each entry's source is ``payment_run`` / ``<run_ref>/<subject>``, so every
    payment of the run traces to its entry; running it again posts nothing twice.
    """
    unknown = sorted(set(amounts) - postings.BENEFIT_SUBJECTS)
    if unknown:
        raise InvalidInput.of(
            "amounts", "not_benefit_subject", f"Not benefit expenditure subjects: {unknown}."
        )
    specs = postings.payment_run_entries(
        region_code=region_code, entry_date=entry_date, run_ref=run_ref, amounts=amounts
    )
    entries = _post_once(actor=actor, specs=specs)
    return {
        spec.source_ref.rsplit("/", 1)[1]: entry for spec, entry in zip(specs, entries, strict=True)
    }


def _single(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    description: str,
    lines: list[Line],
    source_type: str,
    source_ref: str,
) -> JournalEntry:
    spec = _spec(
        region_code=region_code,
        entry_date=entry_date,
        description=description,
        lines=lines,
        source_type=source_type,
        source_ref=source_ref,
    )
    return _post_once(actor=actor, specs=[spec])[0]


@entrypoint
def bank_return_post(
    *, actor: Actor, region_code: str, entry_date: date, amount_fen: int, source_ref: str
) -> JournalEntry:
    """Book the payments a bank returned (退票) in one return file: debit 1003, credit 2001 暂收款."""
    return _single(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        description=f"银行退票 {source_ref}",
        lines=postings.bank_return(amount_fen=amount_fen),
        source_type=postings.SOURCE_BANK_RETURN,
        source_ref=source_ref,
    )


@entrypoint
def bank_return_repay(
    *, actor: Actor, region_code: str, entry_date: date, amount_fen: int, source_ref: str
) -> JournalEntry:
    """Book returned payments paid again after the bank details were corrected: debit 2001, credit 1003."""
    return _single(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        description=f"退票重发 {source_ref}",
        lines=postings.bank_return_repaid(amount_fen=amount_fen),
        source_type=postings.SOURCE_RETURN_REPAID,
        source_ref=source_ref,
    )


@entrypoint
def bank_return_cancel(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    subject_code: str,
    amount_fen: int,
    source_ref: str,
) -> JournalEntry:
    """Book a returned payment that will not be paid again: debit 2001, credit its 5001xx subject."""
    if subject_code not in postings.BENEFIT_SUBJECTS:
        raise InvalidInput.of(
            "subject_code", "not_benefit_subject", f"{subject_code!r} is not a benefit subject."
        )
    return _single(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        description=f"退票核销 {source_ref}",
        lines=postings.bank_return_cancelled(subject_code=subject_code, amount_fen=amount_fen),
        source_type=postings.SOURCE_RETURN_CANCELLED,
        source_ref=source_ref,
    )


@entrypoint
def deposits_move_post(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    from_code: str,
    to_code: str,
    amount_fen: int,
    source_ref: str,
) -> JournalEntry:
    """Book money moved between the fund's own accounts: 1002 → 1004 (上缴) or 1004 → 1003 (拨付)."""
    if (from_code, to_code) not in postings.DEPOSIT_MOVES:
        raise InvalidInput.of(
            "to_code",
            "not_a_deposit_move",
            "Money moves from the income account to the fiscal special account, "
            "or from there to the expenditure account.",
        )
    spec = postings.deposits_move_entry(
        region_code=region_code,
        entry_date=entry_date,
        from_code=from_code,
        to_code=to_code,
        amount_fen=amount_fen,
        source_ref=source_ref,
    )
    return _post_once(actor=actor, specs=[spec])[0]


@entrypoint
def opening_balance_post(
    *, actor: Actor, region_code: str, entry_date: date, balances: Mapping[str, int]
) -> JournalEntry:
    """Book a fund's opening balances once (期初余额): debit each asset, credit 3004 with the total."""
    accounts = _accounts()
    wrong = sorted(
        code
        for code in balances
        if code not in accounts or accounts[code].account_class != AccountClass.ASSET
    )
    if wrong:
        raise InvalidInput.of(
            "balances", "not_asset", f"Opening balances are asset accounts; not {wrong}."
        )
    return _single(
        actor=actor,
        region_code=region_code,
        entry_date=entry_date,
        description="期初余额",
        lines=postings.opening_balance(balances),
        source_type=postings.SOURCE_OPENING,
        source_ref="opening",
    )


@entrypoint
def premium_income_post(*, actor: Actor, totals: Iterable[PremiumTotal]) -> list[JournalEntry]:
    """Book premium income, one entry per region and month, dated the month's last day.

    Debit 1002 收入户存款, credit 400101 单位缴费 / 400102 个人缴费. A month already booked
    with the same amounts is not booked again.
    """
    specs = [postings.premium_income_entry(t) for t in totals if t.employer_fen or t.personal_fen]
    return _post_once(actor=actor, specs=specs)
