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
