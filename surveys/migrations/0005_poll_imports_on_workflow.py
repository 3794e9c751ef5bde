# Poll imports run on the one job model (workflow.Job, kind "poll_import", its target
# the import, which keeps the file, the mapping, its status and per-row errors). The
# job state of existing imports that had a job (job_status, progress, heartbeat, start,
# error) is COPIED into a Job each, linked by PollImport.job, before those columns go.

import django.db.models.deletion
from django.db import migrations, models


def copy_job_state(apps, schema_editor):
    PollImport = apps.get_model("surveys", "PollImport")
    Job = apps.get_model("workflow", "Job")
    for imp in PollImport.objects.exclude(job_status="").defer("content").iterator():
        job = Job.objects.create(
            kind="poll_import",
            target_type="surveys.pollimport",
            target_id=imp.pk,
            status=imp.job_status,
            progress=imp.progress,
            heartbeat_at=imp.heartbeat_at,
            requested_by_id=imp.uploaded_by_id,
            started_at=imp.started_at,
            finished_at=imp.finished_at,
            language=imp.language,
            params={"sha256": imp.sha256},
            error=imp.error,
        )
        PollImport.objects.filter(pk=imp.pk).update(job=job)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0004_tally_runs_on_workflow'),
        ('workflow', '0002_job'),
    ]

    operations = [
        migrations.AddField(
            model_name='pollimport',
            name='job',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workflow.job', verbose_name='background job'),
        ),
        migrations.RunPython(copy_job_state, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='pollimport',
            name='poll_import_progress_le_100',
        ),
        migrations.RemoveField(
            model_name='pollimport',
            name='error',
        ),
        migrations.RemoveField(
            model_name='pollimport',
            name='heartbeat_at',
        ),
        migrations.RemoveField(
            model_name='pollimport',
            name='job_status',
        ),
        migrations.RemoveField(
            model_name='pollimport',
            name='progress',
        ),
        migrations.RemoveField(
            model_name='pollimport',
            name='started_at',
        ),
    ]
