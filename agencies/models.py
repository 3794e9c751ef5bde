from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The audit log lives in the workflow layer; imported here for code that reads it.
from workflow.models import AuditEntry  # noqa: F401

from .enums import AffiliationType, AgencyType, MailLanguage, Role


def localized(obj, field: str) -> str:
    """Return obj.<field>_en in English, obj.<field>_zh otherwise (falling back if empty)."""
    zh = getattr(obj, f"{field}_zh", "") or ""
    en = getattr(obj, f"{field}_en", "") or ""
    if (get_language() or "").startswith("en"):
        return en or zh
    return zh or en


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    affiliation_type = models.CharField(
        _("affiliation type"),
        max_length=32,
        choices=AffiliationType.choices,
        blank=True,
        help_text=_("For reviewers, who belong to no agency."),
    )
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    affiliated_agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="affiliated_users",
        verbose_name=_("affiliated agency"),
        help_text=_("A reviewer who works for or with an agency is conflicted with it."),
    )
    language = models.CharField(
        _("language for e-mail"),
        max_length=16,
        choices=MailLanguage.choices,
        default=MailLanguage.ZH_HANT,
        help_text=_("The language of the e-mail this site sends you."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name or self.email

    def has_perm(self, perm, obj=None):
        """A permission declared in an app's rules.py is answered by its predicates only,
        as the views ask them (agencies.permissions.user_may), so `{% has_perm %}` in a
        template agrees with the view behind the link. Django's answer (True for any
        superuser) still holds for the admin's model permissions."""
        import rules

        if rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class Agency(models.Model):
    """A government agency. Agencies form a tree: a competent authority above its
    subordinate agencies, to any depth. `path` is the chain of zero-padded ids from the
    root ("/0000000001/0000000005/"), maintained by agencies.services, so a subtree is one prefix query."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    agency_type = models.CharField(
        _("agency type"), max_length=32, choices=AgencyType.choices, default=AgencyType.OTHER
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_competent_authority = models.BooleanField(_("competent authority"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    path = models.CharField(max_length=500, editable=False, db_index=True, default="/")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["path"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return localized(self, "name")


class RoleAssignment(models.Model):
    """One role held by one user; agency editors and authority officers act for an agency."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("agency"),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                name="unique_role_per_user_agency",
                condition=models.Q(agency__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                name="unique_global_role_per_user",
                condition=models.Q(agency__isnull=True),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=["agency_editor", "authority_officer"], agency__isnull=False)
                    | (
                        ~models.Q(role__in=["agency_editor", "authority_officer"])
                        & models.Q(agency__isnull=True)
                    )
                ),
                name="agency_iff_agency_role",
            ),
        ]

    def __str__(self):
        label = Role(self.role).label
        return f"{self.user} · {label}" + (f" · {self.agency.name}" if self.agency_id else "")


class AgencyImportJob(models.Model):
    """An uploaded agency list and what became of it. The background job that reads it
    is a workflow.Job (kind "agency_import", its target this record; `job` is the latest
    one), so the import page shows the one progress partial and then the result or every
    problem. The job's state is read through the properties below."""

    job = models.OneToOneField(
        "workflow.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("background job"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64)
    # The file until the job has read it; emptied afterwards (the audit entry keeps the hash).
    content = models.BinaryField(_("content"), blank=True)
    # {"created", "updated", "unchanged"} when done; {"problems": [...]} when refused.
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("agency import job")
        verbose_name_plural = _("agency import jobs")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.filename} #{self.pk}"

    # The job's state, for the pages (workflow.Job is the one place it is kept).
    @property
    def status(self) -> str:
        return self.job.status if self.job_id else ""

    @property
    def progress(self) -> int:
        return self.job.progress if self.job_id else 0

    @property
    def is_active(self) -> bool:
        return bool(self.job_id) and self.job.is_active

    @property
    def language(self) -> str:
        return self.job.language if self.job_id else ""

    @property
    def error(self) -> str:
        return self.job.error if self.job_id else ""
