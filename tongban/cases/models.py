"""Cases (办件): applications, bundles, the tasks in office queues, transitions, archives.

An application is accepted at one office (the accepting office, which does the
initial review and keeps the archive) and, when its item pays money, routed to the
agency of the person's insured region (the reviewing office). Every change of
status is a :class:`Transition` row written by ``cases.workflow.transition``; nothing
else assigns ``status``.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from tongban.core.canonical import RecordJSONField
from tongban.core.models import AppendOnlyModel

OPEN_STATUSES = ("initial_review", "re_review", "returned")
FINAL_STATUSES = ("approved", "completed", "rejected", "withdrawn")


class Status(models.TextChoices):
    INITIAL_REVIEW = "initial_review", "initial review (初审)"
    RE_REVIEW = "re_review", "re-review (复核)"
    RETURNED = "returned", "returned for correction (退回补正)"
    APPROVED = "approved", "approved (核准)"
    COMPLETED = "completed", "completed (办结)"
    REJECTED = "rejected", "rejected (不予受理/不予核准)"
    WITHDRAWN = "withdrawn", "withdrawn (撤回)"


class Channel(models.TextChoices):
    WINDOW = "window", "office window"
    PORTAL = "portal", "claimant portal"
    ALIPAY = "alipay", "Alipay mini-program"
    GOV_SITE = "gov_site", "government services site"
    ONLINE_HALL = "online_hall", "HR & social-security online hall"
    EMPLOYER_API = "employer_api", "employer API"
    AUTOMATIC = "automatic", "automatic (免申即办)"


ONLINE_CHANNELS = ("portal", "alipay", "gov_site", "online_hall")


class Bundle(models.Model):
    """A "one thing" submission (一件事): its applications succeed or fail together."""

    reference = models.CharField(max_length=32, unique=True)
    kind = models.SlugField(max_length=32)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    accepting_office = models.ForeignKey(
        "regions.Office", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    submitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.reference


class Application(models.Model):
    """One person's application for one catalogue item."""

    # Every claim writes this row three times (a status change cannot be a HOT update), and each
    # index is written each time, so there are no twins (docs/decisions/0207): the person and the
    # accepting region are found through the (person, item) and (region, day) indexes, the item
    # alone is never searched, and migration 0007 drops the LIKE index PostgreSQL gets beside
    # the reference's unique one.
    reference = models.CharField(max_length=32, unique=True)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item_code = models.SlugField(max_length=40, db_index=False)
    catalogue_version = models.PositiveIntegerField()
    pays_money = models.BooleanField()
    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    client_id = models.BigIntegerField(null=True, blank=True, help_text="API client that submitted")
    submitted_by_user_id = models.BigIntegerField(null=True, blank=True)
    accepting_office = models.ForeignKey(
        "regions.Office", on_delete=models.PROTECT, related_name="+"
    )
    accepting_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    insured_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewing_office = models.ForeignKey(
        "regions.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    data = models.JSONField(default=dict, blank=True, help_text="What the applicant added")
    snapshot = RecordJSONField(help_text="The registry and the assessment, as pulled at acceptance")
    submitted_at = models.DateTimeField()
    submitted_on = models.DateField(help_text="Local date; the time limit counts from it")
    due_date = models.DateField(help_text="Decision due; moves on when a return pauses the clock")
    returned_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_on = models.DateField(
        null=True, blank=True, help_text="Local date of the final status; on time if ≤ due_date"
    )

    # Not a column: the application's open task as the last step that moved this instance left
    # it (None: none), set by ``workflow.transition``, so that whoever holds the instance knows
    # it without reading it back (``selectors.open_task_of``). Unset on an instance read from
    # the database, and forgotten by ``refresh_from_db`` with the rest of what the instance
    # knew. Only ``transition`` opens and closes an application's tasks.
    opened_task: Task | None
    # Who approved it at initial review, as a JSON array of user ids: read with the decision's
    # lock (``selectors.task_with_application_locked``) for the re-review's check. Not a column.
    initial_approvers: Any

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "item_code"],
                condition=Q(status__in=OPEN_STATUSES),
                name="one_open_application_per_person_item",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="application_status_known"
            ),
            models.CheckConstraint(
                condition=Q(pays_money=True) | Q(reviewing_office__isnull=True),
                name="application_only_paying_items_routed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["accepting_region", "submitted_on"], name="application_region_day_idx"
            ),
            models.Index(fields=["person", "item_code"], name="application_person_item_idx"),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__.pop("opened_task", None)  # another step may have moved the row since
        super().refresh_from_db(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.reference} {self.item_code} ({self.status})"


APPLICATION_STAGES = ("initial_review", "re_review")


class Task(models.Model):
    """A piece of work in an office's queue: an initial review or a re-review of an application,
    or work about a subject another context owns (a data-comparison finding's review, the
    invitation of a deceased recipient's family), named by that subject's ``reference``.

    One table, one id sequence, one queue: task ids never collide, ``GET /tasks`` lists every
    kind oldest first, and the office check is the same for all. The subject's own table links
    to its task (``integrity.Finding.task``); this table never points up to a higher layer.
    """

    class Stage(models.TextChoices):
        INITIAL_REVIEW = "initial_review", "initial review"
        RE_REVIEW = "re_review", "re-review"
        FINDING_REVIEW = "finding_review", "review of a data-comparison finding"
        FAMILY_INVITATION = "family_invitation", "invite the family to claim (funeral, survivors)"

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="tasks", null=True, blank=True
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reference = models.CharField(
        max_length=32, blank=True, default="", help_text="The subject's reference (not cases')"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices)
    office = models.ForeignKey("regions.Office", on_delete=models.PROTECT, related_name="+")
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    opened_on = models.DateField(null=True, blank=True, help_text="Local date the task opened")
    due_date = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, help_text="Local date the task closed")
    outcome = models.CharField(
        max_length=16, blank=True, default="", help_text="What closed it: approve, reject, …"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(is_open=True),
                name="one_open_task_per_application",
            ),
            models.UniqueConstraint(
                fields=["stage", "reference"],
                condition=Q(is_open=True, application__isnull=True),
                name="one_open_task_per_subject",
            ),
            models.CheckConstraint(
                condition=(
                    Q(stage__in=APPLICATION_STAGES, application__isnull=False)
                    | (
                        ~Q(stage__in=APPLICATION_STAGES)
                        & Q(application__isnull=True, person__isnull=False)
                        & ~Q(reference="")
                    )
                ),
                name="task_subject_matches_stage",
            ),
        ]
        indexes = [
            models.Index(
                fields=["office", "created_at"],
                condition=Q(is_open=True),
                name="task_open_queue_idx",
            ),
            models.Index(
                fields=["office", "due_date"], condition=Q(is_open=True), name="task_open_due_idx"
            ),
        ]

    @property
    def is_about_application(self) -> bool:
        return self.application_id is not None

    def __str__(self) -> str:
        return f"task #{self.pk} {self.stage} @ {self.office_id}"


class Transition(AppendOnlyModel):
    """One step of an application's history: who, which office, when, what they saw and decided.

    This is the responsibility record (首问负责): it is never changed.
    """

    # Found through the (application, at) index: no single-column twin.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    stage = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16)
    outcome = models.CharField(max_length=16)
    actor_kind = models.CharField(max_length=16)
    actor_label = models.CharField(max_length=150)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_client_id = models.BigIntegerField(null=True, blank=True)
    office = models.ForeignKey(
        "regions.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    reasons = models.JSONField(default=list, blank=True)
    checklist = models.JSONField(default=dict, blank=True)
    seen = RecordJSONField(
        default=dict,
        blank=True,
        help_text="What the actor saw (assessment); its canonical text is what seen_sha256 hashes",
    )
    seen_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["application", "at"], name="transition_application_idx")]

    def __str__(self) -> str:
        return (
            f"{self.application_id}: {self.from_status or '∅'} → {self.to_status} ({self.outcome})"
        )


class ArchiveHead(models.Model):
    """The end of one office's archive chain; locked while a new archive is sealed."""

    office = models.OneToOneField("regions.Office", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"archive head {self.office_id} #{self.sequence}"


class Archive(AppendOnlyModel):
    """A sealed, immutable archive (档案) of a finished case, kept by the accepting office.

    ``content_sha256`` is the hash of the canonical JSON ``content``; ``chain_hash``
    = SHA-256(previous chain hash + content hash), chained per office, so removing or
    changing any archive breaks the chain (``tongban archive verify``).
    """

    # Found through the (office, sequence) constraint; migration 0007 drops the LIKE index
    # PostgreSQL gets beside the chain hash's unique one.
    office = models.ForeignKey(
        "regions.Office", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sequence = models.PositiveBigIntegerField()
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="archive"
    )
    sealed_at = models.DateTimeField()
    content = RecordJSONField()
    content_sha256 = models.CharField(max_length=64)
    previous_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "sequence"], name="archive_sequence_per_office"
            ),
        ]

    def __str__(self) -> str:
        return f"archive {self.office_id}#{self.sequence}"


class ParameterSetRecord(AppendOnlyModel):
    """The exact parameter files a decision used, so it can be recomputed years later."""

    version = models.CharField(max_length=64, unique=True)
    texts = models.JSONField()
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.version


# ---- summaries for supervision, kept by ``workflow.transition`` (docs/supervision.md) --------


class ApplicationCounts(models.Model):
    """How many applications are in each status, how many were decided by their due date,
    and the working days their decisions took: the counters both summaries keep."""

    initial_review = models.IntegerField(default=0)
    re_review = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    on_time = models.IntegerField(
        default=0, help_text="Decided (approved, completed, rejected) by the due date"
    )
    decision_days = models.IntegerField(
        default=0, help_text="Sum of working days from submission to decision"
    )

    class Meta:
        abstract = True


class ApplicationTally(ApplicationCounts):
    """How many applications, by submission day, accepting office, insured region, item and
    channel, are in each status; with decisions on time and working days to decision.

    Upserted by ``cases.workflow.transition`` in the transaction of every status change, so
    the figures are as live as the applications; ``tongban supervision rebuild`` recomputes
    them from the applications. Region and office columns are plain ids (``insured_region_id``
    0: the person is insured nowhere), so the key has no NULLs and one upsert finds its row.
    """

    day = models.DateField(help_text="submitted_on")
    accepting_office_id = models.PositiveIntegerField()
    accepting_region_id = models.PositiveIntegerField()
    insured_region_id = models.PositiveIntegerField(help_text="0: not insured anywhere")
    item_code = models.SlugField(max_length=40, db_index=False)  # in the key; alone, no use
    channel = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "accepting_office_id",
                    "insured_region_id",
                    "item_code",
                    "channel",
                ],
                name="application_tally_key",
            )
        ]
        indexes = [
            models.Index(fields=["accepting_region_id", "day"], name="app_tally_region_day_idx"),
            models.Index(fields=["insured_region_id", "day"], name="app_tally_insured_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.accepting_office_id} {self.item_code} {self.channel}"


class ApplicationMonthTally(ApplicationCounts):
    """The same counters as :class:`ApplicationTally` by submission month, accepting region,
    insured region, item and channel — no day, no office — so that a year of the province
    adds up a few thousand rows a month instead of a row per day and office. Kept by the
    same upserts; ``cases.statistics`` uses it for the whole months of a period when the
    figure needs neither day nor office."""

    month = models.DateField(help_text="first day of the submission month")
    accepting_region_id = models.PositiveIntegerField()
    insured_region_id = models.PositiveIntegerField(help_text="0: not insured anywhere")
    item_code = models.SlugField(max_length=40, db_index=False)  # in the key; alone, no use
    channel = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "month",
                    "accepting_region_id",
                    "insured_region_id",
                    "item_code",
                    "channel",
                ],
                name="application_month_tally_key",
            )
        ]
        indexes = [
            models.Index(fields=["accepting_region_id", "month"], name="app_month_region_idx"),
            models.Index(fields=["insured_region_id", "month"], name="app_month_insured_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.accepting_region_id} {self.item_code} {self.channel}"


class StageTally(models.Model):
    """Review stages finished, by day, the office that did them, item and stage: how many,
    their working days (sum and longest), and how many finished after the case's due date.

    ``routing`` is the automatic assignment to the insured region's agency (docs/routing.md).
    """

    day = models.DateField(help_text="the day the stage ended")
    office_id = models.PositiveIntegerField()
    office_region_id = models.PositiveIntegerField()
    item_code = models.SlugField(max_length=40, db_index=False)  # in the key; alone, no use
    stage = models.CharField(max_length=16)
    finished = models.IntegerField(default=0)
    days = models.IntegerField(default=0, help_text="Sum of working days the stages took")
    longest = models.IntegerField(default=0, help_text="Working days of the longest")
    late = models.IntegerField(default=0, help_text="Finished after the case's due date")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "office_id", "item_code", "stage"], name="stage_tally_key"
            )
        ]
        indexes = [models.Index(fields=["office_region_id", "day"], name="stage_tally_region_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.office_id} {self.item_code} {self.stage}"


class ReasonTally(models.Model):
    """Reasons given for rejections and returns, by day, deciding office, item and stage."""

    day = models.DateField(help_text="the day of the decision")
    office_id = models.PositiveIntegerField()
    office_region_id = models.PositiveIntegerField()
    item_code = models.SlugField(max_length=40, db_index=False)  # in the key; alone, no use
    stage = models.CharField(max_length=16)
    outcome = models.CharField(max_length=16)
    reason = models.CharField(max_length=200)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "office_id", "item_code", "stage", "outcome", "reason"],
                name="reason_tally_key",
            )
        ]
        indexes = [models.Index(fields=["office_region_id", "day"], name="reason_tally_region_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.office_id} {self.outcome} {self.reason[:20]}"
