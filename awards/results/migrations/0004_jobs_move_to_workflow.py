# The results jobs (compile, workbook, certificates) move to the one job model,
# workflow.Job. Existing ResultJob rows are COPIED, not dropped: their files (workbooks,
# certificate PDFs and ZIPs) stay downloadable from the version page. Each becomes a Job
# of the same kind and status whose target is the edition ("awards.edition", id); the
# version goes into params["version"] (workbook, certificates) or result["version_id"]
# (compile); the language moves from detail to Job.language; the file names are kept
# as they are (the files are not moved). Then ResultJob is deleted.
from django.db import migrations


def copy_jobs(apps, schema_editor):
    ResultJob = apps.get_model("results", "ResultJob")
    Job = apps.get_model("workflow", "Job")
    for old in ResultJob.objects.order_by("pk").iterator():
        detail = dict(old.detail or {}) if isinstance(old.detail, dict) else {}
        language = detail.pop("language", "") or ""
        params, result = {}, {}
        if old.kind == "compile":
            result = detail
            if old.version_id:
                result["version_id"] = old.version_id
        else:
            params = {"version": old.version_id}
            if "base_url" in detail:
                params["base_url"] = detail.pop("base_url")
            result = detail
        Job.objects.create(
            kind=old.kind,
            target_type="awards.edition",
            target_id=old.edition_id,
            status=old.status,
            progress=old.progress,
            heartbeat_at=old.heartbeat_at,
            requested_by_id=old.requested_by_id,
            requested_at=old.requested_at,
            started_at=old.started_at,
            finished_at=old.finished_at,
            language=language,
            params=params,
            result=result,
            error=old.error,
            file=old.file.name if old.file else "",
            archive=old.zip_file.name if old.zip_file else "",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0003_frozen_versions"),
        ("workflow", "0002_job"),
    ]

    operations = [
        migrations.RunPython(copy_jobs, migrations.RunPython.noop),
        migrations.DeleteModel(name="ResultJob"),
    ]
