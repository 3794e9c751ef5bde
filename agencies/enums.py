from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyType(models.TextChoices):
    HOUSEHOLD_REGISTRATION = "household_registration", _("Household registration")
    LAND = "land", _("Land administration")
    TAX = "tax", _("Taxation")
    ENVIRONMENT = "environment", _("Environmental protection")
    HEALTH = "health", _("Health and medical care")
    POLICE = "police", _("Police")
    FIRE = "fire", _("Fire services")
    TOURISM = "tourism", _("Tourism and recreation")
    SOCIAL_WELFARE = "social_welfare", _("Social welfare")
    LABOUR = "labour", _("Labour")
    TRANSPORT = "transport", _("Transport")
    IMMIGRATION = "immigration", _("Immigration and customs")
    CULTURE = "culture", _("Culture and education")
    GENERAL = "general", _("General administration")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    AGENCY_EDITOR = "agency_editor", _("Agency editor")
    AUTHORITY_OFFICER = "authority_officer", _("Competent-authority officer")
    SECRETARIAT = "secretariat", _("Secretariat")
    REVIEWER = "reviewer", _("Reviewer")
    SITE_ASSESSOR = "site_assessor", _("Site-visit assessor")
    POLL_INTERVIEWER = "poll_interviewer", _("Poll interviewer")
    APPROVER = "approver", _("Approver")


# Roles that act for one agency and so need one.
AGENCY_ROLES = frozenset({Role.AGENCY_EDITOR, Role.AUTHORITY_OFFICER})


class AffiliationType(models.TextChoices):
    LEGISLATURE = "legislature", _("Legislature")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    PROFESSIONAL_BODY = "professional_body", _("Professional body")
    STAFF_SIDE = "staff_side", _("Staff side")
    ACADEMIA = "academia", _("Academia")
    GOVERNMENT = "government", _("Government")


class MailLanguage(models.TextChoices):
    """The languages a person may get e-mail in (settings.LANGUAGES); each label in its
    own language, as on the language switch."""

    ZH_HANT = "zh-hant", "繁體中文"
    EN = "en", "English"
