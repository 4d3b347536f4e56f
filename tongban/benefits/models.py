"""Entitlements: what a decision grants, in which fund, for how long."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

MONTHLY_ITEMS = ("ui_benefit", "unemployment_subsidy")


class Entitlement(models.Model):
    """A right to be paid, created by an approved decision of the paying region's agency.

    Monthly items (UI benefit, unemployment subsidy) run ``months`` calendar months from
    ``start_month`` (the month of unemployment registration); one-off items pay ``amount_fen``
    once. ``paying_region`` is the only fund that may pay it (funds never cross).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "active"
        SUSPENDED = "suspended", "suspended"
        ENDED = "ended", "ended"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    item_code = models.SlugField(max_length=40)
    application_reference = models.CharField(max_length=32, unique=True)
    paying_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    start_month = models.DateField(null=True, blank=True)
    months = models.PositiveSmallIntegerField(default=0)
    months_paid = models.PositiveSmallIntegerField(default=0)
    monthly_amount_fen = models.BigIntegerField(null=True, blank=True)
    medical_premium_fen = models.BigIntegerField(null=True, blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True, help_text="one-off items")
    contribution_months_used = models.PositiveSmallIntegerField(default=0)
    determined_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True, default="")
    explanation = models.JSONField(help_text="The rules engine's assessment, as decided")
    parameter_set_version = models.CharField(max_length=64)
    catalogue_version = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(item_code="ui_benefit", status__in=["active", "suspended"]),
                name="one_running_ui_entitlement_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "suspended", "ended"]),
                name="entitlement_status_known",
            ),
            models.CheckConstraint(
                condition=Q(months_paid__lte=F("months")), name="entitlement_paid_within_months"
            ),
            models.CheckConstraint(
                condition=(Q(monthly_amount_fen__isnull=True) | Q(monthly_amount_fen__gte=0))
                & (Q(medical_premium_fen__isnull=True) | Q(medical_premium_fen__gte=0))
                & (Q(amount_fen__isnull=True) | Q(amount_fen__gte=0)),
                name="entitlement_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(item_code__in=MONTHLY_ITEMS)
                | (
                    Q(start_month__isnull=False)
                    & Q(monthly_amount_fen__isnull=False)
                    & Q(start_month__day=1)
                ),
                name="entitlement_monthly_has_start_and_amount",
            ),
            models.CheckConstraint(
                condition=Q(item_code__in=MONTHLY_ITEMS) | Q(amount_fen__isnull=False),
                name="entitlement_one_off_has_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["paying_region", "status"], name="entitlement_region_status_idx"),
            models.Index(fields=["person"], name="entitlement_person_idx"),
        ]

    @property
    def months_remaining(self) -> int:
        return self.months - self.months_paid

    def __str__(self) -> str:
        return f"{self.item_code} {self.application_reference} ({self.status})"
