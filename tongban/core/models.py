"""The shared kernel's tables: the append-only audit log and the outbox."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a row that may only be appended."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows cannot be updated")


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnlyModel(models.Model):
    """A row is written once. The ORM refuses changes here; database triggers refuse them too."""

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(AppendOnlyModel):
    """One thing that happened: who (user or API client), at which office, to what, when.

    Kept at least six months (Cybersecurity Law art. 21); never changed.
    """

    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=16)
    actor_label = models.CharField(max_length=150)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_client_id = models.BigIntegerField(null=True, blank=True)
    office_code = models.CharField(max_length=32, blank=True, default="")
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    # Every decision writes audit rows: migration 0006 drops the LIKE index PostgreSQL gets
    # beside this one (docs/decisions/0207).
    event_type = models.CharField(max_length=64, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event_type} {self.subject_type}:{self.subject_id}"


class OutboxMessage(models.Model):
    """A domain event, written in the same transaction as the change that caused it.

    It is delivered to its handlers after commit (at least once); handlers are idempotent.
    """

    # Every decision emits: migration 0006 drops the LIKE index PostgreSQL gets beside this one
    # (docs/decisions/0207).
    topic = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_pending_idx",
                condition=models.Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class IdempotencyRecord(models.Model):
    """The first answer to a write made with an idempotency key, replayed for repeats.

    ``scope`` names who made it (``client:12`` for an API client, ``user:7`` for a
    caseworker's form, ``person:…`` for the portal), so keys never collide across callers.
    """

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class RecordedNotice(AppendOnlyModel):
    """A notice as the demo notifier (``RecordingNotifier``) recorded it instead of sending it.

    With an SMS gateway configured (``TONGBAN_NOTIFIER``) this table stays empty; see
    ``tongban.core.notices``. ``key`` makes delivery idempotent (the outbox delivers at
    least once). The phone number is kept masked, like every personal number on display.
    """

    key = models.CharField(max_length=120, unique=True)
    person_id = models.BigIntegerField(db_index=True)
    recipient = models.CharField(max_length=16, help_text="person, or family")
    phone_masked = models.CharField(max_length=24, blank=True, default="")
    template = models.CharField(max_length=48)
    text_zh = models.TextField()
    text_en = models.TextField()
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.template} → person #{self.person_id}"
