"""API clients (bearer tokens) and idempotency records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApiClient(models.Model):
    """A caller of the HTTP API: an online channel, an employer, or a caseworker's office client.

    Only the SHA-256 of the token is stored; the token is shown once, at creation.
    """

    class Kind(models.TextChoices):
        CHANNEL = "channel", "online channel"
        EMPLOYER = "employer", "employer"
        STAFF = "staff", "staff client"

    class Channel(models.TextChoices):
        ALIPAY = "alipay", "Alipay mini-program (支付宝)"
        GOV_SITE = "gov_site", "government services site (海南政务服务网/海易办)"
        ONLINE_HALL = "online_hall", "HR & social-security online hall (网上办事大厅)"
        PORTAL = "portal", "Tongban claimant portal"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(
        max_length=16,
        choices=Channel.choices,
        blank=True,
        default="",
        help_text="For channel clients: which online channel submits through it",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12, help_text="To recognise a token in logs")
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_clients",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="employer") & Q(employer__isnull=False) & Q(user__isnull=True))
                | (Q(kind="staff") & Q(user__isnull=False) & Q(employer__isnull=True))
                | (Q(kind="channel") & Q(user__isnull=True) & Q(employer__isnull=True)),
                name="api_client_kind_matches_principal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.name} ({self.token_prefix}…)"
