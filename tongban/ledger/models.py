"""The ledger's tables: the chart of accounts, one book per fund, and balanced, immutable entries.

Invariants live in the database: a line debits or credits a positive amount, never both;
an entry is reversed at most once and has at most one transfer counterpart; on
PostgreSQL deferred triggers refuse an entry whose lines do not balance, have no lines,
or stray into another book, and append-only triggers refuse any UPDATE or DELETE.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language

from tongban.core.models import AppendOnlyModel


class AccountClass(models.TextChoices):
    ASSET = "asset", "asset"
    LIABILITY = "liability", "liability"
    FUND_BALANCE = "fund_balance", "fund balance"
    INCOME = "income", "income"
    EXPENDITURE = "expenditure", "expenditure"


class Side(models.TextChoices):
    DEBIT = "debit", "debit"
    CREDIT = "credit", "credit"


class Account(models.Model):
    """An account (会计科目) of the unified chart; the same chart serves every fund."""

    code = models.CharField(max_length=16, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name_zh = models.CharField(max_length=64)
    name_en = models.CharField(max_length=96)
    account_class = models.CharField(max_length=16, choices=AccountClass.choices)
    normal_side = models.CharField(max_length=6, choices=Side.choices)
    is_postable = models.BooleanField(help_text="A leaf: entries post here, never to a parent")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(account_class__in=AccountClass.values), name="account_class_known"
            ),
            models.CheckConstraint(
                condition=Q(normal_side__in=Side.values), name="account_side_known"
            ),
        ]

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Book(models.Model):
    """The books (账簿) of one regional fund; every entry belongs to exactly one book."""

    fund = models.OneToOneField("regions.Fund", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.code


class JournalEntry(AppendOnlyModel):
    """A balanced journal entry (记账凭证) in one book; corrected only by a reversal entry."""

    book = models.ForeignKey(  # found through ledger_entry_book_date_idx (book, date)
        Book, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    entry_date = models.DateField()
    description = models.CharField(max_length=200)
    source_type = models.CharField(max_length=32, help_text="What caused it: payment_run, …")
    source_ref = models.CharField(
        max_length=100, blank=True, default="", help_text="The cause's reference (a run, a file)"
    )
    reversal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    transfer_pair = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_counterpart",
        help_text="On the transfer-in entry: the transfer-out entry in the other fund's book",
    )
    created_at = models.DateTimeField()
    actor_kind = models.CharField(max_length=16)
    actor_label = models.CharField(max_length=150)
    actor_user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            # A cause is booked once per book: a payment run that is resumed posts nothing twice.
            models.UniqueConstraint(
                fields=["book", "source_type", "source_ref"],
                condition=~Q(source_ref=""),
                name="ledger_entry_source_once",
            ),
        ]
        indexes = [models.Index(fields=["book", "entry_date"], name="ledger_entry_book_date_idx")]

    def __str__(self) -> str:
        return f"entry #{self.pk} {self.entry_date}"


class JournalLine(AppendOnlyModel):
    """One debit or credit of an entry. Carries the entry's book and date so reports need no join."""

    # No foreign-key constraint: the deferred balance trigger reads the entry of every line
    # anyway and refuses a line without one, through a plan that stays an index scan (a
    # foreign key's check caches its own plan, which degraded as the table grew; ADR 0202).
    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="lines", db_constraint=False
    )
    # The book (one per fund and region) is the partition key at national scale.
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    entry_date = models.DateField()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    debit_fen = models.BigIntegerField(default=0)
    credit_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit_fen__gt=0) & Q(credit_fen=0))
                | (Q(debit_fen=0) & Q(credit_fen__gt=0)),
                name="ledger_line_one_side_positive",
            ),
        ]
        indexes = [models.Index(fields=["book", "entry_date"], name="ledger_line_book_date_idx")]

    def __str__(self) -> str:
        return f"line #{self.pk}"
