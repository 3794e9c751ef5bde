"""Rubrics as data: rubric -> dimensions (評核構面) -> indicators (評核指標), each indicator
with its focus points (評核重點). A category of the award cycle points at its rubric
(awards.Category.rubric); the rubric does not know which cycle uses it.

The tables keep the names they had when these models lived in scoring (scoring_rubric,
scoring_dimension, scoring_indicator), so existing data stayed where it was."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import localized


class Rubric(models.Model):
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
    revision = models.PositiveIntegerField(
        _("revision"),
        default=0,
        help_text=_("Grows with each save in the rubric editor, so a stale save is refused."),
    )

    class Meta:
        db_table = "scoring_rubric"
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self):
        # The reverse side of awards.Category.rubric, when a category uses this rubric.
        owner = getattr(self, "category", None)
        return f"{owner} ({self.total_points})" if owner else f"#{self.pk} ({self.total_points})"


class Dimension(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("rubric")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    max_points = models.PositiveIntegerField(_("maximum points"))
    tie_break_rank = models.PositiveSmallIntegerField(
        _("tie-break rank"),
        null=True,
        blank=True,
        help_text=_(
            "Equal totals are ordered by the higher score on the dimension ranked 1, then 2, …"
        ),
    )

    class Meta:
        db_table = "scoring_dimension"
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
        help_text=_("Focus points: guidance shown to writers and reviewers, one per line."),
    )
    focus_points_en = models.TextField(_("focus points (English)"), blank=True)

    class Meta:
        db_table = "scoring_indicator"
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
