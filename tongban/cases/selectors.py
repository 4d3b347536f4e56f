"""Reading cases: one application (for those allowed to see it), an office's queue, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from tongban.cases.facts import PERSON_LISTS, PersonView, person_lists_sql, person_view_from
from tongban.cases.models import OPEN_STATUSES, Application, Archive, Task, Transition
from tongban.core.errors import Conflict, DomainError, Forbidden, NotFound
from tongban.core.jsonrows import json_functions, json_list
from tongban.core.prepared import Prepared
from tongban.regions.selectors import StaffInfo


@dataclass(frozen=True)
class Viewer:
    """Who asks: a caseworker (with their office), or a channel acting for one person."""

    staff: StaffInfo | None = None
    person_id_number: str | None = None  # a channel or the portal: only this person's cases


def _base() -> QuerySet[Application]:
    return Application.objects.select_related(
        "person",
        "accepting_office__region",
        "reviewing_office__region",
        "insured_region",
        "bundle",
    )


def visible_to(viewer: Viewer) -> QuerySet[Application]:
    """Staff see a case only if their office accepted it or it was routed to them."""
    rows = _base()
    if viewer.staff is not None:
        office = viewer.staff.office.pk
        # A semi-join, not a join and DISTINCT: a row with a record's json cannot be compared.
        tasked = Task.objects.filter(application=OuterRef("pk"), office_id=office)
        return rows.filter(
            Q(accepting_office_id=office) | Q(reviewing_office_id=office) | Exists(tasked)
        )
    if viewer.person_id_number:
        return rows.filter(person__id_number=viewer.person_id_number)
    return rows.none()


def application_get(*, reference: str, viewer: Viewer) -> Application:
    """The application, or NotFound — also when it exists but the viewer may not see it."""
    application = visible_to(viewer).filter(reference=reference).first()
    if application is None:
        raise NotFound(f"No application {reference} that you may see.", code="unknown_application")
    return application


def history_of(application: Application) -> list[Transition]:
    return list(
        Transition.objects.filter(application=application)
        .select_related("office")
        .order_by("at", "id")
    )


def _initial_approvers() -> RawSQL:
    """The ids of the users who approved the application at initial review (more than one when
    it was sent back), as a JSON array: read with the decision's lock, as the re-review refuses
    any of them (:func:`decision_refusal`)."""
    agg = json_functions()[2]
    quote = connection.ops.quote_name
    approvers = (
        f"SELECT {agg}(t.actor_user_id) FROM {quote(Transition._meta.db_table)} t "
        f"WHERE t.application_id = {quote(Application._meta.db_table)}.{quote('id')} "
        "AND t.stage = %s AND t.outcome = %s"
    )
    empty = "'[]'::json" if connection.vendor == "postgresql" else "'[]'"
    # Table names and constants only: the values are parameters.
    return RawSQL(  # noqa: S611
        f"COALESCE(({approvers}), {empty})", [Task.Stage.INITIAL_REVIEW.value, "approve"]
    )


def _person_lists() -> dict[str, RawSQL]:
    """The person view's lists (``facts.person_lists_sql``) of the application's person, as
    annotations of a task's read: a decision reads the view with its lock."""
    quote = connection.ops.quote_name
    person_id = f"{quote(Application._meta.db_table)}.{quote('person_id')}"
    lists = person_lists_sql(connection.vendor, person_id)
    # Table and column names only, no values.
    return {name: RawSQL(sql, []) for name, sql in zip(_PERSON_LISTS, lists, strict=True)}  # noqa: S611


_PERSON_LISTS = tuple(f"person_list_{i}" for i in range(PERSON_LISTS))

# The read every decision makes (core.prepared: compiled once): the task with its application,
# both row-locked in one statement, the application first (PostgreSQL locks the rows of
# ``FOR UPDATE OF`` in the order it names them, as the applicant's own services lock the
# application before its task), and the person view the decision assesses by. The
# application's registry snapshot (kilobytes) is left deferred: a decision does not read it,
# and sealing the archive reads it with the chain's head (cases.archive). A task about another
# subject has no application: not found here.
#
# When the read waits for the locks, PostgreSQL reads the locked rows again once it has them,
# but the view's subqueries keep the statement's snapshot, from before the wait. That is
# enough because whoever holds these locks and changes the person's record or entitlements
# (another decision, the applicant withdrawing) also closes the task or moves the application,
# which the rows read again show and the decision refuses. A writer that changed them under
# this lock and left the task open would need the view read after the lock instead.
_TASK_WITH_APPLICATION_LOCKED = Prepared(
    lambda task_id: (
        Task.objects.select_for_update(of=("application", "self"))
        .select_related(
            "office",
            "application__person__residence_region",
            "application__accepting_office__region",
            "application__reviewing_office__region",
            "application__insured_region",
            "application__bundle",
        )
        .defer("application__snapshot")
        .annotate(initial_approvers=_initial_approvers(), **_person_lists())
        .filter(pk=task_id, application__isnull=False)  # an inner join, which can be locked
    ),
    int,
)
_OPEN_TASK = Prepared(
    lambda application_id: Task.objects.select_related("office").filter(
        application_id=application_id, is_open=True
    ),
    int,
)

# Who approved the application at initial review (more than one when it was sent back).
_INITIAL_APPROVALS = Prepared(
    lambda application_id: Transition.objects.filter(
        application_id=application_id, stage=Task.Stage.INITIAL_REVIEW, outcome="approve"
    ).only("actor_user_id"),
    int,
)


def task_with_application_locked(*, task_id: int) -> tuple[Task, PersonView] | None:
    """A case task with its application (``task.application``), both row-locked, with what a
    decision reads of them (the application's snapshot deferred), and the view of the
    application's person, read in the same statement. None: no such task, or a task about
    another subject."""
    try:
        task = _TASK_WITH_APPLICATION_LOCKED.get(task_id)
    except Task.DoesNotExist:
        return None
    application = task.application
    assert application is not None
    application.initial_approvers = task.__dict__.pop("initial_approvers")
    lists = [task.__dict__.pop(name) for name in _PERSON_LISTS]
    return task, person_view_from(application.person, lists)


def open_task_of(application: Application) -> Task | None:
    """The application's open task (there is at most one), or None: as the step that moved this
    instance left it (``Application.opened_task``), or else read."""
    if "opened_task" in application.__dict__:
        return application.opened_task
    try:
        return _OPEN_TASK.get(application.pk)
    except Task.DoesNotExist:
        return None


def archive_of(application: Application) -> Archive | None:
    return Archive.objects.filter(application=application).first()


def applications_of_person(*, id_number: str) -> QuerySet[Application]:
    return _base().filter(person__id_number=id_number).order_by("-submitted_at")


def bundle_applications(*, bundle_id: int) -> list[Application]:
    return list(_base().filter(bundle_id=bundle_id).order_by("id"))


def task_stages() -> list[str]:
    """The stages a task in an office's queue can be at."""
    return list(Task.Stage.values)


@dataclass(frozen=True)
class QueueFilter:
    stage: str | None = None
    item_code: str | None = None
    overdue_only: bool = False
    stages: tuple[str, ...] | None = None  # without ``stage``: only these (None: every stage)


def office_queue(
    *, office_id: int, as_of: date, filters: QueueFilter | None = None
) -> QuerySet[Task]:
    """Open tasks about applications of an office, oldest first (the workbench's case queue)."""
    filters = filters or QueueFilter()
    tasks = (
        Task.objects.filter(office_id=office_id, is_open=True, application__isnull=False)
        .select_related("application__person", "application__accepting_office", "office")
        .order_by("created_at", "id")
    )
    if filters.stage:
        tasks = tasks.filter(stage=filters.stage)
    if filters.item_code:
        tasks = tasks.filter(application__item_code=filters.item_code)
    if filters.overdue_only:
        tasks = tasks.filter(due_date__lt=as_of)
    return tasks


def decision_refusal(
    *, task: Task, application: Application, staff: StaffInfo
) -> DomainError | None:
    """Why this caseworker may not decide this task (None: they may).

    ``task_decide`` refuses with exactly this error; the workbench shows it in place of the form.
    """
    if task.office_id != staff.office.pk:
        return Forbidden(
            f"This task belongs to {task.office.name_zh} ({task.office.code}), not to your office.",
            code="not_your_office",
            extra={"office": task.office.code},
        )
    if not task.is_open:
        return Conflict("This task is already closed; it was decided before.", code="task_closed")
    needed = "acceptor" if task.stage == Task.Stage.INITIAL_REVIEW else "reviewer"
    if not staff.has_role(needed):
        return Forbidden(
            f"Deciding a {task.stage.replace('_', ' ')} needs the {needed} role.",
            code="role_required",
            extra={"role": needed},
        )
    if task.stage == Task.Stage.RE_REVIEW and _did_initial_review(application, staff.user_id):
        return Forbidden(
            "You did the initial review of this case; the re-review must be done by someone else.",
            code="same_reviewer",
        )
    return None


def _did_initial_review(application: Application, user_id: int) -> bool:
    approvers = getattr(application, "initial_approvers", None)  # as task_decide reads it
    if approvers is None:
        return any(t.actor_user_id == user_id for t in _INITIAL_APPROVALS.all(application.pk))
    return user_id in json_list(approvers)


def office_tasks(
    *, office_id: int, as_of: date, filters: QueueFilter | None = None
) -> QuerySet[Task]:
    """Every open task of an office, oldest first: case reviews and tasks about other subjects
    (``finding_review``, ``family_invitation``), as ``GET /tasks`` lists them."""
    filters = filters or QueueFilter()
    tasks = (
        Task.objects.filter(office_id=office_id, is_open=True)
        .select_related("application__person", "application__accepting_office", "office", "person")
        .order_by("created_at", "id")
    )
    if filters.stage:
        tasks = tasks.filter(stage=filters.stage)
    elif filters.stages is not None:
        tasks = tasks.filter(stage__in=filters.stages)
    if filters.item_code:
        tasks = tasks.filter(application__item_code=filters.item_code)
    if filters.overdue_only:
        tasks = tasks.filter(due_date__lt=as_of)
    return tasks


def task_get(*, task_id: int) -> Task:
    """One task (any kind) with its office; NotFound when there is none."""
    task = (
        Task.objects.select_related("office__region", "application", "person")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(f"No task {task_id}.", code="unknown_task")
    return task


def open_paying_applications_for(*, person_ids: list[int]) -> list[Application]:
    """Open applications for items that pay money, of these people (comparison matching)."""
    found: list[Application] = []
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), 5000):
        found.extend(
            _base()
            .filter(
                person_id__in=ids[start : start + 5000],
                status__in=OPEN_STATUSES,
                pays_money=True,
            )
            .prefetch_related("tasks__office")
            .order_by("person_id", "id")
        )
    return found


def open_paying_application_person_ids_sql() -> str:
    """SQL selecting the person ids with an open application for an item that pays money."""
    statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    return (
        f"SELECT person_id FROM {Application._meta.db_table} "
        f"WHERE status IN ({statuses}) AND pays_money"
    )
