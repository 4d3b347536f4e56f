from django.db import migrations

from tongban.core.dbtriggers import append_only_operation


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        append_only_operation("cases_transition"),
        append_only_operation("cases_archive"),
        append_only_operation("cases_parametersetrecord"),
    ]
