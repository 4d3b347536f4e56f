# 0006 made the person foreign key db_index=False. On PostgreSQL, Django then drops every plain
# B-tree index on (person_id) that is not in Meta.indexes, and that took the partial unique index
# of the constraint one_running_ui_entitlement_per_person with it (Django looks up indexes by
# their columns and does not leave out the constraints' ones). This puts it back: dropping is a
# no-op where it survived (DROP INDEX IF EXISTS; SQLite rebuilds the table), then it is created.
# core/tests/test_indexes.py checks every model's constraints and indexes exist in the database.

from django.db import migrations, models


def _constraint() -> models.UniqueConstraint:
    return models.UniqueConstraint(
        condition=models.Q(("item_code", "ui_benefit"), ("status__in", ["active", "suspended"])),
        fields=("person",),
        name="one_running_ui_entitlement_per_person",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0006_indexes_without_twins"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="entitlement", name="one_running_ui_entitlement_per_person"
        ),
        migrations.AddConstraint(model_name="entitlement", constraint=_constraint()),
    ]
