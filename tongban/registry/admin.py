from django.contrib import admin

from tongban.registry.models import Employer, SeparationReason


@admin.register(SeparationReason)
class SeparationReasonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name_zh", "name_en", "involuntary")


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("uscc", "name", "region")
    search_fields = ("uscc", "name")
    list_filter = ("region",)
