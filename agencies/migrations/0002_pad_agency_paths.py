from django.db import migrations


def pad_paths(apps, schema_editor):
    """Rewrite Agency.path with zero-padded ids (tree order when sorted as text)."""
    Agency = apps.get_model("agencies", "Agency")
    rows = {pk: parent for pk, parent in Agency.objects.values_list("pk", "parent_id")}
    computed = {}

    def path_of(pk):
        if pk not in computed:
            parent = rows[pk]
            prefix = path_of(parent)[0] if parent else "/"
            depth = path_of(parent)[1] + 1 if parent else 0
            computed[pk] = (f"{prefix}{pk:010d}/", depth)
        return computed[pk]

    agencies = list(Agency.objects.all())
    for agency in agencies:
        agency.path, agency.depth = path_of(agency.pk)
    Agency.objects.bulk_update(agencies, ["path", "depth"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]
    operations = [migrations.RunPython(pad_paths, migrations.RunPython.noop)]
