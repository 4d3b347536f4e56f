"""Regions (统筹区), their funds, offices (经办机构) and the staff who work there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language


class Bilingual:
    """Models with ``name_zh``/``name_en`` show the name in the active language."""

    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") else self.name_zh


class Region(Bilingual, models.Model):
    """A pooling region: a city or county that keeps its own unemployment-insurance fund."""

    code = models.CharField(max_length=6, unique=True, help_text="Current GB/T 2260 code")
    slug = models.SlugField(max_length=32, unique=True)
    name_zh = models.CharField(max_length=32)
    name_en = models.CharField(max_length=64)
    sort_order = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class RegionCode(models.Model):
    """A GB/T 2260 code as valid for a period; old data may use codes that now mean elsewhere."""

    code = models.CharField(max_length=6)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="codes")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="Exclusive")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="region_code_period_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="region_code_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.region.name_zh}"


class Fund(Bilingual, models.Model):
    """The unemployment-insurance fund of one region (失业保险基金); money never crosses silently."""

    code = models.CharField(max_length=16, unique=True)
    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="fund")
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96)

    def __str__(self) -> str:
        return self.code


class Office(Bilingual, models.Model):
    """A place that serves people: a region's insurance agency or a district service office.

    The provincial centre (kind ``province``) is the one office above the regions: its
    supervisors see every region and fund (ADR 0401). It sits in the region of its seat.
    """

    class Kind(models.TextChoices):
        AGENCY = "agency", "insurance agency"
        SERVICE = "service", "service office"
        PROVINCE = "province", "provincial centre"

    code = models.SlugField(max_length=40, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="offices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96)
    district_code = models.CharField(max_length=6, blank=True, default="")
    is_default_for_region = models.BooleanField(default=False)

    class Meta:
        constraints = [
            # One re-reviewing agency per region, and one default office for online applications.
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(kind="agency"), name="one_agency_per_region"
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(is_default_for_region=True),
                name="one_default_office_per_region",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="province"),
                name="one_provincial_office",
            ),
        ]

    @property
    def is_insurance_agency(self) -> bool:
        return self.kind == self.Kind.AGENCY

    @property
    def is_provincial(self) -> bool:
        return self.kind == self.Kind.PROVINCE

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Role(models.TextChoices):
    ACCEPTOR = "acceptor", "acceptor (受理/初审)"
    REVIEWER = "reviewer", "reviewer (复核)"
    FINANCE = "finance", "finance (财务)"
    SUPERVISOR = "supervisor", "supervisor (监督)"
    HEAD = "head", "office head (负责人)"
    ADMIN = "admin", "administrator (管理员)"


class StaffMember(models.Model):
    """A caseworker: a Django user who works at exactly one office."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_member"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="staff")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} @ {self.office.code}"


class StaffRole(models.Model):
    member = models.ForeignKey(  # found through staff_role_unique (member, role)
        StaffMember, on_delete=models.CASCADE, related_name="roles", db_index=False
    )
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "role"], name="staff_role_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="staff_role_known"
            ),
        ]

    def __str__(self) -> str:
        return self.role
