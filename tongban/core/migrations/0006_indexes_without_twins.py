# Every decision writes audit and outbox rows: their event type and topic keep their plain index,
# not the LIKE one PostgreSQL adds beside it (docs/decisions/0207).

from django.db import migrations

from tongban.core.migration_ops import like_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_truncate_guard"),
    ]

    operations = [
        like_index_dropped(
            "core_auditevent_event_type_4378a760_like",
            "core_outboxmessage_topic_c1cb420a_like",
        ),
    ]
