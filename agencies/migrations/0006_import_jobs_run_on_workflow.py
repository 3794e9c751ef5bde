# Agency imports run on the one job model (workflow.Job, kind "agency_import", its
# target the AgencyImportJob row, which keeps the file and its outcome). The job state
# of existing rows (status, progress, heartbeat, times, language, error) is COPIED into
# a Job each, linked by AgencyImportJob.job, before those columns are removed.

import django.db.models.deletion
from django.db import migrations, models


def copy_job_state(apps, schema_editor):
    AgencyImportJob = apps.get_model("agencies", "AgencyImportJob")
    Job = apps.get_model("workflow", "Job")
    for row in AgencyImportJob.objects.order_by("pk").iterator():
        job = Job.objects.create(
            kind="agency_import",
            target_type="agencies.agencyimportjob",
            target_id=row.pk,
            status=row.status,
            progress=row.progress,
            heartbeat_at=row.heartbeat_at,
            requested_by_id=row.requested_by_id,
            requested_at=row.requested_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            language=row.language,
            params={"filename": row.filename, "sha256": row.sha256},
            result={k: v for k, v in (row.detail or {}).items() if k != "problems"},
            error=row.error,
        )
        AgencyImportJob.objects.filter(pk=row.pk).update(job=job)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0005_auditentry_to_workflow"),
        ("workflow", "0002_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="agencyimportjob",
            name="job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="workflow.job",
                verbose_name="background job",
            ),
        ),
        migrations.RunPython(copy_job_state, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="agencyimportjob",
            name="agency_import_job_progress_le_100",
        ),
        migrations.RemoveField(
            model_name="agencyimportjob",
            name="error",
        ),
        migrations.RemoveField(
            model_name="agencyimportjob",
            name="finished_at",
        ),
        migrations.RemoveField(
            model_name="agencyimportjob",
            name="heartbeat_at",
        ),
        migrations.RemoveField(
            model_name="agencyimportjob",
            name="language",
        ),
        migrations.RemoveField(
            model_name="agencyimportjob",
            name="progress",
        ),
        migrations.RemoveField(
            model_name="agencyimportjob",
            name="started_at",
        ),
        migrations.RemoveField(
            model_name="agencyimportjob",
            name="status",
        ),
    ]
