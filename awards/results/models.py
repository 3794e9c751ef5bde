"""Results as data: how each category's winners are decided (AwardRule, AwardLevel,
AwardSelection), the frozen, versioned result of a compilation (ResultVersion with its
Award rows) and the certificate templates. Its background jobs (compile, workbook,
certificates) are workflow.Job rows, declared in awards/results/jobs.py.

ResultVersion.data is the frozen snapshot, written once by the compile job and never
changed afterwards. Its shape (all keys always present; numbers are JSON numbers):

    {
      "edition": {"id", "number", "name_zh", "name_en", "scheme_code"},
      "categories": [
        {
          "id", "code", "name_zh", "name_en", "basis" (AwardBasis),
          "award_name_zh", "award_name_en", "winners" (int|None), "min_score" (float|None),
          "finalists_only" (bool; absent in versions compiled before it was kept),
          "method" (aggregation code, standings only, else ""), "maximum" (rubric points|None),
          "stages":     [{"id", "name_zh", "name_en", "weight"}],
          "dimensions": [{"id", "name_zh", "name_en", "max_points"}],
          "indicators": [{"id", "dimension_id", "name_zh", "name_en", "max_points"}],
          "rows": [
            {
              "position", "rank" (int|None), "agency_id", "agency_code", "agency_zh",
              "agency_en", "nomination_id" (int|None), "title", "state",
              "score" (float|None), "votes" (int|None, poll only), "share" (float|None),
              "stage_scores": [float|None per stage],
              "dimension_scores": [float|None per dimension],
              "indicator_scores": [float|None per indicator; raw mean points],
              "tied" (bool), "decided" (bool), "incomplete" (bool),
              "winner" (bool), "level_zh", "level_en", "citation_zh", "citation_en"
            }
          ],
          "warnings": [str],  # e.g. a tie across the last winning place
          "close_call": null | {"last_winner", "next" (agency codes), "lead", "moe_of_lead",
                        "within_margin": true, "last_winner_zh", "last_winner_en",
                        "next_zh", "next_en"}   # poll only: the tally's "too close to call"
        }
      ],
      "poll": null | {"run_id", "title_zh", "title_en", "n_votes", "close_call",
                      "rows": [...tally rows]}
    }
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import localized

from .enums import (
    AppealState,
    AwardBasis,
    EventKind,
    FeedbackState,
    ObligationKind,
    ObligationStatus,
    RegistrationStatus,
    VersionStatus,
)


class AwardRule(models.Model):
    """How a category's winners are decided. Without a rule a category awards nothing."""

    category = models.OneToOneField(
        "awards.Category",
        on_delete=models.CASCADE,
        related_name="award_rule",
        verbose_name=_("category"),
    )
    basis = models.CharField(
        _("decided by"), max_length=16, choices=AwardBasis.choices, default=AwardBasis.STANDINGS
    )
    award_name_zh = models.CharField(_("award name (Chinese)"), max_length=200, blank=True)
    award_name_en = models.CharField(_("award name (English)"), max_length=200, blank=True)
    winners = models.PositiveSmallIntegerField(
        _("number of winners"),
        null=True,
        blank=True,
        help_text=_("The best N win (all who share the last place win too). Empty: no limit."),
    )
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only dossiers scoring at least this many points can win. Empty: none."),
    )
    finalists_only = models.BooleanField(
        _("finalists only"),
        default=True,
        help_text=_("Only dossiers shortlisted as finalists can win."),
    )

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")

    def __str__(self):
        return f"{self.category} · {self.get_basis_display()}"

    @property
    def award_name(self):
        return localized(self, "award_name") or self.category.name


class AwardLevel(models.Model):
    """An optional level of award within an edition (e.g. 特優 / 優等), given to a
    winner by its score: the highest level whose minimum it reaches."""

    edition = models.ForeignKey(
        "awards.Edition",
        on_delete=models.CASCADE,
        related_name="award_levels",
        verbose_name=_("edition"),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    min_score = models.DecimalField(_("minimum score"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("award level")
        verbose_name_plural = _("award levels")
        ordering = ["edition", "-min_score"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "min_score"], name="one_award_level_per_minimum"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class AwardSelection(models.Model):
    """An agency chosen by the panel for a special award (a category whose rule's basis
    is 'selection'), with the citation printed on its certificate."""

    category = models.ForeignKey(
        "awards.Category",
        on_delete=models.CASCADE,
        related_name="award_selections",
        verbose_name=_("category"),
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    citation_zh = models.TextField(_("citation (Chinese)"), blank=True)
    citation_en = models.TextField(_("citation (English)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("selected by"),
    )
    created_at = models.DateTimeField(_("selected"), default=timezone.now)

    class Meta:
        verbose_name = _("special award selection")
        verbose_name_plural = _("special award selections")
        ordering = ["category", "agency__path"]
        constraints = [
            models.UniqueConstraint(fields=["category", "agency"], name="one_selection_per_agency")
        ]

    def __str__(self):
        return f"{self.category} · {self.agency}"


class ResultVersion(models.Model):
    """One compilation of an edition's results: frozen once written (see the module
    docstring for `data`). Only its status, and the approval fields, change later."""

    edition = models.ForeignKey(
        "awards.Edition",
        on_delete=models.PROTECT,
        related_name="result_versions",
        verbose_name=_("edition"),
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    checksum = models.CharField(_("checksum of the inputs (SHA-256)"), max_length=64)
    inputs = models.JSONField(_("inputs counted"), default=dict)
    data = models.JSONField(_("results"), default=dict)
    compiled_at = models.DateTimeField(_("compiled"), default=timezone.now)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("compiled by"),
    )
    submitted_at = models.DateTimeField(_("submitted for approval"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_comment = models.TextField(_("approver's comments"), blank=True)
    publish_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("Approved results stay under embargo until this time."),
    )
    # When a newer version replaced this one. An approved version that was already
    # published stays the public answer until its successor's publication time
    # (selectors.public_version); one superseded before its own publication never shows.
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        verbose_name = _("result version")
        verbose_name_plural = _("result versions")
        ordering = ["edition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="one_result_version_number")
        ]

    def __str__(self):
        return f"{self.edition} · v{self.number}"

    @property
    def is_published(self) -> bool:
        """Whether this version is the public answer for its edition now (an approved
        version after its embargo, or a superseded one until its successor's
        publication time)."""
        from .selectors import public_version

        if self.publish_at is None or self.publish_at > timezone.now():
            return False
        return public_version(self.edition_id) == self


class VersionRecord(models.Model):
    """What a version shows beyond its standings, frozen at compile with it: every
    reviewer's scores, the site-visit tests, the poll's figures and suggestions, and a
    fingerprint of each review (to say which changed since). Kept apart from
    ResultVersion.data because it can hold 100,000 scores. Shape (frozen.py):

        {"stages": {id: [name_zh, name_en]},
         "nominations": {id: [category_id, category_zh, category_en, agency_code,
                              agency_zh, agency_en]},
         "indicators": {id: [name_zh, name_en]},
         "reviews": {id: [stage_id, nomination_id, reviewer_id, reviewer name,
                          affiliation type, overall comment, submitted_at ISO|None]},
         "scores": [[review_id, indicator_id, points|None, comment], ...] (sheet order),
         "review_digests": {review id: hex digest of its points},
         "site_tests": [{"stage_zh", "stage_en", "agency_code", "agency_zh",
                         "agency_en", "assessor", "kind", "tested_at", "subject",
                         "findings", "indicators": [[zh, en]], "evidence"}],
         "poll": null | {"run_id", "results_digest", "n_weighted", "deff", "rr1",
                         "coop1", "dispositions", "strata",
                         "suggestions": [[code, agency_zh, agency_en, household, text]]}}
    """

    version = models.OneToOneField(
        ResultVersion,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="record",
        verbose_name=_("version"),
    )
    data = models.JSONField(_("frozen inputs"), default=dict)

    class Meta:
        verbose_name = _("frozen inputs of a result version")
        verbose_name_plural = _("frozen inputs of result versions")

    def __str__(self):
        return str(self.version)


class Award(models.Model):
    """One award in a result version: a category's winner (or a special award). Its
    serial is given when the version is approved and is what the certificate's QR code
    and the public verification page use. Revocation is recorded here, never by
    changing the version."""

    version = models.ForeignKey(
        ResultVersion, on_delete=models.CASCADE, related_name="awards", verbose_name=_("version")
    )
    category = models.ForeignKey(
        "awards.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="awards", verbose_name=_("agency")
    )
    nomination = models.ForeignKey(
        "awards.Nomination",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("nomination"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    name_zh = models.CharField(_("award (Chinese)"), max_length=200)
    name_en = models.CharField(_("award (English)"), max_length=200, blank=True)
    level_zh = models.CharField(_("level (Chinese)"), max_length=100, blank=True)
    level_en = models.CharField(_("level (English)"), max_length=100, blank=True)
    citation_zh = models.TextField(_("citation (Chinese)"), blank=True)
    citation_en = models.TextField(_("citation (English)"), blank=True)
    summary_zh = models.TextField(_("good practice (Chinese)"), blank=True)
    summary_en = models.TextField(_("good practice (English)"), blank=True)
    # NULL until approval: unique, and many awards have none yet (empty strings would clash).
    serial = models.CharField(  # noqa: DJ001
        _("serial number"), max_length=32, unique=True, null=True, blank=True
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    # What a recompile carried over from the same award of the previous version:
    # {"version": N, "fields": ["summary", "citation"], "changes": [[what, old, new]]}
    # (what: "rank", "score" or "level"); empty when nothing was carried.
    carried = models.JSONField(_("carried from the previous version"), default=dict, blank=True)
    # The missed programme obligation a revocation was opened from (if any).
    revoked_for = models.ForeignKey(
        "results.Obligation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revocations",
        verbose_name=_("revoked for the missed obligation"),
    )

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["version", "category__order", "order"]
        # One award per nomination in a version; awards without a nomination (a poll's,
        # a panel's selection) one per agency. An agency may win a team or individual
        # category more than once, with one nomination each.
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category", "nomination"],
                condition=models.Q(nomination__isnull=False),
                name="one_award_per_nomination",
            ),
            models.UniqueConstraint(
                fields=["version", "category", "agency"],
                condition=models.Q(nomination__isnull=True),
                name="one_award_per_agency_and_category",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.agency}"

    @property
    def nominee(self):
        """The individual or team awarded (awards.Nominee), or None for an agency's award.
        Load with select_related("nomination__nominee")."""
        if self.nomination_id is None:
            return None
        return getattr(self.nomination, "nominee", None)

    @property
    def public_name(self) -> str:
        """Who won, as public pages say it: the agency; for an individual or a team, the
        name only where the department recorded the nominee's consent."""
        nominee = self.nominee
        if nominee is None:
            return self.agency.name
        if nominee.public_consent and nominee.erased_at is None:
            return f"{nominee.name} · {self.agency.name}"
        if nominee.kind == "team":
            return _("A team of %(agency)s") % {"agency": self.agency.name}
        return _("An officer of %(agency)s") % {"agency": self.agency.name}

    @property
    def key(self) -> tuple:
        """The same award across a recompile: its category and nomination (a team or an
        individual of an agency may win one category twice), or its agency when it has
        no nomination (a poll's or a panel's award)."""
        return (self.category_id, self.agency_id, self.nomination_id)

    @property
    def name(self):
        return localized(self, "name")

    @property
    def level(self):
        return localized(self, "level")

    @property
    def citation(self):
        return localized(self, "citation")

    @property
    def summary(self):
        return localized(self, "summary")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    @property
    def carried_note(self) -> str:
        """E.g. "Carried from version 1; the result changed: rank 2→3." (or "")."""
        if not self.carried:
            return ""
        labels = {"rank": _("rank"), "score": _("score"), "level": _("level")}
        changes = [
            f"{labels.get(what, what)} {old if old not in (None, '') else '—'}"
            f"→{new if new not in (None, '') else '—'}"
            for what, old, new in self.carried.get("changes", [])
        ]
        if changes:
            return _("Carried from version %(n)s; the result changed: %(changes)s.") % {
                "n": self.carried.get("version"),
                "changes": ", ".join(changes),
            }
        return _("Carried from version %(n)s.") % {"n": self.carried.get("version")}


class CertificateTemplate(models.Model):
    """The certificate's page as a Django template (HTML) and its CSS, per scheme. The
    active one is used for new certificates; a template is previewed before use."""

    scheme = models.ForeignKey(
        "awards.AwardScheme",
        on_delete=models.CASCADE,
        related_name="certificate_templates",
        verbose_name=_("award scheme"),
    )
    name = models.CharField(_("name"), max_length=100)
    html = models.TextField(_("HTML"))
    css = models.TextField(_("CSS"), blank=True)
    signatory_zh = models.CharField(_("signatory (Chinese)"), max_length=200, blank=True)
    signatory_en = models.CharField(_("signatory (English)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=False)
    # Set when the sandbox check refuses a saved template (one saved before the check
    # existed): no certificate is printed from it until it is saved again, corrected.
    refused_at = models.DateTimeField(_("refused by the security check"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["scheme", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme"],
                condition=models.Q(is_active=True),
                name="one_active_certificate_template",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def signatory(self):
        return localized(self, "signatory")


def job_file_path(instance, filename):
    """Where the results jobs of before workflow.Job kept their files; named by the
    first migrations (the files stay where they are, see migration 0004)."""
    return f"results/{instance.edition_id}/jobs/{instance.pk}-{filename}"


# --- feedback reports (issue 17 part 1; services and selectors in feedback.py) -------------


class FeedbackReport(models.Model):
    """The written feedback to one participant (a reviewed nomination): per indicator of
    its rubric, strengths and opportunities for improvement, composed by the secretariat
    from the reviewers' comments and the site-test findings (reviewers stay anonymous),
    and the nomination's score band. A draft may be withdrawn; once released to the
    agency (only after the edition's results are published) it is final."""

    nomination = models.OneToOneField(
        "awards.Nomination",
        on_delete=models.PROTECT,
        related_name="feedback_report",
        verbose_name=_("nomination"),
    )
    edition = models.ForeignKey(
        "awards.Edition",
        on_delete=models.PROTECT,
        related_name="feedback_reports",
        verbose_name=_("edition"),
    )
    # The version whose standings gave the score band.
    version = models.ForeignKey(
        ResultVersion,
        on_delete=models.PROTECT,
        related_name="feedback_reports",
        verbose_name=_("result version"),
    )
    state = models.CharField(
        _("status"), max_length=16, choices=FeedbackState.choices, default=FeedbackState.DRAFT
    )
    score_band = models.CharField(_("score band"), max_length=40, blank=True)
    level_zh = models.CharField(_("award level (Chinese)"), max_length=100, blank=True)
    level_en = models.CharField(_("award level (English)"), max_length=100, blank=True)
    summary_zh = models.TextField(_("overall remarks (Chinese)"), blank=True)
    summary_en = models.TextField(_("overall remarks (English)"), blank=True)
    created_at = models.DateTimeField(_("prefilled"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("prefilled by"),
    )
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("released by"),
    )

    class Meta:
        verbose_name = _("feedback report")
        verbose_name_plural = _("feedback reports")
        ordering = ["edition", "nomination__category__order", "nomination__agency__path"]

    def __str__(self):
        return str(_("Feedback report: %(nomination)s") % {"nomination": self.nomination})

    @property
    def level(self):
        return localized(self, "level")

    @property
    def summary(self):
        return localized(self, "summary")


class FeedbackItem(models.Model):
    """One indicator of a feedback report."""

    report = models.ForeignKey(
        FeedbackReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("report")
    )
    indicator = models.ForeignKey(
        "rubrics.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    strengths = models.TextField(_("strengths"), blank=True)
    opportunities = models.TextField(_("opportunities for improvement"), blank=True)

    class Meta:
        verbose_name = _("feedback on an indicator")
        verbose_name_plural = _("feedback on indicators")
        ordering = ["report", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="one_feedback_item_per_indicator"
            )
        ]

    def __str__(self):
        return f"{self.report_id} · {self.indicator_id}"


# --- appeals (申覆; issue 17 part 3; services and selectors in appeals.py) -----------------


class ResultsSettings(models.Model):
    """An edition's settings about its results beyond the award rules: the appeal
    window, after the results are approved (and so told to the participants) and
    before their publication."""

    edition = models.OneToOneField(
        "awards.Edition",
        on_delete=models.CASCADE,
        related_name="results_settings",
        verbose_name=_("edition"),
    )
    appeal_opens_at = models.DateTimeField(_("appeals open"), null=True, blank=True)
    appeal_closes_at = models.DateTimeField(_("appeals close"), null=True, blank=True)

    class Meta:
        verbose_name = _("results settings")
        verbose_name_plural = _("results settings")

    def __str__(self):
        return str(self.edition)

    @property
    def has_window(self) -> bool:
        return self.appeal_opens_at is not None and self.appeal_closes_at is not None


class Appeal(models.Model):
    """An agency's appeal (申覆) against the approved results of one of its nominations,
    with the panel's decision. One per nomination."""

    nomination = models.OneToOneField(
        "awards.Nomination",
        on_delete=models.PROTECT,
        related_name="appeal",
        verbose_name=_("nomination"),
    )
    edition = models.ForeignKey(
        "awards.Edition",
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("edition"),
    )
    # The approved version appealed against.
    version = models.ForeignKey(
        ResultVersion, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("version")
    )
    state = models.CharField(
        _("status"), max_length=16, choices=AppealState.choices, default=AppealState.FILED
    )
    reasons = models.TextField(_("reasons"))
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filed by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["edition", "filed_at", "id"]

    def __str__(self):
        return str(_("Appeal: %(nomination)s") % {"nomination": self.nomination})


def appeal_attachment_path(instance, filename):
    return f"appeals/{instance.appeal_id}/{uuid.uuid4().hex}.{instance.file_type}"


class AppealAttachment(models.Model):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("appeal")
    )
    file = models.FileField(_("file"), upload_to=appeal_attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("appeal attachment")
        verbose_name_plural = _("appeal attachments")
        ordering = ["appeal", "id"]

    def __str__(self):
        return self.original_name


# --- the post-award programme (docs/programme.md) ------------------------------------------


class ProgrammeEvent(models.Model):
    """One event of an edition's programme after the awards (a ceremony, an exhibition, a
    roving exhibition venue, a seminar, a results presentation, a joint discussion). Its
    times are stored in UTC and typed and shown in the edition's time zone."""

    edition = models.ForeignKey(
        "awards.Edition",
        on_delete=models.CASCADE,
        related_name="programme_events",
        verbose_name=_("edition"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue_zh = models.CharField(_("venue (Chinese)"), max_length=200)
    venue_en = models.CharField(_("venue (English)"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Blank: no limit.")
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Shown on the public programme page and in the calendar feeds."),
    )
    outside_reason = models.TextField(_("why it lies outside the edition's dates"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("programme event")
        verbose_name_plural = _("programme events")
        ordering = ["edition", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="programme_event_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def venue(self):
        return localized(self, "venue")

    @property
    def description(self):
        return localized(self, "description")


class Obligation(models.Model):
    """What one participant (an agency, or a winner: an Award) must bring to an event:
    an exhibit, a talk, a poster. Asked -> confirmed (by the agency) -> delivered or
    missed (by the secretariat); see OBLIGATION_WORKFLOW."""

    event = models.ForeignKey(
        ProgrammeEvent,
        on_delete=models.CASCADE,
        related_name="obligations",
        verbose_name=_("event"),
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="programme_obligations",
        verbose_name=_("agency"),
    )
    award = models.ForeignKey(
        Award,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="obligations",
        verbose_name=_("award"),
    )
    kind = models.CharField(_("what to bring"), max_length=16, choices=ObligationKind.choices)
    detail = models.CharField(_("details"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ObligationStatus.choices,
        default=ObligationStatus.ASKED,
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["event", "agency__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "agency", "kind"], name="one_obligation_per_agency_and_kind"
            )
        ]

    def __str__(self):
        return f"{self.event} · {self.agency} · {self.get_kind_display()}"


class Registration(models.Model):
    """A civil servant's place at a seminar or results presentation, or their place on
    its waiting list. `attended` is recorded by the secretariat after the event."""

    event = models.ForeignKey(
        ProgrammeEvent,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("event"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_registrations",
        verbose_name=_("registrant"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~models.Q(status="cancelled"),
                name="one_live_registration_per_user",
            )
        ]

    def __str__(self):
        return f"{self.event} · {self.user}"


class VisitorCount(models.Model):
    """Visitors counted at an event (an exhibition): per day, or one total (day blank)."""

    event = models.ForeignKey(
        ProgrammeEvent,
        on_delete=models.CASCADE,
        related_name="visitor_counts",
        verbose_name=_("event"),
    )
    day = models.DateField(_("day"), null=True, blank=True)
    visitors = models.PositiveIntegerField(_("visitors"))

    class Meta:
        verbose_name = _("visitor count")
        verbose_name_plural = _("visitor counts")
        ordering = ["event", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "day"],
                name="one_visitor_count_per_day",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.event} · {self.day or '-'}: {self.visitors}"


class SensitivityRun(models.Model):
    """One run of the decision-sensitivity check of a result version (sensitivity.py):
    the winners under each aggregation method, leave-one-reviewer-out, rank intervals
    from a bootstrap over reviewers, the z-score's small samples and the margin at the
    cut. Written once by its background job and never changed; computed from the
    version's frozen snapshot and record, so it is frozen with the version. A version
    approved or superseded takes no new run; approving records which run the approver
    was shown (`digest` is the SHA-256 of `data`). Shape of `data` in sensitivity.py."""

    version = models.ForeignKey(
        ResultVersion,
        on_delete=models.CASCADE,
        related_name="sensitivity_runs",
        verbose_name=_("version"),
    )
    job = models.ForeignKey(
        "workflow.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("job"),
    )
    data = models.JSONField(_("decision sensitivity"), default=dict)
    digest = models.CharField(_("checksum of the result (SHA-256)"), max_length=64)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("computed by"),
    )

    class Meta:
        verbose_name = _("decision sensitivity run")
        verbose_name_plural = _("decision sensitivity runs")
        ordering = ["version", "-computed_at", "-id"]

    def __str__(self):
        return f"{self.version} · {self.digest[:12]}"
