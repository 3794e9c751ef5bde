from django.db import models
from django.utils.translation import gettext_lazy as _


class CategoryKind(models.TextChoices):
    FIRST_LINE = "first_line", _("First-line service agency")
    SERVICE_PLANNING = "service_planning", _("Service planning agency")
    SPECIAL = "special", _("Special award")
    INDIVIDUAL = "individual", _("Individual")
    TEAM = "team", _("Team")
    DEPARTMENT = "department", _("Department")


class NomineeKind(models.TextChoices):
    """Who a category's nominations are for: the agency itself, or a team or an
    individual officer of it (the agency, a department, nominates them and owns the
    nomination)."""

    AGENCY = "agency", _("The agency itself")
    TEAM = "team", _("A team")
    INDIVIDUAL = "individual", _("An individual officer")


class StageKind(models.TextChoices):
    NOMINATION = "nomination", _("Nomination open")
    RECOMMENDATION = "recommendation", _("Recommendation")
    ELIGIBILITY_CHECK = "eligibility_check", _("Eligibility check")
    WRITTEN_REVIEW = "written_review", _("Preliminary (written) review")
    SHORTLISTING = "shortlisting", _("Shortlisting")
    SITE_VISIT = "site_visit", _("Final review with site visits")
    PANEL_PRESENTATION = "panel_presentation", _("Presentation to the panel")
    TELEPHONE_POLL = "telephone_poll", _("Telephone poll")
    APPROVAL = "approval", _("Approval")
    CEREMONY = "ceremony", _("Award ceremony")
    EXHIBITION = "exhibition", _("Exhibition")
    RESULTS_SHARING = "results_sharing", _("Results sharing")


class NominationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    RECOMMENDED = "recommended", _("Recommended")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    FINALIST = "finalist", _("Finalist")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NoteVisibility(models.TextChoices):
    """Who may read the note given with a state change (Nomination.state_reason)."""

    INTERNAL = "internal", _("Internal: for the record only")
    AGENCY = "agency", _("For the agency: shown on its dossier and in its e-mail")


class SectionKind(models.TextChoices):
    PROFILE = "profile", _("Agency profile")
    CONTACT = "contact", _("Contact person")
    STATISTICS = "statistics", _("Key service statistics")
    INDICATOR = "indicator", _("Indicator")


class ReminderAudience(models.TextChoices):
    """Who a deadline reminder rule (awards.ReminderRule) writes to."""

    AGENCY_DRAFTS = "agency_drafts", _("Agency editors whose dossier is still a draft")
    AUTHORITY_PENDING = "authority_pending", _("Competent authorities that have not recommended")
