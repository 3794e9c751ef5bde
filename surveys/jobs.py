"""The background jobs of surveys, declared to the one runner (workflow.jobs)."""

from workflow import jobs

from .services import (
    IMPORT_KIND,
    TALLY_KIND,
    import_failed,
    import_handler,
    import_stale_seconds,
    stale_seconds,
    tally_execute,
    tally_failed,
)

jobs.register(
    TALLY_KIND,
    tally_execute,
    audit_prefix="poll.tally",
    stale_seconds=stale_seconds,
    on_fail=tally_failed,
)

jobs.register(
    IMPORT_KIND,
    import_handler,
    # Not "poll.import.…": the import's own entries (upload, start, apply, fail) are
    # written on the import; these are the job's.
    audit_prefix="job.poll_import",
    stale_seconds=import_stale_seconds,
    on_fail=import_failed,
    reraise=False,  # as before: a database or file error is the job's failure, shown
    queue="import",  # minutes of parsing and writing: never in front of a compile
)
