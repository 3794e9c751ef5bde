"""Forms of the programme pages. Times are typed in the edition's own time zone."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .enums import EventKind, ObligationKind
from .forms import DATETIME_FORMAT, _datetime_field


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    starts_at = _datetime_field(label=_("Starts"))
    ends_at = _datetime_field(label=_("Ends"))
    venue_zh = forms.CharField(label=_("Venue (Chinese)"), max_length=200)
    venue_en = forms.CharField(label=_("Venue (English)"), max_length=200, required=False)
    capacity = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, help_text=_("Blank: no limit.")
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "zh-Hant"}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )
    outside_reason = forms.CharField(
        label=_("Why it lies outside the edition's dates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the event is held before or after the edition's stages."),
    )
    is_published = forms.BooleanField(
        label=_("Published (public programme page and calendar feeds)"), required=False
    )

    def __init__(self, *args, edition, **kwargs):
        self.edition = edition
        super().__init__(*args, **kwargs)

    def _aware(self, name):
        value = self.cleaned_data.get(name)
        if value is None:
            return value
        # Typed in the edition's zone, whatever the site's current zone.
        return datetime.datetime.combine(value.date(), value.time(), tzinfo=self.edition.tzinfo)

    def clean_starts_at(self):
        return self._aware("starts_at")

    def clean_ends_at(self):
        return self._aware("ends_at")

    @staticmethod
    def initial_for(event) -> dict:
        tz = event.edition.tzinfo
        values = {
            f: getattr(event, f)
            for f in (
                "kind",
                "name_zh",
                "name_en",
                "venue_zh",
                "venue_en",
                "capacity",
                "description_zh",
                "description_en",
                "outside_reason",
                "is_published",
            )
        }
        for f in ("starts_at", "ends_at"):
            values[f] = timezone.localtime(getattr(event, f), tz).replace(tzinfo=None)
        return values


class AskForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to bring"), choices=ObligationKind.choices)
    detail = forms.CharField(
        label=_("Details (optional)"),
        max_length=300,
        required=False,
        help_text=_("E.g. a stand of 3 m with a poster, or a 20-minute talk."),
    )
    all_winners = forms.BooleanField(label=_("Ask all winners of this edition"), required=False)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies to ask"),
        queryset=Agency.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "The agencies with a nomination in this edition. Hold Ctrl (⌘ on a Mac) to "
            "choose several."
        ),
    )

    def __init__(self, *args, edition=None, **kwargs):
        super().__init__(*args, **kwargs)
        if edition is not None:
            # The edition's participants, not every agency on the register.
            self.fields["agencies"].queryset = (
                Agency.objects.filter(nominations__edition=edition).distinct().order_by("code")
            )

    def clean(self):
        data = super().clean()
        if not data.get("all_winners") and not data.get("agencies") and not self.errors:
            self.add_error("agencies", _("Choose the agencies to ask, or ask all winners."))
        return data


class VisitorsForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=_("Blank: the total of the whole event."),
    )
    visitors = forms.IntegerField(label=_("Visitors"), min_value=0)


__all__ = ["DATETIME_FORMAT", "AskForm", "EventForm", "VisitorsForm"]
