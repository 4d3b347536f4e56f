from django.contrib import admin

from tongban.regions.models import Fund, Office, Region, RegionCode, StaffMember, StaffRole


class RegionCodeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RegionCode
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name_zh", "name_en", "slug")
    inlines = [RegionCodeInline]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name_zh", "region")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name_zh", "region", "kind", "is_default_for_region")
    list_filter = ("kind", "region")


class StaffRoleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StaffRole
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "office", "created_at")
    list_filter = ("office__region",)
    inlines = [StaffRoleInline]
