from django.contrib import admin

from tongban.channels.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "token_prefix", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    readonly_fields = ("token_hash", "token_prefix", "created_at")
