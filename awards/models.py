"""The award cycle as data: scheme -> edition -> categories and stages."""

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import localized

from .enums import CategoryKind, StageKind


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

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["edition", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="unique_category_code"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    @property
    def description(self):
        return localized(self, "description")


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
    is_public = models.BooleanField(_("public event"), default=False)

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
