"""National comparison files (全国数据比对): deaths, pensions, imprisonments, hires, other benefits.

``tongban import KIND FILE.csv`` with KIND one of ``deaths``, ``pension_starts``,
``imprisonments``, ``new_hires``, ``other_province_benefits`` (shared/api/CONTRACT.md).
Each record is matched on the ID number against the people with a running benefit and
the people with an open application for an item that pays money; a relevant match becomes
a finding through ``services.findings_raise`` (suspend, review task, notice). Loading a
file again adds nothing (each finding's evidence key is unique); records about people
unknown here are counted (``ignored``); malformed rows are reported with their line.

What is checked on a row: the columns' shapes (an ID number is 17 digits and a digit or X;
dates are real ISO dates, not in the future; province codes are GB/T 2260 provinces). The
ID's check digit is *not* computed for records about unknown people: a number that is
nobody's here is counted as unknown whatever its check digit (ADR 0301) — a matched number
equals one we hold, which was validated when it was registered.

Two paths give the same result:

- **generic** (any database, any file): rows are parsed and validated in Python, chunk by
  chunk, and looked up in bulk;
- **PostgreSQL, file level** (``load_file``): the lines that have the regular shape are
  streamed by ``COPY`` into an unlogged staging table (found by one C-speed regular
  expression over the bytes); one scan joins it with the persons and the watched people and
  returns only the matches and the rows SQL flags; those few, and every irregular line, go
  through the same Python validation and matching as the generic path. A file whose
  irregular lines look like quoted CSV, or that ``COPY`` refuses, falls back to the generic
  path. This is what makes 10 million records against a million benefits cost about a
  plain SQL semi-join (docs/benchmarks.md).
"""

from __future__ import annotations

import csv
import multiprocessing
import re
import secrets
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DataError, connection, transaction
from psycopg import DataError as PgDataError
from psycopg.copy import QueuedLibpqWriter

from tongban.benefits.selectors import running_entitlements_for
from tongban.cases.selectors import open_paying_applications_for
from tongban.core.actors import Actor
from tongban.core.errors import InvalidInput
from tongban.core.identifiers import PROVINCE_CODES
from tongban.core.imports import ChunkOutcome, FileOutcome, Row, RowError, parse_day
from tongban.core.months import month_of
from tongban.integrity.models import Finding
from tongban.integrity.services import Candidate, findings_raise
from tongban.registry.selectors import person_ids_for, person_table

COMPARISON = Actor.system("national comparison (全国数据比对)")
HAINAN = "46"
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_ID = re.compile(r"[0-9]{17}[0-9Xx]")
_LEGACY = re.compile(r"[0-9]{15}")
_FULLWIDTH = re.compile(r"[\uff10-\uff19\uff38\uff58]")
_PROVINCE = re.compile(r"([0-9]{2})(0000)?")
FALLBACK_IRREGULAR = 20_000  # more irregular lines than this: the generic path is as quick


@dataclass(frozen=True)
class Record:
    """One valid row of a comparison file."""

    line: int
    id_number: str
    event_date: date  # the death, pension, imprisonment or job start; the first benefit month
    end_month: date | None = None  # other_province_benefits: the last month (inclusive)
    fields: dict[str, str] = field(default_factory=dict)


# ---- validating one row -------------------------------------------------------------------


def _id_number(line: int, raw: str, errors: list[RowError]) -> str | None:
    if not raw:
        errors.append(RowError(line, "id_number", "required", "An ID number is required."))
        return None
    if _FULLWIDTH.search(raw):
        errors.append(
            RowError(
                line, "id_number", "fullwidth", "The ID number contains full-width characters."
            )
        )
        return None
    if _LEGACY.fullmatch(raw):
        errors.append(
            RowError(line, "id_number", "legacy_15_digit", "15-digit ID numbers are not accepted.")
        )
        return None
    if not _ID.fullmatch(raw):
        errors.append(
            RowError(
                line, "id_number", "format", "An ID number has 17 digits followed by a digit or X."
            )
        )
        return None
    return raw.upper()


def _month(line: int, raw: str, name: str, errors: list[RowError]) -> date | None:
    match = _MONTH.fullmatch(raw)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        errors.append(RowError(line, name, "month", f"{raw!r} is not a month of the form YYYY-MM."))
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def _province(line: int, raw: str, errors: list[RowError]) -> str | None:
    match = _PROVINCE.fullmatch(raw)
    if not match or match.group(1) not in PROVINCE_CODES:
        errors.append(
            RowError(
                line,
                "province_code",
                "province_code",
                f"{raw!r} is not a province code (GB/T 2260: 2 digits, or 6 ending in 0000).",
            )
        )
        return None
    return match.group(1)


# ---- the kinds ---------------------------------------------------------------------------


class ComparisonKind:
    """A national comparison file: parse, match, raise findings (generic and fast paths)."""

    name = ""
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    source = ""
    date_column = "date"
    family = ""  # the evidence key's family: the same event from two sources counts once
    permanent = False  # a death or a pension applies even from before the benefit began

    def __init__(self) -> None:
        self.source_file: tuple[str, str] = ("", "")  # (file name, sha256), set by the importer

    # -- one row
    def parse(
        self, line: int, row: dict[str, str], as_of: date
    ) -> tuple[Record | None, list[RowError]]:
        errors: list[RowError] = []
        number = _id_number(line, row.get("id_number", ""), errors)
        when = parse_day(line, row.get(self.date_column, ""), self.date_column, as_of, errors)
        if errors or number is None or when is None:
            return None, errors
        return Record(line, number, when), errors

    # -- relevance
    def entitlement_event(self, record: Record, entitlement: Any) -> date | None:
        """The date a finding about this running benefit starts from, or None (not relevant)."""
        start, end = entitlement.start_month, entitlement.end_month
        if record.event_date >= end:
            return None
        if record.event_date < start and not self.permanent:
            return None
        on: date = max(record.event_date, start)
        return on

    def application_event(self, record: Record, application: Any) -> date | None:
        if self.permanent or record.event_date >= month_of(application.submitted_on):
            return record.event_date
        return None

    def evidence(self, record: Record) -> dict[str, Any]:
        name, sha = self.source_file
        return {
            "check": "national_comparison",
            "kind": self.name,
            "file": name,
            "sha256": sha,
            "line": record.line,
            "record": {self.date_column: record.event_date.isoformat(), **record.fields},
        }

    # -- matching records against the watched people
    def candidates(self, records: list[Record], person_of: dict[str, int]) -> list[Candidate]:
        wanted = {person_of[r.id_number] for r in records if r.id_number in person_of}
        running: dict[int, list[Any]] = defaultdict(list)
        for entitlement in running_entitlements_for(person_ids=wanted):
            running[entitlement.person_id].append(entitlement)
        applications: dict[int, list[Any]] = defaultdict(list)
        for application in open_paying_applications_for(person_ids=sorted(wanted)):
            applications[application.person_id].append(application)
        found: list[Candidate] = []
        for record in records:
            person_id = person_of.get(record.id_number)
            if person_id is None:
                continue
            for entitlement in running.get(person_id, ()):
                on = self.entitlement_event(record, entitlement)
                if on is not None:
                    found.append(self._candidate(record, person_id, on, entitlement=entitlement))
            for application in applications.get(person_id, ()):
                if (
                    self.source == Finding.Source.DEATH
                    and application.item_code == "funeral_survivor"
                ):
                    continue  # a family's claim after the death is what should happen
                on = self.application_event(record, application)
                if on is not None:
                    found.append(self._candidate(record, person_id, on, application=application))
        return found

    def _candidate(
        self,
        record: Record,
        person_id: int,
        on: date,
        *,
        entitlement: Any | None = None,
        application: Any | None = None,
    ) -> Candidate:
        subject = (
            f"e{entitlement.pk}" if entitlement is not None else f"a{application.pk}"  # type: ignore[union-attr]
        )
        return Candidate(
            person_id=person_id,
            source=self.source,
            event_date=on,
            dedup_key=f"{self.family or self.source}:{subject}:{record.event_date.isoformat()}",
            evidence=self.evidence(record),
            entitlement=entitlement,
            application=application,
        )

    # -- the generic path: one chunk of parsed CSV rows
    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome:
        out = ChunkOutcome()
        records: list[Record] = []
        for line, row in rows:
            record, errors = self.parse(line, row, as_of)
            if record is None:
                out.rejected.extend(errors)
                continue
            records.append(record)
        out.accepted = len(records)
        person_of = person_ids_for(r.id_number for r in records)
        out.ignored = sum(1 for r in records if r.id_number not in person_of)
        out.changed = _lines_changed(
            findings_raise(
                actor=COMPARISON, candidates=self.candidates(records, person_of), found_on=as_of
            )
        )
        return out

    # -- the PostgreSQL path: the whole file at once
    def sql_columns(self) -> dict[str, str]:
        """Staging column → SQL type. Dates stay text: a regular line's date is a real ISO date
        (the shape says so), which compares correctly as text and costs no parsing."""
        return {"id_number": "text", self.date_column: "text"}

    def sql_flags(self) -> str:
        """Rows SQL sends to Python's validation: SQL can see they might be refused."""
        return f"s.{self.date_column} > %(as_of)s"

    def load_file(
        self, *, body: bytes, header: list[str], actor: Actor, as_of: date
    ) -> FileOutcome | None:
        if connection.vendor != "postgresql":
            return None
        return _FastPath(self, header, as_of).run(body, actor)


class DeathsKind(ComparisonKind):
    name = "deaths"
    required = ("id_number", "date")
    source = Finding.Source.DEATH
    permanent = True


class PensionStartsKind(ComparisonKind):
    name = "pension_starts"
    required = ("id_number", "date")
    source = Finding.Source.PENSION_START
    permanent = True


class ImprisonmentsKind(ComparisonKind):
    name = "imprisonments"
    required = ("id_number", "start_date")
    source = Finding.Source.IMPRISONMENT
    date_column = "start_date"


class NewHiresKind(ComparisonKind):
    name = "new_hires"
    required = ("id_number", "employer_name", "province_code", "start_date")
    source = Finding.Source.NEW_HIRE
    date_column = "start_date"
    family = "work"  # the same job reported by an employer here (hire) counts once

    def parse(
        self, line: int, row: dict[str, str], as_of: date
    ) -> tuple[Record | None, list[RowError]]:
        record, errors = super().parse(line, row, as_of)
        name = row.get("employer_name", "")
        if not name:
            errors.append(RowError(line, "employer_name", "required", "employer_name is required."))
        elif len(name) > 128:
            errors.append(
                RowError(
                    line,
                    "employer_name",
                    "too_long",
                    "employer_name is longer than 128 characters.",
                )
            )
        province = _province(line, row.get("province_code", ""), errors)
        if errors or record is None or province is None:
            return None, errors
        return (
            Record(
                line,
                record.id_number,
                record.event_date,
                fields={"employer_name": name, "province_code": row["province_code"]},
            ),
            errors,
        )

    def sql_columns(self) -> dict[str, str]:
        return {
            "id_number": "text",
            "employer_name": "text",
            "province_code": "text",
            "start_date": "text",
        }

    def sql_flags(self) -> str:
        return (
            f"s.start_date > %(as_of)s OR length(s.employer_name) > 128 "
            f"OR left(s.province_code, 2) NOT IN ({_province_list()})"
        )


class OtherProvinceBenefitsKind(ComparisonKind):
    name = "other_province_benefits"
    required = ("id_number", "province_code", "start_month")
    optional = ("end_month",)
    source = Finding.Source.OTHER_PROVINCE_BENEFIT
    date_column = "start_month"

    def parse(
        self, line: int, row: dict[str, str], as_of: date
    ) -> tuple[Record | None, list[RowError]]:
        errors: list[RowError] = []
        number = _id_number(line, row.get("id_number", ""), errors)
        province = _province(line, row.get("province_code", ""), errors)
        if province == HAINAN:
            errors.append(
                RowError(
                    line,
                    "province_code",
                    "own_province",
                    "46 is Hainan: benefit paid here is not another province's.",
                )
            )
        start = _month(line, row.get("start_month", ""), "start_month", errors)
        if start is not None and start > as_of:
            errors.append(
                RowError(line, "start_month", "future_month", "start_month is in the future.")
            )
        end = None
        if row.get("end_month"):
            end = _month(line, row["end_month"], "end_month", errors)
            if start is not None and end is not None and end < start:
                errors.append(
                    RowError(line, "end_month", "before_start", "end_month is before start_month.")
                )
        if errors or number is None or start is None:
            return None, errors
        fields = {"province_code": row["province_code"]}
        if end is not None:
            fields["end_month"] = f"{end:%Y-%m}"
        return Record(line, number, start, end, fields), errors

    def entitlement_event(self, record: Record, entitlement: Any) -> date | None:
        last = record.end_month
        if record.event_date >= entitlement.end_month:
            return None
        if last is not None and last < entitlement.start_month:
            return None
        on: date = max(record.event_date, entitlement.start_month)
        return on

    def application_event(self, record: Record, application: Any) -> date | None:
        if record.end_month is None or record.end_month >= month_of(application.submitted_on):
            return record.event_date
        return None

    def evidence(self, record: Record) -> dict[str, Any]:
        evidence = super().evidence(record)
        evidence["record"] = {"start_month": f"{record.event_date:%Y-%m}", **record.fields}
        return evidence

    def sql_columns(self) -> dict[str, str]:
        return {
            "id_number": "text",
            "province_code": "text",
            "start_month": "text",
            "end_month": "text",
        }

    def sql_flags(self) -> str:
        return (
            "s.start_month > %(as_of_month)s OR s.start_month < '1900-01' "
            "OR right(s.start_month, 2) NOT BETWEEN '01' AND '12' "
            "OR right(s.end_month, 2) NOT BETWEEN '01' AND '12' OR s.end_month < s.start_month "
            f"OR left(s.province_code, 2) NOT IN ({_province_list()}) "
            f"OR left(s.province_code, 2) = '{HAINAN}'"
        )


def _lines_changed(findings: list[Finding]) -> int:
    """Rows that produced a new finding (a row may find a benefit and an application)."""
    return len({f.evidence.get("line") for f in findings})


def _province_list() -> str:
    return ", ".join(f"'{p}'" for p in sorted(PROVINCE_CODES))


KINDS: tuple[type[ComparisonKind], ...] = (
    DeathsKind,
    PensionStartsKind,
    ImprisonmentsKind,
    NewHiresKind,
    OtherProvinceBenefitsKind,
)


# ---- the PostgreSQL file-level path ----------------------------------------------------------

# Only real dates: 29 February is left to Python (a leap year is beyond a regular expression).
_REAL_DATE = (
    rb"[1-9][0-9]{3}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    rb"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
)
_SHAPES = {
    "id_number": rb"[0-9]{17}[0-9X]",
    "date": _REAL_DATE,
    "start_date": _REAL_DATE,
    "start_month": rb"[0-9]{4}-[0-9]{2}",
    "end_month": rb"(?:[0-9]{4}-[0-9]{2})?",
    "province_code": rb"[0-9]{2}(?:0000)?",
    # plain text without separators, quotes or surrounding spaces (anything else goes to Python)
    "employer_name": rb"[^,\"\s](?:[^,\"\r\n]*[^,\"\s])?",
}
BLOCK = 8 << 20

# The file being scanned, for the scanning process (inherited by fork: never pickled).
_SCANNED: tuple[bytes, re.Pattern[bytes]] | None = None

Span = tuple[int, int, int]  # (line number within the block, start, end) of an irregular line


def _scan_block(start: int, end: int) -> tuple[int, list[Span]]:
    """The irregular lines of ``body[start:end]`` (whole lines) and the block's newline count."""
    assert _SCANNED is not None
    body, irregular = _SCANNED
    spans: list[Span] = []
    line, counted_to = 0, start
    for match in irregular.finditer(body, start, end):
        if match.start() == match.end() == end:
            break  # the empty "line" after the block's last newline
        line += body.count(b"\n", counted_to, match.start())
        counted_to = match.start()
        spans.append((line, match.start(), match.end()))
    return line + body.count(b"\n", counted_to, end), spans


def _blocks(body: bytes) -> list[tuple[int, int]]:
    blocks, start = [], 0
    while start < len(body):
        end = body.find(b"\n", min(len(body), start + BLOCK))
        end = len(body) if end < 0 else end + 1
        blocks.append((start, end))
        start = end
    return blocks


@contextmanager
def _scanner(body: bytes, irregular: re.Pattern[bytes]) -> Iterator[Any]:
    """Scan blocks in a forked process, so that scanning (this process's regular expression)
    and parsing (the PostgreSQL backend's COPY) run on two cores at once; in this process
    where fork is not available."""
    global _SCANNED
    _SCANNED = (body, irregular)
    try:
        if "fork" not in multiprocessing.get_all_start_methods():
            yield None
            return
        with ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("fork")
        ) as pool:
            yield pool
    finally:
        _SCANNED = None


class _FastPath:
    def __init__(self, kind: ComparisonKind, header: list[str], as_of: date) -> None:
        self.kind = kind
        self.header = header
        self.as_of = as_of
        regular = rb",".join(_SHAPES[column] for column in header)
        # A line that does NOT have the regular shape (blank lines included).
        self.irregular = re.compile(rb"^(?!" + regular + rb"\r?$).*$", re.M)
        self.table = f"integrity_stage_{secrets.token_hex(4)}"

    def run(self, body: bytes, actor: Actor) -> FileOutcome | None:
        with transaction.atomic():  # a savepoint: a refused COPY leaves nothing behind
            try:
                streamed, skipped = self._copy(body)
            except (DataError, PgDataError, _Irregular):
                transaction.set_rollback(True)
                return None
        try:
            return self._match(streamed, skipped, actor)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def _copy(self, body: bytes) -> tuple[int, list[tuple[int, bytes]]]:
        """Stream the regular lines into the staging table; return the irregular ones."""
        columns = self.kind.sql_columns()
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE UNLOGGED TABLE {self.table} "
                "(n bigint GENERATED ALWAYS AS IDENTITY (CACHE 100000), "
                + ", ".join(f"{name} {columns[name]}" for name in self.header)
                + ")"
            )
        skipped: list[tuple[int, bytes]] = []  # (line number, the line's bytes)
        view = memoryview(body)
        line = 2  # the header is line 1
        blocks = _blocks(body)
        statement = f"COPY {self.table} ({', '.join(self.header)}) FROM STDIN WITH (FORMAT csv)"
        with _scanner(body, self.irregular) as pool, connection.cursor() as cursor:
            raw = cursor.cursor
            scans = (
                pool.map(_scan_block, *zip(*blocks, strict=True))
                if pool is not None and blocks
                else (_scan_block(start, end) for start, end in blocks)
            )
            # A writer thread feeds the server while this one waits for the next block's scan.
            with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                for (start, end), (newlines, spans) in zip(blocks, scans, strict=True):
                    position = start
                    for offset, span_start, span_end in spans:
                        text = body[span_start:span_end]
                        skipped.append((line + offset, text))
                        if text.count(b'"') % 2:
                            raise _Irregular  # an open quote: a value spans lines
                        if len(skipped) > FALLBACK_IRREGULAR:
                            raise _Irregular
                        if position < span_start:
                            copy.write(view[position:span_start])
                        position = min(end, span_end + 1)
                    if position < end:
                        copy.write(view[position:end])
                    line += newlines
            streamed = int(raw.rowcount)
        return streamed, skipped

    def _match(self, streamed: int, skipped: list[tuple[int, bytes]], actor: Actor) -> FileOutcome:
        """One scan (a parallel hash join): the rows about people known here, and the rows SQL
        flags; Python validates those few exactly and matches them against running benefits
        and open claims. Everything else is a valid row about somebody unknown here."""
        kind = self.kind
        columns = list(kind.sql_columns())
        flags = f"COALESCE(({kind.sql_flags()}), false)"
        params = {"as_of": self.as_of.isoformat(), "as_of_month": f"{self.as_of:%Y-%m}"}
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # Matches are rare (known people are a sliver of a national file), but the planner
            # cannot know it and shuns a parallel join for fear of moving millions of rows.
            cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
            cursor.execute(
                "SELECT s.n, p.id, "
                + ", ".join(f"s.{c}" for c in columns if c in self.header)
                + f" FROM {self.table} s LEFT JOIN {person_table()} p "
                f"ON p.id_number = s.id_number WHERE p.id IS NOT NULL OR {flags}",
                params,
            )
            hits = cursor.fetchall()
            cursor.execute("SET LOCAL parallel_tuple_cost TO DEFAULT")
            cursor.execute("SET LOCAL work_mem TO DEFAULT")
        known_rows = sum(1 for hit in hits if hit[1] is not None)
        flagged_unknown = len(hits) - known_rows
        unknown = streamed - known_rows - flagged_unknown
        present = [c for c in columns if c in self.header]
        skipped_lines = [number for number, _ in skipped]
        rows: list[Row] = []
        person_of: dict[str, int] = {}
        for values in hits:
            n, person_id, *cells = values
            row = {
                name: "" if cell is None else str(cell)
                for name, cell in zip(present, cells, strict=True)
            }
            rows.append((_line_of(int(n), skipped_lines), row))
            if person_id is not None:
                person_of[row["id_number"]] = int(person_id)
        irregular = 0
        for number, text in skipped:
            try:
                decoded = text.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError:
                raise InvalidInput.of(
                    "file", "encoding", f"The file is not UTF-8 (line {number}); save it as UTF-8."
                ) from None
            if not decoded.strip():
                continue  # a blank line is not a row (as in the generic path)
            irregular += 1
            values = next(csv.reader([decoded]))
            if len(values) != len(self.header):
                rows.append((number, {"__width__": str(len(values))}))
            else:
                rows.append(
                    (number, {h: v.strip() for h, v in zip(self.header, values, strict=True)})
                )
        out = ChunkOutcome()
        records: list[Record] = []
        for number, row in sorted(rows, key=lambda r: r[0]):
            if "__width__" in row:
                out.rejected.append(
                    RowError(
                        number,
                        "row",
                        "columns",
                        f"{row['__width__']} values for {len(self.header)} columns",
                    )
                )
                continue
            record, errors = kind.parse(number, row, self.as_of)
            if record is None:
                out.rejected.extend(errors)
            else:
                records.append(record)
        unresolved = [r.id_number for r in records if r.id_number not in person_of]
        person_of.update(person_ids_for(unresolved))
        # SQL counted the regular rows it did not send here; these are the rest.
        out.ignored = int(unknown) + sum(1 for r in records if r.id_number not in person_of)
        rows_total = streamed + irregular
        out.accepted = rows_total - len({e.row for e in out.rejected})
        out.changed = _lines_changed(
            findings_raise(
                actor=COMPARISON,
                candidates=kind.candidates(records, person_of),
                found_on=self.as_of,
            )
        )
        return FileOutcome(rows=rows_total, outcome=out)


class _Irregular(Exception):
    """The file is not regular enough for the fast path."""


def _line_of(n: int, skipped: list[int]) -> int:
    """The file line of the ``n``-th streamed row, given the sorted lines that were not streamed."""
    line = n + 1
    count = 0
    while True:
        before = bisect_right(skipped, line)
        if before == count:
            return line
        line += before - count
        count = before


def register() -> None:
    from tongban.core.imports import register_kind

    for kind in KINDS:
        register_kind(kind.name, kind)


__all__ = ["KINDS", "ComparisonKind", "Record", "register"]
