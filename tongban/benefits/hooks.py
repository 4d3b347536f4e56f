"""What benefits publishes through ``core.hooks`` inside the transaction of a change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ENTITLEMENT_ENDED = "benefits.entitlement_ended"


@dataclass(frozen=True, slots=True)
class EntitlementEnded:
    """A running entitlement was stopped (a decision, or the person's own report)."""

    entitlement_id: int
    person_id: int
    kind: str
    on: date


ENTITLEMENT_RESUMED = "benefits.entitlement_resumed"


@dataclass(frozen=True, slots=True)
class EntitlementResumed:
    """A suspension was lifted: the entitlement is active again (a reviewer's decision)."""

    entitlement_id: int
    person_id: int
    on: date
