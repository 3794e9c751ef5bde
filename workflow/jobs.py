"""One runner for every background job (workflow.models.Job).

An app declares a kind of job once, with the function that does the work:

    jobs.register("results.compile", compile_handler, audit_prefix="results.job.compile",
                  errors=(ResultsError,))

(from its AppConfig.ready or a `jobs.py` module that ready() imports), so this module
names no app. Then:

- `enqueue(kind=..., target=obj, actor=..., params=..., language=...)` queues a job and
  sends the Celery task after commit. Idempotent: while a job of that kind is queued or
  running for the target, that job is returned (created=False) and nothing is queued.
  An active job whose heartbeat is older than the kind's threshold is marked stale first
  (its worker is gone), and a new one is queued.
- The task (workflow.tasks.job_run) calls `run(job_id)`: `claim` takes the job
  (queued → running, or a stale running job whose task was delivered again) under a row
  lock, exactly once; the handler is called in the requester's language as
  `handler(job, beat)`; `beat(progress)` commits progress and a heartbeat. The handler
  returns the result (a dict) and may set `job.file` / `job.archive`; the runner then
  finishes the job (running → done). A handler that must finish in its own transaction
  (with the rows it writes) calls `finish(job, ...)` itself. An exception of the kind's
  `errors` fails the job with its messages (running → failed); any other failure is
  recorded too and raised again, so that the worker logs it.
- `stale_mark()` marks every silent active job stale; `rerun(job)` queues the same work
  again (a new job with the same kind, target, options and language).
- A job spread over workers (parts): the handler calls `parts_plan(job, parts, units)`,
  sends one task per part itself and returns `CONTINUES`, so the runner leaves the job
  running. Each part's task takes its part with `part_claim` (once: a part whose worker
  still beats is never taken twice; one silent for the kind's threshold may be taken
  over), reports with `part_beat(job_id, index, units_done)` (the part's heartbeat, the
  job's heartbeat, and the job's progress counted in units over every part: a long part
  keeps the whole job alive) and ends with `part_done`, which says whether it was the
  last; the last one's task finishes the job (`finish`) or sends a task that does.

Every status change goes through JOB_WORKFLOW (workflow.transitions) and is audited as
`<audit_prefix>.start|done|fail|abandon`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    models,
    transaction,
)
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .models import ACTIVE_JOB_STATUSES, Job, JobStatus
from .transitions import Transition, Workflow

STALE_SECONDS = 120  # an active job silent this long has lost its worker

JOB_WORKFLOW = Workflow(
    model=Job,
    states=JobStatus,
    field="status",
    initial=(JobStatus.QUEUED,),
    audit_action="job.transition",
    transitions=[
        # System transitions: taken by the runner, never offered as a button.
        Transition("start", (JobStatus.QUEUED, JobStatus.RUNNING), JobStatus.RUNNING, _("Start")),
        Transition("finish", (JobStatus.RUNNING,), JobStatus.DONE, _("Finish")),
        Transition("fail", (JobStatus.QUEUED, JobStatus.RUNNING), JobStatus.FAILED, _("Fail")),
        Transition(
            "abandon", (JobStatus.QUEUED, JobStatus.RUNNING), JobStatus.STALE, _("Mark stopped")
        ),
    ],
)


# What a handler returns when its job goes on in other tasks (its parts): the runner
# then neither finishes nor fails it; the task that completes it calls finish().
CONTINUES = object()


class JobError(ValidationError):
    """A job refused or failed for a reason its requester can act on: its messages are
    shown on the job's page. Handlers may raise it (or a kind's own error classes)."""


Handler = Callable[[Job, Callable[[int], None]], dict | None]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    audit_prefix: str
    errors: tuple[type[BaseException], ...]
    stale_seconds: Callable[[], int] | None = None
    # Called (job, message) in the failing transaction, for the domain record's own note.
    on_fail: Callable[[Job, str], None] | None = None
    # An unexpected error (database, arithmetic, value, file) fails the job and is raised
    # again for the worker's log; False: the job's failure is the whole story.
    reraise: bool = True
    # The Celery queue its task is sent to (settings.CELERY_TASK_QUEUES; docs/scaling.md):
    # a long PDF batch or poll import never waits behind, nor delays, a compile or a mail.
    queue: str = "default"


kinds: dict[str, Kind] = {}


def register(
    name: str,
    handler: Handler,
    *,
    audit_prefix: str = "",
    errors: tuple[type[BaseException], ...] = (),
    stale_seconds: Callable[[], int] | None = None,
    on_fail: Callable[[Job, str], None] | None = None,
    reraise: bool = True,
    queue: str = "default",
) -> Kind:
    kind = Kind(
        name=name,
        handler=handler,
        audit_prefix=audit_prefix or f"job.{name}",
        errors=(JobError, *errors),
        stale_seconds=stale_seconds,
        on_fail=on_fail,
        reraise=reraise,
        queue=queue,
    )
    kinds[name] = kind
    return kind


def kind_of(job: Job) -> Kind:
    try:
        return kinds[job.kind]
    except KeyError:
        raise LookupError(f"no handler registered for job kind {job.kind!r}") from None


# --- targets and reads ----------------------------------------------------------------


def target_key(target: models.Model | tuple[str, int]) -> tuple[str, int]:
    """("app_label.model", pk) of a model instance, or the pair itself."""
    if isinstance(target, tuple):
        return target[0], int(target[1])
    return target._meta.label_lower, int(target.pk)


def jobs_for(target, kind: str | None = None, *, kinds_in=None) -> models.QuerySet[Job]:
    label, pk = target_key(target)
    qs = Job.objects.filter(target_type=label, target_id=pk).select_related("requested_by")
    if kind:
        qs = qs.filter(kind=kind)
    if kinds_in:
        qs = qs.filter(kind__in=list(kinds_in))
    return qs


def active_for(target, kind: str) -> Job | None:
    return jobs_for(target, kind).filter(status__in=ACTIVE_JOB_STATUSES).first()


def stale_seconds(kind: str) -> int:
    k = kinds.get(kind)
    if k is not None and k.stale_seconds is not None:
        return int(k.stale_seconds())
    return int(getattr(settings, "WORKFLOW_JOB_STALE_SECONDS", STALE_SECONDS))


def _stale_before(kind: str, now) -> datetime.datetime:
    return now - datetime.timedelta(seconds=stale_seconds(kind))


def is_stale(job: Job, now=None) -> bool:
    """An active job whose last sign of life is older than its kind's threshold."""
    if job.status not in ACTIVE_JOB_STATUSES:
        return False
    beat = job.heartbeat_at or job.requested_at
    return beat < _stale_before(job.kind, now or timezone.now())


# --- the writes -----------------------------------------------------------------------


def _audit(job: Job, event: str, *, actor=None, from_state="", reason="", data=None):
    audit_record(
        actor=actor if actor is not None else job.requested_by,
        action=f"{kind_of(job).audit_prefix}.{event}" if job.kind in kinds else f"job.{event}",
        obj=job,
        from_state=str(from_state),
        to_state=str(job.status),
        reason=reason[:500],
        data=data or {},
    )


def queue_of(kind: str) -> str:
    """The Celery queue a job of `kind` runs on."""
    k = kinds.get(kind)
    return k.queue if k is not None else "default"


def _send(job_id: int, kind: str) -> None:
    from .tasks import job_run

    job_run.apply_async(kwargs={"job_id": job_id}, queue=queue_of(kind))


def enqueue(
    *, kind: str, target, actor, params: dict | None = None, language: str = ""
) -> tuple[Job, bool]:
    """Queue a job of `kind` on `target` and send its task once the transaction commits.
    Returns (job, created): while one of that kind is active for the target, that one,
    and False. `language` defaults to the active language."""
    kind_of(Job(kind=kind))  # refuse an unknown kind before writing anything
    label, pk = target_key(target)
    now = timezone.now()
    with transaction.atomic():
        for active in Job.objects.select_for_update().filter(
            kind=kind, target_type=label, target_id=pk, status__in=ACTIVE_JOB_STATUSES
        ):
            if not is_stale(active, now):
                return active, False
            _abandon(active, now, actor=actor)
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    target_type=label,
                    target_id=pk,
                    requested_by=actor,
                    heartbeat_at=now,
                    language=language or translation.get_language() or settings.LANGUAGE_CODE,
                    params=dict(params or {}),
                )
        except IntegrityError:
            # Another request queued the same job between our lock and our insert.
            other = Job.objects.filter(
                kind=kind, target_type=label, target_id=pk, status__in=ACTIVE_JOB_STATUSES
            ).first()
            if other is None:
                raise
            return other, False
        _audit(job, "start", actor=actor, data=job.params)
        job_id = job.pk
        transaction.on_commit(lambda: _send(job_id, kind))
    return job, True


def rerun(job: Job, *, actor) -> tuple[Job, bool]:
    """Queue the same work again: a new job with the job's kind, target, options and
    language (the finished, failed or stale one stays as it was, for the record). A job
    still alive is returned as it is."""
    return enqueue(
        kind=job.kind,
        target=(job.target_type, job.target_id),
        actor=actor,
        params=job.params,
        language=job.language,
    )


def claim(job_id: int) -> Job | None:
    """Take a job for this worker: a queued one, or a running one whose worker went
    silent (its task delivered again, acks_late). None when the job is taken, finished
    or gone: running the task twice does the work once."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return None
        takeover = job.status == JobStatus.RUNNING and is_stale(job, now)
        if job.status != JobStatus.QUEUED and not takeover:
            return None
        JOB_WORKFLOW.apply(
            job,
            JobStatus.RUNNING,
            actor=job.requested_by,
            update={"started_at": now, "heartbeat_at": now, "progress": max(job.progress, 1)},
            audit=False,
            locked=job,
        )
    return Job.objects.select_related("requested_by").get(pk=job_id)


def beat(job_id: int, progress: int) -> bool:
    """Commit the job's progress (0–100) and a heartbeat. False if the job is no longer
    running (it was marked stale meanwhile): the handler may stop."""
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            progress=max(0, min(100, int(progress))), heartbeat_at=timezone.now()
        )
    )


def beat_for(kind: str, target, progress: int) -> bool:
    """beat() for the running job of `kind` on `target`, for code that knows its
    target rather than its job."""
    label, pk = target_key(target)
    return bool(
        Job.objects.filter(
            kind=kind, target_type=label, target_id=pk, status=JobStatus.RUNNING
        ).update(progress=max(0, min(100, int(progress))), heartbeat_at=timezone.now())
    )


def finish(job: Job, result: dict | None = None) -> Job:
    """running → done, with its result and the files the handler set on `job`."""
    now = timezone.now()
    update = {
        "progress": 100,
        "finished_at": now,
        "heartbeat_at": now,
        "error": "",
        "result": dict(result if result is not None else job.result or {}),
        "file": job.file,
        "archive": job.archive,
    }
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        from_state = locked.status
        JOB_WORKFLOW.apply(
            job, JobStatus.DONE, actor=None, update=update, audit=False, locked=locked
        )
        _audit(locked, "done", from_state=from_state, data=update["result"])
    job.__dict__.update({k: getattr(locked, k) for k in ("status", *update)})
    return job


def fail(job: Job, message: str = "", *, messages: list[str] | None = None, result=None) -> Job:
    """queued/running → failed, saying why (`messages` for the requester; `message`, or
    the messages joined, as the error text)."""
    messages = [str(m) for m in (messages or ([message] if message else []))]
    error = (message or " ".join(messages))[:4000]
    kind = kinds.get(job.kind)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        from_state = locked.status
        JOB_WORKFLOW.apply(
            job,
            JobStatus.FAILED,
            actor=None,
            update={
                "finished_at": timezone.now(),
                "error": error,
                "result": {**(result or {}), "messages": messages},
            },
            audit=False,
            locked=locked,
        )
        _audit(locked, "fail", from_state=from_state, reason=error)
        if kind is not None and kind.on_fail is not None:
            kind.on_fail(locked, error)
    job.__dict__.update(
        {k: getattr(locked, k) for k in ("status", "finished_at", "error", "result")}
    )
    return job


def _abandon(job: Job, now, *, actor=None) -> Job:
    beat_at = job.heartbeat_at or job.requested_at
    cause = "never_started" if job.status == JobStatus.QUEUED else "stopped"
    error = (
        f"No sign of life since {beat_at.isoformat()} ({cause}); marked stale at {now.isoformat()}."
    )
    from_state = job.status
    JOB_WORKFLOW.apply(
        job,
        JobStatus.STALE,
        actor=actor,
        update={
            "finished_at": now,
            "error": error,
            "result": {
                **(job.result or {}),
                "failure": {"cause": cause, "at": beat_at.isoformat()},
            },
        },
        audit=False,
        locked=job,
    )
    _audit(job, "abandon", actor=actor, from_state=from_state, reason=error)
    kind = kinds.get(job.kind)
    if kind is not None and kind.on_fail is not None:
        kind.on_fail(job, error)
    return job


def stale_mark(queryset: models.QuerySet[Job] | None = None, *, now=None, actor=None) -> int:
    """Mark stale every active job (of `queryset`, default all) whose worker went silent.
    Returns how many. Pages call it on the jobs they show, so a dead job is seen as such."""
    now = now or timezone.now()
    qs = Job.objects.all() if queryset is None else queryset
    candidates = [
        j.pk for j in qs.filter(status__in=ACTIVE_JOB_STATUSES).order_by() if is_stale(j, now)
    ]
    n = 0
    for pk in candidates:
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk).first()
            if job is not None and is_stale(job, now):
                _abandon(job, now, actor=actor)
                n += 1
    return n


def notice_stale(seen, *, now=None) -> list[Job]:
    """Mark stale those of the jobs a page has just read whose worker went silent, and
    return them as the page should show them. No query unless one is stale."""
    now = now or timezone.now()
    seen = [j for j in seen if j is not None]
    for job in seen:
        if is_stale(job, now):
            with transaction.atomic():
                locked = Job.objects.select_for_update().get(pk=job.pk)
                if is_stale(locked, now):
                    _abandon(locked, now)
                job.__dict__.update(
                    {k: getattr(locked, k) for k in ("status", "finished_at", "error", "result")}
                )
    return seen


# --- running ----------------------------------------------------------------------------


def run(job_id: int) -> Job:
    """Claim the job and run its handler (the Celery task calls this)."""
    job = claim(job_id)
    if job is None:
        return Job.objects.get(pk=job_id)
    kind = kind_of(job)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            result = kind.handler(job, lambda progress: beat(job.pk, progress))
    except kind.errors as exc:
        found = getattr(exc, "messages", None) or [str(exc)]
        with translation.override(job.language or settings.LANGUAGE_CODE):
            fail(job, messages=[str(m) for m in found])
    except (DatabaseError, ArithmeticError, ValueError, OSError) as exc:
        lost = isinstance(exc, (OperationalError, InterfaceError))
        if lost and not connection.in_atomic_block:
            connection.close()  # the next query opens a fresh connection to record this
        failure = {"cause": "database" if lost else "error", "at": timezone.now().isoformat()}
        fail(job, str(exc)[:2000], result={"failure": failure})
        if kind.reraise:
            raise
    else:
        current = Job.objects.filter(pk=job.pk).values_list("status", flat=True).get()
        if current == JobStatus.RUNNING and result is not CONTINUES:
            finish(job, result)
    job = Job.objects.select_related("requested_by").get(pk=job.pk)
    return job


# --- a job in parts, run by several workers -----------------------------------------------
#
# The plan lives in the job's result while it runs ("parts"), under the job's row lock:
#   {"total": parts, "units": units, "low": 10, "high": 95,
#    "claims": {"3": {"at": iso, "beat": iso, "units": 20}}, "done": {"0": {...}}}
# finish() replaces the result with the job's own, so nothing of it outlives the job.


def parts_plan(job: Job, parts: int, units: int, *, low: int = 10, high: int = 95, data=None):
    """Declare that `job` (running) is done in `parts` parts, `units` of work in all (e.g.
    certificates), its progress going from `low` to `high` as units are done. `data` is
    kept beside the plan (what every part needs to know)."""
    now = timezone.now()
    plan = {
        "total": int(parts),
        "units": max(1, int(units)),
        "low": int(low),
        "high": int(high),
        "claims": {},
        "done": {},
        "data": dict(data or {}),
    }
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        result = {**(locked.result or {}), "parts": plan}
        Job.objects.filter(pk=job.pk).update(
            result=result, heartbeat_at=now, progress=max(locked.progress, low)
        )
    job.result = result
    return plan


def parts_of(job: Job) -> dict:
    return (job.result or {}).get("parts") or {}


def _parts_progress(plan: dict) -> int:
    done = sum(int(d.get("units", 0)) for d in plan["done"].values())
    done += sum(int(c.get("units", 0)) for c in plan["claims"].values())
    span = plan["high"] - plan["low"]
    return plan["low"] + span * min(done, plan["units"]) // plan["units"]


def _part_locked(job_id: int):
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status != JobStatus.RUNNING or not parts_of(job):
        return None, None
    return job, parts_of(job)


def _part_save(job: Job, plan: dict, now) -> None:
    progress = max(job.progress, _parts_progress(plan))
    job.result = {**(job.result or {}), "parts": plan}
    Job.objects.filter(pk=job.pk).update(result=job.result, heartbeat_at=now, progress=progress)
    job.progress, job.heartbeat_at = progress, now


def part_is_stale(job: Job, index: int, now=None) -> bool:
    """A claimed part whose worker has been silent for the kind's threshold."""
    claim = parts_of(job).get("claims", {}).get(str(index))
    if claim is None:
        return False
    beat_at = datetime.datetime.fromisoformat(claim["beat"])
    return beat_at < _stale_before(job.kind, now or timezone.now())


def part_claim(job_id: int, index: int) -> bool:
    """Take part `index` of the job for this worker. False (do nothing) when the job is
    no longer running, the part is done, or another worker holds it and still beats: a
    part delivered twice is done once. A part whose worker went silent is taken over."""
    now = timezone.now()
    with transaction.atomic():
        job, plan = _part_locked(job_id)
        if job is None or str(index) in plan["done"]:
            return False
        key = str(index)
        if key in plan["claims"] and not part_is_stale(job, index, now):
            return False
        taken = plan["claims"].get(key)
        plan["claims"][key] = {
            "at": now.isoformat(),
            "beat": now.isoformat(),
            "units": 0,
            "takeovers": int(taken.get("takeovers", 0)) + 1 if taken else 0,
        }
        _part_save(job, plan, now)
    return True


def part_beat(job_id: int, index: int, units_done: int | None = None) -> bool:
    """A sign of life from part `index` (and `units_done` of its units so far): the
    part's heartbeat, the job's heartbeat and its progress over every part. False if the
    job stopped running or the part is no longer this worker's: the part may stop."""
    now = timezone.now()
    with transaction.atomic():
        job, plan = _part_locked(job_id)
        claim = plan["claims"].get(str(index)) if plan else None
        if claim is None:
            return False
        claim["beat"] = now.isoformat()
        if units_done is not None:
            claim["units"] = max(int(claim.get("units", 0)), int(units_done))
        _part_save(job, plan, now)
    return True


def part_done(job_id: int, index: int, units: int, data: dict | None = None) -> bool | None:
    """Part `index` is done (`units` of work, `data` for whoever completes the job). True
    when it was the last part (exactly one caller sees True), False when others remain,
    None when the job stopped running meanwhile (the part's work is not counted)."""
    now = timezone.now()
    with transaction.atomic():
        job, plan = _part_locked(job_id)
        if job is None:
            return None
        key = str(index)
        if key in plan["done"]:
            return False
        plan["claims"].pop(key, None)
        plan["done"][key] = {**(data or {}), "units": int(units)}
        _part_save(job, plan, now)
        return len(plan["done"]) == plan["total"]


def parts_done(job: Job) -> list[dict]:
    """The data of every done part, in the parts' order."""
    done = parts_of(job).get("done", {})
    return [done[key] for key in sorted(done, key=int)]
