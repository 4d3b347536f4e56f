"""The province's one catalogue of service items, versioned, and the working-day calendar."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CatalogueVersion(models.Model):
    """One loaded version of ``data/items.yaml``; a decision records the version it used."""

    number = models.PositiveIntegerField(unique=True)
    sha256 = models.CharField(max_length=64, unique=True)
    loaded_at = models.DateTimeField()
    source = models.TextField(help_text="The file as loaded, kept for explaining old decisions")

    def __str__(self) -> str:
        return f"catalogue v{self.number}"


class Item(models.Model):
    """A service item as defined in one catalogue version; the same for every office."""

    version = models.ForeignKey(  # found through item_code_per_version (version, code)
        CatalogueVersion, on_delete=models.PROTECT, related_name="items", db_index=False
    )
    code = models.SlugField(max_length=40)
    number = models.PositiveSmallIntegerField()
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96)
    pays_money = models.BooleanField()
    time_limit_working_days = models.PositiveSmallIntegerField()
    definition = models.JSONField(help_text="The item's entry from items.yaml, as loaded")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="item_code_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} (v{self.version.number})"


class CalendarDay(models.Model):
    """One day of the working-day calendar; ``working_index`` counts working days up to it."""

    class Kind(models.TextChoices):
        WEEKDAY = "weekday", "working weekday"
        WEEKEND = "weekend", "weekend"
        HOLIDAY = "holiday", "public holiday"
        WORKDAY = "workday", "make-up working day"

    day = models.DateField(unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    is_working = models.BooleanField()
    working_index = models.PositiveIntegerField(
        help_text="Working days from the calendar's first day up to and including this one"
    )
    provisional = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_working=True, kind__in=["weekday", "workday"])
                | Q(is_working=False, kind__in=["weekend", "holiday"]),
                name="calendar_kind_matches_working",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"
