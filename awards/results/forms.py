"""Forms of the staff results pages. Times are typed in the edition's own time zone."""

from django import forms
from django.utils.translation import gettext_lazy as _

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(**kwargs):
    return forms.DateTimeField(
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        **kwargs,
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    publish_at = _datetime_field(
        label=_("Publish at"),
        required=False,
        help_text=_("The results stay under embargo until then. Leave it empty to publish later."),
    )
    # The decision-sensitivity run the page showed (recorded with the approval).
    sensitivity_run = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What must change"), widget=forms.Textarea(attrs={"rows": 4}))


class ScheduleForm(forms.Form):
    publish_at = _datetime_field(label=_("Publish at"))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the public pages and the certificate verification page."),
    )
    revoked_on = forms.DateField(
        label=_("Revoked on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


class SummaryForm(forms.Form):
    summary_zh = forms.CharField(
        label=_("Good practice (Chinese)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "lang": "zh-Hant"}),
    )
    summary_en = forms.CharField(
        label=_("Good practice (English)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "lang": "en"}),
    )
