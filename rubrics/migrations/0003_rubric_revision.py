from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rubrics", "0002_drop_legacy_category")]

    operations = [
        migrations.AddField(
            model_name="rubric",
            name="revision",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Grows with each save in the rubric editor, so a stale save is refused.",
                verbose_name="revision",
            ),
        ),
    ]
