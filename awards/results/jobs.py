"""The background jobs of results, declared to the one runner (workflow.jobs): compile,
the workbook, the certificates batch, the decision sensitivity and the feedback drafts
(prefill all). Each job's target is the edition; a workbook, certificates or
sensitivity job names its version in its options ("version")."""

from workflow import jobs

from .compilation import ResultsError
from .enums import JobKind


def _compile(job, beat):
    from .services import compile_execute

    compile_execute(job, beat)


def _workbook(job, beat):
    from .workbook import workbook_execute

    return workbook_execute(job, beat)


def _certificates(job, beat):
    from .certificates import certificates_execute

    return certificates_execute(job, beat)


def _sensitivity(job, beat):
    from .services import sensitivity_execute

    sensitivity_execute(job, beat)


def _feedback(job, beat):
    from .feedback import feedback_prefill_execute

    return feedback_prefill_execute(job, beat)


def _stale_seconds():
    from .services import stale_seconds

    return stale_seconds()


for kind, handler in (
    (JobKind.COMPILE, _compile),
    (JobKind.WORKBOOK, _workbook),
    (JobKind.CERTIFICATES, _certificates),
    (JobKind.SENSITIVITY, _sensitivity),
    (JobKind.FEEDBACK, _feedback),
):
    jobs.register(
        str(kind),
        handler,
        audit_prefix=f"results.job.{kind}",
        errors=(ResultsError,),
        stale_seconds=_stale_seconds,
        # The certificates' own job only cuts the batch into chunks (results.certificates_
        # chunk, on "pdf"); the workbook, the sensitivity and the feedback drafts are a
        # minute's work at most.
        queue="default",
    )
