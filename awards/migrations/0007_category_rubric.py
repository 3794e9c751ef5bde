"""A category points at its rubric (the rubric moved under the cycle, into rubrics/).

The link used to be the rubric's category_id; copy it here, before rubrics.0002 drops it.
On a new database there is nothing to copy."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Category = apps.get_model("awards", "Category")
    Rubric = apps.get_model("rubrics", "Rubric")
    for rubric_id, category_id in Rubric.objects.exclude(legacy_category=None).values_list(
        "pk", "legacy_category"
    ):
        Category.objects.filter(pk=category_id).update(rubric_id=rubric_id)


def copy_links_back(apps, schema_editor):
    Category = apps.get_model("awards", "Category")
    Rubric = apps.get_model("rubrics", "Rubric")
    for category_id, rubric_id in Category.objects.exclude(rubric=None).values_list(
        "pk", "rubric_id"
    ):
        Rubric.objects.filter(pk=rubric_id).update(legacy_category=category_id)


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0006_edition_is_demo"),
        ("rubrics", "0001_initial"),
    ]

    run_before = [("rubrics", "0002_drop_legacy_category")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="rubric",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="category",
                to="rubrics.rubric",
                verbose_name="rubric",
            ),
        ),
        migrations.RunPython(copy_links, copy_links_back, elidable=False),
    ]
