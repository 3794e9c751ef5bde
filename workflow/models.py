from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who changed what, when, from which state to which, and why.

    Moved here from agencies (the table keeps its name, agencies_auditentry), so that
    every layer can write it without importing an app above it."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    from_state = models.CharField(_("from"), max_length=64, blank=True)
    to_state = models.CharField(_("to"), max_length=64, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        db_table = "agencies_auditentry"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    # A running (or queued) job whose worker stopped sending heartbeats: its worker is
    # gone. Seen and marked by the runner (workflow.jobs.stale_mark); it may be re-run.
    STALE = "stale", _("Stopped (no sign of life)")


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


def job_file_path(instance, filename):
    return f"jobs/{instance.kind}/{instance.pk}-{filename}"


class Job(models.Model):
    """One background job of any kind (compile results, a workbook, certificates, a poll
    tally, an import), run by workflow.jobs: its progress and heartbeat, so that pages
    show a progress bar, its result and its files.

    The target is the object the job works on, named by its model label and id
    (`target_type` "awards.edition", `target_id` 12) rather than by a foreign key or a
    content type, so that this layer names no app above it and a job outlives nothing
    it should not: the app that owns the target deletes its jobs with it if it must.
    At most one job of a kind is active (queued or running) for a target (a database
    constraint); enqueueing again returns it. `params` is what the job was asked to do
    (the requester's options), `result` what it found or made."""

    kind = models.CharField(_("kind"), max_length=32)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.PositiveBigIntegerField(_("target id"))
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The requester's language: the job's messages and files are written in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    params = models.JSONField(_("options"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=job_file_path, max_length=300, blank=True)
    archive = models.FileField(
        _("archive of single files"), upload_to=job_file_path, max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "kind"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id"],
                condition=models.Q(status__in=[s.value for s in ACTIVE_JOB_STATUSES]),
                name="one_active_job_per_kind_and_target",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_le_100"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.target_type}#{self.target_id} · #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def messages(self) -> list[str]:
        """What to tell the requester about a failure: the handler's messages, or the
        error text."""
        found = (self.result or {}).get("messages") if isinstance(self.result, dict) else None
        return list(found) if found else ([self.error] if self.error else [])


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundMail(models.Model):
    """One e-mail the app sends: written in the same transaction as the change it tells
    about, sent afterwards by a background task (workflow.outbox), retried with backoff,
    and listed for the secretariat, who can resend what failed."""

    to_address = models.EmailField(_("recipient address"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recipient"),
    )
    language = models.CharField(_("language"), max_length=16)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MailStatus.choices, default=MailStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # What the mail is about ("awards.nomination", "42"), for the secretariat's list.
    object_type = models.CharField(_("about (type)"), max_length=64, blank=True)
    object_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    object_repr = models.CharField(_("about"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.to_address}: {self.subject}"


class Notification(models.Model):
    """One in-app notification: what the site told a user, shown behind the bell in the
    header and on the notifications page until read. Written by workflow.outbox
    `mail_queue` for every message with a recipient user, in the same transaction, so
    every e-mail the app sends is also a notification without its sender doing anything.
    `link` is the page of what it concerns (workflow.links), resolved when written."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    mail = models.OneToOneField(
        OutboundMail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
        verbose_name=_("e-mail"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    subject = models.CharField(_("subject"), max_length=300)
    link = models.CharField(_("link"), max_length=500, blank=True)
    object_type = models.CharField(_("about (type)"), max_length=64, blank=True)
    object_id = models.CharField(_("about (id)"), max_length=64, blank=True)
    object_repr = models.CharField(_("about"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.subject}"
