"""Forms of the configuration area: a new edition from a previous one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workflow.zones import ZONE_NAMES, zone_name

from .copying import edition_copy_target_problem, stage_date_problems, stage_field
from .enums import CategoryKind
from .models import validate_time_zone


def time_zone_label(tz: str) -> str:
    """A zone's name as people say it (臺北時間, Hong Kong time), else its identifier."""
    return zone_name(tz)


class EditionCopyForm(forms.Form):
    number = forms.IntegerField(
        label=_("Edition number"),
        min_value=1,
        max_value=32767,
        help_text=_("The next free number is suggested."),
    )
    year_label = forms.CharField(
        label=_("Year"),
        max_length=40,
        required=False,
        help_text=_("As the scheme writes it, e.g. 2017 or 2003–04."),
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("Stage dates are days in this time zone."),
    )
    offset_years = forms.IntegerField(
        label=_("Shift the dates by (years)"), min_value=-10, max_value=10, initial=1
    )
    offset_days = forms.IntegerField(
        label=_("and by (days)"),
        min_value=-366,
        max_value=366,
        initial=0,
        help_text=_("Days are added after the years; use a negative number to go back."),
    )
    copy_panels = forms.BooleanField(
        label=_("Also copy the panels and their members"),
        required=False,
        help_text=_("Left unticked, the new edition starts without panels or people."),
    )

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        choices = [(tz, time_zone_label(tz)) for tz in ZONE_NAMES]
        current = self.data.get("time_zone") or self.initial.get("time_zone")
        if current and current not in ZONE_NAMES:
            choices.append((current, current))
        self.fields["time_zone"].widget = forms.Select(choices=choices)

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        validate_time_zone(value)
        return value

    def clean_number(self):
        number = self.cleaned_data["number"]
        problem = edition_copy_target_problem(self.scheme, number)
        if problem:
            raise ValidationError(problem)
        return number


class StageDatesForm(forms.Form):
    """The copied stages' dates, one start and one end per stage of the source,
    pre-filled shifted by the offset and editable before saving."""

    def __init__(self, *args, stages, initial_dates, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = stages
        self.rows = []
        for stage in stages:
            starts, ends = initial_dates[stage.pk]
            for end, label, value in (
                ("starts", _("%(stage)s: starts on"), starts),
                ("ends", _("%(stage)s: ends on"), ends),
            ):
                self.fields[stage_field(stage.pk, end)] = forms.DateField(
                    label=label % {"stage": stage.name},
                    initial=value,
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                    error_messages={"required": _("Give a date."), "invalid": _("Enter a date.")},
                )
            self.rows.append(
                {
                    "stage": stage,
                    "starts": self[stage_field(stage.pk, "starts")],
                    "ends": self[stage_field(stage.pk, "ends")],
                }
            )

    def dates(self) -> dict[int, tuple]:
        return {
            s.pk: (
                self.cleaned_data.get(stage_field(s.pk, "starts")),
                self.cleaned_data.get(stage_field(s.pk, "ends")),
            )
            for s in self.stages
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for key, message in stage_date_problems(self.stages, self.dates()).items():
                self.add_error(key, message)
        return cleaned


class CategoryForm(forms.Form):
    """A category's settings (awards.categories.category_save checks them against the
    edition and the nominations already made)."""

    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Short, unique in the edition, e.g. team-award; used in exports."),
    )
    kind = forms.ChoiceField(
        label=_("What it awards"),
        choices=CategoryKind.choices,
        help_text=_(
            "Individual: a department nominates an officer (name, post, unit). Team: a "
            "department nominates a team with its members. Every other kind: the agency "
            "nominates itself."
        ),
    )
    nominations_per_agency = forms.IntegerField(
        label=_("Nominations per agency"),
        required=False,
        help_text=_("How many dossiers one agency may submit in this category."),
    )
    order = forms.IntegerField(
        label=_("Place in lists"), required=False, help_text=_("Smaller comes first.")
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SchemeForm(forms.Form):
    """A scheme's own settings (awards.schemes.scheme_save checks them)."""

    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    organiser_zh = forms.CharField(label=_("Organiser (Chinese)"), max_length=200, required=False)
    organiser_en = forms.CharField(label=_("Organiser (English)"), max_length=200, required=False)
    nominee_retention_months = forms.IntegerField(
        label=_("Keep nominees' personal data for (months)"),
        required=False,
        help_text=_(
            "Counted from the end of an edition's last stage. From then on, the secretariat "
            "may erase an individual's or a team's personal data on request."
        ),
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
