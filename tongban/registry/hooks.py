"""What the registry publishes through ``core.hooks`` inside the transaction of a change.

Subscribers (integrity, transfers) act in the same transaction: a hire for a person who
receives benefit suspends it with the hire, or neither happens. Payloads are set-based:
one publication per import chunk, never one per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SPELLS_STARTED = "registry.spells_started"
CONTRIBUTIONS_RECORDED = "registry.contributions_recorded"
RESIDENCES_CHANGED = "registry.residences_changed"


@dataclass(frozen=True, slots=True)
class StartedSpell:
    spell_id: int
    person_id: int
    region_code: str
    employer_uscc: str
    employer_name: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True, slots=True)
class SpellsStarted:
    """New insurance spells (参保): from an employer's hire, a spells file, or a registry change."""

    spells: tuple[StartedSpell, ...]
    source: str  # "employer_api", "import", …
    as_of: date


@dataclass(frozen=True, slots=True)
class ContributionsRecorded:
    """A contributions file chunk added months for these people (ids only; the rows are in the
    table). Subscribers look only at the few who receive benefit."""

    person_ids: frozenset[int]
    source: str
    as_of: date


@dataclass(frozen=True, slots=True)
class ResidenceChange:
    person_id: int
    from_region_id: int
    to_region_id: int


@dataclass(frozen=True, slots=True)
class ResidencesChanged:
    """People whose residence region changed (a persons file, or a recorded move)."""

    changes: tuple[ResidenceChange, ...]
    on: date
    source: str
