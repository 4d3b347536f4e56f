"""Posting balanced entries: one, many (idempotent on their source), reversals, transfers."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError

from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import Conflict, ErrorCollector, InvalidInput, NotFound
from tongban.core.outbox import outbox_emit
from tongban.core.transactions import entrypoint, require_transaction
from tongban.ledger import postings
from tongban.ledger.models import Account, Book, JournalEntry, JournalLine
from tongban.ledger.postings import EntrySpec, Line, LineInput, as_line

TOPIC_POSTED = "ledger.entries_posted"
MAX_DESCRIPTION = 200
MAX_SOURCE_TYPE = 32
MAX_SOURCE_REF = 100


# --- posting ------------------------------------------------------------------------------


def _books_by_region(codes: Iterable[str]) -> dict[str, Book]:
    wanted = set(codes)
    books = {
        b.fund.region.code: b
        for b in Book.objects.select_related("fund__region").filter(fund__region__code__in=wanted)
    }
    unknown = sorted(wanted - set(books))
    if unknown:
        raise NotFound(
            f"No fund's book for region code {', '.join(unknown)}.", code="unknown_region"
        )
    return books


def _accounts() -> dict[str, Account]:
    return {a.code: a for a in Account.objects.all()}


def _check(
    spec: EntrySpec, accounts: Mapping[str, Account], errors: ErrorCollector, at: str
) -> None:
    """Collect what is wrong with one entry: text fields, accounts, amounts, balance."""
    if not spec.description.strip() or len(spec.description) > MAX_DESCRIPTION:
        errors.add(
            f"{at}description", "description", "A description of 1–200 characters is required."
        )
    if not spec.source_type or len(spec.source_type) > MAX_SOURCE_TYPE:
        errors.add(
            f"{at}source_type", "source_type", "A source type of 1–32 characters is required."
        )
    if len(spec.source_ref) > MAX_SOURCE_REF:
        errors.add(
            f"{at}source_ref", "source_ref", "The source reference is longer than 100 characters."
        )
    if not isinstance(spec.entry_date, date) or isinstance(spec.entry_date, datetime):
        errors.add(f"{at}entry_date", "entry_date", "The entry date must be a date.")
    if len(spec.lines) < 2:
        errors.add(f"{at}lines", "too_few_lines", "An entry needs at least two lines.")
    debits = credits = 0
    for i, line in enumerate(spec.lines):
        where = f"{at}lines[{i}]"
        account = accounts.get(line.account_code)
        if account is None:
            errors.add(where, "unknown_account", f"Unknown account {line.account_code!r}.")
        elif not account.is_postable:
            errors.add(
                where,
                "not_postable",
                f"Account {line.account_code} has sub-accounts; post to one of them.",
            )
        amounts = (line.debit_fen, line.credit_fen)
        if (
            any(type(v) is not int for v in amounts)
            or min(amounts) < 0
            or ((line.debit_fen > 0) == (line.credit_fen > 0))
        ):
            errors.add(
                where,
                "amount",
                "A line debits or credits a positive whole number of fen, never both.",
            )
            continue
        debits += line.debit_fen
        credits += line.credit_fen
    if debits != credits:
        errors.add(
            f"{at}lines",
            "unbalanced",
            f"Debits ({debits} fen) and credits ({credits} fen) must be equal.",
        )


def _insert(
    *,
    actor: Actor,
    rows: Sequence[tuple[EntrySpec, Book, dict[str, Any]]],
    accounts: Mapping[str, Account],
) -> list[JournalEntry]:
    """Insert checked entries and their lines: one statement per table (per batch)."""
    require_transaction("ledger posting")
    now = clock.now()
    entries = [
        JournalEntry(
            book=book,
            entry_date=spec.entry_date,
            description=spec.description,
            source_type=spec.source_type,
            source_ref=spec.source_ref,
            created_at=now,
            actor_kind=actor.kind,
            actor_label=actor.label[:150],
            actor_user_id=actor.user_id,
            **links,
        )
        for spec, book, links in rows
    ]
    try:
        JournalEntry.objects.bulk_create(entries, batch_size=2000)
    except IntegrityError as error:
        raise Conflict(
            "This cause was already booked, or the entry was already reversed.",
            code="already_posted",
        ) from error
    JournalLine.objects.bulk_create(
        (
            JournalLine(
                entry=entry,
                book_id=entry.book_id,
                entry_date=entry.entry_date,
                account=accounts[line.account_code],
                debit_fen=line.debit_fen,
                credit_fen=line.credit_fen,
            )
            for entry, (spec, _, _) in zip(entries, rows, strict=True)
            for line in spec.lines
        ),
        batch_size=5000,
    )
    return entries


def _record(*, actor: Actor, entries: Sequence[JournalEntry], event: str) -> None:
    if not entries:
        return
    first = entries[0]
    audit_record(
        actor=actor,
        event_type=event,
        subject_type="journal_entry",
        subject_id=first.pk if len(entries) == 1 else f"{first.pk}..{entries[-1].pk}",
        data={
            "entries": len(entries),
            "books": sorted({e.book.code for e in entries}),
            "source_types": sorted({e.source_type for e in entries}),
        },
    )
    outbox_emit(
        TOPIC_POSTED,
        {
            "entry_ids": [e.pk for e in entries],
            "books": sorted({e.book.code for e in entries}),
            "source_types": sorted({e.source_type for e in entries}),
        },
    )


def _post(
    *,
    actor: Actor,
    specs: Sequence[EntrySpec],
    links: Sequence[dict[str, Any]] | None = None,
    event: str,
) -> list[JournalEntry]:
    """Check every entry, refuse all if any is wrong, then insert them set-based."""
    accounts = _accounts()
    books = _books_by_region(s.region_code for s in specs)
    errors = ErrorCollector()
    for i, spec in enumerate(specs):
        _check(spec, accounts, errors, f"entries[{i}]." if len(specs) > 1 else "")
    errors.raise_if_any(
        "The entry cannot be posted." if len(specs) == 1 else "Entries cannot be posted."
    )
    rows = [
        (spec, books[spec.region_code], (links[i] if links else {})) for i, spec in enumerate(specs)
    ]
    entries = _insert(actor=actor, rows=rows, accounts=accounts)
    _record(actor=actor, entries=entries, event=event)
    return entries


def _spec(
    *,
    region_code: str,
    entry_date: date,
    description: str,
    lines: Iterable[LineInput],
    source_type: str,
    source_ref: str,
) -> EntrySpec:
    return EntrySpec(
        region_code=region_code,
        entry_date=entry_date,
        description=description,
        lines=tuple(as_line(line) for line in lines),
        source_type=source_type,
        source_ref=source_ref,
    )


@entrypoint
def entry_post(
    *,
    actor: Actor,
    region_code: str,
    entry_date: date,
    description: str,
    lines: Sequence[LineInput],
    source_type: str = postings.SOURCE_MANUAL,
    source_ref: str = "",
) -> JournalEntry:
    """Post one balanced entry in the book of the region's fund.

    ``lines`` are ``Line`` values or ``(account_code, debit_fen, credit_fen)`` tuples. A
    non-empty ``source_ref`` may be booked once per book and source type (``Conflict``).
    """
    spec = _spec(
        region_code=region_code,
        entry_date=entry_date,
        description=description,
        lines=lines,
        source_type=source_type,
        source_ref=source_ref,
    )
    return _post(actor=actor, specs=[spec], event="ledger_entry_posted")[0]


def _signature(lines: Iterable[Line]) -> Counter[tuple[str, int, int]]:
    return Counter((line.account_code, line.debit_fen, line.credit_fen) for line in lines)


@entrypoint
def entries_post_many(*, actor: Actor, entries: Sequence[EntrySpec]) -> list[JournalEntry]:
    """Post many entries set-based (a payment run, the premium feed); safe to run again.

    An entry whose (book, source type, source reference) is already booked with the same
    lines is not posted again and the booked one is returned in its place; booked with
    other lines, the whole call is refused (``Conflict``). Returns one entry per spec.
    """
    return _post_once(actor=actor, specs=entries)


def _post_once(*, actor: Actor, specs: Sequence[EntrySpec]) -> list[JournalEntry]:
    """The body of :func:`entries_post_many`, for services that already run in a transaction."""
    require_transaction("ledger posting")
    specs = list(specs)
    if not specs:
        return []
    books = _books_by_region(s.region_code for s in specs)
    keyed = [s for s in specs if s.source_ref]
    existing: dict[tuple[int, str, str], JournalEntry] = {}
    if keyed:
        found = JournalEntry.objects.select_related("book").filter(
            book__in={books[s.region_code].pk for s in keyed},
            source_type__in={s.source_type for s in keyed},
            source_ref__in={s.source_ref for s in keyed},
        )
        existing = {(e.book_id, e.source_type, e.source_ref): e for e in found}
    booked_lines: dict[int, list[Line]] = defaultdict(list)
    if existing:
        for entry_id, code, debit, credit in JournalLine.objects.filter(
            entry_id__in=[e.pk for e in existing.values()]
        ).values_list("entry_id", "account__code", "debit_fen", "credit_fen"):
            booked_lines[entry_id].append(Line(code, debit, credit))
    fresh: list[EntrySpec] = []
    result: list[JournalEntry | int] = []
    seen: set[tuple[int, str, str]] = set()
    for spec in specs:
        key = (books[spec.region_code].pk, spec.source_type, spec.source_ref)
        if spec.source_ref and key in seen:
            raise InvalidInput.of(
                "entries", "duplicate_source", f"Source {spec.source_ref!r} appears twice."
            )
        seen.add(key)
        booked = existing.get(key) if spec.source_ref else None
        if booked is None:
            result.append(len(fresh))
            fresh.append(spec)
        elif _signature(booked_lines[booked.pk]) != _signature(spec.lines):
            raise Conflict(
                f"Source {spec.source_ref!r} is already booked with other amounts "
                f"(entry #{booked.pk}); reverse it first.",
                code="already_posted_differently",
            )
        else:
            result.append(booked)
    posted = _post(actor=actor, specs=fresh, event="ledger_entries_posted") if fresh else []
    return [posted[r] if isinstance(r, int) else r for r in result]


@entrypoint
def entry_reverse(
    *, actor: Actor, entry_id: int, entry_date: date, description: str = ""
) -> JournalEntry:
    """Reverse an entry with a new entry of swapped lines (红字冲销); returns the reversal.

    An entry is reversed once; a reversal is not reversed (post the entry anew instead).
    Reversing either side of an inter-fund transfer reverses both, as a linked pair.
    """
    original = JournalEntry.objects.select_related("book__fund__region").filter(pk=entry_id).first()
    if original is None:
        raise NotFound(f"No journal entry #{entry_id}.", code="unknown_entry")
    pair = [original]
    counterpart = (
        JournalEntry.objects.select_related("book__fund__region")
        .filter(pk=original.transfer_pair_id)
        .first()
        if original.transfer_pair_id
        else JournalEntry.objects.select_related("book__fund__region")
        .filter(transfer_pair=original)
        .first()
    )
    if counterpart is not None:
        # Transfer-out first: the reversal of the transfer-in links to the out side's reversal.
        pair = [counterpart, original] if original.transfer_pair_id else [original, counterpart]
    for entry in pair:
        if entry.reversal_of_id is not None:
            raise Conflict(
                f"Entry #{entry.pk} is itself a reversal; post the entry anew instead.",
                code="is_reversal",
            )
        if JournalEntry.objects.filter(reversal_of=entry).exists():
            raise Conflict(f"Entry #{entry.pk} is already reversed.", code="already_reversed")
        if entry_date < entry.entry_date:
            raise InvalidInput.of(
                "entry_date",
                "before_original",
                f"A reversal cannot be dated before the entry it reverses ({entry.entry_date}).",
            )
    lines: dict[int, list[Line]] = defaultdict(list)
    for eid, code, debit, credit in (
        JournalLine.objects.filter(entry__in=pair)
        .order_by("id")
        .values_list("entry_id", "account__code", "debit_fen", "credit_fen")
    ):
        lines[eid].append(Line(code, debit, credit).reversed())
    accounts = _accounts()
    reversals: list[JournalEntry] = []
    for entry in pair:
        spec = EntrySpec(
            region_code=entry.book.fund.region.code,
            entry_date=entry_date,
            description=(description or f"冲销凭证 #{entry.pk}：{entry.description}")[
                :MAX_DESCRIPTION
            ],
            lines=tuple(lines[entry.pk]),
            source_type=postings.SOURCE_REVERSAL,
            source_ref=str(entry.pk),
        )
        link: dict[str, Any] = {"reversal_of": entry}
        if reversals:
            link["transfer_pair"] = reversals[0]
        reversals.extend(_insert(actor=actor, rows=[(spec, entry.book, link)], accounts=accounts))
    _record(actor=actor, entries=reversals, event="ledger_entry_reversed")
    return reversals[pair.index(original)]


@dataclass(frozen=True)
class TransferPair:
    """An inter-fund transfer: transfer-out in the old fund's book, transfer-in in the new one's."""

    out_entry: JournalEntry
    in_entry: JournalEntry


@entrypoint
def transfer_post(
    *,
    actor: Actor,
    from_region_code: str,
    to_region_code: str,
    entry_date: date,
    amount_fen: int,
    description: str,
    source_ref: str,
) -> TransferPair:
    """Move money between two funds as a linked pair of entries, both or neither (关系转移).

    The old fund: debit 5002 转移支出 / credit 1003; the new fund: debit 1002 / credit 4005 转移收入.
    """
    if from_region_code == to_region_code:
        raise InvalidInput.of(
            "to_region_code", "same_fund", "A transfer moves money between two different funds."
        )
    if type(amount_fen) is not int or amount_fen <= 0:
        raise InvalidInput.of(
            "amount_fen", "amount", "The amount must be a positive number of fen."
        )
    if not source_ref:
        raise InvalidInput.of("source_ref", "source_ref", "A transfer needs its reference.")
    out_spec, in_spec = (
        _spec(
            region_code=region,
            entry_date=entry_date,
            description=description,
            lines=lines,
            source_type=postings.SOURCE_TRANSFER,
            source_ref=source_ref,
        )
        for region, lines in (
            (from_region_code, postings.transfer_out(amount_fen=amount_fen)),
            (to_region_code, postings.transfer_in(amount_fen=amount_fen)),
        )
    )
    (out_entry,) = _post(actor=actor, specs=[out_spec], event="ledger_transfer_posted")
    (in_entry,) = _post(
        actor=actor,
        specs=[in_spec],
        links=[{"transfer_pair": out_entry}],
        event="ledger_transfer_posted",
    )
    return TransferPair(out_entry=out_entry, in_entry=in_entry)
