"""Notices go through the configured notifier; the demo one records them, idempotently."""

import pytest

from tongban.core.models import OutboxMessage, RecordedNotice
from tongban.core.notices import Notice, notice_queue
from tongban.core.outbox import outbox_deliver
from tongban.core.transactions import unit_of_work

pytestmark = pytest.mark.django_db

SENT: list[str] = []


class OneByOneGateway:
    """A stand-in for an SMS gateway client: only ``send``, as the interface requires."""

    def send(self, notice: Notice) -> str:
        SENT.append(notice.key)
        return f"sms:{notice.key}"


def _notice(key: str) -> Notice:
    return Notice(key=key, person_id=1, recipient="person", phone="13800138000",
                  template="benefit_held", text_zh="暂停", text_en="held")  # fmt: skip


def test_the_demo_notifier_records_each_key_once():
    with unit_of_work():
        notice_queue([_notice("a"), _notice("b")])
    outbox_deliver()
    with unit_of_work():
        notice_queue([_notice("a")])  # the outbox may hand a key over twice
    outbox_deliver()
    assert sorted(RecordedNotice.objects.values_list("key", flat=True)) == ["a", "b"]
    assert RecordedNotice.objects.get(key="a").phone_masked == "*******8000"
    assert not OutboxMessage.objects.filter(processed_at__isnull=True).exists()


def test_another_notifier_by_configuration(settings):
    settings.TONGBAN_NOTIFIER = "tongban.integrity.tests.test_notices.OneByOneGateway"
    SENT.clear()
    with unit_of_work():
        notice_queue([_notice("x"), _notice("y")])
    outbox_deliver()
    assert SENT == ["x", "y"]
    assert not RecordedNotice.objects.exists()


def test_a_failing_notifier_leaves_the_batch_for_a_retry(settings):
    settings.TONGBAN_NOTIFIER = "tongban.integrity.tests.test_notices.Broken"
    with unit_of_work():
        notice_queue([_notice("z")])
    outbox_deliver()
    message = OutboxMessage.objects.get(topic="core.notice")
    assert message.processed_at is None and message.attempts == 1 and message.last_error
    settings.TONGBAN_NOTIFIER = "tongban.core.notices.RecordingNotifier"
    outbox_deliver()
    message.refresh_from_db()
    assert message.processed_at is not None


class Broken:
    def send(self, notice: Notice) -> str:
        raise ConnectionError("gateway down")
