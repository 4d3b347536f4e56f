from django.db import migrations

from tongban.core.dbtriggers import append_only_operation
from tongban.ledger.dbtriggers import balance_triggers_operation


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        append_only_operation("ledger_journalentry"),
        append_only_operation("ledger_journalline"),
        balance_triggers_operation(),
    ]
