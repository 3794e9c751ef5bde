from django.db import models
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    TRIMMED_MEAN = "trimmed_mean", _("Trimmed mean (drop highest and lowest)")
    MEDIAN = "median", _("Median")
    ZSCORE = "zscore", _("Per-reviewer z-score normalisation")


class MemberKind(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    SITE_ASSESSOR = "site_assessor", _("Site-visit assessor")


class ConflictSource(models.TextChoices):
    DECLARED = "declared", _("Declared by the reviewer")
    AFFILIATION = "affiliation", _("Affiliation")
    SECRETARIAT = "secretariat", _("Added by the secretariat")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REOPENED = "reopened", _("Reopened")


class SiteTestKind(models.TextChoices):
    TELEPHONE = "telephone", _("Telephone test")
    APPLICATION = "application", _("Real application test")
    WEBSITE = "website", _("Website review")
    # HK's consultancy visits: an assessor at the service counter, on the premises.
    ON_SITE = "on_site", _("On-site visit")


class MemberState(TextChoices):
    """A panel membership: invited until the person answers; only accepted members are
    assigned dossiers."""

    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Invitation withdrawn")
