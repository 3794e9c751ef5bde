from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardBasis(models.TextChoices):
    STANDINGS = "standings", _("Final standings (panel scores)")
    POLL = "poll", _("Household telephone poll")
    SELECTION = "selection", _("Selected by the panel (special award)")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Compiled")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class JobKind(models.TextChoices):
    COMPILE = "compile", _("Compile results")
    WORKBOOK = "workbook", _("Results workbook (XLSX)")
    CERTIFICATES = "certificates", _("Certificates (PDF)")
    SENSITIVITY = "sensitivity", _("Decision sensitivity")
    FEEDBACK = "feedback", _("Feedback drafts")


class FeedbackState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RELEASED = "released", _("Released to the agency")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AppealState(models.TextChoices):
    FILED = "filed", _("Filed, awaiting the panel's decision")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class EventKind(models.TextChoices):
    CEREMONY = "ceremony", _("Award ceremony")
    EXHIBITION = "exhibition", _("Exhibition")
    ROVING = "roving", _("Roving exhibition venue")
    SEMINAR = "seminar", _("Experience-sharing seminar")
    PRESENTATION = "presentation", _("Results presentation")
    DISCUSSION = "discussion", _("Joint discussion of winners")


# Events civil servants of any agency register for (up to the event's capacity).
REGISTRATION_KINDS = (EventKind.SEMINAR, EventKind.PRESENTATION)


# Events whose visitors are counted (per day or in total).
VISITOR_KINDS = (EventKind.EXHIBITION, EventKind.ROVING)


class ObligationKind(models.TextChoices):
    EXHIBIT = "exhibit", _("An exhibit")
    TALK = "talk", _("A talk")
    POSTER = "poster", _("A poster")
    ATTENDANCE = "attendance", _("Attendance")
    OTHER = "other", _("Other")


class ObligationStatus(models.TextChoices):
    ASKED = "asked", _("Asked")
    CONFIRMED = "confirmed", _("Confirmed")
    DELIVERED = "delivered", _("Delivered")
    MISSED = "missed", _("Missed")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
