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
from tongban.core.outbox import handles, outbox_emit_many

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

    Return a delivery reference (kept in the outbox's log line); raise to have the outbox
    retry later (``tongban outbox``). Never log the phone number or the text in full.
    """

    def send(self, notice: Notice) -> str: ...


class RecordingNotifier:
    """The demo notifier: records each notice in ``RecordedNotice`` and sends nothing."""

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


def notice_queue(notices: Iterable[Notice]) -> int:
    """Queue notices in the caller's transaction; they are sent after it commits."""
    return outbox_emit_many(NOTICE_TOPIC, (asdict(n) for n in notices))


@handles(NOTICE_TOPIC)
def _deliver(payload: dict[str, Any]) -> None:
    notifier().send(Notice(**payload))
