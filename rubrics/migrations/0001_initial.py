"""Rubrics, dimensions and indicators, first created by scoring's 0001_initial.

They moved from scoring to this app, a layer under the award cycle, keeping their tables
(scoring_rubric, scoring_dimension, scoring_indicator). This migration *replaces*
scoring.0001_initial: on a database where that one was applied, the tables are already
there and Django counts this one as applied without running it; on a new database this
one creates them. (scoring.0001_initial also created an early Score table, which
scoring.0002 dropped again; it is no longer created at all.)

The rubric's link to its category used to be on the rubric (scoring_rubric.category_id).
It is now awards.Category.rubric; `legacy_category` maps the old column only until
awards.0007 has copied it and rubrics.0002 drops it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    replaces = [("scoring", "0001_initial")]

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Rubric",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("total_points", models.PositiveIntegerField(verbose_name="total points")),
                ("allows_half_points", models.BooleanField(default=False, verbose_name="half points allowed")),
                ("cloned_from", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="rubrics.rubric", verbose_name="cloned from")),
                ("legacy_category", models.BigIntegerField(db_column="category_id", editable=False, null=True, unique=True)),
            ],
            options={
                "verbose_name": "rubric",
                "verbose_name_plural": "rubrics",
                "db_table": "scoring_rubric",
            },
        ),
        migrations.CreateModel(
            name="Dimension",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("name_zh", models.CharField(max_length=200, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(blank=True, max_length=200, verbose_name="name (English)")),
                ("max_points", models.PositiveIntegerField(verbose_name="maximum points")),
                ("tie_break_rank", models.PositiveSmallIntegerField(blank=True, help_text="Equal totals are ordered by the higher score on the dimension ranked 1, then 2, …", null=True, verbose_name="tie-break rank")),
                ("rubric", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="dimensions", to="rubrics.rubric", verbose_name="rubric")),
            ],
            options={
                "verbose_name": "dimension",
                "verbose_name_plural": "dimensions",
                "ordering": ["rubric", "order", "id"],
                "db_table": "scoring_dimension",
            },
        ),
        migrations.CreateModel(
            name="Indicator",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("name_zh", models.CharField(max_length=200, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(blank=True, max_length=200, verbose_name="name (English)")),
                ("max_points", models.PositiveIntegerField(verbose_name="maximum points")),
                ("focus_points_zh", models.TextField(blank=True, help_text="評核重點: guidance shown to writers and reviewers, one per line.", verbose_name="focus points (Chinese)")),
                ("focus_points_en", models.TextField(blank=True, verbose_name="focus points (English)")),
                ("dimension", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="indicators", to="rubrics.dimension", verbose_name="dimension")),
            ],
            options={
                "verbose_name": "indicator",
                "verbose_name_plural": "indicators",
                "ordering": ["dimension", "order", "id"],
                "db_table": "scoring_indicator",
            },
        ),
    ]
