from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tongban.core.models import AuditEvent, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Lets administrators look, never change: the audit log and the outbox are evidence."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "event_type", "actor_label", "office_code", "subject_type", "subject_id")
    list_filter = ("event_type", "actor_kind", "office_code")
    search_fields = ("subject_id", "actor_label", "event_type")
    date_hierarchy = "at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "topic", "created_at", "processed_at", "attempts")
    list_filter = ("topic",)
