"""Rubrics as data: rubric -> dimensions (評核構面) -> indicators (評核指標)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import localized


class Rubric(models.Model):
    category = models.OneToOneField(
        "awards.Category",
        on_delete=models.CASCADE,
        related_name="rubric",
        verbose_name=_("category"),
    )
    total_points = models.PositiveIntegerField(_("total points"))
    allows_half_points = models.BooleanField(_("half points allowed"), default=False)
    cloned_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cloned from"),
    )

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self):
        return f"{self.category} ({self.total_points})"


class Dimension(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("rubric")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    max_points = models.PositiveIntegerField(_("maximum points"))

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["rubric", "order", "id"]

    def __str__(self):
        return f"{self.name} ({self.max_points})"

    @property
    def name(self):
        return localized(self, "name")


class Indicator(models.Model):
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("dimension")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    max_points = models.PositiveIntegerField(_("maximum points"))
    focus_points_zh = models.TextField(
        _("focus points (Chinese)"),
        blank=True,
        help_text=_("評核重點: guidance shown to writers and reviewers, one per line."),
    )
    focus_points_en = models.TextField(_("focus points (English)"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["dimension", "order", "id"]

    def __str__(self):
        return f"{self.name} ({self.max_points})"

    @property
    def name(self):
        return localized(self, "name")

    @property
    def focus_points(self) -> list[str]:
        text = localized(self, "focus_points")
        return [line.strip() for line in text.splitlines() if line.strip()]


class Score(models.Model):
    """One reviewer's points on one indicator. Its existence freezes the rubric.
    The review workflow (assignments, stages, submission) builds on this model."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("indicator")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("reviewer"),
    )
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self):
        return f"{self.indicator}: {self.points}"
