"""The background jobs of surveys, declared to the one runner (workflow.jobs)."""

from workflow import jobs

from .services import TALLY_KIND, stale_seconds, tally_execute, tally_failed

jobs.register(
    TALLY_KIND,
    tally_execute,
    audit_prefix="poll.tally",
    stale_seconds=stale_seconds,
    on_fail=tally_failed,
)
