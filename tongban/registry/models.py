"""The registry: persons, employers, insurance spells (参保), contributions and registrations.

Everything a claim needs is pulled from here, so that a person brings only an ID
card ("zero materials"). Every table that grows carries its region, so data can
be partitioned by region at national scale (DESIGN.md, storage and scale).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language


class SeparationReason(models.Model):
    """A reason an employer records when it stops insurance (停保原因)."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=80)
    name_en = models.CharField(max_length=120)
    involuntary = models.BooleanField(help_text="非因本人意愿中断就业: qualifies for UI benefit")
    sort_order = models.PositiveSmallIntegerField(default=0)

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Person(models.Model):
    """A person known to the platform; the citizen ID is also the social security number."""

    class Sex(models.TextChoices):
        MALE = "M", "male"
        FEMALE = "F", "female"

    id_number = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=64)
    birth_date = models.DateField(help_text="Derived from the ID number")
    sex = models.CharField(
        max_length=1, choices=Sex.choices, help_text="Derived from the ID number"
    )
    residence_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField(max_length=20, blank=True, default="")
    bank_account = models.CharField(
        max_length=32, blank=True, default="", help_text="Social security card bank account"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["M", "F"]), name="person_sex_known"),
        ]

    def __str__(self) -> str:
        return f"person #{self.pk}"


class Employer(models.Model):
    """An employer (用人单位), identified by its unified social credit code."""

    uscc = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=128)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.uscc} {self.name}"


class InsuranceSpell(models.Model):
    """A period of UI insurance with one employer in one region, half-open ``[start, end)``.

    ``end_date`` is the first day no longer insured; the employer records the
    separation reason when it stops the insurance (停保).
    """

    person = models.ForeignKey(  # found through spell_person_idx (person, start date)
        Person, on_delete=models.PROTECT, related_name="spells", db_index=False
    )
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="spells")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.ForeignKey(
        SeparationReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "employer", "start_date"], name="spell_unique_start"
            ),
            models.UniqueConstraint(
                fields=["person", "employer"],
                condition=Q(end_date__isnull=True),
                name="spell_one_open_per_employer",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="spell_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(reason__isnull=False),
                name="spell_ended_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["person", "start_date"], name="spell_person_idx")]

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def __str__(self) -> str:
        return f"spell #{self.pk} [{self.start_date}, {self.end_date or '…'})"


class Contribution(models.Model):
    """One month of UI contributions for a person by an employer (unique per the three)."""

    # The unique (person, employer, month) index serves lookups by person; (region, month)
    # serves the funds' premium reports. No other index: this table grows by 25 M rows a year.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="contributions", db_index=False
    )
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField(help_text="The first day of the month")
    base_fen = models.BigIntegerField()
    amount_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "employer", "month"], name="contribution_unique_month"
            ),
            models.CheckConstraint(
                condition=Q(base_fen__gte=0) & Q(amount_fen__gte=0),
                name="contribution_amounts_not_negative",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="contribution_month_first_day"),
        ]
        indexes = [models.Index(fields=["region", "month"], name="contribution_region_month_idx")]

    def __str__(self) -> str:
        return f"contribution {self.month:%Y-%m}"


class Registration(models.Model):
    """An employment (就业登记) or unemployment registration (失业登记), half-open in time."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", "employment registration"
        UNEMPLOYMENT = "unemployment", "unemployment registration"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        "regions.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=32, help_text="application reference, import or employer")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(end_date__isnull=True),
                name="registration_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="registration_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["employment", "unemployment"]), name="registration_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} registration from {self.start_date}"


class RelationshipMove(models.Model):
    """A move of the UI relationship that no new spell caused (关系转移): a recipient's residence
    moved and the policy says the benefit follows the person.

    The routing rule (``registry.selectors.insured_region_among``) weighs these beside the
    spells: the newest event — a spell's start or a move — holds the relationship.
    ``source`` is the transfer's reference (``transfers``), one move per transfer.
    """

    person = models.ForeignKey(  # found through relationship_move_person_idx
        Person, on_delete=models.PROTECT, related_name="moves", db_index=False
    )
    from_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField()
    source = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(region=F("from_region")), name="relationship_move_between_regions"
            ),
        ]
        indexes = [models.Index(fields=["person", "moved_on"], name="relationship_move_person_idx")]

    def __str__(self) -> str:
        return f"relationship move {self.source} on {self.moved_on}"
