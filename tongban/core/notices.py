"""Notices to people (告知): queued in the outbox with the change, sent after commit.

A notice is written by :func:`notice_queue` inside the transaction that decided
something about the person (a benefit held, ended, resumed or moved); the outbox
delivers it after commit to the configured :class:`Notifier`. The demo uses
:class:`RecordingNotifier`, which *records* the message in ``core_recordednotice``
and sends nothing. Production names another class in ``TONGBAN_NOTIFIER`` (dotted
path), e.g. an SMS gateway client; the contract it must keep is :class:`Notifier`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from tongban.core import clock
from tongban.core.outbox import handles_batch, outbox_emit_many

NOTICE_TOPIC = "core.notice"
DEFAULT_NOTIFIER = "tongban.core.notices.RecordingNotifier"


@dataclass(frozen=True, slots=True)
class Notice:
    """One message to a person (or their family), in Chinese and English.

    ``key`` is unique per message (say ``finding:FD…:held``): a notifier must deliver a
    key at most once, because the outbox may hand it over more than once.
    """

    key: str
    person_id: int
    recipient: str  # "person" or "family"
    phone: str
    template: str
    text_zh: str
    text_en: str


class Notifier(Protocol):
    """What a notification channel must do: send one notice, idempotently by ``notice.key``.

    Return a delivery reference; raise to have the outbox retry later (``tongban outbox``).
    Never log the phone number or the text in full. A channel may also have
    ``send_many(notices)`` for a batch (the outbox hands over up to 500 at once).
    """

    def send(self, notice: Notice) -> str: ...


class RecordingNotifier:
    """The demo notifier: records each notice in ``RecordedNotice`` and sends nothing."""

    def send_many(self, notices: list[Notice]) -> None:
        """Record a batch in one statement (a key already recorded is skipped)."""
        from tongban.core.identifiers import mask_bank_account
        from tongban.core.models import RecordedNotice

        now = clock.now()
        RecordedNotice.objects.bulk_create(
            [
                RecordedNotice(
                    key=n.key[:120],
                    person_id=n.person_id,
                    recipient=n.recipient,
                    phone_masked=mask_bank_account(n.phone) if n.phone else "",
                    template=n.template,
                    text_zh=n.text_zh,
                    text_en=n.text_en,
                    recorded_at=now,
                )
                for n in notices
            ],
            ignore_conflicts=True,
        )

    def send(self, notice: Notice) -> str:
        from tongban.core.identifiers import mask_bank_account
        from tongban.core.models import RecordedNotice

        row, _ = RecordedNotice.objects.get_or_create(
            key=notice.key[:120],
            defaults={
                "person_id": notice.person_id,
                "recipient": notice.recipient,
                "phone_masked": mask_bank_account(notice.phone) if notice.phone else "",
                "template": notice.template,
                "text_zh": notice.text_zh,
                "text_en": notice.text_en,
                "recorded_at": clock.now(),
            },
        )
        return f"recorded:{row.pk}"


def notifier() -> Notifier:
    """The configured notifier (``settings.TONGBAN_NOTIFIER``, default the recording one)."""
    path = getattr(settings, "TONGBAN_NOTIFIER", DEFAULT_NOTIFIER) or DEFAULT_NOTIFIER
    cls = import_string(path)
    instance: Notifier = cls()
    return instance


PER_MESSAGE = 200  # notices per outbox message: a file with thousands of matches writes a few


def notice_queue(notices: Iterable[Notice]) -> int:
    """Queue notices in the caller's transaction; they are sent after it commits."""
    rows = [asdict(n) for n in notices]
    outbox_emit_many(
        NOTICE_TOPIC,
        ({"notices": rows[i : i + PER_MESSAGE]} for i in range(0, len(rows), PER_MESSAGE)),
    )
    return len(rows)


@handles_batch(NOTICE_TOPIC)
def _deliver(payloads: list[dict[str, Any]]) -> None:
    """Hand a batch to the notifier: ``send_many`` where it has one, else one ``send`` each."""
    channel = notifier()
    notices = [Notice(**row) for payload in payloads for row in payload["notices"]]
    send_many = getattr(channel, "send_many", None)
    if send_many is not None:
        send_many(notices)
        return
    for notice in notices:
        channel.send(notice)
