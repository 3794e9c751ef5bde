"""Scoring: review policies, panels, conflicts, assignments, reviews and their scores
against the rubric (rubrics.Indicator), tie decisions and site tests."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.enums import AffiliationType
from agencies.models import localized
from rubrics.models import Indicator

from .enums import (
    Aggregation,
    ConflictSource,
    MemberKind,
    MemberState,
    ReviewState,
    SiteTestKind,
)


class ReviewPolicy(models.Model):
    """How an edition's review works: conflicts, aggregation, disagreement. One per edition,
    created with defaults when first needed (scoring.services.review_policy)."""

    edition = models.OneToOneField(
        "awards.Edition",
        on_delete=models.CASCADE,
        related_name="review_policy",
        verbose_name=_("edition"),
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.MEAN
    )
    disagreement_percent = models.PositiveSmallIntegerField(
        _("disagreement threshold (percent of the rubric total)"),
        default=20,
        help_text=_(
            "A dossier whose reviewers' totals differ by more than this is flagged for moderation."
        ),
    )
    conflicts_cover_authority = models.BooleanField(
        _("a conflict with an agency covers every agency under its competent authority"),
        default=True,
    )
    zscore_min_reviews = models.PositiveSmallIntegerField(
        _("z-score: fewest reviews per reviewer to normalise"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Under z-score normalisation, a reviewer who scored fewer dossiers than this in a "
            "stage and category is counted with raw scores."
        ),
    )

    class Meta:
        verbose_name = _("review policy")
        verbose_name_plural = _("review policies")

    def __str__(self):
        return str(self.edition)


class Panel(models.Model):
    """The reviewers (評審委員) of one category of one edition."""

    edition = models.ForeignKey(
        "awards.Edition", on_delete=models.CASCADE, related_name="panels", verbose_name=_("edition")
    )
    category = models.OneToOneField(
        "awards.Category",
        on_delete=models.CASCADE,
        related_name="panel",
        verbose_name=_("category"),
    )

    class Meta:
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        ordering = ["edition", "category__order", "category__code"]

    def __str__(self):
        return str(self.category)


class PanelMember(models.Model):
    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="members", verbose_name=_("panel")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="panel_memberships",
        verbose_name=_("member"),
    )
    kind = models.CharField(
        _("serves as"), max_length=16, choices=MemberKind.choices, default=MemberKind.REVIEWER
    )
    affiliation_type = models.CharField(
        _("affiliation type"), max_length=32, choices=AffiliationType.choices
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    # Invited when the secretariat adds someone (scoring.services.panels); members made
    # directly (demo data, older rows) count as accepted.
    state = models.CharField(
        _("invitation"), max_length=16, choices=MemberState.choices, default=MemberState.ACCEPTED
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        ordering = ["panel", "-is_chair", "id"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="unique_panel_member"),
            models.UniqueConstraint(
                fields=["panel"], condition=models.Q(is_chair=True), name="one_chair_per_panel"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.panel}"


class Conflict(models.Model):
    """利益迴避: this reviewer must not review this agency's dossiers in this edition."""

    edition = models.ForeignKey(
        "awards.Edition",
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("edition"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("reviewer"),
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("agency"),
    )
    source = models.CharField(_("source"), max_length=16, choices=ConflictSource.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["edition", "reviewer", "agency__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "reviewer", "agency"], name="unique_conflict"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} ✕ {self.agency}"


class ConflictDeclaration(models.Model):
    """A reviewer has declared their conflicts for an edition (possibly none). Until they
    have, they see no dossier."""

    edition = models.ForeignKey(
        "awards.Edition", on_delete=models.CASCADE, related_name="+", verbose_name=_("edition")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conflict_declarations",
        verbose_name=_("reviewer"),
    )
    declared_at = models.DateTimeField(_("declared"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict declaration")
        verbose_name_plural = _("conflict declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "reviewer"], name="unique_conflict_declaration"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} · {self.edition}"


class Assignment(models.Model):
    """One reviewer (or site assessor) reviews one nomination in one stage."""

    stage = models.ForeignKey(
        "awards.Stage",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("stage"),
    )
    nomination = models.ForeignKey(
        "awards.Nomination",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("nomination"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("reviewer"),
    )
    kind = models.CharField(
        _("serves as"), max_length=16, choices=MemberKind.choices, default=MemberKind.REVIEWER
    )
    created_at = models.DateTimeField(_("assigned"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["stage", "nomination", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "nomination", "reviewer"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="unique_active_assignment",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "stage"])]

    def __str__(self):
        return f"{self.reviewer} → {self.nomination} ({self.stage})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Review(models.Model):
    """A reviewer's scoring of one assignment: a score per indicator and an overall
    comment. `version` grows with each save so a stale tab cannot overwrite a newer save."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    overall_comment = models.TextField(_("overall comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # The submitted review's sums, kept by review_transition (scoring.services.reviews):
    # written when the review becomes submitted, cleared when it leaves that state. The
    # standings read these instead of summing every score (issue 15); NULL means not
    # stored, and the standings then sum the scores themselves. In tenths of a point:
    # points have one decimal, so the sums are exact integers.
    total_tenths = models.PositiveIntegerField(_("total (tenths of a point)"), null=True)
    scored_count = models.PositiveSmallIntegerField(_("indicators scored"), null=True)
    # {"d<dimension id>": sum in tenths}, for the dimensions with any points (a key that
    # is not a number: JSON lookups read a numeric key as an array index).
    dimension_tenths = models.JSONField(_("sums per dimension"), null=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return str(self.assignment)


class Score(models.Model):
    """One reviewer's points on one indicator, within a review. Any score freezes the
    rubric."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("indicator")
    )
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["review", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["review", "indicator"], name="unique_score"),
            models.CheckConstraint(
                condition=models.Q(points__gte=0) | models.Q(points__isnull=True),
                name="score_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.points}"


class ReviewRevision(models.Model):
    """Every save, submission and reopening of a review, with all its scores at that
    moment; a save refused as stale is kept too. This is the score history."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("review")
    )
    event = models.CharField(_("event"), max_length=16)
    based_on_version = models.PositiveIntegerField(_("based on version"))
    accepted = models.BooleanField(_("accepted"), default=True)
    scores = models.JSONField(_("scores"), default=dict)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        verbose_name = _("review revision")
        verbose_name_plural = _("review revisions")
        ordering = ["-saved_at", "-id"]

    def __str__(self):
        return f"{self.review} · {self.event} v{self.based_on_version}"


class TieDecision(models.Model):
    """The chair's recorded order for dossiers still tied after the edition's rules."""

    stage = models.ForeignKey(
        "awards.Stage", on_delete=models.CASCADE, related_name="+", verbose_name=_("stage")
    )
    nomination = models.ForeignKey(
        "awards.Nomination",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("nomination"),
    )
    position = models.PositiveSmallIntegerField(_("position among the tied"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("tie decision")
        verbose_name_plural = _("tie decisions")
        constraints = [
            models.UniqueConstraint(fields=["stage", "nomination"], name="unique_tie_decision"),
        ]

    def __str__(self):
        return f"{self.nomination} #{self.position}"


def site_evidence_path(instance, filename):
    return f"site-tests/{instance.site_test_id}/{uuid.uuid4().hex}.{instance.file_type}"


class SiteTest(models.Model):
    """A mystery-shopper test logged by a site assessor during a site-visit stage."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="site_tests",
        verbose_name=_("assignment"),
    )
    kind = models.CharField(_("test"), max_length=16, choices=SiteTestKind.choices)
    tested_at = models.DateTimeField(_("date and time of the test"))
    subject = models.CharField(_("what was tested"), max_length=300)
    findings = models.TextField(_("findings"))
    indicators = models.ManyToManyField(
        Indicator, related_name="site_tests", blank=True, verbose_name=_("indicators it bears on")
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now)

    class Meta:
        verbose_name = _("site test")
        verbose_name_plural = _("site tests")
        ordering = ["assignment", "tested_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.tested_at:%Y-%m-%d %H:%M}"


class SiteTestEvidence(models.Model):
    site_test = models.ForeignKey(
        SiteTest, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("site test")
    )
    file = models.FileField(_("file"), upload_to=site_evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name


class ReminderSent(models.Model):
    """A reminder e-mail already sent, so the daily job never sends it twice."""

    stage = models.ForeignKey("awards.Stage", on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "reviewer", "sent_on"], name="unique_reminder"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} · {self.stage} · {self.sent_on}"


class Recusal(models.Model):
    """A reviewer stepped back from one dossier (迴避) from the scoring form, with a
    reason. Their assignment is withdrawn and they are never assigned this dossier again
    in the edition (scoring.services.assignment treats it as a conflict)."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="recusal", verbose_name=_("assignment")
    )
    nomination = models.ForeignKey(
        "awards.Nomination",
        on_delete=models.CASCADE,
        related_name="recusals",
        verbose_name=_("nomination"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="recusals",
        verbose_name=_("reviewer"),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("recused"), default=timezone.now)

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.reviewer} ⊘ {self.nomination}"


class ExpertiseArea(models.Model):
    """An area of expertise a scheme defines (e.g. 戶政, 地政, 稅務): reviewers hold
    areas, agencies have a service area, auto-assignment prefers matches."""

    scheme = models.ForeignKey(
        "awards.AwardScheme",
        on_delete=models.CASCADE,
        related_name="expertise_areas",
        verbose_name=_("award scheme"),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="expertise_areas",
        blank=True,
        verbose_name=_("reviewers holding it"),
    )

    class Meta:
        verbose_name = _("area of expertise")
        verbose_name_plural = _("areas of expertise")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name_zh"], name="unique_area_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class AgencyServiceArea(models.Model):
    """The area an agency serves, in one scheme (one per agency and scheme)."""

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="service_areas",
        verbose_name=_("agency"),
    )
    scheme = models.ForeignKey(
        "awards.AwardScheme", on_delete=models.CASCADE, related_name="+", verbose_name=_("scheme")
    )
    area = models.ForeignKey(
        ExpertiseArea,
        on_delete=models.CASCADE,
        related_name="agencies",
        verbose_name=_("service area"),
    )

    class Meta:
        verbose_name = _("agency service area")
        verbose_name_plural = _("agency service areas")
        constraints = [
            models.UniqueConstraint(fields=["agency", "scheme"], name="unique_agency_service_area"),
        ]

    def __str__(self):
        return f"{self.agency} · {self.area}"
