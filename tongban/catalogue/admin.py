from django.contrib import admin

from tongban.catalogue.models import CalendarDay, CatalogueVersion, Item
from tongban.core.admin import ReadOnlyAdmin


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    """Versions are loaded from items.yaml by `tongban init`, never edited here."""

    list_display = ("number", "loaded_at", "sha256")


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "number", "name_zh", "pays_money", "time_limit_working_days", "version")
    list_filter = ("version",)


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "kind", "is_working", "provisional")
    list_filter = ("kind", "provisional")
    date_hierarchy = "day"
