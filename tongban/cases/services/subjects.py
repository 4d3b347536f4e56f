"""Tasks about other contexts' subjects (finding reviews, family invitations) and item 7,
the UI-relationship transfer recorded by the system."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tongban.cases.facts import person_view
from tongban.cases.models import (
    Application,
    Task,
)
from tongban.cases.services.accepting import Acceptance, _automatic, _create
from tongban.catalogue.selectors import catalogue_current
from tongban.core import clock
from tongban.core.actors import Actor
from tongban.core.transactions import entrypoint, require_transaction
from tongban.regions.selectors import (
    agency_for_region,
)
from tongban.registry.selectors import person_by_pk


@dataclass(frozen=True)
class SubjectTask:
    """A task to open in an office's queue about a subject another context owns."""

    stage: str
    office_id: int
    person_id: int
    reference: str
    due_date: date


SUBJECT_STAGES = (Task.Stage.FINDING_REVIEW, Task.Stage.FAMILY_INVITATION)


def subject_tasks_open(*, tasks: list[SubjectTask]) -> list[Task]:
    """Open tasks about other contexts' subjects, set-based, in the caller's transaction.

    Returns the tasks in the order given (with ids), for the subjects to link to them.
    """
    require_transaction("subject_tasks_open")
    for spec in tasks:
        if spec.stage not in SUBJECT_STAGES:
            raise ValueError(f"{spec.stage} is not a stage about another context's subject")
    now = clock.now()
    return Task.objects.bulk_create(
        [
            Task(
                stage=spec.stage,
                office_id=spec.office_id,
                person_id=spec.person_id,
                reference=spec.reference,
                created_at=now,
                due_date=spec.due_date,
            )
            for spec in tasks
        ],
        batch_size=2000,
    )


def subject_tasks_close(*, task_ids: list[int]) -> int:
    """Close open subject tasks (decided, or their subject was settled otherwise)."""
    require_transaction("subject_tasks_close")
    return Task.objects.filter(pk__in=task_ids, is_open=True, application__isnull=True).update(
        is_open=False, closed_at=clock.now()
    )


@entrypoint
def ui_transfer_record(
    *, person_id: int, to_region_id: int, data: dict[str, Any], as_of: date
) -> Application:
    """Item 7 done without an application (免申即办): the UI relationship moved to
    ``to_region_id``. An application accepted by that region's agency, completed at once by the
    system as an explicit, audited actor; the person sees it in the portal like any other."""
    item = catalogue_current().item("ui_transfer")
    person = person_by_pk(pk=person_id)
    office = agency_for_region(region_id=to_region_id)
    system = Actor(kind="system", label="automatic transfer (免申即办)", office_code=office.code)
    view = person_view(person)
    application = _create(
        acceptance=Acceptance(system, "automatic", office.code),
        item=item,
        view=view,
        office=office,
        data=data,
        as_of=as_of,
        bundle=None,
        registering=False,
    )
    _automatic(application, item, as_of, view)
    return application
