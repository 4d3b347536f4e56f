"""The registry's import kinds: employers, persons, spells, contributions, separations.

Each kind validates every row (collecting all errors of the row), resolves
references in bulk (one query per few thousand keys), rejects rows that point
at unknown people, employers, regions or reasons, and loads the rest through
the shared bulk paths in :mod:`tongban.registry.bulk`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any

from tongban.core.actors import Actor
from tongban.core.hooks import publish
from tongban.core.identifiers import InvalidIdentifier, parse_citizen_id, parse_uscc
from tongban.core.imports import ChunkOutcome, Row, RowError, parse_day, register_kind
from tongban.core.outbox import outbox_emit_many
from tongban.regions.selectors import region_ids_by_code
from tongban.registry import bulk
from tongban.registry.hooks import (
    CONTRIBUTIONS_RECORDED,
    RESIDENCES_CHANGED,
    SPELLS_STARTED,
    ContributionsRecorded,
    ResidenceChange,
    ResidencesChanged,
    SpellsStarted,
    StartedSpell,
)
from tongban.registry.models import Contribution, InsuranceSpell, Person
from tongban.registry.selectors import (
    employer_ids_for,
    person_ids_for,
    separation_reason_ids_by_code,
)
from tongban.registry.services import SPELL_ENDED

_PHONE = re.compile(r"\+?[0-9][0-9-]{4,19}")
_BANK = re.compile(r"[0-9]{10,30}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_INT = re.compile(r"[0-9]{1,15}")


class RowParser:
    """Field parsers that remember what they have seen: a file repeats the same IDs a lot."""

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.regions = region_ids_by_code()
        self.reasons = separation_reason_ids_by_code()
        self._ids: dict[str, str | InvalidIdentifier] = {}
        self._usccs: dict[str, str | InvalidIdentifier] = {}
        self._months: dict[str, date | None] = {}

    def id_number(self, line: int, row: dict[str, str], errors: list[RowError]) -> str | None:
        raw = row.get("id_number", "")
        cached = self._ids.get(raw)
        if cached is None:
            try:
                cached = parse_citizen_id(raw, as_of=self.as_of).number
            except InvalidIdentifier as error:
                cached = error
            self._ids[raw] = cached
        if isinstance(cached, InvalidIdentifier):
            errors.append(RowError(line, "id_number", cached.code, cached.message))
            return None
        return cached

    def uscc(self, line: int, row: dict[str, str], errors: list[RowError]) -> str | None:
        raw = row.get("uscc", "")
        cached = self._usccs.get(raw)
        if cached is None:
            try:
                cached = parse_uscc(raw)
            except InvalidIdentifier as error:
                cached = error
            self._usccs[raw] = cached
        if isinstance(cached, InvalidIdentifier):
            errors.append(RowError(line, "uscc", cached.code, cached.message))
            return None
        return cached

    def region(
        self, line: int, row: dict[str, str], name: str, errors: list[RowError]
    ) -> int | None:
        raw = row.get(name, "")
        region_id = self.regions.get(raw)
        if region_id is None:
            code = "required" if not raw else "unknown_region"
            errors.append(
                RowError(
                    line,
                    name,
                    code,
                    f"Unknown region code {raw!r}." if raw else "A region code is required.",
                )
            )
        return region_id

    def reason(
        self, line: int, row: dict[str, str], errors: list[RowError], *, required: bool
    ) -> int | None:
        raw = row.get("reason_code", "")
        if not raw:
            if required:
                errors.append(
                    RowError(
                        line, "reason_code", "required", "A separation reason code is required."
                    )
                )
            return None
        reason_id = self.reasons.get(raw)
        if reason_id is None:
            errors.append(
                RowError(
                    line,
                    "reason_code",
                    "unknown_reason",
                    f"Unknown separation reason {raw!r}; see GET /separation-reasons.",
                )
            )
        return reason_id

    def day(
        self,
        line: int,
        row: dict[str, str],
        name: str,
        errors: list[RowError],
        *,
        required: bool = True,
    ) -> date | None:
        return parse_day(line, row.get(name, ""), name, self.as_of, errors, required=required)

    def month(self, line: int, row: dict[str, str], errors: list[RowError]) -> date | None:
        raw = row.get("month", "")
        if raw not in self._months:
            value: date | None = None
            match = _MONTH.fullmatch(raw)
            if match and 1 <= int(match.group(2)) <= 12:
                value = date(int(match.group(1)), int(match.group(2)), 1)
            self._months[raw] = value
        month = self._months[raw]
        if month is None:
            errors.append(
                RowError(line, "month", "month", f"{raw!r} is not a month of the form YYYY-MM.")
            )
        elif month > self.as_of:
            errors.append(RowError(line, "month", "future_month", f"{raw} is in the future."))
            return None
        return month

    @staticmethod
    def fen(line: int, row: dict[str, str], name: str, errors: list[RowError]) -> int | None:
        raw = row.get(name, "")
        if not _INT.fullmatch(raw):
            errors.append(
                RowError(
                    line, name, "amount", f"{raw!r} is not a whole, non-negative number of fen."
                )
            )
            return None
        return int(raw)

    @staticmethod
    def text(
        line: int, row: dict[str, str], name: str, errors: list[RowError], *, max_length: int
    ) -> str | None:
        raw = row.get(name, "")
        if not raw:
            errors.append(RowError(line, name, "required", f"{name} is required."))
            return None
        if len(raw) > max_length:
            errors.append(
                RowError(line, name, "too_long", f"{name} is longer than {max_length} characters.")
            )
            return None
        return raw


def _unknown(line: int, name: str, what: str) -> RowError:
    return RowError(
        line,
        name,
        f"unknown_{what}",
        f"No {what} with this {name.replace('_', ' ')} is known; load the {what}s file first.",
    )


class EmployersKind:
    name = "employers"
    required: tuple[str, ...] = ("uscc", "name", "region_code")
    optional: tuple[str, ...] = ()

    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome:
        parser = RowParser(as_of)
        out = ChunkOutcome()
        valid: dict[str, bulk.EmployerRow] = {}
        for line, row in rows:
            errors: list[RowError] = []
            uscc = parser.uscc(line, row, errors)
            name = parser.text(line, row, "name", errors, max_length=128)
            region = parser.region(line, row, "region_code", errors)
            if errors or uscc is None or name is None or region is None:
                out.rejected.extend(errors)
                continue
            valid[uscc] = (uscc, name, region)  # a later row for the same code wins
            out.accepted += 1
        out.changed = bulk.employers_load(valid.values())
        return out


class PersonsKind:
    name = "persons"
    required: tuple[str, ...] = ("id_number", "name", "residence_region_code")
    optional: tuple[str, ...] = ("phone", "bank_account")

    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome:
        parser = RowParser(as_of)
        out = ChunkOutcome()
        valid: dict[str, bulk.PersonRow] = {}
        for line, row in rows:
            errors: list[RowError] = []
            number = parser.id_number(line, row, errors)
            name = parser.text(line, row, "name", errors, max_length=64)
            region = parser.region(line, row, "residence_region_code", errors)
            phone = row.get("phone", "")
            if phone and not _PHONE.fullmatch(phone):
                errors.append(
                    RowError(
                        line,
                        "phone",
                        "phone",
                        "A phone number has digits only (and an optional leading +).",
                    )
                )
            account = row.get("bank_account", "").replace(" ", "")
            if account and not _BANK.fullmatch(account):
                errors.append(
                    RowError(
                        line,
                        "bank_account",
                        "bank_account",
                        "A bank account number has 10 to 30 digits.",
                    )
                )
            if errors or number is None or name is None or region is None:
                out.rejected.extend(errors)
                continue
            parsed = parse_citizen_id(number)
            valid[number] = (number, name, parsed.birth_date, parsed.sex, region, phone, account)
            out.accepted += 1
        residences = _residences(valid)
        out.changed = bulk.persons_load(valid.values())
        moved = tuple(
            ResidenceChange(person_id, before, valid[number][4])
            for number, (person_id, before) in residences.items()
            if before != valid[number][4]
        )
        if moved:
            publish(RESIDENCES_CHANGED, ResidencesChanged(changes=moved, on=as_of, source="import"))
        return out


def _residences(valid: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """ID number → (person id, residence region id) of the people of a chunk already known."""
    numbers = sorted(valid)
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(numbers), 5000):
        for number, person_id, region_id in Person.objects.filter(
            id_number__in=numbers[start : start + 5000]
        ).values_list("id_number", "id", "residence_region_id"):
            found[number] = (person_id, region_id)
    return found


class SpellsKind:
    name = "spells"
    required: tuple[str, ...] = ("id_number", "uscc", "region_code", "start_date")
    optional: tuple[str, ...] = ("end_date", "reason_code")

    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome:
        parser = RowParser(as_of)
        out = ChunkOutcome()
        parsed: list[tuple[int, str, str, int, date, date | None, int | None]] = []
        for line, row in rows:
            errors: list[RowError] = []
            number = parser.id_number(line, row, errors)
            uscc = parser.uscc(line, row, errors)
            region = parser.region(line, row, "region_code", errors)
            start = parser.day(line, row, "start_date", errors)
            end = parser.day(line, row, "end_date", errors, required=False)
            reason = parser.reason(line, row, errors, required=bool(row.get("end_date")))
            if start and end and end <= start:
                errors.append(
                    RowError(
                        line,
                        "end_date",
                        "before_start",
                        "end_date must be after start_date (the spell is [start, end)).",
                    )
                )
            if reason and not row.get("end_date"):
                errors.append(
                    RowError(
                        line,
                        "reason_code",
                        "reason_without_end",
                        "A separation reason needs an end_date.",
                    )
                )
            if errors or number is None or uscc is None or region is None or start is None:
                out.rejected.extend(errors)
                continue
            parsed.append((line, number, uscc, region, start, end, reason))
        persons = person_ids_for(p[1] for p in parsed)
        employers = employer_ids_for(p[2] for p in parsed)
        open_starts = _open_spell_starts(persons.values())
        valid: dict[tuple[int, int, date], bulk.SpellRow] = {}
        for line, number, uscc, region, start, end, reason in parsed:
            person_id, employer_id = persons.get(number), employers.get(uscc)
            if person_id is None or employer_id is None:
                if person_id is None:
                    out.rejected.append(_unknown(line, "id_number", "person"))
                if employer_id is None:
                    out.rejected.append(_unknown(line, "uscc", "employer"))
                continue
            key = (person_id, employer_id)
            if end is None:
                current = open_starts.get(key)
                if current is not None and current != start:
                    out.rejected.append(
                        RowError(
                            line,
                            "start_date",
                            "already_open",
                            f"The person already has an open spell with this employer from {current}; close it first.",
                        )
                    )
                    continue
                open_starts[key] = start
            elif open_starts.get(key) == start:
                del open_starts[key]
            valid[(person_id, employer_id, start)] = (
                person_id,
                employer_id,
                region,
                start,
                end,
                reason,
            )
            out.accepted += 1
        known = {
            (person_id, employer_id, s_start)
            for (person_id, employer_id), rows in _spells_by_key({key[0] for key in valid}).items()
            for _, s_start, _, _ in rows
        }
        out.changed = bulk.spells_load(valid.values())
        fresh = [key for key in valid if key not in known]
        if fresh:
            publish(
                SPELLS_STARTED,
                SpellsStarted(spells=_started(fresh), source="import", as_of=as_of),
            )
        return out


def _started(keys: list[tuple[int, int, date]]) -> tuple[StartedSpell, ...]:
    """The spells just inserted for these (person, employer, start) keys, for the hook."""
    wanted = set(keys)
    people = sorted({k[0] for k in keys})
    started: list[StartedSpell] = []
    for start in range(0, len(people), 5000):
        for spell in (
            InsuranceSpell.objects.filter(person_id__in=people[start : start + 5000])
            .select_related("employer", "region")
            .order_by("id")
        ):
            if (spell.person_id, spell.employer_id, spell.start_date) in wanted:
                started.append(
                    StartedSpell(
                        spell_id=spell.pk,
                        person_id=spell.person_id,
                        region_code=spell.region.code,
                        employer_uscc=spell.employer.uscc,
                        employer_name=spell.employer.name,
                        start_date=spell.start_date,
                        end_date=spell.end_date,
                    )
                )
    return tuple(started)


def _open_spell_starts(person_ids: Any) -> dict[tuple[int, int], date]:
    ids = sorted(set(person_ids))
    found: dict[tuple[int, int], date] = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for person_id, employer_id, start_date in InsuranceSpell.objects.filter(
            person_id__in=chunk, end_date__isnull=True
        ).values_list("person_id", "employer_id", "start_date"):
            found[(person_id, employer_id)] = start_date
    return found


class ContributionsKind:
    name = "contributions"
    required: tuple[str, ...] = (
        "id_number",
        "uscc",
        "region_code",
        "month",
        "base_fen",
        "amount_fen",
    )
    optional: tuple[str, ...] = ()

    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome:
        parser = RowParser(as_of)
        out = ChunkOutcome()
        parsed: list[tuple[int, str, str, int, date, int, int]] = []
        for line, row in rows:
            errors: list[RowError] = []
            number = parser.id_number(line, row, errors)
            uscc = parser.uscc(line, row, errors)
            region = parser.region(line, row, "region_code", errors)
            month = parser.month(line, row, errors)
            base = parser.fen(line, row, "base_fen", errors)
            amount = parser.fen(line, row, "amount_fen", errors)
            if base is not None and amount is not None and amount > base:
                errors.append(
                    RowError(
                        line,
                        "amount_fen",
                        "above_base",
                        "The contribution is larger than its base.",
                    )
                )
            if errors or None in (number, uscc, region, month, base, amount):
                out.rejected.extend(errors)
                continue
            parsed.append((line, number, uscc, region, month, base, amount))  # type: ignore[arg-type]
        persons = person_ids_for(p[1] for p in parsed)
        employers = employer_ids_for(p[2] for p in parsed)
        valid: list[tuple[int, bulk.ContributionRow]] = []
        for line, number, uscc, region, month, base, amount in parsed:
            person_id, employer_id = persons.get(number), employers.get(uscc)
            if person_id is None:
                out.rejected.append(_unknown(line, "id_number", "person"))
            if employer_id is None:
                out.rejected.append(_unknown(line, "uscc", "employer"))
            if person_id is None or employer_id is None:
                continue
            valid.append((line, (person_id, employer_id, region, month, base, amount)))
        inserted = bulk.contributions_load(row for _, row in valid)
        if inserted:
            # One publication per chunk: the few people who receive benefit are checked.
            publish(
                CONTRIBUTIONS_RECORDED,
                ContributionsRecorded(
                    person_ids=frozenset(row[0] for _, row in valid), source="import", as_of=as_of
                ),
            )
        out.changed = inserted
        out.accepted = len(valid)
        if inserted < len(valid):
            conflicts = _conflicting_contributions(valid)
            out.rejected.extend(conflicts)
            out.accepted -= len(conflicts)
        return out


def _conflicting_contributions(valid: list[tuple[int, bulk.ContributionRow]]) -> list[RowError]:
    """Rows that were not inserted because the month is recorded with other amounts."""
    by_person: dict[int, list[tuple[int, bulk.ContributionRow]]] = defaultdict(list)
    for line, row in valid:
        by_person[row[0]].append((line, row))
    stored: dict[tuple[int, int, date], tuple[int, int]] = {}
    ids = sorted(by_person)
    for start in range(0, len(ids), 2000):
        for person_id, employer_id, month, base, amount in Contribution.objects.filter(
            person_id__in=ids[start : start + 2000]
        ).values_list("person_id", "employer_id", "month", "base_fen", "amount_fen"):
            stored[(person_id, employer_id, month)] = (base, amount)
    errors = []
    seen: dict[tuple[int, int, date], tuple[int, int]] = {}
    for line, (person_id, employer_id, _, month, base, amount) in valid:
        key = (person_id, employer_id, month)
        first = seen.setdefault(key, (base, amount))
        if stored.get(key, first) != (base, amount) or first != (base, amount):
            recorded = stored.get(key, first)
            errors.append(
                RowError(
                    line,
                    "amount_fen",
                    "conflict",
                    f"{month:%Y-%m} is already recorded for this person and employer with base {recorded[0]} and amount {recorded[1]}; corrections go through the contribution office.",
                )
            )
    return errors


class SeparationsKind:
    name = "separations"
    required: tuple[str, ...] = ("id_number", "uscc", "date", "reason_code")
    optional: tuple[str, ...] = ()

    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome:
        parser = RowParser(as_of)
        out = ChunkOutcome()
        parsed: list[tuple[int, str, str, date, int]] = []
        for line, row in rows:
            errors: list[RowError] = []
            number = parser.id_number(line, row, errors)
            uscc = parser.uscc(line, row, errors)
            end = parser.day(line, row, "date", errors)
            reason = parser.reason(line, row, errors, required=True)
            if errors or None in (number, uscc, end, reason):
                out.rejected.extend(errors)
                continue
            parsed.append((line, number, uscc, end, reason))  # type: ignore[arg-type]
        persons = person_ids_for(p[1] for p in parsed)
        employers = employer_ids_for(p[2] for p in parsed)
        spells = _spells_by_key(persons.values())
        to_close: dict[tuple[int, int], tuple[int, bulk.SeparationRow]] = {}
        for line, number, uscc, end, reason in parsed:
            person_id, employer_id = persons.get(number), employers.get(uscc)
            if person_id is None or employer_id is None:
                if person_id is None:
                    out.rejected.append(_unknown(line, "id_number", "person"))
                if employer_id is None:
                    out.rejected.append(_unknown(line, "uscc", "employer"))
                continue
            candidates = spells.get((person_id, employer_id), [])
            if any(s_end == end and s_reason == reason for _, _, s_end, s_reason in candidates):
                out.accepted += 1  # already recorded: loading the file again changes nothing
                continue
            open_spell = next((s for s in candidates if s[2] is None), None)
            if open_spell is None:
                out.rejected.append(
                    RowError(
                        line,
                        "uscc",
                        "not_insured",
                        "The person has no open insurance spell with this employer.",
                    )
                )
                continue
            if end <= open_spell[1]:
                out.rejected.append(
                    RowError(
                        line,
                        "date",
                        "before_start",
                        f"The separation date must be after the start of insurance ({open_spell[1]}).",
                    )
                )
                continue
            to_close[(person_id, employer_id)] = (line, (person_id, employer_id, end, reason))
            out.accepted += 1
        closed = bulk.separations_apply([row for _, row in to_close.values()])
        out.changed = len(closed)
        if closed:
            outbox_emit_many(
                SPELL_ENDED, ({"spell_id": spell_id, "source": "import"} for spell_id in closed)
            )
        return out


def _spells_by_key(
    person_ids: Any,
) -> dict[tuple[int, int], list[tuple[int, date, date | None, int | None]]]:
    ids = sorted(set(person_ids))
    found: dict[tuple[int, int], list[tuple[int, date, date | None, int | None]]] = defaultdict(
        list
    )
    for start in range(0, len(ids), 5000):
        for spell_id, person_id, employer_id, s, e, r in InsuranceSpell.objects.filter(
            person_id__in=ids[start : start + 5000]
        ).values_list("id", "person_id", "employer_id", "start_date", "end_date", "reason_id"):
            found[(person_id, employer_id)].append((spell_id, s, e, r))
    return found


def register() -> None:
    for kind in (EmployersKind, PersonsKind, SpellsKind, ContributionsKind, SeparationsKind):
        register_kind(kind.name, kind)
