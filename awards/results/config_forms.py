"""Forms of the award rules page (awards.results.config_services does the checks that
need the database; these only read what was typed)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .enums import AwardBasis


class AwardRuleForm(forms.Form):
    basis = forms.ChoiceField(label=_("Decided by"), choices=AwardBasis.choices)
    award_name_zh = forms.CharField(
        label=_("Award name (Chinese)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"lang": "zh-Hant"}),
        help_text=_("Empty: the category's name."),
    )
    award_name_en = forms.CharField(
        label=_("Award name (English)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    winners = forms.IntegerField(
        label=_("Number of winners"),
        required=False,
        help_text=_(
            "Final standings: the best N win (all who share the last place win too); empty: "
            "no limit. Poll: the N departments with most household votes win."
        ),
    )
    min_score = forms.DecimalField(
        label=_("Minimum score"),
        required=False,
        max_digits=7,
        decimal_places=2,
        help_text=_("Final standings only: only dossiers scoring at least this can win."),
    )
    finalists_only = forms.BooleanField(label=_("Finalists only"), required=False)
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class AwardLevelForm(forms.Form):
    name_zh = forms.CharField(
        label=_("Level (Chinese)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"lang": "zh-Hant"}),
    )
    name_en = forms.CharField(
        label=_("Level (English)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    min_score = forms.DecimalField(
        label=_("From (points)"), required=False, max_digits=7, decimal_places=2
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class AwardSelectionForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    citation_zh = forms.CharField(
        label=_("Citation (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "zh-Hant"}),
    )
    citation_en = forms.CharField(
        label=_("Citation (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "en"}),
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.all()


def add_errors(form: forms.Form, errors: dict) -> None:
    """A service's {field: [messages]} beside the fields (None: the whole form)."""
    for field, messages in errors.items():
        for m in messages:
            form.add_error(field if field in form.fields else None, m)
