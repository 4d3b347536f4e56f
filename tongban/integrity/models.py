"""Integrity (数据比对): findings from real-time checks and national comparison files.

A finding says "this data suggests the benefit should stop" with its evidence. It may
*suspend* the benefit at once (payments held from the event's month), but only a reviewer
of the paying region's agency decides: **confirm** (the benefit ends from the event's date)
or **lift** (the benefit runs again and held months are paid). PIPL art. 24: an automated
match suspends; a person decides.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Finding(models.Model):
    class Source(models.TextChoices):
        HIRE = "hire", "an employer reported a hire (参保)"
        REEMPLOYMENT_REPORT = "reemployment_report", "the person reported a new job (再就业报告)"
        CONTRIBUTION = "contribution", "contributions were paid for a benefit month"
        DEATH = "death", "a civil-affairs death record"
        PENSION_START = "pension_start", "a basic pension started"
        IMPRISONMENT = "imprisonment", "imprisonment"
        NEW_HIRE = "new_hire", "employment anywhere in the country (national comparison)"
        OTHER_PROVINCE_BENEFIT = (
            "other_province_benefit",
            "UI benefit paid by another province (national comparison)",
        )

    class Status(models.TextChoices):
        OPEN = "open", "open: under review"
        CONFIRMED = "confirmed", "confirmed: the benefit ended"
        LIFTED = "lifted", "lifted: the benefit runs again"
        SUPERSEDED = "superseded", "settled otherwise (the benefit ended for another reason)"

    reference = models.CharField(max_length=32, unique=True)
    # The person, entitlement and paying region are found through the Meta indexes below.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source = models.CharField(max_length=32, choices=Source.choices)
    stop_kind = models.CharField(max_length=32, help_text="The stop a confirmation decides")
    entitlement = models.ForeignKey(
        "benefits.Entitlement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    application = models.ForeignKey(
        "cases.Application", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paying_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who decides",
        db_index=False,
    )
    office = models.ForeignKey(
        "regions.Office",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The deciding agency",
    )
    event_date = models.DateField(help_text="When the event happened, as the evidence says")
    suspended_from = models.DateField(
        null=True, blank=True, help_text="Payments held from this date's month (None: nothing held)"
    )
    evidence = models.JSONField(help_text="What matched: the source, file, line and record")
    dedup_key = models.CharField(
        max_length=120, unique=True, help_text="The same evidence twice adds nothing"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    task = models.OneToOneField(
        "cases.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    family_task = models.OneToOneField(
        "cases.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found_on = models.DateField()
    created_at = models.DateTimeField()
    decided_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True, default="")
    decided_by_user_id = models.BigIntegerField(null=True, blank=True)
    decision_reasons = models.JSONField(default=list, blank=True)
    overpayment_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(entitlement__isnull=False, application__isnull=True)
                | Q(entitlement__isnull=True, application__isnull=False),
                name="finding_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "confirmed", "lifted", "superseded"]),
                name="finding_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(status="superseded", decided_at__isnull=False)
                | (
                    Q(status__in=["confirmed", "lifted"], decided_at__isnull=False)
                    & ~Q(decision_reasons=[])
                    & ~Q(decided_by="")
                ),
                name="finding_decided_with_reasons",
            ),
            models.CheckConstraint(
                condition=Q(overpayment_fen__gte=0), name="finding_overpayment_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["paying_region", "status"], name="finding_region_status_idx"),
            models.Index(fields=["person"], name="finding_person_idx"),
            models.Index(fields=["entitlement", "status"], name="finding_entitlement_idx"),
        ]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def __str__(self) -> str:
        return f"{self.reference} {self.source} ({self.status})"
