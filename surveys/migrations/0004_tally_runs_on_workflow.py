# Tally runs run on the one job model (workflow.Job, kind "tally", its target the poll,
# so that one runs at a time per poll); the run keeps what it counted and found. The job
# state of existing runs (status, progress, heartbeat, times, error) is COPIED into a
# Job each, linked by PollTallyRun.job, before those columns are removed.

import django.db.models.deletion
from django.db import migrations, models


def copy_job_state(apps, schema_editor):
    PollTallyRun = apps.get_model("surveys", "PollTallyRun")
    Job = apps.get_model("workflow", "Job")
    for run in PollTallyRun.objects.order_by("pk").iterator():
        failure = (run.inputs or {}).get("failure")
        job = Job.objects.create(
            kind="tally",
            target_type="surveys.poll",
            target_id=run.poll_id,
            status=run.status,
            progress=run.progress,
            heartbeat_at=run.heartbeat_at,
            requested_by_id=run.requested_by_id,
            requested_at=run.requested_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            result={"failure": failure} if failure else {},
            error=run.error,
        )
        PollTallyRun.objects.filter(pk=run.pk).update(job=job)


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0003_poll_import_job'),
        ('workflow', '0002_job'),
    ]

    operations = [
        migrations.AddField(
            model_name='polltallyrun',
            name='job',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workflow.job', verbose_name='background job'),
        ),
        migrations.RunPython(copy_job_state, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='polltallyrun',
            name='one_active_tally_per_poll',
        ),
        migrations.RemoveConstraint(
            model_name='polltallyrun',
            name='tally_progress_le_100',
        ),
        migrations.RemoveField(
            model_name='polltallyrun',
            name='error',
        ),
        migrations.RemoveField(
            model_name='polltallyrun',
            name='finished_at',
        ),
        migrations.RemoveField(
            model_name='polltallyrun',
            name='heartbeat_at',
        ),
        migrations.RemoveField(
            model_name='polltallyrun',
            name='progress',
        ),
        migrations.RemoveField(
            model_name='polltallyrun',
            name='started_at',
        ),
        migrations.RemoveField(
            model_name='polltallyrun',
            name='status',
        ),
    ]
