"""Loading a synthetic province through the registry's bulk paths (the same ones as ``tongban import``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tongban.core.transactions import unit_of_work
from tongban.demo.synthetic import Province
from tongban.regions.selectors import region_ids_by_code
from tongban.registry import bulk
from tongban.registry.selectors import (
    employer_ids_for,
    person_ids_for,
    separation_reason_ids_by_code,
)


@dataclass
class LoadStats:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def rate(self, kind: str) -> float:
        return self.rows[kind] / self.seconds[kind] if self.seconds.get(kind) else float("nan")


def load_province(province: Province, *, say: Callable[[str], None] = lambda _: None) -> LoadStats:
    """Load employers, persons, spells and contributions; each kind in one transaction."""
    stats = LoadStats()
    regions = region_ids_by_code()
    reasons = separation_reason_ids_by_code()

    def step(kind: str, load: Callable[[], int]) -> None:
        started = time.perf_counter()
        with unit_of_work():
            stats.rows[kind] = load()
        stats.seconds[kind] = time.perf_counter() - started
        say(f"  {kind}: {stats.rows[kind]:,} rows in {stats.seconds[kind]:.1f} s")

    step(
        "employers",
        lambda: bulk.employers_load(
            (e.uscc, e.name, regions[e.region_code]) for e in province.employers
        ),
    )
    step(
        "persons",
        lambda: bulk.persons_load(
            (
                p.id_number,
                p.name,
                p.birth_date,
                p.sex,
                regions[p.residence_code],
                p.phone,
                p.bank_account,
            )
            for p in province.persons
        ),
    )
    person_ids = person_ids_for(p.id_number for p in province.persons)
    employer_ids = employer_ids_for(e.uscc for e in province.employers)
    persons = [person_ids[p.id_number] for p in province.persons]
    employers = [employer_ids[e.uscc] for e in province.employers]
    step(
        "spells",
        lambda: bulk.spells_load(
            (
                persons[s.person],
                employers[s.employer],
                regions[s.region_code],
                s.start,
                s.end,
                reasons[s.reason_code] if s.reason_code else None,
            )
            for s in province.spells
        ),
    )
    step(
        "contributions",
        lambda: bulk.contributions_load(
            (persons[p], employers[e], regions[r], month, base, amount)
            for p, e, r, month, base, amount in province.contribution_rows()
        ),
    )
    return stats
