from django.db import models
from django.utils.translation import gettext_lazy as _


class PollStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FIELDWORK = "fieldwork", _("In fieldwork")
    CLOSED = "closed", _("Fieldwork closed")
    PUBLISHED = "published", _("Results published")


class Disposition(models.TextChoices):
    """Call outcomes, after the AAPOR Standard Definitions (telephone surveys)."""

    COMPLETE = "complete", _("Complete interview")
    PARTIAL = "partial", _("Partial interview")
    REFUSAL = "refusal", _("Refusal / break-off")
    NON_CONTACT = "non_contact", _("Non-contact")
    CALLBACK = "callback", _("Callback arranged")
    INELIGIBLE = "ineligible", _("Not eligible")


# AAPOR numeric codes the polling firm may use instead of ours.
AAPOR_CODES = {
    Disposition.COMPLETE: "1.1",
    Disposition.PARTIAL: "1.2",
    Disposition.REFUSAL: "2.10",
    Disposition.NON_CONTACT: "2.20",
    Disposition.CALLBACK: "2.30",
    Disposition.INELIGIBLE: "4.0",
}

# Dispositions that end the work on a household (no further calls).
FINAL_DISPOSITIONS = frozenset(
    {Disposition.COMPLETE, Disposition.PARTIAL, Disposition.REFUSAL, Disposition.INELIGIBLE}
)


class TieRule(models.TextChoices):
    SHARE = "share", _("Tied departments share the last place (more winners)")
    LOT = "lot", _("Drawn by lot (a recorded, reproducible draw)")


class ImportKind(models.TextChoices):
    SAMPLE = "sample", _("Sampled households")
    RESPONSES = "responses", _("Polling firm's responses")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for column mapping")
    REJECTED = "rejected", _("Rejected: errors found")
    IMPORTED = "imported", _("Imported")
    DUPLICATE = "duplicate", _("Already imported (same file)")


class ResponseSource(models.TextChoices):
    INTERVIEWER = "interviewer", _("Interviewer entry")
    IMPORT = "import", _("Polling firm's file")
