"""Forms of the feedback reports and appeals (申覆). Times are typed in the edition's
own time zone."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import _datetime_field


class FeedbackSummaryForm(forms.Form):
    summary_zh = forms.CharField(
        label=_("Overall remarks (Chinese)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "zh-Hant"}),
    )
    summary_en = forms.CharField(
        label=_("Overall remarks (English)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
    )


class FeedbackItemForm(forms.Form):
    """One indicator's two texts; prefixed with the item's id."""

    strengths = forms.CharField(
        label=_("Strengths"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    opportunities = forms.CharField(
        label=_("Opportunities for improvement"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealWindowForm(forms.Form):
    appeal_opens_at = _datetime_field(label=_("Appeals open"), required=False)
    appeal_closes_at = _datetime_field(
        label=_("Appeals close"),
        required=False,
        help_text=_("After the results are approved and before they are published."),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class AppealForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons for the appeal"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Say why the results should be reconsidered.")},
    )
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_("PDF, JPEG, PNG, DOCX or XLSX; at most five files."),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("The panel's decision"),
        choices=[("upheld", _("Upheld")), ("dismissed", _("Dismissed"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the panel's decision.")},
    )
    reasons = forms.CharField(
        label=_("Reasons for the decision"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Give the reasons for the decision.")},
    )
