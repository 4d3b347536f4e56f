"""Transfers (关系转移): the UI relationship moving between regions, with the money that follows.

A transfer happens without an application (免申即办): a new insurance spell in another region
(the registry's routing rule moves the relationship; this record says so), or a recipient's
residence move where the policy says the benefit follows the person (the remaining
entitlement continues in the new region's fund, carried by a linked pair of ledger entries).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Transfer(models.Model):
    """One move of a person's UI relationship from one region's fund to another's."""

    class Kind(models.TextChoices):
        NEW_SPELL = "new_spell", "a new insurance spell in another region"
        RESIDENCE = "residence", "a recipient's residence moved (the benefit follows)"

    class Status(models.TextChoices):
        COMPLETED = "completed", "completed"
        WAITING = "waiting", "waiting: the benefit is suspended until a finding is decided"
        CANCELLED = "cancelled", "cancelled: the benefit ended before it could move"

    reference = models.CharField(max_length=32, unique=True)
    # The person is found through transfer_once (person, …), the regions through their
    # (region, created_at) indexes.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    from_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    to_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    effective_date = models.DateField(help_text="The new spell's start, or the move's date")
    spell_id = models.BigIntegerField(null=True, blank=True, help_text="new_spell: the spell")
    application_reference = models.CharField(
        max_length=32, blank=True, default="", help_text="Item 7 (ui_transfer), done by the system"
    )
    from_entitlement = models.ForeignKey(
        "benefits.Entitlement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_entitlement = models.ForeignKey(
        "benefits.Entitlement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    switch_month = models.DateField(
        null=True, blank=True, help_text="The first month the new fund pays"
    )
    months = models.PositiveSmallIntegerField(default=0, help_text="Benefit months moved")
    benefit_fen = models.BigIntegerField(default=0)
    medical_fen = models.BigIntegerField(default=0)
    amount_fen = models.BigIntegerField(default=0, help_text="Booked transfer-out = transfer-in")
    amounts_moved = models.CharField(
        max_length=32, blank=True, default="", help_text="The parameter transfers.amounts_moved"
    )
    parameter_set_version = models.CharField(max_length=64, blank=True, default="")
    out_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    in_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "effective_date", "to_region"], name="transfer_once"
            ),
            models.CheckConstraint(
                condition=~Q(from_region=F("to_region")), name="transfer_between_regions"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["completed", "waiting", "cancelled"]),
                name="transfer_status_known",
            ),
            models.CheckConstraint(
                condition=Q(benefit_fen__gte=0)
                & Q(medical_fen__gte=0)
                & Q(amount_fen__gte=0)
                & Q(amount_fen__lte=F("benefit_fen") + F("medical_fen")),
                name="transfer_amounts_consistent",
            ),
            models.CheckConstraint(
                condition=Q(amount_fen=0)
                | (Q(out_entry__isnull=False) & Q(in_entry__isnull=False)),
                name="transfer_money_is_booked",
            ),
        ]
        indexes = [
            models.Index(fields=["from_region", "created_at"], name="transfer_from_idx"),
            models.Index(fields=["to_region", "created_at"], name="transfer_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind} ({self.status})"
