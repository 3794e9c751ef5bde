# AuditEntry moves here from agencies without touching the table (agencies_auditentry):
# a state-only move, so existing entries are kept.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The user model's first migration created the table this model takes over.
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="when")),
                        ("action", models.CharField(max_length=64, verbose_name="action")),
                        ("object_type", models.CharField(db_index=True, max_length=64, verbose_name="object type")),
                        ("object_id", models.CharField(db_index=True, max_length=64, verbose_name="object id")),
                        ("object_repr", models.CharField(blank=True, max_length=300, verbose_name="object")),
                        ("from_state", models.CharField(blank=True, max_length=64, verbose_name="from")),
                        ("to_state", models.CharField(blank=True, max_length=64, verbose_name="to")),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="details")),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="who")),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit entries",
                        "ordering": ["-at", "-id"],
                        "db_table": "agencies_auditentry",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
