"""Writing for supervision: the audit of every view, and the rebuild of the live summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tongban.benefits.payrun import first_paid_rebuild
from tongban.cases.tallies import tallies_rebuild
from tongban.core.actors import Actor
from tongban.core.audit import audit_record
from tongban.core.transactions import entrypoint

VIEWED = "supervision_viewed"
REFUSED = "supervision_refused"


@entrypoint
def supervision_view_record(
    *, actor: Actor, page: str, query: dict[str, Any], refused: str | None = None
) -> None:
    """Record that a supervisor looked at (or was refused) a page or the statistics API."""
    audit_record(
        actor=actor,
        event_type=REFUSED if refused else VIEWED,
        subject_type="supervision",
        subject_id=page,
        data={"query": query, **({"refused": refused} if refused else {})},
    )


@dataclass(frozen=True)
class Rebuilt:
    rows: dict[str, int]
    entitlements: int


@entrypoint
def summaries_rebuild(*, actor: Actor) -> Rebuilt:
    """Recompute every summary supervision reads from the base tables (one transaction)."""
    result = tallies_rebuild()
    entitlements = first_paid_rebuild()
    audit_record(
        actor=actor,
        event_type="supervision_summaries_rebuilt",
        subject_type="supervision",
        subject_id="summaries",
        data={**result.rows, "entitlements": entitlements},
    )
    return Rebuilt(result.rows, entitlements)
