"""The household telephone poll: a poll per edition, its sample, calls, responses,
imports of the polling firm's file and tally runs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import localized
from workflow.models import JobStatus

from .enums import (
    Disposition,
    ImportKind,
    ImportStatus,
    PollStatus,
    ResponseSource,
    TieRule,
)


class Poll(models.Model):
    edition = models.OneToOneField(
        "awards.Edition", on_delete=models.PROTECT, related_name="poll", verbose_name=_("edition")
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    question_zh = models.TextField(_("question (Chinese)"))
    question_en = models.TextField(_("question (English)"), blank=True)
    suggestion_question_zh = models.TextField(_("suggestion question (Chinese)"), blank=True)
    suggestion_question_en = models.TextField(_("suggestion question (English)"), blank=True)
    target_sample_size = models.PositiveIntegerField(_("target number of completes"))
    award_places = models.PositiveSmallIntegerField(_("award places"), default=3)
    tie_rule = models.CharField(
        _("tie rule"), max_length=16, choices=TieRule.choices, default=TieRule.SHARE
    )
    sampling_frame_zh = models.TextField(_("sampling frame (Chinese)"), blank=True)
    sampling_frame_en = models.TextField(_("sampling frame (English)"), blank=True)
    fieldwork_starts_on = models.DateField(_("fieldwork starts"), null=True, blank=True)
    fieldwork_ends_on = models.DateField(_("fieldwork ends"), null=True, blank=True)
    # The interviewers who work on this poll; none listed: every poll interviewer may.
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("interviewers")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    published_run = models.ForeignKey(
        "PollTallyRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published tally"),
    )

    class Meta:
        verbose_name = _("telephone poll")
        verbose_name_plural = _("telephone polls")
        ordering = ["-edition__number"]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return localized(self, "title")

    @property
    def question(self):
        return localized(self, "question")

    @property
    def sampling_frame(self):
        return localized(self, "sampling_frame")

    @property
    def suggestion_question(self):
        return localized(self, "suggestion_question")


class PollCandidate(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("poll")
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["poll", "order", "agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "agency"], name="unique_poll_candidate"),
        ]

    def __str__(self):
        return str(self.agency)


class Stratum(models.Model):
    """A weighting cell (e.g. a district) with its share of the population."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="strata", verbose_name=_("poll")
    )
    code = models.CharField(_("code"), max_length=32)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    population_share = models.DecimalField(_("population share"), max_digits=7, decimal_places=6)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("stratum")
        verbose_name_plural = _("strata")
        ordering = ["poll", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "code"], name="unique_stratum_code"),
            models.CheckConstraint(
                condition=models.Q(population_share__gt=0, population_share__lte=1),
                name="stratum_share_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Household(models.Model):
    """A sampled household. No raw phone number is stored: only a keyed hash of it."""

    # (poll, ref) is unique: that index serves lookups by poll, so no separate FK index
    poll = models.ForeignKey(
        Poll,
        on_delete=models.CASCADE,
        related_name="households",
        verbose_name=_("poll"),
        db_index=False,
    )
    ref = models.CharField(_("household id"), max_length=40)
    stratum = models.ForeignKey(
        Stratum,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("stratum"),
        db_index=False,
    )
    phone_hash = models.CharField(_("phone number (keyed hash)"), max_length=64, blank=True)
    disposition = models.CharField(
        _("last disposition"), max_length=16, choices=Disposition.choices, blank=True
    )
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("calls made"), default=0)
    leased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("in the hands of"),
    )
    leased_until = models.DateTimeField(_("held until"), null=True, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["poll", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "ref"], name="unique_household_ref"),
            models.UniqueConstraint(
                fields=["poll", "phone_hash"],
                condition=~models.Q(phone_hash=""),
                name="unique_household_phone",
            ),
        ]
        indexes = [models.Index(fields=["poll", "disposition", "callback_at"])]

    def __str__(self):
        return self.ref


class CallAttempt(models.Model):
    """One call to one household by one interviewer (or one row of the firm's file)."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="calls", verbose_name=_("household")
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=ResponseSource.choices,
        default=ResponseSource.INTERVIEWER,
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.household_id} · {self.disposition}"


class Response(models.Model):
    """A completed (or partial) interview. One household gives at most one response,
    hence at most one vote. `stratum` is copied from the household so the tally is one
    GROUP BY over this table."""

    # The composite index (poll, disposition, stratum, candidate) serves the tally and
    # lookups by poll; fewer indexes keep bulk imports fast (see bench/poll.py).
    poll = models.ForeignKey(
        Poll,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("poll"),
        db_index=False,
    )
    household = models.OneToOneField(
        Household, on_delete=models.CASCADE, related_name="response", verbose_name=_("household")
    )
    stratum = models.ForeignKey(
        Stratum, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices)
    candidate = models.ForeignKey(
        PollCandidate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("vote"),
    )
    suggestion = models.TextField(_("suggestion"), blank=True)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("interviewer"),
        db_index=False,
    )
    source = models.CharField(_("source"), max_length=16, choices=ResponseSource.choices)
    batch = models.ForeignKey(
        "PollImport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
        db_index=False,
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["poll", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disposition__in=["complete", "partial"]),
                name="response_is_interview",
            ),
            models.CheckConstraint(
                condition=models.Q(candidate__isnull=True) | models.Q(disposition="complete"),
                name="vote_only_in_complete_interview",
            ),
        ]
        indexes = [models.Index(fields=["poll", "disposition", "stratum", "candidate"])]

    def __str__(self):
        return f"{self.household_id} · {self.disposition}"


class PollImport(models.Model):
    """An uploaded file, its column mapping, and the outcome of validating it."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="imports", verbose_name=_("poll")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64, db_index=True)
    # Imports uploaded before the file went to storage kept their bytes here.
    content = models.BinaryField(_("content"), blank=True, default=b"")
    # The uploaded file, streamed to storage by the upload request and read by the job.
    file = models.FileField(_("file"), upload_to="poll-imports/%Y/%m/", blank=True, max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    headers = models.JSONField(_("columns"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    imported_count = models.PositiveIntegerField(_("rows imported"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The uploader's language: the background job writes its messages in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    # The background job that reads and applies every row (a workflow.Job of kind
    # "poll_import" whose target is this import; the latest one): empty until the column
    # mapping is confirmed. Its state is read through the properties below.
    job = models.OneToOneField(
        "workflow.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("background job"),
    )

    class Meta:
        verbose_name = _("poll import")
        verbose_name_plural = _("poll imports")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "kind", "sha256"],
                condition=models.Q(status="imported"),
                name="import_once_per_content",
            ),
        ]

    def __str__(self):
        return self.filename

    @property
    def is_active(self) -> bool:
        return bool(self.job_id) and self.job.is_active

    # The job's state (workflow.Job is the one place it is kept).
    @property
    def job_status(self) -> str:
        return self.job.status if self.job_id else ""

    def get_job_status_display(self) -> str:
        return self.job.get_status_display() if self.job_id else ""

    @property
    def progress(self) -> int:
        return self.job.progress if self.job_id else 0

    @property
    def heartbeat_at(self):
        return self.job.heartbeat_at if self.job_id else None

    @property
    def started_at(self):
        return self.job.started_at if self.job_id else None

    @property
    def error(self) -> str:
        return self.job.error if self.job_id else ""

    @property
    def may_apply(self) -> bool:
        """The column mapping may be (re)confirmed: uploaded or rejected, no job queued
        or running, none failed."""
        return self.status in (ImportStatus.UPLOADED, ImportStatus.REJECTED) and (
            self.job_status in ("", JobStatus.DONE)
        )

    @property
    def may_retry(self) -> bool:
        """The job stopped because the database connection was lost (nothing was
        imported; the file is still stored): the same mapping may be run again."""
        if self.status not in (ImportStatus.UPLOADED, ImportStatus.REJECTED):
            return False
        if self.job_status != JobStatus.FAILED:
            return False
        return (self.job.result or {}).get("failure", {}).get("cause") == "database"

    @property
    def normalised_codes(self) -> list[dict]:
        """Agency codes the job read in their NFKC form (full-width look-alikes)."""
        return (self.job.result or {}).get("normalised", []) if self.job_id else []


class PollTallyRun(models.Model):
    """One tally of a poll: what it counted (`inputs`) and found (`results`). The work is
    a workflow.Job (kind "tally", its target the poll, so one runs at a time per poll);
    `job` is this run's, and its state is read through the properties below."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="tally_runs", verbose_name=_("poll")
    )
    job = models.OneToOneField(
        "workflow.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("background job"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    inputs = models.JSONField(_("inputs counted"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)

    class Meta:
        verbose_name = _("tally run")
        verbose_name_plural = _("tally runs")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.poll} · #{self.pk}"

    # The job's state (workflow.Job is the one place it is kept).
    def _job(self, name, default=None):
        return getattr(self.job, name) if self.job_id else default

    @property
    def status(self) -> str:
        return self._job("status", "")

    def get_status_display(self) -> str:
        return self.job.get_status_display() if self.job_id else ""

    @property
    def progress(self) -> int:
        return self._job("progress", 0)

    @property
    def heartbeat_at(self):
        return self._job("heartbeat_at")

    @property
    def started_at(self):
        return self._job("started_at")

    @property
    def finished_at(self):
        return self._job("finished_at")

    @property
    def error(self) -> str:
        return self._job("error", "")

    @property
    def is_active(self) -> bool:
        return bool(self.job_id) and self.job.is_active
