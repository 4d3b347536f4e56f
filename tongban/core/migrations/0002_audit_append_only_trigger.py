from django.db import migrations

from tongban.core.dbtriggers import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [append_only_operation("core_auditevent")]
