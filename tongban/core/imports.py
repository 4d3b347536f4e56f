"""Loading registry and comparison files (``tongban import KIND FILE.csv``).

Each bounded context registers the kinds it owns (in its ``AppConfig.ready``).
This module reads the file, checks the header, feeds rows to the kind in chunks
inside ONE transaction (a file is applied completely or not at all), and
returns a summary with every rejected row: its line number, field, code and
reason. A rejected row never blocks the valid rows of the same file; loading
the same file twice changes nothing the second time (kinds load idempotently).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.errors import InvalidInput
from tongban.core.transactions import unit_of_work

CHUNK_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the line number in the file; the header is line 1
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message} [{self.code}]"


@dataclass(slots=True)
class ChunkOutcome:
    """What a kind did with one chunk of rows."""

    accepted: int = 0  # valid rows (new, changed or already loaded)
    changed: int = 0  # rows that inserted or changed something
    ignored: int = 0  # valid rows about people we do not know (comparison files)
    rejected: list[RowError] = field(default_factory=list)


@dataclass(slots=True)
class FileOutcome:
    """What a kind that loads a whole file at once did (``load_file``): rows read, and the rest."""

    rows: int
    outcome: ChunkOutcome


@dataclass(slots=True)
class ImportSummary:
    kind: str
    file_sha256: str
    rows: int = 0
    accepted: int = 0
    changed: int = 0
    ignored: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.accepted - self.changed - self.ignored

    def lines(self) -> list[str]:
        head = (
            f"{self.kind}: {self.rows} rows read, {self.accepted} accepted "
            f"({self.changed} new or changed, {self.unchanged} already loaded"
            + (f", {self.ignored} about people unknown here" if self.ignored else "")
            + f"), {len(self.rejected)} rejected"
        )
        return [head, *(str(e) for e in self.rejected)]


Row = tuple[int, dict[str, str]]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(
    line: int, raw: str, name: str, as_of: date, errors: list[RowError], *, required: bool = True
) -> date | None:
    """A ``YYYY-MM-DD`` field not after ``as_of``; a refusal is added to ``errors``."""
    if not raw:
        if required:
            errors.append(RowError(line, name, "required", "A date (YYYY-MM-DD) is required."))
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError
        value = date.fromisoformat(raw)
    except ValueError:
        errors.append(
            RowError(line, name, "date", f"{raw!r} is not a date of the form YYYY-MM-DD.")
        )
        return None
    if value > as_of:
        errors.append(RowError(line, name, "future_date", f"{raw} is in the future."))
        return None
    return value


class ImportKind(Protocol):
    """A kind of file. It may also have ``load_file(*, body, header, actor, as_of)``, returning a
    :class:`FileOutcome` for the whole file, or None to be fed chunks instead (a set-based path
    for one database, say); and a ``source_file`` attribute, set to (file name, SHA-256)."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    def load_chunk(self, rows: list[Row], *, actor: Actor, as_of: date) -> ChunkOutcome: ...


_kinds: dict[str, Callable[[], ImportKind]] = {}


def register_kind(name: str, factory: Callable[[], ImportKind]) -> None:
    _kinds[name] = factory


def import_kinds() -> list[str]:
    return sorted(_kinds)


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[Row]:
    width = len(header)
    for values in reader:
        line = reader.line_num  # type: ignore[attr-defined]
        if not any(v.strip() for v in values):
            continue
        if len(values) != width:
            yield line, {"__width__": str(len(values))}
            continue
        yield line, {h: v.strip() for h, v in zip(header, values, strict=True)}


def import_file(*, kind: str, path: Path, actor: Actor, as_of: date) -> ImportSummary:
    """Validate and load one CSV file of ``kind`` in one transaction."""
    factory = _kinds.get(kind)
    if factory is None:
        raise InvalidInput.of(
            "kind", "unknown_kind", f"Unknown kind {kind!r}; one of: {', '.join(import_kinds())}."
        )
    handler = factory()
    raw = path.read_bytes()
    summary = ImportSummary(kind=kind, file_sha256=hashlib.sha256(raw).hexdigest())
    load_file = getattr(handler, "load_file", None)
    # A kind that loads whole files decodes only the header here: the database checks the
    # encoding of the rest, and the chunked path (its fallback) decodes everything.
    end_of_header = raw.find(b"\n")
    head = raw if load_file is None or end_of_header < 0 else raw[: end_of_header + 1]
    text = _decode(head)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in handler.required if c not in header]
    unknown = [c for c in header if c not in handler.required + handler.optional]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing columns: {', '.join(missing)}")
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        raise InvalidInput.of(
            "header",
            "bad_header",
            f"The header of a {kind} file must be {', '.join(handler.required)}"
            + (f" (optional: {', '.join(handler.optional)})" if handler.optional else "")
            + f"; {'; '.join(problems)}.",
        )
    if hasattr(handler, "source_file"):
        setattr(handler, "source_file", (path.name, summary.file_sha256))  # noqa: B010
    with unit_of_work():
        whole = None
        if load_file is not None:
            body = raw[end_of_header + 1 :] if end_of_header >= 0 else b""
            whole = load_file(body=body, header=header, actor=actor, as_of=as_of)
        if whole is not None:
            summary.rows = whole.rows
            _apply(summary, whole.outcome)
        elif head is not raw:
            reader = csv.reader(io.StringIO(_decode(raw), newline=""))
            next(reader, None)
        chunk: list[Row] = []
        for line, row in _rows(reader, header) if whole is None else ():
            summary.rows += 1
            if "__width__" in row:
                summary.rejected.append(
                    RowError(
                        line,
                        "row",
                        "columns",
                        f"{row['__width__']} values for {len(header)} columns",
                    )
                )
                continue
            chunk.append((line, row))
            if len(chunk) >= CHUNK_ROWS:
                _apply(summary, handler.load_chunk(chunk, actor=actor, as_of=as_of))
                chunk = []
        if chunk:
            _apply(summary, handler.load_chunk(chunk, actor=actor, as_of=as_of))
        audit_record(
            actor=actor,
            event_type="file_imported",
            subject_type="import",
            subject_id=kind,
            data={
                "sha256": summary.file_sha256,
                "file": path.name,
                "rows": summary.rows,
                "accepted": summary.accepted,
                "changed": summary.changed,
                "ignored": summary.ignored,
                "rejected": len(summary.rejected),
            },
        )
    summary.rejected.sort(key=lambda e: e.row)
    return summary


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput.of(
            "file", "encoding", f"The file is not UTF-8 (byte {error.start}); save it as UTF-8."
        ) from None


def _apply(summary: ImportSummary, outcome: ChunkOutcome) -> None:
    summary.accepted += outcome.accepted
    summary.changed += outcome.changed
    summary.ignored += outcome.ignored
    summary.rejected.extend(outcome.rejected)
