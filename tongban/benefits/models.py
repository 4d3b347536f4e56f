"""Entitlements: what a decision grants, in which fund, for how long."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from tongban.core.canonical import RecordJSONField

MONTHLY_ITEMS = ("ui_benefit", "unemployment_subsidy")

# The 5001xx sub-account of the unified chart that each item's payments are booked to.
SUBJECTS = {
    "ui_benefit": "500101",
    "unemployment_subsidy": "500107",
    "funeral_survivor": "500103",
    "training_subsidy": "500104",
    "skill_subsidy": "500105",
    "rural_worker_allowance": "500108",
}
MEDICAL_SUBJECT = "500102"


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

    # No twin indexes (docs/decisions/0207): the person and the paying region are found through
    # the person and (paying region, status) indexes, the item is never searched alone, and
    # migration 0006 drops the LIKE index PostgreSQL gets beside the application reference's
    # unique one.
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item_code = models.SlugField(max_length=40, db_index=False)
    application_reference = models.CharField(max_length=32, unique=True)
    paying_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    start_month = models.DateField(
        null=True, blank=True, help_text="First benefit month; for a one-off, the month it is paid"
    )
    end_month = models.DateField(
        null=True,
        blank=True,
        help_text="First month no longer payable (exclusive); moves on a stop",
    )
    months = models.PositiveSmallIntegerField(default=0)
    held_from = models.DateField(
        null=True,
        blank=True,
        help_text="A suspension holds the months from this one on (first day); None: none held",
    )
    months_paid = models.PositiveSmallIntegerField(default=0)
    months_forfeited = models.PositiveSmallIntegerField(
        default=0,
        help_text="Cancelled by a stop that does not keep them for later (not re-employment)",
    )
    monthly_amount_fen = models.BigIntegerField(null=True, blank=True)
    medical_premium_fen = models.BigIntegerField(null=True, blank=True)
    amount_fen = models.BigIntegerField(null=True, blank=True, help_text="one-off items")
    contribution_months_used = models.PositiveSmallIntegerField(default=0)
    determined_on = models.DateField()
    first_paid_on = models.DateField(
        null=True, blank=True, help_text="When its first payment went to the bank (supervision)"
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True, default="")
    explanation = RecordJSONField(help_text="The rules engine's assessment, as decided")
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
                condition=Q(held_from__isnull=True) | Q(held_from__day=1),
                name="entitlement_held_from_first_day",
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


class PaymentRun(models.Model):
    """One fund's payment run for one month (月度发放批次); supplementary runs follow the regular one.

    The run is resumable: every step is idempotent, and ``stage`` records how far it got.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", "regular"
        SUPPLEMENTARY = "supplementary", "supplementary"

    class Stage(models.TextChoices):
        COLLECTING = "collecting", "collecting payments"
        POSTED = "posted", "posted to the books"
        FINISHED = "finished", "bank file written"

    reference = models.CharField(max_length=32, unique=True)
    region = models.ForeignKey(  # found through payment_run_once (region, month, sequence)
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField(help_text="First day of the month paid")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    sequence = models.PositiveSmallIntegerField(default=0, help_text="0 regular, 1.. supplementary")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.COLLECTING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    sent_on = models.DateField(
        null=True, blank=True, help_text="The day its payments went to the bank and were booked"
    )
    payments = models.PositiveIntegerField(default=0, help_text="Lines of the bank file")
    held = models.PositiveIntegerField(default=0)
    total_fen = models.BigIntegerField(default=0, help_text="Total of the bank file")
    medical_fen = models.BigIntegerField(
        default=0, help_text="Medical premiums, to the medical agency"
    )
    file_name = models.CharField(max_length=200, blank=True, default="")
    file_sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month", "sequence"], name="payment_run_once"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="payment_run_month_first_day"),
        ]
        indexes = [models.Index(fields=["sent_on"], name="payment_run_sent_on_idx")]

    def __str__(self) -> str:
        return self.reference


class Payment(models.Model):
    """One payment: one benefit month of an entitlement (or a one-off), with a permanent reference.

    At most one live payment per (entitlement, period, kind): a unique constraint on the
    payments that are not ``returned`` or ``cancelled``. A returned payment is paid again by
    a new payment (``reissue_of``) once the bank details are corrected.
    """

    class Kind(models.TextChoices):
        BENEFIT = "benefit", "benefit to the person"
        MEDICAL = "medical", "medical insurance premium paid for the person"
        ONE_OFF = "one_off", "one-off payment to the person"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "scheduled"
        SENT = "sent", "sent to the bank"
        SETTLED = "settled", "settled"
        RETURNED = "returned", "returned by the bank (退票)"
        HELD = "held", "held"
        CANCELLED = "cancelled", "cancelled"

    # Each index costs every payment run a write per payment, so there are no twins: the
    # reference's uniqueness is a constraint (no LIKE index beside it), and the paying region
    # is found through the (paying_region, status) index.
    reference = models.CharField(max_length=48)
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="payments")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    paying_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item_code = models.SlugField(max_length=40)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    subject_code = models.CharField(max_length=8, help_text="The 5001xx account it is booked to")
    period = models.DateField(
        help_text="The benefit month (first day); for one-offs, the decision month"
    )
    amount_fen = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices)
    hold_reason = models.CharField(max_length=40, blank=True, default="")
    run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    account_name = models.CharField(max_length=64, blank=True, default="")
    bank_account = models.CharField(max_length=32, blank=True, default="")
    reissue_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reissue"
    )
    return_reason = models.CharField(max_length=40, blank=True, default="")
    offset_fen = models.BigIntegerField(default=0, help_text="Kept back to recover an overpayment")
    created_at = models.DateTimeField()
    sent_on = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True, help_text="settled or returned")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="payment_reference_unique"),
            models.UniqueConstraint(
                fields=["entitlement", "period", "kind"],
                condition=~Q(status__in=["returned", "cancelled"]),
                name="one_live_payment_per_entitlement_period",
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=0), name="payment_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["scheduled", "sent", "settled", "returned", "held", "cancelled"]
                ),
                name="payment_status_known",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="payment_period_first_day"),
        ]
        indexes = [
            models.Index(fields=["paying_region", "status"], name="payment_region_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class Overpayment(models.Model):
    """Money paid for months after a benefit stopped: recovered by offset or by repayment."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        RECOVERED = "recovered", "recovered"
        WAIVED = "waived", "waived"

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    paying_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField()
    recovered_fen = models.BigIntegerField(default=0)
    months = models.JSONField(help_text="The overpaid months (YYYY-MM) and payment references")
    reason = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    established_on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0)
                & Q(recovered_fen__gte=0)
                & Q(recovered_fen__lte=F("amount_fen")),
                name="overpayment_amounts_consistent",
            )
        ]

    @property
    def outstanding_fen(self) -> int:
        return self.amount_fen - self.recovered_fen

    def __str__(self) -> str:
        return f"overpayment {self.pk} {self.amount_fen}"


class Recovery(models.Model):
    """One recovery of an overpayment: an offset against a later payment, or a repayment."""

    class Method(models.TextChoices):
        OFFSET = "offset", "offset against later benefit"
        REPAYMENT = "repayment", "repaid by the person"

    overpayment = models.ForeignKey(
        Overpayment, on_delete=models.PROTECT, related_name="recoveries"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    amount_fen = models.BigIntegerField()
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(max_length=64, unique=True)
    recovered_on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="recovery_amount_positive")
        ]

    def __str__(self) -> str:
        return self.reference
