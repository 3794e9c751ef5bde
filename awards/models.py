"""The award cycle as data: scheme -> edition -> categories and stages."""

import datetime
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import localized

from .enums import (
    CategoryKind,
    NominationState,
    NomineeKind,
    NoteVisibility,
    ReminderAudience,
    SectionKind,
    StageKind,
)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("“%(tz)s” is not a known time zone."), params={"tz": value}
        ) from exc


class AwardScheme(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    organiser_zh = models.CharField(_("organiser (Chinese)"), max_length=200, blank=True)
    organiser_en = models.CharField(_("organiser (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    nominee_retention_months = models.PositiveSmallIntegerField(
        _("keep nominees' personal data for (months)"),
        default=24,
        help_text=_(
            "After the edition's last stage, how long individual and team nominees' personal "
            "data is kept before it may be erased on request."
        ),
    )

    class Meta:
        verbose_name = _("award scheme")
        verbose_name_plural = _("award schemes")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def organiser(self):
        return localized(self, "organiser")

    @property
    def description(self):
        return localized(self, "description")


class Edition(models.Model):
    """One cycle (屆別) of a scheme. Past editions may carry only their published counts."""

    scheme = models.ForeignKey(
        AwardScheme, on_delete=models.PROTECT, related_name="editions", verbose_name=_("scheme")
    )
    number = models.PositiveSmallIntegerField(_("edition number"))
    year_label = models.CharField(
        _("year"),
        max_length=40,
        blank=True,
        help_text=_("As the scheme writes it, e.g. 2016 or 2002–03."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Taipei", validators=[validate_time_zone]
    )
    uses_recommendation = models.BooleanField(
        _("competent authorities recommend nominations"), default=True
    )
    recorded_participants = models.PositiveIntegerField(
        _("participants (recorded)"),
        null=True,
        blank=True,
        help_text=_("Published counts for past editions run outside this system."),
    )
    recorded_finalists = models.PositiveIntegerField(
        _("finalists (recorded)"), null=True, blank=True
    )
    recorded_winners = models.PositiveIntegerField(_("winners (recorded)"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        help_text=_(
            "Its nominations, scores and results are invented (the demo): the history "
            "statistics label it and leave it out of the totals."
        ),
    )
    recommendation_quota = models.PositiveSmallIntegerField(
        _("recommendations per competent authority"),
        null=True,
        blank=True,
        help_text=_("Blank: no limit."),
    )
    section_max_chars = models.PositiveIntegerField(
        _("characters per dossier section"), default=3000
    )
    attachment_max_mb = models.PositiveSmallIntegerField(_("size limit per file (MB)"), default=10)
    dossier_attachments_max_mb = models.PositiveSmallIntegerField(
        _("size limit of all attachments of a dossier (MB)"), default=30
    )

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["scheme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="unique_edition_number"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Category(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="categories", verbose_name=_("edition")
    )
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=32, choices=CategoryKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    nominations_per_agency = models.PositiveSmallIntegerField(
        _("nominations per agency"), default=1
    )
    rubric = models.OneToOneField(
        "rubrics.Rubric",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="category",
        verbose_name=_("rubric"),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["edition", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="unique_category_code"),
        ]

    def __str__(self):
        # Named with its edition: every edition has a "第一線服務機關", and a dropdown of
        # three identical names says nothing. Load the edition with select_related.
        return f"{self.name} · {self.edition.name}"

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")

    @property
    def nominee_kind(self) -> str:
        """Whom the category's nominations are for, by its kind: an individual or a team
        (of the nominating agency), else the agency itself."""
        return {
            CategoryKind.INDIVIDUAL: NomineeKind.INDIVIDUAL,
            CategoryKind.TEAM: NomineeKind.TEAM,
        }.get(self.kind, NomineeKind.AGENCY)


class Stage(models.Model):
    """A step of the cycle with inclusive dates in the edition's time zone. Whether it is
    open is derived from those dates (awards.selectors), never set by hand."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="stages", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=StageKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    allows_dossier_edit = models.BooleanField(_("agencies may edit dossiers"), default=False)
    allows_scoring = models.BooleanField(_("reviewers may score"), default=False)
    reviewers_see_others = models.BooleanField(
        _("reviewers see each other's scores"), default=False
    )
    is_site_visit = models.BooleanField(_("site visit"), default=False)
    reviewers_per_dossier = models.PositiveSmallIntegerField(
        _("reviewers per dossier"),
        default=3,
        help_text=_("How many reviewers automatic assignment gives each dossier."),
    )
    score_weight = models.PositiveSmallIntegerField(
        _("weight in the final score (%)"),
        default=0,
        help_text=_(
            "How this stage's scores count in the final score, e.g. 30 for written review "
            "and 70 for the final review. Stages weighted 0 do not count."
        ),
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["edition", "order", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="stage_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A stage cannot end before it starts.")})

    def is_open_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Nomination(models.Model):
    """An agency's entry in one category of one edition, with its self-nomination dossier
    (自薦書). `state` changes only through awards.services.nomination_transition."""

    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("edition")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("category")
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("agency"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=NominationState.choices,
        default=NominationState.DRAFT,
        db_index=True,
    )
    recommendation_rank = models.PositiveSmallIntegerField(
        _("recommendation rank"), null=True, blank=True
    )
    recommended_at = models.DateTimeField(
        _("recommended"),
        null=True,
        blank=True,
        help_text=_(
            "When the competent authority recommended it; kept whatever happens next, so the "
            "recommendation counts in the quota until the authority itself takes it back."
        ),
    )
    state_reason = models.TextField(_("reason for the last change"), blank=True)
    state_reason_visibility = models.CharField(
        _("who may read the reason"),
        max_length=16,
        choices=NoteVisibility.choices,
        default=NoteVisibility.INTERNAL,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["edition_id", "category_id", "id"]
        indexes = [models.Index(fields=["edition", "state"])]

    def __str__(self):
        return f"{self.agency.name} · {self.category.name}"

    @property
    def takes_nominee(self) -> bool:
        """Whether the nomination is for an individual or a team of the agency."""
        return self.category.nominee_kind != NomineeKind.AGENCY

    @property
    def nominee_or_none(self):
        """The Nominee, or None while the department has not given it (load with
        select_related("nominee"))."""
        return getattr(self, "nominee", None)

    @property
    def agency_reason(self) -> str:
        """The reason for the last change if the agency may read it, else ""."""
        if self.state_reason_visibility == NoteVisibility.AGENCY:
            return self.state_reason
        return ""


class Nominee(models.Model):
    """The person or team a nomination is for, in a category that takes individuals or
    teams (Category.nominee_kind). The nomination stays the agency's (the department
    nominates, sees and edits it). Personal data: the department, the secretariat and the
    assigned reviewers see it (awards.rules / scoring.rules); public pages show the name
    only with `public_consent`. Written only through awards.nominees."""

    nomination = models.OneToOneField(
        Nomination, on_delete=models.CASCADE, related_name="nominee", verbose_name=_("nomination")
    )
    kind = models.CharField(_("nominee"), max_length=16, choices=NomineeKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    post = models.CharField(_("post"), max_length=200, blank=True)
    unit = models.CharField(_("unit (division or section)"), max_length=200, blank=True)
    public_consent = models.BooleanField(
        _("the nominee agrees to be named on public pages"), default=False
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last saved"), default=timezone.now)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class TeamMember(models.Model):
    nominee = models.ForeignKey(
        Nominee, on_delete=models.CASCADE, related_name="members", verbose_name=_("team")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    post = models.CharField(_("post"), max_length=200)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["nominee", "order", "id"]

    def __str__(self):
        return self.name


class DossierSection(models.Model):
    """One section of the dossier: a general one (profile, contact, statistics) or one per
    rubric indicator. `version` grows with each save so a stale save can be refused."""

    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("nomination"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SectionKind.choices)
    indicator = models.ForeignKey(
        "rubrics.Indicator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("indicator"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading_zh = models.CharField(_("heading (Chinese)"), max_length=200)
    heading_en = models.CharField(_("heading (English)"), max_length=200, blank=True)
    guidance_zh = models.TextField(_("guidance (Chinese)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    max_points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    max_chars = models.PositiveIntegerField(_("character limit"))
    required = models.BooleanField(_("required"), default=True)
    body = models.TextField(_("text"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last saved by"),
    )

    class Meta:
        verbose_name = _("dossier section")
        verbose_name_plural = _("dossier sections")
        ordering = ["nomination_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "order"], name="unique_section_order"),
        ]

    def __str__(self):
        return self.heading

    @property
    def heading(self):
        return localized(self, "heading")

    @property
    def guidance(self) -> list[str]:
        text = localized(self, "guidance")
        return [line.strip() for line in text.splitlines() if line.strip()]


class SectionRevision(models.Model):
    """Every text ever saved to a section, and every save refused as stale: nothing typed
    is lost, and a conflict keeps both texts."""

    section = models.ForeignKey(
        DossierSection,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("section"),
    )
    body = models.TextField(_("text"))
    based_on_version = models.PositiveIntegerField(_("based on version"))
    accepted = models.BooleanField(_("accepted"), default=True)
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        verbose_name = _("section revision")
        verbose_name_plural = _("section revisions")
        ordering = ["-saved_at", "-id"]

    def __str__(self):
        return f"{self.section} @ {self.saved_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename):
    # Safe generated names; the user's (possibly Chinese) file name is kept in original_name.
    return f"dossiers/{instance.nomination_id}/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("nomination"),
    )
    section = models.ForeignKey(
        DossierSection,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("section"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    removed_at = models.DateTimeField(
        _("removed"),
        null=True,
        blank=True,
        help_text=_("Removed from the dossier but kept: an earlier submitted version cites it."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["nomination_id", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        return "." + self.file_type if self.file_type else ""


def submission_pdf_path(instance, filename):
    return f"snapshots/{instance.nomination_id}/v{instance.version}-{uuid.uuid4().hex[:12]}.pdf"


class Submission(models.Model):
    """A submitted version of a dossier, frozen: its text, its attachments' checksums and
    the PDF snapshot reviewers read, with that PDF's SHA-256."""

    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("nomination"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    content = models.JSONField(_("content"))
    pdf = models.FileField(_("PDF snapshot"), upload_to=submission_pdf_path, max_length=300)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["nomination_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "version"], name="unique_submission_version"
            ),
        ]

    def __str__(self):
        return f"{self.nomination} v{self.version}"


class ReminderRule(models.Model):
    """A deadline reminder: `days_before` days before `stage` closes (its last day, in
    the edition's time zone), e-mail the audience that still owes something (editors of
    draft dossiers, competent authorities that have not recommended). Configured by the
    secretariat on the stage timetable; sent by awards.reminders (Celery beat), once per
    rule and person (ReminderSent)."""

    stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, related_name="reminder_rules", verbose_name=_("stage")
    )
    audience = models.CharField(_("to"), max_length=32, choices=ReminderAudience.choices)
    days_before = models.PositiveSmallIntegerField(_("days before the stage ends"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["stage", "-days_before", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "audience", "days_before"], name="one_reminder_rule_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.stage} · {self.get_audience_display()} · {self.days_before}"

    @property
    def send_on(self) -> datetime.date:
        return self.stage.ends_on - datetime.timedelta(days=self.days_before)


class ReminderSent(models.Model):
    """One deadline reminder sent to one person: at most one per rule and person."""

    rule = models.ForeignKey(
        ReminderRule, on_delete=models.CASCADE, related_name="sent", verbose_name=_("rule")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline reminder sent")
        verbose_name_plural = _("deadline reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["rule", "user"], name="one_reminder_per_rule_and_user"),
        ]

    def __str__(self):
        return f"{self.rule} → {self.user_id}"


class ReminderOptOut(models.Model):
    """A user who asked for no deadline reminders (set on their own messages page)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_opt_out",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("deadline reminder opt-out")
        verbose_name_plural = _("deadline reminder opt-outs")

    def __str__(self):
        return str(self.user)
