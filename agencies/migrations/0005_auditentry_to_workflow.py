# AuditEntry now lives in the workflow app (same table); remove it from this app's state.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_agency_import_job"),
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
