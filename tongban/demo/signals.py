"""What happens to a few of the demo's recipients after their claims, loaded through the import
files an operator uses, so that the agencies' finding queues, both regions' transfer lists and
supervision have something real to show:

* a new job in another region of the province (a ``spells`` row: the employer starts insurance
  for them) — a re-employment finding at the paying agency, and the relationship moves;
* a death found by the national comparison (``deaths``);
* a job in another province (``new_hires``).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from tongban.core.actors import Actor
from tongban.core.imports import import_file
from tongban.demo.synthetic import Employer

NEW_JOBS = 3  # recipients hired in another region of the province
OTHER_PROVINCE = ("广东恒信物流有限公司", "440000")  # a job the national comparison reports


def _write(folder: Path, kind: str, header: Sequence[str], rows: list[Sequence[object]]) -> Path:
    path = folder / f"{kind}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def demo_signals(
    *,
    recipients: Sequence[tuple[str, str]],
    employers: Sequence[Employer],
    actor: Actor,
    as_of: date,
    say: Callable[[str], None] = print,
) -> int:
    """Load the signals about the first recipients (ID number, paying region); returns how
    many rows were loaded. Fewer recipients than signals: the first ones get what there is."""
    hired = recipients[:NEW_JOBS]
    died = recipients[NEW_JOBS : NEW_JOBS + 1]
    away = recipients[NEW_JOBS + 1 : NEW_JOBS + 2]
    spells: list[Sequence[object]] = []
    for id_number, paying in hired:
        employer = next((e for e in employers if e.region_code != paying), None)
        if employer is not None:
            start = as_of - timedelta(days=5)
            spells.append((id_number, employer.uscc, employer.region_code, start.isoformat()))
    files: list[tuple[str, tuple[str, ...], list[Sequence[object]]]] = [
        ("spells", ("id_number", "uscc", "region_code", "start_date"), spells),
        ("deaths", ("id_number", "date"),
         [(i, (as_of - timedelta(days=10)).isoformat()) for i, _ in died]),
        ("new_hires", ("id_number", "employer_name", "province_code", "start_date"),
         [(i, *OTHER_PROVINCE, (as_of - timedelta(days=7)).isoformat()) for i, _ in away]),
    ]  # fmt: skip
    loaded = 0
    with tempfile.TemporaryDirectory() as folder:
        for kind, header, rows in files:
            if rows:
                path = _write(Path(folder), kind, header, rows)
                summary = import_file(kind=kind, path=path, actor=actor, as_of=as_of)
                loaded += summary.accepted
                for error in summary.rejected:
                    say(f"  demo {kind} row refused: {error}")
    say(
        f"  signals: {len(spells)} recipients hired in another region, {len(died)} death and "
        f"{len(away)} job in another province reported — findings for the paying agencies"
    )
    return loaded
