"""Who is acting: a caseworker, an API client, a claimant, an employer, or the system.

Services take an :class:`Actor` so that every audit row and every stage of a
case records who did it and for which office, whatever door the request came in by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["staff", "client", "person", "system", "operator"]


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    label: str
    user_id: int | None = None
    client_id: int | None = None
    office_code: str | None = None
    person_id_number: str | None = None

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind="system", label=label)

    @classmethod
    def operator(cls, label: str = "operator") -> Actor:
        """Someone at the operator command line (``tongban …``)."""
        return cls(kind="operator", label=label)
