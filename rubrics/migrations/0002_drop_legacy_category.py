"""After awards.0007 has copied each rubric's category into awards.Category.rubric (it
runs before this one), drop the old column; and give the moved models' content types and
audit entries their new app label, so permissions and each rubric's history carry over."""

from django.db import migrations

MOVED = ["rubric", "dimension", "indicator"]


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("workflow", "AuditEntry")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="rubrics", model=model).exists():
            ContentType.objects.filter(app_label="scoring", model=model).update(
                app_label="rubrics"
            )
        AuditEntry.objects.filter(object_type=f"scoring.{model}").update(
            object_type=f"rubrics.{model}"
        )


def unlabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("workflow", "AuditEntry")
    for model in MOVED:
        if not ContentType.objects.filter(app_label="scoring", model=model).exists():
            ContentType.objects.filter(app_label="rubrics", model=model).update(
                app_label="scoring"
            )
        AuditEntry.objects.filter(object_type=f"rubrics.{model}").update(
            object_type=f"scoring.{model}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rubrics", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="rubric", name="legacy_category"),
        migrations.RunPython(relabel, unlabel, elidable=False),
    ]
