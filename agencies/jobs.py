"""The background jobs of agencies, declared to the one runner (workflow.jobs)."""

from workflow import jobs

from .importers import JOB_KIND, agency_import_handler, stale_seconds

jobs.register(
    JOB_KIND,
    agency_import_handler,
    audit_prefix="agency.import",
    stale_seconds=stale_seconds,
    reraise=False,  # as before: a database or file error is the job's failure, shown
)
